// Strategy: absence cover against the real binary, over the web chat's JSON
// API and the test clock (POST /test/clock), as people use it. A Dalarna
// account administered by Johan and Sara is registered and approved in the
// web chat; Sara reports an absence for January 2027 in plain words, picks
// Johan, and Johan accepts (a press by anyone else is refused). The
// half-yearly screenshots, asked on the first working day (4 January),
// then reach Johan only, and "status" lists the wait for him, not for
// her; the duty's reminder in February reaches Sara again, and the period's
// start and end are in the account's history. Trosa's account has one
// administrator: nobody can cover, so the seed's rule is put to her as a
// choice, her choice is recorded, the information function is told and the
// closing case for posts starts.
#include <gtest/gtest.h>

#include <thread>

#include "tests/e2e/bot_process.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using nlohmann::json;

// The due time of the open row of the screenshots duty, "" if none.
std::string SnapshotDue(Bot& bot) {
  SQLite::Database db(bot.db(), SQLite::OPEN_READONLY);
  SQLite::Statement q(db,
                      "SELECT due_at FROM timers WHERE state = 'open' AND subject LIKE "
                      "'snapshot:%:2027-01-01'");
  return q.executeStep() ? q.getColumn(0).getString() : "";
}

// Polls until the duty's open row is no longer the one due at `due`
// (fired, or deferred to the next opening).
bool RowMoves(Bot& bot, const std::string& due) {
  for (int i = 0; i < 200; ++i) {
    if (SnapshotDue(bot) != due) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

TEST(Absence, DalarnaCoverGetsTheScreenshotsInJanuaryAndTheAbsentOneAgainInFebruary) {
  Bot bot(TempDb());
  bot.Start({"--test-clock", "--test-clock-now", "2026-12-07T09:00:00+01:00"});
  ASSERT_NO_FATAL_FAILURE(RegisterAndApprove(
      bot, "dal-karin", "dalarna",
      {{"forum", "öppet"},
       {"administratorer",
        "Johan Berg, johan.berg@ltdalarna.se\nSara Nyström, sara.nystrom@ltdalarna.se"}}));
  ASSERT_EQ(bot.Count("timers WHERE state = 'open' AND kind = 'snapshot'"), 1);

  // Someone who administers nothing is told so.
  EXPECT_TRUE(Has(Texts(bot.Say("dal-karin", "jag har semester 1-14 juli")),
                  "inte administratör för något konto"));

  // Sara reports, in plain words; the period is understood, so the cover
  // is asked for at once.
  std::string sara = Texts(bot.Say("dal-sara", "Jag är tjänstledig 2027-01-01 till 2027-01-31"));
  ASSERT_TRUE(Has(sara, "Vem ska bevaka kontot")) << sara;
  sara = PressAs(bot, "dal-sara", NewestButton(bot, "dal-sara", "absence_cover", "dal-johan"));
  EXPECT_TRUE(Has(sara, "1 januari 2027 till och med 31 januari 2027")) << sara;
  sara = PressAs(bot, "dal-sara", NewestButton(bot, "dal-sara", "absence_confirm"));
  EXPECT_TRUE(Has(sara, "Johan Berg har fått frågan")) << sara;
  EXPECT_EQ(bot.Count("absences WHERE state = 'requested' AND person = 'dal-sara' AND "
                      "cover = 'dal-johan'"),
            1);

  // Only Johan may answer: the button is on his message alone, and a
  // press of it by Lena is refused as not genuine; nothing changes.
  json accept = NewestButton(bot, "dal-johan", "absence_accept");
  ASSERT_FALSE(accept.is_null()) << Texts(PersonFeed(bot, "dal-johan"));
  auto forged = bot.Post(
      "/api/messages",
      {{"person", "dal-lena"},
       {"message_id", accept["message_id"]},
       {"action", {{"id", accept["button"]["id"]}, {"value", accept["button"]["value"]}}}});
  EXPECT_EQ(forged.status, 409) << forged.raw;
  EXPECT_EQ(bot.Count("absences WHERE state = 'requested'"), 1);
  EXPECT_TRUE(Has(PressAs(bot, "dal-johan", accept), "Du bevakar kontot"));
  EXPECT_TRUE(Has(PressAs(bot, "dal-johan", accept), "redan besvarad")) << "once";
  EXPECT_TRUE(WaitForMessage(bot, "dal-sara", "Johan Berg bevakar kontot"));
  EXPECT_TRUE(WaitForMessage(bot, "dal-lena", "För kännedom: Sara Nyström är borta"));
  EXPECT_EQ(bot.Count("absences WHERE state = 'in_force'"), 1);

  // New Year's Day is a holiday: the screenshots are asked on Monday 4
  // January, of Johan alone.
  ASSERT_NO_FATAL_FAILURE(SetClock(bot, "2027-01-04T08:00:30+01:00"));
  ASSERT_TRUE(WaitForMessage(bot, "dal-johan", "Dags för skärmdumparna"));
  EXPECT_EQ(MessagesContaining(bot, "dal-johan", "Dags för skärmdumparna"), 1);
  EXPECT_EQ(MessagesContaining(bot, "dal-sara", "skärmdumparna"), 0);
  std::string status = Texts(bot.Say("dal-johan", "status"));
  EXPECT_TRUE(Has(status, "Skärmdumparna för kontot")) << status;
  EXPECT_FALSE(Has(Texts(bot.Say("dal-sara", "status")), "Skärmdumparna för kontot"));
  EXPECT_EQ(bot.Count("account_history WHERE event = 'absence.started'"), 1);

  // Nobody confirms: the reminders follow, ten working days apart (moved
  // to the next opening when due after hours); those in January go to
  // Johan, the first in February to Sara again.
  for (int i = 0; i < 10; ++i) {
    const std::string due = SnapshotDue(bot);
    ASSERT_FALSE(due.empty());
    if (due >= "2027-01-31T23:00") break;
    ASSERT_NO_FATAL_FAILURE(SetClock(bot, due));
    ASSERT_TRUE(RowMoves(bot, due)) << due;
  }
  EXPECT_GE(MessagesContaining(bot, "dal-johan", "Påminnelse:"), 1);
  EXPECT_EQ(MessagesContaining(bot, "dal-sara", "skärmdumparna"), 0) << "not in January";
  for (int i = 0; i < 10 && MessagesContaining(bot, "dal-sara", "Påminnelse:") == 0; ++i) {
    const std::string due = SnapshotDue(bot);
    ASSERT_FALSE(due.empty());
    ASSERT_NO_FATAL_FAILURE(SetClock(bot, due));
    ASSERT_TRUE(RowMoves(bot, due)) << due;
  }
  ASSERT_EQ(MessagesContaining(bot, "dal-sara", "Påminnelse:"), 1)
      << "the period is over: Sara is reminded again";
  EXPECT_TRUE(Has(Texts(bot.Say("dal-sara", "status")), "Skärmdumparna för kontot"));
  EXPECT_EQ(bot.Count("account_history WHERE event = 'absence.ended'"), 1);
  EXPECT_EQ(bot.Count("absences WHERE state = 'ended'"), 1);
}

TEST(Absence, TrosaNobodyCanCoverPutsTheRuleAndRecordsTheChoice) {
  Bot bot(TempDb());
  bot.Start({"--test-clock", "--test-clock-now", "2026-12-07T09:00:00+01:00"});
  ASSERT_NO_FATAL_FAILURE(RegisterAndApprove(bot, "tro-sofia", "trosa",
                                             {{"medverkande", "Emma Falk, emma.falk@trosa.se"}}));
  ASSERT_EQ(bot.Get("/register.json").body["accounts"].size(), 1u);

  std::string emma = Texts(bot.Say("tro-emma", "Jag är föräldraledig från 1 mars till 31 augusti"));
  ASSERT_TRUE(Has(emma, "Ersättare: ingen")) << emma;
  emma = PressAs(bot, "tro-emma", NewestButton(bot, "tro-emma", "absence_confirm"));
  EXPECT_TRUE(Has(emma, "bör det stängas ner för inlägg")) << emma;
  json rule = NewestButton(bot, "tro-emma", "absence_rule");
  ASSERT_FALSE(rule.is_null());
  ASSERT_FALSE(NewestButton(bot, "tro-emma", "absence_rule").is_null());
  json for_posts;
  json entirely;
  for (const auto& m : PersonFeed(bot, "tro-emma")) {
    for (const auto& b : m["buttons"]) {
      const std::string v = b["value"];
      if (b["id"] != "absence_rule") continue;
      json found{{"message_id", m["id"]}, {"button", b}};
      if (v.ends_with("|closed_for_posts")) for_posts = found;
      if (v.ends_with("|closed")) entirely = found;
    }
  }
  ASSERT_FALSE(for_posts.is_null());
  ASSERT_FALSE(entirely.is_null()) << "the seed's two choices";
  EXPECT_EQ(bot.Count("absences WHERE state = 'uncovered'"), 1);

  emma = PressAs(bot, "tro-emma", for_posts);
  EXPECT_TRUE(Has(emma, "Noterat: kontot stängs för inlägg")) << emma;
  EXPECT_TRUE(WaitForMessage(bot, "tro-info", "Emma Falk har valt: kontot stängs för inlägg"));
  EXPECT_EQ(bot.Count("account_history WHERE event = 'absence.rule_chosen' AND "
                      "json_extract(detail, '$.outcome') = 'closed_for_posts'"),
            1);
  EXPECT_EQ(bot.Count("account_history WHERE event = 'closing.started' AND "
                      "json_extract(detail, '$.mode') = 'closed_for_posts'"),
            1)
      << "the closing case starts, for posts";
  // The choice is made once.
  EXPECT_TRUE(Has(PressAs(bot, "tro-emma", entirely), "redan avgjort av Emma Falk"));
  EXPECT_EQ(bot.Count("account_history WHERE event = 'absence.rule_chosen'"), 1);
}

}  // namespace
