// Slack's Web API as the outbox uses it: JSON POSTs with the bot token in
// the Authorization header, to a configurable base URL (tests point it at
// a local fake). Also turns a stored message into Block Kit.
//
// Calls reuse one cpprestsdk http_client, so its keep-alive connections are
// reused too (a new client per call cost a connection set-up per message).
// Every call has a deadline kontobot enforces, follows no redirect, and a
// write (Call) is never sent twice by the library: see handlers/api_call.h.
//
// Thread-safety: Call and Get may be used from several threads
// (cpprestsdk's http_client is thread-safe; no request or answer object
// is shared with its threads once a call is sent).
#ifndef KONTOBOT_HANDLERS_SLACK_SLACK_CLIENT_H_
#define KONTOBOT_HANDLERS_SLACK_SLACK_CLIENT_H_

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace web::http::client {
class http_client;
}

namespace kontobot::slack {

struct CallResult {
  int status = 0;                                   // HTTP status; 0 when the call did not complete
  std::string transport_error;                      // connection refused, timeout, ...
  nlohmann::json body;                              // the parsed answer ({"ok":...}) or null
  std::optional<std::chrono::seconds> retry_after;  // from a 429's Retry-After

  bool ok() const { return status == 200 && body.is_object() && body.value("ok", false); }
  std::string error() const;  // Slack's error code, the HTTP status, or the transport error
  // Worth trying again later: transport failures, 429, 5xx, and the
  // ok:false codes Slack documents as transient.
  bool retryable() const;
  // Slack may have carried the call out although we got no answer saying
  // so: no answer at all (a timeout, a dropped connection) or a 5xx.
  bool uncertain() const { return status == 0 || status >= 500; }
};

class Client {
 public:
  // `base` is e.g. "https://slack.com/api" (no trailing slash). A call
  // without its whole answer after `deadline` is given up (status 0).
  Client(std::string base, std::string token,
         std::chrono::milliseconds deadline = std::chrono::seconds(10));

  ~Client();

  // A JSON POST (write methods).
  CallResult Call(const std::string& method, const nlohmann::json& args) const;
  // A GET with the arguments in the query string (read methods: users.info).
  CallResult Get(const std::string& method, const std::map<std::string, std::string>& args) const;

 private:
  web::http::client::http_client& Http() const;

  std::string base_;
  std::string token_;
  std::chrono::milliseconds deadline_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<web::http::client::http_client> http_;
};

// What names a stored message in Slack, in each of its blocks' block_id:
// "kb:<id>.<marker>", with the message's random marker, so that no other
// installation's message, nor one of a restored copy of this database,
// has the same ("kb:<id>" for messages older than markers).
std::string MessageTag(const store::StoredMessage& message);

// chat.postMessage / chat.update arguments (without channel/ts) for a
// stored message: a mrkdwn section per ≤3000 characters (block_id
// "<tag>:t<n>"), then its buttons as an actions block whose block_id is
// the message's tag (MessageTag).
nlohmann::json MessageArgs(const store::StoredMessage& message);

// Our "*bold*" and "• " lists are Slack mrkdwn already; &, < and > must be
// escaped.
std::string EscapeMrkdwn(const std::string& text);

}  // namespace kontobot::slack

#endif  // KONTOBOT_HANDLERS_SLACK_SLACK_CLIENT_H_
