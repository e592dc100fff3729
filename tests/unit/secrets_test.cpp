// Specs of mcu/secrets.h: token hashing, constant-time matching, token generation.
#include "mcu/secrets.h"

#include <gtest/gtest.h>
// The legacy RAND_METHOD hook is the one way to make OpenSSL's RNG fail on purpose.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/rand.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <regex>
#include <set>

namespace mcu {
namespace {

TEST(Secrets, Sha256HexMatchesKnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Secrets, HashTokenIsPrefixedLowerCaseSha256) {
  EXPECT_EQ(HashToken("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(std::regex_match(HashToken("any token"), std::regex("^sha256:[0-9a-f]{64}$")));
}

TEST(Secrets, TokenMatchesOnlyItsOwnHash) {
  std::string stored = HashToken("correct horse battery staple");
  EXPECT_TRUE(TokenMatches("correct horse battery staple", stored));
  EXPECT_FALSE(TokenMatches("correct horse battery stapl", stored));
  EXPECT_FALSE(TokenMatches("", stored));
  EXPECT_FALSE(TokenMatches("correct horse battery staple", ""));
  EXPECT_FALSE(TokenMatches("correct horse battery staple", stored.substr(0, stored.size() - 1)));
  EXPECT_FALSE(TokenMatches("correct horse battery staple", stored + "0"));
  // The stored hash is compared, not re-derived: a plaintext token in the config never matches.
  EXPECT_FALSE(TokenMatches("abc", "abc"));
  std::string upper = stored;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(TokenMatches("correct horse battery staple", upper));
}

TEST(Secrets, NewTokensAreUrlSafeAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string t = NewToken();
    EXPECT_EQ(t.size(), 32u);  // 24 random bytes in base64.
    EXPECT_TRUE(std::regex_match(t, std::regex("^[A-Za-z0-9_-]{32}$"))) << t;
    EXPECT_TRUE(seen.insert(t).second) << "repeated token " << t;
    EXPECT_TRUE(TokenMatches(t, HashToken(t)));
  }
}

// With a failing RNG no token is made from whatever bytes were on the stack: the process ends,
// saying why.
TEST(SecretsDeathTest, AFailingRandomNumberGeneratorEndsTheProcessInsteadOfAGuessableToken) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        spdlog::set_default_logger(spdlog::stderr_logger_st("death"));
        static RAND_METHOD failing{};
        failing.bytes = [](unsigned char*, int) { return 0; };
        failing.status = [] { return 0; };
        RAND_set_rand_method(&failing);
        (void)NewToken();
      },
      "random number generator failed");
}

}  // namespace
}  // namespace mcu

namespace mcu {
namespace {

TEST(Secrets, PasswordsAreArgon2idWithARandomSalt) {
  std::string a = HashPassword("mật khẩu đúng");
  std::string b = HashPassword("mật khẩu đúng");
  EXPECT_EQ(a.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << a;
  EXPECT_NE(a, b) << "same password, different salts";
  EXPECT_TRUE(VerifyPassword("mật khẩu đúng", a));
  EXPECT_FALSE(VerifyPassword("mật khẩu sai", a));
  EXPECT_FALSE(VerifyPassword("", a));
  EXPECT_FALSE(VerifyPassword("x", "sha256:abc")) << "not an Argon2id hash";
  EXPECT_FALSE(VerifyPassword("x", "$argon2id$garbage"));
}

}  // namespace
}  // namespace mcu
