#include "task_queue.h"

#include <cassert>
#include <future>

#include <pthread.h>

namespace mcu {

TaskQueue::TaskQueue(std::string name) : name_(std::move(name)), thread_([this] { Run(); }) {
  pthread_setname_np(thread_.native_handle(), name_.substr(0, 15).c_str());
}

TaskQueue::~TaskQueue() { Stop(); }

void TaskQueue::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  // Stop() may first be called from a task of this queue (it cannot join itself then); the
  // destructor, on another thread, joins.
  if (thread_.joinable() && !IsCurrent()) thread_.join();
}

bool TaskQueue::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void TaskQueue::Invoke(const std::function<void()>& task) {
  assert(!IsCurrent());
  std::promise<void> done;
  if (!Post([&] {
        task();
        done.set_value();
      })) {
    return;
  }
  done.get_future().wait();
}

void TaskQueue::Run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace mcu
