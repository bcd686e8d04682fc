// Strategy: replying and hiding through Meta's Graph API against the real
// binary and a fake Graph server (tests/fakes/fake_graph.h: real HTTP, the
// documented paths, the page token checked, every call recorded, errors
// on demand). A listed Dalarna account (holder Johan, then Sara; Lena is
// the information function) has its Page linked in chat and a page token
// given with --meta-page-token; comments arrive through the signed Meta
// webhook. What people are told is read from their web-chat feeds, what
// Graph was asked from the fake's record, what was kept from the
// database. Nothing sleeps to synchronise: each step waits for a message
// or a recorded call.
#include <gtest/gtest.h>

#include "tests/e2e/bot_process.h"
#include "tests/e2e/inbox_account.h"
#include "tests/fakes/fake_graph.h"
#include "tests/fakes/webhook_senders.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using nlohmann::json;

const std::string kToken = "EAAGpagetoken123";
constexpr const char* kNow = "2026-04-01T10:00:00+02:00";  // a Wednesday
constexpr int64_t kNowUnix = 1775030400;

std::vector<std::string> Args(const FakeGraph& graph, const std::string& now = kNow) {
  return {"--test-clock",       "--test-clock-now",    now,          "--meta-app-secret",
          kAppSecret,           "--meta-verify-token", kVerifyToken, "--meta-page-token",
          kPage + "=" + kToken, "--graph-api-base",    graph.base()};
}

class SocialInboxGraph : public ::testing::Test {
 protected:
  SocialInboxGraph() : graph_(FreePort()), bot_(TempDb()) {}

  void SetUp() override {
    graph_.SetPageToken(kPage, kToken);
    graph_.Start();
    bot_.Start(Args(graph_));
    AddDalarnaAccount(bot_);
    std::string said = Texts(bot_.Say("dal-lena", "sida 1 " + kPage));
    ASSERT_NE(said.find("hör nu till konto nr 1"), std::string::npos) << said;
  }

  // Comment `id` with `text` arrives and is shown to Johan.
  void Arrive(const std::string& id, const std::string& text) {
    const std::string body = MetaComment(kPage, id, text, kNowUnix).dump();
    ASSERT_EQ(bot_.Request(methods::POST, "/hooks/meta", body, "application/json",
                           MetaHeaders(kAppSecret, body))
                  .status,
              200);
    ASSERT_TRUE(WaitForMessage(bot_, "dal-johan", text));
  }

  std::string ItemId(const std::string& comment) {
    return One("SELECT id FROM inbox_items WHERE external_id = '" + comment + "'");
  }

  // Johan presses Svara on `comment`, writes `text` and confirms it.
  void ReplyAsJohan(const std::string& comment, const std::string& text) {
    std::string asked =
        PressAs(bot_, "dal-johan", NewestButton(bot_, "dal-johan", "inbox_reply", ItemId(comment)));
    ASSERT_NE(asked.find("Skriv ditt svar"), std::string::npos) << asked;
    std::string shown = Texts(bot_.Say("dal-johan", text));
    ASSERT_NE(shown.find("Så här publiceras svaret"), std::string::npos) << shown;
    std::string queued =
        PressAs(bot_, "dal-johan", NewestButton(bot_, "dal-johan", "inbox_reply_send"));
    ASSERT_NE(queued.find("Svaret publiceras nu"), std::string::npos) << queued;
  }

  std::string One(const std::string& sql) {
    SQLite::Database db(bot_.db(), SQLite::OPEN_READONLY, 10000);
    return db.execAndGet(sql).getString();
  }
  int64_t OpenReplyWaits() {
    return std::stoll(
        One("SELECT COUNT(*) FROM timers WHERE kind = 'public_reply' AND state = 'open'"));
  }

  FakeGraph graph_;
  Bot bot_;
};

TEST_F(SocialInboxGraph, SvaraPublishesTheExactTextAndEndsTheWait) {
  const std::string comment = kPage + "_1001";
  Arrive(comment, "När öppnar ni efter påsk?");
  ASSERT_EQ(OpenReplyWaits(), 1);
  const std::string text = "Hej! Vi öppnar tisdag 7 april kl. 8 & <välkommen> *då*.";
  ReplyAsJohan(comment, text);
  ASSERT_TRUE(WaitForMessage(bot_, "dal-johan", "Ditt svar är publicerat"));
  // Shown back with its markup neutralised ('*' is not bold in our
  // messages); published exactly as typed.
  EXPECT_EQ(MessagesContaining(bot_, "dal-johan", "∗då∗"), 2);  // the confirmation, the receipt
  EXPECT_EQ(MessagesContaining(bot_, "dal-johan", "*då*"), 1);  // Johan's own typed message
  auto done = graph_.done();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].path, "/" + comment + "/comments");
  EXPECT_EQ(done[0].params.at("message"), text);
  EXPECT_EQ(done[0].params.at("access_token"), kToken);
  EXPECT_EQ(OpenReplyWaits(), 0);
  EXPECT_EQ(One("SELECT state FROM inbox_items WHERE external_id = '" + comment + "'"), "answered");
  EXPECT_EQ(One("SELECT changed_by FROM inbox_items WHERE external_id = '" + comment + "'"),
            "dal-johan");
  // The record and the audit trail hold the text and who sent it.
  EXPECT_EQ(One("SELECT text FROM inbox_changes WHERE verb = 'replied'"), text);
  EXPECT_NE(One("SELECT raw FROM inbox_changes WHERE verb = 'replied'").find("dal-johan"),
            std::string::npos);
  EXPECT_EQ(One("SELECT actor FROM audit WHERE action = 'inbox.replied'"), "dal-johan");

  // Meta's webhook echo of our own reply: no new open item, no second answer.
  json echo = MetaComment(kPage, comment + "_r1", text, kNowUnix + 60, "add", kPage,
                          "Folktandvården", comment);
  ASSERT_EQ(bot_.Request(methods::POST, "/hooks/meta", echo.dump(), "application/json",
                         MetaHeaders(kAppSecret, echo.dump()))
                .status,
            200);
  for (int i = 0; i < 400 && !bot_.EventsProcessed(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  ASSERT_TRUE(bot_.EventsProcessed());
  EXPECT_EQ(One("SELECT COUNT(*) FROM inbox_items WHERE state = 'open'"), "0");
  EXPECT_EQ(One("SELECT COUNT(*) FROM audit WHERE action = 'inbox.answered'"), "0");
  EXPECT_EQ(MessagesContaining(bot_, "dal-johan", "Ditt svar är publicerat"), 1);
  EXPECT_EQ(graph_.calls().size(), 1u);
}

TEST_F(SocialInboxGraph, CancelWordLeavesTheCommentOpenAndPublishesNothing) {
  const std::string comment = kPage + "_1101";
  Arrive(comment, "Fråga som väntar");
  PressAs(bot_, "dal-johan", NewestButton(bot_, "dal-johan", "inbox_reply", ItemId(comment)));
  std::string said = Texts(bot_.Say("dal-johan", "avbryt"));
  EXPECT_NE(said.find("Inget svar publiceras"), std::string::npos) << said;
  // The next words are not a reply any more.
  EXPECT_EQ(Texts(bot_.Say("dal-johan", "status")).find("Så här publiceras"), std::string::npos);
  EXPECT_EQ(OpenReplyWaits(), 1);
  EXPECT_EQ(bot_.Count("outbox"), 0);
  EXPECT_TRUE(graph_.calls().empty());
}

TEST_F(SocialInboxGraph, ASecondReplyWaitsForTheOneOnItsWay) {
  const std::string comment = kPage + "_1151";
  Arrive(comment, "Två svarare");
  ASSERT_TRUE(WaitForMessage(bot_, "dal-sara", "Två svarare"));
  // Johan's reply stays in the outbox for the retries (1 + 2 + 4 s).
  graph_.FailNext(3, FakeGraph::Error::kServerError);
  ReplyAsJohan(comment, "Johans svar");
  std::string said =
      PressAs(bot_, "dal-sara", NewestButton(bot_, "dal-sara", "inbox_reply", ItemId(comment)));
  EXPECT_NE(said.find("redan på väg"), std::string::npos) << said;
  ASSERT_TRUE(graph_.WaitForCalls(4, std::chrono::seconds(30)));
  ASSERT_TRUE(WaitForMessage(bot_, "dal-johan", "Ditt svar är publicerat"));
  EXPECT_EQ(graph_.done().size(), 1u);
}

TEST_F(SocialInboxGraph, DoljHidesThroughGraphWithThePageToken) {
  const std::string comment = kPage + "_1201";
  Arrive(comment, "Olämplig kommentar");
  std::string said =
      PressAs(bot_, "dal-sara", NewestButton(bot_, "dal-sara", "inbox_hide", ItemId(comment)));
  EXPECT_NE(said.find("döljs nu"), std::string::npos) << said;
  ASSERT_TRUE(WaitForMessage(bot_, "dal-sara", "Kommentaren är dold"));
  auto done = graph_.done();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].path, "/" + comment);
  EXPECT_EQ(done[0].params.at("is_hidden"), "true");
  EXPECT_EQ(done[0].params.at("access_token"), kToken);
  EXPECT_EQ(One("SELECT state FROM inbox_items WHERE external_id = '" + comment + "'"), "hidden");
  EXPECT_EQ(OpenReplyWaits(), 0);
}

TEST_F(SocialInboxGraph, RateLimitIsRetriedAndTheReplyDeliveredOnce) {
  const std::string comment = kPage + "_1301";
  Arrive(comment, "Hur bokar jag?");
  graph_.FailNext(1, FakeGraph::Error::kRateLimited, 1);
  ReplyAsJohan(comment, "Ring oss på 023-49 00 00.");
  ASSERT_TRUE(WaitForMessage(bot_, "dal-johan", "Ditt svar är publicerat"));
  auto calls = graph_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].status, 400);
  EXPECT_EQ(calls[1].status, 200);
  EXPECT_EQ(graph_.done().size(), 1u);
  EXPECT_EQ(OpenReplyWaits(), 0);
}

TEST_F(SocialInboxGraph, ExpiredTokenTellsTheInformationFunctionAndTheItemStaysOpen) {
  const std::string comment = kPage + "_1401";
  Arrive(comment, "Varför svarar ni inte?");
  graph_.FailNext(1, FakeGraph::Error::kTokenExpired);
  ReplyAsJohan(comment, "Vi svarar nu.");
  ASSERT_TRUE(WaitForMessage(bot_, "dal-lena", "måste förnyas"));
  ASSERT_TRUE(WaitForMessage(bot_, "dal-johan", "kunde inte publiceras"));
  EXPECT_EQ(MessagesContaining(bot_, "dal-lena", "måste förnyas"), 1);
  EXPECT_NE(PersonFeed(bot_, "dal-lena").back()["text"].get<std::string>().find(kPage),
            std::string::npos);
  EXPECT_EQ(One("SELECT state FROM inbox_items WHERE external_id = '" + comment + "'"), "open");
  EXPECT_EQ(OpenReplyWaits(), 1);
  EXPECT_TRUE(graph_.done().empty());
  EXPECT_EQ(graph_.calls().size(), 1u);  // given up, not retried
  EXPECT_EQ(One("SELECT status FROM outbox WHERE kind = 'comment_reply'"), "failed");
}

TEST_F(SocialInboxGraph, ReplyToADeletedCommentTellsTheAdministratorWhy) {
  const std::string comment = kPage + "_1501";
  Arrive(comment, "Snart borta");
  graph_.DeleteComment(comment);
  ReplyAsJohan(comment, "Tack för frågan!");
  ASSERT_TRUE(WaitForMessage(bot_, "dal-johan", "kommentaren finns inte längre"));
  EXPECT_EQ(MessagesContaining(bot_, "dal-lena", "måste förnyas"), 0);
  EXPECT_TRUE(graph_.done().empty());
  EXPECT_EQ(graph_.calls().size(), 1u);
}

TEST_F(SocialInboxGraph, DalarnasSecureChannelReplyPublishesTheTemplateText) {
  const std::string comment = kPage + "_1601";
  Arrive(comment, "Jag har ont i magen sedan min operation, vad ska jag göra?");
  std::string shown = PressAs(
      bot_, "dal-johan", NewestButton(bot_, "dal-johan", "inbox_reply_secure", ItemId(comment)));
  ASSERT_NE(shown.find("1177"), std::string::npos) << shown;
  PressAs(bot_, "dal-johan", NewestButton(bot_, "dal-johan", "inbox_reply_send"));
  ASSERT_TRUE(WaitForMessage(bot_, "dal-johan", "Ditt svar är publicerat"));
  auto done = graph_.done();
  ASSERT_EQ(done.size(), 1u);
  const std::string& message = done[0].params.at("message");
  EXPECT_EQ(message.rfind("Hej! Frågor om din egen vård kan vi inte besvara här", 0), 0u)
      << message;
  EXPECT_NE(message.find("1177 Vårdguidens e-tjänster"), std::string::npos) << message;
  EXPECT_EQ(OpenReplyWaits(), 0);
}

TEST_F(SocialInboxGraph, KillNineAfterConfirmingStillDeliversTheReplyOnceAfterRestart) {
  const std::string comment = kPage + "_1701";
  Arrive(comment, "Öppettider?");
  graph_.Stop();  // Graph unreachable: the reply stays in the outbox
  ReplyAsJohan(comment, "Vardagar 8-17.");
  bot_.Kill(SIGKILL);
  graph_.Start();
  bot_.Start(Args(graph_, "2026-04-01T10:05:00+02:00"));
  ASSERT_TRUE(graph_.WaitForCalls(1, std::chrono::seconds(20)));
  ASSERT_TRUE(WaitForMessage(bot_, "dal-johan", "Ditt svar är publicerat"));
  auto done = graph_.done();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].params.at("message"), "Vardagar 8-17.");
  EXPECT_EQ(graph_.calls().size(), 1u);
  EXPECT_EQ(OpenReplyWaits(), 0);
}

}  // namespace
