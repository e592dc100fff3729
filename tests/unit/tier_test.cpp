// Specs of media/tier.h: tier choice from the declared bandwidth, loss hysteresis, and RTP
// continuity across tier switches.
#include "media/tier.h"

#include <gtest/gtest.h>

namespace mcu::media {
namespace {

constexpr int64_t kSec = 1'000'000;
constexpr int64_t kMs = 1'000;

TEST(TierDefaults, HighestFirst) {
  std::vector<Tier> t = DefaultTiers();
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].width, 1280);
  EXPECT_EQ(t[0].height, 720);
  EXPECT_EQ(t[0].bitrate_kbps, 1500);
  EXPECT_EQ(t[1].width, 640);
  EXPECT_EQ(t[1].height, 360);
  EXPECT_EQ(t[1].bitrate_kbps, 600);
}

TEST(TierDefaults, TheCompositeAddsH264TiersForSipRoomsThatWebRtcSitesNeverChoose) {
  std::vector<Tier> all = CompositeTiers();
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(TiersOf(all, VideoCodec::kVp8), (std::vector<int>{0, 1}));
  EXPECT_EQ(TiersOf(all, VideoCodec::kH264), (std::vector<int>{2, 3}));
  // Old room systems that take only single NAL units have a tier of their own.
  EXPECT_EQ(TiersOf(all, VideoCodec::kH264, 0), (std::vector<int>{4}));
  EXPECT_EQ(all[4].packetization_mode, 0);
  EXPECT_EQ(all[4].width, 640);
  EXPECT_EQ(all[2].packetization_mode, 1);
  EXPECT_EQ(all[2].width, 1280);
  EXPECT_EQ(all[2].height, 720);
  EXPECT_EQ(all[3].width, 640);
  EXPECT_EQ(all[3].height, 360);
  EXPECT_EQ(all[3].bitrate_kbps, 600);
}

TEST(TierSelector, ARoomThatDecodesLessThan720pGets360p) {
  std::vector<Tier> all = CompositeTiers();
  TierSelector h264({all[2], all[3]});
  // Level 3.1 (42e01f): 3600 macroblocks a frame, 108000 a second: 720p30 fits.
  EXPECT_EQ(h264.Choose(0, 3600, 108000), 0);
  // Level 3.0 (42e01e): 1620 and 40500: 720p does not, 360p30 (920, 27600) does.
  EXPECT_EQ(h264.Choose(0, 1620, 40500), 1);
  // 720p frames but not at 30 fps (max-mbps 54000): 360p.
  EXPECT_EQ(h264.Choose(0, 3600, 54000), 1);
  // b=AS:1024 on a level 4 room: the bandwidth decides.
  EXPECT_EQ(h264.Choose(1024, 8192, 245760), 1);
  // Smaller than anything: the lowest, as with bandwidth.
  EXPECT_EQ(h264.Choose(0, 99, 1485), 1);
  EXPECT_EQ(h264.Choose(0, 0, 0), 0) << "no limit stated";
}

TEST(TierSelector, ChoosesTheHighestTierThatFitsTheDeclaredBandwidth) {
  TierSelector s(DefaultTiers());
  EXPECT_EQ(s.Choose(0), 0);  // Unknown.
  EXPECT_EQ(s.Choose(4000), 0);
  EXPECT_EQ(s.Choose(1500), 0);
  EXPECT_EQ(s.Choose(1499), 1);
  EXPECT_EQ(s.Choose(600), 1);
  EXPECT_EQ(s.Choose(128), 1);  // Below every tier: the lowest.
  EXPECT_EQ(s.current(), 1);

  TierSelector three({{1280, 720, 1500}, {640, 360, 600}, {320, 180, 200}});
  EXPECT_EQ(three.Choose(700), 1);
  EXPECT_EQ(three.Choose(200), 2);
  EXPECT_EQ(three.Choose(50), 2);
}

TEST(TierSelector, GoesDownAfterTwoConsecutiveLossyReports) {
  TierSelector s(DefaultTiers());
  s.Choose(0);
  EXPECT_EQ(s.OnReceiverReport(0.20, 0 * kSec), 0);
  EXPECT_EQ(s.OnReceiverReport(0.20, 1 * kSec), 1);
  EXPECT_EQ(s.OnReceiverReport(0.50, 2 * kSec), 1);  // Already the lowest.
  EXPECT_EQ(s.OnReceiverReport(0.50, 3 * kSec), 1);
}

TEST(TierSelector, LossyReportsMustBeConsecutive) {
  TierSelector s(DefaultTiers());
  s.Choose(0);
  EXPECT_EQ(s.OnReceiverReport(0.20, 0 * kSec), 0);
  EXPECT_EQ(s.OnReceiverReport(0.05, 1 * kSec), 0);
  EXPECT_EQ(s.OnReceiverReport(0.20, 2 * kSec), 0);
  EXPECT_EQ(s.OnReceiverReport(0.10, 3 * kSec), 0);  // Exactly 10% is not lossy.
  EXPECT_EQ(s.OnReceiverReport(0.20, 4 * kSec), 0);
  EXPECT_EQ(s.OnReceiverReport(0.11, 5 * kSec), 1);
}

TEST(TierSelector, EachStepDownNeedsTwoFreshLossyReports) {
  TierSelector s({{1280, 720, 1500}, {640, 360, 600}, {320, 180, 200}});
  s.Choose(0);
  s.OnReceiverReport(0.3, 0 * kSec);
  EXPECT_EQ(s.OnReceiverReport(0.3, 1 * kSec), 1);
  EXPECT_EQ(s.OnReceiverReport(0.3, 2 * kSec), 1);
  EXPECT_EQ(s.OnReceiverReport(0.3, 3 * kSec), 2);
}

TEST(TierSelector, GoesUpOneTierAfterTenCleanSeconds) {
  TierSelector s({{1280, 720, 1500}, {640, 360, 600}, {320, 180, 200}});
  s.Choose(0);
  for (int64_t t : {0, 1, 2, 3}) s.OnReceiverReport(0.3, t * kSec);
  ASSERT_EQ(s.current(), 2);
  // The clean run starts after the last lossy report, at 3 s.
  for (int64_t t = 4; t <= 12; ++t) EXPECT_EQ(s.OnReceiverReport(0.0, t * kSec), 2) << t;
  EXPECT_EQ(s.OnReceiverReport(0.01, 13 * kSec), 1);
  // And another ten seconds for the next tier.
  for (int64_t t = 14; t <= 22; ++t) EXPECT_EQ(s.OnReceiverReport(0.0, t * kSec), 1) << t;
  EXPECT_EQ(s.OnReceiverReport(0.0, 23 * kSec), 0);
  EXPECT_EQ(s.OnReceiverReport(0.0, 40 * kSec), 0);
}

TEST(TierSelector, ModerateLossRestartsTheCleanRun) {
  TierSelector s(DefaultTiers());
  s.Choose(0);
  s.OnReceiverReport(0.2, 0 * kSec);
  ASSERT_EQ(s.OnReceiverReport(0.2, 1 * kSec), 1);
  for (int64_t t = 2; t <= 6; ++t) s.OnReceiverReport(0.0, t * kSec);
  EXPECT_EQ(s.OnReceiverReport(0.02, 7 * kSec), 1);  // Exactly 2% is not clean.
  EXPECT_EQ(s.OnReceiverReport(0.0, 11 * kSec), 1);  // 10 s after the lossy report, 4 s clean.
  EXPECT_EQ(s.OnReceiverReport(0.0, 16 * kSec), 1);
  EXPECT_EQ(s.OnReceiverReport(0.0, 17 * kSec), 0);
}

TEST(TierSelector, NeverGoesAboveTheDeclaredBandwidth) {
  TierSelector s(DefaultTiers());
  EXPECT_EQ(s.Choose(1000), 1);
  for (int64_t t = 0; t <= 60; ++t) EXPECT_EQ(s.OnReceiverReport(0.0, t * kSec), 1) << t;
}

TEST(TierSelector, ChoosingAgainRestartsTheHysteresis) {
  TierSelector s(DefaultTiers());
  s.Choose(0);
  s.OnReceiverReport(0.2, 0);
  EXPECT_EQ(s.Choose(0), 0);
  EXPECT_EQ(s.OnReceiverReport(0.2, 1 * kSec), 0);  // The earlier lossy report is forgotten.
  EXPECT_EQ(s.OnReceiverReport(0.2, 2 * kSec), 1);
}

// ----- RtpRewriter ----------------------------------------------------------------------------

constexpr uint32_t kVideo = 90'000;
constexpr uint32_t kA = 0xA, kB = 0xB;

::testing::AssertionResult Is(RtpRewriter::Out out, uint16_t seq, uint32_t ts) {
  if (out.sequence == seq && out.timestamp == ts) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got seq " << out.sequence << " ts " << out.timestamp
                                       << ", want seq " << seq << " ts " << ts;
}

TEST(RtpRewriter, TheFirstSourcePassesThroughUnchanged) {
  RtpRewriter r;
  EXPECT_TRUE(Is(r.Rewrite(kA, 1000, 90'000, 0, kVideo), 1000, 90'000));
  EXPECT_TRUE(Is(r.Rewrite(kA, 1001, 90'000, 1 * kMs, kVideo), 1001, 90'000));
  EXPECT_TRUE(Is(r.Rewrite(kA, 1002, 93'000, 33 * kMs, kVideo), 1002, 93'000));
}

TEST(RtpRewriter, StaysContinuousAcrossTwoSwitches) {
  RtpRewriter r;
  r.Rewrite(kA, 1000, 90'000, 0, kVideo);
  r.Rewrite(kA, 1001, 90'000, 2 * kMs, kVideo);
  r.Rewrite(kA, 1002, 93'000, 33 * kMs, kVideo);
  // Switch to B, 33 ms after A's last packet: 33 ms at 90 kHz is 2970 ticks.
  EXPECT_TRUE(Is(r.Rewrite(kB, 5000, 777, 66 * kMs, kVideo), 1003, 95'970));
  EXPECT_TRUE(Is(r.Rewrite(kB, 5001, 777, 67 * kMs, kVideo), 1004, 95'970));  // Same frame.
  EXPECT_TRUE(Is(r.Rewrite(kB, 5002, 3'777, 100 * kMs, kVideo), 1005, 98'970));
  // Back to A, whose encoder moved on meanwhile: 34 ms later.
  EXPECT_TRUE(Is(r.Rewrite(kA, 2000, 500'000, 134 * kMs, kVideo), 1006, 102'030));
  EXPECT_TRUE(Is(r.Rewrite(kA, 2001, 503'000, 167 * kMs, kVideo), 1007, 105'030));
}

TEST(RtpRewriter, PreservesGapsAndReorderingWithinASource) {
  RtpRewriter r;
  r.Rewrite(kA, 10, 1'000, 0, kVideo);
  EXPECT_TRUE(Is(r.Rewrite(kB, 5000, 0, 10 * kMs, kVideo), 11, 1'900));
  EXPECT_TRUE(Is(r.Rewrite(kB, 5003, 3'000, 20 * kMs, kVideo), 14, 4'900));  // 2 lost.
  EXPECT_TRUE(Is(r.Rewrite(kB, 5002, 3'000, 21 * kMs, kVideo), 13, 4'900));  // Late.
  EXPECT_TRUE(Is(r.Rewrite(kB, 5001, 0, 22 * kMs, kVideo), 12, 1'900));      // Later still.
  // The next switch follows the highest sequence and timestamp sent, not the last packet's.
  EXPECT_TRUE(Is(r.Rewrite(kA, 70, 8'000, 32 * kMs, kVideo), 15, 4'900 + 900));
}

TEST(RtpRewriter, ASwitchAdvancesTheTimestampByAtLeastOneTick) {
  RtpRewriter r;
  r.Rewrite(kA, 1, 100, 5 * kMs, kVideo);
  EXPECT_TRUE(Is(r.Rewrite(kB, 900, 0, 5 * kMs, kVideo), 2, 101));
  EXPECT_TRUE(Is(r.Rewrite(kA, 50, 0, 4 * kMs, kVideo), 3, 102));  // Clock went back: still 1.
}

TEST(RtpRewriter, ConvertsElapsedTimeAtTheStreamClockRate) {
  RtpRewriter r;
  r.Rewrite(kA, 1, 0, 0, 48'000);
  EXPECT_TRUE(Is(r.Rewrite(kB, 7, 123, 20 * kMs, 48'000), 2, 960));
}

TEST(RtpRewriter, WrapsSequenceNumbersAndTimestamps) {
  RtpRewriter r;
  EXPECT_TRUE(Is(r.Rewrite(kA, 65534, 0xFFFFFF00u, 0, kVideo), 65534, 0xFFFFFF00u));
  EXPECT_TRUE(Is(r.Rewrite(kA, 65535, 0xFFFFFF00u, 1 * kMs, kVideo), 65535, 0xFFFFFF00u));
  // 100 ms later: +9000 ticks wraps the timestamp to 8744.
  EXPECT_TRUE(Is(r.Rewrite(kB, 40000, 5, 101 * kMs, kVideo), 0, 8'744));
  EXPECT_TRUE(Is(r.Rewrite(kB, 40001, 5, 102 * kMs, kVideo), 1, 8'744));
}

TEST(RtpRewriter, ReorderingAcrossTheWrapDoesNotMoveTheNextSwitchBack) {
  RtpRewriter r;
  r.Rewrite(kA, 65535, 1'000, 0, kVideo);
  EXPECT_TRUE(Is(r.Rewrite(kA, 1, 1'000, 1 * kMs, kVideo), 1, 1'000));  // 0 missing.
  EXPECT_TRUE(Is(r.Rewrite(kA, 0, 1'000, 2 * kMs, kVideo), 0, 1'000));  // ... arrives late.
  EXPECT_TRUE(Is(r.Rewrite(kB, 300, 0, 12 * kMs, kVideo), 2, 1'900));
}

}  // namespace
}  // namespace mcu::media
