// Timestamps that never go back, for an encoder that drops every frame whose timestamp is not
// above the last one's (vp8enc: "decreasing pts"). A stream whose timestamps start again from
// zero (a link's view compositor does at times: after a resize, and when a site's branch joins)
// is shifted so that its frames keep their spacing and follow the last one. Pure: the caller owns
// the state and calls it from one thread (a link view's streaming thread, mix_link_view.cpp).
#pragma once

#include <cstdint>

namespace mcu::media {

class MonotonicPts {
 public:
  // The timestamp to use for a frame stamped `pts` lasting `duration` (both ns; duration <= 0
  // when not known: one frame at 30 fps is assumed).
  uint64_t Next(uint64_t pts, int64_t duration) {
    uint64_t out = pts + shift_;
    if (started_ && out <= last_) {
      const uint64_t step = duration > 0 ? static_cast<uint64_t>(duration) : kFrameNs;
      shift_ += last_ + step - out;
      out = last_ + step;
      ++restarts_;
    }
    started_ = true;
    last_ = out;
    return out;
  }
  int restarts() const { return restarts_; }  // How many times the input went back.

 private:
  static constexpr uint64_t kFrameNs = 1'000'000'000 / 30;
  bool started_ = false;
  uint64_t last_ = 0;
  uint64_t shift_ = 0;  // Added to every timestamp since the last restart.
  int restarts_ = 0;
};

}  // namespace mcu::media
