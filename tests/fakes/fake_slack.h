// A local fake of Slack's Web API (https://slack.com/api/<method>) that
// checks requests as Slack documents them (PROTOCOLS.md §4, the OpenAPI in
// shared/specs/slack): the bot token in "Authorization: Bearer", a JSON body
// with "application/json", the required arguments of conversations.open,
// chat.postMessage and chat.update. It records every call, answers like
// Slack ({"ok":true,...} or {"ok":false,"error":...}), and can be told to
// fail: HTTP 500, 429 with Retry-After, a given ok:false error, or to be
// down altogether (stopped).
#ifndef KONTOBOT_TESTS_FAKES_FAKE_SLACK_H_
#define KONTOBOT_TESTS_FAKES_FAKE_SLACK_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <cpprest/http_listener.h>
#include <nlohmann/json.hpp>

namespace kontobot::testing {

class FakeSlack {
 public:
  struct Call {
    std::string method;
    nlohmann::json args;
    std::string authorization;
    std::string content_type;
  };

  FakeSlack(int port, std::string token) : port_(port), token_(std::move(token)) {}
  ~FakeSlack() {
    try {
      Stop();
    } catch (...) {  // a destructor must not throw; nothing is left to clean up
    }
  }

  void Start() {
    listener_ = std::make_unique<web::http::experimental::listener::http_listener>(
        web::uri("http://127.0.0.1:" + std::to_string(port_) + "/api"));
    listener_->support([this](const web::http::http_request& req) { Serve(req); });
    listener_->open().wait();
  }
  void Stop() {
    if (listener_) listener_->close().wait();
    listener_.reset();
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api"; }

  // The next `n` calls fail with HTTP `status` (429 adds Retry-After).
  void FailNext(int n, int status, int retry_after = 1) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_left_ = n;
    fail_status_ = status;
    retry_after_ = retry_after;
  }
  // The next `n` calls answer {"ok":false,"error":error}.
  void ErrorNext(int n, std::string error) {
    std::lock_guard<std::mutex> lock(mu_);
    error_left_ = n;
    error_ = std::move(error);
  }

  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::vector<Call> calls(const std::string& method) const {
    std::vector<Call> out;
    for (const Call& c : calls()) {
      if (c.method == method) out.push_back(c);
    }
    return out;
  }
  int refused() const { return refused_; }

 private:
  void Serve(web::http::http_request req) {
    Call c;
    c.method = web::uri::decode(req.relative_uri().path());
    if (!c.method.empty() && c.method.front() == '/') c.method.erase(0, 1);
    c.authorization = req.headers().has("Authorization") ? req.headers()["Authorization"] : "";
    c.content_type = req.headers().content_type();
    std::string body = req.extract_utf8string(true).get();
    c.args = nlohmann::json::parse(body, nullptr, false);
    web::http::http_response resp(web::http::status_codes::OK);
    nlohmann::json answer;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (fail_left_ > 0) {
        --fail_left_;
        ++refused_;
        resp.set_status_code(static_cast<web::http::status_code>(fail_status_));
        if (fail_status_ == 429) resp.headers().add("Retry-After", std::to_string(retry_after_));
        resp.set_body(fail_status_ == 429 ? R"({"ok":false,"error":"ratelimited"})"
                                          : "Internal Server Error");
        req.reply(resp);
        return;
      }
      answer = Answer(c);
      if (answer.value("ok", false) && error_left_ > 0) {
        --error_left_;
        answer = {{"ok", false}, {"error", error_}};
      }
      if (answer.value("ok", false))
        calls_.push_back(c);
      else
        ++refused_;
    }
    resp.set_body(answer.dump(), "application/json; charset=utf-8");
    req.reply(resp);
  }

  nlohmann::json Answer(const Call& c) {
    if (c.authorization != "Bearer " + token_) return {{"ok", false}, {"error", "invalid_auth"}};
    if (c.content_type.rfind("application/json", 0) != 0 || !c.args.is_object()) {
      return {{"ok", false}, {"error", "invalid_form_data"}};
    }
    auto has = [&](const char* k) {
      return c.args.contains(k) && c.args[k].is_string() && !c.args[k].get<std::string>().empty();
    };
    if (c.method == "conversations.open") {
      if (!has("users")) return {{"ok", false}, {"error", "users_not_found"}};
      return {{"ok", true}, {"channel", {{"id", "D" + c.args["users"].get<std::string>()}}}};
    }
    if (c.method == "chat.postMessage") {
      if (!has("channel")) return {{"ok", false}, {"error", "channel_not_found"}};
      if (!has("text") && !c.args.contains("blocks")) return {{"ok", false}, {"error", "no_text"}};
      std::string ts = "1795428000." + std::to_string(100000 + ++ts_);
      return {{"ok", true},
              {"channel", c.args["channel"]},
              {"ts", ts},
              {"message", {{"text", c.args.value("text", "")}, {"ts", ts}}}};
    }
    if (c.method == "chat.update") {
      if (!has("channel") || !has("ts")) return {{"ok", false}, {"error", "message_not_found"}};
      return {{"ok", true},
              {"channel", c.args["channel"]},
              {"ts", c.args["ts"]},
              {"text", c.args.value("text", "")}};
    }
    return {{"ok", false}, {"error", "unknown_method"}};
  }

  int port_;
  std::string token_;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener_;
  mutable std::mutex mu_;
  std::vector<Call> calls_;
  int fail_left_ = 0, fail_status_ = 500, retry_after_ = 1, error_left_ = 0, ts_ = 0;
  std::atomic<int> refused_{0};
  std::string error_;
};

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_FAKES_FAKE_SLACK_H_
