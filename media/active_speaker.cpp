#include "media/active_speaker.h"

#include <algorithm>

namespace mcu::media {
namespace {

constexpr int kOnsetTicks = ActiveSpeakerDetector::kOnsetMs / ActiveSpeakerDetector::kTickMs;
constexpr int kHoldTicks = ActiveSpeakerDetector::kMinHoldMs / ActiveSpeakerDetector::kTickMs;
constexpr int kGapTicks = ActiveSpeakerDetector::kGapMs / ActiveSpeakerDetector::kTickMs;

}  // namespace

bool ActiveSpeakerDetector::Tick(std::span<const SpeakerLevel> levels) {
  ++ticks_;
  for (const auto& in : levels) {
    Site& s = sites_[in.id];
    s.seen = ticks_;
    s.has_audio = in.level_dbfs.has_value();
    double level = s.has_audio ? std::max(*in.level_dbfs, kFloorDbfs) : kFloorDbfs;
    s.smoothed += (level > s.smoothed ? kAttack : kRelease) * (level - s.smoothed);
  }
  bool changed = false;
  for (auto it = sites_.begin(); it != sites_.end();) {
    if (it->second.seen == ticks_) {
      ++it;
      continue;
    }
    if (it->first == speaker_) speaker_ = 0, changed = true;
    it = sites_.erase(it);
  }
  const Site* current = speaker_ ? &sites_.at(speaker_) : nullptr;
  for (auto& [id, s] : sites_) {
    bool eligible = s.has_audio && s.smoothed >= kSpeechDbfs && id != speaker_ &&
                    (!current || s.smoothed >= current->smoothed + kMarginDb);
    if (eligible) {
      ++s.run;
      s.gap = 0;
    } else if (++s.gap > kGapTicks) {
      s.run = 0;
    }
  }
  const bool may_switch = !current || !current->has_audio ||
                          ticks_ - speaker_since_ >= static_cast<uint64_t>(kHoldTicks);
  if (!may_switch) return changed;
  // The loudest challenger whose run reached the onset; ties to the first listed.
  uint64_t best = 0;
  double best_level = 0;
  for (const auto& in : levels) {
    const Site& s = sites_.at(in.id);
    if (s.run >= kOnsetTicks && s.gap == 0 && (!best || s.smoothed > best_level))
      best = in.id, best_level = s.smoothed;
  }
  if (!best) return changed;
  speaker_ = best;
  speaker_since_ = ticks_;
  for (auto& [id, s] : sites_) s.run = 0, s.gap = 0;  // Measured against the new speaker from now.
  return true;
}

bool ActiveSpeakerDetector::Remove(uint64_t id) {
  sites_.erase(id);
  if (id != speaker_ || id == 0) return false;
  speaker_ = 0;
  return true;
}

}  // namespace mcu::media
