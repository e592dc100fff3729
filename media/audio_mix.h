// Mix-minus for a conference: every site hears everyone but itself.
//
// Each 20 ms, the audio thread decodes each site once, then `MixMinus::Mix` sums the sites that
// are talking once, and for each talking site subtracts its own samples and saturates to 16 bits.
// Talking: level above a silence threshold, and among the `max_talkers` loudest this frame (as
// conference bridges do: a room of 25 open microphones mixes its few speakers, not 25 rooms of
// background noise, and the encoder count stays small). A site that is not talking contributes
// nothing, so what it hears is exactly the full mix: all such sites share one encoding of it.
// Hysteresis on the talker set: a site that talked last frame, is still above the threshold and
// was among the `max_talkers` loudest within the last `hold_frames` frames (200 ms) ranks as if
// it were `margin_db` louder. So sites of about the same level at the edge of the top few no
// longer swap frame by frame (each swap started another site's own encoder mid-word and cut a
// syllable out of what the others heard); a newcomer clearly louder (by the margin) still takes
// a slot at once, and a talker that is no longer among the loudest gives its slot up after the
// hold. Frames are matched to sites by index: call ForgetHistory() when the site list changes.
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
  explicit MixMinus(double silence_dbfs = -55.0, size_t max_talkers = 4, int hold_frames = 10,
                    double margin_db = 6.0)
      : silence_dbfs_(silence_dbfs),
        max_talkers_(max_talkers),
        hold_frames_(hold_frames),
        margin_db_(margin_db) {}

  // inputs[i]: site i's decoded frame of kMixFrameSamples, or empty if it has none this tick.
  void Mix(const std::vector<std::span<const int16_t>>& inputs);

  size_t sites() const { return talking_.size(); }
  bool talking(size_t i) const { return talking_[i]; }
  // What site i hears: its own mix-minus if it is talking, else the shared full mix.
  std::span<const int16_t> For(size_t i) const;
  std::span<const int16_t> full_mix() const { return full_; }
  size_t talkers() const;
  // Site i's level this frame in dBFS (as LevelDbfs); -infinity if it had no frame.
  double level(size_t i) const { return level_[i]; }
  // The site list changed (indices now mean other sites): no site is an incumbent talker.
  void ForgetHistory() { frame_ = 0, last_top_.clear(), was_talking_.clear(); }

 private:
  double silence_dbfs_;
  size_t max_talkers_;
  int hold_frames_;
  double margin_db_;
  uint64_t frame_ = 0;
  std::vector<uint64_t> last_top_;  // Per site: the last frame it was among the loudest (0: never).
  std::vector<bool> was_talking_;   // Per site: talking in the previous frame.
  std::vector<double> level_;
  std::vector<std::pair<double, size_t>> levels_;
  std::vector<int32_t> sum_;
  std::vector<int16_t> full_;
  std::vector<bool> talking_;
  std::vector<std::vector<int16_t>> own_;  // Indexed by site; filled for talking sites.
};

}  // namespace mcu::media
