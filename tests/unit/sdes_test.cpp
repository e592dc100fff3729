// Specs of media/sdes.h with crypto lines shaped like those room systems and vendor MCUs send.
#include "media/sdes.h"

#include <gtest/gtest.h>

namespace mcu::media::sdes {
namespace {

const std::string kKey30 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";  // Bytes 0..29.
const std::string kKey28 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==";  // Bytes 0..27.

std::string Bytes(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(i));
  return s;
}

TEST(Sdes, ReadsALineWithOrWithoutItsLifetime) {
  auto c = ParseCrypto("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + "|2^31");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->tag, 1);
  EXPECT_EQ(c->suite, Suite::kAesCm128HmacSha1_80);
  EXPECT_EQ(c->key_salt, Bytes(30));
  c = ParseCrypto("crypto:7 AEAD_AES_128_GCM inline:" + kKey28);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->tag, 7);
  EXPECT_EQ(c->suite, Suite::kAeadAes128Gcm);
  EXPECT_EQ(c->key_salt, Bytes(28));
  EXPECT_TRUE(ParseCrypto("crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + "|2147483648"));
}

TEST(Sdes, RefusesWhatItCouldNotHonourRatherThanFailToDecryptLater) {
  auto refused = [](const std::string& line, const std::string& why) {
    auto c = ParseCrypto(line);
    ASSERT_FALSE(c) << line;
    EXPECT_NE(c.error().find(why), std::string::npos) << line << " -> " << c.error();
  };
  refused("crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + "|2^20|1:4", "MKI");
  refused("crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + "|1:4", "MKI");
  refused("crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + "|2^20", "lifetime");
  refused("crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + " UNENCRYPTED_SRTCP",
          "session parameters");
  refused("crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + ";inline:" + kKey30,
          "several keys");
  refused("crypto:1 F8_128_HMAC_SHA1_80 inline:" + kKey30, "unsupported suite");
  refused("crypto:1 AEAD_AES_256_GCM inline:" + kKey30, "must be 44 bytes");
  refused("crypto:1 AES_CM_128_HMAC_SHA1_80 inline:not*base64!", "base64");
  refused("crypto:x AES_CM_128_HMAC_SHA1_80 inline:" + kKey30, "tag");
  refused("crypto:1 AES_CM_128_HMAC_SHA1_80", "needs a tag, a suite and a key");
  refused("crypto:1 AES_CM_128_HMAC_SHA1_80 uri:https://example/key", "inline");
  refused("fingerprint:sha-256 AB", "not a crypto attribute");
}

TEST(Sdes, ChoosesTheMostPreferredAcceptableLineWhateverTheOffersOrder) {
  // Cisco-style: several suites, the strongest-looking first; one line with an MKI.
  const std::vector<std::string> offer = {
      "rtcp-mux",
      "crypto:1 AEAD_AES_256_GCM inline:" + kKey28 + "AAAAAAAAAAAAAAAA",  // 40 bytes: refused.
      "crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" + kKey30,
      "crypto:3 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + "|2^31|1:1",
      "crypto:4 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + "|2^31",
  };
  auto c = Choose(offer);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->tag, 4) << "SHA1_80 first; the line with an MKI is skipped";
  auto only_refused = Choose({"crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30 + "|2^10"});
  ASSERT_FALSE(only_refused);
  EXPECT_NE(only_refused.error().find("lifetime"), std::string::npos) << only_refused.error();
  EXPECT_EQ(Choose({"rtcp-mux", "sendrecv"}).error(), "no crypto line");
}

TEST(Sdes, AGivenPreferenceOrdersTheLinesAndRefusesSuitesOutsideIt) {
  const std::vector<std::string> offer = {
      "crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + kKey30,
      "crypto:2 AEAD_AES_128_GCM inline:" + kKey28,
  };
  EXPECT_EQ(Choose(offer)->tag, 1);
  auto c = Choose(offer, kStrongestFirst);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->tag, 2);
  auto refused = Choose({"crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" + kKey30}, kStrongestFirst);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("AES_CM_128_HMAC_SHA1_32 is not accepted"), std::string::npos)
      << refused.error();
}

TEST(Sdes, WritesWhatItReads) {
  Crypto c{3, Suite::kAeadAes256Gcm, Bytes(44)};
  std::string line = Write(c);
  EXPECT_EQ(line.rfind("crypto:3 AEAD_AES_256_GCM inline:", 0), 0u) << line;
  auto back = ParseCrypto(line);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->tag, 3);
  EXPECT_EQ(back->suite, Suite::kAeadAes256Gcm);
  EXPECT_EQ(back->key_salt, c.key_salt);
}

}  // namespace
}  // namespace mcu::media::sdes
