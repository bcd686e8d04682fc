// Strategy: parse real argv arrays and environments; every option must be
// reachable as a flag, a KONTOBOT_* variable and a config-file key, and
// every mistake must come back as an error message, never a silent default.
#include "config/options.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace kontobot::config {
namespace {

ParseResult Parse(std::vector<const char*> args,
                  const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), "kontobot");
  return ParseOptions(static_cast<int>(args.size()), args.data(), env);
}

TEST(Options, DefaultsServeOnLoopback8080) {
  auto r = Parse({"serve"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.listen_host, "127.0.0.1");
  EXPECT_EQ(r.options.listen_port, 8080);
  EXPECT_EQ(r.options.db, "kontobot.db");
  EXPECT_GE(r.options.threads, 2u);
}

TEST(Options, FlagsAndEnvironment) {
  auto r = Parse({"serve", "--listen", "0.0.0.0:9000"}, {{"KONTOBOT_DB", "/tmp/x.db"},
                                                         {"KONTOBOT_MAX_BODY", "2048"},
                                                         {"KONTOBOT_WEBCHAT", "off"},
                                                         {"KONTOBOT_SLACK_SIGNING_SECRET", "s"},
                                                         {"KONTOBOT_SLACK_BOT_TOKEN", "xoxb-1"},
                                                         {"PATH", "/bin"}});
  ASSERT_EQ(r.error, "");
  EXPECT_FALSE(r.options.webchat);
  EXPECT_EQ(r.options.listen_host, "0.0.0.0");
  EXPECT_EQ(r.options.listen_port, 9000);
  EXPECT_EQ(r.options.db, "/tmp/x.db");
  EXPECT_EQ(r.options.max_body, 2048u);
}

TEST(Options, FlagWinsOverEnvironment) {
  auto r = Parse({"serve", "--db", "flag.db"}, {{"KONTOBOT_DB", "env.db"}});
  EXPECT_EQ(r.options.db, "flag.db");
}

TEST(Options, ConfigFile) {
  std::string path = ::testing::TempDir() + "/kontobot.ini";
  std::ofstream(path) << "db = file.db\nlisten = 127.0.0.1:8181\n";
  auto r = Parse({"serve", "--config", path.c_str()});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.db, "file.db");
  EXPECT_EQ(r.options.listen_port, 8181);
}

TEST(Options, RefusesUnknownAndContradictoryInput) {
  EXPECT_NE(Parse({"serve", "--lisen", "x"}).error, "");
  EXPECT_NE(Parse({"serve"}, {{"KONTOBOT_LISEN", "x"}}).error.find("KONTOBOT_LISEN"),
            std::string::npos);
  EXPECT_NE(Parse({"serve", "--listen", "8080"}).error.find("HOST:PORT"), std::string::npos);
  EXPECT_NE(Parse({"serve", "--listen", "h:99999"}).error, "");
  EXPECT_NE(Parse({"serve", "--max-body", "10"}).error, "");
  EXPECT_NE(Parse({"serve", "--webchat", "false"}).error.find("nothing to serve"),
            std::string::npos);
  EXPECT_NE(Parse({"serve", "--log-level", "loud"}).error, "");
  EXPECT_NE(Parse({"frobnicate"}).error.find("unknown command"), std::string::npos);
  EXPECT_NE(Parse({"check-template"}).error, "");
  EXPECT_NE(Parse({"serve", "extra"}).error, "");
  EXPECT_NE(Parse({"serve", "--config", "/nonexistent.ini"}).error, "");
  EXPECT_NE(Parse({"serve", "--slack-signing-secret", "s"}).error.find("both"), std::string::npos);
  EXPECT_NE(Parse({"export"}).error, "");
  EXPECT_NE(Parse({"export", "registration", "x"}).error, "");
  EXPECT_EQ(Parse({"export", "registration", "12"}).error, "");
  EXPECT_EQ(Parse({"serve", "--webchat", "false"},
                  {{"KONTOBOT_SLACK_SIGNING_SECRET", "s"}, {"KONTOBOT_SLACK_BOT_TOKEN", "xoxb-1"}})
                .error,
            "");
}

// Bug: the web chat, which has no sign-in, started on any --listen (the
// README's Matrix example used 0.0.0.0:8080).
TEST(Options, RefusesTheWebChatOnANonLoopbackAddress) {
  for (const char* listen : {"0.0.0.0:8080", "[::]:8080", "192.168.1.5:8080", "kontobot:8080"}) {
    auto error = Parse({"serve", "--listen", listen}).error;
    EXPECT_NE(error.find("no sign-in"), std::string::npos) << listen << ": " << error;
    EXPECT_NE(error.find("--listen 127.0.0.1:8080"), std::string::npos) << error;
    EXPECT_NE(error.find("--webchat=off"), std::string::npos) << error;
  }
  for (const char* listen : {"127.0.0.1:8080", "127.0.0.2:8080", "[::1]:8080", "localhost:8080"}) {
    EXPECT_EQ(Parse({"serve", "--listen", listen}).error, "") << listen;
  }
  // Turned off, Slack and Matrix may listen anywhere.
  EXPECT_EQ(Parse({"serve", "--listen", "0.0.0.0:8080", "--webchat=off", "--slack-signing-secret",
                   "s", "--slack-bot-token", "xoxb-1"})
                .error,
            "");
  // Other commands do not serve.
  EXPECT_EQ(Parse({"version", "--listen", "0.0.0.0:8080"}).error, "");
}

// Issue 20: with sign-in on, the web chat may listen where its proxy
// reaches it; without it, the refusal says how to turn it on.
TEST(Options, SignInLetsTheWebChatListenBeyondLoopback) {
  auto error = Parse({"serve", "--listen", "0.0.0.0:8080"}).error;
  EXPECT_NE(error.find("--auth-header X-Remote-User --trusted-proxies"), std::string::npos)
      << error;
  auto r = Parse({"serve", "--listen", "0.0.0.0:8080", "--auth-header", "X-Remote-User",
                  "--trusted-proxies", "10.1.2.3, 2001:db8::/32,127.0.0.1", "--public-host",
                  "kontobot.kommun.example"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.auth_header, "X-Remote-User");
  ASSERT_EQ(r.options.trusted_proxies.size(), 3u);
  EXPECT_TRUE(r.options.trusted_proxies[1].Contains("2001:db8:1::7"));
  // The environment and a config file reach them too.
  r = Parse({"serve"}, {{"KONTOBOT_AUTH_HEADER", "X-Auth-Request-Email"},
                        {"KONTOBOT_TRUSTED_PROXIES", "::1"},
                        {"KONTOBOT_PUBLIC_HOST", "chat.example"}});
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.options.trusted_proxies[0].Contains("::1"));
}

TEST(Options, RefusesSignInThatCouldBeSpoofed) {
  struct Case {
    std::vector<const char*> args;
    const char* expected;
  };
  const std::vector<Case> cases{
      {{"--auth-header", "X-Remote-User", "--public-host", "k.example"}, "needs --trusted-proxies"},
      {{"--trusted-proxies", "127.0.0.1"}, "does nothing without --auth-header"},
      {{"--auth-header", "X-Remote-User", "--trusted-proxies", "0.0.0.0/0", "--public-host",
        "k.example"},
       "would trust every address"},
      {{"--auth-header", "X-Remote-User", "--trusted-proxies", "::/0", "--public-host",
        "k.example"},
       "would trust every address"},
      {{"--auth-header", "X-Remote-User", "--trusted-proxies", "*", "--public-host", "k.example"},
       "'*' is not an address"},
      {{"--auth-header", "X-Remote-User", "--trusted-proxies", "10.0.0.0/33", "--public-host",
        "k.example"},
       "'10.0.0.0/33' is not an address"},
      {{"--auth-header", "X-Remote-User", "--trusted-proxies", "proxy.example", "--public-host",
        "k.example"},
       "not an address"},
      {{"--auth-header", "X_Remote_User", "--trusted-proxies", "127.0.0.1", "--public-host",
        "k.example"},
       "letters, digits and '-'"},
      {{"--auth-header", "X-Remote-User", "--trusted-proxies", "127.0.0.1"}, "needs --public-host"},
  };
  for (const Case& c : cases) {
    std::vector<const char*> args{"serve"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto error = Parse(args).error;
    EXPECT_NE(error.find(c.expected), std::string::npos) << c.expected << ": " << error;
  }
}

TEST(Options, PublicHostIsAHostWithAnOptionalPort) {
  for (const char* ok : {"kontobot.kommun.example", "kontobot.kommun.example:8443", "10.0.0.5",
                         "[2001:db8::1]:443"}) {
    auto r = Parse({"serve", "--public-host", ok});
    EXPECT_EQ(r.error, "") << ok;
    EXPECT_EQ(r.options.public_host, ok);
  }
  for (const char* bad : {"https://kontobot.kommun.example", "kontobot.kommun.example/chat",
                          "kontobot.kommun.example:", "kontobot.kommun.example:99999",
                          "user@kontobot.kommun.example", "2001:db8::1", "a b"}) {
    EXPECT_NE(Parse({"serve", "--public-host", bad}).error.find("--public-host"), std::string::npos)
        << bad;
  }
}

TEST(Options, HelpListsCommandsAndEnvironment) {
  auto r = Parse({"--help"});
  EXPECT_NE(r.help.find("check-template"), std::string::npos);
  EXPECT_NE(r.help.find("KONTOBOT_MAX_BODY"), std::string::npos);
  EXPECT_NE(r.help.find("--listen"), std::string::npos);
  EXPECT_NE(Parse({}).help, "");
}

TEST(Options, ParsesIpv6Listen) {
  std::string host;
  uint16_t port = 0;
  EXPECT_TRUE(ParseListen("[::1]:8080", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(ParseListen(":8080", host, port));
}

// Mattermost: the server URL turns it on and needs the token and a long
// enough action secret; each is a flag, a KONTOBOT_ variable or a line in
// the config file like every option.
TEST(Options, MattermostNeedsItsTokenAndALongActionSecret) {
  const std::string secret(32, 's');
  EXPECT_NE(Parse({"serve", "--mattermost-url", "http://mm"}).error.find("--mattermost-bot-token"),
            std::string::npos);
  EXPECT_NE(Parse({"serve", "--mattermost-url", "http://mm", "--mattermost-bot-token", "t",
                   "--mattermost-action-secret", "short"})
                .error.find("at least 32"),
            std::string::npos);
  auto r = Parse({"serve", "--webchat=off", "--listen", "0.0.0.0:8080"},
                 {{"KONTOBOT_MATTERMOST_URL", "https://chat.kommun.example"},
                  {"KONTOBOT_MATTERMOST_BOT_TOKEN", "bottoken"},
                  {"KONTOBOT_MATTERMOST_SLASH_TOKEN", "slashtoken"},
                  {"KONTOBOT_MATTERMOST_ACTION_SECRET", secret},
                  {"KONTOBOT_MATTERMOST_CALLBACK_URL", "https://kontobot.kommun.example"}});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.mattermost_url, "https://chat.kommun.example");
  EXPECT_EQ(r.options.mattermost_bot_token, "bottoken");
  EXPECT_EQ(r.options.mattermost_slash_token, "slashtoken");
  EXPECT_EQ(r.options.mattermost_action_secret, secret);
  EXPECT_EQ(r.options.mattermost_callback_url, "https://kontobot.kommun.example");
  EXPECT_NE(Parse({"mattermost-setup", "--mattermost-callback-url", "kontobot"})
                .error.find("http:// or https://"),
            std::string::npos);
  EXPECT_EQ(Parse({"mattermost-setup"}).error, "");
  // The set-up command as the README gives it: the URL, before there is
  // a token or a secret (it prints a new secret).
  EXPECT_EQ(Parse({"mattermost-setup", "--mattermost-url", "https://chat.kommun.example",
                   "--mattermost-callback-url", "https://kontobot.kommun.example"})
                .error,
            "");
}

}  // namespace
}  // namespace kontobot::config
