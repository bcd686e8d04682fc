// Strategy: start the real kontobot binary on a free loopback port with a
// temporary SQLite file and the shipped configuration, and talk to it over
// real HTTP as the web chat does. Crash safety is tested by kill -9 in the
// middle of a draft and a restart on the same file: every acknowledged
// answer must still be there. Malformed requests must get a 4xx with a JSON
// error and leave the database exactly as it was.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <cpprest/http_client.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/bot_process.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using nlohmann::json;
using web::http::methods;

// Bug: test ports came from the kernel's ephemeral range (a bind to port 0), where an outgoing
// connection of a test running alongside could take one before the bot bound it; CI failed with
// "bind: Address already in use".
TEST(TestPorts, ComeFromBelowTheEphemeralRangeAndAStartRetriesOnATakenPort) {
  for (int i = 0; i < 100; ++i) EXPECT_LT(FreePort(), EphemeralLow());

  Bot bot(TempDb());
  const int taken = bot.port();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(taken));
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  bot.Start();  // the first attempt cannot bind; the second uses another port
  EXPECT_NE(bot.port(), taken);
  EXPECT_EQ(bot.Get("/healthz").status, 200);
  close(fd);
}

TEST(Server, HealthzAndStaticPage) {
  Bot bot(TempDb());
  bot.Start();
  auto h = bot.Get("/healthz");
  EXPECT_EQ(h.body["status"], "ok");
  auto page = bot.Get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.raw.find("<html"), std::string::npos);
  EXPECT_EQ(bot.Get("/app.js").status, 200);
  EXPECT_EQ(bot.Get("/style.css").status, 200);
}

TEST(Server, ListsPeopleAndCatalogue) {
  Bot bot(TempDb());
  bot.Start();
  auto people = bot.Get("/api/people");
  ASSERT_EQ(people.status, 200);
  EXPECT_EQ(people.body["organisations"].size(), 5u);
  auto cat = bot.Get("/api/catalog?lang=en");
  EXPECT_EQ(cat.body["lang"], "en");
  EXPECT_FALSE(cat.body["messages"].empty());
}

TEST(Server, WelcomesNewPersonAndAcceptsItsButton) {
  Bot bot(TempDb());
  bot.Start();
  auto first = bot.Get("/api/messages?person=gis-anna&after=0");
  ASSERT_EQ(first.body["messages"].size(), 1u);
  const auto& welcome = first.body["messages"][0];
  EXPECT_EQ(welcome["id"], 0);
  EXPECT_EQ(welcome["buttons"][0]["id"], "new");
  auto pressed = bot.Post(
      "/api/messages",
      {{"person", "gis-anna"}, {"message_id", 0}, {"action", {{"id", "new"}, {"value", ""}}}});
  ASSERT_EQ(pressed.status, 200) << pressed.raw;
  EXPECT_EQ(pressed.body["messages"][0]["direction"], "in");
  EXPECT_EQ(pressed.body["messages"][0]["text"], "Anmäl nytt konto");
  EXPECT_NE(Texts(pressed.body["messages"]).find("Ny anmälan nr 1"), std::string::npos);
}

TEST(Server, CompletesAGislavedRegistrationOverHttp) {
  Bot bot(TempDb());
  bot.Start();
  bot.Say("gis-anna", "ny");
  AnswerUntil(bot, "gis-anna");
  auto replies = bot.Say("gis-anna", "skicka");
  EXPECT_NE(Texts(replies).find("är inskickad"), std::string::npos) << Texts(replies);
  EXPECT_EQ(bot.Count("registrations"), 1);
  SQLite::Database db(bot.db(), SQLite::OPEN_READONLY);
  auto answers = json::parse(db.execAndGet("SELECT answers FROM registrations").getString());
  EXPECT_GE(answers.size(), 10u);
  EXPECT_GE(bot.Count("audit"), 20);
}

TEST(Server, RefusesPersonalLoginAddressForGislaved) {
  Bot bot(TempDb());
  bot.Start();
  bot.Say("gis-anna", "ny");
  json last = AnswerUntil(bot, "gis-anna", "email");
  ASSERT_EQ(last["input"].value("type", ""), "email")
      << "Gislaved's form never asked for the login address";
  auto r = bot.Say("gis-anna", "anna.berg@gislaved.se");
  EXPECT_NE(Texts(r).find("går inte att använda"), std::string::npos) << Texts(r);
}

TEST(Server, DraftSurvivesKill9AndRestart) {
  std::string db = TempDb();
  {
    Bot bot(db);
    bot.Start();
    bot.Say("dal-karin", "ny");
    bot.Say("dal-karin", "ok");
    bot.Say("dal-karin", "fb");
    EXPECT_EQ(bot.Kill(SIGKILL), -SIGKILL);
  }
  Bot bot(db);
  bot.Start();
  auto replies = bot.Say("dal-karin", "status");
  EXPECT_NE(Texts(replies).find("anmälan nr 1"), std::string::npos) << Texts(replies);
  auto transcript = bot.Get("/api/messages?person=dal-karin&after=0").body["messages"];
  EXPECT_GE(transcript.size(), 8u);
  SQLite::Database sdb(db, SQLite::OPEN_READONLY);
  auto state = json::parse(sdb.execAndGet("SELECT state FROM drafts WHERE id = 1").getString());
  EXPECT_EQ(state["answers"]["medium"]["value"], "facebook");
}

TEST(Server, MalformedRequestsGetClearErrorsAndChangeNothing) {
  Bot bot(TempDb());
  bot.Start();
  bot.Say("gis-anna", "hej");
  int64_t messages = bot.Count("messages"), audit = bot.Count("audit");

  auto expect = [&](const HttpResult& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.raw;
    EXPECT_EQ(r.body["error"]["code"], code) << r.raw;
    EXPECT_FALSE(r.body["error"].value("message", "").empty());
  };
  expect(bot.Request(methods::POST, "/api/messages", "{not json"), 400, "bad_json");
  expect(bot.Post("/api/messages", json::array()), 400, "bad_request");
  expect(bot.Post("/api/messages", {{"person", "gis-anna"}}), 400, "bad_request");
  expect(bot.Post("/api/messages", {{"person", "gis-anna"}, {"text", 5}}), 400, "bad_request");
  expect(bot.Post("/api/messages", {{"person", "gis-anna"}, {"text", "   "}}), 400, "bad_text");
  expect(bot.Request(methods::POST, "/api/messages",
                     "{\"person\":\"gis-anna\",\"text\":\"\xff\xfe\"}"),
         400, "bad_json");
  expect(bot.Post("/api/messages", {{"person", "nobody"}, {"text", "hej"}}), 404, "unknown_person");
  expect(bot.Post("/api/messages", {{"person", "gis-anna"},
                                    {"message_id", 1},
                                    {"action", {{"id", "submit"}, {"value", "99"}}}}),
         409, "stale_button");
  expect(bot.Post("/api/messages", {{"person", "gis-anna"}, {"action", {{"id", "new"}}}}), 400,
         "bad_request");
  expect(bot.Get("/api/messages?person=nobody"), 404, "unknown_person");
  expect(bot.Get("/api/messages?person=gis-anna&after=x"), 400, "bad_after");
  expect(bot.Get("/api/catalog?lang=fr"), 400, "bad_lang");
  expect(bot.Get("/no/such/path"), 404, "not_found");
  expect(bot.Request(methods::DEL, "/api/messages"), 405, "method_not_allowed");
  expect(bot.Request(methods::POST, "/api/messages", std::string(size_t{70} * 1024, 'x')), 413,
         "body_too_large");

  EXPECT_EQ(bot.Count("messages"), messages);
  EXPECT_EQ(bot.Count("audit"), audit);
  EXPECT_EQ(bot.Say("gis-anna", "hjälp").size(), 2u);  // still serving
}

TEST(Server, PasswordNeverReachesTheDatabase) {
  Bot bot(TempDb());
  bot.Start();
  bot.Say("gis-anna", "ny");
  auto r = bot.Say("gis-anna", "lösenord: Hemligt2024!");
  EXPECT_NE(Texts(r).find("ser ut som ett lösenord"), std::string::npos);
  bot.Kill(SIGTERM);
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(bot.db() + suffix, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find("Hemligt2024"), std::string::npos) << suffix;
  }
}

TEST(Server, StopsCleanlyOnSigterm) {
  Bot bot(TempDb());
  bot.Start();
  bot.Say("gis-anna", "ny");
  EXPECT_EQ(bot.Kill(SIGTERM), 0);
}

TEST(Server, RefusesToStartWithBadConfiguration) {
  std::string dir = ::testing::TempDir() + "/badtemplates";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/broken.yaml") << "id: x\nsteps: 5\n";
  std::string cmd = BotBinary() + " serve --templates " + dir + " --messages " +
                    KONTOBOT_SOURCE_DIR + "/config/messages --directory " + KONTOBOT_SOURCE_DIR +
                    "/config/directory.yaml --listen 127.0.0.1:" + std::to_string(FreePort()) +
                    " 2>/dev/null";
  EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 1);
  EXPECT_EQ(WEXITSTATUS(std::system((BotBinary() + " serve --bogus 2>/dev/null").c_str())), 2);
}

TEST(CheckTemplate, PrintsErrorsWithLocation) {
  std::string file = ::testing::TempDir() + "/t.yaml";
  std::ofstream(file) << "id: t\norganisation: {sv: O, en: O}\nform_title: {sv: F, en: F}\n"
                         "steps:\n  - {id: q, type: choise, text: {sv: Q, en: Q}}\n";
  std::string out_file = ::testing::TempDir() + "/out.txt";
  int rc = std::system((BotBinary() + " check-template " + file + " > " + out_file).c_str());
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  std::ifstream in(out_file);
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(out.find(file + ":5:"), std::string::npos) << out;
  EXPECT_NE(out.find("unknown question type 'choise'"), std::string::npos) << out;
}

}  // namespace
