// A chat platform as the composition root (handlers/app.cc) sees it: the
// port the core uses (app/platform.h) and the HTTP routes the platform
// calls. Each adapter under handlers/<platform>/ is one.
//
// Thread-safety: RegisterRoutes before the server starts.
#ifndef KONTOBOT_HANDLERS_PLATFORM_EDGE_H_
#define KONTOBOT_HANDLERS_PLATFORM_EDGE_H_

#include "app/platform.h"
#include "handlers/http_server.h"

namespace kontobot::handlers {

class PlatformEdge : public app::Platform {
 public:
  // The routes the platform calls (webhooks, interactivity).
  virtual void RegisterRoutes(HttpServer& server) = 0;
  // Opens the platform's own connections (Mattermost's WebSocket), after
  // the inbound queue and the server have started; Stop closes them, before
  // the queue stops. Most platforms have none.
  virtual void Start() {}
  virtual void Stop() {}
};

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_PLATFORM_EDGE_H_
