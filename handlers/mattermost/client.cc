#include "handlers/mattermost/client.h"

#include <algorithm>
#include <cmath>

#include <cpprest/http_client.h>

#include "handlers/api_call.h"
#include "handlers/json_fields.h"

namespace kontobot::mattermost {

std::string Result::error() const {
  if (!unsendable.empty()) return unsendable;
  if (!transport_error.empty()) return transport_error;
  std::string id = handlers::StringField(body, "id");
  return id.empty() ? "http " + std::to_string(status)
                    : id + " (http " + std::to_string(status) + ")";
}

Client::Client(std::string server, std::string token, std::chrono::milliseconds deadline)
    : server_(std::move(server)), token_(std::move(token)), deadline_(deadline) {}

Client::~Client() = default;

web::http::client::http_client& Client::Http() const {
  std::call_once(once_, [this] {
    http_ = std::make_unique<web::http::client::http_client>(server_,
                                                             handlers::ApiClientConfig(deadline_));
  });
  return *http_;
}

Result Client::Send(const std::string& method, const std::string& path,
                    const nlohmann::json* body) const {
  Result r;
  std::string text;
  if (body != nullptr) {
    try {
      text = body->dump();
    } catch (const nlohmann::json::exception& e) {  // not UTF-8: retrying cannot help
      r.unsendable = std::string("the call cannot be serialised: ") + e.what();
      return r;
    }
  }
  handlers::ApiAnswer a;
  try {
    web::http::http_request req(method);
    req.set_request_uri(path);
    req.headers().add("Authorization", "Bearer " + token_);
    if (body != nullptr) handlers::OneShotBody(req, text, "application/json");
    a = handlers::CallWithDeadline(Http(), req, deadline_);
  } catch (const std::exception& e) {  // a malformed URI
    r.transport_error = e.what();
    return r;
  }
  r.status = a.status;
  r.transport_error = std::move(a.transport_error);
  if (r.status == 429) {
    r.retry_after = RateLimitWait(a.ratelimit_reset, a.retry_after,
                                  std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  }
  if (r.status != 0) {
    r.body = nlohmann::json::parse(a.body, nullptr, false);
    if (r.body.is_discarded()) r.body = nullptr;
  }
  return r;
}

Result Client::Get(const std::string& path) const { return Send("GET", path, nullptr); }
Result Client::Post(const std::string& path, const nlohmann::json& body) const {
  return Send("POST", path, &body);
}
Result Client::Put(const std::string& path, const nlohmann::json& body) const {
  return Send("PUT", path, &body);
}

namespace {

// A header's whole number of seconds (a fraction is rounded up); nullopt
// if it is missing, not a number, or negative.
std::optional<int64_t> Seconds(const std::optional<std::string>& header) {
  if (!header) return std::nullopt;
  try {
    size_t used = 0;
    double v = std::stod(*header, &used);
    if (used != header->size() || !(v >= 0) || v > 1e15) return std::nullopt;
    return static_cast<int64_t>(std::ceil(v));
  } catch (const std::exception&) {  // not a number
    return std::nullopt;
  }
}

}  // namespace

std::chrono::seconds RateLimitWait(const std::optional<std::string>& ratelimit_reset,
                                   const std::optional<std::string>& retry_after,
                                   int64_t now_unix) {
  constexpr int64_t kUnixTimeFrom = 1'000'000'000;
  constexpr int64_t kLongest = 3600;
  int64_t wait = 1;
  if (std::optional<int64_t> reset = Seconds(ratelimit_reset)) {
    wait = std::max(wait, *reset >= kUnixTimeFrom ? *reset - now_unix : *reset);
  }
  if (std::optional<int64_t> after = Seconds(retry_after)) wait = std::max(wait, *after);
  return std::chrono::seconds(std::min(wait, kLongest));
}

std::string PathSegment(const std::string& s) { return web::uri::encode_data_string(s); }

}  // namespace kontobot::mattermost
