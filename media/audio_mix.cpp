#include "media/audio_mix.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mcu::media {

double LevelDbfs(std::span<const int16_t> pcm) {
  if (pcm.empty()) return -120;
  double acc = 0;
  for (int16_t s : pcm) acc += double(s) * s;
  double rms = std::sqrt(acc / pcm.size()) / 32768.0;
  return rms > 1e-6 ? 20 * std::log10(rms) : -120;
}

void MixMinus::Mix(const std::vector<std::span<const int16_t>>& inputs) {
  const size_t n = inputs.size();
  sum_.assign(kMixFrameSamples, 0);
  talking_.assign(n, false);
  if (own_.size() < n) own_.resize(n);
  if (last_top_.size() != n) last_top_.assign(n, 0), was_talking_.assign(n, false);
  ++frame_;
  level_.assign(n, -std::numeric_limits<double>::infinity());
  levels_.clear();
  for (size_t i = 0; i < n; ++i) {
    const auto& in = inputs[i];
    if (in.size() != static_cast<size_t>(kMixFrameSamples)) continue;
    level_[i] = LevelDbfs(in);
    if (level_[i] >= silence_dbfs_) levels_.emplace_back(level_[i], i);
  }
  if (levels_.size() > max_talkers_) {
    auto louder = [](auto& a, auto& b) { return a.first > b.first; };
    // Who is among the loudest on this frame's levels alone (ties to the earlier site) ...
    std::stable_sort(levels_.begin(), levels_.end(), louder);
    for (size_t k = 0; k < max_talkers_; ++k) last_top_[levels_[k].second] = frame_;
    // ... then the talkers: incumbents within their hold rank `margin` louder.
    for (auto& [level, i] : levels_)
      if (was_talking_[i] && last_top_[i] &&
          frame_ - last_top_[i] <= static_cast<uint64_t>(hold_frames_))
        level += margin_db_;
    std::stable_sort(levels_.begin(), levels_.end(), louder);
    levels_.resize(max_talkers_);
  } else {
    for (const auto& [level, i] : levels_) last_top_[i] = frame_;
  }
  for (const auto& [level, i] : levels_) {
    talking_[i] = true;
    for (int k = 0; k < kMixFrameSamples; ++k) sum_[k] += inputs[i][k];
  }
  for (size_t i = 0; i < n; ++i) was_talking_[i] = talking_[i];
  full_.resize(kMixFrameSamples);
  for (int k = 0; k < kMixFrameSamples; ++k) full_[k] = Saturate(sum_[k]);
  for (size_t i = 0; i < n; ++i) {
    if (!talking_[i]) continue;
    own_[i].resize(kMixFrameSamples);
    for (int k = 0; k < kMixFrameSamples; ++k) own_[i][k] = Saturate(sum_[k] - inputs[i][k]);
  }
}

std::span<const int16_t> MixMinus::For(size_t i) const {
  if (i < talking_.size() && talking_[i]) return own_[i];
  return full_;
}

size_t MixMinus::talkers() const {
  size_t n = 0;
  for (bool t : talking_) n += t;
  return n;
}

}  // namespace mcu::media
