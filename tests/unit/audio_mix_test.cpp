// Specs of media/audio_mix.h: every site hears everyone but itself, saturated; silent sites
// share the full mix.
#include "media/audio_mix.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mcu::media {
namespace {

std::vector<int16_t> Constant(int16_t v) { return std::vector<int16_t>(kMixFrameSamples, v); }

std::vector<int16_t> Sine(double hz, double amplitude) {
  std::vector<int16_t> s(kMixFrameSamples);
  for (int i = 0; i < kMixFrameSamples; ++i)
    s[i] = static_cast<int16_t>(amplitude * std::sin(2 * M_PI * hz * i / kMixRate));
  return s;
}

TEST(MixMinus, EachSiteHearsTheOthersButNotItself) {
  auto a = Constant(1000), b = Constant(200), c = Constant(300);
  MixMinus mix;
  mix.Mix({a, b, c});
  EXPECT_EQ(mix.talkers(), 3u);
  EXPECT_EQ(mix.For(0)[0], 500);
  EXPECT_EQ(mix.For(1)[0], 1300);
  EXPECT_EQ(mix.For(2)[0], 1200);
  EXPECT_EQ(mix.full_mix()[5], 1500);
}

TEST(MixMinus, SumsSaturateButTheSubtractionIsExact) {
  auto a = Constant(30000), b = Constant(30000), c = Constant(-5000);
  MixMinus mix;
  mix.Mix({a, b, c});
  EXPECT_EQ(mix.full_mix()[0], 32767) << "55000 saturates";
  EXPECT_EQ(mix.For(0)[0], 25000) << "subtracted from the 32-bit sum, not from the clipped mix";
  EXPECT_EQ(mix.For(2)[0], 32767);
  auto d = Constant(-30000), e = Constant(-30000);
  mix.Mix({d, e});
  EXPECT_EQ(mix.full_mix()[0], -32768);
  EXPECT_EQ(mix.For(0)[0], -30000);
}

TEST(MixMinus, SilentMutedAndAbsentSitesShareTheFullMix) {
  auto talker1 = Sine(440, 8000), talker2 = Sine(660, 8000);
  auto quiet = Sine(1000, 20);  // About -67 dBFS: below the threshold.
  auto zero = Constant(0);
  MixMinus mix;
  mix.Mix({talker1, quiet, talker2, zero, {}});
  EXPECT_TRUE(mix.talking(0));
  EXPECT_FALSE(mix.talking(1));
  EXPECT_TRUE(mix.talking(2));
  EXPECT_FALSE(mix.talking(3));
  EXPECT_FALSE(mix.talking(4));
  EXPECT_EQ(mix.talkers(), 2u);
  // The quiet site is not in the mix at all, so everyone silent hears the same samples.
  EXPECT_EQ(mix.For(1).data(), mix.full_mix().data());
  EXPECT_EQ(mix.For(3).data(), mix.full_mix().data());
  EXPECT_EQ(mix.For(4).data(), mix.full_mix().data());
  for (int i = 0; i < kMixFrameSamples; ++i) {
    ASSERT_EQ(mix.full_mix()[i], talker1[i] + talker2[i]);
    ASSERT_EQ(mix.For(0)[i], talker2[i]);
    ASSERT_EQ(mix.For(2)[i], talker1[i]);
  }
}

TEST(MixMinus, LevelOfFullScaleSineAndSilence) {
  EXPECT_NEAR(LevelDbfs(Sine(1000, 32767)), -3.01, 0.05);
  EXPECT_EQ(LevelDbfs(Constant(0)), -120);
  EXPECT_NEAR(LevelDbfs(Sine(1000, 20)), -67.3, 0.5);  // Truncation to integers lowers it a little.
}

TEST(MixMinus, OnlyTheLoudestTalkersAreMixed) {
  std::vector<std::vector<int16_t>> frames;
  for (int16_t v : {100, 800, 300, 700, 200, 600}) frames.push_back(Constant(v));
  std::vector<std::span<const int16_t>> in(frames.begin(), frames.end());
  MixMinus mix(-55.0, 3);
  mix.Mix(in);
  EXPECT_EQ(mix.talkers(), 3u);
  EXPECT_TRUE(mix.talking(1));
  EXPECT_TRUE(mix.talking(3));
  EXPECT_TRUE(mix.talking(5));
  EXPECT_FALSE(mix.talking(0));
  EXPECT_EQ(mix.full_mix()[0], 800 + 700 + 600);
  EXPECT_EQ(mix.For(1)[0], 700 + 600);
  EXPECT_EQ(mix.For(2)[0], 2100) << "a quieter site hears the speakers, like everyone silent";
  EXPECT_EQ(mix.For(2).data(), mix.full_mix().data());
}

TEST(MixMinus, WrongSizedFramesAreIgnored) {
  std::vector<int16_t> short_frame(100, 5000);
  auto a = Constant(100);
  MixMinus mix;
  mix.Mix({short_frame, a});
  EXPECT_FALSE(mix.talking(0));
  EXPECT_EQ(mix.For(0)[0], 100);
}

}  // namespace
}  // namespace mcu::media
