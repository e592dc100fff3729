// The domain's clock: wall time in milliseconds since the Unix epoch. Schedules, call records,
// redial delays and the "flowing" window all read it through this port, so that a test drives
// time (tests/fakes/fake_clock.h) and a whole conference day runs in microseconds.
//
// Threading: NowMs() may be called from any thread.
#pragma once

#include <cstdint>

namespace mcu {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() const = 0;
  int64_t NowS() const { return NowMs() / 1000; }
};

// The system's wall clock (a process-wide instance).
Clock& SystemClock();

}  // namespace mcu
