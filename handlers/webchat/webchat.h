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
