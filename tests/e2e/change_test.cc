// Strategy: changing a running account against the real binary, over the
// web chat's JSON API and the test clock, as people use it. Gislaved's
// account is registered with Omar and Lisa as administrators and listed;
// a colleague with no say is told who can; Omar's "ta bort Lisa som
// administratör" is refused (the seed's two administrators at least);
// Anna replaces Lisa with Kim in plain words and buttons. Then the
// information function is told (Gislaved: "Byter ni ... administratör för
// kontot ska detta meddelas till informationsfunktionen"), Kim and Lisa
// are told, the register export (run on the stopped binary's database)
// lists Kim and not Lisa and its history says who changed what, and the
// half-yearly snapshot on 4 January reaches Kim, not Lisa. Two people
// confirming removals of different administrators at the same moment end
// with one applied and one refused (the minimum holds); Dalarna's new
// administrator accepts before the change applies.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "tests/e2e/bot_process.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using nlohmann::json;

// `person`'s administrator button for `name` on the newest "which
// administrator" question.
json AdminButton(Bot& bot, const std::string& person, const std::string& name) {
  json feed = PersonFeed(bot, person);
  for (auto m = feed.rbegin(); m != feed.rend(); ++m) {
    for (const auto& b : (*m)["buttons"]) {
      if (b["id"] == "change_pick" && b["label"] == name)
        return {{"message_id", (*m)["id"]}, {"button", b}, {"text", (*m)["text"]}};
    }
  }
  return nullptr;
}

const std::map<std::string, std::string> kGislaved = {
    {"administratorer",
     "Omar Haddad, omar.haddad@gislaved.se\nLisa Åberg, lisa.aberg@gislaved.se"}};

TEST(Change, GislavedAdministratorReplacedInChatReachesTheRegisterAndTheNextReminder) {
  std::string db = TempDb();
  {
    Bot bot(db);
    bot.Start({"--test-clock", "--test-clock-now", "2026-12-07T09:00:00+01:00"});
    ASSERT_NO_FATAL_FAILURE(RegisterAndApprove(bot, "gis-anna", "gislaved", kGislaved));
    ASSERT_EQ(bot.Get("/register.json").body["accounts"].size(), 1u) << "listed";

    // Kim has no say yet: told who can.
    std::string kim = Texts(bot.Say("gis-kim", "Jag vill byta administratör"));
    EXPECT_TRUE(Has(kim, "kontots administratörer")) << kim;
    EXPECT_TRUE(Has(kim, "Jonas Falk på informationsfunktionen")) << kim;

    // Removing one of the two is refused with the reason.
    std::string omar = Texts(bot.Say("gis-omar", "ta bort Lisa som administratör"));
    EXPECT_TRUE(Has(omar, "minst 2 administratörer")) << omar;

    // Anna replaces Lisa with Kim.
    std::string anna = Texts(bot.Say("gis-anna", "Jag vill byta administratör"));
    ASSERT_TRUE(Has(anna, "Vem ska bytas ut")) << anna;
    anna = PressAs(bot, "gis-anna", AdminButton(bot, "gis-anna", "Lisa Åberg"));
    ASSERT_TRUE(Has(anna, "Vem ska ersätta Lisa Åberg")) << anna;
    anna = Texts(bot.Say("gis-anna", "Kim Nilsson, kim.nilsson@gislaved.se"));
    ASSERT_TRUE(Has(anna, "ersätts av Kim Nilsson")) << anna;
    EXPECT_TRUE(Has(anna, "Ändringen meddelas till: Jonas Falk")) << anna;
    anna = PressAs(bot, "gis-anna", NewestButton(bot, "gis-anna", "change_confirm"));
    EXPECT_TRUE(Has(anna, "Klart: kontot")) << anna;

    EXPECT_TRUE(WaitForMessage(bot, "gis-info", "För kännedom: Anna Berg har ändrat kontot"));
    EXPECT_TRUE(WaitForMessage(bot, "gis-kim", "Du är nu administratör"));
    EXPECT_TRUE(WaitForMessage(bot, "gis-lisa", "Du är inte längre administratör"));
    EXPECT_EQ(bot.Count("account_changes WHERE state = 'applied'"), 1);
    EXPECT_EQ(bot.Count("account_history WHERE event = 'register.changed' AND by = 'gis-anna'"), 1);
    EXPECT_EQ(bot.Count("audit WHERE action = 'register.changed' AND actor = 'gis-anna'"), 1);

    // Kim may now change the account himself; Lisa no longer may.
    EXPECT_TRUE(Has(Texts(bot.Say("gis-lisa", "lägg till en admin")), "kontots administratörer"));

    // The half-yearly snapshot (New Year's Day a holiday: Monday 4
    // January) reaches the administrators as the register holds them now.
    ASSERT_NO_FATAL_FAILURE(SetClock(bot, "2027-01-04T08:00:30+01:00"));
    ASSERT_TRUE(WaitForMessage(bot, "gis-kim", "Dags för ögonblicksbilden"));
    EXPECT_TRUE(WaitForMessage(bot, "gis-omar", "Dags för ögonblicksbilden"));
    EXPECT_EQ(MessagesContaining(bot, "gis-lisa", "ögonblicksbilden"), 0);
    bot.Kill(SIGTERM);
  }
  std::string out = ::testing::TempDir() + "/change-register";
  std::filesystem::remove_all(out);
  std::string cmd = ExportRegisterCommand(db, out);
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string csv = Slurp(out + "/register.csv");
  EXPECT_TRUE(Has(csv, "Kim Nilsson")) << csv;
  EXPECT_TRUE(Has(csv, "Omar Haddad")) << csv;
  EXPECT_FALSE(Has(csv, "Lisa Åberg")) << csv;
  std::string history = Slurp(out + "/register-history.csv");
  EXPECT_TRUE(Has(history, "ändrades av Anna Berg: Administratören Lisa Åberg")) << history;
}

TEST(Change, TwoRemovalsConfirmedAtOnceEndWithOneAppliedAndTheMinimumKept) {
  Bot bot(TempDb());
  bot.Start();
  ASSERT_NO_FATAL_FAILURE(
      RegisterAndApprove(bot, "gis-anna", "gislaved",
                         {{"administratorer",
                           "Omar Haddad, omar.haddad@gislaved.se\nLisa Åberg, "
                           "lisa.aberg@gislaved.se\nKim Nilsson, kim.nilsson@gislaved.se"}}));
  // Anna (who registered it) removes Lisa, the information function
  // removes Kim: each alone leaves two, and both stay entitled to ask.
  bot.Say("gis-anna", "ta bort en administratör");
  PressAs(bot, "gis-anna", AdminButton(bot, "gis-anna", "Lisa Åberg"));
  bot.Say("gis-info", "ta bort en administratör");
  PressAs(bot, "gis-info", AdminButton(bot, "gis-info", "Kim Nilsson"));
  json anna = NewestButton(bot, "gis-anna", "change_confirm");
  json info = NewestButton(bot, "gis-info", "change_confirm");
  ASSERT_FALSE(anna.is_null());
  ASSERT_FALSE(info.is_null());
  std::string anna_said, info_said;
  {
    // Each request has its own HTTP client: the presses race on the server.
    std::thread a([&] { anna_said = PressAs(bot, "gis-anna", anna); });
    std::thread b([&] { info_said = PressAs(bot, "gis-info", info); });
    a.join();
    b.join();
  }
  EXPECT_EQ(bot.Count("account_changes WHERE state = 'applied'"), 1);
  EXPECT_EQ(bot.Count("account_changes WHERE state = 'refused'"), 1);
  EXPECT_NE(Has(anna_said, "minst 2 administratörer"), Has(info_said, "minst 2 administratörer"))
      << "exactly one is refused, with the reason: " << anna_said << "\n---\n"
      << info_said;
  EXPECT_NE(Has(anna_said, "Klart: kontot"), Has(info_said, "Klart: kontot"));
  json accounts = json::parse([&] {
    SQLite::Database db(bot.db(), SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT administrators FROM accounts").getString();
  }());
  EXPECT_EQ(accounts.size(), 2u) << accounts.dump();
  EXPECT_EQ(bot.Count("accounts WHERE version = 1"), 1) << "one write";
}

TEST(Change, DalarnasNewAdministratorAcceptsBeforeTheRegisterChanges) {
  Bot bot(TempDb());
  bot.Start();
  ASSERT_NO_FATAL_FAILURE(RegisterAndApprove(
      bot, "dal-karin", "dalarna",
      {{"forum", "öppet"},
       {"administratorer",
        "Johan Berg, johan.berg@ltdalarna.se\nSara Nyström, sara.nystrom@ltdalarna.se"}}));
  std::string sara = Texts(bot.Say("dal-sara", "lägg till Anders som admin"));
  ASSERT_TRUE(Has(sara, "Vem ska bli ny administratör")) << sara;
  sara = Texts(bot.Say("dal-sara", "Anders Sjöberg, anders.sjoberg@ltdalarna.se"));
  EXPECT_TRUE(Has(sara, "godkänner uppdraget i chatten")) << sara;
  sara = PressAs(bot, "dal-sara", NewestButton(bot, "dal-sara", "change_confirm"));
  EXPECT_TRUE(Has(sara, "Anders Sjöberg har fått frågan")) << sara;
  EXPECT_EQ(bot.Count("account_changes WHERE state = 'awaiting_acceptance'"), 1);
  EXPECT_EQ(bot.Count("accounts WHERE version = 0"), 1) << "not yet changed";
  json accept = NewestButton(bot, "dal-anders", "change_accept");
  ASSERT_FALSE(accept.is_null());
  EXPECT_TRUE(Has(accept["text"].get<std::string>(), "Jag/vi godkänner detta uppdrag"))
      << "the form's statement";
  EXPECT_TRUE(Has(PressAs(bot, "dal-anders", accept), "Du är nu administratör"));
  EXPECT_TRUE(Has(PressAs(bot, "dal-anders", accept), "redan besvarad")) << "once";
  EXPECT_EQ(bot.Count("account_changes WHERE state = 'applied'"), 1);
  EXPECT_EQ(bot.Count("accounts WHERE version = 1"), 1);
  EXPECT_TRUE(WaitForMessage(bot, "dal-sara", "Klart: kontot"));
  EXPECT_TRUE(WaitForMessage(bot, "dal-lena", "För kännedom: Sara Nyström har ändrat kontot"));
}

TEST(Change, AnAbsenceEndedEarlyGivesTheRemindersBackAndTellsTheCover) {
  Bot bot(TempDb());
  bot.Start({"--test-clock", "--test-clock-now", "2026-12-07T09:00:00+01:00"});
  ASSERT_NO_FATAL_FAILURE(RegisterAndApprove(
      bot, "dal-karin", "dalarna",
      {{"forum", "öppet"},
       {"administratorer",
        "Johan Berg, johan.berg@ltdalarna.se\nSara Nyström, sara.nystrom@ltdalarna.se"}}));
  bot.Say("dal-sara", "Jag är tjänstledig 2026-12-08 till 2027-01-31");
  PressAs(bot, "dal-sara", NewestButton(bot, "dal-sara", "absence_cover", "dal-johan"));
  PressAs(bot, "dal-sara", NewestButton(bot, "dal-sara", "absence_confirm"));
  PressAs(bot, "dal-johan", NewestButton(bot, "dal-johan", "absence_accept"));
  ASSERT_EQ(bot.Count("absences WHERE state = 'in_force'"), 1);
  ASSERT_NO_FATAL_FAILURE(SetClock(bot, "2026-12-14T09:00:00+01:00"));
  std::string sara = Texts(bot.Say("dal-sara", "Jag är tillbaka!"));
  EXPECT_TRUE(Has(sara, "Välkommen tillbaka")) << sara;
  EXPECT_TRUE(Has(sara, "Johan Berg har fått besked")) << sara;
  EXPECT_TRUE(WaitForMessage(bot, "dal-johan", "Sara Nyström är tillbaka"));
  EXPECT_EQ(bot.Count("absences WHERE state = 'in_force'"), 0);
  EXPECT_EQ(bot.Count("account_history WHERE event = 'absence.ended_early'"), 1);
  // The screenshots on 4 January reach Sara again, Johan as an
  // administrator too, each once.
  ASSERT_NO_FATAL_FAILURE(SetClock(bot, "2027-01-04T08:00:30+01:00"));
  EXPECT_TRUE(WaitForMessage(bot, "dal-sara", "Dags för skärmdumparna"));
  EXPECT_TRUE(Has(Texts(bot.Say("dal-sara", "avbryt min frånvaro")), "ingen anmäld frånvaro"));
}

// SMC: "såvida distriktsstyrelsen gett klartecken till administratör". A
// new administrator applies once the district board (Rune's superior) has
// given the go-ahead; nobody else may give it.
TEST(Change, SmcsDistrictBoardGivesTheNewAdministratorTheGoAhead) {
  Bot bot(TempDb());
  bot.Start();
  ASSERT_NO_FATAL_FAILURE(RegisterAndApprove(
      bot, "smc-mats", "smc", {{"administratorer", "Rune Ask, rune.ask@smc-smaland.example"}}));
  std::string rune = Texts(bot.Say("smc-rune", "lägg till Mats som admin"));
  ASSERT_TRUE(Has(rune, "Vem ska bli ny administratör")) << rune;
  bot.Say("smc-rune", "Mats Olsson, mats.olsson@smc-smaland.example");
  rune = PressAs(bot, "smc-rune", NewestButton(bot, "smc-rune", "change_confirm"));
  EXPECT_TRUE(Has(rune, "Birgitta Ek har fått frågan om klartecken")) << rune;
  EXPECT_EQ(bot.Count("account_changes WHERE state = 'awaiting_acceptance'"), 1);
  EXPECT_EQ(bot.Count("accounts WHERE version = 0"), 1) << "not before the go-ahead";
  json go = NewestButton(bot, "smc-board", "change_accept");
  ASSERT_FALSE(go.is_null()) << Texts(PersonFeed(bot, "smc-board"));
  EXPECT_TRUE(Has(go["text"].get<std::string>(), "Ger du klartecken")) << go.dump();
  auto forged =
      bot.Post("/api/messages",
               {{"person", "smc-mats"},
                {"message_id", go["message_id"]},
                {"action", {{"id", go["button"]["id"]}, {"value", go["button"]["value"]}}}});
  EXPECT_EQ(forged.status, 409) << "not Mats's to give: " << forged.raw;
  EXPECT_EQ(bot.Count("accounts WHERE version = 0"), 1);
  PressAs(bot, "smc-board", go);
  EXPECT_EQ(bot.Count("account_changes WHERE state = 'applied'"), 1);
  EXPECT_EQ(bot.Count("accounts WHERE version = 1"), 1);
  EXPECT_TRUE(WaitForMessage(bot, "smc-rune", "Klart: kontot"));
  EXPECT_TRUE(WaitForMessage(bot, "smc-kansli", "För kännedom: Rune Ask har ändrat kontot"));
}

}  // namespace
