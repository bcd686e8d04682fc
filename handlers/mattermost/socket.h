// The bot's WebSocket connection to Mattermost (/api/v4/websocket, §10):
// the only way to hear direct messages without a server plugin.
//
// A thread of its own connects with the bot token (in the upgrade's
// Authorization header, and once more as an authentication_challenge, which
// older servers need), waits for the server's `hello`, and hands every
// message to `on_message` (on cpprestsdk's threads). When the connection
// ends (the server closed it, a frame broke off in the middle, a frame
// that is not WebSocket, the network), it connects again after a backoff
// that doubles from `backoff_min` to `backoff_max`, with jitter, and after
// each `hello` calls `on_connected` on its own thread, where the adapter
// catches up on what was posted meanwhile (the socket has no replay).
//
// Thread-safety: Start and Stop from one thread; the callbacks may run on
// other threads and must not call Stop.
#ifndef KONTOBOT_HANDLERS_MATTERMOST_SOCKET_H_
#define KONTOBOT_HANDLERS_MATTERMOST_SOCKET_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <spdlog/logger.h>

#include "handlers/mattermost/wire.h"

namespace kontobot::mattermost {

class Socket {
 public:
  struct Settings {
    std::string url;  // ws://host/api/v4/websocket or wss://…
    std::string token;
    std::chrono::milliseconds backoff_min = std::chrono::milliseconds(200);
    std::chrono::milliseconds backoff_max = std::chrono::seconds(30);
    std::chrono::milliseconds hello_deadline = std::chrono::seconds(30);
  };
  // `before_connect`, if given, runs on the socket's thread before each
  // attempt; false skips the attempt (and backs off), e.g. while what the
  // messages' handler needs cannot be learned yet.
  Socket(Settings settings, std::function<void(const SocketEvent&)> on_message,
         std::function<void()> on_connected, std::shared_ptr<spdlog::logger> log,
         std::function<bool()> before_connect = nullptr);
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  void Start();
  // Closes the connection and joins the thread.
  void Stop();

 private:
  // What one connection's callbacks (on cpprestsdk's threads) tell the
  // socket's thread; shared, since a callback may outlive the connection.
  struct Connection {
    std::mutex mu;
    std::condition_variable cv;
    bool hello = false;
    bool closed = false;
    bool stopped = false;
    void Set(bool Connection::*flag) {
      {
        std::lock_guard<std::mutex> lock(mu);
        this->*flag = true;
      }
      cv.notify_all();
    }
    // Waits until `pred`, the connection's end or Stop, at most `limit`;
    // pred's value.
    template <typename Pred>
    bool Wait(Pred pred, std::chrono::milliseconds limit) {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait_for(lock, limit, [&] { return pred() || closed || stopped; });
      return pred();
    }
  };
  void Loop();
  // One connection, until it ends or Stop; true if it said hello.
  bool RunOnce();

  Settings settings_;
  std::function<void(const SocketEvent&)> on_message_;
  std::function<void()> on_connected_;
  std::function<bool()> before_connect_;
  std::shared_ptr<spdlog::logger> log_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                // guarded by mu_
  std::shared_ptr<Connection> current_;  // guarded by mu_
  std::thread thread_;
};

// ws(s)://host/api/v4/websocket for a server URL http(s)://host.
std::string SocketUrl(const std::string& server);

}  // namespace kontobot::mattermost

#endif  // KONTOBOT_HANDLERS_MATTERMOST_SOCKET_H_
