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

// Five sites, all talking; `levels` their amplitudes this frame.
std::vector<bool> TalkersOf(MixMinus& mix, std::initializer_list<int16_t> levels) {
  std::vector<std::vector<int16_t>> frames;
  for (int16_t v : levels) frames.push_back(Constant(v));
  mix.Mix(std::vector<std::span<const int16_t>>(frames.begin(), frames.end()));
  std::vector<bool> out;
  for (size_t i = 0; i < frames.size(); ++i) out.push_back(mix.talking(i));
  return out;
}

TEST(MixMinusHysteresis, ATalkerIsNotSwappedFrameByFrameForAnEquallyLoudSite) {
  MixMinus mix;  // Four talkers, 200 ms (10 frames) hold, 6 dB margin.
  using V = std::vector<bool>;
  EXPECT_EQ(TalkersOf(mix, {1000, 1000, 1000, 1000, 950}), (V{true, true, true, true, false}));
  // Sites 3 and 4 trade places by half a decibel every frame: site 3 keeps its slot.
  for (int frame = 0; frame < 50; ++frame) {
    bool odd = frame % 2;
    EXPECT_EQ(
        TalkersOf(mix, {1000, 1000, 1000, int16_t(odd ? 1000 : 950), int16_t(odd ? 950 : 1000)}),
        (V{true, true, true, true, false}))
        << frame;
  }
}

TEST(MixMinusHysteresis, AnIncumbentNoLongerAmongTheLoudestLeavesAfterTheHold) {
  MixMinus mix;
  using V = std::vector<bool>;
  TalkersOf(mix, {1000, 1000, 1000, 1000, 900});
  // Site 4 is now steadily a little louder than site 3: site 3 holds 10 frames (200 ms).
  for (int frame = 1; frame <= 10; ++frame)
    EXPECT_EQ(TalkersOf(mix, {1000, 1000, 1000, 900, 1000}), (V{true, true, true, true, false}))
        << frame;
  EXPECT_EQ(TalkersOf(mix, {1000, 1000, 1000, 900, 1000}), (V{true, true, true, false, true}));
  // And the swap is stable in turn.
  EXPECT_EQ(TalkersOf(mix, {1000, 1000, 1000, 950, 900}), (V{true, true, true, false, true}));
}

TEST(MixMinusHysteresis, AClearlyLouderNewcomerTakesASlotAtOnce) {
  MixMinus mix;
  using V = std::vector<bool>;
  TalkersOf(mix, {1000, 1000, 1000, 1000, 0});
  // 4000 is 12 dB above 1000: more than the margin.
  EXPECT_EQ(TalkersOf(mix, {1000, 1000, 1000, 1000, 4000}), (V{true, true, true, false, true}));
}

TEST(MixMinusHysteresis, AnIncumbentBelowTheThresholdLeavesAtOnce) {
  MixMinus mix;
  using V = std::vector<bool>;
  TalkersOf(mix, {1000, 1000, 1000, 1000, 900});
  EXPECT_EQ(TalkersOf(mix, {1000, 1000, 1000, 0, 900}), (V{true, true, true, false, true}));
}

TEST(MixMinusHysteresis, ForgettingHistoryRanksOnLevelsAlone) {
  MixMinus mix;
  using V = std::vector<bool>;
  TalkersOf(mix, {1000, 1000, 1000, 1000, 900});
  mix.ForgetHistory();  // E.g. a site left: index 3 is now another site.
  EXPECT_EQ(TalkersOf(mix, {1000, 1000, 1000, 900, 1000}), (V{true, true, true, false, true}));
}

TEST(MixMinus, ReportsEachSitesLevel) {
  auto loud = Sine(1000, 32767);
  MixMinus mix;
  mix.Mix({loud, {}});
  EXPECT_NEAR(mix.level(0), -3.01, 0.05);
  EXPECT_TRUE(std::isinf(mix.level(1)) && mix.level(1) < 0) << "no frame: -infinity";
}

}  // namespace
}  // namespace mcu::media
