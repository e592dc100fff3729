// Rate limit for keyframes forced on one encoder: every site's PLI/FIR for a shared composite
// stream lands here, and a burst of them costs at most one extra keyframe per interval.
// Pure code; not thread-safe: owned by the thread that drives the encoder.
#pragma once

#include <cstdint>

namespace mcu::media {

class KeyframeCoalescer {
 public:
  explicit KeyframeCoalescer(int64_t min_interval_us = 1'000'000)
      : min_interval_us_(min_interval_us) {}

  // True if a keyframe should be forced now: the first request ever, or `min_interval_us` has
  // passed since the last keyframe. Otherwise the request is remembered (once) for Poll.
  bool Request(int64_t now_us);
  // True, once, when a remembered request becomes due; call it from a periodic timer.
  bool Poll(int64_t now_us);
  // The encoder produced a keyframe on its own: it satisfies what is pending and restarts the
  // interval.
  void OnKeyframeProduced(int64_t now_us);
  bool pending() const { return pending_; }

 private:
  bool Due(int64_t now_us) const {
    return !has_keyframe_ || now_us - last_keyframe_us_ >= min_interval_us_;
  }

  const int64_t min_interval_us_;
  bool has_keyframe_ = false;
  int64_t last_keyframe_us_ = 0;
  bool pending_ = false;
};

}  // namespace mcu::media
