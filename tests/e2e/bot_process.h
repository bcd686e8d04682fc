// The real kontobot binary as a test fixture: started on a free loopback
// port with a temporary SQLite file and the shipped configuration, spoken
// to over real HTTP, stopped with a signal of the test's choosing.
#ifndef KONTOBOT_TESTS_E2E_BOT_PROCESS_H_
#define KONTOBOT_TESTS_E2E_BOT_PROCESS_H_

#include <SQLiteCpp/SQLiteCpp.h>
#include <cpprest/http_client.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

namespace kontobot::testing {

using nlohmann::json;
using web::http::methods;
using web::http::client::http_client;
using web::http::client::http_client_config;

// The kontobot binary under test: the build's own, or the one named by
// E2E_KONTOBOT_BINARY (the test command runs these tests once more against
// a ThreadSanitizer build of the bot). Not KONTOBOT_*: the bot inherits the
// environment and refuses KONTOBOT_ variables it does not know.
inline std::string BotBinary() {
  const char* other = std::getenv("E2E_KONTOBOT_BINARY");
  return other != nullptr && *other != '\0' ? other : KONTOBOT_BINARY;
}

// The lowest port of the kernel's ephemeral range (outgoing connections take
// their local ports from it).
inline int EphemeralLow() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768;
  in >> low;
  return low;
}

// A loopback port nobody listens on, from below the ephemeral range: a port
// the kernel handed out for port 0 can be taken by one of the many outgoing
// connections of the tests running alongside before the server binds it.
// Random, so that tests run in parallel seldom try the same one; the caller
// still retries on another port if its bind fails (StartOnFreePort).
inline int FreePort() {
  static std::mt19937 rng(std::random_device{}() ^ static_cast<unsigned>(getpid()));
  const int high = std::min(EphemeralLow(), 65536) - 1;
  const int low = std::max(1024, high - 12000);
  std::uniform_int_distribution<int> pick(low, high);
  for (int attempt = 0; attempt < 200; ++attempt) {
    int port = pick(rng);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (ok) return port;
  }
  ADD_FAILURE() << "no free loopback port below " << high + 1;
  return 0;
}

struct HttpResult {
  int status = 0;
  json body;
  std::string raw;
};

// An HTTP client of a kontobot listening on a loopback port.
class LoopbackClient {
 public:
  explicit LoopbackClient(int port) : port_(port) {}

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

  int port() const { return port_; }

 protected:
  int port_;
};

// The real binary, started and stopped by the test.
class Bot : public LoopbackClient {
 public:
  explicit Bot(std::string db) : LoopbackClient(FreePort()), db_(std::move(db)) {}
  ~Bot() { Kill(SIGKILL); }

  // Starts the binary and waits for /healthz. If it exits first (its port
  // was taken in the meantime: bind fails), starts it again on another port.
  void Start(const std::vector<std::string>& extra = {}) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (attempt > 0) port_ = FreePort();
      Spawn(extra);
      for (int i = 0; i < 200; ++i) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = 0;
          break;
        }
        if (Healthy()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (pid_ != 0) break;  // running but not answering: no retry helps
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

  int64_t Count(const std::string& table) {
    SQLite::Database db(db_, SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
  }

  // Events in the landing file (store/landing.h) not yet moved into the
  // queue; with `all`, every row there, moved or not. 0 without the file.
  int64_t Landed(bool all = false) {
    std::string landing = db_ + "-inbound";
    if (!std::filesystem::exists(landing)) return 0;
    int64_t mark = 0;
    if (!all) {
      SQLite::Database db(db_, SQLite::OPEN_READONLY, 10000);
      mark = db.execAndGet("SELECT moved_through FROM inbound_landing").getInt64();
    }
    // The bot makes the landing file before its listener starts
    // (App::Start), so once /healthz has answered the table is there; its
    // writer may hold the file's lock for a moment, which we wait out.
    SQLite::Database l(landing, SQLite::OPEN_READONLY, 10000);
    SQLite::Statement q(l, "SELECT COUNT(*) FROM landed WHERE id > ?");
    q.bind(1, mark);
    q.executeStep();
    return q.getColumn(0).getInt64();
  }  // True when every acknowledged platform event has been processed (or
  // parked): moved out of the landing file, and no longer ready in the
  // inbound queue.
  bool EventsProcessed() {
    if (Landed() != 0) return false;
    SQLite::Database db(db_, SQLite::OPEN_READONLY, 10000);
    return db.execAndGet("SELECT COUNT(*) FROM inbound_queue WHERE waiting_for = ''").getInt() == 0;
  }

  const std::string& db() const { return db_; }
  pid_t pid() const { return pid_; }
  // The bots started from now on write their log (standard error) to the
  // end of `path` instead of the test's.
  void LogTo(std::string path) { log_ = std::move(path); }
  // What they wrote there so far.
  std::string Log() const {
    std::ifstream in(log_);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  // The address to listen on instead of 127.0.0.1 (such as 0.0.0.0, which
  // the test still reaches on 127.0.0.1); set before Start.
  void SetListenHost(std::string host) { listen_host_ = std::move(host); }
  // The running binary's threads: name (as /proc shows it) to nice value.
  std::map<std::string, int> Threads() const {
    std::map<std::string, int> out;
    for (const auto& task :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid_) + "/task")) {
      std::ifstream comm(task.path() / "comm");
      std::ifstream stat(task.path() / "stat");
      std::string name, line;
      std::getline(comm, name);
      std::getline(stat, line);
      // Fields after the name in parentheses: state is the 3rd, nice the 19th.
      std::istringstream rest(line.substr(line.rfind(')') + 2));
      std::vector<std::string> fields{std::istream_iterator<std::string>(rest), {}};
      if (fields.size() > 16) out[name] = std::stoi(fields[16]);
    }
    return out;
  }

 private:
  // GET /healthz with a short timeout: whoever else holds a port that the
  // bot could not bind need not answer.
  bool Healthy() {
    try {
      http_client_config cfg;
      cfg.set_timeout(std::chrono::seconds(1));
      http_client client("http://127.0.0.1:" + std::to_string(port_), cfg);
      return client.request(methods::GET, "/healthz").get().status_code() == 200;
    } catch (...) {
      return false;
    }
  }

  void Spawn(const std::vector<std::string>& extra) {
    std::vector<std::string> args{
        BotBinary(),   "serve",
        "--listen",    listen_host_ + ":" + std::to_string(port_),
        "--db",        db_,
        "--templates", std::string(KONTOBOT_SOURCE_DIR) + "/config/templates",
        "--messages",  std::string(KONTOBOT_SOURCE_DIR) + "/config/messages",
        "--directory", std::string(KONTOBOT_SOURCE_DIR) + "/config/directory.yaml",
        "--log-level", "warn"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = fork();
    if (pid_ == 0) {
      if (!log_.empty()) {
        int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) dup2(fd, STDERR_FILENO);
      }
      std::vector<char*> argv;
      argv.reserve(args.size() + 1);
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }

  std::string db_;
  std::string log_;
  std::string listen_host_ = "127.0.0.1";
  pid_t pid_ = 0;
};

// Runs the shell command `command`; returns its exit status and what it
// wrote to standard output (add 2>&1 for standard error too).
struct CommandResult {
  int status = -1;
  std::string out;
};
inline CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return r;
  }
  std::array<char, 512> buf{};
  while (fgets(buf.data(), static_cast<int>(buf.size()), p) != nullptr) r.out += buf.data();
  int status = pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string TempDb() {
  std::string path = ::testing::TempDir() + "/e2e_" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
  std::replace(path.begin() + static_cast<long>(::testing::TempDir().size()), path.end(), '/', '_');
  for (const char* suffix : {"", "-wal", "-shm", "-inbound", "-inbound-wal", "-inbound-shm"})
    std::filesystem::remove(path + suffix);
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
inline json AnswerUntil(LoopbackClient& bot, const std::string& person,
                        const std::string& stop_type = "") {
  for (int i = 0; i < 60; ++i) {
    json last = bot.Get("/api/messages?person=" + person + "&after=0").body["messages"].back();
    if (last["input"].empty()) return last;
    if (!stop_type.empty() && last["input"].value("type", "") == stop_type) return last;
    bot.Say(person, AnswerTo(last));
  }
  ADD_FAILURE() << "the form did not end";
  return {};
}

// `person`'s web-chat feed, every message from the first.
inline json PersonFeed(LoopbackClient& bot, const std::string& person) {
  return bot.Get("/api/messages?person=" + person + "&after=0").body["messages"];
}

// How many of `person`'s messages contain `needle`.
inline int MessagesContaining(LoopbackClient& bot, const std::string& person,
                              const std::string& needle) {
  int n = 0;
  for (const auto& m : PersonFeed(bot, person))
    n += m["text"].get<std::string>().find(needle) != std::string::npos ? 1 : 0;
  return n;
}

// Polls until `person` has at least `n` messages containing `needle`.
inline bool WaitForMessage(LoopbackClient& bot, const std::string& person,
                           const std::string& needle, int n = 1) {
  for (int i = 0; i < 200; ++i) {
    if (MessagesContaining(bot, person, needle) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

// The newest message of `person` with a button `action` (and `value`, if
// given), as {message_id, button, text}, or null.
inline json NewestButton(LoopbackClient& bot, const std::string& person, const std::string& action,
                         const std::string& value = "") {
  json feed = PersonFeed(bot, person);
  for (auto m = feed.rbegin(); m != feed.rend(); ++m) {
    for (const auto& b : (*m)["buttons"]) {
      if (b["id"] == action && (value.empty() || b["value"] == value))
        return {{"message_id", (*m)["id"]}, {"button", b}, {"text", (*m)["text"]}};
    }
  }
  return nullptr;
}

// `person` presses the button `found` ({message_id, button}, as
// NewestButton gives it); the whole HTTP answer, whatever its status.
inline HttpResult PressFound(LoopbackClient& bot, const std::string& person, const json& found) {
  return bot.Post(
      "/api/messages",
      {{"person", person},
       {"message_id", found["message_id"]},
       {"action", {{"id", found["button"]["id"]}, {"value", found["button"]["value"]}}}});
}

// True if `text` contains `needle`.
inline bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// The whole file at `path` ("" if it cannot be read).
inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `person` presses the button `found` (which may be on someone else's
// message); the messages they are answered.
inline json PressButton(LoopbackClient& bot, const std::string& person, const json& found) {
  auto r =
      bot.Post("/api/messages",
               {{"person", person},
                {"message_id", found["message_id"]},
                {"action", {{"id", found["button"]["id"]}, {"value", found["button"]["value"]}}}});
  EXPECT_EQ(r.status, 200) << r.raw;
  return r.body["messages"];
}

// The texts of what `person` is answered pressing `found` ("" when null).
inline std::string PressAs(LoopbackClient& bot, const std::string& person, const json& found) {
  EXPECT_FALSE(found.is_null());
  if (found.is_null()) return "";
  return Texts(PressButton(bot, person, found));
}

// `args` on kontobot's command line with the shipped configuration, e.g.
// "export register --out DIR --db DB", as a shell command printing to `log`.
inline std::string KontobotCommandLine(const std::string& args, const std::string& log) {
  return BotBinary() + " " + args + " --templates " + KONTOBOT_SOURCE_DIR +
         "/config/templates --messages " + KONTOBOT_SOURCE_DIR + "/config/messages --directory " +
         KONTOBOT_SOURCE_DIR + "/config/directory.yaml > " + log + " 2>&1";
}

// The shell command that exports the register of database `db` into `out`
// with the shipped configuration.
inline std::string ExportRegisterCommand(const std::string& db, const std::string& out) {
  return KontobotCommandLine("export register --out " + out + " --db " + db, "/dev/null");
}

// Runs kontobot's command line with `args` (KontobotCommandLine); returns
// its exit code and fills `output` with what it printed.
inline int KontobotCommand(const std::string& args, std::string* output = nullptr) {
  std::string log = ::testing::TempDir() + "/kontobot_cli.log";
  int rc = std::system(KontobotCommandLine(args, log).c_str());
  if (output) *output = Slurp(log);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// `requester` fills in the form (`answers` by step id) and everyone of
// `org` approves, accepts and confirms what reaches them.
inline void RegisterAndApprove(LoopbackClient& bot, const std::string& requester,
                               const std::string& org,
                               const std::map<std::string, std::string>& answers) {
  bot.Say(requester, "ny");
  for (int i = 0; i < 60; ++i) {
    json last = PersonFeed(bot, requester).back();
    if (last["input"].empty()) break;
    auto o = answers.find(last["input"].value("step", ""));
    bot.Say(requester, o != answers.end() ? o->second : AnswerTo(last));
  }
  ASSERT_NE(Texts(bot.Say(requester, "skicka")).find("är inskickad"), std::string::npos);
  json orgs = bot.Get("/api/people").body["organisations"];
  for (int round = 0; round < 10; ++round) {
    bool any = false;
    for (const auto& o : orgs) {
      if (o["id"] != org) continue;
      for (const auto& p : o["people"]) {
        for (const char* action : {"approve", "accept", "done"}) {
          json found = NewestButton(bot, p["id"], action);
          if (found.is_null()) continue;
          PressAs(bot, p["id"], found);
          any = true;
        }
      }
    }
    if (!any) break;
  }
}

inline void SetClock(LoopbackClient& bot, const std::string& now) {
  ASSERT_EQ(bot.Post("/test/clock", {{"now", now}}).status, 200);
}

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_E2E_BOT_PROCESS_H_
