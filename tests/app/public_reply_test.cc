// Strategy: the whole bot in this process (App, on a loopback port with the
// test clock), an active Dalarna account put in its store, and comments
// reported through ConversationService's entry points for the social inbox.
// What the reminders do is read over HTTP from the people's web-chat feeds
// as the clock moves: the account holder first, then the other
// administrators, then the information function; "Besvarad" or an answer
// reported by the inbox ends it.
#include <gtest/gtest.h>

#include <spdlog/sinks/null_sink.h>

#include "handlers/app.h"
#include "handlers/http_server.h"
#include "store/clock_format.h"
#include "tests/app/thread_pool.h"
#include "tests/e2e/bot_process.h"

namespace kontobot::testing {
namespace {

using handlers::App;

TimePoint At(const std::string& utc) { return *store::ParseUtc(utc); }

class PublicReplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SizeThreadPoolOnce();  // before any cpprestsdk object
    db_ = TempDb();
    config::Options o;
    o.command = "serve";
    o.db = db_;
    o.templates = std::string(KONTOBOT_SOURCE_DIR) + "/config/templates";
    o.messages = std::string(KONTOBOT_SOURCE_DIR) + "/config/messages";
    o.directory = std::string(KONTOBOT_SOURCE_DIR) + "/config/directory.yaml";
    o.threads = 2;
    o.test_clock = true;
    o.test_clock_now = "2026-11-23T09:00:00+01:00";  // Monday
    auto log = std::make_shared<spdlog::logger>("public_reply",
                                                std::make_shared<spdlog::sinks::null_sink_mt>());
    for (int attempt = 0; attempt < 3 && !client_; ++attempt) {
      o.listen_port = static_cast<uint16_t>(FreePort());
      app_ = App::Create(o, log);
      ASSERT_TRUE(app_);
      try {
        app_->Start();
        client_ = std::make_unique<LoopbackClient>(o.listen_port);
      } catch (const std::exception&) {  // the port was taken meanwhile
        app_.reset();
      }
    }
    ASSERT_TRUE(client_);
    // Registration 1: Karin's Facebook page, administered by Johan (the
    // account holder) and Sara.
    store::Transaction tx(app_->Store());
    Person karin;
    karin.id = "dal-karin";
    karin.name = "Karin Dahl";
    karin.org = "dalarna";
    tx.UpsertPerson(karin, At("2026-11-02T09:00:00.000Z"));
    Draft d;
    d.id = 1;
    d.person_id = "dal-karin";
    d.template_id = "dalarna";
    d.status = DraftStatus::kSubmitted;
    tx.SaveDraft(d, "dalarna");
    tx.UpsertRegistration(d, "dalarna", At("2026-11-02T09:00:00.000Z"));
    store::Account a;
    a.registration_id = 1;
    a.org = "dalarna";
    a.medium = "Facebook";
    a.url = "www.facebook.com/folktandvarden";
    a.administrators = {{{"name", "Johan Berg"}, {"email", "johan.berg@ltdalarna.se"}},
                        {{"name", "Sara Nyström"}, {"email", "sara.nystrom@ltdalarna.se"}}};
    a.registered_at = At("2026-11-02T09:00:00.000Z");
    tx.InsertAccount(a);
    tx.Commit();
  }
  void TearDown() override {
    if (app_) app_->Stop(std::chrono::seconds(10));
  }

  void SetClock(const std::string& now) {
    ASSERT_EQ(client_->Post("/test/clock", {{"now", now}}).status, 200);
  }
  // How many of `person`'s messages contain `needle`, once the scheduler has
  // had the time to fire what is due.
  int Count(const std::string& person, const std::string& needle) {
    int n = 0;
    HttpResult feed = client_->Get("/api/messages?person=" + person + "&after=0");
    for (const auto& m : feed.body["messages"]) {
      n += m["text"].get<std::string>().find(needle) != std::string::npos ? 1 : 0;
    }
    return n;
  }
  bool WaitFor(const std::string& person, const std::string& needle, int count = 1) {
    for (int i = 0; i < 200; ++i) {
      if (Count(person, needle) >= count) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }
  void Settle() {  // the scheduler wakes on the clock change; give it a moment
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }

  std::string db_;
  std::unique_ptr<App> app_;
  std::unique_ptr<LoopbackClient> client_;
};

TEST_F(PublicReplyTest, AnUnansweredCommentGoesFromTheHolderToTheDeputyToTheInformationFunction) {
  app::ConversationService& service = app_->Service();
  ASSERT_TRUE(service.CommentAwaitingReply(1, "fb-1001", At("2026-11-23T09:30:00.000Z")));
  EXPECT_FALSE(service.CommentAwaitingReply(1, "fb-1001", At("2026-11-23T09:30:00.000Z")))
      << "reported twice";
  EXPECT_FALSE(service.CommentAwaitingReply(99, "fb-1", At("2026-11-23T09:30:00.000Z")))
      << "no such account";

  const std::string waiting = "En kommentar till kontot Facebook, www.facebook.com/folktandvarden";
  SetClock("2026-11-24T09:00:00+01:00");  // within the working day: nothing yet
  Settle();
  EXPECT_EQ(Count("dal-johan", waiting), 0);
  SetClock("2026-11-24T10:31:00+01:00");
  ASSERT_TRUE(WaitFor("dal-johan", waiting)) << "the account holder, after one working day";
  EXPECT_EQ(Count("dal-sara", waiting), 0);
  // Each administrator's "status" lists the wait; nobody else's does.
  for (const char* admin : {"dal-johan", "dal-sara"}) {
    json status = client_->Say(admin, "status");
    EXPECT_NE(Texts(status).find("Svaret på en kommentar till kontot Facebook"), std::string::npos)
        << admin << ": " << Texts(status);
  }
  EXPECT_EQ(Texts(client_->Say("dal-lena", "status")).find("Svaret på en kommentar"),
            std::string::npos);
  SetClock("2026-11-25T10:32:00+01:00");
  ASSERT_TRUE(WaitFor("dal-sara", "kontoansvarig har inte svarat")) << "then the deputy";
  EXPECT_EQ(Count("dal-lena", waiting), 0);
  SetClock("2026-11-26T10:33:00+01:00");
  ASSERT_TRUE(WaitFor("dal-lena", "kontoansvarig har inte svarat"))
      << "then the information function";
  SetClock("2026-12-10T10:00:00+01:00");
  Settle();
  EXPECT_EQ(Count("dal-johan", waiting), 1) << "each step once";
  EXPECT_EQ(Count("dal-sara", waiting), 1);
  EXPECT_EQ(Count("dal-lena", waiting), 1);
}

TEST_F(PublicReplyTest, BesvaradOrAnAnswerReportedByTheInboxEndsIt) {
  app::ConversationService& service = app_->Service();
  ASSERT_TRUE(service.CommentAwaitingReply(1, "fb-2001", At("2026-11-23T09:30:00.000Z")));
  ASSERT_TRUE(service.CommentAwaitingReply(1, "fb-2002", At("2026-11-23T09:30:00.000Z")));
  EXPECT_TRUE(service.CommentAnswered(1, "fb-2002"));
  EXPECT_FALSE(service.CommentAnswered(1, "fb-2002")) << "already answered";

  SetClock("2026-11-24T10:31:00+01:00");
  ASSERT_TRUE(WaitFor("dal-johan", "En kommentar till kontot"));
  Settle();
  EXPECT_EQ(Count("dal-johan", "En kommentar till kontot"), 1) << "only the unanswered one";
  // Johan presses "Besvarad" under the reminder, as the web chat does.
  json feed = client_->Get("/api/messages?person=dal-johan&after=0").body["messages"];
  json reminder = feed.back();
  json answered;
  for (const auto& b : reminder["buttons"])
    if (b["id"] == "duty_done") answered = b;
  ASSERT_FALSE(answered.is_null()) << reminder.dump();
  EXPECT_EQ(answered["label"], "Besvarad");
  auto r = client_->Post("/api/messages",
                         {{"person", "dal-johan"},
                          {"message_id", reminder["id"]},
                          {"action", {{"id", "duty_done"}, {"value", answered["value"]}}}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_NE(Texts(r.body["messages"]).find("Tack! Det är noterat"), std::string::npos) << r.raw;
  SetClock("2026-12-10T10:00:00+01:00");
  Settle();
  EXPECT_EQ(Count("dal-sara", "En kommentar till kontot"), 0) << "nobody else is asked";
  EXPECT_EQ(Count("dal-lena", "En kommentar till kontot"), 0);
}

}  // namespace
}  // namespace kontobot::testing
