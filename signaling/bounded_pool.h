// A few threads that run posted tasks, with a bounded queue: Post() refuses a task (false) when
// `queue_limit` tasks already wait, so that a flood of costly work (password hashing) is turned
// away at once instead of queueing without end and delaying everyone. Tasks start in the order
// posted, on whichever thread is free.
//
// Threading: Post() from any thread. The destructor runs the tasks already queued, then joins.
#pragma once

#include <pthread.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mcu::signaling {

class BoundedPool {
 public:
  BoundedPool(const std::string& name, int threads, size_t queue_limit) : limit_(queue_limit) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] { Run(); });
      pthread_setname_np(threads_.back().native_handle(), name.substr(0, 15).c_str());
    }
  }
  ~BoundedPool() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  BoundedPool(const BoundedPool&) = delete;
  BoundedPool& operator=(const BoundedPool&) = delete;

  // False (the task dropped) when the queue is full or the pool is stopping.
  bool Post(std::function<void()> task) {
    {
      std::lock_guard lock(mu_);
      if (stopping_ || tasks_.size() >= limit_) return false;
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // Stopping and drained.
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  const size_t limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // Last: started once the members above exist.
};

}  // namespace mcu::signaling
