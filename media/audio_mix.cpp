#include "media/audio_mix.h"

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
  for (size_t i = 0; i < n; ++i) {
    const auto& in = inputs[i];
    if (in.size() != static_cast<size_t>(kMixFrameSamples) || LevelDbfs(in) < silence_dbfs_) continue;
    talking_[i] = true;
    for (int k = 0; k < kMixFrameSamples; ++k) sum_[k] += in[k];
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
