#include "handlers/http_server.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include <cpprest/http_listener.h>
#include <pplx/threadpool.h>
#include <nlohmann/json.hpp>

namespace kontobot::handlers {

using web::http::http_request;
using web::http::http_response;
using web::http::experimental::listener::http_listener;
using web::http::experimental::listener::http_listener_config;

Response Response::Json(int status, const std::string& body) {
  Response r;
  r.status = status;
  r.body = body;
  return r;
}

Response Response::Error(int status, const std::string& code, const std::string& message) {
  return Json(status, nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump());
}

void InitializeThreadPool(unsigned threads) {
  crossplat::threadpool::initialize_with_threads(threads);
}

std::map<std::string, std::string> ParseQuery(const std::string& query) {
  std::map<std::string, std::string> out;
  auto decode = [](const std::string& s) {
    std::string r;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        r.push_back(' ');
      } else if (s[i] == '%' && i + 2 < s.size() &&
                 std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        r.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        r.push_back(s[i]);
      }
    }
    return r;
  };
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    std::string pair =
        query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      out[decode(pair.substr(0, eq))] = eq == std::string::npos ? "" : decode(pair.substr(eq + 1));
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

HttpServer::HttpServer(std::string host, uint16_t port, size_t max_body,
                       std::shared_ptr<spdlog::logger> log)
    : host_(std::move(host)), port_(port), max_body_(max_body), log_(std::move(log)) {}

HttpServer::~HttpServer() {
  if (listener_) Stop(std::chrono::seconds(5));
}

namespace {
AsyncHandler Synchronous(Handler handler) {
  return [handler = std::move(handler)](const Request& r, const Responder& respond) {
    respond(handler(r));
  };
}
}  // namespace

void HttpServer::Route(const std::string& method, const std::string& path, Handler handler) {
  routes_[path][method] = Synchronous(std::move(handler));
}

void HttpServer::RouteAsync(const std::string& method, const std::string& path,
                            AsyncHandler handler) {
  routes_[path][method] = std::move(handler);
}

void HttpServer::RoutePrefix(const std::string& method, const std::string& prefix,
                             Handler handler) {
  prefixes_[prefix][method] = Synchronous(std::move(handler));
}

void HttpServer::RoutePrefixAsync(const std::string& method, const std::string& prefix,
                                  AsyncHandler handler) {
  prefixes_[prefix][method] = std::move(handler);
}

void HttpServer::Dispatch(const Request& request, const Responder& respond) const {
  const std::map<std::string, AsyncHandler>* methods = nullptr;
  if (auto exact = routes_.find(request.path); exact != routes_.end()) {
    methods = &exact->second;
  } else {
    for (const auto& [prefix, handlers] : prefixes_) {
      if (request.path.size() > prefix.size() &&
          request.path.compare(0, prefix.size(), prefix) == 0) {
        methods = &handlers;
        break;
      }
    }
  }
  if (methods == nullptr)
    return respond(Response::Error(404, "not_found", "No such endpoint: " + request.path));
  auto method = methods->find(request.method);
  if (method == methods->end()) {
    std::string allowed;
    for (const auto& [m, _] : *methods) allowed += (allowed.empty() ? "" : ", ") + m;
    Response r = Response::Error(405, "method_not_allowed",
                                 request.method + " is not allowed here; use " + allowed);
    r.headers["Allow"] = allowed;
    return respond(r);
  }
  method->second(request, respond);
}

namespace {

// Bytes asked of a body's buffer at a time: a whole Slack event or web chat
// message in one read.
constexpr size_t kBodyBlock = size_t{16} * 1024;
// How much of a body over the limit is still read, and thrown away, so
// that a client that sends its whole body before it reads the answer (most
// do) gets its 413 rather than a reset connection. A body still going after
// that is no longer read at all (RefuseBody).
constexpr size_t kDrainLimit = size_t{1024} * 1024;

// Stops cpprestsdk reading the rest of `req`'s body: closing the body's
// buffer with an error makes the listener's next write into it fail, which
// ends the request (its answer is then sent) instead of buffering the rest.
// The answer must close the connection: what the client still sends cannot
// be read as its next request.
void RefuseBody(const http_request& req) {
  req.body().streambuf().close(
      std::ios_base::out,
      std::make_exception_ptr(std::length_error("request body refused before its end")));
}

// Reads one request body a block at a time, as cpprestsdk's listener puts
// it into the request's buffer. The listener writes every block it
// receives without waiting for a reader, so reading as it arrives is what
// bounds the memory a body takes, and RefuseBody what stops the socket
// being read.
//
// Calls on_body with the whole body if it ends within `limit` bytes. Calls
// on_too_large as soon as more than `limit` bytes have arrived, whatever
// the client declared, chunked or not; from then on nothing is kept and at
// most kDrainLimit bytes are read and thrown away before the body is
// refused. Calls on_incomplete if the client goes away before its body
// ended. Each is called at most once, and only one of them.
class BodyReader : public std::enable_shared_from_this<BodyReader> {
 public:
  BodyReader(const http_request& req, size_t limit, std::function<void(std::string)> on_body,
             std::function<void()> on_too_large, std::function<void()> on_incomplete)
      : req_(req),
        buffer_(req_.body().streambuf()),
        limit_(limit),
        on_body_(std::move(on_body)),
        on_too_large_(std::move(on_too_large)),
        on_incomplete_(std::move(on_incomplete)) {}

  // Starts reading. `too_large`: the declared length is already over the
  // limit (on_too_large has been called); the body is only drained.
  void Start(bool too_large) {
    too_large_ = too_large;
    Next();
  }

 private:
  void Next() {
    const size_t have = too_large_ ? 0 : body_.size();
    const size_t want = too_large_ ? kBodyBlock : std::min(kBodyBlock, limit_ + 1 - have);
    body_.resize(have + want);
    auto self = shared_from_this();
    buffer_.getn(reinterpret_cast<uint8_t*>(body_.data() + have), want)
        .then([self, have, want](const pplx::task<size_t>& t) { self->Received(have, want, t); });
  }

  void Received(size_t have, size_t want, const pplx::task<size_t>& read) {
    size_t n = 0;
    try {
      n = read.get();
    } catch (const std::exception&) {  // the connection ended before the body
      if (!too_large_) on_incomplete_();
      return;
    }
    // The buffer answers a read with less than was asked only once it is
    // closed for writing: at the end of the body, or with the error that
    // ended the connection.
    const bool ended = n < want && !buffer_.can_write();
    if (ended && buffer_.exception()) {
      if (!too_large_) on_incomplete_();
      return;
    }
    if (too_large_) {
      discarded_ += n;
    } else {
      body_.resize(have + n);
      if (body_.size() > limit_) {
        too_large_ = true;
        discarded_ = body_.size();
        body_ = std::string();
        on_too_large_();
      } else if (ended) {
        return on_body_(std::move(body_));
      }
    }
    if (too_large_ && ended) return;  // drained: the answer goes out now
    if (too_large_ && discarded_ > kDrainLimit) return RefuseBody(req_);
    Next();
  }

  http_request req_;
  concurrency::streams::streambuf<uint8_t> buffer_;
  const size_t limit_;
  std::function<void(std::string)> on_body_;
  std::function<void()> on_too_large_;
  std::function<void()> on_incomplete_;
  std::string body_;  // what has arrived, while within the limit; then a scratch block
  bool too_large_ = false;
  size_t discarded_ = 0;  // bytes past the limit, thrown away
};

}  // namespace

void HttpServer::Start() {
  std::string host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
  web::uri uri("http://" + host + ":" + std::to_string(port_));
  listener_ = std::make_unique<http_listener>(uri);
  auto in_flight = in_flight_;
  listener_->support([this, in_flight](http_request req) {
    ++*in_flight;
    // Exactly one response per request, whoever sends it first: an
    // asynchronous handler that throws after answering is not answered twice.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    auto send = [in_flight, req, answered](const Response& r) mutable {
      if (answered->exchange(true)) return;
      http_response resp(static_cast<web::http::status_code>(r.status));
      resp.headers().add("X-Content-Type-Options", "nosniff");
      resp.headers().add("Cache-Control", "no-store");
      for (const auto& [k, v] : r.headers) resp.headers().add(k, v);
      resp.set_body(r.body, r.content_type);
      req.reply(resp).then([in_flight](const pplx::task<void>& t) {
        try {
          t.get();
        } catch (...) {  // the client went away; nothing to do
        }
        --*in_flight;
      });
    };
    const size_t max_body = max_body_;
    auto too_large = [send, max_body]() mutable {
      Response r =
          Response::Error(413, "body_too_large",
                          "The request body is larger than " + std::to_string(max_body) + " bytes");
      r.headers["Connection"] = "close";
      send(r);
    };
    auto incomplete = [this, send]() mutable {
      // The client went away before its body arrived: nothing to answer.
      log_->debug("request body not received");
      Response r = Response::Error(400, "incomplete_request", "The request body did not arrive");
      r.headers["Connection"] = "close";
      send(r);
    };
    auto received = [this, req, send](std::string body) mutable {
      Request r;
      try {
        r.method = req.method();
        r.path = web::uri::decode(req.relative_uri().path());
        r.query = ParseQuery(req.relative_uri().query());
        for (const auto& [k, v] : req.headers()) {
          std::string name = k;
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          r.headers[name] = v;
        }
        r.body = std::move(body);
        r.remote = req.remote_address();
        Dispatch(r, send);
      } catch (const std::exception& e) {
        log_->error("{} {} failed: {}", r.method, r.path, e.what());
        send(Response::Error(
            500, "internal_error",
            "The server could not complete the request; nothing was changed. Try again."));
      }
    };
    try {
      // A declared length over the limit is answered before a byte is read,
      // and not read at all if it is beyond what is drained.
      const auto declared = req.headers().content_length();
      const bool declared_too_large = declared > max_body_;
      if (declared_too_large) {
        too_large();
        if (declared > max_body_ + kDrainLimit) return RefuseBody(req);
      }
      std::make_shared<BodyReader>(req, max_body_, received, too_large, incomplete)
          ->Start(declared_too_large);
    } catch (const std::exception& e) {
      log_->error("request failed before dispatch: {}", e.what());
      send(Response::Error(400, "bad_request", "The request could not be read"));
    }
  });
  try {
    listener_->open().wait();
  } catch (const std::exception& e) {
    listener_.reset();
    throw std::runtime_error("cannot listen on " + host_ + ":" + std::to_string(port_) + ": " +
                             e.what());
  }
}

bool HttpServer::Stop(std::chrono::milliseconds drain) {
  if (!listener_) return true;
  try {
    listener_->close().wait();
  } catch (const std::exception& e) {
    log_->warn("closing the listener: {}", e.what());
  }
  auto deadline = std::chrono::steady_clock::now() + drain;
  while (*in_flight_ > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  bool drained = *in_flight_ == 0;
  listener_.reset();
  return drained;
}

}  // namespace kontobot::handlers
