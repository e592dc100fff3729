#include "media/monotonic_pts.h"

#include <gtest/gtest.h>

namespace mcu::media {
namespace {

constexpr uint64_t kMs = 1'000'000;

TEST(MonotonicPts, PassesIncreasingTimestampsUnchanged) {
  MonotonicPts m;
  for (uint64_t t = 0; t < 10; ++t) EXPECT_EQ(m.Next(t * 33 * kMs, 33 * kMs), t * 33 * kMs);
  EXPECT_EQ(m.restarts(), 0);
}

TEST(MonotonicPts, AStreamThatStartsAgainFromZeroFollowsTheLastFrameAtItsOwnSpacing) {
  MonotonicPts m;
  for (uint64_t t = 0; t <= 75; ++t) m.Next(t * 33 * kMs, 33 * kMs);  // Up to 2.475 s.
  // Back to zero: the next frames go on 33 ms apart from 2.475 s, as vp8enc needs.
  EXPECT_EQ(m.Next(0, 33 * kMs), 2508 * kMs);
  EXPECT_EQ(m.Next(33 * kMs, 33 * kMs), 2541 * kMs);
  EXPECT_EQ(m.Next(66 * kMs, 33 * kMs), 2574 * kMs);
  EXPECT_EQ(m.restarts(), 1);
  // A second restart, with no duration known: one frame at 30 fps after the last.
  EXPECT_EQ(m.Next(10 * kMs, -1), 2574 * kMs + 1'000'000'000 / 30);
  EXPECT_EQ(m.restarts(), 2);
}

TEST(MonotonicPts, ARepeatedTimestampIsMovedOnByOneFrame) {
  MonotonicPts m;
  EXPECT_EQ(m.Next(100 * kMs, 33 * kMs), 100 * kMs);
  EXPECT_EQ(m.Next(100 * kMs, 33 * kMs), 133 * kMs);
  EXPECT_EQ(m.Next(166 * kMs, 33 * kMs), 199 * kMs);  // The shift stays.
}

}  // namespace
}  // namespace mcu::media
