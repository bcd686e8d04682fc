// Strategy: the real binary with sign-in on, spoken to over plain sockets so
// that each request carries exactly the peer address and identity headers
// of the case: 127.0.0.1 plays the reverse proxy (trusted) and 127.0.0.3 a
// client that reaches kontobot's port past the proxy. A signed-in person
// chats as themselves only; a header from an untrusted address, two copies
// of it, a value matching nobody or no header at all is refused with 401,
// logged, and changes nothing, and nothing falls back to picking a person.
// tests/e2e/nginx_test.cc shows the same behind a real nginx.
#include <gtest/gtest.h>

#include "tests/e2e/bot_process.h"
#include "tests/e2e/raw_http.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kPublic = "kontobot.kommun.example";
constexpr const char* kUntrusted = "127.0.0.3";

class SignIn : public ::testing::Test {
 protected:
  SignIn() : bot_(TempDb()) {}
  void SetUp() override {
    bot_.LogTo(bot_.db() + ".log");
    std::filesystem::remove(bot_.db() + ".log");
    bot_.Start({"--auth-header", "X-Remote-User", "--trusted-proxies", "127.0.0.1", "--public-host",
                kPublic});
  }

  // A request as the proxy passes it on: the public Host, and `identity`
  // (when not empty) as the header, from `source`.
  std::string Send(const std::string& method, const std::string& path, Headers headers,
                   const std::string& body = "", const char* source = nullptr) {
    headers.insert(headers.begin(), {"Host", kPublic});
    if (method == "POST") headers.emplace_back("Content-Type", "application/json");
    return RawExchange(bot_.port(), RawRequest(method, path, headers, body), source);
  }
  static json Body(const std::string& answer) {
    return json::parse(RawBody(answer), nullptr, false);
  }
  static void ExpectRefused(const std::string& answer, int status, const std::string& code) {
    EXPECT_EQ(RawStatus(answer), status) << answer.substr(0, 400);
    EXPECT_EQ(Body(answer)["error"]["code"], code) << answer.substr(0, 400);
  }

  Bot bot_;
};

TEST_F(SignIn, TheSignedInPersonChatsAsThemselves) {
  const Headers anna{{"X-Remote-User", "Anna.Berg@gislaved.se"}};
  std::string session = Send("GET", "/api/session", anna);
  ASSERT_EQ(RawStatus(session), 200) << session;
  EXPECT_EQ(Body(session)["sign_in"], true);
  EXPECT_EQ(Body(session)["person"]["id"], "gis-anna");
  EXPECT_EQ(Body(session)["person"]["org"]["id"], "gislaved");

  std::string said = Send("POST", "/api/messages", anna, R"({"person":"gis-anna","text":"ny"})");
  ASSERT_EQ(RawStatus(said), 200) << said;
  EXPECT_NE(said.find("Ny anmälan nr 1"), std::string::npos) << said;
  // By id too; and the transcript needs no person named.
  std::string read = Send("GET", "/api/messages?after=0", {{"X-Remote-User", "gis-anna"}});
  ASSERT_EQ(RawStatus(read), 200) << read;
  EXPECT_NE(read.find("Ny anmälan nr 1"), std::string::npos);
  EXPECT_EQ(RawStatus(Send("GET", "/", anna)), 200);
  // Nobody to pick: the directory is not served.
  EXPECT_EQ(RawStatus(Send("GET", "/api/people", anna)), 404);
}

TEST_F(SignIn, RefusesAnotherPersonsChat) {
  const Headers anna{{"X-Remote-User", "gis-anna"}};
  ASSERT_EQ(RawStatus(Send("POST", "/api/messages", anna, R"({"person":"gis-anna","text":"ny"})")),
            200);
  const int64_t messages = bot_.Count("messages");
  ExpectRefused(Send("GET", "/api/messages?person=gis-per&after=0", anna), 403, "not_your_chat");
  ExpectRefused(Send("POST", "/api/messages", anna, R"({"person":"gis-per","text":"ny"})"), 403,
                "not_your_chat");
  ExpectRefused(Send("POST", "/api/messages", anna,
                     R"({"person":"gis-per","message_id":0,"action":{"id":"start"}})"),
                403, "not_your_chat");
  EXPECT_EQ(bot_.Count("messages"), messages);
}

// Pitfalls 1 and 2 of the design notes: the port reached past the proxy,
// and a client's own copy of the header forwarded next to the proxy's.
TEST_F(SignIn, RefusesASpoofedHeaderAndNeverFallsBackToThePicker) {
  const std::string say = R"({"person":"gis-anna","text":"ny"})";
  struct Case {
    const char* what;
    Headers headers;
    const char* source;
    const char* reason;
  };
  const std::vector<Case> cases{
      {"straight to kontobot", {{"X-Remote-User", "gis-anna"}}, kUntrusted, "untrusted_peer"},
      {"straight, no header", {}, kUntrusted, "untrusted_peer"},
      {"two copies",
       {{"X-Remote-User", "gis-anna"}, {"X-Remote-User", "gis-per"}},
       nullptr,
       "several_identities"},
      {"two copies, names in other cases",
       {{"x-remote-user", "gis-per"}, {"X-REMOTE-USER", "gis-anna"}},
       nullptr,
       "several_identities"},
      {"nobody's value", {{"X-Remote-User", "mallory@example.org"}}, nullptr, "unknown_identity"},
      {"no header", {}, nullptr, "no_identity"},
      {"an aliased name", {{"X_Remote_User", "gis-anna"}}, nullptr, "no_identity"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    for (const char* path : {"/api/session", "/", "/api/messages?person=gis-anna&after=0"}) {
      ExpectRefused(Send("GET", path, c.headers, "", c.source), 401, "not_signed_in");
    }
    ExpectRefused(Send("POST", "/api/messages", c.headers, say, c.source), 401, "not_signed_in");
    EXPECT_NE(bot_.Log().find(std::string("sign-in refused (") + c.reason + ")"), std::string::npos)
        << bot_.Log();
  }
  EXPECT_EQ(bot_.Count("messages"), 0);
  // The platforms' routes do not ask for sign-in.
  EXPECT_EQ(RawStatus(Send("GET", "/register.json", {}, "", kUntrusted)), 200);
}

TEST(SignInDemo, TheDemoSaysSoAndServesThePicker) {
  Bot bot(TempDb());
  bot.Start();
  auto session = bot.Get("/api/session");
  EXPECT_EQ(session.status, 200);
  EXPECT_EQ(session.body["sign_in"], false);
  EXPECT_EQ(bot.Get("/api/people").status, 200);
}

}  // namespace
