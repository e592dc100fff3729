// Specs of mcu/task_queue.h: ordering, cross-thread Invoke, and the stop contract.
#include "mcu/task_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace mcu {
namespace {

TEST(TaskQueue, RunsTasksInPostOrderOnItsOwnThread) {
  std::vector<int> order;
  std::thread::id ran_on;
  {
    TaskQueue q("test-order");
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(q.Post([&order, i] { order.push_back(i); }));
    q.Invoke([&] { ran_on = std::this_thread::get_id(); });
    EXPECT_NE(ran_on, std::this_thread::get_id());
    EXPECT_FALSE(q.IsCurrent());
  }
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(order[i], i);
}

TEST(TaskQueue, IsCurrentOnlyInsideItsTasks) {
  TaskQueue q("test-current");
  bool inside = false;
  q.Invoke([&] { inside = q.IsCurrent(); });
  EXPECT_TRUE(inside);
  EXPECT_FALSE(q.IsCurrent());
}

TEST(TaskQueue, InvokeFromManyThreadsWaitsForEachTask) {
  TaskQueue q("test-invoke");
  int counter = 0;  // Touched only on the queue: no lock needed, and TSan would say otherwise.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        int seen = -1;
        q.Invoke([&] { seen = ++counter; });
        EXPECT_GT(seen, 0);  // Invoke returned after the task ran.
      }
    });
  }
  for (auto& th : threads) th.join();
  int total = 0;
  q.Invoke([&] { total = counter; });
  EXPECT_EQ(total, 400);
}

TEST(TaskQueue, DestructorRunsTasksAlreadyPosted) {
  std::atomic<int> ran{0};
  {
    TaskQueue q("test-drain");
    std::promise<void> gate;
    auto opened = gate.get_future().share();
    q.Post([opened] { opened.wait(); });  // Hold the queue so the next posts pile up.
    for (int i = 0; i < 10; ++i) q.Post([&] { ++ran; });
    gate.set_value();
  }
  EXPECT_EQ(ran.load(), 10);
}

TEST(TaskQueue, PostAfterStopReturnsFalseAndDropsTheTask) {
  TaskQueue q("test-stop");
  bool ran = false;
  q.Stop();
  EXPECT_FALSE(q.Post([&] { ran = true; }));
  q.Invoke([&] { ran = true; });  // Returns at once instead of waiting forever.
  EXPECT_FALSE(ran);
  q.Stop();  // Idempotent.
}

// A task may stop its own queue (a shutdown command handled on the control queue). Stop() then
// cannot join, so the destructor, on the owner's thread, must; the std::thread must never be
// destroyed joinable (that is std::terminate).
TEST(TaskQueueDeathTest, StopFromItsOwnTaskThenDestroyDoesNotTerminate) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        {
          TaskQueue q("test-selfstop");
          std::promise<void> stopped;
          q.Post([&] {
            q.Stop();
            stopped.set_value();
          });
          stopped.get_future().wait();
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace mcu
