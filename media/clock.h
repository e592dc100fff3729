// The media core's clock: microseconds on the monotonic clock (timers, RTT, jitter, deadlines).
#pragma once

#include <chrono>
#include <cstdint>

namespace mcu::media {

inline int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace mcu::media
