// Mattermost: direct messages heard on the WebSocket API, buttons and a
// rejection dialog answered at kontobot's own routes, and the outbox's
// messages delivered through REST v4 (facts: ../shared/PROTOCOLS.md §9–§13).
//
// Inbound: a person's post in their DM with the bot arrives as a `posted`
// event on the socket (handlers/mattermost/socket.h) and is submitted to the
// inbound queue with the post id as its event id, so that a post heard
// twice (a second event, the catch-up after a reconnect) is processed once.
// Process turns it into conversation input inside the queue's transaction.
// The socket has no replay: after every (re)connect the adapter lists the
// bot's DMs (GET users/{id}/channels) and asks each for the posts since
// the last one it stored (GET channels/{id}/posts?since=), a DM it never
// heard from for all of them. `/kontobot <text>` (POST
// /mattermost/command, its token compared in constant time) is queued the
// same way. A password-like text is not stored even there (bot/answers.h).
//
// People: a Mattermost user is the directory person with that user id or
// username (accounts: {mattermost: …}), else the person with the e-mail
// address the server gives for them: the worker parks the event and
// queues a user lookup (GET users/{id}) in the outbox; its answer is
// remembered (platform_users) and the event released. When the server
// hides e-mail addresses (PrivacySettings.ShowEmailAddress off), people
// are found by their username in the directory.
//
// Buttons (POST /mattermost/actions): Mattermost signs nothing, so each
// button carries a context signed by kontobot (wire.h), checked before
// anything in the request is read further; the person who pressed is the
// request's user_id, checked by ConversationService::PressBy like on every
// platform. A reject button also opens a dialog (its trigger_id is valid
// for seconds only, so it is opened on the request's path) asking for the
// reason; the submission (POST /mattermost/dialog, its state signed too)
// answers an empty reason with the dialog's per-field error and queues a
// given one as the person's words. A decided request's post is patched
// through the outbox, so no live buttons remain.
//
// Outbound: posts go to the person's DM (POST channels/direct with the bot
// and the person, remembered), each with a pending_post_id derived from
// the outbox row, and our key in props.kb; a post that may have been made
// (OutboxItem::maybe_delivered) is first looked for in the channel, so a
// resend after a crash is not posted twice, also after the server's own
// 30 s de-duplication. Texts longer than a post are split (wire.h).
//
// Thread-safety: as app/platform.h says; Start and Stop from one thread.
#ifndef KONTOBOT_HANDLERS_MATTERMOST_MATTERMOST_ADAPTER_H_
#define KONTOBOT_HANDLERS_MATTERMOST_MATTERMOST_ADAPTER_H_

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <spdlog/logger.h>

#include "app/conversation_service.h"
#include "app/inbound_queue.h"
#include "app/outbox_sender.h"
#include "bot/directory.h"
#include "handlers/http_server.h"
#include "handlers/mattermost/client.h"
#include "handlers/mattermost/socket.h"
#include "handlers/mattermost/wire.h"
#include "handlers/platform_edge.h"

namespace kontobot::mattermost {

struct Settings {
  std::string server;         // https://chat.kommun.example
  std::string bot_token;      // the bot account's access token
  std::string slash_token;    // "" = no slash command
  std::string action_secret;  // signs buttons and dialogs
  std::string callback_url;   // where the server reaches kontobot
  std::chrono::milliseconds api_timeout = std::chrono::seconds(10);
  // How long a button stays valid; an approval may wait for weeks.
  std::chrono::seconds button_lifetime = std::chrono::hours(24 * 90);
};

class Adapter final : public handlers::PlatformEdge,
                      public app::QueuedEvents,
                      public app::UserLookup {
 public:
  // All references must outlive the adapter.
  Adapter(Settings settings, app::ConversationService& service, app::InboundQueue& inbound,
          const Directory& directory, const Catalog& catalog, const Clock& clock,
          std::shared_ptr<spdlog::logger> log);
  ~Adapter() override;

  std::string name() const override { return "mattermost"; }
  void RegisterRoutes(handlers::HttpServer& server) override;
  // Connects the WebSocket; Stop closes it (before the inbound queue stops).
  void Start() override;
  void Stop() override;

  app::Processed Process(store::Transaction& tx, const store::QueuedEvent& event) override;
  app::Delivery Deliver(const store::OutboxItem& item,
                        const app::DeliveryContext& context) override;
  // GET /api/v4/users/{id}: the directory's address for the username, else
  // the one the server shows.
  Answer LookUpUser(const PlatformUserId& user) override;

  handlers::Response Action(const handlers::Request& request);
  void Dialog(const handlers::Request& request, const handlers::Responder& respond);
  void Command(const handlers::Request& request, const handlers::Responder& respond);

 private:
  // The bot's own user id (GET users/me, once); "" if not known yet.
  std::string BotId();
  void OnSocketEvent(const SocketEvent& e);
  // After every (re)connect: asks each DM for what was said since kontobot
  // last stored a post from it (ListDirectChannels first).
  void CatchUp();
  // Adds the DMs the server lists for the bot that kontobot does not know
  // yet to those CatchUp asks (from their first post); on a failure, logs
  // it and leaves them as they are.
  void ListDirectChannels(const std::string& bot);
  // Queues `text` by `user` in `channel` as event `event_id`; `dm` if the
  // channel is the person's DM with the bot. `done` as InboundQueue::Submit.
  // `original`: the post or request as it arrived, kept for the record
  // ('' for none).
  void Queue(const std::string& event_id, const std::string& user, const std::string& channel,
             const std::string& text, bool dm, const std::string& original,
             std::function<void(bool)> done);
  void QueuePost(const Post& post);
  // Notes that `post` in a DM channel was stored (for the catch-up).
  void Seen(const std::string& channel, int64_t create_at);
  // The Mattermost user id of `account` (an id, or a username to look up)
  // or of `person`'s e-mail address; nullopt with `failed` set if none.
  std::optional<std::string> UserIdOf(const app::DeliveryContext& context,
                                      std::optional<app::Delivery>& failed);
  app::Delivery PostMessage(const store::OutboxItem& item, const store::StoredMessage& message,
                            const std::string& channel);
  app::Delivery Classify(const Result& r) const;
  int64_t NowSeconds() const;
  Lang LangOf(const std::string& user) const;

  Settings settings_;
  app::ConversationService& service_;
  app::InboundQueue& inbound_;
  const Directory& directory_;
  const Catalog& catalog_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  Client client_;
  std::unique_ptr<Socket> socket_;
  std::mutex mu_;
  std::string bot_id_;                   // guarded by mu_
  std::map<std::string, int64_t> seen_;  // DM channel -> last create_at stored; guarded by mu_
};

}  // namespace kontobot::mattermost

#endif  // KONTOBOT_HANDLERS_MATTERMOST_MATTERMOST_ADAPTER_H_
