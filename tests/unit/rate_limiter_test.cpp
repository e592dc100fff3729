// Specs of signaling/rate_limiter.h (TokenBucket), with an injected clock.
#include "signaling/rate_limiter.h"

#include <gtest/gtest.h>

namespace mcu::signaling {
namespace {

TEST(TokenBucket, StartsFullAndAllowsTheBurst) {
  TokenBucket b(/*rate=*/1, /*burst=*/3);
  EXPECT_TRUE(b.Take(0));
  EXPECT_TRUE(b.Take(0));
  EXPECT_TRUE(b.Take(0));
  EXPECT_FALSE(b.Take(0));
  EXPECT_FALSE(b.Take(0.5));
}

TEST(TokenBucket, RefillsAtTheRate) {
  TokenBucket b(/*rate=*/4, /*burst=*/1);
  EXPECT_TRUE(b.Take(10.0));
  EXPECT_FALSE(b.Take(10.1));  // 0.4 token.
  EXPECT_FALSE(b.Take(10.2));  // 0.8 token.
  EXPECT_TRUE(b.Take(10.25));  // 1.0 token.
  EXPECT_FALSE(b.Take(10.25));
}

TEST(TokenBucket, NeverHoldsMoreThanTheBurst) {
  TokenBucket b(/*rate=*/20, /*burst=*/5);
  EXPECT_TRUE(b.Take(0));
  int taken = 0;
  while (b.Take(3600)) ++taken;  // An hour idle refills to the burst, not to 72000.
  EXPECT_EQ(taken, 5);
}

TEST(TokenBucket, SustainedRateMatchesTheConfiguration) {
  TokenBucket b(/*rate=*/20, /*burst=*/50);
  int accepted = 0;
  // 100 messages a second for 10 s: 50 of burst plus 20/s.
  for (int i = 0; i < 1000; ++i) accepted += b.Take(i * 0.01);
  EXPECT_NEAR(accepted, 50 + 20 * 10, 2);
}

TEST(TokenBucket, RefusedTakesDoNotConsume) {
  TokenBucket b(/*rate=*/1, /*burst=*/1);
  EXPECT_TRUE(b.Take(0));
  for (int i = 1; i < 10; ++i) EXPECT_FALSE(b.Take(i * 0.1));
  EXPECT_TRUE(b.Take(1.0));  // A second after the last success, whatever was refused between.
}

}  // namespace
}  // namespace mcu::signaling
