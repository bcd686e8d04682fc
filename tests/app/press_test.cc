// Strategy: the whole composition (App, not started: no threads, no
// listener) over a real SQLite file with the shipped configuration, and
// ConversationService::Press called as the platforms call it. Messages a
// platform could name are put in the store directly, so that each of the
// check's rules is the only thing between a press and its effect.
#include <gtest/gtest.h>

#include <spdlog/sinks/null_sink.h>

#include "handlers/app.h"
#include "handlers/http_server.h"
#include "store/clock_format.h"
#include "tests/app/thread_pool.h"
#include "tests/e2e/bot_process.h"

namespace kontobot::testing {
namespace {

using app::ConversationService;
using handlers::App;

class PressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SizeThreadPoolOnce();  // before any cpprestsdk object
    config::Options o;
    o.command = "serve";
    o.db = TempDb();
    o.templates = std::string(KONTOBOT_SOURCE_DIR) + "/config/templates";
    o.messages = std::string(KONTOBOT_SOURCE_DIR) + "/config/messages";
    o.directory = std::string(KONTOBOT_SOURCE_DIR) + "/config/directory.yaml";
    auto log =
        std::make_shared<spdlog::logger>("press", std::make_shared<spdlog::sinks::null_sink_mt>());
    app_ = App::Create(o, log);
    ASSERT_TRUE(app_);
    karin_.id = "dal-karin";
    karin_.name = "Karin Dahl";
    karin_.org = "dalarna";
  }

  // A message to (direction "out") or from ("in") Karin offering the
  // welcome's buttons; returns it as stored.
  store::StoredMessage Put(const std::string& direction) {
    store::StoredMessage m;
    m.at = *store::ParseUtc("2026-12-01T09:00:00.000Z");
    m.person_id = karin_.id;
    m.channel = "slack";
    m.direction = direction;
    m.text = "Välj";
    m.buttons = Service().Welcome(karin_).buttons;
    store::Transaction tx(app_->Store());
    tx.UpsertPerson(karin_, m.at);
    m.id = tx.AppendMessage(m);
    auto stored = tx.LoadMessage(m.id);
    tx.Commit();
    return *stored;
  }

  ConversationService::Pressed PressOf(const store::StoredMessage& m) {
    const Button& b = m.buttons.front();
    return {MessageId(m.id), m.marker, b.id, b.value, ""};
  }

  int64_t Messages() {
    store::Transaction tx(app_->Store());
    return static_cast<int64_t>(tx.Messages(karin_.id, 0, 1000).size());
  }

  ConversationService& Service() { return app_->Service(); }

  std::unique_ptr<App> app_;
  Person karin_;
};

TEST_F(PressTest, AButtonOfKontobotsOwnMessageIsPressedWithItsLabelAsEcho) {
  store::StoredMessage m = Put("out");
  ASSERT_FALSE(m.buttons.empty());
  auto handled = Service().Press(karin_, "slack", PressOf(m));
  ASSERT_TRUE(handled);
  ASSERT_FALSE(handled->empty());
  EXPECT_EQ(handled->front().direction, "in");
  EXPECT_EQ(handled->front().text, m.buttons.front().label);
}

TEST_F(PressTest, AMessageThePersonSentIsNoButtonsMessageEvenIfItNamesThem) {
  // The Slack copy of the check once lacked the direction test.
  store::StoredMessage m = Put("in");
  const int64_t before = Messages();
  EXPECT_FALSE(Service().Press(karin_, "slack", PressOf(m)));
  EXPECT_EQ(Messages(), before);  // nothing stored
}

TEST_F(PressTest, AnotherInstallationsMessageWithTheSameIdIsNotOurs) {
  store::StoredMessage m = Put("out");
  ConversationService::Pressed p = PressOf(m);
  p.marker = "0123456789abcdef";
  EXPECT_FALSE(Service().Press(karin_, "slack", p));
  p.marker = m.marker;
  EXPECT_TRUE(Service().Press(karin_, "slack", p));
}

TEST_F(PressTest, AButtonTheMessageDoesNotOfferIsRefused) {
  store::StoredMessage m = Put("out");
  ConversationService::Pressed p = PressOf(m);
  p.value = "forged";
  EXPECT_FALSE(Service().Press(karin_, "slack", p));
}

TEST_F(PressTest, SomebodyElsesMessageIsNotTheirsToPress) {
  store::StoredMessage m = Put("out");
  Person erik;
  erik.id = "dal-erik";
  erik.org = "dalarna";
  EXPECT_FALSE(Service().Press(erik, "slack", PressOf(m)));
}

TEST_F(PressTest, ADecisionButtonMustBeOnAMessageAboutThatTask) {
  store::StoredMessage m = Put("out");
  const int64_t before = Messages();
  EXPECT_FALSE(
      Service().Press(karin_, "slack", {MessageId(m.id), m.marker, "approve", "task:1", ""}));
  EXPECT_EQ(Messages(), before);
}

TEST_F(PressTest, TheWelcomeIsPressableInTheWebChatOnly) {
  Reply welcome = Service().Welcome(karin_);
  ASSERT_FALSE(welcome.buttons.empty());
  const Button& b = welcome.buttons.front();
  // Message 0 is the unstored welcome; a platform that names messages by
  // marker (Slack) has no welcome to press.
  EXPECT_FALSE(Service().Press(karin_, "slack", {MessageId(0), std::string(), b.id, b.value, ""}));
  EXPECT_TRUE(Service().Press(karin_, "webchat", {MessageId(0), std::nullopt, b.id, b.value, ""}));
}

TEST_F(PressTest, ARepeatedPressChangesNothing) {
  store::StoredMessage m = Put("out");
  auto key = std::make_pair(std::string("slack-action"), std::string("A1"));
  auto first = Service().Press(karin_, "slack", PressOf(m), key);
  ASSERT_TRUE(first);
  const int64_t after = Messages();
  auto again = Service().Press(karin_, "slack", PressOf(m), key);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(Messages(), after);
}

// Issue 16: a platform names the presser by its own user id. PressBy finds
// the person (here by the e-mail address the platform gave for them, in
// the same transaction as the press) and acts, or tells an unknown user
// once, whatever the platform.
TEST_F(PressTest, APressByAPlatformUserIsThePersonTheirAddressNames) {
  store::StoredMessage m = Put("out");
  {
    store::Transaction tx(app_->Store());
    tx.SetPlatformUserEmail("slack", "U-KARIN", "Karin.Dahl@ltdalarna.se", m.at);
    tx.Commit();
  }
  const int64_t before = Messages();
  EXPECT_EQ(Service().PressBy("slack", PlatformUserId("U-KARIN"), "D-KARIN", PressOf(m),
                              {"slack-action", "A1"}),
            ConversationService::PressOutcome::kPressed);
  EXPECT_GT(Messages(), before);
  ConversationService::Pressed forged = PressOf(m);
  forged.value = "forged";
  EXPECT_EQ(Service().PressBy("slack", PlatformUserId("U-KARIN"), "D-KARIN", forged,
                              {"slack-action", "A2"}),
            ConversationService::PressOutcome::kNotGenuine);
}

TEST_F(PressTest, AnUnknownPlatformUserIsToldOnceAndNothingIsPressed) {
  store::StoredMessage m = Put("out");
  const int64_t before = Messages();
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Service().PressBy("slack", PlatformUserId("U-NOBODY"), "D-NOBODY", PressOf(m),
                                {"slack-action", "A1"}),
              ConversationService::PressOutcome::kUnknownPerson);
  }
  EXPECT_EQ(Messages(), before);
  store::Transaction tx(app_->Store());
  std::vector<store::OutboxItem> due =
      tx.DueOutbox(std::chrono::system_clock::now() + std::chrono::hours(1), 10);
  ASSERT_EQ(due.size(), 1u) << "told once, also when the press is repeated";
  EXPECT_EQ(due[0].kind, "notice");
  EXPECT_EQ(due[0].payload.value("channel", ""), "D-NOBODY");
  EXPECT_NE(due[0].payload.value("text", "").find("katalogen"), std::string::npos)
      << due[0].payload.dump();
}

}  // namespace
}  // namespace kontobot::testing
