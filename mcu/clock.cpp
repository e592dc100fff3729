#include "mcu/clock.h"

#include <chrono>

namespace mcu {

namespace {
class WallClock final : public Clock {
 public:
  int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};
}  // namespace

Clock& SystemClock() {
  static WallClock clock;
  return clock;
}

}  // namespace mcu
