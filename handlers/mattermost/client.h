// Mattermost's REST API v4 as the adapter uses it: JSON calls with the bot
// token in "Authorization: Bearer" (§9), to a configurable server URL (the
// tests point it at tests/fakes/fake_mattermost.h).
//
// Every call has a deadline kontobot enforces, follows no redirect (which
// would carry the token elsewhere), and a write is never sent twice by the
// library: see handlers/api_call.h. Calls reuse one cpprestsdk http_client,
// so its keep-alive connections are reused too.
//
// Errors: the server's body is {id, message, ...}; the id is what names an
// error (never the message). 429 (rate limited, §12), 5xx and calls without
// an answer are worth retrying; a 429 says how long to wait in its
// X-Ratelimit-Reset and Retry-After headers (see RateLimitWait).
//
// Thread-safety: every method may be called from several threads at once.
#ifndef KONTOBOT_HANDLERS_MATTERMOST_CLIENT_H_
#define KONTOBOT_HANDLERS_MATTERMOST_CLIENT_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace web::http::client {
class http_client;
}

namespace kontobot::mattermost {

struct Result {
  int status = 0;                                   // HTTP status; 0 when no answer came
  std::string transport_error;                      // why no answer came
  nlohmann::json body;                              // the parsed answer, or null
  std::optional<std::chrono::seconds> retry_after;  // a 429's wait
  // Why the call was never made (a body that is not UTF-8): permanent.
  std::string unsendable;

  bool ok() const { return status >= 200 && status < 300; }
  // The server's error id, the transport error, or "http <status>".
  std::string error() const;
  // Worth trying again: no answer, 429, 5xx; never an unsendable call.
  bool retryable() const {
    return unsendable.empty() && (status == 0 || status == 429 || status >= 500);
  }
  // The server may have done it although we got no answer saying so.
  bool uncertain() const { return unsendable.empty() && (status == 0 || status >= 500); }
};

class Client {
 public:
  // `server` is e.g. "https://mattermost.kommun.example" (no trailing slash).
  Client(std::string server, std::string token,
         std::chrono::milliseconds deadline = std::chrono::seconds(10));
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // `path` from /api/v4/, e.g. "/api/v4/users/me", with its query.
  Result Get(const std::string& path) const;
  Result Post(const std::string& path, const nlohmann::json& body) const;
  Result Put(const std::string& path, const nlohmann::json& body) const;

 private:
  Result Send(const std::string& method, const std::string& path, const nlohmann::json* body) const;
  web::http::client::http_client& Http() const;

  std::string server_;
  std::string token_;
  std::chrono::milliseconds deadline_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<web::http::client::http_client> http_;
};

// How long to wait after a 429. Mattermost's limiter (throttled) sends
// X-Ratelimit-Reset, the seconds until the limit is whole again, and
// Retry-After, the seconds until one more call is let through (§12); a
// proxy in front may send only one of them, or Reset as a Unix time (a
// value past 10^9, taken as such against `now_unix`). The longer of the two
// is waited, so the next call is not refused again; at least a second
// (also with neither header, or none readable), at most an hour (a
// header that says more is taken for a broken one).
std::chrono::seconds RateLimitWait(const std::optional<std::string>& ratelimit_reset,
                                   const std::optional<std::string>& retry_after, int64_t now_unix);

// The URL-path form of `s` (for an e-mail address or a username in a path).
std::string PathSegment(const std::string& s);

}  // namespace kontobot::mattermost

#endif  // KONTOBOT_HANDLERS_MATTERMOST_CLIENT_H_
