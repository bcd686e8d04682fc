#include "handlers/slack/slack_adapter.h"

#include "bot/approval.h"
#include "handlers/slack/payloads.h"
#include "handlers/slack/signature.h"

namespace kontobot::slack {

using handlers::Delivery;
using handlers::Request;
using handlers::Response;

namespace {

Response Ack() { return Response::Json(200, ""); }

}  // namespace

Adapter::Adapter(Settings settings, handlers::ConversationService& service, store::Store& store,
                 const Directory& directory, const Catalog& catalog, const Clock& clock,
                 std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)),
      service_(service),
      store_(store),
      directory_(directory),
      catalog_(catalog),
      clock_(clock),
      log_(std::move(log)),
      client_(settings_.api_base, settings_.bot_token) {}

void Adapter::RegisterRoutes(handlers::HttpServer& server) {
  server.Route("POST", "/slack/events", [this](const Request& r) { return Events(r); });
  server.Route("POST", "/slack/interactivity",
               [this](const Request& r) { return Interactivity(r); });
}

std::optional<Response> Adapter::Refuse(const Request& request) const {
  auto header = [&](const char* name) {
    auto it = request.headers.find(name);
    return it == request.headers.end() ? std::string() : it->second;
  };
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  SignatureCheck check = Verify(settings_.signing_secret, header("x-slack-request-timestamp"),
                                header("x-slack-signature"), request.body, now);
  if (check == SignatureCheck::kValid) return std::nullopt;
  log_->warn("slack: refused a request from {}: {}", request.remote,
             check == SignatureCheck::kStale ? "stale timestamp" : "bad or missing signature");
  Response r = Response::Json(401, R"({"error":"invalid request"})");
  r.headers["X-Slack-No-Retry"] = "1";
  return r;
}

void Adapter::RefuseUnknown(const std::string& event_key, const std::string& channel) {
  store::Transaction tx(store_);
  if (!tx.FirstDelivery("slack", event_key, clock_.Now())) return;
  store::OutboxItem item;
  item.platform = "slack";
  item.kind = "raw_post";
  item.lane = "channel:" + channel;
  item.payload = {{"channel", channel},
                  {"text", catalog_.Render(Lang::kSv, "error.unknown_person")}};
  tx.Enqueue(item, clock_.Now());
  tx.AppendAudit(clock_.Now(), "slack", "slack.unknown_user", "channel:" + channel,
                 {{"event", event_key}});
  tx.Commit();
  if (on_commit_) on_commit_();
}

Response Adapter::Events(const Request& request) {
  if (auto refused = Refuse(request)) return *refused;
  EventRequest e = ParseEventRequest(request.body, settings_.bot_user);
  switch (e.kind) {
    case EventRequest::Kind::kInvalid:
      return Response::Error(400, e.error_code, e.error);
    case EventRequest::Kind::kChallenge:
      return Response::Json(200, nlohmann::json{{"challenge", e.challenge}}.dump());
    case EventRequest::Kind::kIgnore:
      return Ack();
    case EventRequest::Kind::kMessage:
      break;
  }
  const Person* person = directory_.FindByAccount("slack", e.user);
  if (person == nullptr) {
    RefuseUnknown(e.event_id, e.channel);
    return Ack();
  }
  if (Trim(e.text).empty()) return Ack();
  Input input;
  input.text = e.text;
  service_.Handle(*person, "slack", input, e.text,
                  std::make_pair(std::string("slack"), e.event_id));
  return Ack();
}

Response Adapter::Interactivity(const Request& request) {
  if (auto refused = Refuse(request)) return *refused;
  Interaction a = ParseInteraction(request.body);
  if (a.kind == Interaction::Kind::kInvalid) return Response::Error(400, a.error_code, a.error);
  if (a.kind == Interaction::Kind::kIgnore) return Ack();
  const Person* person = directory_.FindByAccount("slack", a.user);
  if (person == nullptr) {
    RefuseUnknown("action:" + a.key, a.channel);
    return Ack();
  }
  Input input;
  input.action = a.action;
  input.value = a.value;
  // As in the web chat: a decision button is checked against the task its
  // message was about; any other button must be on that person's message.
  bool valid = false;
  if (CaseEngine::Owns(input.action)) {
    valid = service_.MessageCarriesTask(a.message_id, CaseEngine::TaskOf(input.value));
  } else if (auto m = service_.Message(a.message_id); m && m->person_id == person->id) {
    valid = std::any_of(m->buttons.begin(), m->buttons.end(), [&](const Button& b) {
      return b.id == input.action && b.value == input.value;
    });
  }
  if (!valid) {
    log_->info("slack: ignored a stale or unknown button {} from {}", a.action_id, a.user);
    return Ack();
  }
  service_.Handle(*person, "slack", input, a.echo,
                  std::make_pair(std::string("slack-action"), a.key));
  return Ack();
}

Delivery Adapter::Classify(const CallResult& r) const {
  if (r.ok()) return {Delivery::Result::kSent, "", std::nullopt};
  if (r.retryable()) return {Delivery::Result::kRetry, r.error(), r.retry_after};
  return {Delivery::Result::kFailed, r.error(), std::nullopt};
}

Delivery Adapter::Deliver(const store::OutboxItem& item) {
  if (item.kind == "raw_post") return Classify(client_.Call("chat.postMessage", item.payload));
  store::DeliveryState state;
  {
    store::Transaction tx(store_);
    state = tx.DeliveryStateOf(item);
  }
  auto& [message, channel, posted] = state;
  if (!message) return {Delivery::Result::kFailed, "no such message", std::nullopt};
  nlohmann::json args = MessageArgs(*message);
  if (item.kind == "update") {
    if (!posted)
      return {Delivery::Result::kFailed, "the message never reached Slack", std::nullopt};
    args["channel"] = posted->first;
    args["ts"] = posted->second;
    return Classify(client_.Call("chat.update", args));
  }
  if (!channel) {
    const Person* p = directory_.Find(item.person_id);
    if (p == nullptr || !p->accounts.count("slack")) {
      return {Delivery::Result::kFailed, "no Slack account for " + item.person_id, std::nullopt};
    }
    CallResult open = client_.Call("conversations.open", {{"users", p->accounts.at("slack")}});
    if (!open.ok()) return Classify(open);
    channel = open.body["channel"].value("id", "");
    store::Transaction tx(store_);
    tx.SetPlatformChannel("slack", item.person_id, *channel);
    tx.Commit();
  }
  args["channel"] = *channel;
  CallResult r = client_.Call("chat.postMessage", args);
  if (r.ok()) {
    store::Transaction tx(store_);
    tx.SetPlatformMessage(item.message_id, "slack", r.body.value("channel", *channel),
                          r.body.value("ts", ""));
    tx.Commit();
  }
  return Classify(r);
}

}  // namespace kontobot::slack
