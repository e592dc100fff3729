#include "media/audio_mix.h"

#include <algorithm>
#include <cmath>

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
  levels_.clear();
  for (size_t i = 0; i < n; ++i) {
    const auto& in = inputs[i];
    if (in.size() != static_cast<size_t>(kMixFrameSamples)) continue;
    double level = LevelDbfs(in);
    if (level >= silence_dbfs_) levels_.emplace_back(level, i);
  }
  if (levels_.size() > max_talkers_) {  // The loudest; ties to the earlier site.
    std::stable_sort(levels_.begin(), levels_.end(), [](auto& a, auto& b) { return a.first > b.first; });
    levels_.resize(max_talkers_);
  }
  for (const auto& [level, i] : levels_) {
    talking_[i] = true;
    for (int k = 0; k < kMixFrameSamples; ++k) sum_[k] += inputs[i][k];
  }
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
