// Specs of media/nack.h: the sender's retransmission history and the receiver's NACK generator.
#include "media/nack.h"

#include <gtest/gtest.h>

#include <vector>

namespace mcu::media {
namespace {

using Seqs = std::vector<uint16_t>;

std::vector<uint8_t> Bytes(uint8_t tag, size_t n = 8) { return std::vector<uint8_t>(n, tag); }

// ----- RetransmissionHistory -----------------------------------------------------------------

TEST(RetransmissionHistory, FindsTheExactBytesStored) {
  RetransmissionHistory h(16);
  auto p = Bytes(0xA5, 100);
  h.Store(500, p, 0);
  const auto* found = h.Find(500, 1'000'000, 0);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(*found, p);
  EXPECT_EQ(h.Find(501, 1'000'000, 0), nullptr);  // Never stored.
}

TEST(RetransmissionHistory, EvictsTheOldestWhenFull) {
  RetransmissionHistory h(4);
  for (uint16_t seq = 1; seq <= 5; ++seq) h.Store(seq, Bytes(static_cast<uint8_t>(seq)), 0);
  EXPECT_EQ(h.Find(1, 1'000'000, 0), nullptr);  // Its slot now holds 5.
  for (uint16_t seq = 2; seq <= 5; ++seq) {
    const auto* p = h.Find(seq, 1'000'000, 0);
    ASSERT_NE(p, nullptr) << seq;
    EXPECT_EQ((*p)[0], seq);
  }
}

TEST(RetransmissionHistory, DoesNotConfuseSequencesSharingASlot) {
  RetransmissionHistory h(512);
  h.Store(1000, Bytes(1), 0);
  EXPECT_EQ(h.Find(1000 + 512, 1'000'000, 0), nullptr);
  EXPECT_EQ(h.Find(1000 - 512, 1'000'000, 0), nullptr);
  EXPECT_NE(h.Find(1000, 1'000'000, 0), nullptr);
}

TEST(RetransmissionHistory, ThrottlesResendsOfTheSamePacket) {
  RetransmissionHistory h(16);
  h.Store(7, Bytes(7), /*now_us=*/0);
  const int64_t kMin = 20'000;
  EXPECT_EQ(h.Find(7, 10'000, kMin), nullptr);  // Sent 10 ms ago: too soon.
  EXPECT_NE(h.Find(7, 20'000, kMin), nullptr);  // 20 ms: resend.
  EXPECT_EQ(h.Find(7, 30'000, kMin), nullptr);  // Resent 10 ms ago.
  EXPECT_EQ(h.Find(7, 39'999, kMin), nullptr);
  EXPECT_NE(h.Find(7, 40'000, kMin), nullptr);
  // Storing again (a new send) restarts the throttle.
  h.Store(7, Bytes(8), 100'000);
  EXPECT_EQ(h.Find(7, 110'000, kMin), nullptr);
  const auto* p = h.Find(7, 120'000, kMin);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ((*p)[0], 8);
}

// ----- NackGenerator -------------------------------------------------------------------------

NackGenerator::Options Opts(int retries = 3, int64_t interval_us = 40'000, size_t max = 250) {
  NackGenerator::Options o;
  o.max_retries = retries;
  o.retry_interval_us = interval_us;
  o.max_missing = max;
  return o;
}

TEST(NackGenerator, InOrderStreamHasNothingToRequest) {
  NackGenerator g(Opts());
  for (uint16_t seq = 10; seq < 100; ++seq) EXPECT_FALSE(g.OnPacket(seq));
  EXPECT_EQ(g.missing(), 0u);
  EXPECT_TRUE(g.Collect(0).empty());
  EXPECT_FALSE(g.TakeKeyframeNeeded());
}

TEST(NackGenerator, RequestsEveryGapAtOnce) {
  NackGenerator g(Opts());
  g.OnPacket(10);
  EXPECT_FALSE(g.OnPacket(14));
  g.OnPacket(15);
  g.OnPacket(17);
  EXPECT_EQ(g.missing(), 4u);
  EXPECT_EQ(g.Collect(1'000), (Seqs{11, 12, 13, 16}));
}

TEST(NackGenerator, RetriesAtTheIntervalUpToMaxRetries) {
  NackGenerator g(Opts(3, 40'000));
  g.OnPacket(1);
  g.OnPacket(3);
  EXPECT_EQ(g.Collect(0), (Seqs{2}));      // First request.
  EXPECT_TRUE(g.Collect(10'000).empty());  // Too soon.
  EXPECT_TRUE(g.Collect(39'999).empty());
  EXPECT_EQ(g.Collect(40'000), (Seqs{2}));  // Retry 1.
  EXPECT_EQ(g.Collect(80'000), (Seqs{2}));  // Retry 2 (third request).
  EXPECT_TRUE(g.Collect(120'000).empty());  // max_retries reached: given up.
  EXPECT_EQ(g.missing(), 0u);
  EXPECT_TRUE(g.Collect(1'000'000).empty());
}

TEST(NackGenerator, HonoursAChangedRetryInterval) {
  NackGenerator g(Opts(5, 40'000));
  g.OnPacket(1);
  g.OnPacket(3);
  EXPECT_EQ(g.Collect(0), (Seqs{2}));
  g.set_retry_interval_us(100'000);  // The RTT grew.
  EXPECT_TRUE(g.Collect(50'000).empty());
  EXPECT_EQ(g.Collect(100'000), (Seqs{2}));
}

TEST(NackGenerator, RecoveredPacketsAreForgotten) {
  NackGenerator g(Opts());
  g.OnPacket(100);
  g.OnPacket(105);
  EXPECT_EQ(g.Collect(0), (Seqs{101, 102, 103, 104}));
  EXPECT_TRUE(g.OnPacket(102));  // Retransmission of a missing packet.
  EXPECT_TRUE(g.OnPacket(104));
  EXPECT_FALSE(g.OnPacket(102));  // Duplicate of a recovered one: not missing any more.
  EXPECT_FALSE(g.OnPacket(105));  // Duplicate of the newest.
  EXPECT_FALSE(g.OnPacket(99));   // Older than anything tracked, never missing.
  EXPECT_EQ(g.missing(), 2u);
  EXPECT_EQ(g.Collect(40'000), (Seqs{101, 103}));
}

TEST(NackGenerator, HandlesTheSequenceWrap) {
  NackGenerator g(Opts());
  g.OnPacket(65533);
  g.OnPacket(65534);
  g.OnPacket(2);  // 65535, 0, 1 missing.
  EXPECT_EQ(g.missing(), 3u);
  EXPECT_EQ(g.Collect(0), (Seqs{65535, 0, 1}));  // In sequence order, across the wrap.
  EXPECT_TRUE(g.OnPacket(0));
  EXPECT_TRUE(g.OnPacket(65535));
  EXPECT_EQ(g.Collect(40'000), (Seqs{1}));
  g.OnPacket(4);  // 3 missing.
  EXPECT_EQ(g.Collect(40'001), (Seqs{3}));
}

TEST(NackGenerator, ForgetsWhatFallsTooFarBehind) {
  NackGenerator g(Opts(100, 1'000'000, 250));
  g.OnPacket(0);
  g.OnPacket(2);  // 1 missing, never recovered, never collected.
  for (uint16_t seq = 3; seq <= 1001; ++seq) g.OnPacket(seq);
  EXPECT_EQ(g.missing(), 1u);  // 1000 behind: still kept.
  g.OnPacket(1002);
  EXPECT_EQ(g.missing(), 0u);  // More than 1000 behind: dropped.
  EXPECT_FALSE(g.OnPacket(1));
}

TEST(NackGenerator, AsksForAKeyframeAfterTooManyMissing) {
  NackGenerator g(Opts(3, 40'000, 250));
  g.OnPacket(0);
  g.OnPacket(251);  // 250 missing: still worth NACKing.
  EXPECT_EQ(g.missing(), 250u);
  EXPECT_FALSE(g.TakeKeyframeNeeded());
  g.OnPacket(253);  // 251 missing.
  EXPECT_EQ(g.missing(), 0u);
  EXPECT_TRUE(g.Collect(0).empty());
  EXPECT_TRUE(g.TakeKeyframeNeeded());
  EXPECT_FALSE(g.TakeKeyframeNeeded());  // Once.
  // The stream goes on normally afterwards.
  g.OnPacket(255);
  EXPECT_EQ(g.Collect(0), (Seqs{254}));
}

TEST(NackGenerator, AHugeJumpAlsoNeedsAKeyframe) {
  NackGenerator g(Opts());
  g.OnPacket(1000);
  g.OnPacket(1000 + 20000);
  EXPECT_TRUE(g.TakeKeyframeNeeded());
  EXPECT_EQ(g.missing(), 0u);
}

TEST(NackGenerator, HugeJumpsFromAHostileSenderCostNoBookkeeping) {
  // seq += 32767 every packet: each jump skips 32766 numbers. None is ever put on the list.
  NackGenerator g(Opts());
  uint16_t seq = 7;
  g.OnPacket(seq);
  for (int i = 0; i < 10'000; ++i) g.OnPacket(seq += 32767);
  EXPECT_EQ(g.tracked(), 0u);
  EXPECT_EQ(g.missing(), 0u);
  EXPECT_TRUE(g.TakeKeyframeNeeded());
  // Gaps that together pass the limit: what is tracked stays within max_missing per packet.
  NackGenerator h(Opts(3, 40'000, 250));
  seq = 0;
  h.OnPacket(seq);
  for (int i = 0; i < 1000; ++i) {
    h.OnPacket(seq += 200);  // 199 missing, then 398 > 250: cleared before inserting.
    EXPECT_LE(h.missing(), 250u);
  }
  EXPECT_EQ(h.tracked(), 500u * 199);  // Every other packet: the one after is cleared.
}

}  // namespace
}  // namespace mcu::media
