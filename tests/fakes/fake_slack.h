// A local fake of Slack's Web API (https://slack.com/api/<method>) that
// checks requests as Slack documents them (PROTOCOLS.md §4, the OpenAPI in
// shared/specs/slack): the bot token in "Authorization: Bearer", a JSON body
// with "application/json", the required arguments of conversations.open,
// chat.postMessage and chat.update, and Block Kit's limits on blocks,
// sections and buttons (BlockKitError); users.info as a GET with `user` in the
// query, answered from the users added with AddUser in the OpenAPI's
// success format ({"ok":true,"user":{"id",...,"profile":{"email",...}}}),
// or user_not_found. Posted messages are kept per channel, so that
// conversations.history (a GET, newest first, `limit`) answers with them and
// their blocks as the OpenAPI's example does; chat.update edits them. It
// records every call, answers like Slack ({"ok":true,...} or
// {"ok":false,"error":...}), and can be told to fail: HTTP 500, 429 with
// Retry-After, a given ok:false error, a redirect, or to be down altogether (stopped);
// and to lose answers: carry out the next calls and then answer 500
// (LoseNextAnswers), or hold every answer back a while (HoldAnswers), for a
// kill -9 of the bot between Slack's work and its answer.
#ifndef KONTOBOT_TESTS_FAKES_FAKE_SLACK_H_
#define KONTOBOT_TESTS_FAKES_FAKE_SLACK_H_

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <cpprest/http_listener.h>
#include <nlohmann/json.hpp>

#include "tests/fakes/in_flight.h"

namespace kontobot::testing {

class FakeSlack {
 public:
  struct Call {
    std::string method;
    nlohmann::json args;  // the JSON body, or a GET's query parameters
    std::string authorization;
    std::string content_type;
    std::string http_method;
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
  // Benchmarks: answer as usual but keep no calls and no history, so that
  // a long run costs the fake neither memory nor time (a bench run once
  // grew it to 5 GB).
  void KeepNothing() { keep_ = false; }
  // Benchmarks: `f` is called with the channel of each post stored, one
  // call at a time. Before Start().
  void OnPost(std::function<void(const std::string& channel)> f) { on_post_ = std::move(f); }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api"; }
  int port() const { return port_; }

  // The next `n` calls fail with HTTP `status` (429 adds Retry-After).
  void FailNext(int n, int status, int retry_after = 1) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_left_ = n;
    fail_status_ = status;
    retry_after_ = retry_after;
  }
  // The next `n` calls are answered 302 Found, Location: <base>/<location>,
  // without being carried out.
  void RedirectNext(int n, std::string location) {
    std::lock_guard<std::mutex> lock(mu_);
    redirect_left_ = n;
    redirect_to_ = std::move(location);
  }
  // users.info knows `id`, whose profile has `email` (as typed, any case).
  void AddUser(const std::string& id, const std::string& email) {
    std::lock_guard<std::mutex> lock(mu_);
    users_[id] = email;
  }
  // The next `n` calls are carried out, but answered with HTTP 500.
  void LoseNextAnswers(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    lose_left_ = n;
  }
  // Every call is carried out at once but answered only after `ms`.
  void HoldAnswers(int ms) { hold_ms_ = ms; }
  // The most calls whose answers were held back at the same time.
  int max_held() const { return max_in_flight_; }
  // The messages kept in `channel`, newest first.
  std::vector<nlohmann::json> history(const std::string& channel) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto h = history_.find(channel);
    if (h == history_.end()) return {};
    return {h->second.begin(), h->second.end()};
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
    c.http_method = req.method();
    std::string body = req.extract_utf8string(true).get();
    if (c.http_method == web::http::methods::GET) {
      c.args = nlohmann::json::object();
      for (const auto& [k, v] : web::uri::split_query(req.relative_uri().query()))
        c.args[web::uri::decode(k)] = web::uri::decode(v);
    } else {
      c.args = nlohmann::json::parse(body, nullptr, false);
    }
    web::http::http_response resp(web::http::status_codes::OK);
    nlohmann::json answer;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (redirect_left_ > 0) {
        --redirect_left_;
        calls_.push_back(c);
        resp.set_status_code(web::http::status_codes::Found);
        resp.headers().add("Location", base() + "/" + redirect_to_);
        req.reply(resp);
        return;
      }
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
      if (!answer.value("ok", false))
        ++refused_;
      else if (keep_)
        calls_.push_back(c);
      if (on_post_ && c.method == "chat.postMessage" && answer.value("ok", false))
        on_post_(c.args.value("channel", ""));
      if (lose_left_ > 0) {
        --lose_left_;
        answer = nullptr;
      }
    }
    if (hold_ms_ > 0) {
      int now = ++in_flight_;
      for (int seen = max_in_flight_;
           now > seen && !max_in_flight_.compare_exchange_weak(seen, now);) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms_.load()));
      --in_flight_;
    }
    if (answer.is_null()) {
      resp.set_status_code(web::http::status_codes::InternalError);
      resp.set_body("Internal Server Error");
    } else {
      resp.set_body(answer.dump(), "application/json; charset=utf-8");
    }
    req.reply(resp);
  }

  nlohmann::json Answer(const Call& c) {
    if (c.authorization != "Bearer " + token_) return {{"ok", false}, {"error", "invalid_auth"}};
    if (c.method == "users.info") {
      if (c.http_method != web::http::methods::GET) {
        return {{"ok", false}, {"error", "invalid_post_type"}};
      }
      std::string id = c.args.value("user", "");
      auto u = users_.find(id);
      if (u == users_.end()) return {{"ok", false}, {"error", "user_not_found"}};
      return {{"ok", true},
              {"user",
               {{"id", id},
                {"team_id", "T0KOMMUN"},
                {"name", id},
                {"deleted", false},
                {"real_name", id},
                {"is_bot", false},
                {"is_app_user", false},
                {"updated", 1502138686},
                {"profile",
                 {{"real_name", id},
                  {"display_name", id},
                  {"email", u->second},
                  {"team", "T0KOMMUN"}}}}}};
    }
    if (c.method == "conversations.history") {
      std::string channel = c.args.value("channel", "");
      if (channel.empty()) return {{"ok", false}, {"error", "channel_not_found"}};
      size_t limit =
          c.args.contains("limit") ? std::stoul(c.args["limit"].get<std::string>()) : 100;
      nlohmann::json messages = nlohmann::json::array();
      const auto& h = history_[channel];
      for (size_t i = 0; i < h.size() && i < limit; ++i) messages.push_back(h[i]);
      return {{"ok", true},     {"messages", messages},          {"has_more", h.size() > limit},
              {"pin_count", 0}, {"channel_actions_ts", nullptr}, {"channel_actions_count", 0}};
    }
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
    if (c.method == "chat.postMessage" || c.method == "chat.update") {
      std::string error = BlockKitError(c.args);
      if (!error.empty()) return {{"ok", false}, {"error", error}};
    }
    if (c.method == "chat.postMessage") {
      if (!has("channel")) return {{"ok", false}, {"error", "channel_not_found"}};
      if (!has("text") && !c.args.contains("blocks")) return {{"ok", false}, {"error", "no_text"}};
      std::string ts = "1795428000." + std::to_string(100000 + ++ts_);
      if (keep_)
        history_[c.args["channel"]].push_front(
            {{"type", "message"},
             {"user", "UKONTOBOT"},
             {"bot_id", "BKONTOBOT"},
             {"text", c.args.value("text", "")},
             {"blocks", c.args.value("blocks", nlohmann::json())},
             {"ts", ts}});
      return {{"ok", true},
              {"channel", c.args["channel"]},
              {"ts", ts},
              {"message", {{"text", c.args.value("text", "")}, {"ts", ts}}}};
    }
    if (c.method == "chat.update") {
      if (!has("channel") || !has("ts")) return {{"ok", false}, {"error", "message_not_found"}};
      for (auto& m : history_[c.args["channel"]]) {
        if (m["ts"] == c.args["ts"]) {
          m["text"] = c.args.value("text", "");
          m["blocks"] = c.args.value("blocks", nlohmann::json());
        }
      }
      return {{"ok", true},
              {"channel", c.args["channel"]},
              {"ts", c.args["ts"]},
              {"text", c.args.value("text", "")}};
    }
    return {{"ok", false}, {"error", "unknown_method"}};
  }

  // Block Kit as Slack checks it (its reference gives the limits in
  // characters): at most 50 blocks with unique block_ids of at most 255; a
  // section's text 1..3,000; an actions block's 1..25 buttons, each with a
  // text of 1..75 and a value; `text` at most 40,000. "" when it passes.
  static std::string BlockKitError(const nlohmann::json& args) {
    auto chars = [](const nlohmann::json& s) {
      if (!s.is_string()) return size_t{0};
      size_t n = 0;
      for (unsigned char c : s.get<std::string>()) n += (c & 0xC0) != 0x80 ? 1 : 0;
      return n;
    };
    if (args.contains("text") && chars(args["text"]) > 40000) return "msg_too_long";
    if (!args.contains("blocks")) return "";
    const nlohmann::json& blocks = args["blocks"];
    if (!blocks.is_array() || blocks.size() > 50) return "invalid_blocks";
    std::set<std::string> ids;
    for (const auto& b : blocks) {
      if (!b.is_object()) return "invalid_blocks";
      if (b.contains("block_id")) {
        if (chars(b["block_id"]) == 0 || chars(b["block_id"]) > 255) return "invalid_blocks";
        if (!ids.insert(b["block_id"].get<std::string>()).second) return "invalid_blocks";
      }
      if (b.value("type", "") == "section") {
        size_t n = b.contains("text") && b["text"].is_object() ? chars(b["text"]["text"]) : 0;
        if (n == 0 || n > 3000) return "invalid_blocks";
      } else if (b.value("type", "") == "actions") {
        if (!b.contains("elements") || !b["elements"].is_array() || b["elements"].empty() ||
            b["elements"].size() > 25)
          return "invalid_blocks";
        for (const auto& e : b["elements"]) {
          size_t n = e.contains("text") && e["text"].is_object() ? chars(e["text"]["text"]) : 0;
          if (n == 0 || n > 75 || chars(e.value("value", nlohmann::json(""))) == 0)
            return "invalid_blocks";
        }
      } else {
        return "invalid_blocks";
      }
    }
    return "";
  }

  int port_;
  std::string token_;
  InFlight handlers_;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener_;
  mutable std::mutex mu_;
  std::vector<Call> calls_;
  std::map<std::string, std::string> users_;                   // users.info: id -> e-mail
  std::map<std::string, std::deque<nlohmann::json>> history_;  // channel -> newest first
  int lose_left_ = 0;
  int redirect_left_ = 0;
  std::string redirect_to_;
  std::atomic<int> hold_ms_{0};
  bool keep_ = true;
  std::function<void(const std::string&)> on_post_;
  std::atomic<int> in_flight_{0}, max_in_flight_{0};
  int fail_left_ = 0, fail_status_ = 500, retry_after_ = 1, error_left_ = 0, ts_ = 0;
  std::atomic<int> refused_{0};
  std::string error_;
};

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_FAKES_FAKE_SLACK_H_
