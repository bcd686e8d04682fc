// The fake Mattermost server itself (tests/fakes/fake_mattermost.h): that it
// enforces what the e2e tests rely on it to enforce (tokens, the two-id
// rule, who may edit, pending_post_id, 429 headers, trigger_ids) and that a
// WebSocket client (cpprestsdk's, as the bot uses) is authenticated, greeted
// and sent `posted` events with the post as JSON text. Strategy: a real
// client against the fake on a free port; no bot involved.
// The fake (Boost) before cpprestsdk, whose macro U breaks Boost.
// clang-format off
#include <gtest/gtest.h>
#include "tests/fakes/fake_mattermost.h"
#include <cpprest/ws_client.h>
// clang-format on

#include <condition_variable>

#include "tests/e2e/bot_process.h"

namespace kontobot::testing {
namespace {

class FakeMattermostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = FreePort();
    mm_ = std::make_unique<FakeMattermost>(port_, "bottoken");
    mm_->Start();
    mm_->AddUser("annaaaaaaaaaaaaaaaaaaaaaaa", "anna", "Anna@kommun.example");
  }
  // A REST call as the bot: {status, body}.
  std::pair<int, json> Rest(const std::string& method, const std::string& path, const json& body,
                            const std::string& token = "bottoken") {
    http_client client(mm_->url());
    web::http::http_request req(method);
    req.set_request_uri(path);
    req.headers().add("Authorization", "Bearer " + token);
    if (!body.is_null()) req.set_body(body.dump(), "application/json");
    auto r = client.request(req).get();
    int status = r.status_code();
    json j = json::parse(r.extract_utf8string(true).get(), nullptr, false);
    return {status, j};
  }
  int port_ = 0;
  std::unique_ptr<FakeMattermost> mm_;
};

TEST_F(FakeMattermostTest, RefusesAWrongTokenAndEnforcesTheTwoIdRule) {
  EXPECT_EQ(Rest("GET", "/api/v4/users/me", nullptr, "wrong").first, 401);
  EXPECT_EQ(Rest("POST", "/api/v4/channels/direct", json::array({"a"})).first, 400);
  EXPECT_EQ(Rest("POST", "/api/v4/channels/direct",
                 json::array({"annaaaaaaaaaaaaaaaaaaaaaaa", "someoneelse"}))
                .first,
            403);
  auto [s1, c1] = Rest("POST", "/api/v4/channels/direct",
                       json::array({mm_->bot_id(), "annaaaaaaaaaaaaaaaaaaaaaaa"}));
  auto [s2, c2] = Rest("POST", "/api/v4/channels/direct",
                       json::array({"annaaaaaaaaaaaaaaaaaaaaaaa", mm_->bot_id()}));
  EXPECT_EQ(s1, 201);
  EXPECT_EQ(c1["id"], c2["id"]);
}

TEST_F(FakeMattermostTest, DeduplicatesPendingPostIdsAndLetsOnlyTheAuthorEdit) {
  json user_post = mm_->UserPosts("annaaaaaaaaaaaaaaaaaaaaaaa", "hej");
  std::string channel = mm_->dm("annaaaaaaaaaaaaaaaaaaaaaaa");
  json post{{"channel_id", channel}, {"message", "hello"}, {"pending_post_id", "outbox-1"}};
  auto [s1, p1] = Rest("POST", "/api/v4/posts", post);
  auto [s2, p2] = Rest("POST", "/api/v4/posts", post);
  EXPECT_EQ(s1, 201);
  EXPECT_EQ(s2, 201);
  EXPECT_EQ(p1["id"], p2["id"]);
  EXPECT_EQ(mm_->bot_posts("annaaaaaaaaaaaaaaaaaaaaaaa").size(), 1U);
  EXPECT_EQ(Rest("PUT", "/api/v4/posts/" + user_post["id"].get<std::string>() + "/patch",
                 json{{"message", "x"}})
                .first,
            403);
  EXPECT_EQ(Rest("PUT", "/api/v4/posts/" + p1["id"].get<std::string>() + "/patch",
                 json{{"message", "edited"}})
                .first,
            200);
  EXPECT_EQ(
      Rest("POST", "/api/v4/posts", json{{"channel_id", "nochannel"}, {"message", "x"}}).first,
      403);
  EXPECT_EQ(Rest("POST", "/api/v4/posts",
                 json{{"channel_id", channel}, {"message", std::string(16384, 'a')}})
                .first,
            400);
  auto [s3, since] = Rest("GET", "/api/v4/channels/" + channel + "/posts?since=0", nullptr);
  EXPECT_EQ(s3, 200);
  EXPECT_EQ(since["order"].size(), 2U);
}

TEST_F(FakeMattermostTest, RateLimitsWithTheThreeHeaders) {
  mm_->FailNext(1, 429, 2);
  http_client client(mm_->url());
  web::http::http_request req("GET");
  req.set_request_uri("/api/v4/users/me");
  req.headers().add("Authorization", "Bearer bottoken");
  auto r = client.request(req).get();
  EXPECT_EQ(r.status_code(), 429);
  EXPECT_EQ(r.headers()["X-Ratelimit-Reset"], "2");
  EXPECT_EQ(r.headers()["X-Ratelimit-Remaining"], "0");
}

TEST_F(FakeMattermostTest, RefusesAnUnknownTriggerId) {
  json d{{"trigger_id", "made-up"},
         {"url", "http://127.0.0.1:1/x"},
         {"dialog", {{"title", "t"}, {"elements", json::array()}}}};
  EXPECT_EQ(Rest("POST", "/api/v4/actions/dialogs/open", d).first, 400);
}

TEST_F(FakeMattermostTest, AuthenticatesASocketAndSendsPostedEventsWithThePostAsText) {
  using web::websockets::client::websocket_callback_client;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<json> events;
  websocket_callback_client ws;
  ws.set_message_handler([&](const web::websockets::client::websocket_incoming_message& m) {
    std::string text = m.extract_string().get();
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(json::parse(text, nullptr, false));
    cv.notify_all();
  });
  ws.connect("ws://127.0.0.1:" + std::to_string(port_) + "/api/v4/websocket").wait();
  web::websockets::client::websocket_outgoing_message challenge;
  challenge.set_utf8_message(
      json{{"seq", 1}, {"action", "authentication_challenge"}, {"data", {{"token", "bottoken"}}}}
          .dump());
  ws.send(challenge).wait();
  auto wait_for = [&](size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(5), [&] { return events.size() >= n; });
  };
  ASSERT_TRUE(wait_for(2));
  EXPECT_EQ(events[0]["status"], "OK");
  EXPECT_EQ(events[0]["seq_reply"], 1);
  EXPECT_EQ(events[1]["event"], "hello");
  ASSERT_TRUE(mm_->sockets() == 1);
  mm_->UserPosts("annaaaaaaaaaaaaaaaaaaaaaaa", "hej");
  ASSERT_TRUE(wait_for(3));
  EXPECT_EQ(events[2]["event"], "posted");
  ASSERT_TRUE(events[2]["data"]["post"].is_string());
  EXPECT_EQ(json::parse(events[2]["data"]["post"].get<std::string>())["message"], "hej");
  EXPECT_EQ(events[2]["seq"], 1);
  ws.close().wait();
}

}  // namespace
}  // namespace kontobot::testing
