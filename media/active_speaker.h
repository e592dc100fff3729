// Active-speaker choice for a mixing conference: who leads voice-activated layouts and carries the
// highlighted border.
//
// Fed once per 20 ms mixing tick with every site's level (dBFS of its decoded frame) or "no
// audio" (nothing decoded this tick, or the site is muted). Per site it keeps:
//   - a smoothed level: fast attack, quicker-than-speech release (per tick: 50% of the way up,
//     20% of the way down, so a loud burst falls below the speech threshold within ~100 ms).
//     "No audio" counts as the floor, -120 dBFS, and the site is not eligible that tick;
//   - a run: the ticks in which it was eligible, i.e. it has audio, its smoothed level is at
//     least kSpeechDbfs, it is not the speaker, and (if there is a speaker) it is louder than the
//     speaker's smoothed level by at least kMarginDb. Gaps (ineligible ticks) shorter than
//     kGapMs, the pauses between words, keep the run; a longer gap starts it again from zero.
// A site whose run reaches the onset (kOnsetMs) and that is eligible now becomes the speaker if
// there is none, or the current one has held for kMinHoldMs, or the current one has no audio
// (muted or gone quiet at the transport: nothing to protect). Among several such sites the
// loudest (smoothed) wins; ties go to the site listed first. Every run then restarts, measured
// against the new speaker. So:
//   - a single talker becomes the speaker after the onset delay (~400 ms);
//   - a cough or a door (up to ~250 ms: shorter than the onset, with its release) never switches;
//   - a louder sustained talker takes over once the speaker has held 2 s;
//   - two talkers at the same level never take the floor from each other (the margin), and
//     however fast they alternate, the speaker changes at most once per hold;
//   - silence never clears the speaker: when everyone is quiet the last speaker stays, however
//     long, so voice-activated layouts never go blank. Only removal clears it (speaker 0); the
//     next talker then takes over after the onset, with no hold.
// Sites not in a tick's input are removed (as by Remove).
//
// Pure code; an instance is owned by one thread (the room's audio thread). Cost: O(n log n) per
// tick for n sites (a map lookup each), nothing per sample.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>

namespace mcu::media {

struct SpeakerLevel {
  uint64_t id = 0;                   // The participant.
  std::optional<double> level_dbfs;  // nullopt: no audio this tick (absent or muted).
};

class ActiveSpeakerDetector {
 public:
  static constexpr int kTickMs = 20;
  static constexpr double kSpeechDbfs = -50.0;  // Above the mix's -55 dBFS silence threshold.
  static constexpr double kMarginDb = 6.0;
  static constexpr int kOnsetMs = 400;
  static constexpr int kMinHoldMs = 2000;
  static constexpr double kAttack = 0.5;   // Fraction of the way up per tick.
  static constexpr double kRelease = 0.2;  // Fraction of the way down per tick.
  static constexpr int kGapMs = 200;
  static constexpr double kFloorDbfs = -120.0;

  // One 20 ms tick: every site of the room, in a stable order. True if speaker() changed.
  bool Tick(std::span<const SpeakerLevel> levels);
  // The site left. True if it was the speaker (speaker() is then 0).
  bool Remove(uint64_t id);
  // The active speaker, 0 for none yet.
  uint64_t speaker() const { return speaker_; }

 private:
  struct Site {
    double smoothed = kFloorDbfs;
    bool has_audio = false;
    int run = 0;  // Eligible ticks.
    int gap = 0;  // Ineligible ticks since the last eligible one.
    uint64_t seen = 0;
  };
  std::map<uint64_t, Site> sites_;
  uint64_t speaker_ = 0;
  uint64_t ticks_ = 0;
  uint64_t speaker_since_ = 0;  // Tick at which the speaker took the floor.
};

}  // namespace mcu::media
