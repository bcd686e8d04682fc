// One call to a platform's Web API (Slack, Matrix) through cpprestsdk, made
// so that kontobot, not the library, decides what happens when it goes
// wrong:
//
// - A deadline kontobot enforces itself. The call, its answer's headers and
//   its whole body must be in by the deadline, or the caller stops waiting
//   for it and it is reported as unanswered.
//   cpprestsdk's own timeout is no deadline: it restarts with every chunk
//   received, so a server that trickles its answer holds a call for ever,
//   and a call whose completion the library loses (seen after restarts:
//   the outbox's threads blocked in get() while cpprestsdk's sat idle)
//   never ends at all.
// - No redirects. cpprestsdk 2.10.16+ builds a redirect follower for every
//   request, on the calling thread, after it has handed the request to its
//   I/O thread: the follower copies the request's headers while the I/O
//   thread, on reading the answer's headers, adds a Content-Type to a
//   bodyless request's headers (request_context::complete_headers ->
//   set_body): a data race on the header map of every GET (ThreadSanitizer
//   caught it in CI). A followed redirect would also carry the bot token
//   to wherever the Location points. The APIs we call do not redirect.
// - No resend by the library. On a kept-alive connection that turns out to
//   be closed when the answer is read, cpprestsdk sends the request again on
//   another connection, by itself; a POST that the server carried out before
//   the connection dropped is then carried out twice (a Slack message posted
//   five times in 8 ms). OneShotBody gives a POST a body stream that cannot
//   be rewound, which makes the library report the failure instead; the
//   outbox then treats the call as one whose answer was lost.
//
// Thread-safety: CallWithDeadline may be called from several threads at
// once, with one shared http_client.
#ifndef KONTOBOT_HANDLERS_API_CALL_H_
#define KONTOBOT_HANDLERS_API_CALL_H_

#include <chrono>
#include <optional>
#include <string>

namespace web::http {
class http_request;
namespace client {
class http_client;
class http_client_config;
}  // namespace client
}  // namespace web::http

namespace kontobot::handlers {

struct ApiAnswer {
  int status = 0;                              // HTTP status; 0 when no answer came
  std::string transport_error;                 // why no answer came (connection, deadline)
  bool timed_out = false;                      // the deadline passed first
  std::string body;                            // the answer's body, as received
  std::optional<std::string> retry_after;      // the Retry-After header, if any
  std::optional<std::string> ratelimit_reset;  // X-Ratelimit-Reset (Mattermost), if any
};

// The client configuration for platform calls: no redirects, and
// cpprestsdk's own inactivity timeout at `deadline` as a second line.
web::http::client::http_client_config ApiClientConfig(std::chrono::milliseconds deadline);

// Sets `body` as `request`'s body in a stream that cannot be rewound, with
// its Content-Length, so that cpprestsdk never sends the request twice.
void OneShotBody(web::http::http_request& request, const std::string& body,
                 const std::string& content_type);

// Sends `request` and waits for its answer and body, at most `deadline`.
// Never throws; a failure is in transport_error (status 0).
ApiAnswer CallWithDeadline(web::http::client::http_client& http,
                           const web::http::http_request& request,
                           std::chrono::milliseconds deadline);

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_API_CALL_H_
