#include "handlers/slack/slack_adapter.h"

#include <algorithm>
#include <regex>

#include "bot/answers.h"
#include "bot/approval.h"
#include "bot/mentions.h"
#include "handlers/json_fields.h"
#include "handlers/slack/payloads.h"
#include "handlers/slack/signature.h"

namespace kontobot::slack {

using app::Delivery;
using app::NotYet;
using handlers::Request;
using handlers::Response;

namespace {

Response Ack() { return Response::Json(200, ""); }

// What verifies a request's body later (with the signing secret): the
// signature and the timestamp it signed.
nlohmann::json SignatureHeaders(const Request& request) {
  return {{"x-slack-request-timestamp", request.Header("x-slack-request-timestamp")},
          {"x-slack-signature", request.Header("x-slack-signature")}};
}

// An edit's body carries the text it replaced: a password-like one was
// never stored, and is not now.
bool ReplacedASecret(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  static const nlohmann::json::json_pointer kPrevious("/event/previous_message/text");
  return j.is_object() && j.contains(kPrevious) && j[kPrevious].is_string() &&
         LooksLikePassword(j[kPrevious].get<std::string>());
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
      client_(settings_.api_base, settings_.bot_token, settings_.api_timeout) {
  // OpenSSL initializes itself and keys the HMAC on the first signature,
  // allocating state of the thread that makes it. A request thread never
  // freed it (cpprestsdk's threads outlive main; LeakSanitizer reported it
  // at every stop). The main thread does, at exit (signature.cc).
  Sign(settings_.signing_secret, "0", "");
}

void Adapter::RegisterRoutes(handlers::HttpServer& server) {
  server.RouteAsync(
      "POST", "/slack/events",
      [this](const Request& r, const handlers::Responder& respond) { Events(r, respond); });
  server.Route("POST", "/slack/interactivity",
               [this](const Request& r) { return Interactivity(r); });
}

std::optional<Response> Adapter::Refuse(const Request& request) const {
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(signature_clock_->Now().time_since_epoch())
          .count();
  SignatureCheck check =
      Verify(settings_.signing_secret, request.Header("x-slack-request-timestamp"),
             request.Header("x-slack-signature"), request.body, now);
  if (check == SignatureCheck::kValid) return std::nullopt;
  log_->warn("slack: refused a request from {}: {}", request.remote,
             check == SignatureCheck::kStale ? "stale timestamp" : "bad or missing signature");
  Response r = Response::Json(401, R"({"error":"invalid request"})");
  r.headers["X-Slack-No-Retry"] = "1";
  return r;
}

void Adapter::Events(const Request& request, const handlers::Responder& respond) {
  if (auto refused = Refuse(request)) return respond(*refused);
  EventRequest e = ParseEventRequest(request.body, settings_.bot_user);
  switch (e.kind) {
    case EventRequest::Kind::kInvalid:
      return respond(Response::Error(400, e.error_code, e.error));
    case EventRequest::Kind::kChallenge:
      return respond(Response::Json(200, nlohmann::json{{"challenge", e.challenge}}.dump()));
    case EventRequest::Kind::kIgnore:
      return respond(Ack());
    case EventRequest::Kind::kMessage:
      break;
  }
  // Only what processing needs is stored, not the whole envelope (the text
  // is already without our mention). A password-like message is not stored
  // at all, not even until it is processed (bot/answers.h): its stand-in is
  // refused the same way.
  const bool secret = LooksLikePassword(e.text);
  std::string text = secret ? std::string(kPasswordStandIn) : e.text;
  nlohmann::json queued{{"user", e.user}, {"channel", e.channel}, {"text", text}, {"ts", e.ts}};
  if (e.in_channel) queued["kind"] = "app_mention";
  if (!e.edit_of.empty()) queued["edit_of"] = e.edit_of;
  // The event as it arrived, byte for byte, for the record (migration
  // 0017); none for a password-like text.
  if (!secret && (e.edit_of.empty() || !ReplacedASecret(request.body)))
    queued["original"] = {{"body", request.body}, {"headers", SignatureHeaders(request)}};
  inbound_.Submit("slack", e.event_id, queued.dump(), [respond](bool stored) {
    respond(stored
                ? Ack()
                : Response::Error(500, "internal_error", "The event could not be stored; retry."));
  });
}

app::Processed Adapter::Process(store::Transaction& tx, const store::QueuedEvent& event) {
  nlohmann::json p = nlohmann::json::parse(event.payload, nullptr, false);
  if (!p.is_object()) throw std::runtime_error("the queued payload is not a JSON object");
  std::string user = p.value("user", "");
  std::string channel = p.value("channel", "");
  std::string text = p.value("text", "");
  // Events queued before the parser took mentions out still carry one.
  if (p.value("kind", "") == "mention")
    text = std::regex_replace(text, std::regex(R"(<@[A-Z0-9]+>\s*)"), "");
  // A person's events take effect in the order they were sent: one that
  // comes while an earlier one waits (for a mentioned user's lookup) waits
  // behind it, and both are released together, in order.
  if (std::optional<std::string> ahead = tx.ParkedBefore("slack", user, event.id)) {
    tx.ParkInbound(event.id, *ahead);
    return app::Processed::kParked;
  }
  // Known by account, or by the address users.info gave; never asked: the
  // event waits for the answer.
  app::ConversationService::Found found =
      service_.PersonOrLookUp(tx, "slack", PlatformUserId(user), event.id);
  if (found.parked) return app::Processed::kParked;
  const Person* person = found.person;
  if (person == nullptr) {
    service_.TellUnknownIn(tx, "slack", channel, event.event_id);
    return app::Processed::kDone;
  }
  const Lang lang = LanguageOf(person, &tx.Languages());  // in this transaction
  std::optional<std::string> neutral = Neutral(tx, event.id, text, lang);
  if (!neutral) return app::Processed::kParked;  // a mentioned user is being looked up
  text = *neutral;
  if (p.value("kind", "") == "app_mention") {
    // The channel sees an answer, in the mention's thread; the
    // conversation itself goes on in the person's DM.
    store::OutboxItem item;
    item.platform = "slack";
    item.kind = "raw_post";
    item.lane = "channel:" + channel;
    item.payload = {{"channel", channel},
                    {"thread_ts", p.value("ts", "")},
                    {"text", catalog_.Render(lang, "slack.mention_reply")}};
    tx.Enqueue(item, clock_.Now());
    if (Trim(text).empty()) text = catalog_.CommandWords("greeting").front();
  }
  if (Trim(text).empty()) return app::Processed::kDone;
  Input input;
  input.text = text;
  std::string edit_of = p.value("edit_of", "");
  if (!edit_of.empty()) {
    std::optional<int64_t> edited = tx.MessageByPlatformRef("slack", edit_of);
    input.edit = edited && edited == tx.LatestInbound(person->id) ? Edit::kLatest : Edit::kOlder;
  }
  std::vector<store::StoredMessage> stored =
      service_.HandleIn(tx, *person, "slack", input, ReadableMentions(text, directory_));
  // Remembered, so that an edit of this message can be recognised.
  std::string ts = p.value("ts", "");
  if (!ts.empty() && edit_of.empty() && !stored.empty() && stored.front().direction == "in")
    tx.SetPlatformMessage(stored.front().id, "slack", channel, ts);
  if (p.contains("original") && p["original"].is_object()) {
    const nlohmann::json& o = p["original"];
    app::ConversationService::KeepOriginal(
        tx, stored,
        {"slack", event.received_at, "application/json",
         o.value("headers", nlohmann::json::object()), o.value("body", "")});
  }
  return app::Processed::kDone;
}

std::optional<std::string> Adapter::Neutral(store::Transaction& tx, int64_t event_id,
                                            const std::string& text, Lang lang) {
  // Slack's markup (docs.slack.dev "Formatting text for app surfaces"):
  // <@U…> and <@U…|name> users, <#C…|name> channels, <!here> and
  // <!subteam^S…|@name> groups, <mailto:a|a> and <https://…|label> links,
  // and &amp; &lt; &gt; for the three characters it escapes.
  static const std::regex kToken(R"(<([^<>]*)>)");
  std::string out;
  auto from = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), kToken), end; it != end; ++it) {
    const std::smatch& m = *it;
    out.append(from, m[0].first);
    from = m[0].second;
    std::string inner = m[1].str();
    size_t bar = inner.find('|');
    std::string target = inner.substr(0, bar);
    std::string label = bar == std::string::npos ? "" : inner.substr(bar + 1);
    if (target.rfind('@', 0) == 0) {
      std::string user = target.substr(1);
      if (user == settings_.bot_user) continue;
      app::ConversationService::Found found =
          service_.PersonOrLookUp(tx, "slack", PlatformUserId(user), event_id);
      if (found.parked) return std::nullopt;
      const Person* p = found.person;
      const std::optional<std::string>& email = found.email;
      if (p != nullptr) {
        out += MentionOf(p->id);
      } else {  // named readably: as Slack showed it, else by address
        std::string readable = !label.empty()             ? label
                               : email && !email->empty() ? *email
                                                          : catalog_.Render(lang, "slack.someone");
        out += UnknownMention(readable);
      }
    } else if (target.rfind('#', 0) == 0 || target.rfind('!', 0) == 0) {
      out += !label.empty() ? (label[0] == '@' || label[0] == '#' ? label : "#" + label)
                            : "@" + target.substr(1);
    } else if (target.rfind("mailto:", 0) == 0) {
      out += target.substr(7);
    } else {
      out += target;  // a link: the address itself, as typed
    }
  }
  out.append(from, text.cend());
  for (auto [entity, c] : {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
    for (size_t at = out.find(entity); at != std::string::npos; at = out.find(entity, at + 1))
      out.replace(at, std::string_view(entity).size(), c);
  }
  return out;
}

Response Adapter::Interactivity(const Request& request) {
  if (auto refused = Refuse(request)) return *refused;
  Interaction a = ParseInteraction(request.body);
  if (a.kind == Interaction::Kind::kInvalid) return Response::Error(400, a.error_code, a.error);
  if (a.kind == Interaction::Kind::kIgnore) return Ack();
  // The one check of the service (app::ConversationService::Press), with
  // the message's tag: its marker must be that of our message with that id.
  // One transaction, also for a person known by e-mail or not at all.
  // The press as it arrived is kept with the message it becomes.
  store::Original original{"slack", clock_.Now(), "application/x-www-form-urlencoded",
                           SignatureHeaders(request), request.body};
  auto outcome = service_.PressBy(
      "slack", PlatformUserId(a.user), a.channel,
      {MessageId(a.message_id), a.marker, a.action, a.value, a.echo, std::move(original)},
      {"slack-action", a.key});
  if (outcome == app::ConversationService::PressOutcome::kNotGenuine)
    log_->info("slack: ignored a stale or unknown button {} from {}", a.action_id, a.user);
  return Ack();
}

Delivery Adapter::Classify(const CallResult& r) const {
  if (r.ok()) return {Delivery::Result::kSent, "", std::nullopt};
  if (r.retryable()) return {Delivery::Result::kRetry, r.error(), r.retry_after};
  return {Delivery::Result::kFailed, r.error(), std::nullopt};
}

app::UserLookup::Answer Adapter::LookUpUser(const PlatformUserId& user) {
  CallResult r = client_.Get("users.info", {{"user", user.value()}});
  // An answer, or an error retrying cannot fix (user_not_found): either is
  // remembered, so that the user's events go on as that person or as
  // unknown.
  std::string email;
  if (r.ok() && r.body.contains("user") && r.body["user"].is_object() &&
      r.body["user"].contains("profile") && r.body["user"]["profile"].is_object()) {
    email = r.body["user"]["profile"].value("email", "");
  }
  if (r.ok() && email.empty())
    log_->warn("slack: users.info gave no e-mail for {} (is users:read.email granted?)",
               user.value());
  return {Classify(r), email};
}

Delivery Adapter::Deliver(const store::OutboxItem& item, const app::DeliveryContext& context) {
  // A plain text to a channel ("raw_post": rows queued before "notice").
  if (item.kind == "notice" || item.kind == "raw_post")
    return Classify(client_.Call("chat.postMessage", item.payload));
  const auto& message = context.message;
  const auto& posted = context.posted;
  std::optional<std::string> channel = context.channel;
  if (!message) return {Delivery::Result::kFailed, "no such message", std::nullopt};
  // The message as Slack messages: usually one; the last carries the
  // buttons and is the one whose ts is kept (and updated).
  std::vector<nlohmann::json> parts =
      MessageParts(*message, item.kind == "update" ? MessageUse::kUpdate : MessageUse::kPost);
  nlohmann::json args = std::move(parts.back());
  parts.pop_back();
  if (item.kind == "update") {
    if (!posted)
      return {Delivery::Result::kFailed, "the message never reached Slack", std::nullopt};
    args["channel"] = posted->first;
    args["ts"] = posted->second;
    return Classify(client_.Call("chat.update", args));
  }
  // The DM, opened once and remembered with the outcome, whatever it is.
  std::function<void(store::Transaction&)> opened;
  if (!channel) {
    if (!context.account) {
      return {Delivery::Result::kFailed, "no Slack account for " + item.person_id, std::nullopt};
    }
    CallResult open = client_.Call("conversations.open", {{"users", *context.account}});
    if (!open.ok()) return NotYet(item, Classify(open));
    channel = open.body["channel"].value("id", "");
    opened = [person_id = item.person_id, id = *channel](store::Transaction& tx) {
      tx.SetPlatformChannel("slack", person_id, id);
    };
  }
  Delivery d = DeliverTo(item, *message, *channel, parts, std::move(args));
  d.learned = std::move(opened);
  return d;
}

Delivery Adapter::DeliverTo(const store::OutboxItem& item, const store::StoredMessage& message,
                            const std::string& channel, const std::vector<nlohmann::json>& parts,
                            nlohmann::json args) {
  auto record = [message_id = item.message_id](std::string in, std::string ts) {
    return [message_id, in = std::move(in), ts = std::move(ts)](store::Transaction& tx) {
      tx.SetPlatformMessage(message_id, "slack", in, ts);
    };
  };
  if (item.maybe_delivered) {
    std::optional<Delivery> failed;
    std::optional<std::string> ts = FindPosted(channel, message, failed);
    if (failed) return NotYet(item, *failed);
    if (ts) {
      log_->info("slack: outbox {} was already posted ({}); not posting it again", item.id, *ts);
      Delivery d;
      d.on_sent = record(channel, *ts);
      return d;
    }
  }
  if (!parts.empty()) {
    if (auto failed = PostContinuations(item, message, channel, parts)) return *failed;
  }
  args["channel"] = channel;
  CallResult r = client_.Call("chat.postMessage", args);
  Delivery d = Classify(r);
  // No answer, or a 5xx: Slack may have stored the post all the same.
  d.uncertain = !r.ok() && r.uncertain();
  if (r.ok()) d.on_sent = record(r.body.value("channel", channel), r.body.value("ts", ""));
  return d;
}

std::optional<Delivery> Adapter::PostContinuations(const store::OutboxItem& item,
                                                   const store::StoredMessage& message,
                                                   const std::string& channel,
                                                   const std::vector<nlohmann::json>& parts) {
  // Those an earlier attempt posted are in the channel's recent history.
  std::set<size_t> posted;
  if (item.maybe_delivered) {
    CallResult h = client_.Get("conversations.history", {{"channel", channel}, {"limit", "100"}});
    if (!h.ok() && h.retryable()) {
      Delivery d = Classify(h);
      d.uncertain = true;  // still unsettled
      return d;
    }
    if (!h.ok())
      log_->warn("slack: cannot read the history of {} ({}); posting again", channel, h.error());
    const nlohmann::json& messages =
        h.ok() && h.body.contains("messages") && h.body["messages"].is_array()
            ? h.body["messages"]
            : nlohmann::json::array();
    for (const auto& m : messages) {
      if (!m.is_object() || !m.contains("blocks") || !m["blocks"].is_array()) continue;
      for (const auto& b : m["blocks"]) {
        std::string id = b.is_object() ? handlers::StringField(b, "block_id") : "";
        for (size_t k = 0; k < parts.size(); ++k) {
          if (id.rfind(ContinuationMarker(message, k) + ":", 0) == 0) posted.insert(k);
        }
      }
    }
  }
  for (size_t k = 0; k < parts.size(); ++k) {
    if (posted.count(k) > 0) continue;
    nlohmann::json args = parts[k];
    args["channel"] = channel;
    CallResult r = client_.Call("chat.postMessage", args);
    if (!r.ok()) {
      // Those before it are in the channel, and it may be: look first
      // when trying again.
      Delivery d = Classify(r);
      d.uncertain = true;
      return d;
    }
  }
  return std::nullopt;
}

std::optional<std::string> Adapter::FindPosted(const std::string& channel,
                                               const store::StoredMessage& message,
                                               std::optional<Delivery>& failed) {
  // Posts to one DM go out in order, so an uncertain post is among the
  // channel's newest messages: the person's replies at most follow it.
  CallResult r = client_.Get("conversations.history", {{"channel", channel}, {"limit", "50"}});
  if (!r.ok()) {
    if (r.retryable()) {
      failed = Classify(r);
    } else {  // better a possible duplicate than a message never sent
      log_->warn("slack: cannot read the history of {} ({}); posting again", channel, r.error());
    }
    return std::nullopt;
  }
  // Its tag, with the message's random marker: another installation's (or
  // a restored copy's) message with the same id is not ours.
  const std::string mine = BlockMarker(message);
  const nlohmann::json& messages = r.body.contains("messages") && r.body["messages"].is_array()
                                       ? r.body["messages"]
                                       : nlohmann::json::array();
  for (const auto& m : messages) {
    if (!m.is_object() || !m.contains("blocks") || !m["blocks"].is_array()) continue;
    for (const auto& b : m["blocks"]) {
      std::string id = b.is_object() ? handlers::StringField(b, "block_id") : "";
      if (id == mine || id.rfind(mine + ":", 0) == 0) return handlers::StringField(m, "ts");
    }
  }
  return std::nullopt;
}

}  // namespace kontobot::slack
