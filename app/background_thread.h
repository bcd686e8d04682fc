// One of kontobot's own long-running threads: started once, woken when
// there may be work (Notify), stopped and joined once (Stop). The inbound
// queue's landing writer and worker, the outbox sender and the reminder
// scheduler are each one of these; what differs is only the loop they run.
//
// The thread's flags live under its owner's mutex, so that the owner's wait
// can test its own state and the flags in one predicate, without a lost
// wake-up between them:
//
//   std::unique_lock<std::mutex> lock(mu_);
//   while (thread_.Wait(lock, std::chrono::seconds(5), [this] { return !pending_.empty(); })) {
//     ... // woken: work, unlocking around anything slow
//   }
//
// Thread-safety: Notify and Stop may be called from any thread (not from
// the thread itself: Stop joins); Wait, stopping and NotifyLocked with the
// owner's mutex held.
#ifndef KONTOBOT_APP_BACKGROUND_THREAD_H_
#define KONTOBOT_APP_BACKGROUND_THREAD_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace kontobot::app {

class BackgroundThread {
 public:
  // Behind: below the request threads (app/thread_priority.h); threads it
  // starts inherit name and priority.
  enum class Priority { kNormal, kBehind };

  // `mu` is the owner's mutex and must outlive the thread; `name` is what
  // `top -H` shows (15 characters at most).
  BackgroundThread(std::mutex& mu, std::string name, Priority priority)
      : mu_(mu), name_(std::move(name)), priority_(priority) {}
  BackgroundThread(const BackgroundThread&) = delete;
  BackgroundThread& operator=(const BackgroundThread&) = delete;
  ~BackgroundThread() { Stop(); }

  // Runs `loop` on the new thread, named and prioritised. `loop` returns
  // once Wait returns false (or sooner).
  void Start(std::function<void()> loop);
  // Wakes the thread's next or current Wait.
  void Notify();
  // Makes every Wait return false from now on, wakes the thread and joins
  // it. Idempotent.
  void Stop();

  // REQUIRES: `lock` holds the owner's mutex.
  // Waits until Notify, Stop, `ready()` or `timeout`, then forgets the
  // notification. False once Stop has been called: the loop ends.
  template <typename Ready>
  bool Wait(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds timeout, Ready ready) {
    cv_.wait_for(lock, timeout, [&] { return stop_ || notified_ || ready(); });
    notified_ = false;
    return !stop_;
  }
  bool Wait(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds timeout) {
    return Wait(lock, timeout, [] { return false; });
  }
  // REQUIRES: the owner's mutex held. True once Stop has been called.
  bool stopping() const { return stop_; }
  // Notify, for a caller that holds the owner's mutex already.
  void NotifyLocked() {
    notified_ = true;
    cv_.notify_one();
  }

 private:
  std::mutex& mu_;
  const std::string name_;
  const Priority priority_;
  std::condition_variable cv_;
  bool stop_ = false;     // guarded by mu_
  bool notified_ = true;  // guarded by mu_; a new thread looks once at start
  std::thread thread_;
};

}  // namespace kontobot::app

#endif  // KONTOBOT_APP_BACKGROUND_THREAD_H_
