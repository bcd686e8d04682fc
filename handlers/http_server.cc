#include "handlers/http_server.h"

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

void HttpServer::Route(const std::string& method, const std::string& path, Handler handler) {
  routes_[path][method] = std::move(handler);
}

void HttpServer::RoutePrefix(const std::string& method, const std::string& prefix,
                             Handler handler) {
  prefixes_[prefix][method] = std::move(handler);
}

Response HttpServer::Dispatch(const Request& request) const {
  const std::map<std::string, Handler>* methods = nullptr;
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
    return Response::Error(404, "not_found", "No such endpoint: " + request.path);
  auto method = methods->find(request.method);
  if (method == methods->end()) {
    std::string allowed;
    for (const auto& [m, _] : *methods) allowed += (allowed.empty() ? "" : ", ") + m;
    Response r = Response::Error(405, "method_not_allowed",
                                 request.method + " is not allowed here; use " + allowed);
    r.headers["Allow"] = allowed;
    return r;
  }
  return method->second(request);
}

void HttpServer::Start() {
  std::string host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
  web::uri uri("http://" + host + ":" + std::to_string(port_));
  listener_ = std::make_unique<http_listener>(uri);
  auto in_flight = in_flight_;
  listener_->support([this, in_flight](http_request req) {
    ++*in_flight;
    auto send = [in_flight, req](const Response& r) mutable {
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
    try {
      auto length = req.headers().content_length();
      if (length > max_body_) {
        send(Response::Error(
            413, "body_too_large",
            "The request body is larger than " + std::to_string(max_body_) + " bytes"));
        return;
      }
      req.extract_vector().then(
          [this, req, send](const pplx::task<std::vector<unsigned char>>& t) mutable {
            Request r;
            std::vector<unsigned char> body;
            try {
              body = t.get();
            } catch (const std::exception& e) {
              // The client went away before its body arrived: nothing to answer.
              log_->debug("request body not received: {}", e.what());
              send(Response::Error(400, "incomplete_request", "The request body did not arrive"));
              return;
            }
            try {
              if (body.size() > max_body_) {
                send(Response::Error(
                    413, "body_too_large",
                    "The request body is larger than " + std::to_string(max_body_) + " bytes"));
                return;
              }
              r.method = req.method();
              r.path = web::uri::decode(req.relative_uri().path());
              r.query = ParseQuery(req.relative_uri().query());
              for (const auto& [k, v] : req.headers()) {
                std::string name = k;
                for (char& c : name)
                  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                r.headers[name] = v;
              }
              r.body.assign(body.begin(), body.end());
              r.remote = req.remote_address();
              send(Dispatch(r));
            } catch (const std::exception& e) {
              log_->error("{} {} failed: {}", r.method, r.path, e.what());
              send(Response::Error(
                  500, "internal_error",
                  "The server could not complete the request; nothing was changed. Try again."));
            }
          });
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
