// The built-in web chat: static page and JSON API at /, /api/*.
//
// A demo front door: the person picks who they are from the directory, with
// no login, so it binds to loopback by default. It speaks to the same
// ConversationService as every platform adapter.
//
// Endpoints (all JSON; errors are {"error":{"code","message"}} with 4xx):
//   GET  /api/catalog?lang=sv|en   the page's own texts (webchat.*)
//   GET  /api/people               the directory, grouped by organisation
//   GET  /api/messages?person=ID&after=N
//   POST /api/messages {"person","text"} | {"person","message_id","action":{"id","value"}}
#ifndef KONTOBOT_HANDLERS_WEBCHAT_WEBCHAT_H_
#define KONTOBOT_HANDLERS_WEBCHAT_WEBCHAT_H_

#include "bot/directory.h"
#include "handlers/conversation_service.h"
#include "handlers/http_server.h"

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

class WebChat {
 public:
  // All references must outlive the WebChat.
  WebChat(ConversationService& service, const Directory& directory, const Catalog& catalog);

  void RegisterRoutes(HttpServer& server);

  Response Catalogue(const Request& request) const;
  Response People(const Request& request) const;
  Response GetMessages(const Request& request) const;
  Response PostMessage(const Request& request) const;
  Response Asset(const std::string& name) const;

 private:
  ConversationService& service_;
  const Directory& directory_;
  const Catalog& catalog_;
};

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_WEBCHAT_WEBCHAT_H_
