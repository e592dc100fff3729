// A debug check that every call comes from one thread: the first one to call (WebRTC's
// SequenceChecker, reduced to threads). For state whose owner is a thread this library does not
// create, such as the domain's control executor that calls a MediaRoom.
#pragma once

#include <atomic>
#include <cassert>
#include <thread>

namespace mcu::media {

class ThreadChecker {
 public:
  // True on the owning thread; the first caller becomes the owner.
  bool IsCurrent() const {
    std::thread::id none;
    const std::thread::id me = std::this_thread::get_id();
    return owner_.compare_exchange_strong(none, me) || none == me;
  }

 private:
  mutable std::atomic<std::thread::id> owner_{};
};

}  // namespace mcu::media

#define MCU_DCHECK_THREAD(checker) assert((checker).IsCurrent())
