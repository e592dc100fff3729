// Specs of media/audio_mix.h: every site hears everyone but itself, saturated; silent sites
// share the full mix. And of media/audio_mix_thread.h: sites of every codec in one room, the full
// mix encoded once per codec that silent sites receive.
#include "media/audio_mix.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>

#include "media/audio_codec.h"
#include "media/audio_mix_thread.h"

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

// Power of `hz` in the samples (Goertzel, Hann window) as a share of their total power: 1 for a
// pure tone; tones 400 Hz apart leak under 1e-6 into each other over 100 ms.
double ToneShare(std::span<const int16_t> x, double hz) {
  const size_t n = x.size();
  const double k = 2 * std::cos(2 * M_PI * hz / kMixRate);
  double s1 = 0, s2 = 0, wsum = 0, power = 0;
  for (size_t i = 0; i < n; ++i) {
    const double w = 0.5 - 0.5 * std::cos(2 * M_PI * i / n);
    const double s0 = w * x[i] + k * s1 - s2;
    s2 = s1, s1 = s0;
    wsum += w;
    power += double(x[i]) * x[i];
  }
  const double amplitude = 2 * std::sqrt(s1 * s1 + s2 * s2 - k * s1 * s2) / wsum;
  return power > 0 ? amplitude * amplitude / 2 / (power / n) : 0;
}

TEST(AudioMixThread, SitesOfEveryCodecHearTheOthersAndSilentSitesOfACodecShareOnePayload) {
  using Payload = std::shared_ptr<const std::vector<uint8_t>>;
  struct Talker {
    ParticipantId id;
    AudioCodec codec;
    double hz;
  };
  const std::vector<Talker> talkers = {
      {1, AudioCodec::kG722, 440}, {2, AudioCodec::kPcmu, 1000}, {3, AudioCodec::kOpus, 1600}};
  constexpr ParticipantId kSilentA = 4, kSilentB = 5;  // PCMA; they send nothing.
  constexpr size_t kTicks = 30;

  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::map<ParticipantId, Payload>> outputs;  // One per tick, in order.
  std::vector<uint64_t> encodings;                        // encodings() after each tick.
  std::atomic<AudioMixThread*> self{nullptr};
  AudioMixThread mixer(
      "test-audio",
      [&](std::vector<std::pair<ParticipantId, Payload>> out) {
        std::lock_guard lock(mu);
        outputs.emplace_back(out.begin(), out.end());
        encodings.push_back(self.load()->encodings());
        cv.notify_all();
      },
      [](ParticipantId) {});
  self = &mixer;
  for (const auto& t : talkers) mixer.AddSite(t.id, t.codec);
  mixer.AddSite(kSilentA, AudioCodec::kPcma);
  mixer.AddSite(kSilentB, AudioCodec::kPcma);

  // Each talker sends its tone, a packet per tick seen, two ahead of the mix (the jitter
  // buffer's target): the thread consumes them as sent; a late wake-up here costs one concealed
  // packet, not the tones.
  std::vector<std::unique_ptr<AudioEncoder>> encoders;
  encoders.reserve(talkers.size());
  for (const auto& t : talkers) encoders.push_back(AudioEncoder::Create(t.codec));
  std::vector<uint8_t> payload(1275);
  size_t sent = 0;
  size_t seen = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::unique_lock lock(mu);
  while (outputs.size() < kTicks) {
    seen = outputs.size();
    lock.unlock();
    for (; sent < seen + 2; ++sent)
      for (size_t k = 0; k < talkers.size(); ++k) {
        std::vector<int16_t> frame(kMixFrameSamples);
        for (int i = 0; i < kMixFrameSamples; ++i)
          frame[i] = static_cast<int16_t>(
              6000 * std::sin(2 * M_PI * talkers[k].hz * (sent * kMixFrameSamples + i) / kMixRate));
        size_t n = encoders[k]->Encode(frame, payload);
        mixer.Push(talkers[k].id, static_cast<uint16_t>(sent), std::span(payload).first(n));
      }
    lock.lock();
    ASSERT_TRUE(cv.wait_until(lock, deadline, [&] { return outputs.size() > seen; }))
        << "the audio thread gave no output";
  }
  auto got = outputs;
  auto counts = encodings;
  lock.unlock();
  // Ticks that fell between the AddSite calls above do not count.
  while (!got.empty() && got.front().size() < 5) got.erase(got.begin());

  // Every tick, the two PCMA sites share one payload, nobody else's.
  for (const auto& tick : got) {
    ASSERT_EQ(tick.size(), 5u);
    EXPECT_EQ(tick.at(kSilentA), tick.at(kSilentB));
    for (const auto& t : talkers) EXPECT_NE(tick.at(t.id), tick.at(kSilentA));
  }
  // Once all three talk: three own mix-minus encodings and one shared PCMA encoding per tick,
  // no shared Opus, G.722 or PCMU encoding that nobody would receive.
  for (size_t i = counts.size() - 10; i < counts.size(); ++i)
    EXPECT_EQ(counts[i] - counts[i - 1], 4u) << i;

  // What each site hears, decoded with its codec: the others' tones, never its own.
  auto heard = [&](ParticipantId id, AudioCodec codec) {
    auto dec = AudioDecoder::Create(codec);
    std::vector<int16_t> pcm, frame(kMixFrameSamples);
    for (const auto& tick : got) {
      dec->Decode(*tick.at(id), frame);
      pcm.insert(pcm.end(), frame.begin(), frame.end());
    }
    return std::vector<int16_t>(pcm.end() - 5 * kMixFrameSamples, pcm.end());  // 100 ms.
  };
  for (const auto& t : talkers) {
    auto pcm = heard(t.id, t.codec);
    for (const auto& other : talkers) {
      if (other.id == t.id)
        EXPECT_LT(ToneShare(pcm, other.hz), 1e-3) << t.id << " hears itself";
      else
        EXPECT_GT(ToneShare(pcm, other.hz), 0.3) << t.id << " does not hear " << other.id;
    }
  }
  for (ParticipantId silent : {kSilentA, kSilentB}) {
    auto pcm = heard(silent, AudioCodec::kPcma);
    for (const auto& t : talkers)
      EXPECT_GT(ToneShare(pcm, t.hz), 0.2) << silent << " does not hear " << t.id;
  }
  EXPECT_EQ(mixer.payloads_resized(), 0u);
  EXPECT_EQ(mixer.payloads_concealed(), 0u);
}

}  // namespace
}  // namespace mcu::media
