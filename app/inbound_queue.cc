#include "app/inbound_queue.h"

#include <chrono>
#include <filesystem>

namespace kontobot::app {

namespace {
// Most events one processing transaction takes, and how long it may run
// before it commits: both bound how long a conversation turn or a button
// press can wait for the store behind it (acknowledgements never do: they
// go to the landing file). A batch used to commit early whenever another
// transaction waited; with the outbox sender waiting often, that made
// commits so frequent that processing ran a third slower. A commit costs
// about the same however many events it holds (the same pages of the same
// tables), so the batch is as large as that wait allows. In the Slack
// benchmark at 64 connections (bench/slack_events.sh), 64 events or 8 ms
// processed about 7,000 events/s; 32 or 4 ms about 5,400; 128 or 16 ms
// about 7,700.
constexpr int kBatch = 64;
constexpr auto kBatchTime = std::chrono::milliseconds(8);
}  // namespace

InboundQueue::InboundQueue(store::Store& store, const Clock& clock,
                           std::shared_ptr<spdlog::logger> log)
    : store_(store), clock_(clock), log_(std::move(log)) {}

InboundQueue::~InboundQueue() { Stop(); }

void InboundQueue::Handle(const std::string& platform, ProcessFn process) {
  process_[platform] = std::move(process);
}

void InboundQueue::Start() {
  // Without a platform to process for, no landing file is made; one left
  // by an earlier configuration is still moved (its events then fail as
  // having no processor, and are kept).
  std::string path = store_.path() + "-inbound";
  if (!process_.empty() || std::filesystem::exists(path)) {
    landing_ = std::make_unique<store::Landing>(path, store_.vfs());
    int64_t mark = 0;
    {
      store::Transaction tx(store_);
      mark = tx.LandingMovedThrough();
    }
    landing_->Resume(mark);
    moved_through_ = mark;
  }
  writer_.Start([this] { WriterLoop(); });
  worker_.Start([this] { WorkerLoop(); });
}

void InboundQueue::Submit(std::string platform, std::string event_id, std::string payload,
                          std::function<void(bool)> done) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.push_back(
      {std::move(platform), std::move(event_id), std::move(payload), std::move(done)});
  writer_.NotifyLocked();
}

void InboundQueue::Notify() { worker_.Notify(); }

void InboundQueue::Stop() {
  // The writer first: it stores what was submitted before it ends.
  writer_.Stop();
  worker_.Stop();
}

void InboundQueue::WriterLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    bool running =
        writer_.Wait(lock, std::chrono::minutes(1), [this] { return !pending_.empty(); });
    if (pending_.empty()) {
      if (!running) return;  // stopping, and everything submitted is stored
      continue;
    }
    std::vector<Pending> batch;
    batch.swap(pending_);
    lock.unlock();
    bool stored = false;
    try {
      if (!landing_) throw std::runtime_error("no landing file");
      std::vector<store::LandedEvent> events;
      events.reserve(batch.size());
      TimePoint now = clock_.Now();
      for (Pending& p : batch)
        events.push_back(
            {0, std::move(p.platform), std::move(p.event_id), std::move(p.payload), now});
      landing_->Land(events, moved_through_.load());  // returns once durable
      stored = true;
    } catch (const std::exception& e) {
      log_->error("inbound queue: {} events not stored: {}", batch.size(), e.what());
    }
    for (Pending& p : batch) p.done(stored);
    lock.lock();
    if (stored) worker_.NotifyLocked();
  }
}

void InboundQueue::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (worker_.Wait(lock, std::chrono::seconds(5))) {  // at once the first time
    lock.unlock();
    try {
      while (ProcessBatch()) {
        std::lock_guard<std::mutex> check(mu_);
        if (worker_.stopping()) break;
      }
    } catch (const std::exception& e) {
      // The store failed (disk full?); the events stay queued for the next try.
      log_->error("inbound queue: {}", e.what());
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    lock.lock();
  }
}

bool InboundQueue::ProcessBatch() {
  // Read before the transaction: only this thread moves events, and the
  // read may wait for the writer's sync, which must not hold up the store.
  std::vector<store::LandedEvent> landed;
  if (landing_) landed = landing_->After(moved_through_.load(), kBatch);
  store::Transaction tx(store_);
  for (const store::LandedEvent& l : landed)
    tx.QueueInbound(l.platform, l.event_id, l.payload, l.received_at);  // false: a repeat
  if (!landed.empty()) tx.SetLandingMovedThrough(landed.back().id);
  std::vector<store::QueuedEvent> ready = tx.ReadyInbound(kBatch);
  if (ready.empty() && landed.empty()) return false;
  auto start = std::chrono::steady_clock::now();
  for (const store::QueuedEvent& e : ready) {
    tx.Savepoint();
    try {
      auto it = process_.find(e.platform);
      if (it == process_.end()) throw std::runtime_error("no processor for " + e.platform);
      if (it->second(tx, e) == Processed::kDone) tx.DoneInbound(e.id);
      tx.ReleaseSavepoint();
    } catch (const std::exception& ex) {
      tx.RollbackToSavepoint();
      tx.FailInbound(e.id, ex.what());
      log_->error("inbound {} event {} failed and is kept as failed: {}", e.platform, e.event_id,
                  ex.what());
    }
    if (std::chrono::steady_clock::now() - start > kBatchTime) break;
  }
  tx.Commit();
  if (!landed.empty()) moved_through_ = landed.back().id;
  if (on_commit_) on_commit_();
  return true;
}

}  // namespace kontobot::app
