#include "app/outbox_sender.h"

#include <algorithm>
#include <exception>

namespace kontobot::app {

namespace {

std::chrono::milliseconds Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

// E-mail addresses are kept lower-cased (the platforms give them so).
std::string AsciiLower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

OutboxSender::OutboxSender(store::Store& store, const Directory& directory, const Clock& clock,
                           std::shared_ptr<spdlog::logger> log)
    : store_(store), directory_(directory), clock_(clock), log_(std::move(log)) {}

OutboxSender::~OutboxSender() { Stop(); }

void OutboxSender::Handle(const std::string& platform, DeliverFn deliver) {
  deliver_[platform] = std::move(deliver);
}

void OutboxSender::Start() {
  {
    store::Transaction tx(store_);
    for (const auto& [platform, deliver] : deliver_) {
      for (int64_t id : tx.OutboxHeads(platform)) maybe_delivered_.insert(id);
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = true;
    back_by_ = Steady::now();
  }
  thread_.Start([this] { Loop(); });
}

void OutboxSender::Notify() { thread_.Notify(); }

void OutboxSender::Stop() {
  // The sender thread lets the deliveries in flight finish, records them
  // and then stops the workers.
  thread_.Stop();
}

void OutboxSender::Loop() {
  // The workers, started here, inherit the sender thread's name and
  // priority.
  for (size_t n = 0; n < kParallel; ++n) workers_.emplace_back([this] { Work(); });
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    back_by_ = Steady::now();  // at work: late from now on if it does not come back
    std::vector<Finished> finished = std::move(finished_);
    finished_.clear();
    const bool stopping = thread_.stopping();
    lock.unlock();
    std::chrono::milliseconds wait(5000);
    bool recorded = finished.empty() || RecordAll(finished);
    if (!finished.empty()) {
      // Written (or, if that failed, still pending): their lanes' next
      // heads may go now.
      std::lock_guard<std::mutex> freed(mu_);
      for (const Finished& f : finished) busy_lanes_.erase(LaneOf(f.item));
    }
    if (!recorded) {
      wait = std::chrono::milliseconds(1000);  // the disk may be full: not at once
    } else if (!stopping) {
      try {
        wait = Dispatch();
      } catch (const std::exception& e) {
        log_->error("outbox: {}", e.what());
        wait = std::chrono::milliseconds(1000);
      }
    }
    lock.lock();
    const Steady::time_point now = Steady::now();
    back_by_ = now + wait;  // the sleep below is not lateness
    CheckLocked(now);
    if (thread_.stopping() && in_flight_.empty() && finished_.empty()) break;
    thread_.Wait(lock, wait, [this] {
      return !finished_.empty() || (thread_.stopping() && in_flight_.empty());
    });
  }
  running_ = false;
  ready_heads_.clear();  // never started: still pending in the database
  lock.unlock();
  work_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void OutboxSender::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_cv_.wait(lock, [this] { return thread_.stopping() || !ready_heads_.empty(); });
    if (thread_.stopping()) return;
    Ready ready = std::move(ready_heads_.front());
    ready_heads_.pop_front();
    store::OutboxItem& item = ready.item;
    in_flight_[item.id] = Running{item, Steady::now()};
    lock.unlock();
    Delivery result;
    try {
      result = Deliver(ready);
    } catch (const std::exception& e) {
      // Retried like a transport error; it may have gone out before the
      // exception, so the next attempt looks first.
      result = Delivery(Delivery::Result::kRetry, e.what());
      result.uncertain = true;
    }
    lock.lock();
    in_flight_.erase(item.id);
    finished_.push_back(Finished{std::move(item), std::move(result)});
    thread_.NotifyLocked();
  }
}

std::chrono::milliseconds OutboxSender::Dispatch() {
  size_t room = 0;
  size_t busy = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A few more than the workers, so that one finishing finds its next
    // item waiting rather than waiting for this thread.
    size_t queued = ready_heads_.size() + in_flight_.size();
    room = queued < 2 * kParallel ? 2 * kParallel - queued : 0;
    busy = busy_lanes_.size();
  }
  if (room == 0) return std::chrono::milliseconds(5000);  // a worker finishing wakes us
  const TimePoint now = clock_.Now();
  std::vector<Ready> due;
  std::optional<TimePoint> next;
  {
    std::set<std::string> busy_now;  // their heads are not read further
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy_now = busy_lanes_;
    }
    store::Transaction tx(store_);
    for (store::OutboxItem& item : tx.DueOutbox(now, static_cast<int>(room + busy))) {
      if (due.size() == room) break;
      if (busy_now.count(LaneOf(item)) > 0) continue;
      DeliveryContext context = ContextOf(tx, item);
      due.push_back(Ready{std::move(item), std::move(context)});
    }
    next = tx.NextOutboxDue(now);
  }
  size_t queued = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (Ready& ready : due) {
      if (!busy_lanes_.insert(LaneOf(ready.item)).second) continue;  // its lane is being delivered
      ready.item.maybe_delivered = maybe_delivered_.count(ready.item.id) > 0;
      ready_heads_.push_back(std::move(ready));
      ++queued;
    }
  }
  if (queued > 0) work_cv_.notify_all();
  if (!next) return std::chrono::milliseconds(5000);
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*next - now);
  return std::clamp(wait, std::chrono::milliseconds(5), std::chrono::milliseconds(5000));
}

bool OutboxSender::RecordAll(const std::vector<Finished>& finished) {
  try {
    store::Transaction tx(store_);
    for (const Finished& f : finished) Record(tx, f.item, f.result);
    tx.Commit();
  } catch (const std::exception& e) {
    // Not recorded, so still pending: each may have been carried out.
    for (const Finished& f : finished) maybe_delivered_.insert(f.item.id);
    log_->error(
        "outbox: cannot record the outcome of {} deliveries ({}); they are looked for "
        "before they are sent again",
        finished.size(), e.what());
    return false;
  }
  for (const Finished& f : finished) {
    if (f.result.after_commit) f.result.after_commit();
    if (f.result.result == Delivery::Result::kRetry && f.result.uncertain)
      maybe_delivered_.insert(f.item.id);
    else
      maybe_delivered_.erase(f.item.id);
  }
  return true;
}

DeliveryContext OutboxSender::ContextOf(store::Transaction& tx,
                                        const store::OutboxItem& item) const {
  DeliveryContext c;
  if (item.message_id != 0) static_cast<store::DeliveryState&>(c) = tx.DeliveryStateOf(item);
  if (item.person_id.empty()) return c;
  c.person = directory_.Find(item.person_id);
  if (c.person != nullptr) {
    if (auto a = c.person->accounts.find(item.platform); a != c.person->accounts.end()) {
      c.account = a->second;
    } else if (!c.person->email.empty()) {
      c.account = tx.PlatformAccountByEmail(item.platform, AsciiLower(c.person->email));
    }
  }
  c.lang = LanguageOf(c.person, &tx.Languages());
  return c;
}

Delivery OutboxSender::Deliver(const Ready& ready) const {
  auto d = deliver_.find(ready.item.platform);
  if (d == deliver_.end())
    return {Delivery::Result::kFailed, "no sender for " + ready.item.platform};
  return d->second(ready.item, ready.context);
}

void OutboxSender::Record(store::Transaction& tx, const store::OutboxItem& item,
                          const Delivery& result) {
  if (result.learned) result.learned(tx);
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

OutboxSender::Health OutboxSender::Check() {
  std::lock_guard<std::mutex> lock(mu_);
  return CheckLocked(Steady::now());
}

OutboxSender::Health OutboxSender::CheckLocked(Steady::time_point now) {
  Health h;
  if (!running_) return h;
  h.in_flight = in_flight_.size();
  const Running* longest = nullptr;
  for (const auto& [id, r] : in_flight_) {
    if (longest == nullptr || r.since < longest->since) longest = &r;
  }
  if (longest != nullptr) h.longest = Ms(now - longest->since);
  h.late = now > back_by_ ? Ms(now - back_by_) : std::chrono::milliseconds(0);
  h.stalled = h.longest > stall_after_ || h.late > stall_after_;
  if (h.stalled && !stall_logged_) {
    if (h.longest > stall_after_) {
      log_->error("outbox: delivering outbox {} ({} {}) has taken {} s; the sender is stalled",
                  longest->item.id, longest->item.platform, longest->item.kind,
                  h.longest.count() / 1000);
    } else {
      log_->error("outbox: the sender is {} s late coming round; it is stalled",
                  h.late.count() / 1000);
    }
    stall_logged_ = true;
  } else if (!h.stalled && stall_logged_) {
    log_->warn("outbox: the sender is moving again");
    stall_logged_ = false;
  }
  return h;
}

}  // namespace kontobot::app
