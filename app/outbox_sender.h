// The outbox's background sender. Platform API calls are rows in the
// outbox, written in the same transaction as the change that caused them;
// this thread delivers them after commit, in order per lane, and survives
// restarts because the rows do. A lane's head blocks the rest of the lane
// while it is retried, so a person's messages never overtake each other.
// The heads of different lanes (different people, channels) are delivered
// side by side by kParallel worker threads: one call at a time capped
// delivery at one platform round trip per message. A worker takes the next
// due head of a lane that is not already being delivered, so a slow or
// stuck call holds up its own lane only, never the others (the workers
// once delivered in batches and each batch waited for its slowest call:
// one call that never ended stopped every lane). The delivery functions
// must therefore be callable from several threads at once, and each of
// their platform calls has a deadline (handlers/api_call.h).
//
// Outcomes are written by this thread, whatever has finished in one
// transaction: a transaction per delivered item was the most frequent
// write of a busy bot (each rewrote the outbox's pages and waited for a
// sync).
//
// Maybe delivered: an item may have been carried out by the platform
// without our knowing, and is then delivered with
// OutboxItem::maybe_delivered set, so the platform looks before it sends
// again (Slack looks for the message in the channel's history; Matrix
// reuses the transaction id). That is the case for
//   - the head of each lane when the sender starts (it may have been in
//     flight when the last process stopped),
//   - an item whose last attempt ended uncertain (Delivery::uncertain: no
//     answer, a deadline passed, a 5xx),
//   - an item whose outcome could not be written (the commit failed, e.g.
//     on a full disk): a delivery whose outcome is not recorded is as
//     uncertain as one whose answer was lost. After such a failure the
//     sender waits a second before it tries again.
//
// Retry rule (the delivery function classifies each attempt):
//   sent    -> the row is marked sent
//   retry   -> tried again after Retry-After, or after a backoff doubling
//              from 1 s to 5 min (transport errors, 5xx, transient ok:false)
//   failed  -> marked failed and logged (an ok:false that retrying cannot fix)
//
// Stalls: with every call under a deadline no delivery should take long;
// one that has run longer than the stall limit, or a sender thread that is
// that late coming back from a pass or a sleep (stuck in the store, say),
// is a stall. Check() reports it (GET /healthz answers 503) and the log
// says so once, with the item.
//
// Thread-safety: Notify, Stop and Health may be called from any thread.
#ifndef KONTOBOT_APP_OUTBOX_SENDER_H_
#define KONTOBOT_APP_OUTBOX_SENDER_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "app/background_thread.h"
#include "bot/directory.h"
#include "store/store.h"

namespace kontobot::app {

struct Delivery {
  enum class Result { kSent, kRetry, kFailed };
  Delivery(Result r = Result::kSent, std::string e = "",
           std::optional<std::chrono::seconds> after = std::nullopt)
      : result(r), error(std::move(e)), retry_after(after) {}

  Result result = Result::kSent;
  std::string error;
  std::optional<std::chrono::seconds> retry_after;
  // With kRetry: the call may have been carried out all the same (no
  // answer, a 5xx), or an earlier attempt that may have been is still not
  // settled. The next attempt gets OutboxItem::maybe_delivered.
  bool uncertain = false;
  // What the platform's answer to a sent item changes in the store (the
  // message's platform id): written in the transaction that marks the item
  // sent, so both commit together, with one sync instead of two.
  std::function<void(store::Transaction&)> on_sent;
  // What the delivery learned whatever its outcome (a direct channel it
  // opened, a user's e-mail address, which may also be "none"): written
  // in the same transaction as the outcome.
  std::function<void(store::Transaction&)> learned;
  // Called after that transaction has committed (to wake what waited for
  // what was learned).
  std::function<void()> after_commit;
};

// What a delivery needs to know besides its outbox row, read by the sender
// in the transaction that picks the row, so that a platform's delivery
// function opens no transaction of its own (app/platform.h).
// The store's DeliveryState (the message to post or update, none for a row
// carrying its own payload; the recipient's direct channel on the
// platform, once known; the message's (channel, platform id) once posted)
// and what the directory and the store say of the recipient.
struct DeliveryContext : store::DeliveryState {
  // The recipient in the directory; nullptr if none.
  const Person* person = nullptr;
  // The recipient's account on the platform: the directory's, else the one
  // the platform gave for their e-mail address.
  std::optional<std::string> account;
  // The recipient's language, for what the platform adds to a message.
  Lang lang = Lang::kSv;
};

using DeliverFn = std::function<Delivery(const store::OutboxItem&, const DeliveryContext&)>;

// `d` for an item whose earlier attempt may have been carried out: until
// the post is made, that attempt stays unsettled (Delivery::uncertain).
inline Delivery NotYet(const store::OutboxItem& item, Delivery d) {
  d.uncertain = d.uncertain || item.maybe_delivered;
  return d;
}

class OutboxSender {
 public:
  // `directory` names the recipients of the DeliveryContext.
  OutboxSender(store::Store& store, const Directory& directory, const Clock& clock,
               std::shared_ptr<spdlog::logger> log);
  ~OutboxSender();

  // Registers the delivery function of `platform`. Before Start().
  void Handle(const std::string& platform, DeliverFn deliver);
  // A delivery running longer than `limit` is a stall (default 60 s).
  // Before Start().
  void SetStallAfter(std::chrono::milliseconds limit) { stall_after_ = limit; }
  // Reads the lanes' heads (maybe delivered, see above) and starts the
  // threads. Throws if the database cannot be read.
  void Start();
  // Wakes the sender: something was committed.
  void Notify();
  // Lets the deliveries in progress finish, records them, and stops.
  void Stop();

  struct Health {
    bool stalled = false;
    size_t in_flight = 0;                  // deliveries running now
    std::chrono::milliseconds longest{0};  // the longest of them so far
    std::chrono::milliseconds late{0};     // the sender thread, coming round
  };
  // How the sender is doing now; logs when a stall begins and ends.
  Health Check();

 private:
  using Steady = std::chrono::steady_clock;
  struct Ready {
    store::OutboxItem item;
    DeliveryContext context;
  };
  struct Finished {
    store::OutboxItem item;
    Delivery result;
  };
  struct Running {
    store::OutboxItem item;
    Steady::time_point since;
  };

  void Loop();
  void Work();
  // Queues due heads of idle lanes for the workers; returns how long to
  // sleep at most.
  std::chrono::milliseconds Dispatch();
  // Writes `finished` in one transaction; false (logged) if it failed.
  bool RecordAll(const std::vector<Finished>& finished);
  // What delivering `item` needs to know, read in `tx`.
  DeliveryContext ContextOf(store::Transaction& tx, const store::OutboxItem& item) const;
  // Calls the platform's delivery function for `ready`.
  Delivery Deliver(const Ready& ready) const;
  // Writes the outcome of delivering `item`.
  void Record(store::Transaction& tx, const store::OutboxItem& item, const Delivery& result);
  // REQUIRES: mu_ held.
  Health CheckLocked(Steady::time_point now);
  static std::string LaneOf(const store::OutboxItem& item) {
    return item.platform + '\n' + item.lane;
  }

  static constexpr size_t kParallel = 4;

  store::Store& store_;
  const Directory& directory_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  std::map<std::string, DeliverFn> deliver_;
  std::chrono::milliseconds stall_after_{60000};

  std::mutex mu_;
  std::condition_variable work_cv_;  // wakes the workers
  bool running_ = false;
  std::deque<Ready> ready_heads_;         // taken by the workers
  std::map<int64_t, Running> in_flight_;  // by outbox id
  std::vector<Finished> finished_;        // not yet written
  std::set<std::string> busy_lanes_;      // lanes in ready_heads_, in_flight_ or finished_
  // When the sender thread is due back from its current pass or sleep.
  Steady::time_point back_by_;
  bool stall_logged_ = false;

  // The sender thread's alone.
  std::set<int64_t> maybe_delivered_;
  std::vector<std::thread> workers_;
  BackgroundThread thread_{mu_, "kb-outbox", BackgroundThread::Priority::kBehind};
};

}  // namespace kontobot::app

#endif  // KONTOBOT_APP_OUTBOX_SENDER_H_
