// Matrix: kontobot as an Application Service.
//
// Inbound (Homeserver -> AS API, authenticated by the hs_token as a Bearer
// header, the scheme in any case, or the legacy access_token parameter,
// compared in constant time):
//   PUT  /_matrix/app/v1/transactions/{txnId}  answered 200 {} once the
//        transaction is stored durably in the inbound queue, as Slack's
//        events are (app/inbound_queue.h), and processed behind the answer
//        (Process, on the queue's worker, in the queue's transaction): its
//        events in order, each once (by event id) and in a savepoint of its
//        own. A txnId processed before is a no-op; sent again with other
//        content, which the spec forbids, it is logged and audited as a
//        protocol error and nothing in it is processed.
//   GET  /_matrix/app/v1/users/{userId}, /_matrix/app/v1/rooms/{alias}
//   POST /_matrix/app/v1/ping
// Invites to the bot are joined; m.text messages from people in the
// directory (accounts: {matrix: "@…"}) are conversation input; an encrypted
// room gets an explanation. Matrix has no buttons: approvals work by
// reacting ✅ / ❌ to the bot's request (the bot adds both), or by the
// commands "godkänn" / "avslå <skäl>" (approve / reject <reason>). Every
// other button of a message (answer choices, "Noterat", snooze, …) is listed
// under its text as 1️⃣ 2️⃣ …, the bot adds those reactions, and a person's
// reaction with one presses that button, with the web chat's checks.
//
// Outbound (Client-Server API, through the outbox): m.notice messages with
// an HTML formatted_body, edits as m.replace, direct rooms created on
// demand, transaction ids derived from the outbox row so a resend after a
// crash is deduplicated by the homeserver. A message's reactions are an
// outbox row of their own, queued when its event id is recorded, so that
// a reaction to it is always understood.
#ifndef KONTOBOT_HANDLERS_MATRIX_MATRIX_ADAPTER_H_
#define KONTOBOT_HANDLERS_MATRIX_MATRIX_ADAPTER_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <spdlog/logger.h>
#include <nlohmann/json.hpp>

#include "app/conversation_service.h"
#include "app/inbound_queue.h"
#include "app/outbox_sender.h"
#include "bot/directory.h"
#include "handlers/http_server.h"
#include "handlers/matrix/events.h"
#include "handlers/platform_edge.h"

namespace kontobot::matrix {

struct Settings {
  std::string homeserver;   // e.g. "https://matrix.kommun.example"
  std::string server_name;  // e.g. "kommun.example"
  std::string as_token;
  std::string hs_token;
  std::string localpart = "kontobot";
  // Every Client-Server API call is given up after this long
  // (handlers/api_call.h).
  std::chrono::milliseconds api_timeout = std::chrono::seconds(10);
  std::string BotUserId() const { return "@" + localpart + ":" + server_name; }
};

// The registration YAML a homeserver administrator adds to the homeserver
// (app_service_config_files), for an AS reachable at `url`.
std::string RegistrationYaml(const Settings& settings, const std::string& url);
// 32 random bytes as hex, for as_token and hs_token.
std::string NewToken();
// The buttons a Matrix message offers as numbered reactions, in order: all
// but approve and reject, which have ✅ and ❌ of their own.
std::vector<Button> Choices(const std::vector<Button>& buttons);

// Our plain text as Matrix HTML: escaped, *bold* as <strong>, lines as <br>.
std::string ToHtml(const std::string& text);

class Adapter final : public handlers::PlatformEdge, public app::QueuedEvents {
 public:
  // All references must outlive the adapter.
  Adapter(Settings settings, app::ConversationService& service, app::InboundQueue& inbound,
          const Directory& directory, const Catalog& catalog, const Clock& clock,
          std::shared_ptr<spdlog::logger> log);

  void RegisterRoutes(handlers::HttpServer& server) override;

  // PUT /_matrix/app/v1/transactions/{txnId}: answered once the
  // transaction is stored durably in the inbound queue.
  void Transaction(const handlers::Request& request, const handlers::Responder& respond);
  std::string name() const override { return "matrix"; }
  // The inbound queue's process function for platform "matrix": one
  // transaction of the homeserver's, its events in order.
  app::Processed Process(store::Transaction& tx, const store::QueuedEvent& event) override;
  app::Delivery Deliver(const store::OutboxItem& item,
                        const app::DeliveryContext& context) override;

 private:
  std::optional<handlers::Response> Refuse(const handlers::Request& request) const;
  // `original`: the event as it arrived, kept with the message it becomes.
  void HandleEvent(store::Transaction& tx, const Event& event,
                   const std::optional<store::Original>& original);
  // `text` with the Matrix user ids in it as bot/mentions.h says (ours
  // dropped): a directory person by their matrix account, anybody else by
  // the name their pill showed, else by their id's localpart.
  std::string Neutral(const std::string& text,
                      const std::map<std::string, std::string>& pill_names) const;
  // A keycap reaction: presses that button of the person's own message.
  void Choose(store::Transaction& tx, const Person& person, const Event& event,
              const std::optional<store::Original>& original);
  // `text` with the choices listed and how to pick one, in `lang`.
  std::string WithChoices(std::string text, const std::vector<Button>& buttons, Lang lang) const;
  struct Result {
    int status = 0;
    nlohmann::json body;
    std::string error;
    std::optional<std::chrono::seconds> retry_after;
    // Why the call was never made: its body cannot be serialised (text
    // that is not UTF-8). Permanent: waiting does not change it.
    std::string unsendable;
  };
  Result Call(const std::string& method, const std::string& path, const nlohmann::json& body) const;
  // Adds the bot's reactions (✅ ❌ for a decision, then `keycaps`
  // numbers) to event `event_id` in `room`, with transaction ids from
  // `txn`.
  app::Delivery React(const std::string& room, const std::string& event_id, const std::string& txn,
                      bool decision, size_t keycaps) const;
  app::Delivery Classify(const Result& r) const;

  Settings settings_;
  app::ConversationService& service_;
  app::InboundQueue& inbound_;
  const Directory& directory_;
  const Catalog& catalog_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace kontobot::matrix

#endif  // KONTOBOT_HANDLERS_MATRIX_MATRIX_ADAPTER_H_
