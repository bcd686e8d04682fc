// A local fake of Meta's Graph API for the calls kontobot makes on a
// public comment (PROTOCOLS.md §15): a reply, POST /{comment-id}/comments
// (Facebook) or /{ig-comment-id}/replies (Instagram) with a non-empty
// `message`; a hide, POST /{comment-id} with is_hidden=true (Facebook) or
// hide=true (Instagram). Graph takes the parameters as a form body, a JSON
// body or the query; the fake accepts all three and checks that
// access_token is there and is the page token configured for the
// comment's page (the comment id's prefix before "_", or AddComment).
// A wrong or missing token is answered as Graph does (400, OAuthException
// code 190); a malformed call 400 with code 100.
//
// It records every call it answered (path, parameters, content type), and
// can be told to answer the next calls with an error: 190 (token expired),
// 613 with Retry-After, 100/33 (the comment was deleted), or HTTP 500.
// Comments can be deleted (DeleteComment): a reply to one is then 100/33.
//
// Thread-safety: every method may be called from any thread.
#ifndef KONTOBOT_TESTS_FAKES_FAKE_GRAPH_H_
#define KONTOBOT_TESTS_FAKES_FAKE_GRAPH_H_

#include <chrono>
#include <condition_variable>
#include <deque>
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

class FakeGraph {
 public:
  struct Call {
    std::string path;                           // "/123_456/comments"
    std::map<std::string, std::string> params;  // form, JSON or query, merged
    std::string content_type;
    int status = 0;  // what the fake answered
  };
  enum class Error { kTokenExpired, kRateLimited, kCommentGone, kServerError };

  explicit FakeGraph(int port) : port_(port) {}
  ~FakeGraph() {
    try {
      Stop();
    } catch (...) {  // a destructor must not throw
    }
  }

  void Start() {
    listener_ = std::make_unique<web::http::experimental::listener::http_listener>(
        web::uri("http://127.0.0.1:" + std::to_string(port_) + "/v19.0"));
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
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v19.0"; }

  // `token` is the page token of page `page` (comment ids "<page>_…").
  void SetPageToken(const std::string& page, const std::string& token) {
    std::lock_guard<std::mutex> lock(mu_);
    tokens_[page] = token;
  }
  // Comment `comment` (e.g. an Instagram comment id) is on page `page`.
  void AddComment(const std::string& comment, const std::string& page) {
    std::lock_guard<std::mutex> lock(mu_);
    pages_[comment] = page;
  }
  void DeleteComment(const std::string& comment) {
    std::lock_guard<std::mutex> lock(mu_);
    deleted_.insert(comment);
  }
  // The next `n` well-formed calls are answered with `error` (613 with
  // Retry-After: `retry_after` seconds) and not carried out.
  void FailNext(int n, Error error, int retry_after = 1) {
    std::lock_guard<std::mutex> lock(mu_);
    for (int i = 0; i < n; ++i) errors_.push_back(error);
    retry_after_ = retry_after;
  }

  // Every call answered so far, in order.
  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  // The calls carried out (answered 200).
  std::vector<Call> done() const {
    std::vector<Call> out;
    for (const Call& c : calls())
      if (c.status == 200) out.push_back(c);
    return out;
  }
  // Waits until at least `n` calls have been answered (at most `limit`).
  bool WaitForCalls(size_t n, std::chrono::milliseconds limit = std::chrono::seconds(10)) const {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return calls_.size() >= n; });
  }

 private:
  static nlohmann::json GraphError(int code, int subcode, const std::string& type,
                                   const std::string& message) {
    nlohmann::json e{
        {"message", message}, {"type", type}, {"code", code}, {"fbtrace_id", "AbCdEfGhIjK"}};
    if (subcode != 0) e["error_subcode"] = subcode;
    return {{"error", e}};
  }

  void Serve(web::http::http_request req) {
    Call c;
    c.path = web::uri::decode(req.relative_uri().path());
    c.content_type = req.headers().content_type();
    const std::string body = req.extract_utf8string(true).get();
    for (const auto& [k, v] : web::uri::split_query(req.relative_uri().query()))
      c.params[web::uri::decode(k)] = web::uri::decode(v);
    if (c.content_type.rfind("application/json", 0) == 0) {
      nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
      if (j.is_object()) {
        for (const auto& [k, v] : j.items())
          c.params[k] = v.is_string() ? v.get<std::string>() : v.dump();
      }
    } else if (c.content_type.rfind("application/x-www-form-urlencoded", 0) == 0) {
      for (const auto& [k, v] : web::uri::split_query(body)) {
        std::string plus = v;
        for (char& ch : plus)
          if (ch == '+') ch = ' ';
        c.params[web::uri::decode(k)] = web::uri::decode(plus);
      }
    }
    int status = 200;
    nlohmann::json answer;
    web::http::http_response resp;
    {
      std::lock_guard<std::mutex> lock(mu_);
      answer = Answer(req.method(), c, &status, &resp);
      c.status = status;
      calls_.push_back(c);
    }
    cv_.notify_all();
    resp.set_status_code(static_cast<web::http::status_code>(status));
    resp.set_body(answer.dump(), "application/json; charset=UTF-8");
    req.reply(resp);
  }

  // REQUIRES: mu_ held.
  nlohmann::json Answer(const std::string& method, const Call& c, int* status,
                        web::http::http_response* resp) {
    *status = 400;
    if (method != web::http::methods::POST)
      return GraphError(100, 0, "GraphMethodException", "Unsupported method");
    // "/{id}" or "/{id}/comments" or "/{id}/replies"
    std::vector<std::string> parts;
    for (size_t at = 1; at <= c.path.size();) {
      size_t end = c.path.find('/', at);
      if (end == std::string::npos) end = c.path.size();
      parts.push_back(c.path.substr(at, end - at));
      at = end + 1;
    }
    if (parts.empty() || parts[0].empty() || parts.size() > 2 ||
        (parts.size() == 2 && parts[1] != "comments" && parts[1] != "replies"))
      return GraphError(100, 0, "GraphMethodException", "Unknown path components");
    const std::string& comment = parts[0];
    std::string page = comment.substr(0, comment.find('_'));
    if (auto p = pages_.find(comment); p != pages_.end()) page = p->second;
    auto token = c.params.find("access_token");
    if (token == c.params.end() || token->second.empty())
      return GraphError(104, 0, "OAuthException", "An access token is required");
    auto expected = tokens_.find(page);
    if (expected == tokens_.end() || expected->second != token->second)
      return GraphError(190, 0, "OAuthException", "Invalid OAuth access token.");
    const bool reply = parts.size() == 2;
    if (reply) {
      auto m = c.params.find("message");
      if (m == c.params.end() || m->second.empty())
        return GraphError(100, 0, "OAuthException", "(#100) Missing message");
    } else {
      const bool fb = c.params.count("is_hidden") > 0 && c.params.at("is_hidden") == "true";
      const bool ig = c.params.count("hide") > 0 && c.params.at("hide") == "true";
      if (!fb && !ig) return GraphError(100, 0, "OAuthException", "(#100) No field to update");
    }
    if (!errors_.empty()) {
      Error e = errors_.front();
      errors_.pop_front();
      switch (e) {
        case Error::kTokenExpired:
          return GraphError(190, 463, "OAuthException",
                            "Error validating access token: Session has expired.");
        case Error::kRateLimited:
          resp->headers().add("Retry-After", std::to_string(retry_after_));
          return GraphError(613, 0, "OAuthException",
                            "(#613) Calls to this api have exceeded the rate limit.");
        case Error::kCommentGone:
          return GraphError(
              100, 33, "GraphMethodException",
              "Unsupported post request. Object with ID '" + comment + "' does not exist");
        case Error::kServerError:
          *status = 500;
          return GraphError(2, 0, "OAuthException", "An unexpected error has occurred.");
      }
    }
    if (deleted_.count(comment) > 0)
      return GraphError(
          100, 33, "GraphMethodException",
          "Unsupported post request. Object with ID '" + comment + "' does not exist");
    *status = 200;
    if (reply) return {{"id", comment + "_r" + std::to_string(++replies_)}};
    return {{"success", true}};
  }

  int port_;
  InFlight handlers_;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::map<std::string, std::string> tokens_;  // page -> token
  std::map<std::string, std::string> pages_;   // comment -> page
  std::set<std::string> deleted_;
  std::deque<Error> errors_;
  int retry_after_ = 1;
  int replies_ = 0;
  std::vector<Call> calls_;
};

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_FAKES_FAKE_GRAPH_H_
