#include "media/certificate.h"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

namespace mcu::media {
namespace {

std::string OpenSslError(const std::string& what) {
  unsigned long e = ERR_get_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return what + ": " + buf;
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

Expected<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorKind::kInternal, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Expected<Certificate> Certificate::Generate(const std::string& common_name,
                                            const std::vector<std::string>& alt_names, int days) {
  Certificate c;
  c.key_.reset(EVP_EC_gen("P-256"));
  if (!c.key_) return MakeError(ErrorKind::kInternal, OpenSslError("EC key generation failed"));
  c.cert_.reset(X509_new());
  X509* x = c.cert_.get();
  X509_set_version(x, 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1)
    return MakeError(ErrorKind::kInternal, OpenSslError("no random serial number"));
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(x), -24 * 3600);  // Tolerate clocks a day behind.
  X509_gmtime_adj(X509_getm_notAfter(x), long(days) * 24 * 3600);
  X509_set_pubkey(x, c.key_.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(x, name);
  if (!alt_names.empty()) {
    std::string san;
    for (const auto& n : alt_names) san += (san.empty() ? "" : ",") + n;
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str());
    if (!ext) return MakeError(ErrorKind::kInternal, OpenSslError("invalid subjectAltName"));
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(x, c.key_.get(), EVP_sha256()) == 0)
    return MakeError(ErrorKind::kInternal, OpenSslError("certificate signing failed"));
  return c;
}

Expected<Certificate> Certificate::FromPem(const std::string& cert_pem,
                                           const std::string& key_pem) {
  Certificate c;
  BioPtr cb(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  c.cert_.reset(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
  if (!c.cert_) return MakeError(ErrorKind::kInvalid, OpenSslError("invalid certificate PEM"));
  BioPtr kb(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  c.key_.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
  if (!c.key_) return MakeError(ErrorKind::kInvalid, OpenSslError("invalid private key PEM"));
  if (X509_check_private_key(c.cert_.get(), c.key_.get()) != 1)
    return MakeError(ErrorKind::kInvalid, OpenSslError("private key does not match certificate"));
  return c;
}

Expected<Certificate> Certificate::LoadOrCreate(const std::string& cert_path,
                                                const std::string& key_path,
                                                const std::string& common_name,
                                                const std::vector<std::string>& alt_names) {
  namespace fs = std::filesystem;
  bool have_cert = fs::exists(cert_path), have_key = fs::exists(key_path);
  if (have_cert && have_key) {
    auto cert_pem = ReadFile(cert_path);
    if (!cert_pem) return cert_pem.failure();
    auto key_pem = ReadFile(key_path);
    if (!key_pem) return key_pem.failure();
    return FromPem(*cert_pem, *key_pem);
  }
  if (have_cert != have_key)
    return MakeError(ErrorKind::kInvalid,
                     "only one of " + cert_path + " and " + key_path + " exists");
  auto c = Generate(common_name, alt_names, 3650);
  if (!c) return c;
  std::error_code ec;
  fs::create_directories(fs::path(cert_path).parent_path(), ec);
  fs::create_directories(fs::path(key_path).parent_path(), ec);
  {
    // Create the key file private from the start, not chmod'ed afterwards.
    mode_t old = umask(077);
    std::ofstream key_out(key_path, std::ios::binary | std::ios::trunc);
    umask(old);
    key_out << c->KeyPem();
    if (!key_out) return MakeError(ErrorKind::kInternal, "cannot write " + key_path);
  }
  std::ofstream cert_out(cert_path, std::ios::binary | std::ios::trunc);
  cert_out << c->CertPem();
  if (!cert_out) return MakeError(ErrorKind::kInternal, "cannot write " + cert_path);
  return c;
}

std::string Certificate::CertPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert_.get());
  return BioToString(bio.get());
}

std::string Certificate::KeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return BioToString(bio.get());
}

int64_t Certificate::NotAfter() const {
  std::tm tm{};
  const ASN1_TIME* t = cert_ ? X509_get0_notAfter(cert_.get()) : nullptr;
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

std::string Certificate::FingerprintOf(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!cert || X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    if (i) out += ':';
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

}  // namespace mcu::media
