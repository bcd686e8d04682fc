// Matrix: kontobot as an Application Service.
//
// Inbound (Homeserver -> AS API, authenticated by the hs_token as a Bearer
// header, the scheme in any case, or the legacy access_token parameter,
// compared in constant time):
//   PUT  /_matrix/app/v1/transactions/{txnId}  events, each processed once
//        (by event id, in the same transaction as its effects); 200 {} only
//        once everything in it is durable. A txnId answered before is a
//        no-op (200 {}); sent again with other content, which the spec
//        forbids, it is logged as a protocol error and nothing is processed.
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
// crash is deduplicated by the homeserver.
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

class Adapter final : public handlers::PlatformEdge {
 public:
  Adapter(Settings settings, app::ConversationService& service, store::Store& store,
          const Directory& directory, const Catalog& catalog, const Clock& clock,
          std::shared_ptr<spdlog::logger> log);

  void RegisterRoutes(handlers::HttpServer& server) override;
  void OnCommit(std::function<void()> fn) override { on_commit_ = std::move(fn); }

  handlers::Response Transaction(const handlers::Request& request);
  std::string name() const override { return "matrix"; }
  app::Delivery Deliver(const store::OutboxItem& item) override;

 private:
  std::optional<handlers::Response> Refuse(const handlers::Request& request) const;
  void HandleEvent(const Event& event);
  // `text` with the Matrix user ids in it as bot/mentions.h says (ours
  // dropped): a directory person by their matrix account, anybody else by
  // the name their pill showed, else by their id's localpart.
  std::string Neutral(const std::string& text,
                      const std::map<std::string, std::string>& pill_names) const;
  // A keycap reaction: presses that button of the person's own message.
  void Choose(const Person& person, const Event& event);
  // `text` with the choices listed and how to pick one, in `lang`.
  std::string WithChoices(std::string text, const std::vector<Button>& buttons, Lang lang) const;
  // Queues a platform call under `event_key` once.
  void EnqueueOnce(const std::string& event_key, store::OutboxItem item);
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
  app::Delivery Classify(const Result& r) const;

  Settings settings_;
  app::ConversationService& service_;
  store::Store& store_;
  const Directory& directory_;
  const Catalog& catalog_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  std::function<void()> on_commit_;
};

}  // namespace kontobot::matrix

#endif  // KONTOBOT_HANDLERS_MATRIX_MATRIX_ADAPTER_H_
