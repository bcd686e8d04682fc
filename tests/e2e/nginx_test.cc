// Strategy: the shipped config/nginx/kontobot.conf, run by the real nginx
// from Debian in front of the real kontobot binary, as a test variant made
// by a few textual replacements, each of which must find its text (so the
// test breaks when the shipped file drifts instead of testing something
// else): ports chosen free, plain HTTP instead of TLS (a separate check
// loads the TLS variant with a certificate made here), the timeouts cut to
// seconds, and auth_basic standing in for the identity provider, its
// $remote_user passed on as X-Remote-User. nginx runs unprivileged in the
// foreground (daemon off, no master process) from a directory of the
// test's own. 127.0.0.3 plays an attacker, who may also reach kontobot's
// port directly; honest people come from 127.0.0.1, which is nginx's own
// address too and so kontobot's only trusted proxy.
//
// Every wait is on a condition (a port answering, a connection closed by
// nginx) with a deadline that only a failure reaches.
#include <gtest/gtest.h>

#include "tests/e2e/bot_process.h"
#include "tests/e2e/inbox_account.h"
#include "tests/e2e/raw_http.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kAttacker = "127.0.0.3";
constexpr const char* kNginx = "/usr/sbin/nginx";
// The test variant's client timeouts, in seconds.
constexpr int kTimeout = 2;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Replaces the one occurrence of `from` in `text`; a test failure if it is
// not there exactly once.
void ReplaceOnce(std::string& text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << "the shipped nginx configuration lacks: " << from;
  ASSERT_EQ(text.find(from, at + 1), std::string::npos) << "more than once: " << from;
  text.replace(at, from.size(), to);
}

// Replaces what lies between the lines holding `begin` and `end` (both
// included) with `to`.
void ReplaceBlock(std::string& text, const std::string& begin, const std::string& end,
                  const std::string& to) {
  size_t from = text.find(begin);
  ASSERT_NE(from, std::string::npos) << begin;
  from = text.rfind('\n', from) + 1;
  size_t until = text.find(end, from);
  ASSERT_NE(until, std::string::npos) << end;
  until = text.find('\n', until) + 1;
  text.replace(from, until - from, to);
}

bool Answers(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// nginx in the foreground with a configuration of the test's making.
class Nginx {
 public:
  ~Nginx() { Stop(); }

  // Writes nginx.conf around `site` in `dir` and starts nginx; returns once
  // `port` accepts connections (a test failure if nginx exits first).
  void Start(const std::string& dir, const std::string& site, int port) {
    dir_ = dir;
    std::ofstream(dir + "/site.conf") << site;
    std::ofstream(dir + "/nginx.conf")
        << "daemon off;\nmaster_process off;\nworker_rlimit_nofile 8192;\n"
        << "error_log " << dir << "/error.log info;\npid " << dir << "/nginx.pid;\n"
        << "events { worker_connections 4096; }\n"
        << "http {\n  access_log off;\n"
        << "  client_body_temp_path " << dir << "/body;\n  proxy_temp_path " << dir
        << "/proxy;\n  fastcgi_temp_path " << dir << "/fastcgi;\n  uwsgi_temp_path " << dir
        << "/uwsgi;\n  scgi_temp_path " << dir << "/scgi;\n"
        << "  include " << dir << "/site.conf;\n}\n";
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open((dir + "/stderr.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) dup2(fd, 2);
      execl(kNginx, kNginx, "-p", dir.c_str(), "-c", (dir + "/nginx.conf").c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 400; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        FAIL() << "nginx exited: " << ReadFile(dir + "/stderr.log") << ReadFile(dir + "/error.log");
      }
      if (Answers(port)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    FAIL() << "nginx did not listen on " << port;
  }

  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
  }

 private:
  std::string dir_;
  pid_t pid_ = 0;
};

// A self-signed certificate, dir/cert.pem and dir/cert.key: nginx loads
// the shipped file's certificate even where it does not listen with TLS.
void MakeCertificate(const std::string& dir) {
  auto made = RunCommand(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
      "-keyout " +
      dir + "/cert.key -out " + dir + "/cert.pem 2>&1");
  ASSERT_EQ(made.status, 0) << made.out;
}

// The shipped configuration with the test's ports, and auth_basic as the
// identity provider; `tls`: with its TLS listener and `cert`.key/.pem.
std::string TestVariant(int nginx_port, int redirect_port, int bot_port, const std::string& dir,
                        bool tls = false) {
  std::string conf = ReadFile(std::string(KONTOBOT_SOURCE_DIR) + "/config/nginx/kontobot.conf");
  const std::string here = "127.0.0.1:" + std::to_string(nginx_port);
  ReplaceOnce(conf, "listen 80;\n    listen [::]:80;",
              "listen 127.0.0.1:" + std::to_string(redirect_port) + ";");
  ReplaceOnce(conf, "listen 443 ssl;\n    listen [::]:443 ssl;",
              "listen " + here + (tls ? " ssl;" : ";"));
  ReplaceOnce(conf, "/etc/ssl/certs/kontobot.kommun.example.pem", dir + "/cert.pem");
  ReplaceOnce(conf, "/etc/ssl/private/kontobot.kommun.example.key", dir + "/cert.key");
  ReplaceOnce(conf, "server 127.0.0.1:8080;", "server 127.0.0.1:" + std::to_string(bot_port) + ";");
  const std::string t = std::to_string(kTimeout) + "s;";
  ReplaceOnce(conf, "client_header_timeout 10s;", "client_header_timeout " + t);
  ReplaceOnce(conf, "client_body_timeout 10s;", "client_body_timeout " + t);
  ReplaceOnce(conf, "keepalive_timeout 30s;", "keepalive_timeout " + t);
  ReplaceOnce(conf, "send_timeout 10s;", "send_timeout " + t);
  ReplaceBlock(conf, "# BEGIN sign-in", "# END sign-in",
               "        auth_basic \"kontobot test\";\n        auth_basic_user_file " + dir +
                   "/htpasswd;\n");
  ReplaceOnce(conf, "proxy_set_header X-Remote-User $kontobot_user;",
              "proxy_set_header X-Remote-User $remote_user;");
  ReplaceBlock(conf, "# BEGIN identity provider", "# END identity provider", "");
  return conf;
}

class BehindNginx : public ::testing::Test {
 protected:
  BehindNginx() : bot_(TempDb()) {}

  void SetUp() override {
    ASSERT_EQ(access(kNginx, X_OK), 0) << "nginx is not installed: run scripts/deps.sh --test";
    dir_ = bot_.db() + ".nginx";
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_NO_FATAL_FAILURE(MakeCertificate(dir_));
    std::ofstream(dir_ + "/htpasswd") << "anna.berg@gislaved.se:{PLAIN}anna-secret\n"
                                      << "jonas.falk@gislaved.se:{PLAIN}jonas-secret\n"
                                      << "nobody@example.org:{PLAIN}nobody-secret\n";
    port_ = FreePort();
    host_ = "127.0.0.1:" + std::to_string(port_);
    bot_.LogTo(bot_.db() + ".log");
    std::filesystem::remove(bot_.db() + ".log");
    bot_.Start({"--auth-header", "X-Remote-User", "--trusted-proxies", "127.0.0.1", "--public-host",
                host_});
    nginx_.Start(dir_, TestVariant(port_, FreePort(), bot_.port(), dir_), port_);
  }

  static std::string Basic(const std::string& user, const std::string& password) {
    const std::string pair = user + ":" + password;
    return "Basic " +
           utility::conversions::to_base64(std::vector<unsigned char>(pair.begin(), pair.end()));
  }
  // Through nginx as a browser on the page would send it, signed in as
  // Anna unless `headers` says otherwise.
  std::string Send(const std::string& method, const std::string& path, Headers headers = {},
                   const std::string& body = "", bool as_anna = true) {
    headers.insert(headers.begin(), {"Host", host_});
    if (as_anna)
      headers.emplace_back("Authorization", Basic("anna.berg@gislaved.se", "anna-secret"));
    if (method == "POST") {
      headers.emplace_back("Origin", "http://" + host_);
      headers.emplace_back("Content-Type", "application/json");
    }
    return RawExchange(port_, RawRequest(method, path, headers, body));
  }
  static json Body(const std::string& answer) {
    return json::parse(RawBody(answer), nullptr, false);
  }

  Bot bot_;
  Nginx nginx_;
  std::string dir_, host_;
  int port_ = 0;
};

TEST_F(BehindNginx, ASignedInPersonChats) {
  std::string page = Send("GET", "/");
  ASSERT_EQ(RawStatus(page), 200) << page.substr(0, 400);
  EXPECT_NE(page.find("<title>kontobot</title>"), std::string::npos);
  std::string session = Send("GET", "/api/session");
  ASSERT_EQ(RawStatus(session), 200) << session;
  EXPECT_EQ(Body(session)["person"]["id"], "gis-anna");
  std::string said = Send("POST", "/api/messages", {}, R"({"person":"gis-anna","text":"ny"})");
  ASSERT_EQ(RawStatus(said), 200) << said.substr(0, 400);
  EXPECT_NE(said.find("Ny anmälan nr 1"), std::string::npos);

  // Not signed in: nginx asks for it, for the web chat and the desk alike.
  for (const char* path : {"/", "/api/session", "/desk", "/desk/cases"}) {
    std::string answer = Send("GET", path, {}, "", false);
    EXPECT_EQ(RawStatus(answer), 401) << path;
    EXPECT_NE(answer.find("WWW-Authenticate: Basic"), std::string::npos) << path;
  }
  // Signed in, /desk reaches kontobot's desk, which Anna (not the
  // information function) may not use.
  std::string desk = Send("GET", "/desk");
  EXPECT_EQ(RawStatus(desk), 403) << desk.substr(0, 400);
  EXPECT_NE(desk.find("Bara för informationsfunktionen"), std::string::npos);
  // Signed in as someone the directory does not know: kontobot refuses.
  std::string stranger =
      Send("GET", "/api/session", {{"Authorization", Basic("nobody@example.org", "nobody-secret")}},
           "", false);
  EXPECT_EQ(RawStatus(stranger), 401) << stranger;
  EXPECT_EQ(Body(stranger)["error"]["code"], "not_signed_in");
  // The platforms' routes and the public register need no sign-in.
  EXPECT_EQ(RawStatus(Send("GET", "/register.json", {}, "", false)), 200);
  EXPECT_EQ(RawStatus(Send("POST", "/slack/events", {}, "{}", false)), 404);  // Slack is off
}

// Headless Chromium signs in through nginx as Jonas, Gislaved's
// information function, and works the desk: the overview, the case, the
// diarienummer form, the masked dossier, each page checked with axe-core;
// Anna, signed in without the role, gets the refusal
// (tests/browser/desk_behind_nginx.mjs). The number is then in the record.
TEST_F(BehindNginx, ChromiumSignsInAndWorksTheDesk) {
  AddAccount(bot_, "gislaved", "gis-anna", "Anna Berg",
             R"([{"name":"Omar Haddad","email":"omar.haddad@gislaved.se"}])");
  const std::string script =
      std::string(KONTOBOT_SOURCE_DIR) + "/tests/browser/desk_behind_nginx.mjs";
  auto run = RunCommand("node " + script + " http://" + host_ +
                        " jonas.falk@gislaved.se jonas-secret anna.berg@gislaved.se anna-secret 1 "
                        "'KS 2026/0099' 2>&1");
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_EQ(One(bot_, "SELECT diarienummer FROM case_diary WHERE registration_id = 1"),
            "KS 2026/0099");
  EXPECT_EQ(One(bot_,
                "SELECT json_extract(detail, '$.channel') FROM audit WHERE action = "
                "'diary.set'"),
            "desk");
}

TEST_F(BehindNginx, ASpoofedHeaderIsRefused) {
  // Signed in as Anna, claiming to be Per: nginx passes Anna on, once.
  for (const Headers& spoof : {Headers{{"X-Remote-User", "gis-per"}},
                               Headers{{"X-Remote-User", "gis-per"}, {"x-remote-user", "gis-per"}},
                               Headers{{"X_Remote_User", "gis-per"}}}) {
    std::string session = Send("GET", "/api/session", spoof);
    ASSERT_EQ(RawStatus(session), 200) << session;
    EXPECT_EQ(Body(session)["person"]["id"], "gis-anna");
  }
  // Not signed in at all, claiming to be Anna: nginx refuses.
  EXPECT_EQ(RawStatus(Send("GET", "/api/session", {{"X-Remote-User", "gis-anna"}}, "", false)),
            401);
  EXPECT_EQ(RawStatus(Send("POST", "/api/messages", {{"X-Remote-User", "gis-anna"}},
                           R"({"person":"gis-anna","text":"ny"})", false)),
            401);
  // Straight to kontobot's port, past nginx: kontobot refuses.
  std::string direct = RawExchange(
      bot_.port(),
      RawRequest(
          "POST", "/api/messages",
          {{"Host", host_}, {"X-Remote-User", "gis-anna"}, {"Content-Type", "application/json"}},
          R"({"person":"gis-anna","text":"ny"})"),
      kAttacker);
  EXPECT_EQ(RawStatus(direct), 401) << direct;
  EXPECT_EQ(Body(direct)["error"]["code"], "not_signed_in");
  EXPECT_NE(bot_.Log().find("sign-in refused (untrusted_peer)"), std::string::npos);
  EXPECT_EQ(bot_.Count("messages"), 0);
}

// Reads what `fd` has; true once the peer has closed or reset it.
bool Drain(int fd, std::string& got) {
  std::array<char, 4096> buf{};
  while (true) {
    ssize_t n = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n > 0) {
      got.append(buf.data(), static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return true;
    return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  }
}

TEST_F(BehindNginx, IdleAndHalfSentConnectionsAreCutWhileHonestRequestsAreServed) {
  // 1,000 connections from one attacker address, each a kind that ties up a
  // server that waits for clients: connected and silent; headers begun and
  // never ended; a body promised and never sent; a kept-alive connection
  // left idle after one request.
  enum Kind { kIdle, kHalfHeaders, kHalfBody, kKeptAlive };
  const std::vector<std::pair<Kind, int>> mix{
      {kIdle, 400}, {kHalfHeaders, 300}, {kHalfBody, 200}, {kKeptAlive, 100}};
  struct Held {
    Kind kind;
    std::unique_ptr<RawConnection> c;
    std::string got;
    bool closed = false;
  };
  std::vector<Held> held;
  for (const auto& [kind, count] : mix) {
    for (int i = 0; i < count; ++i) {
      Held h{kind, std::make_unique<RawConnection>(port_, kAttacker), "", false};
      ASSERT_GE(h.c->fd(), 0);
      switch (kind) {
        case kIdle:
          break;
        case kHalfHeaders:
          h.c->SendAll("GET /api/session HTTP/1.1\r\nHost: " + host_ +
                       "\r\nX-Remote-User: gis-anna\r\n");
          break;
        case kHalfBody:
          h.c->SendAll("POST /slack/events HTTP/1.1\r\nHost: " + host_ +
                       "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\":");
          break;
        case kKeptAlive:
          h.c->SendAll("GET /api/session HTTP/1.1\r\nHost: " + host_ + "\r\n\r\n");
          break;
      }
      held.push_back(std::move(h));
    }
  }
  // Honest people are served meanwhile.
  for (int i = 0; i < 5; ++i) {
    std::string session = Send("GET", "/api/session");
    ASSERT_EQ(RawStatus(session), 200) << session.substr(0, 300);
    EXPECT_EQ(Body(session)["person"]["id"], "gis-anna");
  }
  std::string said = Send("POST", "/api/messages", {}, R"({"person":"gis-anna","text":"ny"})");
  EXPECT_EQ(RawStatus(said), 200) << said.substr(0, 300);
  const int64_t messages = bot_.Count("messages");

  // nginx closes every one of them: wait for that, on all at once.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10 * kTimeout + 20);
  size_t open = held.size();
  while (open > 0 && std::chrono::steady_clock::now() < deadline) {
    std::vector<pollfd> fds;
    std::vector<Held*> which;
    for (Held& h : held) {
      if (h.closed) continue;
      fds.push_back({h.c->fd(), POLLIN, 0});
      which.push_back(&h);
    }
    if (poll(fds.data(), fds.size(), 1000) < 0) continue;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      if (Drain(fds[i].fd, which[i]->got)) {
        which[i]->closed = true;
        --open;
      }
    }
  }
  ASSERT_EQ(open, 0u) << "connections nginx did not close";
  // What each was told: nothing, or a timeout, for those that never ended
  // their request; the per-address limit turned most body senders away at
  // once; the kept-alive ones had an answer first.
  std::map<std::string, int> seen;
  for (const Held& h : held) {
    const int status = RawStatus(h.got);
    switch (h.kind) {
      case kIdle:
      case kHalfHeaders:
        EXPECT_TRUE(status == 0 || status == 408) << h.got.substr(0, 200);
        break;
      case kHalfBody:
        EXPECT_TRUE(status == 0 || status == 408 || status == 429) << h.got.substr(0, 200);
        ++seen["body " + std::to_string(status)];
        break;
      case kKeptAlive:
        // Refused before it was read (the address was at its limit, held by
        // the body senders) or answered: not signed in.
        EXPECT_TRUE(status == 401 || status == 429) << h.got.substr(0, 200);
        break;
    }
  }
  EXPECT_GT(seen["body 429"], 0);
  // None of it reached kontobot as a message, and honest people are still served.
  std::string after = Send("GET", "/api/session");
  EXPECT_EQ(RawStatus(after), 200) << after.substr(0, 300);
  EXPECT_EQ(bot_.Count("messages"), messages);
}

// The shipped TLS part loads: nginx -t on the variant that keeps it, with a
// self-signed certificate made here.
TEST(NginxConfiguration, TheTlsVariantLoads) {
  ASSERT_EQ(access(kNginx, X_OK), 0) << "nginx is not installed: run scripts/deps.sh --test";
  const std::string dir = ::testing::TempDir() + "/nginx_tls";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ASSERT_NO_FATAL_FAILURE(MakeCertificate(dir));
  std::ofstream(dir + "/htpasswd") << "anna.berg@gislaved.se:{PLAIN}anna-secret\n";
  std::ofstream(dir + "/site.conf") << TestVariant(FreePort(), FreePort(), FreePort(), dir, true);
  std::ofstream(dir + "/nginx.conf")
      << "error_log " << dir << "/error.log;\npid " << dir
      << "/nginx.pid;\nevents {}\nhttp {\n  include " << dir << "/site.conf;\n}\n";
  auto check =
      RunCommand(std::string(kNginx) + " -t -p " + dir + " -c " + dir + "/nginx.conf 2>&1");
  EXPECT_EQ(check.status, 0) << check.out;
  EXPECT_NE(check.out.find("test is successful"), std::string::npos) << check.out;
}

}  // namespace
