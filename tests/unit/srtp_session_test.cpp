// Specs of media/srtp_session.h with fixed keys (the DTLS-keyed case is in dtls_test.cpp).
#include "media/srtp_session.h"

#include <gtest/gtest.h>

#include <vector>

#include "media/rtp.h"

namespace mcu::media {
namespace {

std::vector<uint8_t> Material(uint8_t seed, size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

// Two ends of one SRTP association: what one sends with `local` the other receives as `remote`.
std::pair<SrtpKeys, SrtpKeys> KeyPair(SrtpProfile profile) {
  size_t n = SrtpKeyLength(profile);
  SrtpKeys a{profile, Material(1, n), Material(100, n)};
  SrtpKeys b{profile, a.remote, a.local};
  return {a, b};
}

std::vector<uint8_t> RtpPacket(uint16_t seq, size_t payload = 160) {
  std::vector<uint8_t> p = {0x80, 111, 0, 0, 0, 0, 0x03, 0xC0, 0xCA, 0xFE, 0xBA, 0xBE};
  rtp::SetSequence(p, seq);
  for (size_t i = 0; i < payload; ++i) p.push_back(static_cast<uint8_t>(seq + i));
  return p;
}

class SrtpSessionProfiles : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(SrtpSessionProfiles, ProtectedRtpUnprotectsToTheSameBytesOnTheOtherSide) {
  auto [ka, kb] = KeyPair(GetParam());
  SrtpSession a, b;
  ASSERT_TRUE(a.Init(ka).ok());
  ASSERT_TRUE(b.Init(kb).ok());
  for (uint16_t seq = 65530; seq != 10; ++seq) {  // Across the sequence wrap (ROC).
    auto plain = RtpPacket(seq);
    auto packet = plain;
    ASSERT_TRUE(a.ProtectRtp(packet)) << seq;
    EXPECT_GT(packet.size(), plain.size());
    size_t len = packet.size();
    ASSERT_TRUE(b.UnprotectRtp(packet.data(), len)) << seq;
    packet.resize(len);
    EXPECT_EQ(packet, plain) << seq;
  }
}

TEST_P(SrtpSessionProfiles, TamperedReplayedOrMisdirectedPacketsAreRefused) {
  auto [ka, kb] = KeyPair(GetParam());
  SrtpSession a, b;
  ASSERT_TRUE(a.Init(ka).ok());
  ASSERT_TRUE(b.Init(kb).ok());

  auto packet = RtpPacket(1);
  ASSERT_TRUE(a.ProtectRtp(packet));
  const auto wire = packet;

  for (size_t at : {size_t(2), size_t(8), size_t(40), wire.size() - 1}) {  // Header, body, tag.
    auto bad = wire;
    bad[at] ^= 0x80;
    size_t len = bad.size();
    EXPECT_FALSE(b.UnprotectRtp(bad.data(), len)) << "flip at " << at;
  }
  auto truncated = wire;
  size_t tlen = truncated.size() - 4;
  EXPECT_FALSE(b.UnprotectRtp(truncated.data(), tlen));

  // A packet we sent ourselves is not decryptable with our inbound keys.
  auto own = wire;
  size_t olen = own.size();
  EXPECT_FALSE(a.UnprotectRtp(own.data(), olen));

  auto good = wire;
  size_t glen = good.size();
  ASSERT_TRUE(b.UnprotectRtp(good.data(), glen));
  auto replay = wire;
  size_t rlen = replay.size();
  EXPECT_FALSE(b.UnprotectRtp(replay.data(), rlen));  // Replay window.
}

TEST_P(SrtpSessionProfiles, RtcpRoundTrips) {
  auto [ka, kb] = KeyPair(GetParam());
  SrtpSession a, b;
  ASSERT_TRUE(a.Init(ka).ok());
  ASSERT_TRUE(b.Init(kb).ok());
  rtp::ReceiverReport rr;
  rr.ssrc = 0xCAFEBABE;
  rr.blocks.push_back({});
  rr.blocks[0].ssrc = 0x12345678;
  rr.blocks[0].cumulative_lost = 9;
  std::vector<uint8_t> packet;
  rtp::WriteReceiverReport(rr, packet);
  const auto plain = packet;
  ASSERT_TRUE(b.ProtectRtcp(packet));
  EXPECT_GT(packet.size(), plain.size() + 4);  // SRTCP index and tag.
  size_t len = packet.size();
  ASSERT_TRUE(a.UnprotectRtcp(packet.data(), len));
  packet.resize(len);
  EXPECT_EQ(packet, plain);

  auto again = plain;
  ASSERT_TRUE(b.ProtectRtcp(again));
  again[again.size() - 1] ^= 1;
  size_t alen = again.size();
  EXPECT_FALSE(a.UnprotectRtcp(again.data(), alen));
}

// The first and third are what DTLS-SRTP negotiates; SDES (SIP legs) may key all four.
INSTANTIATE_TEST_SUITE_P(AllProfiles, SrtpSessionProfiles,
                         ::testing::Values(SrtpProfile::kAeadAes128Gcm,
                                           SrtpProfile::kAes128CmSha1_80,
                                           SrtpProfile::kAes128CmSha1_32,
                                           SrtpProfile::kAeadAes256Gcm),
                         [](const auto& info) {
                           std::string name(ToString(info.param));
                           std::erase(name, '_');
                           return name;
                         });

TEST(SrtpSession, AesCm32AddsAThirtyTwoBitTagToRtpAndEightyToRtcp) {
  auto [ka, kb] = KeyPair(SrtpProfile::kAes128CmSha1_32);
  SrtpSession a;
  ASSERT_TRUE(a.Init(ka).ok());
  auto packet = RtpPacket(1);
  size_t before = packet.size();
  ASSERT_TRUE(a.ProtectRtp(packet));
  EXPECT_EQ(packet.size(), before + 4);
  std::vector<uint8_t> rtcp;
  rtp::WriteReceiverReport({1234, {}}, rtcp);
  before = rtcp.size();
  ASSERT_TRUE(a.ProtectRtcp(rtcp));
  EXPECT_EQ(rtcp.size(), before + 4 + 10);  // SRTCP index, then the 80-bit tag.
}

TEST(SrtpSession, AesCmAddsAnEightyBitTag) {
  auto [ka, kb] = KeyPair(SrtpProfile::kAes128CmSha1_80);
  SrtpSession a;
  ASSERT_TRUE(a.Init(ka).ok());
  auto packet = RtpPacket(1);
  size_t before = packet.size();
  ASSERT_TRUE(a.ProtectRtp(packet));
  EXPECT_EQ(packet.size(), before + 10);
}

TEST(SrtpSession, RefusesKeysOfTheWrongLengthOrNoProfile) {
  SrtpSession s;
  EXPECT_FALSE(s.Init(SrtpKeys{}).ok());
  EXPECT_FALSE(s.ready());
  EXPECT_FALSE(s.Init({SrtpProfile::kAeadAes128Gcm, Material(0, 30), Material(0, 30)}).ok());
  EXPECT_FALSE(s.Init({SrtpProfile::kAes128CmSha1_80, Material(0, 28), Material(0, 28)}).ok());
  EXPECT_FALSE(s.Init({SrtpProfile::kAes128CmSha1_80, Material(0, 30), Material(0, 29)}).ok());
  EXPECT_FALSE(s.ready());
}

}  // namespace
}  // namespace mcu::media
