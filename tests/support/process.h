// Child processes and temporary directories for integration tests: real binaries started on
// loopback, their output kept in files for the failure message.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/files.h"

namespace mcu::test {

class Process {
 public:
  // Starts `argv[0]` with arguments; stdout and stderr go to `log_path`.
  Process(std::vector<std::string> argv, std::string log_path);
  ~Process();  // SIGTERM, then SIGKILL after 5 s.
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  void Signal(int sig);
  // Waits for exit; returns the exit status (or -signal), or -1000 on timeout.
  int Wait(std::chrono::milliseconds timeout);
  void Stop();
  std::string Log() const;  // The whole log so far.
  const std::string& log_path() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
  std::string log_path_;
};

// Polls until `pred` is true or the timeout passes; returns pred's last value.
template <typename Pred>
bool WaitUntil(Pred pred, std::chrono::milliseconds timeout,
               std::chrono::milliseconds step = std::chrono::milliseconds(50));

}  // namespace mcu::test

#include <thread>
template <typename Pred>
bool mcu::test::WaitUntil(Pred pred, std::chrono::milliseconds timeout,
                          std::chrono::milliseconds step) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(step);
  }
  return pred();
}
