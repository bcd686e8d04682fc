#include "app/reminder_scheduler.h"

#include <algorithm>

namespace kontobot::app {
namespace {

constexpr int kTimersPerPass = 200;
constexpr auto kMaxSleep = std::chrono::minutes(1);

}  // namespace

ReminderScheduler::ReminderScheduler(ConversationService& service, const Clock& clock,
                                     std::shared_ptr<spdlog::logger> log)
    : service_(service), clock_(clock), log_(std::move(log)) {}

ReminderScheduler::~ReminderScheduler() { Stop(); }

void ReminderScheduler::Start() {
  thread_.Start([this] { Loop(); });
}

void ReminderScheduler::Notify() { thread_.Notify(); }

void ReminderScheduler::Stop() { thread_.Stop(); }

void ReminderScheduler::Loop() {
  std::chrono::milliseconds sleep = kMaxSleep;
  std::unique_lock<std::mutex> lock(mu_);
  while (thread_.Wait(lock, sleep)) {  // at once the first time
    lock.unlock();
    try {
      // A full batch may mean more are due: go again at once.
      while (service_.FireDueTimers(kTimersPerPass) == kTimersPerPass) {
        std::lock_guard<std::mutex> check(mu_);
        if (thread_.stopping()) return;
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
    lock.lock();
  }
}

}  // namespace kontobot::app
