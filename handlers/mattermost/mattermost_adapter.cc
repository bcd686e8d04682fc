#include "handlers/mattermost/mattermost_adapter.h"

#include <algorithm>

#include "bot/answers.h"
#include "handlers/json_fields.h"
#include "handlers/mattermost/setup.h"

namespace kontobot::mattermost {

using app::Delivery;
using app::NotYet;
using handlers::Request;
using handlers::Response;

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A Mattermost id: 26 lower-case letters and digits; anything else in the
// directory's accounts is a username.
bool LooksLikeId(const std::string& s) {
  return s.size() == 26 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
           return std::islower(c) != 0 || std::isdigit(c) != 0;
         });
}

}  // namespace

Adapter::Adapter(Settings settings, app::ConversationService& service, app::InboundQueue& inbound,
                 const Directory& directory, const Catalog& catalog, const Clock& clock,
                 std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)),
      service_(service),
      inbound_(inbound),
      directory_(directory),
      catalog_(catalog),
      clock_(clock),
      log_(std::move(log)),
      client_(settings_.server, settings_.bot_token, settings_.api_timeout) {
  while (!settings_.callback_url.empty() && settings_.callback_url.back() == '/')
    settings_.callback_url.pop_back();
  // OpenSSL allocates state of the thread that first makes an HMAC, which a
  // request thread never frees (cpprestsdk's threads outlive main): the
  // main thread makes the first one.
  SignContext({}, settings_.action_secret);
}

Adapter::~Adapter() { Stop(); }

void Adapter::Start() {
  // What people wrote while kontobot was down: the socket has no replay, so
  // the first catch-up asks each DM kontobot knows for the posts since it
  // last heard from its person there (an hour earlier, for the server's
  // clock against ours: the queue takes a post it already has once), and
  // for all of a DM's posts where it never has.
  for (const auto& [channel, heard] : service_.ChannelsHeard("mattermost")) {
    int64_t since = 0;
    if (heard) {
      since = std::chrono::duration_cast<std::chrono::milliseconds>(
                  (*heard - std::chrono::hours(1)).time_since_epoch())
                  .count();
    }
    Seen(channel, std::max<int64_t>(since, 0));
  }
  socket_ = std::make_unique<Socket>(
      Socket::Settings{SocketUrl(settings_.server), settings_.bot_token},
      [this](const SocketEvent& e) { OnSocketEvent(e); }, [this] { CatchUp(); }, log_,
      // Our own id first: without it our own posts could not be told apart.
      [this] { return !BotId().empty(); });
  socket_->Start();
}

void Adapter::Stop() {
  if (socket_) socket_->Stop();
  socket_.reset();
}

void Adapter::RegisterRoutes(handlers::HttpServer& server) {
  server.Route("POST", kActionPath, [this](const Request& r) { return Action(r); });
  server.RouteAsync(
      "POST", kDialogPath,
      [this](const Request& r, const handlers::Responder& respond) { Dialog(r, respond); });
  if (!settings_.slash_token.empty()) {
    server.RouteAsync(
        "POST", kCommandPath,
        [this](const Request& r, const handlers::Responder& respond) { Command(r, respond); });
  }
}

int64_t Adapter::NowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
}

Lang Adapter::LangOf(const std::string& user) const {
  return LanguageOf(directory_.FindByAccount("mattermost", user), nullptr);
}

std::string Adapter::BotId() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!bot_id_.empty()) return bot_id_;
  }
  Result me = client_.Get("/api/v4/users/me");
  std::string id = me.ok() ? handlers::StringField(me.body, "id") : "";
  if (id.empty()) {
    log_->warn("mattermost: cannot learn the bot's user id: {}", me.error());
    return "";
  }
  std::lock_guard<std::mutex> lock(mu_);
  bot_id_ = id;
  return bot_id_;
}

// --- inbound -------------------------------------------------------------------

void Adapter::Seen(const std::string& channel, int64_t create_at) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t& last = seen_[channel];
  last = std::max(last, create_at);
}

void Adapter::Queue(const std::string& event_id, const std::string& user,
                    const std::string& channel, const std::string& text, bool dm,
                    const std::string& original, std::function<void(bool)> done) {
  // What processing needs, and the post as it arrived for the record; a
  // password-like text neither (its stand-in is refused as in the web chat).
  const bool secret = LooksLikePassword(text);
  nlohmann::json queued{{"user", user},
                        {"channel", channel},
                        {"text", secret ? std::string(kPasswordStandIn) : text},
                        {"dm", dm}};
  if (!secret && !original.empty()) queued["original"] = original;
  inbound_.Submit("mattermost", event_id, queued.dump(), std::move(done));
}

void Adapter::QueuePost(const Post& post) {
  // The post id is the event id: a post heard twice is processed once.
  Queue(post.id, post.user_id, post.channel_id, post.message, true, post.original,
        [this, channel = post.channel_id, at = post.create_at, id = post.id](bool stored) {
          if (stored) {
            Seen(channel, at);
          } else {  // the next catch-up asks for it again
            log_->error("mattermost: post {} could not be stored", id);
          }
        });
}

void Adapter::OnSocketEvent(const SocketEvent& e) {
  // On cpprestsdk's threads: no call to the server here (BotId is known
  // before the socket connects).
  if (e.kind != SocketEvent::Kind::kPosted) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (bot_id_.empty() || !IsPersonsDirectMessage(e.post, e.channel_type, bot_id_)) return;
    seen_.emplace(e.post.channel_id, 0);
  }
  QueuePost(e.post);
}

void Adapter::ListDirectChannels(const std::string& bot) {
  // Every DM the bot is in, from the server (§10; GET users/{id}/channels,
  // server 6.1 or later, allowed for the user itself): a person whose very
  // first message to the bot was written while kontobot was down or its
  // socket away has a DM kontobot never heard of, whose posts are all
  // asked for. The queue takes a post it already has once.
  Result r = client_.Get("/api/v4/users/" + PathSegment(bot) + "/channels");
  if (!r.ok()) {
    log_->warn("mattermost: cannot list the bot's direct channels ({}); catching up on those known",
               r.error());
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& channel : DirectChannelIds(r.body, bot)) seen_.emplace(channel, 0);
}

void Adapter::CatchUp() {
  std::string bot = BotId();
  if (!bot.empty()) ListDirectChannels(bot);
  std::map<std::string, int64_t> channels;
  {
    std::lock_guard<std::mutex> lock(mu_);
    channels = seen_;
  }
  for (const auto& [channel, since] : channels) {
    // Posts at `since` itself too: two posts may share a millisecond, and
    // the queue takes a post it already has once.
    Result r = client_.Get("/api/v4/channels/" + PathSegment(channel) +
                           "/posts?since=" + std::to_string(std::max<int64_t>(since - 1, 0)));
    if (!r.ok()) {
      log_->warn("mattermost: cannot catch up on {}: {}", channel, r.error());
      continue;
    }
    for (const Post& post : ParsePostList(r.body.dump())) {
      if (post.user_id == bot || !post.type.empty()) continue;
      QueuePost(post);
    }
  }
}

app::Processed Adapter::Process(store::Transaction& tx, const store::QueuedEvent& event) {
  nlohmann::json p = nlohmann::json::parse(event.payload, nullptr, false);
  if (!p.is_object()) throw std::runtime_error("the queued payload is not a JSON object");
  std::string user = p.value("user", "");
  std::string channel = p.value("channel", "");
  std::string text = p.value("text", "");
  // A person's events take effect in the order they were sent.
  if (std::optional<std::string> ahead = tx.ParkedBefore("mattermost", user, event.id)) {
    tx.ParkInbound(event.id, *ahead);
    return app::Processed::kParked;
  }
  // Known by account, or by the address the server gave; never asked: the
  // event waits for the answer.
  app::ConversationService::Found found =
      service_.PersonOrLookUp(tx, "mattermost", PlatformUserId(user), event.id);
  if (found.parked) return app::Processed::kParked;
  const Person* person = found.person;
  if (person == nullptr) {
    service_.TellUnknownIn(tx, "mattermost", channel, event.event_id);
    return app::Processed::kDone;
  }
  // The person's DM: where their messages go from now on.
  if (p.value("dm", false)) tx.SetPlatformChannel("mattermost", person->id, channel);
  if (Trim(text).empty()) text = catalog_.CommandWords("greeting").front();
  Input input;
  input.text = text;
  std::vector<store::StoredMessage> stored =
      service_.HandleIn(tx, *person, "mattermost", input, text);
  if (p.contains("original") && p["original"].is_string()) {
    app::ConversationService::KeepOriginal(tx, stored,
                                           {"mattermost",
                                            event.received_at,
                                            "application/json",
                                            {},
                                            p["original"].get<std::string>()});
  }
  if (p.value("dm", false) && !stored.empty() && stored.front().direction == "in")
    tx.SetPlatformMessage(stored.front().id, "mattermost", channel, event.event_id);
  return app::Processed::kDone;
}

Response Adapter::Action(const Request& request) {
  ActionRequest a = ParseActionRequest(request.body);
  if (!a.valid) return Response::Error(400, "bad_request", a.error);
  // The signature before anything the request says is believed.
  ButtonContext c;
  ContextCheck check =
      CheckContext(a.context, settings_.action_secret, a.channel_id, NowSeconds(), c);
  if (check != ContextCheck::kValid) {
    static constexpr std::array<const char*, 5> kWhy{"", "malformed", "forged", "expired",
                                                     "from another channel"};
    log_->warn("mattermost: refused a {} button context from {} ({})",
               kWhy.at(static_cast<size_t>(check)), request.remote, a.user_id);
    return Response::Json(
        403, nlohmann::json{{"error",
                             {{"message",
                               catalog_.Render(LangOf(a.user_id), "mattermost.button_refused")}}}}
                 .dump());
  }
  // A press is one press however often the request comes: the trigger_id
  // is new with every click.
  std::string key = a.trigger_id.empty() ? a.post_id + ":" + c.action : a.trigger_id;
  // The press as it arrived is kept with the message it becomes.
  store::Original original{"mattermost", clock_.Now(), "application/json", {}, request.body};
  auto outcome = service_.PressBy(
      "mattermost", PlatformUserId(a.user_id), a.channel_id,
      {MessageId(c.message_id), c.marker, c.action, c.value, "", std::move(original)},
      {"mattermost-action", key});
  if (outcome == app::ConversationService::PressOutcome::kNotGenuine) {
    log_->info("mattermost: ignored a stale or unknown button {} from {}", c.action, a.user_id);
    return Response::Json(200, "{}");
  }
  if (outcome == app::ConversationService::PressOutcome::kPressed && c.action == "reject" &&
      !a.trigger_id.empty()) {
    // The reason in a dialog; the trigger_id lasts seconds, so it is
    // opened now. Should it fail, the chat asks for the reason as well.
    Lang lang = LangOf(a.user_id);
    ButtonContext state = c;
    state.expires = NowSeconds() + 3600;
    nlohmann::json dialog{
        {"trigger_id", a.trigger_id},
        {"url", settings_.callback_url + kDialogPath},
        {"dialog",
         {{"callback_id", "reject"},
          {"title", catalog_.Render(lang, "mattermost.reject_title")},
          {"elements", nlohmann::json::array(
                           {{{"display_name", catalog_.Render(lang, "mattermost.reject_reason")},
                             {"name", "reason"},
                             {"type", "textarea"},
                             {"optional", true},
                             {"max_length", 3000}}})},
          {"submit_label", catalog_.Render(lang, "mattermost.reject_submit")},
          {"notify_on_cancel", false},
          {"state", SignState(state, settings_.action_secret)}}}};
    Result r = client_.Post("/api/v4/actions/dialogs/open", dialog);
    if (!r.ok()) log_->warn("mattermost: cannot open the rejection dialog: {}", r.error());
  }
  return Response::Json(200, "{}");
}

void Adapter::Dialog(const Request& request, const handlers::Responder& respond) {
  DialogSubmission d = ParseDialogSubmission(request.body);
  if (!d.valid) return respond(Response::Error(400, "bad_request", d.error));
  ButtonContext c;
  if (CheckState(d.state, settings_.action_secret, d.channel_id, NowSeconds(), c) !=
      ContextCheck::kValid) {
    log_->warn("mattermost: refused a dialog submission with a bad state from {}", request.remote);
    return respond(Response::Json(403, R"({"error":"invalid state"})"));
  }
  if (d.cancelled) return respond(Response::Json(200, "{}"));
  std::string reason = Trim(handlers::StringField(d.submission, "reason"));
  if (reason.empty()) {  // the dialog stays open with the error under the field
    return respond(Response::Json(
        200, nlohmann::json{{"errors",
                             {{"reason",
                               catalog_.Render(LangOf(d.user_id), "case.reject_reason_empty")}}}}
                 .dump()));
  }
  // The reason is the person's answer to the question the reject button
  // asked: queued like a message, once per dialog (its state's signature).
  Queue("dialog:" + handlers::StringField(nlohmann::json::parse(d.state, nullptr, false), "s"),
        d.user_id, d.channel_id, reason, false, request.body, [respond](bool stored) {
          respond(stored ? Response::Json(200, "{}")
                         : Response::Json(200, R"({"error":"Not stored; try again."})"));
        });
}

void Adapter::Command(const Request& request, const handlers::Responder& respond) {
  SlashCommand s = ParseSlashCommand(request.body);
  if (!SlashTokenMatches(request.Header("authorization"), s.token, settings_.slash_token)) {
    log_->warn("mattermost: refused a slash command with a wrong token from {}", request.remote);
    return respond(Response::Json(401, R"({"error":"invalid token"})"));
  }
  if (!s.valid) return respond(Response::Error(400, "bad_request", s.error));
  std::string ack =
      nlohmann::json{{"response_type", "ephemeral"},
                     {"text", catalog_.Render(LangOf(s.user_id), "mattermost.slash_ack")}}
          .dump();
  // The trigger_id is new with every command. The request is not kept as
  // the original: its body carries the command's token.
  Queue("slash:" + (s.trigger_id.empty() ? s.channel_id + s.text : s.trigger_id), s.user_id,
        s.channel_id, s.text, false, "", [respond, ack](bool stored) {
          respond(stored ? Response::Json(200, ack)
                         : Response::Error(500, "internal_error", "Not stored; try again."));
        });
}

// --- outbound ------------------------------------------------------------------

Delivery Adapter::Classify(const Result& r) const {
  if (r.ok()) return {Delivery::Result::kSent, "", std::nullopt};
  if (r.retryable()) return {Delivery::Result::kRetry, r.error(), r.retry_after};
  return {Delivery::Result::kFailed, r.error(), std::nullopt};
}

app::UserLookup::Answer Adapter::LookUpUser(const PlatformUserId& user) {
  Result r = client_.Get("/api/v4/users/" + PathSegment(user.value()));
  if (!r.ok()) return {Classify(r), ""};
  // The person, by username in the directory, else by the e-mail address
  // the server shows (none when it hides them): remembered as that
  // person's address, so their events go on as them, or as unknown.
  const Person* p =
      directory_.FindByAccount("mattermost", handlers::StringField(r.body, "username"));
  std::string email = p != nullptr ? p->email : handlers::StringField(r.body, "email");
  if (email.empty())
    log_->warn(
        "mattermost: the server shows no e-mail for {} (ShowEmailAddress off?); name "
        "their username in the directory's accounts",
        user.value());
  return {Delivery(), email};
}

std::optional<std::string> Adapter::UserIdOf(const app::DeliveryContext& context,
                                             std::optional<Delivery>& failed) {
  Result r;
  if (context.account && LooksLikeId(*context.account)) return context.account;
  if (context.account) {
    r = client_.Get("/api/v4/users/username/" + PathSegment(*context.account));
  } else if (context.person != nullptr && !context.person->email.empty()) {
    r = client_.Get("/api/v4/users/email/" + PathSegment(Lower(context.person->email)));
  } else {
    failed = Delivery(Delivery::Result::kFailed, "no Mattermost account");
    return std::nullopt;
  }
  std::string id = r.ok() ? handlers::StringField(r.body, "id") : "";
  if (!id.empty()) return id;
  failed = Classify(r);
  if (r.status == 403 || r.status == 404) {
    failed = Delivery(Delivery::Result::kFailed,
                      "no Mattermost user for " + (context.person ? context.person->id : "") +
                          " (" + r.error() +
                          "; with e-mail addresses hidden, name the username in the directory)");
  }
  return std::nullopt;
}

Delivery Adapter::Deliver(const store::OutboxItem& item, const app::DeliveryContext& context) {
  if (item.kind == "notice") {
    return Classify(client_.Post("/api/v4/posts",
                                 {{"channel_id", item.payload.value("channel", "")},
                                  {"message", EscapeMarkdown(item.payload.value("text", ""))}}));
  }
  if (!context.message) return {Delivery::Result::kFailed, "no such message"};
  const store::StoredMessage& message = *context.message;
  int64_t expires =
      NowSeconds() +
      std::chrono::duration_cast<std::chrono::seconds>(settings_.button_lifetime).count();
  std::string action_url = settings_.callback_url + kActionPath;
  if (item.kind == "update") {
    if (!context.posted) return {Delivery::Result::kFailed, "the message never reached Mattermost"};
    return Classify(client_.Put(
        "/api/v4/posts/" + PathSegment(context.posted->second) + "/patch",
        PatchBody(message, context.posted->first, action_url, settings_.action_secret, expires)));
  }
  std::optional<std::string> channel = context.channel;
  std::function<void(store::Transaction&)> opened;
  if (!channel) {
    std::optional<Delivery> failed;
    std::optional<std::string> user = UserIdOf(context, failed);
    if (!user) return NotYet(item, *failed);
    std::string bot = BotId();
    if (bot.empty()) return NotYet(item, {Delivery::Result::kRetry, "the bot's id is unknown"});
    Result open = client_.Post("/api/v4/channels/direct", nlohmann::json::array({bot, *user}));
    std::string id = open.ok() ? handlers::StringField(open.body, "id") : "";
    if (id.empty()) return NotYet(item, Classify(open));
    channel = id;
    // Remembered: the DM, and who the user is (as the person's address), so
    // that their presses and posts are theirs without a lookup.
    std::string email = context.person != nullptr ? Lower(context.person->email) : "";
    opened = [person_id = item.person_id, id, user = *user, email,
              now = clock_.Now()](store::Transaction& tx) {
      tx.SetPlatformChannel("mattermost", person_id, id);
      if (!email.empty()) tx.SetPlatformUserEmail("mattermost", user, email, now);
    };
  }
  {
    // Heard from from now on, also after a reconnect.
    std::lock_guard<std::mutex> lock(mu_);
    seen_.emplace(*channel, 0);
  }
  Delivery d = PostMessage(item, message, *channel);
  d.learned = std::move(opened);
  return d;
}

Delivery Adapter::PostMessage(const store::OutboxItem& item, const store::StoredMessage& message,
                              const std::string& channel) {
  int64_t expires =
      NowSeconds() +
      std::chrono::duration_cast<std::chrono::seconds>(settings_.button_lifetime).count();
  std::vector<nlohmann::json> bodies =
      PostBodies(message, channel, settings_.callback_url + kActionPath, settings_.action_secret,
                 expires, PendingPostId(item.id, message));
  // Those an earlier attempt may have made are in the channel already:
  // found by our key (props.kb), so none is posted twice, whenever it was.
  std::map<std::string, std::string> made;  // key -> post id
  if (item.maybe_delivered) {
    Result h = client_.Get("/api/v4/channels/" + PathSegment(channel) + "/posts?per_page=200");
    if (!h.ok() && h.retryable()) return NotYet(item, Classify(h));
    if (!h.ok()) log_->warn("mattermost: cannot read {} ({}); posting again", channel, h.error());
    const nlohmann::json& posts = handlers::ObjectField(h.body, "posts");
    for (const auto& [id, p] : posts.items()) {
      std::string key = handlers::StringField(handlers::ObjectField(p, "props"), "kb");
      if (!key.empty()) made[key] = id;
    }
  }
  std::string last_id;
  for (size_t i = 0; i < bodies.size(); ++i) {
    std::string key = bodies[i]["props"]["kb"];
    if (auto m = made.find(key); m != made.end()) {
      last_id = m->second;
      continue;
    }
    Result r = client_.Post("/api/v4/posts", bodies[i]);
    if (!r.ok()) {
      Delivery d = NotYet(item, Classify(r));
      // No answer, a 5xx, or earlier parts posted: look before the next try.
      d.uncertain = d.uncertain || r.uncertain() || i > 0;
      return d;
    }
    last_id = handlers::StringField(r.body, "id");
  }
  if (item.maybe_delivered && made.count(bodies.back()["props"]["kb"]) > 0)
    log_->info("mattermost: outbox {} was already posted ({}); not posting it again", item.id,
               last_id);
  Delivery d;
  d.on_sent = [message_id = item.message_id, channel, last_id](store::Transaction& tx) {
    tx.SetPlatformMessage(message_id, "mattermost", channel, last_id);
  };
  return d;
}

}  // namespace kontobot::mattermost
