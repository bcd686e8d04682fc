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
#include <vector>

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
  // Why the call was never made: its arguments cannot be serialised (text
  // that is not UTF-8). Waiting does not change them, so this is permanent.
  std::string unsendable;

  bool ok() const { return status == 200 && body.is_object() && body.value("ok", false); }
  // Why it was not sent, Slack's error code, the HTTP status, or the
  // transport error.
  std::string error() const;
  // Worth trying again later: transport failures, 429, 5xx, and the
  // ok:false codes Slack documents as transient; never an unsendable call.
  bool retryable() const;
  // Slack may have carried the call out although we got no answer saying
  // so: no answer at all (a timeout, a dropped connection) or a 5xx.
  bool uncertain() const { return unsendable.empty() && (status == 0 || status >= 500); }
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

// What a message's Slack form is for: a post, or the chat.update of one
// already posted (which has no buttons left, and one more block to use).
enum class MessageUse { kPost, kUpdate };

// chat.postMessage / chat.update arguments (without channel/ts) for a
// stored message, as one or more Slack messages, so that nothing is cut:
// its text in mrkdwn sections of at most 3,000 bytes (whole lines where
// they fit, a longer line at a space, never inside a character or an
// entity), at most 49 sections to a message (Slack allows 50 blocks); the
// buttons (labels of at most 75 bytes) in actions blocks on the last
// message, the first of which names the message (block_id BlockMarker);
// every other block carries that marker too, the last message's as
// "<marker>:…", continuation k's as "<ContinuationMarker(message, k)>:…",
// so a post whose answer was lost can be found in the channel's history. Each
// has a `text` (the notification) of at most 3,000 bytes.
//
// An update puts in the last message what the post had there: the number
// of messages is worked out so that a text that only grew at its end (a
// decision appended) keeps the earlier messages as they are. (Had the text
// changed before its last message, the earlier ones are not edited.)
std::vector<nlohmann::json> MessageParts(const store::StoredMessage& message,
                                         MessageUse use = MessageUse::kPost);
// "kb:<id>.<marker>" with the message's random marker (StoredMessage::
// marker), so that no other installation's message, nor one of a restored
// copy of this database, has the same ("kb:<id>" for messages older than
// markers): the block_id of a message's (first) actions block.
std::string BlockMarker(const store::StoredMessage& message);
// The block_id prefix of continuation message `part` (0-based) of a message.
std::string ContinuationMarker(const store::StoredMessage& message, size_t part);

// Text as Slack mrkdwn. Our "*bold*" and "• " lists are mrkdwn already,
// and the person-typed parts are Literal (bot/text.h). Escaped here: &, <
// and > (so no <!channel>, <@U…> or <url|label> can be written); Slack's
// own markup, which our texts never use, is neutralised the way jsx-slack's
// <Escape> does it: _ ~ ` and their full-width forms (and ＊) become
// look-alikes (ˍ ∼ ˋ ⸏ ﹡), except inside web and e-mail addresses, which
// Slack links itself and which must keep leading where they lead, and a
// line that starts with > (a quote) gets an invisible soft hyphen first.
// Not a zero-width space: Slack takes one for a word boundary, which turns
// formatting on rather than off.
std::string EscapeMrkdwn(const std::string& text);

}  // namespace kontobot::slack

#endif  // KONTOBOT_HANDLERS_SLACK_SLACK_CLIENT_H_
