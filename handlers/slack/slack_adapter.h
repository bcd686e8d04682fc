// Slack: the Events API endpoint (POST /slack/events), the interactivity
// endpoint (POST /slack/interactivity) and the outbox delivery of our
// messages through the Web API.
//
// Inbound: the signature is checked over the raw bytes before anything is
// parsed; url_verification is answered with the challenge; message.im and
// app_mention events from people in the directory (accounts: {slack: U…})
// become conversation input, processed exactly once per event_id (Slack's
// retries included) in the same transaction as their effects, and every
// valid request is answered as soon as that commits: outbound calls never
// happen on the request path. Bots (bot_id), message subtypes and other
// event types are acknowledged and ignored.
//
// Outbound: posts open the person's DM (conversations.open, cached), send
// chat.postMessage with Block Kit buttons and keep the message's ts; a
// rewritten message (an approval decided) is sent as chat.update.
#ifndef KONTOBOT_HANDLERS_SLACK_SLACK_ADAPTER_H_
#define KONTOBOT_HANDLERS_SLACK_SLACK_ADAPTER_H_

#include <functional>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "bot/directory.h"
#include "handlers/conversation_service.h"
#include "handlers/http_server.h"
#include "handlers/outbox_sender.h"
#include "handlers/slack/slack_client.h"

namespace kontobot::slack {

struct Settings {
  std::string signing_secret;
  std::string bot_token;
  std::string api_base = "https://slack.com/api";
  std::string bot_user;  // our own user id, to ignore our own messages (optional)
};

class Adapter {
 public:
  // All references must outlive the adapter.
  Adapter(Settings settings, handlers::ConversationService& service, store::Store& store,
          const Directory& directory, const Catalog& catalog, const Clock& clock,
          std::shared_ptr<spdlog::logger> log);

  void RegisterRoutes(handlers::HttpServer& server);
  // Called after the adapter itself commits outbox rows.
  void OnCommit(std::function<void()> fn) { on_commit_ = std::move(fn); }
  // The clock for Slack's five-minute replay window, which is about real
  // time: under --test-clock the bot's clock may be months away from it.
  // By default the adapter's clock. `clock` must outlive the adapter.
  void SetSignatureClock(const Clock& clock) { signature_clock_ = &clock; }
  handlers::Response Events(const handlers::Request& request);
  handlers::Response Interactivity(const handlers::Request& request);

  // The outbox's delivery function for platform "slack".
  handlers::Delivery Deliver(const store::OutboxItem& item);

 private:
  // Checks the signature; a non-empty optional is the response to send.
  std::optional<handlers::Response> Refuse(const handlers::Request& request) const;
  // Tells an unknown Slack user, once per event, that they are not in the
  // directory.
  void RefuseUnknown(const std::string& event_key, const std::string& channel);
  handlers::Delivery Classify(const CallResult& r) const;

  Settings settings_;
  handlers::ConversationService& service_;
  store::Store& store_;
  const Directory& directory_;
  const Catalog& catalog_;
  const Clock& clock_;
  const Clock* signature_clock_ = &clock_;
  std::shared_ptr<spdlog::logger> log_;
  Client client_;
  std::function<void()> on_commit_;
};

}  // namespace kontobot::slack

#endif  // KONTOBOT_HANDLERS_SLACK_SLACK_ADAPTER_H_
