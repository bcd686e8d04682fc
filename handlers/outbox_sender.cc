#include "handlers/outbox_sender.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <vector>

#include "handlers/thread_priority.h"

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
  RunThisThreadBehind("kb-outbox");  // its helper threads inherit both
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

Delivery OutboxSender::Deliver(const store::OutboxItem& item) const {
  auto d = deliver_.find(item.platform);
  if (d == deliver_.end()) return {Delivery::Result::kFailed, "no sender for " + item.platform};
  return d->second(item);
}

void OutboxSender::Record(store::Transaction& tx, const store::OutboxItem& item,
                          const Delivery& result) {
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
    std::vector<std::optional<Delivery>> results(due.size());
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    auto work = [&] {
      for (size_t i = next++; i < due.size(); i = next++) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (stop_) return;
        }
        try {
          results[i] = Deliver(due[i]);
        } catch (const std::exception&) {  // the item stays pending
          std::lock_guard<std::mutex> lock(mu_);
          if (!error) error = std::current_exception();
        }
      }
    };
    std::vector<std::thread> helpers;
    for (size_t n = 1; n < std::min<size_t>(kParallel, due.size()); ++n) helpers.emplace_back(work);
    work();
    for (std::thread& t : helpers) t.join();
    // The batch's outcomes in one transaction: one commit per item was the
    // most frequent write of a busy bot (see the header).
    {
      store::Transaction tx(store_);
      for (size_t i = 0; i < due.size(); ++i) {
        if (results[i]) Record(tx, due[i], *results[i]);
      }
      tx.Commit();
    }
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
