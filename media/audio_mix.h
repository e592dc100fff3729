// Mix-minus for a conference: every site hears everyone but itself.
//
// Each 20 ms, the audio thread decodes each site once, then `MixMinus::Mix` sums the sites that
// are talking once, and for each talking site subtracts its own samples and saturates to 16 bits.
// Talking: level above a silence threshold, and among the `max_talkers` loudest this frame (as
// conference bridges do: a room of 25 open microphones mixes its few speakers, not 25 rooms of
// background noise, and the encoder count stays small). A site that is not talking contributes
// nothing, so what it hears is exactly the full mix: all such sites share one encoding of it.
// Cost: one add and one subtract per sample per talking site; nothing per listener.
// Pure code; each instance is owned by one thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace mcu::media {

constexpr int kMixRate = 48000;
constexpr int kMixFrameSamples = 960;  // 20 ms, mono.

// Level of a frame in dBFS (RMS; -inf for digital silence, reported as -120).
double LevelDbfs(std::span<const int16_t> pcm);

inline int16_t Saturate(int32_t v) {
  return static_cast<int16_t>(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

class MixMinus {
 public:
  explicit MixMinus(double silence_dbfs = -55.0, size_t max_talkers = 4)
      : silence_dbfs_(silence_dbfs), max_talkers_(max_talkers) {}

  // inputs[i]: site i's decoded frame of kMixFrameSamples, or empty if it has none this tick.
  void Mix(const std::vector<std::span<const int16_t>>& inputs);

  size_t sites() const { return talking_.size(); }
  bool talking(size_t i) const { return talking_[i]; }
  // What site i hears: its own mix-minus if it is talking, else the shared full mix.
  std::span<const int16_t> For(size_t i) const;
  std::span<const int16_t> full_mix() const { return full_; }
  size_t talkers() const;

 private:
  double silence_dbfs_;
  size_t max_talkers_;
  std::vector<std::pair<double, size_t>> levels_;
  std::vector<int32_t> sum_;
  std::vector<int16_t> full_;
  std::vector<bool> talking_;
  std::vector<std::vector<int16_t>> own_;  // Indexed by site; filled for talking sites.
};

}  // namespace mcu::media
