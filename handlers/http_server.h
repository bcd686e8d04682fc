// A small HTTP front on cpprestsdk's http_listener: exact-path routing,
// a body-size limit, one catch per request that maps failures to a JSON
// error, and a drain on shutdown.
//
// The body limit holds whether or not the client declares the length: a
// declared length over it is refused before the body is read, and any
// other body is counted as it arrives and refused (413, connection closed)
// as soon as it passes the limit, before any handler runs; the socket is
// then no longer read, so an endless chunked body costs at most the limit
// and a few blocks of memory.
//
// cpprestsdk's listener does not wait for handlers still running when it is
// closed, so Stop() closes the listener and then waits for the in-flight
// count to reach zero before returning: only then may the store be closed.
//
// Thread-safety: routes are added before Start(); handlers run concurrently
// on cpprestsdk's thread pool and must be thread-safe.
#ifndef KONTOBOT_HANDLERS_HTTP_SERVER_H_
#define KONTOBOT_HANDLERS_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace web::http::experimental::listener {
class http_listener;
}

namespace kontobot::handlers {

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string remote;

  // The value of header `name` (lower case), "" if it was not sent.
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::map<std::string, std::string> headers;

  static Response Json(int status, const std::string& body);
  // {"error": {"code": code, "message": message}}
  static Response Error(int status, const std::string& code, const std::string& message);
};

using Handler = std::function<Response(const Request&)>;
// Sends the response; may be called later and from any thread, once.
using Responder = std::function<void(const Response&)>;
// A handler that answers through `respond`, possibly after it returned (the
// Slack events endpoint answers once its event is durable, without holding
// a worker thread meanwhile).
using AsyncHandler = std::function<void(const Request&, Responder respond)>;

class HttpServer {
 public:
  HttpServer(std::string host, uint16_t port, size_t max_body, std::shared_ptr<spdlog::logger> log);
  ~HttpServer();

  // Registers `handler` for `method` on exactly `path`.
  void Route(const std::string& method, const std::string& path, Handler handler);
  void RouteAsync(const std::string& method, const std::string& path, AsyncHandler handler);
  // Registers `handler` for `method` on every path under `prefix` (which
  // ends with '/'); exact routes win. The handler reads request.path.
  void RoutePrefix(const std::string& method, const std::string& prefix, Handler handler);
  void RoutePrefixAsync(const std::string& method, const std::string& prefix, AsyncHandler handler);

  // Starts listening. Throws std::runtime_error if the address is taken.
  void Start();
  // Stops accepting, then waits up to `drain` for requests in flight.
  // Returns false if some were still running when the time ran out.
  bool Stop(std::chrono::milliseconds drain);

  // The port actually bound (useful with port 0 in tests? cpprestsdk needs a
  // concrete port, so this is the configured one).
  uint16_t port() const { return port_; }

 private:
  void Dispatch(const Request& request, const Responder& respond) const;

  std::string host_;
  uint16_t port_;
  size_t max_body_;
  std::shared_ptr<spdlog::logger> log_;
  std::map<std::string, std::map<std::string, AsyncHandler>> routes_;  // path -> method -> handler
  std::map<std::string, std::map<std::string, AsyncHandler>> prefixes_;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener_;
  std::shared_ptr<std::atomic<int>> in_flight_ = std::make_shared<std::atomic<int>>(0);
};

// Sizes cpprestsdk's shared thread pool. Must run before any cpprestsdk
// object is created; its default of 40 threads cut throughput fourfold on
// two cores in measurements.
void InitializeThreadPool(unsigned threads);

// Percent-decoding of a query string into name -> value ('+' is a space).
std::map<std::string, std::string> ParseQuery(const std::string& query);

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_HTTP_SERVER_H_
