// Specs of mcu/cascade.h: what a cascade link's target must hold, and how it redials.
#include "mcu/cascade.h"

#include <gtest/gtest.h>

namespace mcu {
namespace {

const std::string kPin =
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:"
    "89";

LinkTarget Good() { return {"wss://mcu-tw.local:8443/ws", "toan-quoc", "s3cret", kPin, 1500}; }

void ExpectRefused(const LinkTarget& t, const std::string& part) {
  auto r = ValidateLinkTarget(t);
  ASSERT_FALSE(r.ok()) << t.url;
  EXPECT_NE(r.error().find(part), std::string::npos) << r.error();
  EXPECT_EQ(r.error().find(t.credential.empty() ? "\x01" : t.credential), std::string::npos)
      << "the error repeats the credential";
}

TEST(LinkTarget, ACompleteTargetIsAcceptedAndItsPinNormalised) {
  auto pin = ValidateLinkTarget(Good());
  ASSERT_TRUE(pin.ok()) << pin.error();
  EXPECT_EQ(*pin, kPin);
  LinkTarget lower = Good();
  lower.fingerprint = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
  ASSERT_TRUE(ValidateLinkTarget(lower).ok());
  EXPECT_EQ(*ValidateLinkTarget(lower), kPin) << "colons and case are the TLS client's form";
  LinkTarget called = Good();
  called.conference.clear();  // Waits to be called in.
  EXPECT_TRUE(ValidateLinkTarget(called).ok());
  EXPECT_TRUE(ValidateLinkTarget({"wss://10.0.0.1/ws", "", "x", kPin, 100}).ok());
}

TEST(LinkTarget, OnlyWssWithACredentialAndAPinnedCertificate) {
  LinkTarget t = Good();
  t.url = "https://mcu-tw.local:8443/ws";
  ExpectRefused(t, "wss://");
  t.url = "ws://mcu-tw.local:8443/ws";
  ExpectRefused(t, "wss://");
  t = Good();
  t.credential.clear();
  ExpectRefused(t, "credential");
  t = Good();
  t.fingerprint.clear();
  ExpectRefused(t, "fingerprint");
  t.fingerprint = kPin.substr(3);  // 31 bytes
  ExpectRefused(t, "fingerprint");
  t.fingerprint = std::string(64, 'g');
  ExpectRefused(t, "fingerprint");
  t = Good();
  t.conference = "Toàn quốc";
  ExpectRefused(t, "conference");
  t = Good();
  t.max_kbps = 50;
  ExpectRefused(t, "bitrate");
}

TEST(Backoff, DoublesFromHalfASecondUpToTenWithAQuarterOfJitter) {
  Backoff b;
  EXPECT_EQ(b.Next(0), 500);
  EXPECT_EQ(b.Next(0), 1000);
  EXPECT_EQ(b.Next(0), 2000);
  EXPECT_EQ(b.Next(0), 4000);
  EXPECT_EQ(b.Next(0), 8000);
  EXPECT_EQ(b.Next(0), 10000);
  EXPECT_EQ(b.Next(0), 10000);
  int most = b.Next(2500);  // The jitter is at most a quarter.
  EXPECT_EQ(most, 12500);
  b.Reset();
  EXPECT_EQ(b.Next(0), 500);
  EXPECT_EQ(b.Next(125), 1125);
}

}  // namespace
}  // namespace mcu
