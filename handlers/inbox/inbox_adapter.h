// The social inbox's edge: the routes Meta (/hooks/meta) and the generic
// Standard Webhooks source (/hooks/inbox) call, and the processing of what
// they landed. Both land durably before they answer, exactly as Slack's
// events do (app/inbound_queue.h): a verified request's items are stored
// in the landing file, and only once that is synced is it answered 200;
// the inbound queue's worker de-duplicates them (Meta: object, page,
// field, comment id, verb and time; Standard Webhooks: webhook-id) and
// hands each to the core (ConversationService::InboxArrived) in its
// transaction. The request's exact bytes travel with each item: they are
// the record.
//
// Refusals: a bad or missing signature 401 (before the body is parsed),
// a stale Standard Webhooks timestamp 401, a body that is not the
// source's JSON 400, a landing that failed 500 (the sender retries); a
// delivery with nothing kontobot keeps (reactions, other fields, unknown
// verbs, other event types) 200, counted in the log.
//
// Replies and hides (app::CommentActions) are Graph API calls with the
// page's token (handlers/meta/graph.h), made from the outbox.
//
// Thread-safety: the routes run on the server's threads, Process on the
// inbound queue's worker, ActOnComment on the outbox's workers
// (app/platform.h).
#ifndef KONTOBOT_HANDLERS_INBOX_INBOX_ADAPTER_H_
#define KONTOBOT_HANDLERS_INBOX_INBOX_ADAPTER_H_

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "app/conversation_service.h"
#include "app/inbound_queue.h"
#include "app/platform.h"
#include "bot/inbox.h"
#include "handlers/platform_edge.h"

namespace web::http::client {
class http_client;
}  // namespace web::http::client

namespace kontobot::inbox {

struct Settings {
  std::string meta_verify_token;  // "" with the app secret: no /hooks/meta
  std::string meta_app_secret;
  std::string secret;                              // whsec_…; "": no /hooks/inbox
  std::string graph_api_base;                      // for replies and hides
  std::map<std::string, std::string> page_tokens;  // page id -> page token
  std::chrono::milliseconds deadline{10000};       // of each Graph call
};

class Adapter final : public handlers::PlatformEdge,
                      public app::QueuedEvents,
                      public app::CommentActions {
 public:
  // Throws std::invalid_argument if the inbox secret is not whsec_<base64>.
  Adapter(Settings settings, app::ConversationService& service, app::InboundQueue& inbound,
          const Clock& clock, std::shared_ptr<spdlog::logger> log);
  ~Adapter() override;

  std::string name() const override { return "inbox"; }
  void RegisterRoutes(handlers::HttpServer& server) override;
  // The inbox's outbox rows are comment actions, delivered through
  // ActOnComment by the core: any other row is failed.
  app::Delivery Deliver(const store::OutboxItem& item,
                        const app::DeliveryContext& context) override;
  app::Processed Process(store::Transaction& tx, const store::QueuedEvent& event) override;
  bool CanActOn(const std::string& page_id) const override;
  Answer ActOnComment(Action action, const std::string& source, const std::string& page_id,
                      const std::string& comment_id, const std::string& message) override;

 private:
  void Meta(const handlers::Request& request, const handlers::Responder& respond);
  void Generic(const handlers::Request& request, const handlers::Responder& respond);
  // Lands `items` (each with the request's bytes) and answers 200 once all
  // are stored, 500 if any could not be.
  void Land(const std::vector<InboxItem>& items, const std::string& raw,
            const handlers::Responder& respond);

  Settings settings_;
  std::string key_;  // the inbox secret's HMAC key
  app::ConversationService& service_;
  app::InboundQueue& inbound_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  std::once_flag http_once_;
  std::unique_ptr<web::http::client::http_client> http_;  // Graph; made on first use
};

}  // namespace kontobot::inbox

#endif  // KONTOBOT_HANDLERS_INBOX_INBOX_ADAPTER_H_
