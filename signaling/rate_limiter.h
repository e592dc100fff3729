// A token bucket: `rate` tokens per second, up to `burst`. Pure; the caller supplies time.
#pragma once

#include <algorithm>
#include <cstdint>

namespace mcu::signaling {

class TokenBucket {
 public:
  TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}
  // Takes one token at `now_s` (seconds, monotonic); false if none is left.
  bool Take(double now_s) {
    if (last_s_ >= 0) tokens_ = std::min(burst_, tokens_ + (now_s - last_s_) * rate_);
    last_s_ = now_s;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  double rate_, burst_, tokens_;
  double last_s_ = -1;
};

}  // namespace mcu::signaling
