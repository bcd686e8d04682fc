#include "handlers/inbox/inbox_adapter.h"

#include <atomic>
#include <stdexcept>

#include <cpprest/http_client.h>
#include <nlohmann/json.hpp>

#include "handlers/api_call.h"
#include "handlers/inbox/wire.h"
#include "handlers/meta/graph.h"
#include "handlers/meta/wire.h"

namespace kontobot::inbox {

using handlers::Request;
using handlers::Responder;
using handlers::Response;

namespace {

Response Refused() {
  return Response::Error(401, "invalid_request", "The signature is not valid.");
}

}  // namespace

Adapter::Adapter(Settings settings, app::ConversationService& service, app::InboundQueue& inbound,
                 const Clock& clock, std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)),
      service_(service),
      inbound_(inbound),
      clock_(clock),
      log_(std::move(log)) {
  if (!settings_.secret.empty()) {
    auto key = SecretKey(settings_.secret);
    if (!key) throw std::invalid_argument("the inbox secret must be whsec_ and base64");
    key_ = *key;
    Sign(key_, "", "0", "");  // keys OpenSSL on the main thread (handlers/hmac.h)
  }
  if (!settings_.meta_app_secret.empty()) meta::Sign(settings_.meta_app_secret, "");
  std::vector<std::string> pages;
  for (const auto& [page, token] : settings_.page_tokens) pages.push_back(page);
  service_.SetReplyPages(std::move(pages));
}

Adapter::~Adapter() = default;

void Adapter::RegisterRoutes(handlers::HttpServer& server) {
  if (!settings_.meta_app_secret.empty()) {
    server.Route("GET", "/hooks/meta", [this](const Request& r) {
      std::string challenge = meta::Handshake(r.query, settings_.meta_verify_token);
      if (challenge.empty()) {
        log_->warn("inbox: refused Meta's handshake from {} (mode or verify token)", r.remote);
        return Response::Error(403, "forbidden", "The verify token does not match.");
      }
      Response ok;
      ok.content_type = "text/plain; charset=utf-8";
      ok.body = challenge;
      return ok;
    });
    server.RouteAsync("POST", "/hooks/meta",
                      [this](const Request& r, const Responder& respond) { Meta(r, respond); });
  }
  if (!key_.empty()) {
    server.RouteAsync("POST", "/hooks/inbox",
                      [this](const Request& r, const Responder& respond) { Generic(r, respond); });
  }
}

void Adapter::Meta(const Request& request, const Responder& respond) {
  // The exact bytes received, before anything reads them.
  if (!meta::Verify(settings_.meta_app_secret, request.Header("x-hub-signature-256"),
                    request.body)) {
    log_->warn("inbox: refused a Meta delivery from {}: bad or missing X-Hub-Signature-256",
               request.remote);
    return respond(Refused());
  }
  meta::Delivery d = meta::Parse(request.body);
  if (!d.valid) {
    log_->warn("inbox: refused a signed Meta delivery: {}", d.error);
    return respond(Response::Error(400, "invalid_payload", d.error));
  }
  if (d.skipped > 0)
    log_->info("inbox: skipped {} Meta change(s) that are not comments", d.skipped);
  Land(d.items, request.body, respond);
}

void Adapter::Generic(const Request& request, const Responder& respond) {
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  const std::string id = request.Header("webhook-id");
  SignatureCheck check = Verify(key_, id, request.Header("webhook-timestamp"),
                                request.Header("webhook-signature"), request.body, now);
  if (check != SignatureCheck::kValid) {
    log_->warn("inbox: refused a webhook from {}: {}", request.remote,
               check == SignatureCheck::kStale ? "stale timestamp" : "bad or missing signature");
    return respond(Refused());
  }
  Event e = Parse(request.body, id);
  if (e.kind == Event::Kind::kInvalid) {
    log_->warn("inbox: refused signed webhook {}: {}", id, e.error);
    return respond(Response::Error(400, "invalid_payload", e.error));
  }
  if (e.kind == Event::Kind::kSkip) {
    log_->info("inbox: skipped webhook {}: not an inbox.item.created event", id);
    return respond(Response::Json(200, "{}"));
  }
  Land({e.item}, request.body, respond);
}

void Adapter::Land(const std::vector<InboxItem>& items, const std::string& raw,
                   const Responder& respond) {
  if (items.empty()) return respond(Response::Json(200, "{}"));
  struct Count {
    std::atomic<size_t> left;
    std::atomic<bool> failed{false};
  };
  auto count = std::make_shared<Count>();
  count->left = items.size();
  for (const InboxItem& item : items) {
    nlohmann::json payload{{"item", ToJson(item)}, {"raw", raw}};
    // Invalid UTF-8 in the raw bytes is kept as it came (the record).
    std::string text = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    inbound_.Submit(name(), item.source + ":" + item.dedupe_key, std::move(text),
                    [count, respond](bool stored) {
                      if (!stored) count->failed = true;
                      if (--count->left > 0) return;
                      respond(count->failed
                                  ? Response::Error(500, "internal_error", "Not stored; retry.")
                                  : Response::Json(200, "{}"));
                    });
  }
}

app::Delivery Adapter::Deliver(const store::OutboxItem& item, const app::DeliveryContext&) {
  // All three arguments: clang-tidy 14 crashes on a defaulted one here.
  return {app::Delivery::Result::kFailed, "the inbox delivers no " + item.kind + " rows",
          std::nullopt};
}

bool Adapter::CanActOn(const std::string& page_id) const {
  return settings_.page_tokens.count(page_id) > 0;
}

Adapter::Answer Adapter::ActOnComment(Action action, const std::string& source,
                                      const std::string& page_id, const std::string& comment_id,
                                      const std::string& message) {
  Answer a;
  auto token = settings_.page_tokens.find(page_id);
  if (token == settings_.page_tokens.end()) {
    a.outcome = {app::Delivery::Result::kFailed, "no page token for " + page_id, std::nullopt};
    a.failure = Failure::kNoToken;
    return a;
  }
  auto request = meta::BuildCommentRequest(
      action == Action::kReply ? meta::CommentAction::kReply : meta::CommentAction::kHide, source,
      comment_id, message, token->second);
  if (!request) {
    a.outcome = {app::Delivery::Result::kFailed,
                 "Graph cannot act on " + source + " comment " + comment_id, std::nullopt};
    a.failure = Failure::kRefused;
    return a;
  }
  handlers::ApiAnswer answer;
  try {
    std::call_once(http_once_, [this] {
      http_ = std::make_unique<web::http::client::http_client>(
          settings_.graph_api_base, handlers::ApiClientConfig(settings_.deadline));
    });
    web::http::http_request req(web::http::methods::POST);
    req.set_request_uri(request->path);
    // Not idempotent (a reply): never sent twice by the library.
    handlers::OneShotBody(req, request->body, "application/x-www-form-urlencoded");
    answer = handlers::CallWithDeadline(*http_, req, settings_.deadline);
  } catch (const std::exception& e) {  // a bad base URL
    answer.transport_error = e.what();
  }
  meta::GraphOutcome o = meta::ClassifyGraphAnswer(answer.status, answer.body,
                                                   answer.transport_error, answer.retry_after);
  a.reply_id = o.id;
  switch (o.verdict) {
    case meta::GraphVerdict::kDone:
      a.outcome = {app::Delivery::Result::kSent, "", std::nullopt};
      break;
    case meta::GraphVerdict::kRetry:
      a.outcome = {app::Delivery::Result::kRetry, o.error, o.retry_after};
      a.outcome.uncertain = o.uncertain;
      break;
    case meta::GraphVerdict::kTokenExpired:
      a.failure = Failure::kTokenExpired;
      break;
    case meta::GraphVerdict::kGone:
      a.failure = Failure::kGone;
      break;
    case meta::GraphVerdict::kNotAllowed:
      a.failure = Failure::kNotAllowed;
      break;
    case meta::GraphVerdict::kRefused:
      a.failure = Failure::kRefused;
      break;
  }
  if (a.failure != Failure::kNone)
    a.outcome = {app::Delivery::Result::kFailed, o.error, std::nullopt};
  return a;
}

app::Processed Adapter::Process(store::Transaction& tx, const store::QueuedEvent& event) {
  nlohmann::json p = nlohmann::json::parse(event.payload, nullptr, false);
  if (!p.is_object() || !p.contains("item") || !p["item"].is_object())
    throw std::runtime_error("the queued inbox payload is not an item");
  service_.InboxArrived(tx, InboxItemFromJson(p["item"]), p.value("raw", ""));
  return app::Processed::kDone;
}

}  // namespace kontobot::inbox
