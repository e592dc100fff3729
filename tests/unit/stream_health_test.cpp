// Specs of mcu/stream_health.h: rates, windowed loss both ways, restarts, history, summary.
#include "mcu/stream_health.h"

#include <gtest/gtest.h>

namespace mcu {
namespace {

// One second of a site sending and receiving: 50 audio packets of 100 bytes, 30 video frames
// in 90 packets of 1000 bytes; `lost_in` video packets lost on the way in, `lost_out` reported
// lost by the remote on the way out.
void Second(TransportStats& s, int lost_in = 0, int lost_out = 0) {
  for (DirectionStats* d : {&s.audio_in, &s.audio_out}) d->packets += 50, d->bytes += 5000;
  for (DirectionStats* d : {&s.video_in, &s.video_out})
    d->packets += 90, d->bytes += 90000, d->frames += 30;
  s.video_in.packets -= lost_in;
  s.video_in.bytes -= lost_in * 1000;
  s.video_in.lost += lost_in;
  s.video_out.lost += lost_out;
}

TEST(StreamHealth, RatesArePerSecondOfTheInterval) {
  HealthHistory h;
  TransportStats s;
  EXPECT_EQ(h.Add(1000, s), nullptr) << "the first snapshot is the baseline";
  Second(s);
  const HealthSample* x = h.Add(2000, s);
  ASSERT_NE(x, nullptr);
  EXPECT_DOUBLE_EQ(x->audio_in.kbps, 40);  // 5000 B * 8 / 1 s.
  EXPECT_DOUBLE_EQ(x->video_out.kbps, 720);
  EXPECT_DOUBLE_EQ(x->video_in.packets_per_s, 90);
  EXPECT_DOUBLE_EQ(x->video_in.fps, 30);
  EXPECT_DOUBLE_EQ(x->audio_in.fps, 0);
  EXPECT_TRUE(x->audio_in.flowing);
  Second(s);
  x = h.Add(4000, s);  // A 2 s interval: half the rate.
  EXPECT_DOUBLE_EQ(x->video_in.fps, 15);
  x = h.Add(5000, s);  // Nothing moved.
  EXPECT_FALSE(x->video_in.flowing);
  EXPECT_DOUBLE_EQ(x->video_in.kbps, 0);
}

TEST(StreamHealth, LossIsOverTheWindowInBothDirections) {
  HealthHistory h(600, 10);
  TransportStats s;
  h.Add(0, s);
  const HealthSample* x = nullptr;
  for (int t = 1; t <= 10; ++t) {
    Second(s, /*lost_in=*/t <= 5 ? 9 : 0, /*lost_out=*/t <= 5 ? 18 : 0);
    x = h.Add(t * 1000, s);
  }
  // In: 45 lost of 900 expected = 5%. Out: the remote lost 90 of the 900 we sent = 10%.
  EXPECT_NEAR(x->video_in.loss_pct, 5.0, 1e-9);
  EXPECT_NEAR(x->video_out.loss_pct, 10.0, 1e-9);
  EXPECT_DOUBLE_EQ(x->audio_in.loss_pct, 0);
  // Five clean seconds later the lossy half has left the window.
  for (int t = 11; t <= 15; ++t) {
    Second(s);
    x = h.Add(t * 1000, s);
  }
  EXPECT_DOUBLE_EQ(x->video_in.loss_pct, 0);
  EXPECT_DOUBLE_EQ(x->video_out.loss_pct, 0);
}

TEST(StreamHealth, PacketsANackBroughtBackWereLostOnTheLink) {
  HealthHistory h(600, 10);
  TransportStats s;
  h.Add(0, s);
  // 90 video packets sent a second; 9 lost on the link, of which 6 came back when NACKed: 87
  // received (6 of them retransmissions), 3 lost for good.
  s.video_in.packets += 87, s.video_in.retransmits += 6, s.video_in.lost += 3;
  const HealthSample* x = h.Add(1000, s);
  EXPECT_NEAR(x->video_in.loss_pct, 10.0, 1e-9);
}

TEST(StreamHealth, ANewTransportStartsAgainFromItsBaseline) {
  HealthHistory h;
  TransportStats s;
  h.Add(0, s);
  for (int t = 1; t <= 3; ++t) Second(s, 9), h.Add(t * 1000, s);
  TransportStats fresh;  // The site rejoined: counters from zero.
  EXPECT_EQ(h.Add(4000, fresh), nullptr);
  Second(fresh);
  const HealthSample* x = h.Add(5000, fresh);
  ASSERT_NE(x, nullptr);
  EXPECT_DOUBLE_EQ(x->video_in.loss_pct, 0) << "the old transport's loss is not carried over";
  EXPECT_DOUBLE_EQ(x->video_in.fps, 30);
  EXPECT_EQ(h.samples().size(), 4u) << "the history itself is kept";
}

TEST(StreamHealth, HistoryIsBoundedAndSummarized) {
  HealthHistory h(5, 10);
  TransportStats s;
  h.Add(0, s);
  for (int t = 1; t <= 8; ++t) {
    Second(s, t == 8 ? 18 : 0);
    s.rtt_ms = 10 * t;
    s.video_in.jitter_ms = t;
    h.Add(t * 1000, s);
  }
  ASSERT_EQ(h.samples().size(), 5u);
  EXPECT_EQ(h.samples().front().at_ms, 4000);
  HealthSummary sum = h.Summarize();
  EXPECT_EQ(sum.seconds, 5);
  EXPECT_DOUBLE_EQ(sum.rtt_ms_max, 80);
  EXPECT_DOUBLE_EQ(sum.rtt_ms_mean, 60);  // 40..80.
  EXPECT_DOUBLE_EQ(sum.jitter_ms_max, 8);
  EXPECT_NEAR(sum.loss_pct_max, 100.0 * 18 / 720, 1e-9);  // 18 of 8 s x 90 expected.
  EXPECT_GT(sum.kbps_in_mean, 700);
  EXPECT_DOUBLE_EQ(HealthHistory().Summarize().rtt_ms_mean, -1);
}

// The whole-conference history: a point per 10 s, each the mean of its seconds (RTT over the
// seconds it was measured), the step in progress last, and at most `capacity` closed steps.
TEST(StreamHealth, CoarseHistoryAveragesEachStepAndKeepsTheLastOnes) {
  CoarseHistory coarse(10, 3);
  for (int s = 0; s < 25; ++s) {
    HealthSample x;
    x.at_ms = 100'000 + s * 1000;
    x.video_in.kbps = s < 10 ? 100 : 300;
    x.audio_out.loss_pct = s < 10 ? 0 : 2;
    x.rtt_ms = s % 2 ? 40 : -1;  // Measured every other second.
    coarse.Add(x);
  }
  auto points = coarse.Points();
  ASSERT_EQ(points.size(), 3u) << "two closed steps and the one in progress";
  EXPECT_EQ(points[0].at_ms, 100'000);
  EXPECT_EQ(points[1].at_ms, 110'000);
  EXPECT_EQ(points[2].at_ms, 120'000);
  EXPECT_NEAR(points[0].video_in.kbps, 100, 1e-3);
  EXPECT_NEAR(points[1].video_in.kbps, 300, 1e-3);
  EXPECT_NEAR(points[1].audio_out.loss_pct, 2, 1e-3);
  EXPECT_NEAR(points[0].rtt_ms, 40, 1e-3) << "the mean of the measured seconds only";
  for (int s = 25; s < 60; ++s) {
    HealthSample x;
    x.at_ms = 100'000 + s * 1000;
    coarse.Add(x);
  }
  points = coarse.Points();
  ASSERT_EQ(points.size(), 4u) << "three closed steps kept, then the one in progress";
  EXPECT_EQ(points[0].at_ms, 120'000);
  EXPECT_EQ(points[3].at_ms, 150'000);
  EXPECT_EQ(points[3].rtt_ms, -1) << "never measured in that step";
}

}  // namespace
}  // namespace mcu
