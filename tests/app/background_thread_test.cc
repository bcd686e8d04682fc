// Strategy: a BackgroundThread whose loop counts its passes and reports
// each over a condition variable of the test's own; no sleeps: every step
// waits for the pass it caused.
#include "app/background_thread.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

namespace kontobot::app {
namespace {

class BackgroundThreadTest : public ::testing::Test {
 protected:
  // The loop: one pass per wake-up, however long the timeout.
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (thread_.Wait(lock, std::chrono::hours(1))) {
      ++passes_;
      passed_.notify_all();
    }
    ended_ = true;
  }
  void AwaitPasses(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    passed_.wait(lock, [&] { return passes_ >= n; });
  }

  std::mutex mu_;
  std::condition_variable passed_;
  int passes_ = 0;
  bool ended_ = false;
  BackgroundThread thread_{mu_, "kb-test", BackgroundThread::Priority::kBehind};
};

TEST_F(BackgroundThreadTest, LooksOnceAtStartThenOncePerNotify) {
  thread_.Start([this] { Loop(); });
  AwaitPasses(1);  // without a Notify: a new thread looks at once
  thread_.Notify();
  AwaitPasses(2);
  {
    std::lock_guard<std::mutex> lock(mu_);
    thread_.NotifyLocked();
  }
  AwaitPasses(3);
  thread_.Stop();
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_TRUE(ended_);
  EXPECT_EQ(passes_, 3);
  EXPECT_TRUE(thread_.stopping());
}

TEST_F(BackgroundThreadTest, StopEndsAWaitAtOnceAndIsIdempotent) {
  thread_.Start([this] { Loop(); });
  AwaitPasses(1);
  thread_.Stop();  // the loop waits an hour unless Stop wakes it
  thread_.Stop();
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_TRUE(ended_);
}

TEST_F(BackgroundThreadTest, StateReadyBeforeTheWaitIsNotWaitedFor) {
  // The owner's state changed while the thread was not waiting, with no
  // Notify (the start's pass used it up): the predicate, tested under the
  // same mutex, ends the hour's wait at once.
  bool ready = false;
  int woken = 0;
  thread_.Start([&] {
    std::unique_lock<std::mutex> lock(mu_);
    ASSERT_TRUE(thread_.Wait(lock, std::chrono::hours(1)));  // the start's pass
    ready = true;
    while (thread_.Wait(lock, std::chrono::hours(1), [&] { return ready; })) {
      ++woken;
      ready = false;
      passed_.notify_all();
    }
  });
  {
    std::unique_lock<std::mutex> lock(mu_);
    passed_.wait(lock, [&] { return woken >= 1; });
  }
  thread_.Stop();
  EXPECT_EQ(woken, 1);
}

TEST(BackgroundThread, StopWithoutStartIsHarmless) {
  std::mutex mu;
  BackgroundThread t(mu, "kb-test", BackgroundThread::Priority::kNormal);
  t.Stop();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_TRUE(t.stopping());
}

}  // namespace
}  // namespace kontobot::app
