// The platform port: what the application core needs of a chat platform
// (Slack, Matrix), and all it knows of one. The core names a platform only
// by name(): the channel of the messages written for it, the platform of
// its outbox rows and of its queued events. Everything about the wire (the
// HTTP routes it answers, its signatures, its payloads, its API client) is
// the adapter's, under handlers/<platform>/; the composition root
// (handlers/app.cc) lists the platforms, one line each, and wires every
// one the same way: its name to the conversation service, Deliver to the
// outbox sender, and, for a platform with queued events, Process to the
// inbound queue.
//
// Optional abilities are separate small interfaces (as in mautrix-go's
// bridgev2): a platform has them or not, and the core asks with
// dynamic_cast once, at composition.
//
// Threads:
//   - Deliver runs on the outbox sender's worker threads, several at once
//     (app/outbox_sender.h): it must be callable concurrently, every
//     platform call in it under a deadline (handlers/api_call.h). It opens
//     no transaction: what it needs to know of the store the sender read
//     in the transaction that picked the row (DeliveryContext), and what
//     the answer changes in the store it returns (Delivery::on_sent,
//     Delivery::learned), which the sender writes in the transaction that
//     records the outcome.
//   - Process runs on the inbound queue's worker, inside the batch's
//     transaction and a savepoint of its own (app/inbound_queue.h): it
//     must not open a transaction of its own, and everything it writes
//     commits or rolls back with the event.
//   - Request handlers (the adapter's routes) run on the HTTP server's
//     threads and reach the core through the conversation service.
#ifndef KONTOBOT_APP_PLATFORM_H_
#define KONTOBOT_APP_PLATFORM_H_

#include <string>

#include "app/inbound_queue.h"
#include "app/outbox_sender.h"
#include "bot/ids.h"
#include "store/store.h"

namespace kontobot::app {

class Platform {
 public:
  virtual ~Platform() = default;
  // "slack", "matrix": stable, stored in the database.
  virtual std::string name() const = 0;
  // Delivers one of this platform's outbox rows (see the thread rules
  // above) and says how it went.
  virtual Delivery Deliver(const store::OutboxItem& item, const DeliveryContext& context) = 0;
};

// A platform whose events are acknowledged once landed and processed
// behind the acknowledgement (app/inbound_queue.h).
class QueuedEvents {
 public:
  virtual ~QueuedEvents() = default;
  // Processes one landed event inside the queue's transaction (see the
  // thread rules above); kParked to wait for something first.
  virtual Processed Process(store::Transaction& tx, const store::QueuedEvent& event) = 0;
};

// Optional: the platform can say which e-mail address one of its users
// has (Slack's users.info, Mattermost's GET /users/{id}), so that a person
// the directory names by address only is recognised there. The core then
// parks a user's events until the answer is in
// (ConversationService::PersonOrLookUp) and writes the answer itself
// (ConversationService::DeliverLookUp); the platform only asks. Called on
// the outbox sender's workers, like Deliver.
class UserLookup {
 public:
  virtual ~UserLookup() = default;
  struct Answer {
    // kSent or kFailed (no such user: the events go on as unknown), or
    // kRetry (no answer yet: the events stay parked).
    Delivery outcome;
    // The address the platform gave, "" if none.
    std::string email;
  };
  virtual Answer LookUpUser(const PlatformUserId& user) = 0;
};

// Optional: the platform can act on a public comment of the social inbox
// for the organisation (reply to it, hide it: Meta's Graph API with the
// page's token). The core queues the action as an outbox row and writes
// what the answer means itself (ConversationService::DeliverCommentAction);
// the platform only makes the call and says how it went. Called on the
// outbox sender's workers, like Deliver.
class CommentActions {
 public:
  virtual ~CommentActions() = default;
  enum class Action { kReply, kHide };
  // Why an action was given up (Delivery::Result::kFailed).
  enum class Failure {
    kNone,
    kNoToken,       // no token for the page (any more)
    kTokenExpired,  // the page's token expired or was revoked: renew it
    kGone,          // the comment no longer exists
    kNotAllowed,    // the token lacks the permission
    kRefused,       // anything else the platform refused
  };
  struct Answer {
    Delivery outcome;  // kSent, kRetry (with retry_after) or kFailed
    Failure failure = Failure::kNone;
    std::string reply_id;  // a reply's id on the platform, if it said
  };
  virtual bool CanActOn(const std::string& page_id) const = 0;
  virtual Answer ActOnComment(Action action, const std::string& source, const std::string& page_id,
                              const std::string& comment_id, const std::string& message) = 0;
};

}  // namespace kontobot::app

#endif  // KONTOBOT_APP_PLATFORM_H_
