// The deployment's certificates: ECDSA P-256, self-signed, created on first start and kept in the
// data directory. One serves HTTPS/WSS, one serves DTLS; both are identified by their SHA-256
// fingerprint, which endpoints pin.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "mcu/expected.h"

namespace mcu::media {

struct OpenSslDeleter {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter>;
using PKeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter>;

class Certificate {
 public:
  // Generates a new key pair and a self-signed certificate valid for `days` days, naming
  // `common_name` and the given subjectAltNames ("DNS:localhost", "IP:127.0.0.1").
  static Expected<Certificate> Generate(const std::string& common_name,
                                        const std::vector<std::string>& alt_names, int days);
  // Loads cert_path/key_path; if both are absent, generates and saves them (key mode 0600).
  static Expected<Certificate> LoadOrCreate(const std::string& cert_path,
                                            const std::string& key_path,
                                            const std::string& common_name,
                                            const std::vector<std::string>& alt_names);
  static Expected<Certificate> FromPem(const std::string& cert_pem, const std::string& key_pem);

  X509* x509() const { return cert_.get(); }
  EVP_PKEY* key() const { return key_.get(); }
  std::string CertPem() const;
  std::string KeyPem() const;
  // "AB:CD:..." SHA-256 of the DER certificate.
  std::string Fingerprint() const { return FingerprintOf(cert_.get()); }
  static std::string FingerprintOf(X509* cert);
  // The end of its validity, Unix seconds (0 if unreadable).
  int64_t NotAfter() const;

 private:
  X509Ptr cert_;
  PKeyPtr key_;
};

}  // namespace mcu::media
