#include "handlers/reminder_scheduler.h"

#include <algorithm>

#include "handlers/thread_priority.h"

namespace kontobot::handlers {
namespace {

constexpr int kBatch = 200;
constexpr auto kMaxSleep = std::chrono::minutes(1);

}  // namespace

ReminderScheduler::ReminderScheduler(ConversationService& service, const Clock& clock,
                                     std::shared_ptr<spdlog::logger> log)
    : service_(service), clock_(clock), log_(std::move(log)) {}

ReminderScheduler::~ReminderScheduler() { Stop(); }

void ReminderScheduler::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void ReminderScheduler::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    poked_ = true;
  }
  cv_.notify_one();
}

void ReminderScheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void ReminderScheduler::Loop() {
  RunThisThreadBehind("kb-reminders");
  std::chrono::milliseconds sleep = kMaxSleep;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stop_) return;
      poked_ = false;
    }
    try {
      // A full batch may mean more are due: go again at once.
      while (service_.FireDueTimers(kBatch) == kBatch) {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_) return;
      }
      auto next = service_.NextTimerDue();
      sleep = kMaxSleep;
      if (next) {
        auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_.Now());
        sleep =
            std::clamp<std::chrono::milliseconds>(until, std::chrono::milliseconds(1), kMaxSleep);
      }
    } catch (const std::exception& e) {
      log_->error("reminders: {}", e.what());
      sleep = std::chrono::seconds(5);
    }
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, sleep, [this] { return stop_ || poked_; });
  }
}

}  // namespace kontobot::handlers
