// A clock a test moves by hand (mcu/clock.h).
#pragma once

#include <atomic>
#include <cstdint>

#include "mcu/clock.h"

namespace mcu::test {

class FakeClock final : public Clock {
 public:
  // 2026-12-04 08:00:00 +07:00: a working morning in the province.
  explicit FakeClock(int64_t start_ms = 1796346000000) : now_ms_(start_ms) {}
  int64_t NowMs() const override { return now_ms_.load(); }
  void Advance(int64_t ms) { now_ms_ += ms; }
  void Set(int64_t ms) { now_ms_ = ms; }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace mcu::test
