// The outbox's background sender. Platform API calls are rows in the
// outbox, written in the same transaction as the change that caused them;
// this thread delivers them after commit, in order per lane, and survives
// restarts because the rows do. A lane's head blocks the rest of the lane
// while it is retried, so a person's messages never overtake each other.
// The heads of different lanes (different people, channels) are delivered
// side by side, up to kParallel calls at a time: one call at a time capped
// delivery at one platform round trip per message (110 messages/s against
// a local fake under load; a few per second would be the ceiling against
// Slack's real round trips), and a slow lane no longer holds up the others
// for longer than the batch it is in. The delivery functions must
// therefore be callable from several threads at once.
//
// A batch's outcomes are written together, in one transaction after its
// last call: a transaction per delivered item was the most frequent write
// of a busy bot (each rewrote the outbox's pages and waited for a sync).
// A crash before that commit leaves the batch's items pending, as one
// in flight always was: the platform's delivery function must cope with
// an item that may have been delivered (Slack looks for it in the
// channel's history first; Matrix reuses the transaction id).
//
// Retry rule (the delivery function classifies each attempt):
//   sent    -> the row is marked sent
//   retry   -> tried again after Retry-After, or after a backoff doubling
//              from 1 s to 5 min (transport errors, 5xx, transient ok:false)
//   failed  -> marked failed and logged (an ok:false that retrying cannot fix)
//
// Thread-safety: Notify and Stop may be called from any thread.
#ifndef KONTOBOT_HANDLERS_OUTBOX_SENDER_H_
#define KONTOBOT_HANDLERS_OUTBOX_SENDER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <spdlog/logger.h>

#include "store/store.h"

namespace kontobot::handlers {

struct Delivery {
  enum class Result { kSent, kRetry, kFailed };
  Delivery(Result r = Result::kSent, std::string e = "",
           std::optional<std::chrono::seconds> after = std::nullopt)
      : result(r), error(std::move(e)), retry_after(after) {}

  Result result = Result::kSent;
  std::string error;
  std::optional<std::chrono::seconds> retry_after;
  // What the platform's answer to a sent item changes in the store (the
  // message's platform id): written in the transaction that marks the item
  // sent, so both commit together, with one sync instead of two.
  std::function<void(store::Transaction&)> on_sent;
};

using DeliverFn = std::function<Delivery(const store::OutboxItem&)>;

class OutboxSender {
 public:
  OutboxSender(store::Store& store, const Clock& clock, std::shared_ptr<spdlog::logger> log);
  ~OutboxSender();

  // Registers the delivery function of `platform`. Before Start().
  void Handle(const std::string& platform, DeliverFn deliver);
  void Start();
  // Wakes the sender: something was committed.
  void Notify();
  // Stops after the call in progress, if any.
  void Stop();

 private:
  void Loop();
  // Delivers what is due; returns how long to sleep at most.
  std::chrono::milliseconds RunOnce();
  // Calls the platform's delivery function for `item`.
  Delivery Deliver(const store::OutboxItem& item) const;
  // Writes the outcome of delivering `item`.
  void Record(store::Transaction& tx, const store::OutboxItem& item, const Delivery& result);

  static constexpr size_t kParallel = 4;

  store::Store& store_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  std::map<std::string, DeliverFn> deliver_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool poked_ = false;
  std::thread thread_;
};

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_OUTBOX_SENDER_H_
