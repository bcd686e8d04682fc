// Meta's Graph API for acting on a public comment (PROTOCOLS.md §15):
// the request that replies to or hides a Facebook Page comment or an
// Instagram comment, and what Graph's answer means for the outbox. Both
// are pure functions; the call itself is the inbox adapter's
// (handlers/inbox/inbox_adapter.cc), made through the outbox.
//
// Requests, each a POST with an application/x-www-form-urlencoded body
// that carries the page token as access_token (Graph takes the token in
// the body of a POST as in its query):
//   Facebook reply   POST /{comment-id}/comments   message=…
//   Instagram reply  POST /{ig-comment-id}/replies message=…
//   Facebook hide    POST /{comment-id}            is_hidden=true
//   Instagram hide   POST /{ig-comment-id}         hide=true
//
// Answers (Graph's error object: {"error":{"message","type","code",
// "error_subcode","fbtrace_id"}}):
//   2xx                                  -> kDone (the new comment's id for a reply)
//   no answer, 5xx, 429, codes 1, 2, 4, 17, 32, 341, 613 (temporary, rate
//   limits)                              -> kRetry (Retry-After honoured)
//   code 190 (OAuthException: the token expired or was revoked)
//                                        -> kTokenExpired
//   code 100 with subcode 33, or a message saying the object does not
//   exist (the comment was deleted)      -> kGone
//   code 10 or 200-299 (permissions)     -> kNotAllowed
//   anything else                        -> kRefused
//
// Thread-safety: pure functions.
#ifndef KONTOBOT_HANDLERS_META_GRAPH_H_
#define KONTOBOT_HANDLERS_META_GRAPH_H_

#include <chrono>
#include <optional>
#include <string>

namespace kontobot::meta {

enum class CommentAction { kReply, kHide };

struct GraphRequest {
  std::string path;  // relative to the Graph API base, e.g. "/123_456/comments"
  std::string body;  // application/x-www-form-urlencoded, access_token included
};

// The request that carries out `action` on comment `comment_id` of
// `source` ("facebook" or "instagram"); `message` is the reply's text
// (unused for kHide). nullopt for another source, an empty comment id or
// token, or a reply without text: nothing that Graph could accept.
std::optional<GraphRequest> BuildCommentRequest(CommentAction action, const std::string& source,
                                                const std::string& comment_id,
                                                const std::string& message,
                                                const std::string& token);

enum class GraphVerdict { kDone, kRetry, kTokenExpired, kGone, kNotAllowed, kRefused };

struct GraphOutcome {
  GraphVerdict verdict = GraphVerdict::kRefused;
  // With kRetry: the call may have been carried out (no answer, a 5xx).
  bool uncertain = false;
  std::optional<std::chrono::seconds> retry_after;
  int code = 0;       // error.code, 0 if none
  int subcode = 0;    // error.error_subcode, 0 if none
  std::string id;     // with kDone: the "id" Graph answered (the reply's)
  std::string error;  // for the log: status, code, type and Graph's message
};

// What Graph's answer (`status` 0 when none came, `transport_error` then
// says why) means; `retry_after` is the Retry-After header, if any.
GraphOutcome ClassifyGraphAnswer(int status, const std::string& body,
                                 const std::string& transport_error,
                                 const std::optional<std::string>& retry_after);

}  // namespace kontobot::meta

#endif  // KONTOBOT_HANDLERS_META_GRAPH_H_
