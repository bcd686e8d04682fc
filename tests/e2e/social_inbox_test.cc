// Strategy: the social inbox against the real binary, fed by signed
// webhook senders (tests/fakes/webhook_senders.h: Meta's X-Hub-Signature-256
// and Standard Webhooks, computed with OpenSSL directly). A listed Dalarna
// account (holder Johan, then Sara; Lena is the information function) is
// written into the database; Lena links its Facebook Page in chat, as an
// information function would. What people see is read from their web-chat
// feeds, what was kept from the database, and time is moved with
// POST /test/clock as in reminders_test.cc. The refusals are checked to
// land nothing; the kill -9 test kills the bot right after the last 200
// and counts what a restart finds.
#include <gtest/gtest.h>

#include "tests/e2e/bot_process.h"
#include "tests/e2e/inbox_account.h"
#include "tests/fakes/webhook_senders.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using nlohmann::json;

const std::string kInboxSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
// Skärtorsdag (Maundy Thursday) 2026, 14:00 in Stockholm: Good Friday,
// Easter Sunday and Easter Monday follow.
constexpr const char* kThursdayBeforeEaster = "2026-04-02T14:00:00+02:00";
constexpr int64_t kThursdayUnix = 1775131200;  // the same instant

std::vector<std::string> Args(const std::string& now = kThursdayBeforeEaster) {
  return {"--test-clock",      "--test-clock-now", now,
          "--meta-app-secret", kAppSecret,         "--meta-verify-token",
          kVerifyToken,        "--inbox-secret",   kInboxSecret};
}

// The bot with the account, its page linked by Lena in chat.
void StartWithAccount(Bot& bot, const std::string& now = kThursdayBeforeEaster) {
  bot.Start(Args(now));
  AddDalarnaAccount(bot);
  std::string said = Texts(bot.Say("dal-lena", "sida 1 " + kPage));
  ASSERT_NE(said.find("hör nu till konto nr 1"), std::string::npos) << said;
}

HttpResult PostMeta(Bot& bot, const std::string& body,
                    std::map<std::string, std::string> headers = {}) {
  if (headers.empty()) headers = MetaHeaders(kAppSecret, body);
  return bot.Request(methods::POST, "/hooks/meta", body, "application/json", headers);
}

bool WaitProcessed(Bot& bot) {
  for (int i = 0; i < 400; ++i) {
    if (bot.EventsProcessed()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

int64_t OpenReplyWaits(Bot& bot) {
  SQLite::Database db(bot.db(), SQLite::OPEN_READONLY, 10000);
  return db.execAndGet("SELECT COUNT(*) FROM timers WHERE kind = 'public_reply' AND state = 'open'")
      .getInt64();
}

TEST(SocialInbox, MetaHandshakeAnswersTheChallengeForTheVerifyTokenOnly) {
  Bot bot(TempDb());
  bot.Start(Args());
  auto ok = bot.Get("/hooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=" +
                    kVerifyToken);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.raw, "1158201444");
  EXPECT_EQ(bot.Get("/hooks/meta?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong").status,
            403);
  EXPECT_EQ(
      bot.Get("/hooks/meta?hub.mode=other&hub.challenge=1&hub.verify_token=" + kVerifyToken).status,
      403);
}

TEST(SocialInbox, ForgedMetaSignatureIsRefusedBeforeAnythingLands) {
  Bot bot(TempDb());
  StartWithAccount(bot);
  const std::string body = MetaComment(kPage, "100_1", "Hej", kThursdayUnix).dump();
  EXPECT_EQ(PostMeta(bot, body, MetaHeaders("another-secret", body)).status, 401);
  EXPECT_EQ(PostMeta(bot, body, {{"X-Hub-Signature-256", "sha256=00"}}).status, 401);
  EXPECT_EQ(bot.Request(methods::POST, "/hooks/meta", body).status, 401);
  // Signed, but tampered with after signing.
  EXPECT_EQ(PostMeta(bot, body + " ", MetaHeaders(kAppSecret, body)).status, 401);
  EXPECT_EQ(bot.Landed(true), 0);
  EXPECT_EQ(bot.Count("inbox_items"), 0);
  // Signed but not JSON, or truncated: refused, nothing kept.
  const std::string cut = body.substr(0, body.size() / 2);
  EXPECT_EQ(PostMeta(bot, cut).status, 400);
  EXPECT_EQ(bot.Landed(true), 0);
}

TEST(SocialInbox, StaleStandardWebhookIsRefusedAndAFreshOneKept) {
  Bot bot(TempDb());
  StartWithAccount(bot);
  json event{{"type", "inbox.item.created"},
             {"timestamp", "2026-04-02T12:00:00Z"},
             {"data",
              {{"source", "e-post"},
               {"account_ref", kPage},
               {"external_id", "mail-1"},
               {"kind", "email"},
               {"author", {{"id", "x@example.se"}, {"display", "Per Invånare"}}},
               {"text", "Hej, när öppnar ni?"},
               {"received_at", "2026-04-02T12:00:00Z"},
               {"raw", json::object()}}}};
  const std::string body = event.dump();
  auto stale = StandardWebhookHeaders(kInboxSecret, "msg_1", UnixNow() - 301, body);
  EXPECT_EQ(bot.Request(methods::POST, "/hooks/inbox", body, "application/json", stale).status,
            401);
  auto forged = StandardWebhookHeaders("whsec_" + std::string("QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"),
                                       "msg_1", UnixNow(), body);
  EXPECT_EQ(bot.Request(methods::POST, "/hooks/inbox", body, "application/json", forged).status,
            401);
  EXPECT_EQ(bot.Landed(true), 0);
  auto fresh = StandardWebhookHeaders(kInboxSecret, "msg_1", UnixNow(), body);
  EXPECT_EQ(bot.Request(methods::POST, "/hooks/inbox", body, "application/json", fresh).status,
            200);
  // The sender's retry: same webhook-id, a new timestamp.
  auto retry = StandardWebhookHeaders(kInboxSecret, "msg_1", UnixNow(), body);
  EXPECT_EQ(bot.Request(methods::POST, "/hooks/inbox", body, "application/json", retry).status,
            200);
  ASSERT_TRUE(WaitProcessed(bot));
  EXPECT_EQ(bot.Count("inbox_items"), 1);
  EXPECT_EQ(One(bot, "SELECT raw FROM inbox_items"), body);
  ASSERT_TRUE(WaitForMessage(bot, "dal-johan", "Hej, när öppnar ni?"));
}

TEST(SocialInbox, MetaReplayIsDeduplicated) {
  Bot bot(TempDb());
  StartWithAccount(bot);
  const std::string body = MetaComment(kPage, "100_7", "Vilka tider har ni?", kThursdayUnix).dump();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(PostMeta(bot, body).status, 200);
  ASSERT_TRUE(WaitProcessed(bot));
  EXPECT_EQ(bot.Count("inbox_items"), 1);
  ASSERT_TRUE(WaitForMessage(bot, "dal-johan", "Vilka tider har ni?"));
  EXPECT_EQ(MessagesContaining(bot, "dal-johan", "Vilka tider har ni?"), 1);
  EXPECT_EQ(MessagesContaining(bot, "dal-sara", "Vilka tider har ni?"), 1);
  EXPECT_EQ(OpenReplyWaits(bot), 1);
}

TEST(SocialInbox, CommentWithAPersonnummerIsFlaggedAndMaskedInChat) {
  Bot bot(TempDb());
  StartWithAccount(bot);
  const std::string text = "Min son 19821105-9954 fick fel tid, och 19870704-9996 är fel";
  ASSERT_EQ(PostMeta(bot, MetaComment(kPage, "100_9", text, kThursdayUnix).dump()).status, 200);
  ASSERT_TRUE(WaitForMessage(bot, "dal-johan", "innehåller ett personnummer"));
  json item = NewestButton(bot, "dal-johan", "inbox_flag");
  ASSERT_FALSE(item.is_null());
  std::string shown = item["text"];
  EXPECT_NE(shown.find("19821105-XXXX"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("9954"), std::string::npos) << shown;
  // Not a valid number (check digit): not masked, not flagged for it.
  EXPECT_NE(shown.find("19870704-9996"), std::string::npos) << shown;
  EXPECT_EQ(MessagesContaining(bot, "dal-sara", "9954"), 0);
  // The item and its handling case (tests/e2e/inbox_case_test.cc).
  EXPECT_EQ(MessagesContaining(bot, "dal-sara", "19821105-XXXX"), 2);
  // The record keeps the original, flagged; nothing else in the database does.
  EXPECT_EQ(One(bot, "SELECT text FROM inbox_items"), text);
  EXPECT_EQ(One(bot, "SELECT flagged FROM inbox_items"), "1");
  EXPECT_EQ(One(bot, "SELECT COUNT(*) FROM messages WHERE text LIKE '%9954%'"), "0");
  EXPECT_EQ(One(bot, "SELECT COUNT(*) FROM audit WHERE detail LIKE '%9954%'"), "0");
}

TEST(SocialInbox, AReplyFromThePageEndsTheWait) {
  Bot bot(TempDb());
  StartWithAccount(bot);
  ASSERT_EQ(PostMeta(bot, MetaComment(kPage, "100_3", "Fråga?", kThursdayUnix).dump()).status, 200);
  ASSERT_TRUE(WaitProcessed(bot));
  ASSERT_EQ(OpenReplyWaits(bot), 1);
  json reply = MetaComment(kPage, "100_4", "Svar!", kThursdayUnix + 60, "add", kPage,
                           "Folktandvården", "100_3");
  ASSERT_EQ(PostMeta(bot, reply.dump()).status, 200);
  ASSERT_TRUE(WaitProcessed(bot));
  EXPECT_EQ(OpenReplyWaits(bot), 0);
  EXPECT_EQ(One(bot, "SELECT state FROM inbox_items WHERE external_id = '100_3'"), "answered");
  EXPECT_EQ(MessagesContaining(bot, "dal-johan", "Svar!"), 0);  // our own reply is not news
}

TEST(SocialInbox, BesvaradEndsTheWait) {
  Bot bot(TempDb());
  StartWithAccount(bot);
  ASSERT_EQ(PostMeta(bot, MetaComment(kPage, "100_5", "Fråga 2?", kThursdayUnix).dump()).status,
            200);
  ASSERT_TRUE(WaitForMessage(bot, "dal-sara", "Fråga 2?"));
  json b = NewestButton(bot, "dal-sara", "inbox_answered");
  ASSERT_FALSE(b.is_null());
  auto r =
      bot.Post("/api/messages",
               {{"person", "dal-sara"}, {"message_id", b["message_id"]}, {"action", b["button"]}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_NE(Texts(r.body["messages"]).find("besvarad"), std::string::npos) << r.raw;
  EXPECT_EQ(OpenReplyWaits(bot), 0);
  // Johan's press afterwards is told it is done.
  json j = NewestButton(bot, "dal-johan", "inbox_answered");
  auto again =
      bot.Post("/api/messages",
               {{"person", "dal-johan"}, {"message_id", j["message_id"]}, {"action", j["button"]}});
  EXPECT_NE(Texts(again.body["messages"]).find("redan hanterad"), std::string::npos) << again.raw;
}

TEST(SocialInbox, ItemForAnUnknownPageIsKeptAndShownToTheInformationFunction) {
  Bot bot(TempDb());
  StartWithAccount(bot);
  ASSERT_EQ(
      PostMeta(bot, MetaComment("999888", "200_1", "Okänd sida", kThursdayUnix).dump()).status,
      200);
  ASSERT_TRUE(WaitForMessage(bot, "dal-lena", "Okänd sida"));
  EXPECT_NE(PersonFeed(bot, "dal-lena").back()["text"].get<std::string>().find("sida 12 999888"),
            std::string::npos);
  EXPECT_EQ(One(bot, "SELECT COUNT(*) FROM inbox_items WHERE registration_id IS NULL"), "1");
  EXPECT_EQ(MessagesContaining(bot, "dal-johan", "Okänd sida"), 0);
}

TEST(SocialInbox, KillNineAfterTheAcknowledgementLosesNothing) {
  Bot bot(TempDb());
  StartWithAccount(bot);
  constexpr int kItems = 25;
  for (int i = 0; i < kItems; ++i) {
    std::string body = MetaComment(kPage, "300_" + std::to_string(i),
                                   "Kommentar " + std::to_string(i), kThursdayUnix + i)
                           .dump();
    ASSERT_EQ(PostMeta(bot, body).status, 200);
  }
  bot.Kill(SIGKILL);  // right after the last 200
  bot.Start(Args());
  ASSERT_TRUE(WaitProcessed(bot));
  EXPECT_EQ(bot.Count("inbox_items"), kItems);
  EXPECT_EQ(OpenReplyWaits(bot), kItems);
}

TEST(SocialInbox, ThursdayBeforeEasterNudgesNobodyOnTheHolidaysThenTheHolderThenTheOthers) {
  Bot bot(TempDb());
  StartWithAccount(bot);
  ASSERT_EQ(PostMeta(bot, MetaComment(kPage, "400_1", "Påskfråga", kThursdayUnix).dump()).status,
            200);
  ASSERT_TRUE(WaitForMessage(bot, "dal-johan", "Påskfråga"));
  const std::string nudge = "har väntat på svar sedan";
  for (const char* day : {"2026-04-03T14:00:30+02:00", "2026-04-04T14:00:30+02:00",
                          "2026-04-05T14:00:30+02:00", "2026-04-06T23:00:00+02:00"}) {
    ASSERT_EQ(bot.Post("/test/clock", {{"now", day}}).status, 200);
    EXPECT_EQ(bot.Get("/healthz").status, 200);
    EXPECT_EQ(MessagesContaining(bot, "dal-johan", nudge), 0) << day;
    EXPECT_EQ(MessagesContaining(bot, "dal-sara", nudge), 0) << day;
  }
  // Tuesday after Easter: one working day after Thursday 14:00.
  ASSERT_EQ(bot.Post("/test/clock", {{"now", "2026-04-07T14:00:30+02:00"}}).status, 200);
  ASSERT_TRUE(WaitForMessage(bot, "dal-johan", nudge));
  EXPECT_EQ(MessagesContaining(bot, "dal-sara", nudge), 0);
  // Wednesday: the other administrators.
  ASSERT_EQ(bot.Post("/test/clock", {{"now", "2026-04-08T14:00:30+02:00"}}).status, 200);
  ASSERT_TRUE(WaitForMessage(bot, "dal-sara", nudge));
}

}  // namespace

namespace {

// One Meta delivery holding every comment of `comments` ({id, text}) on
// kPage, Thursday before Easter.
json OneDelivery(const std::vector<std::pair<std::string, std::string>>& comments) {
  json delivery = MetaComment(kPage, comments[0].first, comments[0].second, kThursdayUnix);
  json& changes = delivery["entry"][0]["changes"];
  for (size_t i = 1; i < comments.size(); ++i) {
    json c = changes[0];
    c["value"]["comment_id"] = comments[i].first;
    c["value"]["message"] = comments[i].second;
    changes.push_back(c);
  }
  return delivery;
}

TEST(SocialInbox, CommentsOfOneAccountArrivingTogetherAreGatheredIntoOneMessage) {
  Bot bot(TempDb());
  StartWithAccount(bot);
  ASSERT_EQ(PostMeta(bot, OneDelivery({{"500_1", "Första frågan"},
                                       {"500_2", "Andra frågan"},
                                       {"500_3", "Tredje 19821105-9954"}})
                              .dump())
                .status,
            200);
  ASSERT_TRUE(WaitProcessed(bot));
  for (const char* person : {"dal-johan", "dal-sara"}) {
    EXPECT_EQ(MessagesContaining(bot, person, "Första frågan"), 1) << person;
    // The gathered message (the third comment's handling case follows it).
    json last;
    for (const json& m : PersonFeed(bot, person))
      if (m["text"].get<std::string>().find("Första frågan") != std::string::npos) last = m;
    std::string text = last["text"];
    EXPECT_NE(text.find("Andra frågan"), std::string::npos) << text;
    EXPECT_NE(text.find("19821105-XXXX"), std::string::npos) << text;
    EXPECT_EQ(text.find("9954"), std::string::npos) << text;
    EXPECT_EQ(last["buttons"].size(), 9u) << last.dump();
    EXPECT_EQ(last["buttons"][3]["label"], "2 · Besvarad");
  }
  // Each of the three is answered on its own.
  json second = NewestButton(bot, "dal-johan", "inbox_answered",
                             One(bot, "SELECT id FROM inbox_items WHERE external_id = '500_2'"));
  ASSERT_FALSE(second.is_null());
  auto r = bot.Post("/api/messages", {{"person", "dal-johan"},
                                      {"message_id", second["message_id"]},
                                      {"action", second["button"]}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(OpenReplyWaits(bot), 2);
}

TEST(SocialInbox, ABurstIsGatheredFiveToAMessage) {
  Bot bot(TempDb());
  StartWithAccount(bot);
  std::vector<std::pair<std::string, std::string>> comments;
  for (int i = 1; i <= 7; ++i)
    comments.emplace_back("600_" + std::to_string(i), "Fråga " + std::to_string(i));
  ASSERT_EQ(PostMeta(bot, OneDelivery(comments).dump()).status, 200);
  ASSERT_TRUE(WaitProcessed(bot));
  // Seven comments: one message with the first five, one with the last
  // two, each item with its own Besvarad.
  std::vector<size_t> answered;
  for (const json& m : PersonFeed(bot, "dal-johan")) {
    size_t n = 0;
    for (const json& b : m["buttons"]) n += b["id"] == "inbox_answered" ? 1 : 0;
    if (n > 0) answered.push_back(n);
  }
  EXPECT_EQ(answered, (std::vector<size_t>{5, 2}));
  EXPECT_EQ(OpenReplyWaits(bot), 7);
}

}  // namespace
