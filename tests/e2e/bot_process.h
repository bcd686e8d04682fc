// The real kontobot binary as a test fixture: started on a free loopback
// port with a temporary SQLite file and the shipped configuration, spoken
// to over real HTTP, stopped with a signal of the test's choosing.
#ifndef KONTOBOT_TESTS_E2E_BOT_PROCESS_H_
#define KONTOBOT_TESTS_E2E_BOT_PROCESS_H_

#include <SQLiteCpp/SQLiteCpp.h>
#include <cpprest/http_client.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

namespace kontobot::testing {

using nlohmann::json;
using web::http::methods;
using web::http::client::http_client;
using web::http::client::http_client_config;

inline int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "cannot bind a loopback port: " << std::strerror(errno);
  }
  close(fd);
  return ntohs(addr.sin_port);
}

struct HttpResult {
  int status = 0;
  json body;
  std::string raw;
};

// The real binary, started and stopped by the test.
class Bot {
 public:
  explicit Bot(std::string db) : db_(std::move(db)), port_(FreePort()) {}
  ~Bot() { Kill(SIGKILL); }

  void Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{
        KONTOBOT_BINARY, "serve",
        "--listen",      "127.0.0.1:" + std::to_string(port_),
        "--db",          db_,
        "--templates",   std::string(KONTOBOT_SOURCE_DIR) + "/config/templates",
        "--messages",    std::string(KONTOBOT_SOURCE_DIR) + "/config/messages",
        "--directory",   std::string(KONTOBOT_SOURCE_DIR) + "/config/directory.yaml",
        "--log-level",   "warn"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      argv.reserve(args.size() + 1);
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      try {
        if (Get("/healthz").status == 200) return;
      } catch (...) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "kontobot did not start";
  }

  // Sends `sig` and waits; returns the exit status (or -signal).
  int Kill(int sig) {
    if (pid_ <= 0) return 0;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

  HttpResult Request(const web::http::method& m, const std::string& path,
                     const std::string& body = "",
                     const std::string& content_type = "application/json",
                     const std::map<std::string, std::string>& headers = {}) {
    http_client_config cfg;
    cfg.set_timeout(std::chrono::seconds(10));
    http_client client("http://127.0.0.1:" + std::to_string(port_), cfg);
    web::http::http_request req(m);
    req.set_request_uri(path);
    if (!body.empty() || m == methods::POST) req.set_body(body, content_type);
    for (const auto& [k, v] : headers) req.headers().add(k, v);
    auto resp = client.request(req).get();
    HttpResult r;
    r.status = resp.status_code();
    r.raw = resp.extract_utf8string(true).get();
    r.body = json::parse(r.raw, nullptr, false);
    return r;
  }
  HttpResult Get(const std::string& path) { return Request(methods::GET, path); }
  HttpResult Post(const std::string& path, const json& body) {
    return Request(methods::POST, path, body.dump());
  }

  json Say(const std::string& person, const std::string& text) {
    auto r = Post("/api/messages", {{"person", person}, {"text", text}});
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body["messages"];
  }

  int64_t Count(const std::string& table) {
    SQLite::Database db(db_, SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
  }

  const std::string& db() const { return db_; }

 private:
  std::string db_;
  int port_;
  pid_t pid_ = 0;
};

inline std::string TempDb() {
  std::string path = ::testing::TempDir() + "/e2e_" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
  std::replace(path.begin() + static_cast<long>(::testing::TempDir().size()), path.end(), '/', '_');
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

inline std::string Texts(const json& messages) {
  std::string out;
  for (const auto& m : messages) out += m["text"].get<std::string>() + "\n";
  return out;
}

// A valid answer to what the bot's last message asks for, from the input
// hint the server gives with every question.
inline std::string AnswerTo(const json& last) {
  const json& in = last["input"];
  std::string type = in.value("type", "");
  if (in.value("kind", "") == "advice") return "ok";
  if (type == "url") return "www.facebook.com/gislavedfritid";
  if (type == "email") return "fritid.sociala.medier@gislaved.se";
  if (type == "number") return "4";
  if (type == "choice") return last["buttons"][0]["label"];
  if (type == "yes_no") return "ja";
  if (type == "people")
    return "Omar Haddad, omar.haddad@gislaved.se\nLisa Åberg, lisa.aberg@gislaved.se";
  if (type == "person") return "Omar Haddad, omar.haddad@gislaved.se";
  if (type == "schedule") return "vardagar 8-17";
  return "Ett svar";
}

// Answers questions until the one of `stop_type` is asked (or the summary).
inline json AnswerUntil(Bot& bot, const std::string& person, const std::string& stop_type = "") {
  for (int i = 0; i < 60; ++i) {
    json last = bot.Get("/api/messages?person=" + person + "&after=0").body["messages"].back();
    if (last["input"].empty()) return last;
    if (!stop_type.empty() && last["input"].value("type", "") == stop_type) return last;
    bot.Say(person, AnswerTo(last));
  }
  ADD_FAILURE() << "the form did not end";
  return {};
}

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_E2E_BOT_PROCESS_H_
