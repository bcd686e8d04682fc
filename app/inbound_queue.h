// The inbound queue: a platform event is acknowledged as soon as it is
// stored durably, and processed behind the acknowledgement. This is the
// design Slack recommends for its three-second rule, and it turns one
// fsync per event into one per batch on both sides:
//
//   Submit (request threads) -> writer thread: one transaction stores every
//     event submitted meanwhile in the landing file (store/landing.h, a
//     database of its own beside the main one), and only once that commit
//     is synced calls each event's `done`, which sends the 2xx. An
//     acknowledged event is therefore never lost, and storing it never
//     waits for a transaction on the main database.
//   worker thread: moves landed events into the main database's
//     inbound_queue (inbound_events de-duplicates: a repeated event_id, as
//     in Slack's retries, is moved once) together with the landing mark,
//     takes ready events in arrival order and processes many in the same
//     transaction, each inside a savepoint, deleting each queue row
//     together with that event's effects; so every acknowledged event takes
//     effect exactly once, also across a kill -9 (the worker resumes the
//     landing file and the queue at start). A batch commits after a few
//     milliseconds, so that a conversation turn does not wait long behind
//     it. An event that throws is rolled back to its savepoint and kept as
//     'failed' with the error, not retried.
//
// A platform's process function may park an event (Processed::kParked:
// it set the row's waiting_for) until something it needs has arrived, and
// then release it (Transaction::ReleaseInbound) and call Notify().
//
// Thread-safety: Submit, Notify and Stop may be called from any thread.
#ifndef KONTOBOT_APP_INBOUND_QUEUE_H_
#define KONTOBOT_APP_INBOUND_QUEUE_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "app/background_thread.h"
#include "store/landing.h"
#include "store/store.h"

namespace kontobot::app {

enum class Processed { kDone, kParked };
using ProcessFn = std::function<Processed(store::Transaction&, const store::QueuedEvent&)>;

class InboundQueue {
 public:
  InboundQueue(store::Store& store, const Clock& clock, std::shared_ptr<spdlog::logger> log);
  ~InboundQueue();

  // Registers the process function of `platform`. Before Start().
  void Handle(const std::string& platform, ProcessFn process);
  // Called after every processing commit (which may have queued outbox rows).
  void OnCommit(std::function<void()> fn) { on_commit_ = std::move(fn); }
  void Start();

  // Stores `payload` as event `event_id` of `platform` (unless that event
  // was stored before) and then calls done(true) on the writer thread, once
  // the commit is durable; done(false) if it could not be stored.
  void Submit(std::string platform, std::string event_id, std::string payload,
              std::function<void(bool)> done);
  // Wakes the worker: parked events were released.
  void Notify();
  // Stores what was submitted, finishes the batch in progress, and stops.
  void Stop();

 private:
  struct Pending {
    std::string platform;
    std::string event_id;
    std::string payload;
    std::function<void(bool)> done;
  };
  void WriterLoop();
  void WorkerLoop();
  // Processes one batch; false if nothing was ready.
  bool ProcessBatch();

  store::Store& store_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  std::map<std::string, ProcessFn> process_;
  std::function<void()> on_commit_;
  std::unique_ptr<store::Landing> landing_;  // opened by Start()
  // The landing mark as last committed; written by the worker only.
  std::atomic<int64_t> moved_through_{0};

  std::mutex mu_;
  std::vector<Pending> pending_;  // guarded by mu_
  // The writer acknowledges: it runs at the request threads' priority.
  BackgroundThread writer_{mu_, "kb-landing", BackgroundThread::Priority::kNormal};
  BackgroundThread worker_{mu_, "kb-inbound", BackgroundThread::Priority::kBehind};
};

}  // namespace kontobot::app

#endif  // KONTOBOT_APP_INBOUND_QUEUE_H_
