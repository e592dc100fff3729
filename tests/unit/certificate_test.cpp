// Specs of media/certificate.h: generation, PEM round trips, fingerprints, and the on-disk store.
#include "media/certificate.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <regex>

#include "media/sdp.h"
#include "test_util.h"

namespace mcu::media {
namespace {

namespace fs = std::filesystem;

TEST(Certificate, GeneratesAnEcdsaP256CertificateWithSha256Fingerprint) {
  auto c = Certificate::Generate("mcu-test", {"DNS:localhost", "IP:127.0.0.1"}, 30);
  ASSERT_TRUE(c.ok()) << c.error();
  ASSERT_NE(c->x509(), nullptr);
  ASSERT_NE(c->key(), nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(c->key()), EVP_PKEY_EC);
  EXPECT_EQ(EVP_PKEY_get_bits(c->key()), 256);
  std::string fp = c->Fingerprint();
  EXPECT_TRUE(std::regex_match(fp, std::regex("^([0-9A-F]{2}:){31}[0-9A-F]{2}$"))) << fp;
  // The form the SDP code uses, so that SDP and DTLS compare equal strings.
  EXPECT_EQ(sdp::NormalizeFingerprint(fp), fp);
  // Self-signed: subject is issuer, and the signature verifies with its own key.
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(c->x509()), X509_get_issuer_name(c->x509())), 0);
  EXPECT_EQ(X509_verify(c->x509(), c->key()), 1);
  EXPECT_GE(X509_get_ext_by_NID(c->x509(), NID_subject_alt_name, -1), 0);
}

TEST(Certificate, EachGenerationHasItsOwnKeyAndFingerprint) {
  auto a = Certificate::Generate("a", {}, 1);
  auto b = Certificate::Generate("a", {}, 1);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->Fingerprint(), b->Fingerprint());
  EXPECT_NE(a->KeyPem(), b->KeyPem());
}

TEST(Certificate, RejectsAnInvalidSubjectAltName) {
  auto c = Certificate::Generate("x", {"NOT-A-TYPE:foo"}, 1);
  EXPECT_FALSE(c.ok());
}

TEST(Certificate, RoundTripsThroughPem) {
  auto c = Certificate::Generate("pem", {"DNS:localhost"}, 1);
  ASSERT_TRUE(c.ok());
  std::string cert_pem = c->CertPem(), key_pem = c->KeyPem();
  EXPECT_EQ(cert_pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_EQ(key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  auto back = Certificate::FromPem(cert_pem, key_pem);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->Fingerprint(), c->Fingerprint());
  EXPECT_EQ(Certificate::FingerprintOf(back->x509()), c->Fingerprint());
}

TEST(Certificate, FromPemRefusesGarbageAndMismatchedKeys) {
  auto a = Certificate::Generate("a", {}, 1);
  auto b = Certificate::Generate("b", {}, 1);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(Certificate::FromPem("", a->KeyPem()).ok());
  EXPECT_FALSE(Certificate::FromPem("not pem", a->KeyPem()).ok());
  EXPECT_FALSE(Certificate::FromPem(a->CertPem(), "not pem").ok());
  auto mismatch = Certificate::FromPem(a->CertPem(), b->KeyPem());
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().find("does not match"), std::string::npos) << mismatch.error();
}

TEST(Certificate, FingerprintOfNullIsEmpty) { EXPECT_EQ(Certificate::FingerprintOf(nullptr), ""); }

TEST(CertificateLoadOrCreate, CreatesPrivateKeyFileAndReloadsTheSameIdentity) {
  test::TempDir dir;
  fs::path cert = dir.path() / "certs" / "dtls.crt";  // The directory does not exist yet.
  fs::path key = dir.path() / "certs" / "dtls.key";
  auto first = Certificate::LoadOrCreate(cert.string(), key.string(), "mcu", {"DNS:localhost"});
  ASSERT_TRUE(first.ok()) << first.error();
  ASSERT_TRUE(fs::exists(cert));
  ASSERT_TRUE(fs::exists(key));

  struct stat st {};
  ASSERT_EQ(stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600) << std::oct << (st.st_mode & 0777);
  EXPECT_NE(test::ReadFile(cert).find("BEGIN CERTIFICATE"), std::string::npos);

  auto second = Certificate::LoadOrCreate(cert.string(), key.string(), "ignored", {});
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second->Fingerprint(), first->Fingerprint());
  EXPECT_EQ(second->KeyPem(), first->KeyPem());
}

TEST(CertificateLoadOrCreate, RefusesWhenOnlyOneOfTheFilesExists) {
  test::TempDir dir;
  fs::path cert = dir.path() / "c.pem", key = dir.path() / "k.pem";
  ASSERT_TRUE(Certificate::LoadOrCreate(cert.string(), key.string(), "mcu", {}).ok());
  fs::remove(key);
  auto r = Certificate::LoadOrCreate(cert.string(), key.string(), "mcu", {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("only one"), std::string::npos) << r.error();
  EXPECT_FALSE(fs::exists(key));  // Nothing was regenerated behind our back.
}

TEST(CertificateLoadOrCreate, RefusesCorruptFiles) {
  test::TempDir dir;
  fs::path cert = dir.path() / "c.pem", key = dir.path() / "k.pem";
  ASSERT_TRUE(test::WriteFile(cert, "garbage"));
  ASSERT_TRUE(test::WriteFile(key, "garbage"));
  EXPECT_FALSE(Certificate::LoadOrCreate(cert.string(), key.string(), "mcu", {}).ok());
}

}  // namespace
}  // namespace mcu::media
