#include "handlers/slack/slack_client.h"

#include <set>

#include <cpprest/http_client.h>

#include "handlers/api_call.h"

namespace kontobot::slack {

std::string CallResult::error() const {
  if (!transport_error.empty()) return transport_error;
  if (body.is_object() && body.contains("error")) return body["error"].get<std::string>();
  return "http " + std::to_string(status);
}

bool CallResult::retryable() const {
  if (status == 0 || status == 429 || status >= 500) return true;
  static const std::set<std::string> kTransient{"ratelimited",         "rate_limited",
                                                "internal_error",      "fatal_error",
                                                "service_unavailable", "request_timeout"};
  return status == 200 && !ok() && kTransient.count(error()) > 0;
}

Client::Client(std::string base, std::string token, std::chrono::milliseconds deadline)
    : base_(std::move(base)), token_(std::move(token)), deadline_(deadline) {}

Client::~Client() = default;

web::http::client::http_client& Client::Http() const {
  std::call_once(once_, [this] {
    http_ = std::make_unique<web::http::client::http_client>(base_,
                                                             handlers::ApiClientConfig(deadline_));
  });
  return *http_;
}

namespace {

CallResult Send(web::http::client::http_client& http, const web::http::http_request& req,
                std::chrono::milliseconds deadline) {
  handlers::ApiAnswer a = handlers::CallWithDeadline(http, req, deadline);
  CallResult r;
  r.status = a.status;
  r.transport_error = std::move(a.transport_error);
  if (a.retry_after) {
    try {
      r.retry_after = std::chrono::seconds(std::stoll(*a.retry_after));
    } catch (const std::exception&) {
      r.retry_after = std::chrono::seconds(1);
    }
  }
  if (r.status != 0) {
    r.body = nlohmann::json::parse(a.body, nullptr, false);
    if (r.body.is_discarded()) r.body = nullptr;
  }
  return r;
}

}  // namespace

CallResult Client::Call(const std::string& method, const nlohmann::json& args) const {
  try {
    web::http::http_request req(web::http::methods::POST);
    req.set_request_uri(method);
    req.headers().add("Authorization", "Bearer " + token_);
    // Write methods are not idempotent (chat.postMessage): the library must
    // not send one twice by itself (handlers/api_call.h).
    handlers::OneShotBody(req, args.dump(), "application/json; charset=utf-8");
    return Send(Http(), req, deadline_);
  } catch (const std::exception& e) {  // a bad base URL
    CallResult r;
    r.transport_error = e.what();
    return r;
  }
}

CallResult Client::Get(const std::string& method,
                       const std::map<std::string, std::string>& args) const {
  try {
    web::uri_builder uri(method);
    for (const auto& [k, v] : args) uri.append_query(k, v, true);
    web::http::http_request req(web::http::methods::GET);
    req.set_request_uri(uri.to_uri());
    req.headers().add("Authorization", "Bearer " + token_);
    return Send(Http(), req, deadline_);
  } catch (const std::exception& e) {
    CallResult r;
    r.transport_error = e.what();
    return r;
  }
}

std::string MessageTag(const store::StoredMessage& m) {
  std::string tag = "kb:" + std::to_string(m.id);
  if (!m.marker.empty()) tag += "." + m.marker;
  return tag;
}

std::string EscapeMrkdwn(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

nlohmann::json MessageArgs(const store::StoredMessage& m) {
  std::string text = EscapeMrkdwn(m.text);
  nlohmann::json blocks = nlohmann::json::array();
  // Section text is limited to 3000 characters: split at line breaks.
  std::string chunk;
  // Every block names the message (see Adapter: no post twice).
  auto flush = [&] {
    if (!chunk.empty()) {
      blocks.push_back({{"type", "section"},
                        {"block_id", MessageTag(m) + ":t" + std::to_string(blocks.size())},
                        {"text", {{"type", "mrkdwn"}, {"text", chunk}}}});
    }
    chunk.clear();
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (chunk.size() + line.size() + 1 > 2900) flush();
    chunk += (chunk.empty() ? "" : "\n") + line.substr(0, 2900);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  flush();
  if (!m.buttons.empty()) {
    nlohmann::json elements = nlohmann::json::array();
    for (size_t i = 0; i < m.buttons.size() && i < 25; ++i) {
      const Button& b = m.buttons[i];
      nlohmann::json e{
          {"type", "button"},
          {"action_id", b.id + ":" + std::to_string(i)},
          {"value", b.value.empty() ? "-" : b.value},
          {"text", {{"type", "plain_text"}, {"text", b.label.substr(0, 75)}, {"emoji", true}}}};
      if (b.style == "primary" || b.style == "danger") e["style"] = b.style;
      elements.push_back(e);
    }
    blocks.push_back({{"type", "actions"}, {"block_id", MessageTag(m)}, {"elements", elements}});
  }
  // `text` is the notification and accessibility fallback.
  return {{"text", m.text.substr(0, 3000)}, {"blocks", blocks}};
}

}  // namespace kontobot::slack
