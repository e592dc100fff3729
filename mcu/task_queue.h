// A single-threaded executor: tasks posted from any thread run in order on one owned thread.
// The domain's mutable state (conferences, sessions) lives on one TaskQueue, the control
// executor; callers on the signaling or media threads hand work to it with Post().
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace mcu {

class TaskQueue {
 public:
  explicit TaskQueue(std::string name);
  ~TaskQueue();  // Runs the tasks already posted, then joins.
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  // Returns false (and drops the task) once the queue is stopping.
  bool Post(std::function<void()> task);
  // Posts and waits for completion (or for the drop, when stopping); never from this queue's
  // thread.
  void Invoke(const std::function<void()>& task);
  bool IsCurrent() const { return std::this_thread::get_id() == thread_.get_id(); }
  void Stop();

 private:
  void Run();

  std::string name_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;  // Last: started after the members above exist.
};

}  // namespace mcu

// Debug check that code runs on the executor that owns the state it touches.
#define MCU_DCHECK_RUN_ON(queue) assert((queue)->IsCurrent())
