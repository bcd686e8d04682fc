#include "handlers/outbox_sender.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <vector>

namespace kontobot::handlers {

OutboxSender::OutboxSender(store::Store& store, const Clock& clock,
                           std::shared_ptr<spdlog::logger> log)
    : store_(store), clock_(clock), log_(std::move(log)) {}

OutboxSender::~OutboxSender() { Stop(); }

void OutboxSender::Handle(const std::string& platform, DeliverFn deliver) {
  deliver_[platform] = std::move(deliver);
}

void OutboxSender::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void OutboxSender::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    poked_ = true;
  }
  cv_.notify_one();
}

void OutboxSender::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void OutboxSender::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    poked_ = false;
    lock.unlock();
    std::chrono::milliseconds wait(1000);
    try {
      wait = RunOnce();
    } catch (const std::exception& e) {
      log_->error("outbox: {}", e.what());
    }
    lock.lock();
    cv_.wait_for(lock, wait, [this] { return stop_ || poked_; });
  }
}

void OutboxSender::DeliverOne(const store::OutboxItem& item) {
  auto d = deliver_.find(item.platform);
  Delivery result = d == deliver_.end()
                        ? Delivery{Delivery::Result::kFailed, "no sender for " + item.platform, {}}
                        : d->second(item);
  store::Transaction tx(store_);
  switch (result.result) {
    case Delivery::Result::kSent:
      if (result.on_sent) result.on_sent(tx);
      tx.MarkSent(item.id, clock_.Now());
      break;
    case Delivery::Result::kRetry: {
      auto backoff =
          std::chrono::seconds(std::min<int64_t>(int64_t{1} << std::min(item.attempts, 9), 300));
      auto after = result.retry_after.value_or(backoff);
      tx.Reschedule(item.id, clock_.Now() + after, result.error);
      log_->warn("outbox {} ({} {}): {}; retrying in {} s", item.id, item.platform, item.kind,
                 result.error, after.count());
      break;
    }
    case Delivery::Result::kFailed:
      tx.MarkFailed(item.id, result.error);
      log_->error("outbox {} ({} {}) failed: {}", item.id, item.platform, item.kind, result.error);
      break;
  }
  tx.Commit();
}

std::chrono::milliseconds OutboxSender::RunOnce() {
  for (int batch = 0; batch < 100; ++batch) {
    std::vector<store::OutboxItem> due;
    {
      store::Transaction tx(store_);
      due = tx.DueOutbox(clock_.Now(), 32);
    }
    if (due.empty()) break;
    // One item per lane, so the lanes' heads may go out side by side; the
    // batch ends before a lane's next item is read.
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    auto work = [&] {
      for (size_t i = next++; i < due.size(); i = next++) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (stop_) return;
        }
        try {
          DeliverOne(due[i]);
        } catch (const std::exception&) {  // the store failed; the item stays pending
          std::lock_guard<std::mutex> lock(mu_);
          if (!error) error = std::current_exception();
        }
      }
    };
    std::vector<std::thread> helpers;
    for (size_t n = 1; n < std::min<size_t>(kParallel, due.size()); ++n) helpers.emplace_back(work);
    work();
    for (std::thread& t : helpers) t.join();
    if (error) std::rethrow_exception(error);  // Loop waits a second before trying again
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return std::chrono::milliseconds(0);
    }
  }
  store::Transaction tx(store_);
  auto next = tx.NextOutboxDue();
  if (!next) return std::chrono::milliseconds(5000);
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_.Now());
  return std::clamp(wait, std::chrono::milliseconds(5), std::chrono::milliseconds(5000));
}

}  // namespace kontobot::handlers
