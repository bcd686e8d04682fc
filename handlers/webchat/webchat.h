// The built-in web chat: static page and JSON API at /, /api/*.
//
// Two modes. Without sign-in, a demo: the person picks who they are from
// the directory, so it is served on loopback only (config/options.cc
// refuses another --listen then) and the page says it is a demo. With
// sign-in (handlers/sign_in.h), every route asks the SignIn first and
// answers 401 to a request it does not sign in; the chat is then the
// signed-in person's own, the directory is not served and a request that
// names another person is refused (403 not_your_chat). It speaks to the
// same ConversationService as every platform adapter.
//
// Endpoints (all JSON; errors are {"error":{"code","message"}} with 4xx):
//   GET  /api/catalog?lang=sv|en   the page's own texts (webchat.*)
//   GET  /api/session              {"sign_in":false} in the demo; with sign-in
//                                  {"sign_in":true,"person":{id,name,...,org}}
//   GET  /api/people               the directory, grouped by organisation
//                                  (the demo only)
//   GET  /api/messages?person=ID&after=N   (person optional with sign-in)
//   POST /api/messages {"person","text"} | {"person","message_id","action":{"id","value"}}
//
// Only the web chat's own page may drive it (WebChatRefusal): with no
// sign-in and no cookie, the API trusts whoever reaches it, so a web page
// open in a browser on the same machine must not (issue 14).
#ifndef KONTOBOT_HANDLERS_WEBCHAT_WEBCHAT_H_
#define KONTOBOT_HANDLERS_WEBCHAT_WEBCHAT_H_

#include "app/conversation_service.h"
#include "bot/directory.h"
#include "handlers/http_server.h"
#include "handlers/sign_in.h"

namespace kontobot::handlers {

// The body of POST /api/messages, read without the directory or the store
// (the handler then checks the person and the button). Pure, so the handler
// and the fuzz target (tests/fuzz/webchat_request_fuzz.cc) run the same code.
struct PostedMessage {
  // "" when the body is valid; else "bad_json", "bad_request" or "bad_text".
  std::string error_code;
  std::optional<std::string> person;  // set whenever the body names one
  bool is_action = false;
  std::string text;    // !is_action: non-blank UTF-8, at most kMaxText bytes
  std::string action;  // is_action: button id and value, on message message_id
  std::string value;
  int64_t message_id = 0;
};
inline constexpr size_t kMaxText = 8000;
PostedMessage ParsePostedMessage(const std::string& body);

// A non-negative whole number (a message id or cursor in a query).
std::optional<int64_t> ParseMessageId(const std::string& text);

// True when `s` is well-formed UTF-8 (no truncated or stray continuation
// bytes; overlong forms are not checked).
bool ValidUtf8(const std::string& s);

// The authorities (lower-case HOST:PORT, as a Host header carries them) at
// which the web chat is reached: for a loopback `listen_host`, localhost,
// 127.0.0.1, [::1] and `listen_host` itself, each with `port` (and also
// without it when the port is 80), plus `public_host` if not empty.
std::vector<std::string> WebChatAuthorities(const std::string& listen_host, uint16_t port,
                                            const std::string& public_host);

// What a web chat route does with the request, for WebChatRefusal.
enum class WebChatAccess {
  kPage,   // the page and its files: may be opened from a link anywhere
  kRead,   // GET /api/...: read by the page's own scripts
  kWrite,  // POST /api/...: changes state, sent by the page's own scripts
};

// Why `request` may not reach the web chat, as an error code, or "" if it
// may. `authorities` as from WebChatAuthorities. The checks, in order:
//   forbidden_host          Host is not one of `authorities`: a foreign name
//                           that resolves to this machine (DNS rebinding)
//                           gives its page the web chat's origin otherwise
//   forbidden_origin        Origin is sent and is not http(s):// one of
//                           `authorities`; or, for kRead and kWrite,
//                           Sec-Fetch-Site is sent and is neither
//                           "same-origin" nor "none": another page's request
//   unsupported_media_type  kWrite whose Content-Type is not
//                           application/json: a page elsewhere can send a
//                           form or text/plain without asking, but JSON only
//                           after a CORS preflight, which is never granted
// A request without Origin or Sec-Fetch-Site (not from a browser, or one
// too old to send them) is judged by the others: a browser that sends
// neither does not send JSON across origins either.
std::string WebChatRefusal(const Request& request, WebChatAccess access,
                           const std::vector<std::string>& authorities);

class WebChat {
 public:
  // All references must outlive the WebChat. `authorities` as from
  // WebChatAuthorities: a request under any other Host or Origin is refused.
  // `sign_in` may be off (the demo).
  WebChat(app::ConversationService& service, const Directory& directory, const Catalog& catalog,
          std::vector<std::string> authorities, const SignIn& sign_in);

  void RegisterRoutes(HttpServer& server);

  // `signed_in`: the person the SignIn found; null in the demo.
  Response Catalogue(const Request& request) const;
  Response Session(const Person* signed_in) const;
  Response People(const Request& request) const;
  Response GetMessages(const Request& request, const Person* signed_in) const;
  Response PostMessage(const Request& request, const Person* signed_in) const;
  Response Asset(const std::string& name) const;

 private:
  using PersonalHandler = std::function<Response(const Request&, const Person* signed_in)>;
  // `handler` behind the SignIn (when on) and WebChatRefusal.
  Handler Guarded(WebChatAccess access, PersonalHandler handler) const;
  // The person a request acts as: in the demo the one it names (404 when
  // nobody); with sign-in `signed_in`, and 403 when it names someone else.
  // Returns the person, or the response to send instead.
  const Person* Acting(const std::optional<std::string>& named, const Person* signed_in,
                       Response& refusal) const;

  app::ConversationService& service_;
  const Directory& directory_;
  const Catalog& catalog_;
  const std::vector<std::string> authorities_;
  const SignIn& sign_in_;
};

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_WEBCHAT_WEBCHAT_H_
