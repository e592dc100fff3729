// Specs of media/keyframe_coalescer.h: bursts of keyframe requests cost one extra keyframe.
#include "media/keyframe_coalescer.h"

#include <gtest/gtest.h>

namespace mcu::media {
namespace {

constexpr int64_t kMs = 1'000;

TEST(KeyframeCoalescer, TheFirstRequestForcesAKeyframeAtOnce) {
  KeyframeCoalescer c;
  EXPECT_TRUE(c.Request(5'000 * kMs));
  EXPECT_FALSE(c.pending());
  EXPECT_FALSE(c.Poll(5'000 * kMs));
}

TEST(KeyframeCoalescer, ABurstWithinTheIntervalGivesExactlyOneKeyframeAtItsEnd) {
  KeyframeCoalescer c(1'000 * kMs);
  ASSERT_TRUE(c.Request(0));
  int forced = 0;
  for (int64_t t = 10 * kMs; t < 1'000 * kMs; t += 10 * kMs) {
    EXPECT_FALSE(c.Request(t)) << t;
    forced += c.Poll(t);
  }
  EXPECT_EQ(forced, 0);
  EXPECT_TRUE(c.pending());
  EXPECT_FALSE(c.Poll(999 * kMs));
  EXPECT_TRUE(c.Poll(1'000 * kMs));   // The one extra keyframe, at the end of the interval.
  EXPECT_FALSE(c.Poll(1'000 * kMs));  // Only once.
  EXPECT_FALSE(c.Poll(5'000 * kMs));  // Nothing more was asked.
}

TEST(KeyframeCoalescer, ARequestAfterTheIntervalForcesAtOnce) {
  KeyframeCoalescer c(1'000 * kMs);
  ASSERT_TRUE(c.Request(0));
  EXPECT_FALSE(c.Request(999 * kMs));
  EXPECT_TRUE(c.Request(1'000 * kMs));  // Due: forced now, and it settles the pending one.
  EXPECT_FALSE(c.pending());
  EXPECT_FALSE(c.Poll(2'000 * kMs));
}

TEST(KeyframeCoalescer, TheIntervalRunsFromTheLastForcedKeyframe) {
  KeyframeCoalescer c(1'000 * kMs);
  ASSERT_TRUE(c.Request(0));
  EXPECT_FALSE(c.Request(500 * kMs));
  EXPECT_TRUE(c.Poll(1'200 * kMs));  // Polled late: forced at 1.2 s.
  EXPECT_FALSE(c.Request(2'100 * kMs));
  EXPECT_FALSE(c.Poll(2'199 * kMs));
  EXPECT_TRUE(c.Poll(2'200 * kMs));
}

TEST(KeyframeCoalescer, AnEncoderKeyframeSatisfiesThePendingRequestAndRestartsTheInterval) {
  KeyframeCoalescer c(1'000 * kMs);
  ASSERT_TRUE(c.Request(0));
  EXPECT_FALSE(c.Request(300 * kMs));
  c.OnKeyframeProduced(600 * kMs);  // E.g. the encoder's own GOP.
  EXPECT_FALSE(c.pending());
  EXPECT_FALSE(c.Poll(1'000 * kMs));
  EXPECT_FALSE(c.Request(1'500 * kMs));  // Within 1 s of the encoder's keyframe.
  EXPECT_TRUE(c.Poll(1'600 * kMs));
}

TEST(KeyframeCoalescer, AnEncoderKeyframeBeforeAnyRequestStartsTheInterval) {
  KeyframeCoalescer c(1'000 * kMs);
  c.OnKeyframeProduced(0);  // The stream's first keyframe.
  EXPECT_FALSE(c.Request(100 * kMs));
  EXPECT_TRUE(c.Poll(1'000 * kMs));
}

}  // namespace
}  // namespace mcu::media
