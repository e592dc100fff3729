// Specs of media/active_speaker.h: who is the active speaker, with onset, hold and margin.
#include "media/active_speaker.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <vector>

namespace mcu::media {
namespace {

constexpr double kNoise = -70;  // A quiet room: below the speech threshold.
const std::optional<double> kNoAudio;

// Drives a detector tick by tick; `levels(t_ms)` gives each site's level at time t.
class Room {
 public:
  explicit Room(std::vector<uint64_t> ids) : ids_(std::move(ids)) {}

  // Runs from the current time for `ms`; returns the times (ms) at which the speaker changed.
  std::vector<int> Run(int ms,
                       const std::function<std::optional<double>(uint64_t id, int t_ms)>& level) {
    std::vector<int> changes;
    for (int end = now_ + ms; now_ < end; now_ += ActiveSpeakerDetector::kTickMs) {
      std::vector<SpeakerLevel> in;
      for (uint64_t id : ids_) in.push_back({id, level(id, now_)});
      if (detector.Tick(in)) changes.push_back(now_);
    }
    return changes;
  }
  int now() const { return now_; }
  ActiveSpeakerDetector detector;

 private:
  std::vector<uint64_t> ids_;
  int now_ = 0;
};

TEST(ActiveSpeaker, NobodyLeadsBeforeAnyoneSpeaks) {
  Room room({1, 2, 3});
  EXPECT_TRUE(room.Run(5000, [](uint64_t, int) { return kNoise; }).empty());
  EXPECT_EQ(room.detector.speaker(), 0u);
}

TEST(ActiveSpeaker, ASingleTalkerBecomesSpeakerAfterTheOnsetDelay) {
  Room room({1, 2, 3});
  room.Run(1000, [](uint64_t, int) { return kNoise; });
  auto changes = room.Run(2000, [](uint64_t id, int) { return id == 2 ? -25.0 : kNoise; });
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(room.detector.speaker(), 2u);
  // About the onset after it started talking (at 1000 ms), not at once and not much later.
  EXPECT_GE(changes[0] - 1000, ActiveSpeakerDetector::kOnsetMs - 40);
  EXPECT_LE(changes[0] - 1000, ActiveSpeakerDetector::kOnsetMs + 40);
}

TEST(ActiveSpeaker, PausesBetweenWordsDoNotDelayTheOnset) {
  Room room({1, 2});
  // Talks 200 ms, pauses 100 ms (to the noise floor), and so on.
  auto changes =
      room.Run(1000, [](uint64_t id, int t) { return id == 1 && t % 300 < 200 ? -25.0 : kNoise; });
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(room.detector.speaker(), 1u);
  EXPECT_LE(changes[0], 800);
}

TEST(ActiveSpeaker, ABriefCoughDoesNotSwitch) {
  Room room({1, 2});
  room.Run(3000, [](uint64_t id, int) { return id == 1 ? -30.0 : kNoise; });
  ASSERT_EQ(room.detector.speaker(), 1u);
  // Site 2 coughs, very loud, for 240 ms, while the speaker is silent; once, then again 2 s later.
  auto changes = room.Run(6000, [](uint64_t id, int t) {
    if (id == 1) return kNoise;
    return (t >= 3500 && t < 3740) || (t >= 5500 && t < 5740) ? -6.0 : kNoise;
  });
  EXPECT_TRUE(changes.empty());
  EXPECT_EQ(room.detector.speaker(), 1u);
}

TEST(ActiveSpeaker, ACoughWithNobodySpeakingDoesNotMakeASpeaker) {
  Room room({1, 2});
  room.Run(2000,
           [](uint64_t id, int t) { return id == 2 && t >= 1000 && t < 1240 ? -6.0 : kNoise; });
  EXPECT_EQ(room.detector.speaker(), 0u);
}

TEST(ActiveSpeaker, ALouderSustainedTalkerTakesOverOnceTheSpeakerHasHeld) {
  Room room({1, 2});
  // Site 1 talks throughout; site 2, 15 dB louder, joins in at 500 ms.
  auto changes = room.Run(4000, [](uint64_t id, int t) {
    if (id == 1) return -30.0;
    return t >= 500 ? -15.0 : kNoise;
  });
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(room.detector.speaker(), 2u);
  // Site 1 led at ~400 ms; site 2 had its onset by ~900 ms but waits for the 2 s hold.
  EXPECT_GE(changes[1] - changes[0], ActiveSpeakerDetector::kMinHoldMs);
  EXPECT_LE(changes[1] - changes[0], ActiveSpeakerDetector::kMinHoldMs + 40);
}

TEST(ActiveSpeaker, AnEquallyLoudSecondTalkerNeverTakesTheFloor) {
  Room room({1, 2});
  room.Run(1000, [](uint64_t id, int) { return id == 1 ? -25.0 : kNoise; });
  ASSERT_EQ(room.detector.speaker(), 1u);
  EXPECT_TRUE(room.Run(10000, [](uint64_t id, int) { return id == 1 ? -25.0 : -22.0; }).empty())
      << "3 dB louder is within the margin";
  EXPECT_EQ(room.detector.speaker(), 1u);
}

TEST(ActiveSpeaker, EqualTalkersAlternatingFasterThanTheHoldDoNotFlap) {
  for (int turn_ms : {300, 600, 1000}) {
    SCOPED_TRACE(turn_ms);
    Room room({1, 2});
    auto first = room.Run(1000, [](uint64_t id, int) { return id == 1 ? -25.0 : kNoise; });
    ASSERT_EQ(first.size(), 1u);
    auto changes = room.Run(20000, [turn_ms](uint64_t id, int t) {
      bool first_turn = (t / turn_ms) % 2 == 0;
      return (id == 2) == first_turn ? -25.0 : kNoise;
    });
    changes.insert(changes.begin(), first[0]);
    for (size_t i = 1; i < changes.size(); ++i)
      EXPECT_GE(changes[i] - changes[i - 1], ActiveSpeakerDetector::kMinHoldMs) << "switch " << i;
    // Turns shorter than the onset never take the floor from the first speaker.
    if (turn_ms < ActiveSpeakerDetector::kOnsetMs) {
      EXPECT_EQ(changes.size(), 1u);
      EXPECT_EQ(room.detector.speaker(), 1u);
    }
  }
}

TEST(ActiveSpeaker, MutedOrAbsentInputNeverWins) {
  Room room({1, 2, 3});
  // Site 1 would be loudest but has no audio (muted); site 3 too, with an occasional frame.
  auto changes = room.Run(5000, [](uint64_t id, int t) -> std::optional<double> {
    if (id == 1) return kNoAudio;
    if (id == 3) return t % 100 == 0 ? std::optional<double>(-5.0) : kNoAudio;
    return -40.0;
  });
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(room.detector.speaker(), 2u);
  Room silent({1});
  EXPECT_TRUE(silent.Run(5000, [](uint64_t, int) { return kNoAudio; }).empty());
}

TEST(ActiveSpeaker, ASpeakerWhoIsMutedYieldsWithoutTheHold) {
  Room room({1, 2});
  room.Run(1000, [](uint64_t id, int) { return id == 1 ? -25.0 : kNoise; });
  ASSERT_EQ(room.detector.speaker(), 1u);
  // At once: site 1 is muted and site 2 starts; well within site 1's 2 s hold.
  auto changes = room.Run(
      1000, [](uint64_t id, int) { return id == 1 ? kNoAudio : std::optional<double>(-25.0); });
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(room.detector.speaker(), 2u);
  EXPECT_LE(changes[0] - 1000, ActiveSpeakerDetector::kOnsetMs + 40);
}

TEST(ActiveSpeaker, LongSilenceKeepsTheLastSpeaker) {
  Room room({1, 2});
  room.Run(2000, [](uint64_t id, int) { return id == 2 ? -25.0 : kNoise; });
  ASSERT_EQ(room.detector.speaker(), 2u);
  EXPECT_TRUE(room.Run(60000, [](uint64_t, int) { return kNoise; }).empty());
  EXPECT_EQ(room.detector.speaker(), 2u);
}

TEST(ActiveSpeaker, RemovalClearsTheSpeaker) {
  Room room({1, 2});
  room.Run(1000, [](uint64_t id, int) { return id == 1 ? -25.0 : kNoise; });
  ASSERT_EQ(room.detector.speaker(), 1u);
  EXPECT_FALSE(room.detector.Remove(2));
  EXPECT_EQ(room.detector.speaker(), 1u);
  EXPECT_TRUE(room.detector.Remove(1));
  EXPECT_EQ(room.detector.speaker(), 0u);
}

TEST(ActiveSpeaker, ASiteMissingFromATickIsRemoved) {
  ActiveSpeakerDetector d;
  std::vector<SpeakerLevel> both = {{1, -25.0}, {2, kNoise}};
  for (int i = 0; i < 50; ++i) d.Tick(both);
  ASSERT_EQ(d.speaker(), 1u);
  std::vector<SpeakerLevel> only2 = {{2, kNoise}};
  EXPECT_TRUE(d.Tick(only2));
  EXPECT_EQ(d.speaker(), 0u);
  // The next talker then leads after the onset, with no hold.
  std::vector<SpeakerLevel> talking2 = {{2, -25.0}};
  int ticks = 0;
  while (d.speaker() == 0 && ticks < 100) d.Tick(talking2), ++ticks;
  EXPECT_EQ(d.speaker(), 2u);
  EXPECT_LE(ticks * ActiveSpeakerDetector::kTickMs, ActiveSpeakerDetector::kOnsetMs + 40);
}

TEST(ActiveSpeaker, OfSimultaneousNewTalkersTheLoudestLeads) {
  Room room({1, 2, 3});
  room.Run(2000, [](uint64_t id, int) { return id == 1 ? -35.0 : id == 2 ? -20.0 : -30.0; });
  EXPECT_EQ(room.detector.speaker(), 2u);
}

}  // namespace
}  // namespace mcu::media
