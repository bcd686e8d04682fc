// Strategy: kontobot as a Matrix Application Service, end to end. The real
// binary runs with an as_token and hs_token against a local fake homeserver
// (tests/fakes/fake_homeserver.h); the test plays the homeserver's side,
// pushing transactions (PUT /_matrix/app/v1/transactions/{txnId}) whose
// events follow the spec's examples, and reads what the bot did from the
// fake's record of Client-Server calls.
#include <gtest/gtest.h>

#include <thread>

#include "tests/e2e/bot_process.h"
#include "tests/fakes/fake_homeserver.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using nlohmann::json;
using web::http::methods;

const std::string kAs = "as-token-for-tests";
const std::string kHs = "hs-token-for-tests";
const std::string kBot = "@kontobot:gislaved.example";
const std::string kAnna = "@anna.berg:gislaved.example";
const std::string kPer = "@per.ek:gislaved.example";
const std::string kEva = "@eva.strand:gislaved.example";
const std::string kOmar = "@omar.haddad:gislaved.example";
const std::string kAnnaRoom = "!annadm:gislaved.example";

class MatrixTest : public ::testing::Test {
 protected:
  MatrixTest() : bot_(TempDb()), hs_(FreePort(), kAs) {}
  void SetUp() override {
    hs_.Start();
    StartBot();
  }
  void StartBot() {
    bot_.Start({"--matrix-homeserver", hs_.base(), "--matrix-server-name", "gislaved.example",
                "--matrix-as-token", kAs, "--matrix-hs-token", kHs});
  }
  HttpResult Push(const std::vector<json>& events, const std::string& txn = "",
                  const std::string& token = kHs) {
    std::string id = txn.empty() ? "txn" + std::to_string(++txn_) : txn;
    json body{{"events", json::array()}};
    for (const json& e : events) body["events"].push_back(e);
    return bot_.Request(methods::PUT, "/_matrix/app/v1/transactions/" + id, body.dump(),
                        "application/json", {{"Authorization", "Bearer " + token}});
  }
  json Message(const std::string& sender, const std::string& room, const std::string& text) {
    return {{"type", "m.room.message"},
            {"event_id", "$in" + std::to_string(++event_)},
            {"room_id", room},
            {"sender", sender},
            {"origin_server_ts", 1795428000000},
            {"content", {{"msgtype", "m.text"}, {"body", text}}},
            {"unsigned", {{"age", 1234}}}};
  }
  json Reaction(const std::string& sender, const std::string& room, const std::string& target,
                const std::string& key) {
    return {
        {"type", "m.reaction"},
        {"event_id", "$re" + std::to_string(++event_)},
        {"room_id", room},
        {"sender", sender},
        {"origin_server_ts", 1795428000000},
        {"content",
         {{"m.relates_to", {{"rel_type", "m.annotation"}, {"event_id", target}, {"key", key}}}}}};
  }
  template <typename Pred>
  bool Eventually(Pred pred, int ms = 8000) {
    for (int i = 0; i < ms / 25; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return pred();
  }
  // The room the bot created for `user` (its DM), or "".
  std::string RoomOf(const std::string& user) {
    std::vector<std::string> rooms;
    int n = 0;
    for (const auto& c : hs_.calls()) {
      if (c.path == "/_matrix/client/v3/createRoom") {
        ++n;
        if (c.body["invite"][0] == user) return "!dm" + std::to_string(n) + ":gislaved.example";
      }
    }
    return "";
  }
  // The event id of the newest request with ✅ in `room`.
  std::string RequestIn(const std::string& room) {
    std::string id;
    for (const auto& c : hs_.sends(room, "m.reaction")) {
      if (c.body["m.relates_to"]["key"] == "\xE2\x9C\x85") id = c.body["m.relates_to"]["event_id"];
    }
    return id;
  }
  void FillInAsAnna() {
    Push({Message(kAnna, kAnnaRoom, "ny")});
    for (int i = 0; i < 60; ++i) {
      json last = bot_.Get("/api/messages?person=gis-anna&after=0").body["messages"].back();
      if (last["input"].empty()) break;
      ASSERT_EQ(Push({Message(kAnna, kAnnaRoom, AnswerTo(last))}).status, 200);
    }
    ASSERT_EQ(Push({Message(kAnna, kAnnaRoom, "skicka")}).status, 200);
  }

  Bot bot_;
  FakeHomeserver hs_;
  int txn_ = 0, event_ = 0;
};

TEST_F(MatrixTest, RefusesWrongOrMissingHsTokenStoringNothing) {
  auto wrong = Push({Message(kAnna, kAnnaRoom, "ny")}, "", "not-the-token");
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(wrong.body["errcode"], "M_FORBIDDEN");
  auto missing = bot_.Request(methods::PUT, "/_matrix/app/v1/transactions/t1", R"({"events":[]})");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.body["errcode"], "M_MISSING_TOKEN");
  auto both =
      bot_.Request(methods::PUT, "/_matrix/app/v1/transactions/t2?access_token=wrong",
                   R"({"events":[]})", "application/json", {{"Authorization", "Bearer " + kHs}});
  EXPECT_EQ(both.status, 403) << "both given must both match";
  EXPECT_EQ(bot_.Count("messages"), 0);
  auto legacy = bot_.Request(methods::PUT, "/_matrix/app/v1/transactions/t3?access_token=" + kHs,
                             R"({"events":[]})");
  EXPECT_EQ(legacy.status, 200);
  EXPECT_EQ(legacy.raw, "{}");
  auto no_events = bot_.Request(methods::PUT, "/_matrix/app/v1/transactions/t4", R"({"events":{}})",
                                "application/json", {{"Authorization", "Bearer " + kHs}});
  EXPECT_EQ(no_events.status, 400) << "an events array is required";
  EXPECT_EQ(no_events.body["errcode"], "M_BAD_JSON");
}

TEST_F(MatrixTest, PingAndQueries) {
  std::map<std::string, std::string> auth{{"Authorization", "Bearer " + kHs}};
  EXPECT_EQ(
      bot_.Request(methods::POST, "/_matrix/app/v1/ping", "{}", "application/json", auth).status,
      200);
  EXPECT_EQ(
      bot_.Request(methods::GET, "/_matrix/app/v1/users/" + kBot, "", "application/json", auth)
          .status,
      200);
  auto other = bot_.Request(methods::GET, "/_matrix/app/v1/users/@someone:gislaved.example", "",
                            "application/json", auth);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.body["errcode"], "M_NOT_FOUND");
  EXPECT_EQ(bot_.Request(methods::GET, "/_matrix/app/v1/rooms/%23x:gislaved.example", "",
                         "application/json", auth)
                .status,
            404);
}

TEST_F(MatrixTest, JoinsWhenInvitedAndAnswersInTheRoom) {
  json invite{
      {"type", "m.room.member"}, {"event_id", "$inv1"},
      {"room_id", kAnnaRoom},    {"sender", kAnna},
      {"state_key", kBot},       {"content", {{"membership", "invite"}, {"is_direct", true}}}};
  ASSERT_EQ(Push({invite}).status, 200);
  ASSERT_TRUE(Eventually([&] {
    for (const auto& c : hs_.calls()) {
      if (c.method == "POST" && c.path == "/_matrix/client/v3/rooms/" + kAnnaRoom + "/join")
        return true;
    }
    return false;
  }));
  ASSERT_EQ(Push({Message(kAnna, kAnnaRoom, "hjälp")}).status, 200);
  ASSERT_TRUE(Eventually([&] { return !hs_.sends(kAnnaRoom, "m.room.message").empty(); }));
  json content = hs_.sends(kAnnaRoom, "m.room.message")[0].body;
  EXPECT_EQ(content["msgtype"], "m.notice")
      << "bots send notices, which clients never answer automatically";
  EXPECT_EQ(content["format"], "org.matrix.custom.html");
  EXPECT_NE(content["body"].get<std::string>().find("Så här fungerar det"), std::string::npos);
  EXPECT_NE(
      content["formatted_body"].get<std::string>().find("<strong>Så här fungerar det</strong><br>"),
      std::string::npos);
}

TEST_F(MatrixTest, ProcessesARepeatedTransactionOnce) {
  std::vector<json> events{Message(kAnna, kAnnaRoom, "ny")};
  ASSERT_EQ(Push(events, "txnA").status, 200);
  int64_t after = bot_.Count("messages");
  ASSERT_EQ(Push(events, "txnA").status, 200);
  EXPECT_EQ(bot_.Count("messages"), after);
  SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM drafts").getInt(), 1);
}

TEST_F(MatrixTest, ExplainsThatEncryptedRoomsCannotBeRead) {
  json encrypted{{"type", "m.room.encrypted"},
                 {"event_id", "$enc1"},
                 {"room_id", "!secret:gislaved.example"},
                 {"sender", kAnna},
                 {"content",
                  {{"algorithm", "m.megolm.v1.aes-sha2"},
                   {"ciphertext", "AwgAEnAC"},
                   {"device_id", "RJYKSTBOIE"},
                   {"sender_key", "IlRMeOPX2e0MurIyfWEucYBRVOEEUMrOHqn/8mLqMjA"},
                   {"session_id", "X3lUlvLELLYxeTx4yOVu6UDpasGEVO0Jbu+QFnm0cKQ"}}}};
  ASSERT_EQ(Push({encrypted}).status, 200);
  ASSERT_TRUE(
      Eventually([&] { return !hs_.sends("!secret:gislaved.example", "m.room.message").empty(); }));
  EXPECT_NE(hs_.sends("!secret:gislaved.example", "m.room.message")[0]
                .body["body"]
                .get<std::string>()
                .find("krypterade"),
            std::string::npos);
}

TEST_F(MatrixTest, ApprovalByReactionAndCommandWithTheRequestEdited) {
  FillInAsAnna();
  ASSERT_TRUE(Eventually([&] { return !RoomOf(kPer).empty() && !RequestIn(RoomOf(kPer)).empty(); }))
      << "Per gets a direct room with the request and the bot's ✅ ❌";
  std::string per_room = RoomOf(kPer);
  std::string request = RequestIn(per_room);
  ASSERT_EQ(Push({Reaction(kPer, per_room, request, "\xE2\x9C\x85")}).status, 200);
  ASSERT_TRUE(Eventually([&] {
    for (const auto& c : hs_.sends(per_room, "m.room.message")) {
      if (c.body.contains("m.relates_to") && c.body["m.relates_to"]["rel_type"] == "m.replace" &&
          c.body["m.relates_to"]["event_id"] == request &&
          c.body["m.new_content"]["body"].get<std::string>().find("Godkänd av Per Ek") !=
              std::string::npos) {
        return true;
      }
    }
    return false;
  })) << "the request is edited to show the decision";
  ASSERT_TRUE(
      Eventually([&] { return !RoomOf(kEva).empty() && !RequestIn(RoomOf(kEva)).empty(); }));
  ASSERT_EQ(Push({Message(kEva, RoomOf(kEva), "godkänn")}).status, 200);
  EXPECT_EQ(bot_.Get("/register.json").body["accounts"].size(), 1u);
}

TEST_F(MatrixTest, ReactionFromANonApproverChangesNothing) {
  FillInAsAnna();
  ASSERT_TRUE(
      Eventually([&] { return !RoomOf(kPer).empty() && !RequestIn(RoomOf(kPer)).empty(); }));
  std::string request = RequestIn(RoomOf(kPer));
  const std::string omar_room = "!omardm:gislaved.example";
  ASSERT_EQ(Push({Reaction(kOmar, omar_room, request, "\xE2\x9C\x85")}).status, 200);
  ASSERT_TRUE(Eventually([&] {
    for (const auto& c : hs_.sends(omar_room, "m.room.message")) {
      if (c.body["body"].get<std::string>().find("fattas av Per Ek") != std::string::npos)
        return true;
    }
    return false;
  }));
  SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT status FROM tasks WHERE assignee = 'gis-per'").getString(),
            "open");
}

TEST_F(MatrixTest, NothingIsLostOrSentTwiceAcrossKill9WhileTheHomeserverFails) {
  hs_.FailNext(100000, 500);
  ASSERT_EQ(Push({Message(kAnna, kAnnaRoom, "ny")}).status, 200);
  ASSERT_EQ(Push({Message(kAnna, kAnnaRoom, "ok")}).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(bot_.Kill(SIGKILL), -SIGKILL);
  hs_.FailNext(0, 500);
  StartBot();
  SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY);
  int64_t expected =
      db.execAndGet(
            "SELECT COUNT(*) FROM messages WHERE person_id = 'gis-anna' AND direction = 'out'")
          .getInt64();
  ASSERT_TRUE(Eventually(
      [&] {
        return static_cast<int64_t>(hs_.sends(kAnnaRoom, "m.room.message").size()) >= expected;
      },
      15000));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(static_cast<int64_t>(hs_.sends(kAnnaRoom, "m.room.message").size()), expected);
}

TEST_F(MatrixTest, HonoursRateLimits) {
  hs_.FailNext(1, 429);
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(Push({Message(kAnna, kAnnaRoom, "hej")}).status, 200);
  ASSERT_TRUE(Eventually([&] { return !hs_.sends(kAnnaRoom, "m.room.message").empty(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
}

}  // namespace
