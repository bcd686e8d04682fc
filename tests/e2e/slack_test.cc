// Strategy: kontobot as a Slack app, end to end. The real binary is started
// with a signing secret and a bot token and pointed at a local fake of
// Slack's Web API (tests/fakes/fake_slack.h); the test plays Slack's side of
// the Events API and interactivity exactly as documented: JSON event
// envelopes and form-encoded block_actions payloads, each signed v0 with
// HMAC-SHA256 by an implementation independent of kontobot's. What the bot
// sends back is read from the fake's record. Failure paths: forged, stale
// and malformed requests (nothing stored), Slack's retries (processed once),
// 429/500/ok:false from the Web API, and a kill -9 while the API is down.
// Events are processed behind the acknowledgement (app/inbound_queue.h),
// so a test that reads the bot's state after an event first waits for the
// inbound queue to drain (Processed), never for a fixed time. People the
// directory knows only by e-mail are found with users.info on the fake.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <thread>

#include "tests/e2e/bot_process.h"
#include "tests/fakes/fake_slack.h"
#include "tests/fakes/faulty_front.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using nlohmann::json;
using web::http::methods;

const std::string kSecret = "test-signing-secret-0123456789";
const std::string kToken = "xoxb-test-token";

std::string HmacHex(const std::string& key, const std::string& data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &len);
  std::string hex;
  std::array<char, 3> buf{};
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf.data(), buf.size(), "%02x", mac[i]);
    hex += buf.data();
  }
  return hex;
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  std::array<char, 4> buf{};
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(buf.data(), buf.size(), "%%%02X", c);
      out += buf.data();
    }
  }
  return out;
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class SlackTest : public ::testing::Test {
 protected:
  SlackTest() : slack_(FreePort(), kToken), bot_(TempDb()) {}
  void SetUp() override {
    slack_.Start();
    StartBot();
  }
  void StartBot() {
    std::vector<std::string> args{
        "--slack-signing-secret", kSecret,
        "--slack-bot-token",      kToken,
        "--slack-api-base",       api_base_.empty() ? slack_.base() : api_base_,
        "--slack-bot-user",       "UKONTOBOT"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    bot_.Start(args);
  }
  std::vector<std::string> extra_;  // more options, set before SetUp
  std::string api_base_;            // where the bot finds the Web API: the fake, by default

  HttpResult Signed(const std::string& path, const std::string& body,
                    const std::string& content_type, int64_t ts = 0,
                    const std::string& secret = kSecret,
                    std::map<std::string, std::string> extra = {}) {
    if (ts == 0) ts = Now();
    extra["X-Slack-Request-Timestamp"] = std::to_string(ts);
    extra["X-Slack-Signature"] = "v0=" + HmacHex(secret, "v0:" + std::to_string(ts) + ":" + body);
    return bot_.Request(methods::POST, path, body, content_type, extra);
  }

  json Envelope(const std::string& user, const std::string& text, const std::string& event_id) {
    return {
        {"token", "XXYYZZ"},
        {"team_id", "T0KOMMUN"},
        {"api_app_id", "A0KONTOBOT"},
        {"type", "event_callback"},
        {"event_id", event_id},
        {"event_time", Now()},
        {"authorizations", {{{"team_id", "T0KOMMUN"}, {"user_id", "UKONTOBOT"}, {"is_bot", true}}}},
        {"event",
         {{"type", "message"},
          {"channel", "D" + user},
          {"channel_type", "im"},
          {"user", user},
          {"text", text},
          {"ts", std::to_string(Now()) + ".000100"},
          {"event_ts", std::to_string(Now()) + ".000100"}}}};
  }
  HttpResult Dm(const std::string& user, const std::string& text,
                std::map<std::string, std::string> headers = {}) {
    return DmWithId(user, text, "Ev" + std::to_string(++event_), std::move(headers));
  }
  HttpResult DmWithId(const std::string& user, const std::string& text, const std::string& id,
                      std::map<std::string, std::string> headers = {}) {
    return Signed("/slack/events", Envelope(user, text, id).dump(), "application/json", 0, kSecret,
                  std::move(headers));
  }

  // The newest button `prefix` in a message posted to `user`'s DM.
  std::optional<std::pair<json, json>> FindButton(const std::string& user,
                                                  const std::string& prefix) {
    auto posts = slack_.calls("chat.postMessage");
    // Newest first. (An index: clang-tidy 14 cannot parse std::views::reverse
    // over libstdc++ 12's ranges.)
    for (size_t i = posts.size(); i-- > 0;) {
      auto& c = posts[i];
      if (c.args.value("channel", "") != "D" + user) continue;
      for (const auto& block : c.args["blocks"]) {
        if (block["type"] != "actions") continue;
        for (const auto& e : block["elements"]) {
          if (e["action_id"].get<std::string>().rfind(prefix + ":", 0) == 0) {
            return std::make_pair(
                e, json{{"block_id", block["block_id"]}, {"channel", c.args["channel"]}});
          }
        }
      }
    }
    return std::nullopt;
  }
  HttpResult Click(const std::string& user, const json& element, const json& where) {
    json payload{
        {"type", "block_actions"},
        {"user", {{"id", user}, {"username", "u"}, {"name", "u"}, {"team_id", "T0KOMMUN"}}},
        {"api_app_id", "A0KONTOBOT"},
        {"token", "XXYYZZ"},
        {"container",
         {{"type", "message"},
          {"message_ts", "1795428000.100001"},
          {"channel_id", where["channel"]},
          {"is_ephemeral", false}}},
        {"trigger_id", "1337." + std::to_string(++event_)},
        {"team", {{"id", "T0KOMMUN"}, {"domain", "kommun"}}},
        {"channel", {{"id", where["channel"]}, {"name", "directmessage"}}},
        {"response_url", "https://hooks.slack.com/actions/T0KOMMUN/1/abc"},
        {"actions",
         {{{"action_id", element["action_id"]},
           {"block_id", where["block_id"]},
           {"text", element["text"]},
           {"value", element["value"]},
           {"type", "button"},
           {"action_ts", std::to_string(Now()) + ".5"}}}}};
    return Signed("/slack/interactivity", "payload=" + UrlEncode(payload.dump()),
                  "application/x-www-form-urlencoded");
  }

  // Waits until `pred` holds (the outbox is asynchronous).
  template <typename Pred>
  bool Eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::milliseconds(8000)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return pred();
  }
  // Waits until every acknowledged event has been processed (or parked):
  // moved out of the landing file, and no longer ready in the queue.
  bool Processed() {
    return Eventually([&] { return bot_.EventsProcessed(); });
  }
  // A DM whose effects are stored when this returns.
  void Said(const std::string& user, const std::string& text) {
    ASSERT_EQ(Dm(user, text).status, 200);
    ASSERT_TRUE(Processed());
  }
  // Fills in a registration in the DM and sends it: each question answered
  // by its hint, or as `answers` says for its step.
  void Register(const std::string& user, const std::string& person,
                const std::map<std::string, std::string>& answers = {}) {
    Said(user, "ny");
    for (int i = 0; i < 60; ++i) {
      json last = bot_.Get("/api/messages?person=" + person + "&after=0").body["messages"].back();
      if (last["input"].empty()) break;
      auto given = answers.find(last["input"].value("step", ""));
      Said(user, given != answers.end() ? given->second : AnswerTo(last));
    }
    Said(user, "skicka");
  }
  // The messages posted to `user`'s DM, in order.
  std::vector<json> PostsTo(const std::string& user) {
    std::vector<json> out;
    for (const auto& c : slack_.calls("chat.postMessage")) {
      if (c.args.value("channel", "") == "D" + user) out.push_back(c.args);
    }
    return out;
  }
  static std::string SectionTexts(const json& args) {
    std::string out;
    for (const auto& b : args["blocks"]) {
      if (b["type"] == "section") out += b["text"]["text"].get<std::string>();
    }
    return out;
  }
  static size_t Occurrences(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
  // An outbox row of our own, for a message in `person`'s lane with `text_sql`
  // as its text; written while the bot is stopped. Returns the row's id.
  int64_t InjectPost(const std::string& person, const std::string& text_sql) {
    SQLite::Database db(bot_.db(), SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO messages(at, person_id, channel, direction, text, seq) VALUES "
        "('2026-01-05T09:00:00.000Z', '" +
        person + "', 'slack', 'out', " + text_sql + ", (SELECT MAX(seq) + 1 FROM messages))");
    int64_t message = db.getLastInsertRowid();
    db.exec(
        "INSERT INTO outbox(platform, kind, lane, person_id, message_id, next_at, created_at) "
        "VALUES ('slack', 'post', 'person:" +
        person + "', '" + person + "', " + std::to_string(message) +
        ", '2026-01-05T09:00:00.000Z', '2026-01-05T09:00:00.000Z')");
    return db.getLastInsertRowid();
  }
  std::pair<std::string, std::string> OutboxRow(int64_t id) {
    SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT status, last_error FROM outbox WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return {};
    return {q.getColumn(0).getString(), q.getColumn(1).getString()};
  }
  size_t Posts(const std::string& user) {
    size_t n = 0;
    for (const auto& c : slack_.calls("chat.postMessage"))
      n += c.args.value("channel", "") == "D" + user ? 1 : 0;
    return n;
  }
  int64_t Unsent() {
    SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT COUNT(*) FROM outbox WHERE status != 'sent'").getInt64();
  }
  // The ts Slack gave each of our messages to `person`, as recorded.
  std::vector<std::string> RecordedTs(const std::string& person) {
    SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
    SQLite::Statement q(
        db,
        "SELECT p.ref FROM platform_messages p JOIN messages m ON m.id = "
        "p.message_id WHERE m.person_id = ? AND p.platform = 'slack' AND m.direction = "
        "'out' ORDER BY m.id");
    q.bind(1, person);
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
  }
  int64_t OutMessages(const std::string& person) {
    SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db,
                        "SELECT COUNT(*) FROM messages WHERE person_id = ? AND direction = 'out' "
                        "AND channel = 'slack'");
    q.bind(1, person);
    q.executeStep();
    return q.getColumn(0).getInt64();
  }

  // Bug: the fake was declared after the bot, so it was destroyed first:
  // its listener closed while the bot still had calls in flight, and
  // cpprestsdk crashed the test process (SIGSEGV in its asio listener)
  // or left the next call hanging. The bot now goes first.
  FakeSlack slack_;
  Bot bot_;
  int event_ = 0;
};

TEST_F(SlackTest, AnswersUrlVerificationWithTheChallenge) {
  json body{{"token", "Jhj5dZrVaK7ZwHHjRyZWjbDl"},
            {"challenge", "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"},
            {"type", "url_verification"}};
  auto r = Signed("/slack/events", body.dump(), "application/json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["challenge"], body["challenge"]);
}

// app/thread_priority.h: when the cores are busy, acknowledging goes
// before processing (which would otherwise take a core from it and push
// acknowledgements towards Slack's 3 s), so the processing threads run ten
// nice steps below the others.
TEST_F(SlackTest, ProcessingThreadsRunBehindTheAcknowledgingOnes) {
  // Bug: read once, right after /healthz answered; a thread names itself
  // when it starts running, which under ASan came after that, and the test
  // failed in CI. Read until all four have their names.
  std::map<std::string, int> threads;
  for (int i = 0; i < 500; ++i) {
    threads = bot_.Threads();
    if (threads.count("kb-landing") + threads.count("kb-inbound") + threads.count("kb-outbox") +
            threads.count("kb-reminders") ==
        4)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(threads.count("kontobot"), 1U) << "the main thread and cpprestsdk's keep the name";
  int base = threads["kontobot"];
  ASSERT_EQ(threads.count("kb-landing"), 1U);
  EXPECT_EQ(threads["kb-landing"], base) << "stores events for the acknowledgement";
  for (const char* behind : {"kb-inbound", "kb-outbox", "kb-reminders"}) {
    ASSERT_EQ(threads.count(behind), 1U) << behind;
    EXPECT_EQ(threads[behind], std::min(base + 10, 19)) << behind;
  }
}

TEST_F(SlackTest, RefusesForgedStaleAndMalformedRequestsStoringNothing) {
  std::string body = Envelope("UGISANNA1", "ny", "EvForged").dump();
  EXPECT_EQ(Signed("/slack/events", body, "application/json", 0, "wrong-secret").status, 401);
  EXPECT_EQ(Signed("/slack/events", body, "application/json", Now() - 600).status, 401);
  EXPECT_EQ(Signed("/slack/events", body, "application/json", Now() + 600).status, 401);
  EXPECT_EQ(bot_.Request(methods::POST, "/slack/events", body).status, 401) << "unsigned";
  EXPECT_EQ(Signed("/slack/events", "{not json", "application/json").status, 400);
  EXPECT_EQ(Signed("/slack/events", R"({"type":"event_callback"})", "application/json").status,
            400);
  EXPECT_EQ(Signed("/slack/interactivity", "payload=%7Bbroken", "application/x-www-form-urlencoded")
                .status,
            400);
  EXPECT_EQ(
      Signed("/slack/interactivity", "nothing=here", "application/x-www-form-urlencoded").status,
      400);
  auto forged = bot_.Request(
      methods::POST, "/slack/interactivity", "payload=%7B%7D", "application/x-www-form-urlencoded",
      {{"X-Slack-Signature", "v0=00"}, {"X-Slack-Request-Timestamp", std::to_string(Now())}});
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(bot_.Count("messages"), 0);
  EXPECT_EQ(bot_.Count("inbound_events"), 0);
  EXPECT_EQ(bot_.Landed(true), 0) << "not even landed";
  EXPECT_TRUE(slack_.calls().empty());
}

TEST_F(SlackTest, RegistrationAndApprovalHappenInSlack) {
  // Answer every question in the DM, by the hint the bot stores with it.
  Register("UGISANNA1", "gis-anna");
  ASSERT_TRUE(Eventually([&] { return Posts("UGISANNA1") >= 1; }));
  auto open = slack_.calls("conversations.open");
  ASSERT_FALSE(open.empty());
  EXPECT_EQ(open[0].args["users"], "UGISANNA1");
  EXPECT_EQ(open[0].authorization, "Bearer " + kToken);
  ASSERT_TRUE(Eventually([&] { return FindButton("UGISPER01", "approve").has_value(); }))
      << "Per gets the approval request as a DM with buttons";
  auto [approve, where] = *FindButton("UGISPER01", "approve");
  EXPECT_EQ(approve["style"], "primary");
  ASSERT_EQ(Click("UGISPER01", approve, where).status, 200);
  // The request is updated in place: chat.update on its ts, no buttons left.
  ASSERT_TRUE(Eventually([&] {
    for (const auto& u : slack_.calls("chat.update")) {
      if (u.args["channel"] == "DUGISPER01" &&
          u.args["text"].get<std::string>().find("Godkänd av Per Ek") != std::string::npos) {
        return true;
      }
    }
    return false;
  }));
  for (const auto& u : slack_.calls("chat.update")) {
    for (const auto& b : u.args["blocks"])
      EXPECT_NE(b["type"], "actions") << "no live buttons after a decision";
    EXPECT_FALSE(u.args.value("ts", "").empty());
  }
  ASSERT_TRUE(Eventually([&] { return FindButton("UGISEVA01", "approve").has_value(); }));
  auto [eva_approve, eva_where] = *FindButton("UGISEVA01", "approve");
  ASSERT_EQ(Click("UGISEVA01", eva_approve, eva_where).status, 200);
  // Approved, not yet created: Gislaved's account is listed publicly once the
  // start-up step that creates the page is confirmed (creates_account).
  EXPECT_EQ(bot_.Get("/register.json").body["accounts"].size(), 0u);
  EXPECT_TRUE(Eventually([&] { return Posts("UGISINFO1") >= 1; }))
      << "the information function's copy";
}

TEST_F(SlackTest, APasswordInADmIsNeverWrittenToAnyFile) {
  // bot/answers.h: password-like input is never stored. For Slack that
  // includes the landing file and the queue, where events wait until they
  // are processed.
  Said("UGISANNA1", "lösenord: Hemligt2024!");
  ASSERT_TRUE(Eventually([&] {
    for (const auto& c : slack_.calls("chat.postMessage")) {
      if (c.args.value("channel", "") == "DUGISANNA1" &&
          c.args.value("text", "").find("ser ut som ett lösenord") != std::string::npos)
        return true;
    }
    return false;
  })) << "refused as in the web chat";
  auto holding = [&](const std::string& secret) {
    std::string found;
    for (const char* suffix : {"", "-wal", "-inbound", "-inbound-wal"}) {
      std::ifstream in(bot_.db() + suffix, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (bytes.find(secret) != std::string::npos) found += std::string(" db") + suffix;
    }
    return found;
  };
  EXPECT_EQ(holding("Hemligt2024"), "") << "while the bot runs";
  EXPECT_EQ(bot_.Kill(SIGTERM), 0);
  EXPECT_EQ(holding("Hemligt2024"), "") << "after it stopped";
}

TEST_F(SlackTest, RetriedAndRepeatedEventsAreProcessedOnce) {
  ASSERT_EQ(DmWithId("UGISANNA1", "ny", "Ev0001").status, 200);
  ASSERT_TRUE(Processed());
  int64_t after_first = bot_.Count("messages");
  EXPECT_GT(after_first, 0);
  EXPECT_EQ(DmWithId("UGISANNA1", "ny", "Ev0001",
                     {{"X-Slack-Retry-Num", "1"}, {"X-Slack-Retry-Reason", "http_timeout"}})
                .status,
            200);
  EXPECT_EQ(DmWithId("UGISANNA1", "ny", "Ev0001", {{"X-Slack-Retry-Num", "2"}}).status, 200);
  ASSERT_TRUE(Processed());
  EXPECT_EQ(bot_.Count("messages"), after_first);
  EXPECT_EQ(bot_.Count("inbound_queue"), 0) << "a retry is not queued again";
  SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM drafts").getInt(), 1);
}

TEST_F(SlackTest, IgnoresBotsOwnMessagesAndSubtypes) {
  json own = Envelope("UKONTOBOT", "Hej!", "EvOwn");
  json bot = Envelope("UGISANNA1", "hej", "EvBot");
  bot["event"]["bot_id"] = "B0OTHER";
  json edited = Envelope("UGISANNA1", "hej", "EvEdit");
  edited["event"]["subtype"] = "message_changed";
  for (const json& e : {own, bot, edited})
    EXPECT_EQ(Signed("/slack/events", e.dump(), "application/json").status, 200);
  ASSERT_TRUE(Processed());
  EXPECT_EQ(bot_.Count("messages"), 0);
  EXPECT_EQ(bot_.Count("inbound_events"), 0) << "not even queued";
  EXPECT_EQ(bot_.Landed(true), 0) << "not even landed";
}

TEST_F(SlackTest, UnknownSlackUserGetsAPoliteExplanation) {
  ASSERT_EQ(Dm("UNOBODY01", "hej").status, 200);
  ASSERT_TRUE(Eventually([&] { return Posts("UNOBODY01") == 1; }));
  EXPECT_NE(slack_.calls("chat.postMessage")[0].args["text"].get<std::string>().find(
                "känner inte igen dig"),
            std::string::npos);
  EXPECT_EQ(bot_.Count("messages"), 0);
  EXPECT_EQ(slack_.refused(), 1) << "users.info answered user_not_found";
}

TEST_F(SlackTest, PersonKnownOnlyByEmailIsFoundWithUsersInfo) {
  // Karin is in the directory with an e-mail address but no Slack account id.
  slack_.AddUser("UNEWKARIN", "Karin.Dahl@LTDalarna.se");
  Said("UNEWKARIN", "ny");
  ASSERT_TRUE(Eventually([&] { return Posts("UNEWKARIN") >= 1; }));
  auto lookups = slack_.calls("users.info");
  ASSERT_EQ(lookups.size(), 1u);
  EXPECT_EQ(lookups[0].args["user"], "UNEWKARIN");
  EXPECT_EQ(lookups[0].authorization, "Bearer " + kToken);
  auto posts = slack_.calls("chat.postMessage");
  EXPECT_NE(posts.back().args["text"].get<std::string>().find("Ny anmälan nr 1"), std::string::npos)
      << posts.back().args.dump();
  int64_t first_turn = OutMessages("dal-karin");
  EXPECT_GE(first_turn, 1);
  EXPECT_TRUE(Eventually([&] { return static_cast<int64_t>(Posts("UNEWKARIN")) == first_turn; }));
  // Remembered: the next turn needs no lookup, also after a restart.
  EXPECT_EQ(bot_.Kill(SIGKILL), -SIGKILL);
  StartBot();
  Said("UNEWKARIN", "status");
  ASSERT_TRUE(Eventually([&] { return Posts("UNEWKARIN") > static_cast<size_t>(first_turn); }));
  EXPECT_EQ(slack_.calls("users.info").size(), 1u);
  EXPECT_GT(OutMessages("dal-karin"), first_turn);
}

TEST_F(SlackTest, UserWhoseEmailIsNotInTheDirectoryGetsAPoliteExplanation) {
  slack_.AddUser("UOUTSIDE1", "someone@elsewhere.example");
  ASSERT_EQ(Dm("UOUTSIDE1", "hej").status, 200);
  ASSERT_TRUE(Eventually([&] { return Posts("UOUTSIDE1") == 1; }));
  EXPECT_NE(slack_.calls("chat.postMessage")[0].args["text"].get<std::string>().find(
                "känner inte igen dig"),
            std::string::npos);
  EXPECT_EQ(slack_.calls("users.info").size(), 1u);
  EXPECT_EQ(bot_.Count("messages"), 0);
}

TEST_F(SlackTest, UsersInfoRateLimitIsWaitedOutThenTheEventIsHandled) {
  slack_.AddUser("UNEWKARIN", "karin.dahl@ltdalarna.se");
  slack_.FailNext(1, 429, 1);
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(Dm("UNEWKARIN", "ny").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900))
      << "the lookup does not delay the acknowledgement";
  ASSERT_TRUE(Eventually([&] { return Posts("UNEWKARIN") >= 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900))
      << "waited for Retry-After";
  EXPECT_EQ(slack_.refused(), 1);
  EXPECT_EQ(slack_.calls("users.info").size(), 1u);
  EXPECT_GE(OutMessages("dal-karin"), 1);
}

TEST_F(SlackTest, AnEventAcknowledgedButNotYetProcessedIsProcessedAfterARestart) {
  // The state a kill -9 right after an acknowledgement leaves: the event is
  // in the landing file (store/landing.h), nothing else happened yet.
  EXPECT_EQ(bot_.Kill(SIGKILL), -SIGKILL);
  {
    SQLite::Database db(bot_.db() + "-inbound", SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO landed(platform, event_id, payload, received_at) VALUES ('slack', "
        "'EvQueued', '{\"kind\":\"message\",\"user\":\"UGISANNA1\",\"channel\":"
        "\"DUGISANNA1\",\"text\":\"ny\"}', '2026-11-23T15:00:00.000Z')");
  }
  ASSERT_EQ(bot_.Landed(), 1);
  StartBot();
  ASSERT_TRUE(Eventually([&] { return Posts("UGISANNA1") >= 1; }));
  EXPECT_EQ(bot_.Landed(), 0);
  EXPECT_EQ(bot_.Count("inbound_queue"), 0);
  int64_t answers = OutMessages("gis-anna");
  EXPECT_GE(answers, 1);
  // Slack retrying that event now changes nothing.
  ASSERT_EQ(DmWithId("UGISANNA1", "ny", "EvQueued", {{"X-Slack-Retry-Num", "1"}}).status, 200);
  ASSERT_TRUE(Processed());
  EXPECT_EQ(OutMessages("gis-anna"), answers);
}

TEST_F(SlackTest, NonApproversClickIsRefused) {
  Register("UGISANNA1", "gis-anna");
  ASSERT_TRUE(Eventually([&] { return FindButton("UGISPER01", "approve").has_value(); }));
  auto [approve, where] = *FindButton("UGISPER01", "approve");
  EXPECT_EQ(Click("UGISOMAR1", approve, where).status, 200);
  ASSERT_TRUE(Eventually([&] { return Posts("UGISOMAR1") >= 1; }));
  bool told = false;
  for (const auto& c : slack_.calls("chat.postMessage")) {
    told |= c.args["channel"] == "DUGISOMAR1" &&
            c.args["text"].get<std::string>().find("fattas av Per Ek") != std::string::npos;
  }
  EXPECT_TRUE(told);
  EXPECT_FALSE(FindButton("UGISEVA01", "approve").has_value());
}

TEST_F(SlackTest, HonoursRetryAfterAndRetriesServerErrors) {
  slack_.FailNext(1, 429, 1);
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(Dm("UGISANNA1", "hej").status, 200);
  ASSERT_TRUE(Eventually([&] { return Posts("UGISANNA1") >= 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900))
      << "waited for Retry-After";
  slack_.FailNext(2, 500);
  ASSERT_EQ(Dm("UGISANNA1", "hjälp").status, 200);
  EXPECT_TRUE(
      Eventually([&] { return Posts("UGISANNA1") >= 2; }, std::chrono::milliseconds(10000)));
}

// Bug: Slack texts were cut at byte limits (2,900 bytes a line), and a cut
// inside "å" left text that is not UTF-8: serialising the call threw, the
// call was classed as a transport error and retried for ever, and every
// message behind it in the person's lane waited.
TEST_F(SlackTest, ALongAnswerInSwedishReachesTheApproverWholeAndTheLaneGoesOn) {
  std::string medium;
  for (int i = 0; i < 1700; ++i) medium += "\xC3\xA5";  // å: 3,400 bytes, no space
  Register("UGISANNA1", "gis-anna", {{"medium", medium}});
  ASSERT_TRUE(Eventually([&] { return FindButton("UGISPER01", "approve").has_value(); }))
      << "Per gets the approval request";
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; })) << "nothing is held up in any lane";
  std::vector<json> to_per = PostsTo("UGISPER01");
  ASSERT_EQ(to_per.size(), 1u);
  EXPECT_EQ(Occurrences(SectionTexts(to_per[0]), medium), 1u) << "the whole answer";
  EXPECT_EQ(slack_.refused(), 0) << "every call within Block Kit's limits";
}

// A message an approver decides on must be complete: one longer than a
// Slack message holds (50 blocks of 3,000 characters) goes out as several.
TEST_F(SlackTest, ARequestLongerThanOneSlackMessageArrivesWholeInSeveral) {
  const std::string medium(35000, '&');  // 175,000 bytes as mrkdwn ("&amp;")
  Register("UGISANNA1", "gis-anna", {{"medium", medium}});
  ASSERT_TRUE(Eventually([&] { return FindButton("UGISPER01", "approve").has_value(); },
                         std::chrono::milliseconds(15000)));
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; }));
  EXPECT_EQ(slack_.refused(), 0) << "every call within Block Kit's limits";
  std::vector<json> to_per = PostsTo("UGISPER01");
  ASSERT_EQ(to_per.size(), 2u) << "the request in two messages";
  for (const auto& b : to_per[0]["blocks"]) EXPECT_EQ(b["type"], "section");
  EXPECT_EQ(to_per[1]["blocks"].back()["type"], "actions") << "the buttons under all of it";
  std::string all = SectionTexts(to_per[0]) + SectionTexts(to_per[1]);
  EXPECT_EQ(Occurrences(all, "&amp;"), 35000u) << "nothing is cut";
  EXPECT_NE(all.find("Godk\xC3\xA4nnande beg\xC3\xA4rs"), std::string::npos);

  auto [approve, where] = *FindButton("UGISPER01", "approve");
  ASSERT_EQ(Click("UGISPER01", approve, where).status, 200);
  ASSERT_TRUE(Eventually([&] {
    for (const auto& u : slack_.calls("chat.update")) {
      if (u.args["channel"] == "DUGISPER01" &&
          SectionTexts(u.args).find("Godk\xC3\xA4nd av Per Ek") != std::string::npos)
        return true;
    }
    return false;
  })) << "the decision edits the last of them";
  EXPECT_EQ(slack_.refused(), 0);
}

// A kill -9 between the messages of a long one: after the restart the
// part already in the DM is found there and not posted again.
TEST_F(SlackTest, AKill9BetweenThePartsOfALongMessagePostsEachPartOnce) {
  Said("UGISANNA1", "ny");
  for (int i = 0; i < 60; ++i) {
    json last = bot_.Get("/api/messages?person=gis-anna&after=0").body["messages"].back();
    ASSERT_FALSE(last["input"].empty()) << "the medium question was not asked";
    if (last["input"].value("step", "") == "medium") break;
    Said("UGISANNA1", AnswerTo(last));
  }
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; }));
  const size_t before = slack_.history("DUGISANNA1").size();
  slack_.HoldAnswers(3000);  // Slack posts at once; its answer is still on the way
  Said("UGISANNA1", std::string(35000, '&'));  // "Uppfattat: &&&…": two Slack messages
  ASSERT_TRUE(Eventually([&] { return slack_.history("DUGISANNA1").size() > before; }));
  EXPECT_EQ(bot_.Kill(SIGKILL), -SIGKILL);
  slack_.HoldAnswers(0);
  StartBot();
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; }, std::chrono::milliseconds(10000)));
  std::vector<json> history = slack_.history("DUGISANNA1");
  ASSERT_EQ(history.size(), before + 2) << "the first part once, then the last";
  std::set<std::string> markers;
  for (const json& m : history) {
    std::string id = m["blocks"][0]["block_id"];
    EXPECT_TRUE(markers.insert(id.substr(0, id.find(':', 3))).second) << "posted twice: " << id;
  }
  std::string all = SectionTexts(history[1]) + SectionTexts(history[0]);  // newest first
  EXPECT_EQ(Occurrences(all, "&amp;"), 35000u);
  EXPECT_EQ(slack_.refused(), 0);
}

// A call that cannot be serialised (text that is not UTF-8, here put in the
// database behind the bot's back) is failed for good and recorded; the
// messages behind it in the lane go out.
TEST_F(SlackTest, AMessageThatCannotBeSerialisedFailsForGoodAndTheLaneGoesOn) {
  Said("UGISANNA1", "hej");
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0 && Posts("UGISANNA1") >= 1; }));
  const size_t before = Posts("UGISANNA1");
  ASSERT_EQ(bot_.Kill(SIGTERM), 0);
  int64_t broken = InjectPost("gis-anna", "CAST(X'48656A20C3' AS TEXT)");  // "Hej " + half an å
  int64_t after = InjectPost("gis-anna", "'Efter\xC3\xA5t'");
  StartBot();
  ASSERT_TRUE(Eventually([&] { return OutboxRow(after).first == "sent"; }))
      << "the lane is not held up";
  auto [status, error] = OutboxRow(broken);
  EXPECT_EQ(status, "failed");
  EXPECT_NE(error.find("serialised"), std::string::npos) << error;
  ASSERT_EQ(Posts("UGISANNA1"), before + 1);
  EXPECT_EQ(SectionTexts(PostsTo("UGISANNA1").back()), "Efter\xC3\xA5t");
}

TEST_F(SlackTest, PermanentErrorIsRecordedAndNotRetried) {
  slack_.ErrorNext(1, "channel_not_found");
  ASSERT_EQ(Dm("UGISANNA1", "hej").status, 200);
  ASSERT_TRUE(Eventually([&] { return bot_.Count("outbox") > 0 && slack_.refused() >= 1; }));
  ASSERT_TRUE(Eventually([&] {
    SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT COUNT(*) FROM outbox WHERE status = 'failed'").getInt() == 1;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(slack_.refused(), 1) << "not tried again";
}

TEST_F(SlackTest, APostWhoseAnswerWasLostIsFoundInTheHistoryAndNotPostedAgain) {
  Said("UGISANNA1", "hej");
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0 && Posts("UGISANNA1") >= 1; }));
  slack_.LoseNextAnswers(1);  // Slack posts the next message, but answers 500
  Said("UGISANNA1", "status");
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; }, std::chrono::milliseconds(10000)));
  const auto expected = static_cast<size_t>(OutMessages("gis-anna"));
  EXPECT_EQ(Posts("UGISANNA1"), expected) << "the post whose answer was lost is not repeated";
  EXPECT_EQ(slack_.history("DUGISANNA1").size(), expected);
  EXPECT_EQ(slack_.calls("conversations.history").size(), 1u) << "looked for once, after the 500";
  std::vector<std::string> ts = RecordedTs("gis-anna");
  ASSERT_EQ(ts.size(), expected) << "its ts was taken from the history";
  EXPECT_EQ(ts.back(), slack_.history("DUGISANNA1").front()["ts"]);
}

TEST_F(SlackTest, AKill9BetweenSlacksPostAndItsAnswerDoesNotPostTwice) {
  Said("UGISANNA1", "hej");
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0 && Posts("UGISANNA1") >= 1; }));
  const size_t before = Posts("UGISANNA1");
  slack_.HoldAnswers(3000);  // Slack posts at once; its answer is still on the way
  Said("UGISANNA1", "status");
  ASSERT_TRUE(Eventually([&] { return slack_.history("DUGISANNA1").size() > before; }));
  EXPECT_EQ(bot_.Kill(SIGKILL), -SIGKILL);
  slack_.HoldAnswers(0);
  StartBot();
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; }, std::chrono::milliseconds(10000)));
  const auto expected = static_cast<size_t>(OutMessages("gis-anna"));
  EXPECT_EQ(Posts("UGISANNA1"), expected) << "none posted again after the restart";
  EXPECT_EQ(slack_.history("DUGISANNA1").size(), expected);
  EXPECT_EQ(RecordedTs("gis-anna").size(), expected);
  EXPECT_GE(slack_.calls("conversations.history").size(), 1u);
  // Messages queued after the restart are posted without a look first.
  size_t looks = slack_.calls("conversations.history").size();
  Said("UGISANNA1", "hjälp");
  ASSERT_TRUE(Eventually([&] {
    return Unsent() == 0 && Posts("UGISANNA1") == static_cast<size_t>(OutMessages("gis-anna"));
  }));
  EXPECT_EQ(slack_.calls("conversations.history").size(), looks);
}

// Bug: the outbox made one call at a time, so one slow answer from Slack
// held up every other person's messages (110 messages/s at most under
// load, one round trip each).
TEST_F(SlackTest, DifferentPeoplesMessagesGoOutSideBySideEachInItsOwnOrder) {
  slack_.HoldAnswers(1000);
  for (const char* user : {"UGISANNA1", "UGISPER01", "UGISEVA01"}) Said(user, "hjälp");
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; }, std::chrono::milliseconds(20000)));
  EXPECT_GE(slack_.max_held(), 2) << "calls for different DMs were in flight together";
  for (const char* user : {"UGISANNA1", "UGISPER01", "UGISEVA01"}) EXPECT_GE(Posts(user), 1u);
}

TEST_F(SlackTest, NothingAcknowledgedIsLostOrSentTwiceAcrossKill9WhileSlackIsDown) {
  slack_.Stop();  // the Web API is unreachable
  ASSERT_EQ(Dm("UGISANNA1", "ny").status, 200);
  ASSERT_EQ(Dm("UGISANNA1", "ok").status, 200);
  ASSERT_EQ(Dm("UGISANNA1", "status").status, 200);
  ASSERT_TRUE(Processed());
  int64_t expected = OutMessages("gis-anna");
  EXPECT_GE(expected, 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a few failed attempts
  EXPECT_EQ(bot_.Kill(SIGKILL), -SIGKILL);
  slack_.Start();
  StartBot();
  ASSERT_TRUE(Eventually([&] { return static_cast<int64_t>(Posts("UGISANNA1")) >= expected; },
                         std::chrono::milliseconds(15000)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(static_cast<int64_t>(Posts("UGISANNA1")), expected) << "each message exactly once";
  // In order: the posts come in the order the messages were written.
  std::vector<std::string> texts;
  for (const auto& c : slack_.calls("chat.postMessage")) texts.push_back(c.args["text"]);
  EXPECT_NE(texts.front().find("Ny anmälan nr 1"), std::string::npos) << texts.front();
  // Bug: every post queued before the restart was looked for in the DM's
  // history first (one conversations.history call each); only the first in
  // line can have been in flight.
  EXPECT_EQ(slack_.calls("conversations.history").size(), 1u);
}

// Bug (issue 14): ThreadSanitizer caught a data race in CI between
// slack::Client::Get (the look for an uncertain post) and a cpprestsdk
// thread: the library's redirect follower, built on the calling thread
// after the request was handed to its I/O thread, copied the request's
// headers while that thread added a Content-Type to them. The client
// follows no redirect now, so no follower is built (and the bot token is
// never carried to wherever a Location points).
TEST_F(SlackTest, TheWebApiClientFollowsNoRedirect) {
  slack_.AddUser("UNEWKARIN", "karin.dahl@ltdalarna.se");
  slack_.RedirectNext(1, "elsewhere");  // users.info answers 302
  ASSERT_EQ(Dm("UNEWKARIN", "ny").status, 200);
  ASSERT_TRUE(Eventually([&] { return Posts("UNEWKARIN") >= 1; }));
  EXPECT_EQ(slack_.calls("users.info").size(), 1u);
  EXPECT_EQ(slack_.refused(), 0) << "no call went to the Location";
}

// Bug (issue 14): Slack block_ids named a message by its id alone ("kb:43").
// A database restored from a backup numbers its new messages again from
// where the backup ended, so its next post found the other run's "kb:43"
// in the same DM, took that post for its own and never posted; a later
// chat.update would have edited the other message. A message's tag now
// carries a random marker, unique to it (store/migrations/0010).
TEST_F(SlackTest, ARestoredDatabaseDoesNotTakeTheOriginalsPostsForItsOwn) {
  Said("UGISANNA1", "hej");
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0 && Posts("UGISANNA1") >= 1; }));
  // The backup: the database and the landing file, taken while the bot is
  // stopped.
  const std::vector<std::string> suffixes{"",         "-wal",         "-shm",
                                          "-inbound", "-inbound-wal", "-inbound-shm"};
  auto copy_files = [&](const std::string& from, const std::string& to) {
    for (const std::string& suffix : suffixes) {
      std::filesystem::remove(to + suffix);
      if (std::filesystem::exists(from + suffix))
        std::filesystem::copy_file(from + suffix, to + suffix);
    }
  };
  const std::string backup = bot_.db() + ".backup";
  ASSERT_EQ(bot_.Kill(SIGTERM), 0);
  copy_files(bot_.db(), backup);
  StartBot();
  // The original goes on and posts messages the restored copy will number
  // the same.
  Said("UGISANNA1", "status");
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; }));
  const std::vector<std::string> original_ts = RecordedTs("gis-anna");
  ASSERT_EQ(bot_.Kill(SIGTERM), 0);
  copy_files(backup, bot_.db());
  const auto restored = static_cast<size_t>(OutMessages("gis-anna"));
  ASSERT_LT(restored, original_ts.size());
  // The restored bot's next post gets no answer (a 500), so it is looked
  // for in the DM before it is posted again.
  slack_.FailNext(1, 500);
  StartBot();
  Said("UGISANNA1", "hjälp");
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; }, std::chrono::milliseconds(15000)));
  EXPECT_GE(slack_.calls("conversations.history").size(), 1u) << "looked for first";
  std::vector<std::string> ts = RecordedTs("gis-anna");
  ASSERT_EQ(ts.size(), static_cast<size_t>(OutMessages("gis-anna")));
  for (size_t i = restored; i < ts.size(); ++i) {
    EXPECT_EQ(std::count(original_ts.begin(), original_ts.end(), ts[i]), 0)
        << "message " << i << " took the original's post " << ts[i] << " for its own";
  }
  EXPECT_EQ(Posts("UGISANNA1"), original_ts.size() + ts.size() - restored)
      << "each of the restored bot's messages was posted";
}

// Failures below HTTP: the bot talks to the fake through a TCP front that
// can drop a connection after the fake did the work, hold an answer back,
// or trickle it for ever (tests/fakes/faulty_front.h).
class SlackFaultTest : public SlackTest {
 protected:
  SlackFaultTest() : front_(FreePort(), slack_.port()) {}
  void SetUp() override {
    slack_.Start();
    front_.Start();
    api_base_ = front_.base();
    StartBot();
  }
  void TearDown() override {
    bot_.Kill(SIGKILL);
    front_.Stop();
  }
  // The bot may write files up to `bytes` long (RLIM_INFINITY: no limit).
  // SQLite's writes past the limit fail as on a full disk.
  void LimitFileSize(rlim_t bytes) {
    rlimit limit{};
    ASSERT_EQ(prlimit(bot_.pid(), RLIMIT_FSIZE, nullptr, &limit), 0);
    limit.rlim_cur = bytes;  // the hard limit stays, so the soft one can go back up
    ASSERT_EQ(prlimit(bot_.pid(), RLIMIT_FSIZE, &limit, nullptr), 0);
  }
  size_t Looks() { return slack_.calls("conversations.history").size(); }

  FaultyFront front_;
};

// Bug (issue 14): on a kept-alive connection that broke after Slack stored
// a post, cpprestsdk sent the POST again by itself on another connection,
// below kontobot's own check (one message reached Slack five times in
// 8 ms). The library must not resend a post; kontobot looks first.
TEST_F(SlackFaultTest, AConnectionThatDropsAfterSlackStoredAPostDoesNotPostItTwice) {
  Said("UGISANNA1", "hej");  // the connections are open and kept alive now
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0 && Posts("UGISANNA1") >= 1; }));
  front_.FailNext(1, "chat.postMessage", FaultyFront::Fault::kDrop);
  Said("UGISANNA1", "status");
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; }, std::chrono::milliseconds(15000)));
  EXPECT_EQ(front_.faulted(), 1);
  const auto expected = static_cast<size_t>(OutMessages("gis-anna"));
  EXPECT_EQ(Posts("UGISANNA1"), expected) << "the post whose connection dropped went out once";
  EXPECT_EQ(slack_.history("DUGISANNA1").size(), expected);
  EXPECT_EQ(RecordedTs("gis-anna").size(), expected);
  EXPECT_EQ(Looks(), 1u) << "looked for once, after the drop";
}

// Bug (issue 14): when the outcome of a delivered post could not be written
// (the disk was full), the post was sent again on every pass (125 times).
// An outcome not recorded is as uncertain as an answer lost: look first.
TEST_F(SlackFaultTest, APostWhoseOutcomeCannotBeWrittenIsLookedForNotPostedAgain) {
  Said("UGISANNA1", "hej");
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0 && Posts("UGISANNA1") >= 1; }));
  front_.FailNext(1, "chat.postMessage", FaultyFront::Fault::kHold);
  Said("UGISANNA1", "status");
  ASSERT_TRUE(Eventually([&] { return front_.holding() == 1; }));  // Slack stored it
  const size_t posted = Posts("UGISANNA1");
  LimitFileSize(1);  // the disk is full from now on
  front_.Release();  // the answer arrives; recording it fails
  // Every pass looks again (and cannot record what it finds).
  ASSERT_TRUE(Eventually([&] { return Looks() >= 2 || Posts("UGISANNA1") > posted; },
                         std::chrono::milliseconds(15000)));
  EXPECT_EQ(Posts("UGISANNA1"), posted) << "not posted again while the disk is full";
  LimitFileSize(RLIM_INFINITY);
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; }, std::chrono::milliseconds(15000)));
  const auto expected = static_cast<size_t>(OutMessages("gis-anna"));
  EXPECT_EQ(Posts("UGISANNA1"), expected) << "each message once";
  std::vector<std::string> ts = RecordedTs("gis-anna");
  ASSERT_EQ(ts.size(), expected);
  std::set<std::string> distinct(ts.begin(), ts.end());
  EXPECT_EQ(distinct.size(), expected) << "each message has its own post";
}

// Bug (issue 14): one call that never ended stopped every lane (the
// sender's batch waited for its slowest call), and /healthz still said 200.
// Now a stuck call holds up its own person only, and shows as a stall.
TEST_F(SlackFaultTest, AStuckCallHoldsUpOnlyItsOwnLaneAndShowsAsAStall) {
  bot_.Kill(SIGKILL);
  const std::string log = bot_.db() + ".log";
  std::filesystem::remove(log);
  bot_.LogTo(log);
  extra_ = {"--api-timeout", "600", "--outbox-stall-after", "1"};
  StartBot();
  front_.FailNext(1, "chat.postMessage", FaultyFront::Fault::kTrickle);
  ASSERT_EQ(Dm("UGISANNA1", "hej").status, 200);
  ASSERT_TRUE(Eventually([&] { return front_.holding() == 1; }));  // Anna's answer never ends
  Said("UGISPER01", "hej");
  ASSERT_TRUE(Eventually([&] {
    return Posts("UGISPER01") >= 1 &&
           Posts("UGISPER01") == static_cast<size_t>(OutMessages("gis-per"));
  })) << "Per's answers go out while Anna's post is stuck";
  EXPECT_EQ(front_.holding(), 1);
  ASSERT_TRUE(Eventually([&] { return bot_.Get("/healthz").status == 503; }))
      << "a delivery running longer than --outbox-stall-after is a stall";
  HttpResult health = bot_.Get("/healthz");
  EXPECT_EQ(health.body["status"], "stalled") << health.raw;
  EXPECT_EQ(health.body["outbox"]["in_flight"], 1) << health.raw;
  EXPECT_TRUE(Eventually([&] { return bot_.Log().find("stalled") != std::string::npos; }))
      << bot_.Log();
  front_.Release();  // the answer ends after all
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0 && bot_.Get("/healthz").status == 200; }));
  EXPECT_EQ(Posts("UGISANNA1"), static_cast<size_t>(OutMessages("gis-anna")));
}

// Bug (issue 14): cpprestsdk's own timeout restarts with every byte
// received, so an answer that never ends held its call (and the outbox)
// for ever. kontobot's deadline covers the whole answer.
TEST_F(SlackFaultTest, ACallWhoseAnswerNeverEndsIsGivenUpAtItsDeadline) {
  bot_.Kill(SIGKILL);
  extra_ = {"--api-timeout", "2"};
  StartBot();
  front_.FailNext(1, "chat.postMessage", FaultyFront::Fault::kTrickle);
  Said("UGISANNA1", "hej");
  ASSERT_TRUE(Eventually([&] { return front_.holding() == 1; }));
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; }, std::chrono::milliseconds(20000)));
  const auto expected = static_cast<size_t>(OutMessages("gis-anna"));
  EXPECT_EQ(Posts("UGISANNA1"), expected) << "Slack had stored it: found, not posted again";
  EXPECT_EQ(RecordedTs("gis-anna").size(), expected);
  EXPECT_EQ(Looks(), 1u);
}

// Bug (issue 14): after kill -9 restarts the outbox's threads hung in
// cpprestsdk for good, every reply pending with attempts=0. Here the bot
// dies with a post's answer on the way, and after the restart the look for
// that post gets an answer that never ends: the deadline gives it up, the
// look is made again, and every message is posted exactly once.
TEST_F(SlackFaultTest, AfterAKill9AStuckLookIsGivenUpAndEachMessageIsPostedOnce) {
  bot_.Kill(SIGKILL);
  extra_ = {"--api-timeout", "2"};
  StartBot();
  Said("UGISANNA1", "hej");
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0 && Posts("UGISANNA1") >= 1; }));
  front_.FailNext(1, "chat.postMessage", FaultyFront::Fault::kHold);
  Said("UGISANNA1", "status");
  ASSERT_TRUE(Eventually([&] { return front_.holding() == 1; }));  // stored; answer on the way
  EXPECT_EQ(bot_.Kill(SIGKILL), -SIGKILL);
  front_.Release();
  ASSERT_TRUE(Eventually([&] { return front_.holding() == 0; }));
  front_.FailNext(1, "conversations.history", FaultyFront::Fault::kTrickle);
  StartBot();
  ASSERT_TRUE(Eventually([&] { return front_.holding() == 1; })) << "the look is stuck";
  ASSERT_TRUE(Eventually([&] { return Unsent() == 0; }, std::chrono::milliseconds(20000)));
  const auto expected = static_cast<size_t>(OutMessages("gis-anna"));
  EXPECT_EQ(Posts("UGISANNA1"), expected) << "none posted twice";
  EXPECT_EQ(slack_.history("DUGISANNA1").size(), expected);
  EXPECT_EQ(RecordedTs("gis-anna").size(), expected);
  EXPECT_EQ(Looks(), 2u) << "the stuck look, then one that answered";
}

// Reminders reach Slack users in their DM, and their buttons come back
// through block_actions like any other.
class SlackReminderTest : public SlackTest {
 protected:
  SlackReminderTest() {
    extra_ = {"--test-clock", "--test-clock-now", "2026-11-23T09:00:00+01:00"};
  }
};

TEST_F(SlackReminderTest, TheApproverIsNudgedInSlackAndSnoozesWithAButton) {
  Register("UGISANNA1", "gis-anna");
  ASSERT_TRUE(Eventually([&] { return FindButton("UGISPER01", "approve").has_value(); }));
  ASSERT_EQ(bot_.Post("/test/clock", {{"now", "2026-11-24T09:00:30+01:00"}}).status, 200);
  ASSERT_TRUE(Eventually([&] { return FindButton("UGISPER01", "remind_snooze").has_value(); }))
      << "the nudge is posted to Per's DM with its buttons";
  bool says_since = false;
  for (const auto& c : slack_.calls("chat.postMessage"))
    says_since |= c.args.value("text", "").find("sedan måndag 23 november 2026 kl. 09.00") !=
                  std::string::npos;
  EXPECT_TRUE(says_since);
  auto [snooze, where] = *FindButton("UGISPER01", "remind_snooze");
  ASSERT_EQ(Click("UGISPER01", snooze, where).status, 200);
  EXPECT_TRUE(Eventually([&] {
    for (const auto& c : slack_.calls("chat.postMessage"))
      if (c.args.value("text", "").find("påminner dig igen onsdag 25 november") !=
          std::string::npos)
        return true;
    return false;
  })) << "snoozed to the next working day";
}

// --- issue 19: the originals. Every DM and press is kept as Slack sent it,
// byte for byte with the headers that sign it, goes into the archive
// package as a file of its own, and is disposed of only on a recorded
// decision.

TEST_F(SlackReminderTest, TheEventsAreKeptAsTheyArrivedAndGoIntoTheArchive) {
  Register("UGISANNA1", "gis-anna");
  ASSERT_TRUE(Eventually([&] { return FindButton("UGISPER01", "approve").has_value(); }));
  auto [approve, where] = *FindButton("UGISPER01", "approve");
  ASSERT_EQ(Click("UGISPER01", approve, where).status, 200);

  struct Kept {
    int64_t message, draft;
    std::string text, content_type, body, received_at;
    json headers;
  };
  std::vector<Kept> kept;
  {
    SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db,
                        "SELECT m.id, m.text, o.content_type, o.body, o.headers, o.received_at, "
                        "IFNULL(m.draft_id, 0) FROM message_originals o "
                        "JOIN messages m ON m.id = o.message_id ORDER BY m.id");
    while (q.executeStep()) {
      kept.push_back({q.getColumn(0).getInt64(), q.getColumn(6).getInt64(),
                      q.getColumn(1).getString(), q.getColumn(2).getString(),
                      q.getColumn(3).getString(), q.getColumn(5).getString(),
                      json::parse(q.getColumn(4).getString())});
    }
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM messages m LEFT JOIN message_originals o "
                            "ON o.message_id = m.id WHERE m.direction = 'in' AND m.draft_id = 1 "
                            "AND m.channel = 'slack' AND o.message_id IS NULL")
                  .getInt(),
              0)
        << "every message of the case that came from Slack has its original";
  }
  ASSERT_GE(kept.size(), 5u);
  size_t events = 0, presses = 0;
  for (const Kept& k : kept) {
    // The signature still verifies: not one byte differs from what came.
    const std::string ts = k.headers.value("x-slack-request-timestamp", "");
    EXPECT_EQ(k.headers.value("x-slack-signature", ""),
              "v0=" + HmacHex(kSecret, "v0:" + ts + ":" + k.body))
        << k.body;
    EXPECT_EQ(k.received_at.substr(0, 10), "2026-11-23") << "the bot's clock, in UTC";
    if (k.content_type == "application/json") {
      ++events;
      EXPECT_EQ(json::parse(k.body)["event"]["user"], "UGISANNA1");
    } else {
      ++presses;
      EXPECT_EQ(k.content_type, "application/x-www-form-urlencoded");
      EXPECT_EQ(k.body.rfind("payload=", 0), 0u);
    }
  }
  EXPECT_GE(events, 4u);
  EXPECT_EQ(presses, 1u) << "Per's Godkänn";

  // The archive package: each original a file of its own, as it came.
  const std::string out = ::testing::TempDir() + "/slack-originals-archive";
  std::filesystem::remove_all(out);
  std::string log;
  ASSERT_EQ(
      KontobotCommand(
          "export archive 1 --by gis-info --pdf=false --out " + out + " --db " + bot_.db(), &log),
      0)
      << log;
  const std::string base = out + "/representations/rep1/data/registration-1/";
  const std::string mets = Slurp(out + "/METS.xml");
  json record = json::parse(Slurp(base + "record.json"));
  for (const Kept& k : kept) {
    if (k.draft != 1) continue;  // not the case's (Per's press is his own)
    const std::string name = "originals/message-" + std::to_string(k.message) +
                             (k.content_type == "application/json" ? ".json" : ".form");
    EXPECT_EQ(Slurp(base + name), k.body) << name;
    EXPECT_NE(mets.find("registration-1/" + name + "\""), std::string::npos) << name;
    bool named = false;
    for (const auto& m : record["conversation"]) {
      if (m["id"] == k.message) {
        named = m["original"].value("file", "") == name && m["original"]["headers"] == k.headers &&
                !m["original"].contains("body");
      }
    }
    EXPECT_TRUE(named) << "record.json names " << name;
  }
  const std::string erms = Slurp(out + "/metadata/descriptive/erms.xml");
  EXPECT_NE(erms.find("recordType=\"original\""), std::string::npos);
  EXPECT_NE(erms.find("<title>Meddelande från Slack som det kom in 2026-11-23 09:0"),
            std::string::npos)
      << "titled in words, in local time";
  EXPECT_EQ(erms.find("<title>record.json"), std::string::npos);

  // Disposal: refused without a decision or by someone who is no
  // information function; then recorded before the originals go.
  EXPECT_EQ(KontobotCommand("dispose originals --before 2026-11-24 --by gis-info --db " + bot_.db(),
                            &log),
            1);
  EXPECT_NE(log.find("--decision is required"), std::string::npos) << log;
  EXPECT_EQ(KontobotCommand("dispose originals --before 2026-11-24 --decision 'KS 2026/14' --by "
                            "gis-anna --db " +
                                bot_.db(),
                            &log),
            1);
  EXPECT_NE(log.find("not an information function"), std::string::npos) << log;
  ASSERT_EQ(KontobotCommand("dispose originals --before 2026-11-23 --decision 'KS 2026/14 § 3' "
                            "--by gis-info --db " +
                                bot_.db(),
                            &log),
            0)
      << log;
  EXPECT_NE(log.find("disposed of 0 originals"), std::string::npos) << "nothing came before";
  ASSERT_EQ(KontobotCommand("dispose originals --before 2026-11-24 --decision 'KS 2026/14 § 3' "
                            "--by gis-info --db " +
                                bot_.db(),
                            &log),
            0)
      << log;
  SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM message_originals").getInt(), 0);
  const int64_t gone =
      db.execAndGet("SELECT count FROM disposals ORDER BY id DESC LIMIT 1").getInt64();
  EXPECT_GE(gone, static_cast<int64_t>(kept.size()));
  EXPECT_NE(log.find("disposed of " + std::to_string(gone) + " originals"), std::string::npos);
  EXPECT_EQ(db.execAndGet("SELECT decision || '|' || by || '|' || before FROM disposals ORDER BY "
                          "id DESC LIMIT 1")
                .getString(),
            "KS 2026/14 § 3|gis-info|2026-11-24");
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM audit WHERE action = 'records.disposed'").getInt(),
            2);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM messages WHERE draft_id = 1").getInt(),
            static_cast<int>(record["conversation"].size()))
      << "the conversation itself stays";
  // The disposal log is a record the registrar can hand out, in words.
  const std::string reg = ::testing::TempDir() + "/slack-originals-register";
  std::filesystem::remove_all(reg);
  ASSERT_EQ(KontobotCommand("export register --out " + reg + " --db " + bot_.db(), &log), 0) << log;
  const std::string csv = Slurp(reg + "/disposals.csv");
  EXPECT_NE(csv.find("Gallringsbeslut"), std::string::npos) << csv;
  EXPECT_NE(csv.find("Chattmeddelanden i den form plattformen levererade dem"), std::string::npos);
  EXPECT_NE(csv.find("2026-11-24,KS 2026/14 § 3," + std::to_string(gone)), std::string::npos)
      << csv;
  EXPECT_EQ(csv.find("gis-info"), std::string::npos) << "a name, not a person id";
}

// --- issue 15: people named the Slack way, edits, channel mentions. The
// events are recorded payloads (tests/fixtures/slack/), as Slack sends them.

json Fixture(const std::string& name) {
  std::ifstream in(std::string(KONTOBOT_SOURCE_DIR) + "/tests/fixtures/slack/" + name);
  return json::parse(in);
}

class SlackSpeechTest : public SlackTest {
 protected:
  // `fixture` with its text, ts and event id replaced, sent signed.
  HttpResult SendFixture(json e, const std::string& text, const std::string& ts) {
    e["event_id"] = "EvF" + std::to_string(++event_);
    e["event"]["text"] = text;
    e["event"]["ts"] = ts;
    e["event"]["event_ts"] = ts;
    return Signed("/slack/events", e.dump(), "application/json");
  }
  // A DM whose effects are stored when this returns, also when it waited
  // for users.info (a parked event counts as processed for Processed()).
  void SaidAt(const std::string& text, const std::string& ts) {
    ASSERT_EQ(SendFixture(Fixture("message_im_mentions.json"), text, ts).status, 200);
    ASSERT_TRUE(Processed());
    ASSERT_TRUE(Eventually([&] {
      SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
      return db.execAndGet("SELECT COUNT(*) FROM inbound_queue").getInt() == 0;
    }));
  }
  json Messages() { return bot_.Get("/api/messages?person=gis-anna&after=0").body["messages"]; }
  std::string LastText() { return Messages().back()["text"]; }
  // Anna answers (each in a DM of its own ts) until `step` is asked.
  void AnswerUntilStep(const std::string& step) {
    SaidAt("ny", NextTs());
    for (int i = 0; i < 60; ++i) {
      json last = Messages().back();
      if (last["input"].empty() || last["input"].value("step", "") == step) return;
      SaidAt(AnswerTo(last), NextTs());
    }
  }
  std::string NextTs() { return "1795428000." + std::to_string(200000 + ++ts_); }
  int ts_ = 0;
};

TEST_F(SlackSpeechTest, AdministratorsNamedWithSlackMentionsAreThePeopleInTheDirectory) {
  // Omar by his Slack account in the directory; Lisa has none there, so
  // users.info gives her address, which is hers in the directory.
  slack_.AddUser("UNEWLISA1", "Lisa.Aberg@gislaved.se");
  AnswerUntilStep("administratorer");
  ASSERT_EQ(Messages().back()["input"].value("step", ""), "administratorer");
  json e = Fixture("message_im_mentions.json");
  e["event"]["ts"] = NextTs();
  ASSERT_EQ(Signed("/slack/events", e.dump(), "application/json").status, 200);
  ASSERT_TRUE(Eventually(
      [&] { return Messages().back()["input"].value("step", "") != "administratorer"; }));
  json m = Messages();
  std::string reply = m[m.size() - 1]["text"];
  EXPECT_NE(reply.find("Omar Haddad"), std::string::npos) << reply;
  EXPECT_NE(reply.find("omar.haddad@gislaved.se"), std::string::npos) << reply;
  EXPECT_NE(reply.find("Lisa Åberg"), std::string::npos) << reply;
  EXPECT_NE(reply.find("lisa.aberg@gislaved.se"), std::string::npos) << reply;
  EXPECT_EQ(m[m.size() - 1]["input"].value("step", ""), "daglig_drift");
  std::string echo = m[m.size() - 2]["text"];
  EXPECT_EQ(echo, "@Omar Haddad @Lisa Åberg") << "the transcript shows names, not codes";
  EXPECT_EQ(slack_.calls("users.info").size(), 1u);
}

// A message sent while an earlier one waits for a mentioned user's lookup
// takes effect after it, not before (issue 15: the parked event was
// overtaken by the person's next message).
TEST_F(SlackSpeechTest, AMessageSentWhileAMentionIsLookedUpWaitsItsTurn) {
  slack_.AddUser("UNEWLISA1", "Lisa.Aberg@gislaved.se");
  AnswerUntilStep("administratorer");
  slack_.HoldAnswers(1000);  // users.info answers a second later
  ASSERT_EQ(SendFixture(Fixture("message_im_mentions.json"), "<@UGISOMAR1> <@UNEWLISA1>", NextTs())
                .status,
            200);
  ASSERT_EQ(SendFixture(Fixture("message_im_mentions.json"), "status", NextTs()).status, 200);
  ASSERT_TRUE(Eventually([&] {
    if (bot_.Landed() != 0) return false;
    SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT COUNT(*) FROM inbound_queue").getInt() == 0;
  }));
  slack_.HoldAnswers(0);
  std::vector<std::string> said;
  for (const json& m : Messages())
    if (m["direction"] == "in") said.push_back(m["text"]);
  ASSERT_GE(said.size(), 2u);
  EXPECT_EQ(said[said.size() - 2], "@Omar Haddad @Lisa Åberg");
  EXPECT_EQ(said.back(), "status");
}

TEST_F(SlackSpeechTest, AMentionOfSomebodyOutsideTheDirectoryIsNamedReadably) {
  slack_.AddUser("UOUTSIDE1", "someone@elsewhere.example");
  AnswerUntilStep("administratorer");
  SaidAt("<@UGISOMAR1> <@UOUTSIDE2|kalle.konsult>", NextTs());
  std::string reply = LastText();
  EXPECT_NE(reply.find("kalle.konsult"), std::string::npos) << reply;
  EXPECT_EQ(reply.find("UOUTSIDE2"), std::string::npos) << reply;
  SaidAt("<@UGISOMAR1> <@UOUTSIDE1>", NextTs());
  ASSERT_TRUE(Processed());
  reply = LastText();
  EXPECT_NE(reply.find("someone@elsewhere.example"), std::string::npos) << reply;
  EXPECT_EQ(reply.find("UOUTSIDE1"), std::string::npos) << reply;
  SaidAt("<@UGISOMAR1> <@UNOBODY77>", NextTs());
  ASSERT_TRUE(Processed());
  reply = LastText();
  EXPECT_NE(reply.find("Slack-användare"), std::string::npos) << reply;
  EXPECT_EQ(reply.find("UNOBODY77"), std::string::npos) << reply;
  EXPECT_EQ(Messages().back()["input"].value("step", ""), "administratorer");
}

TEST_F(SlackSpeechTest, AnEditOfTheLatestAnswerCorrectsItAndAnOlderEditGetsANote) {
  AnswerUntilStep("medium");
  SaidAt("Facebook", "1795428000.000400");
  ASSERT_EQ(Messages().back()["input"].value("step", ""), "webbadress");
  json changed = Fixture("message_changed.json");  // Facebook -> Instagram
  ASSERT_EQ(Signed("/slack/events", changed.dump(), "application/json").status, 200);
  ASSERT_TRUE(Processed());
  std::string reply = LastText();
  EXPECT_NE(reply.find("Rättat"), std::string::npos) << reply;
  EXPECT_NE(reply.find("Instagram"), std::string::npos) << reply;
  EXPECT_EQ(Messages().back()["input"].value("step", ""), "webbadress") << "asked again";
  SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
  std::string state = db.execAndGet("SELECT state FROM drafts").getString();
  EXPECT_NE(state.find(R"("medium":{"value":"instagram"})"), std::string::npos) << state;
  // An edit of an older message ("ny") is not taken as an answer.
  json older = Fixture("message_changed.json");
  older["event_id"] = "Ev0CHANGED2";
  older["event"]["message"]["ts"] = older["event"]["previous_message"]["ts"] = "1795428000.200001";
  older["event"]["message"]["text"] = "status";
  older["event"]["previous_message"]["text"] = "ny";
  ASSERT_EQ(Signed("/slack/events", older.dump(), "application/json").status, 200);
  ASSERT_TRUE(Processed());
  reply = LastText();
  EXPECT_NE(reply.find("sammanfattningen"), std::string::npos) << reply;
  EXPECT_EQ(Messages().back()["input"].value("step", ""), "webbadress");
}

// An edit's body carries the text it replaced: when that looked like a
// password, the edit's original is not kept either (issue 19), while the
// edit itself takes effect; an ordinary edit's original is kept.
TEST_F(SlackSpeechTest, AnEditReplacingAPasswordLikeTextIsNotKeptAsItsOriginal) {
  AnswerUntilStep("medium");
  SaidAt("Facebook", "1795428000.000400");
  json changed = Fixture("message_changed.json");
  changed["event"]["previous_message"]["text"] = "lösenord: Hemligt2024!";
  ASSERT_EQ(Signed("/slack/events", changed.dump(), "application/json").status, 200);
  ASSERT_TRUE(Processed());
  EXPECT_NE(LastText().find("Instagram"), std::string::npos) << "the edit took effect";
  json ordinary = Fixture("message_changed.json");
  ordinary["event_id"] = "Ev0CHANGED3";
  ordinary["event"]["message"]["text"] = "TikTok";
  ordinary["event"]["previous_message"]["text"] = "Instagram";
  ASSERT_EQ(Signed("/slack/events", ordinary.dump(), "application/json").status, 200);
  ASSERT_TRUE(Processed());
  SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM message_originals WHERE body LIKE "
                          "'%message_changed%'")
                .getInt(),
            1)
      << "the ordinary edit's only";
  std::string bytes;
  for (const char* suffix : {"", "-wal", "-inbound", "-inbound-wal"})
    bytes += Slurp(bot_.db() + suffix);
  EXPECT_EQ(bytes.find("Hemligt2024"), std::string::npos);
}

TEST_F(SlackSpeechTest, AChannelMentionIsAnsweredInItsThreadAndKeepsColleaguesNamed) {
  ASSERT_EQ(Signed("/slack/events", Fixture("app_mention.json").dump(), "application/json").status,
            200);
  ASSERT_TRUE(Eventually([&] {
    for (const auto& c : slack_.calls("chat.postMessage"))
      if (c.args.value("channel", "") == "C0FRITID1") return true;
    return false;
  }));
  json thread;
  for (const auto& c : slack_.calls("chat.postMessage"))
    if (c.args.value("channel", "") == "C0FRITID1") thread = c.args;
  EXPECT_EQ(thread.value("thread_ts", ""), "1795428000.000200");
  EXPECT_NE(thread.value("text", "").find("direktmeddelande"), std::string::npos) << thread.dump();
  ASSERT_TRUE(Eventually([&] { return Posts("UGISANNA1") >= 1; }))
      << "the conversation is in the DM";
  std::string echo = Messages()[0]["text"];
  EXPECT_EQ(echo, "vi vill starta ett Instagram-konto, @Omar Haddad hjälper till");
}
}  // namespace
