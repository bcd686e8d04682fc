// Slack: the Events API endpoint (POST /slack/events), the interactivity
// endpoint (POST /slack/interactivity) and the outbox delivery of our
// messages through the Web API.
//
// Inbound: the signature is checked over the raw bytes before anything is
// parsed; url_verification is answered with the challenge; message.im and
// app_mention events are acknowledged as soon as they are stored durably in
// the inbound queue (de-duplicated on event_id, so Slack's retries are
// queued once) and become conversation input behind the acknowledgement
// (Process, on the queue's worker), exactly once, in the same transaction as
// their effects. Outbound calls never happen on the request path. Bots
// (bot_id), message subtypes and other event types are acknowledged and
// ignored without being stored. Button presses (interactivity) are handled
// before they are answered, as in the web chat.
//
// People: a Slack user is the directory person with that account id
// (accounts: {slack: U…}), else the person whose e-mail address Slack gives
// for them: the worker parks the event and queues a users.info call in the
// outbox (retried like any Web API call); its answer is remembered
// (platform_users) and the event released. Anybody else is told politely
// that they are not in the directory.
//
// Outbound: posts open the person's DM (conversations.open, cached), send
// chat.postMessage with Block Kit buttons and keep the message's ts; a
// rewritten message (an approval decided) is sent as chat.update. A text
// longer than one Slack message holds goes out whole, as several messages
// in order (MessageParts), the buttons and the kept ts on the last. A call
// that cannot be serialised is failed for good, never retried.
//
// No post twice: a post may have reached Slack without its answer reaching
// us (a kill -9 between the call and recording its ts, a timeout, a
// dropped connection, a 5xx after Slack stored it, an outcome that could
// not be written). Every block carries the message's tag in its block_id
// ("kb:<id>.<marker>", "kb:<id>.<marker>:t<n>"; the marker is random per
// message, so another installation's posts in the same DM, or those of a
// restored copy of this database, are never taken for ours), so such a
// post (OutboxItem::maybe_delivered, set by the outbox sender) is first
// looked for in the DM's recent history (conversations.history); if it is
// there, its ts is recorded and it is not posted again. The client never
// resends a post by itself (handlers/api_call.h).
#ifndef KONTOBOT_HANDLERS_SLACK_SLACK_ADAPTER_H_
#define KONTOBOT_HANDLERS_SLACK_SLACK_ADAPTER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "app/conversation_service.h"
#include "app/inbound_queue.h"
#include "app/outbox_sender.h"
#include "bot/directory.h"
#include "handlers/http_server.h"
#include "handlers/platform_edge.h"
#include "handlers/slack/slack_client.h"

namespace kontobot::slack {

struct Settings {
  std::string signing_secret;
  std::string bot_token;
  std::string api_base = "https://slack.com/api";
  std::string bot_user;  // our own user id, to ignore our own messages (optional)
  // Every Web API call is given up after this long (handlers/api_call.h).
  std::chrono::milliseconds api_timeout = std::chrono::seconds(10);
};

class Adapter final : public handlers::PlatformEdge,
                      public app::QueuedEvents,
                      public app::UserLookup {
 public:
  // All references must outlive the adapter.
  Adapter(Settings settings, app::ConversationService& service, app::InboundQueue& inbound,
          const Directory& directory, const Catalog& catalog, const Clock& clock,
          std::shared_ptr<spdlog::logger> log);

  void RegisterRoutes(handlers::HttpServer& server) override;
  // The clock for Slack's five-minute replay window, which is about real
  // time: under --test-clock the bot's clock may be months away from it.
  // By default the adapter's clock. `clock` must outlive the adapter.
  void SetSignatureClock(const Clock& clock) { signature_clock_ = &clock; }
  void Events(const handlers::Request& request, const handlers::Responder& respond);
  handlers::Response Interactivity(const handlers::Request& request);

  // The inbound queue's process function for platform "slack".
  app::Processed Process(store::Transaction& tx, const store::QueuedEvent& event) override;
  // The outbox's delivery function for platform "slack".
  std::string name() const override { return "slack"; }
  app::Delivery Deliver(const store::OutboxItem& item,
                        const app::DeliveryContext& context) override;
  // users.info: the user's e-mail address (users:read.email).
  Answer LookUpUser(const PlatformUserId& user) override;

 private:
  // Checks the signature; a non-empty optional is the response to send.
  std::optional<handlers::Response> Refuse(const handlers::Request& request) const;
  // `text` with Slack's markup read: people mentioned as bot/mentions.h
  // says (our own mention dropped), links, channels and entities as plain
  // text. nullopt when a mentioned user must first be looked up: event
  // `event_id` is then parked until users.info has answered.
  std::optional<std::string> Neutral(store::Transaction& tx, int64_t event_id,
                                     const std::string& text, Lang lang);
  // The ts of `message` among the last messages of `channel`: nullopt if
  // not there; a retry when the history cannot be read now (`failed` set).
  std::optional<std::string> FindPosted(const std::string& channel,
                                        const store::StoredMessage& message,
                                        std::optional<app::Delivery>& failed);
  // Posts the messages that come before the last of a long message (see
  // MessageParts), skipping those already in the channel when the post is
  // uncertain; a delivery outcome if one could not be posted.
  std::optional<app::Delivery> PostContinuations(const store::OutboxItem& item,
                                                 const store::StoredMessage& message,
                                                 const std::string& channel,
                                                 const std::vector<nlohmann::json>& parts);
  // Posts `message` (the last of its parts in `args`, the others in
  // `parts`) in `channel`, the person's DM.
  app::Delivery DeliverTo(const store::OutboxItem& item, const store::StoredMessage& message,
                          const std::string& channel, const std::vector<nlohmann::json>& parts,
                          nlohmann::json args);
  app::Delivery Classify(const CallResult& r) const;

  Settings settings_;
  app::ConversationService& service_;
  app::InboundQueue& inbound_;
  const Directory& directory_;
  const Catalog& catalog_;
  const Clock& clock_;
  const Clock* signature_clock_ = &clock_;
  std::shared_ptr<spdlog::logger> log_;
  Client client_;
};

}  // namespace kontobot::slack

#endif  // KONTOBOT_HANDLERS_SLACK_SLACK_ADAPTER_H_
