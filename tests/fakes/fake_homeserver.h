// A local fake of a Matrix homeserver's Client-Server API, as an
// Application Service uses it (shared/specs/matrix/data/api/client-server:
// room_send.yaml, create_room.yaml, joining.yaml): it checks the as_token in
// "Authorization: Bearer", the paths and the required bodies, deduplicates
// sends by transaction id as a homeserver must, records every call, and can
// fail (HTTP 500, 429 M_LIMIT_EXCEEDED with Retry-After and retry_after_ms)
// or be down.
#ifndef KONTOBOT_TESTS_FAKES_FAKE_HOMESERVER_H_
#define KONTOBOT_TESTS_FAKES_FAKE_HOMESERVER_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <cpprest/http_listener.h>
#include <nlohmann/json.hpp>

#include "tests/fakes/in_flight.h"

namespace kontobot::testing {

class FakeHomeserver {
 public:
  struct Call {
    std::string method;
    std::string path;  // decoded
    nlohmann::json body;
  };

  FakeHomeserver(int port, std::string as_token) : port_(port), token_(std::move(as_token)) {}
  ~FakeHomeserver() {
    try {
      Stop();
    } catch (...) {  // a destructor must not throw; nothing is left to clean up
    }
  }

  void Start() {
    listener_ = std::make_unique<web::http::experimental::listener::http_listener>(
        web::uri("http://127.0.0.1:" + std::to_string(port_)));
    listener_->support([this](const web::http::http_request& req) {
      InFlight::Guard running(handlers_);
      Serve(req);
    });
    listener_->open().wait();
  }
  // Closes the listener, then waits for the request handlers still running
  // (tests/fakes/in_flight.h).
  void Stop() {
    if (listener_) listener_->close().wait();
    listener_.reset();
    handlers_.WaitForNone();
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The next `n` calls (with `path_part`: the next `n` whose path has it)
  // are answered `status` and not recorded.
  void FailNext(int n, int status, std::string path_part = "") {
    std::lock_guard<std::mutex> lock(mu_);
    fail_left_ = n;
    fail_status_ = status;
    fail_path_ = std::move(path_part);
  }
  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  // Sends (PUT .../send/...) to `room` of `type`, once per transaction id.
  std::vector<Call> sends(const std::string& room, const std::string& type) const {
    std::vector<Call> out;
    std::string needle = "/rooms/";
    needle.append(room).append("/send/").append(type).append("/");
    for (const Call& c : calls()) {
      if (c.method == "PUT" && c.path.find(needle) != std::string::npos) out.push_back(c);
    }
    return out;
  }
  std::string event_of(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = txns_.find(path);
    return it == txns_.end() ? "" : it->second;
  }

 private:
  static nlohmann::json Err(const std::string& code) {
    return {{"errcode", code}, {"error", code}};
  }

  void Serve(web::http::http_request req) {
    Call c;
    c.method = req.method();
    c.path = web::uri::decode(req.relative_uri().path());
    std::string auth = req.headers().has("Authorization") ? req.headers()["Authorization"] : "";
    c.body = nlohmann::json::parse(req.extract_utf8string(true).get(), nullptr, false);
    web::http::http_response resp(web::http::status_codes::OK);
    nlohmann::json answer;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (fail_left_ > 0 && c.path.find(fail_path_) != std::string::npos) {
        --fail_left_;
        resp.set_status_code(static_cast<web::http::status_code>(fail_status_));
        if (fail_status_ == 429) {
          resp.headers().add("Retry-After", "1");
          answer = {{"errcode", "M_LIMIT_EXCEEDED"},
                    {"error", "Too many requests"},
                    {"retry_after_ms", 1000}};
        } else {
          answer = Err("M_UNKNOWN");
        }
      } else if (auth != "Bearer " + token_) {
        resp.set_status_code(web::http::status_codes::Unauthorized);
        answer = Err("M_UNKNOWN_TOKEN");
      } else {
        answer = Answer(c, resp);
      }
    }
    resp.set_body(answer.dump(), "application/json");
    req.reply(resp);
  }

  // REQUIRES: mu_ held.
  nlohmann::json Answer(const Call& c, web::http::http_response& resp) {
    const std::string prefix = "/_matrix/client/v3/";
    if (c.path.rfind(prefix, 0) != 0 || !c.body.is_object()) {
      resp.set_status_code(web::http::status_codes::BadRequest);
      return Err("M_UNRECOGNIZED");
    }
    std::string rest = c.path.substr(prefix.size());
    if (c.method == "POST" && rest == "createRoom") {
      if (!c.body.contains("invite") || !c.body["invite"].is_array() ||
          !c.body.value("is_direct", false)) {
        resp.set_status_code(web::http::status_codes::BadRequest);
        return Err("M_BAD_JSON");
      }
      calls_.push_back(c);
      return {{"room_id", "!dm" + std::to_string(++rooms_) + ":gislaved.example"}};
    }
    if (c.method == "POST" && rest.rfind("rooms/", 0) == 0 && rest.size() > 5 &&
        rest.substr(rest.size() - 5) == "/join") {
      calls_.push_back(c);
      return {{"room_id", rest.substr(6, rest.size() - 11)}};
    }
    if (c.method == "PUT" && rest.rfind("rooms/", 0) == 0 &&
        rest.find("/send/") != std::string::npos) {
      // Idempotent per transaction id: a resend gets the same event id.
      auto it = txns_.find(c.path);
      if (it != txns_.end()) return {{"event_id", it->second}};
      std::string id = "$ev" + std::to_string(++events_);
      txns_[c.path] = id;
      calls_.push_back(c);
      return {{"event_id", id}};
    }
    resp.set_status_code(web::http::status_codes::NotFound);
    return Err("M_UNRECOGNIZED");
  }

  int port_;
  std::string token_;
  InFlight handlers_;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener_;
  mutable std::mutex mu_;
  std::vector<Call> calls_;
  std::map<std::string, std::string> txns_;
  int fail_left_ = 0, fail_status_ = 500, rooms_ = 0, events_ = 0;
  std::string fail_path_;
};

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_FAKES_FAKE_HOMESERVER_H_
