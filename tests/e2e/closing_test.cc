// Strategy: an account's life in the register against the real binary,
// over the web chat's JSON API only, as people use it: Gislaved's
// registration is approved and is not listed publicly until the start-up
// step that creates the page is confirmed; then an administrator asks, in
// plain words, for it to be closed; a colleague with no say is told who
// can, a second request while the first is under way is told so, a press on
// someone else's step is refused, and only when Checklista 8's last step
// is done does the account leave the public register. The register export
// (run on the stopped binary's database) shows the closed account with its
// date, reason and who asked, and the history every change. SMC's page is
// closed for posts instead, and stays listed, marked as such.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "tests/e2e/bot_process.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using nlohmann::json;

// Presses every `action` button that reached `person`; returns how many.
int PressAll(Bot& bot, const std::string& person, const std::string& action) {
  int n = 0;
  for (json found = NewestButton(bot, person, action); !found.is_null() && n < 20;
       found = NewestButton(bot, person, action), ++n) {
    PressButton(bot, person, found);
  }
  return n;
}

// Everyone of `org` presses the `actions` buttons that reached them, until
// none is left.
void EveryoneIn(Bot& bot, const std::string& org, const std::vector<std::string>& actions) {
  json orgs = bot.Get("/api/people").body["organisations"];
  for (int round = 0; round < 5; ++round) {
    int pressed = 0;
    for (const auto& o : orgs) {
      if (o["id"] != org) continue;
      for (const auto& p : o["people"]) {
        for (const std::string& a : actions) pressed += PressAll(bot, p["id"], a);
      }
    }
    if (pressed == 0) return;
  }
}

void FillInAndSubmit(Bot& bot, const std::string& person) {
  bot.Say(person, "ny");
  AnswerUntil(bot, person);
  std::string r = Texts(bot.Say(person, "skicka"));
  ASSERT_NE(r.find("är inskickad"), std::string::npos) << r;
}

constexpr const char* kUrl = "https://www.facebook.com/gislavedfritid";

TEST(Closing, GislavedAccountIsListedWhenCreatedAndLeavesTheRegisterWhenChecklistaEightIsDone) {
  std::string db = TempDb();
  {
    Bot bot(db);
    bot.Start();
    FillInAndSubmit(bot, "gis-anna");
    EXPECT_EQ(PressAll(bot, "gis-per", "approve"), 1);
    EXPECT_EQ(PressAll(bot, "gis-eva", "approve"), 1);
    EXPECT_EQ(bot.Get("/register.json").body["accounts"].size(), 0u)
        << "approved, not yet created: not in the public register";
    EXPECT_FALSE(Has(bot.Get("/register?org=gislaved").raw, kUrl));

    // Anna confirms her start-up steps, among them creating the page.
    EXPECT_EQ(PressAll(bot, "gis-anna", "done"), 4);
    EXPECT_EQ(PressAll(bot, "gis-info", "done"), 1) << "the login deposited";
    json listed = bot.Get("/register.json").body["accounts"];
    ASSERT_EQ(listed.size(), 1u) << "created: listed";
    EXPECT_EQ(listed[0]["status"], "listed");
    EXPECT_TRUE(Has(Texts(PersonFeed(bot, "gis-anna")), "finns nu i den offentliga förteckningen"));

    // A colleague with no say is told who can.
    std::string kim = Texts(bot.Say("gis-kim", "avsluta kontot"));
    EXPECT_TRUE(Has(kim, "kontots administratörer")) << kim;
    EXPECT_TRUE(Has(kim, "Jonas Falk på informationsfunktionen")) << kim;

    // An administrator asks; the only account they may close is not asked for.
    std::string omar = Texts(bot.Say("gis-omar", "Hej, jag vill avsluta kontot"));
    EXPECT_TRUE(Has(omar, "Varför ska kontot")) << omar;
    omar = Texts(bot.Say("gis-omar", "Verksamheten har flyttat till webbplatsen"));
    EXPECT_TRUE(Has(omar, "stängs helt")) << omar;
    omar = Texts(PressButton(bot, "gis-omar", NewestButton(bot, "gis-omar", "closing_confirm")));
    EXPECT_TRUE(Has(omar, "Stängningen av kontot")) << omar;
    EXPECT_TRUE(Has(omar, "Ta en skärmdump av kontot innan det avslutas. – Jonas Falk")) << omar;
    EXPECT_TRUE(Has(Texts(PersonFeed(bot, "gis-per")), "För kännedom: Omar Haddad har begärt"))
        << "Omar's manager is told (\"kontakta din chef\")";

    // The other administrator asks at the same time: one closing only.
    bot.Say("gis-lisa", "stäng kontot");
    bot.Say("gis-lisa", "Ingen tid");
    std::string lisa =
        Texts(PressButton(bot, "gis-lisa", NewestButton(bot, "gis-lisa", "closing_confirm")));
    EXPECT_TRUE(Has(lisa, "pågår redan")) << lisa;

    // Somebody else pressing the information function's step is refused.
    json snapshot = NewestButton(bot, "gis-info", "done");
    ASSERT_FALSE(snapshot.is_null());
    PressButton(bot, "gis-kim", snapshot);
    EXPECT_EQ(bot.Get("/register.json").body["accounts"].size(), 1u);

    EXPECT_EQ(PressAll(bot, "gis-omar", "done"), 2);
    EXPECT_EQ(bot.Get("/register.json").body["accounts"].size(), 1u)
        << "still listed until the last step is done";
    EXPECT_EQ(PressAll(bot, "gis-info", "done"), 1);
    EXPECT_EQ(bot.Get("/register.json").body["accounts"].size(), 0u) << "closed: not public";
    EXPECT_FALSE(Has(bot.Get("/register?org=gislaved").raw, kUrl));
    EXPECT_TRUE(Has(Texts(PersonFeed(bot, "gis-info")), "är stängt och finns inte längre"));
    bot.Kill(SIGTERM);
  }
  std::string out = ::testing::TempDir() + "/closing-register";
  std::filesystem::remove_all(out);
  std::string cmd = ExportRegisterCommand(db, out);
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  json reg = json::parse(Slurp(out + "/register.json"));
  ASSERT_EQ(reg["accounts"].size(), 1u) << "the internal register keeps every account";
  EXPECT_EQ(reg["accounts"][0]["status"], "closed");
  EXPECT_EQ(reg["accounts"][0]["close_reason"], "Verksamheten har flyttat till webbplatsen");
  EXPECT_EQ(reg["accounts"][0]["closed_by_name"], "Omar Haddad");
  EXPECT_FALSE(reg["accounts"][0]["closed_at"].get<std::string>().empty());
  std::string csv = Slurp(out + "/register.csv");
  EXPECT_TRUE(Has(csv, "Stängt")) << csv;
  EXPECT_TRUE(Has(csv, "Verksamheten har flyttat till webbplatsen")) << csv;
  // The case's dossier shows the closing's steps, who confirmed them and
  // the event log's sentences.
  std::filesystem::remove_all(out + "-case");
  std::string export_case = BotBinary() + " export registration 1 --by gis-info --to x " +
                            "--pdf=false --out " + out + "-case --db " + db + " --templates " +
                            KONTOBOT_SOURCE_DIR + "/config/templates --messages " +
                            KONTOBOT_SOURCE_DIR + "/config/messages --directory " +
                            KONTOBOT_SOURCE_DIR + "/config/directory.yaml > /dev/null 2>&1";
  ASSERT_EQ(std::system(export_case.c_str()), 0);
  std::string dossier = Slurp(out + "-case/registration-1.html");
  EXPECT_TRUE(Has(dossier, "Stängning av kontot")) << "the closing's section";
  EXPECT_TRUE(Has(dossier, "Ta en skärmdump av kontot innan det avslutas.")) << "its steps";
  EXPECT_TRUE(Has(dossier, "Omar Haddad begärde att kontot stängs")) << "the event log";
  std::string history = Slurp(out + "/register-history.csv");
  for (const char* said :
       {"fördes in i förteckningen", "är skapat och fördes in i den offentliga förteckningen",
        "Omar Haddad begärde att kontot", "stängdes (orsak: Verksamheten har flyttat"}) {
    EXPECT_TRUE(Has(history, said)) << said << "\n" << history;
  }
}

TEST(Closing, TwoAdministratorsConfirmingAtOnceStartOneClosing) {
  Bot bot(TempDb());
  bot.Start();
  FillInAndSubmit(bot, "gis-anna");
  EveryoneIn(bot, "gislaved", {"approve", "done"});
  ASSERT_EQ(bot.Get("/register.json").body["accounts"].size(), 1u);
  bot.Say("gis-lisa", "Vi vill ta bort kontot");
  bot.Say("gis-lisa", "Ingen har tid");
  // Omar starts from the buttons an unclear message gets.
  bot.Say("gis-omar", "Vad är klockan?");
  json start = NewestButton(bot, "gis-omar", "intent", "close_account");
  ASSERT_FALSE(start.is_null());
  EXPECT_TRUE(Has(Texts(PressButton(bot, "gis-omar", start)), "Varför ska kontot"));
  bot.Say("gis-omar", "Ingen har tid");
  json omar = NewestButton(bot, "gis-omar", "closing_confirm");
  json lisa = NewestButton(bot, "gis-lisa", "closing_confirm");
  ASSERT_FALSE(omar.is_null());
  ASSERT_FALSE(lisa.is_null());
  std::string omar_said, lisa_said;
  {
    // Each request has its own HTTP client: the presses race on the server.
    std::thread a([&] { omar_said = Texts(PressButton(bot, "gis-omar", omar)); });
    std::thread b([&] { lisa_said = Texts(PressButton(bot, "gis-lisa", lisa)); });
    a.join();
    b.join();
  }
  EXPECT_EQ(bot.Count("tasks WHERE kind = 'closing'"), 3) << "one closing: Checklista 8's steps";
  EXPECT_NE(Has(omar_said, "pågår redan"), Has(lisa_said, "pågår redan"))
      << "exactly one is told: " << omar_said << "\n---\n"
      << lisa_said;
}

TEST(Closing, SmcPageClosedForPostsStaysListedMarkedAsSuch) {
  Bot bot(TempDb());
  bot.Start();
  FillInAndSubmit(bot, "smc-mats");
  EveryoneIn(bot, "smc", {"approve", "accept"});
  ASSERT_EQ(bot.Get("/register.json").body["accounts"].size(), 1u)
      << "SMC's seed has no step creating the page: listed at approval";
  std::string mats = Texts(bot.Say("smc-mats", "Vi vill lägga ner sidan"));
  EXPECT_TRUE(Has(mats, "Varför")) << mats;
  mats = Texts(bot.Say("smc-mats", "Ingen hinner bevaka den"));
  EXPECT_TRUE(Has(mats, "informationssida")) << mats;
  PressButton(bot, "smc-mats", NewestButton(bot, "smc-mats", "closing_mode", "closed_for_posts"));
  PressButton(bot, "smc-mats", NewestButton(bot, "smc-mats", "closing_confirm"));
  EveryoneIn(bot, "smc", {"done"});
  json accounts = bot.Get("/register.json").body["accounts"];
  ASSERT_EQ(accounts.size(), 1u) << "closed for posts: still public";
  EXPECT_EQ(accounts[0]["status"], "closed_for_posts");
  EXPECT_TRUE(Has(bot.Get("/register?org=smc").raw, "Stängt för inkommande inlägg"));
}

TEST(Closing, TheInactivityNudgesCloseButtonLeadsIntoTheClosingCase) {
  Bot bot(TempDb());
  bot.Start({"--test-clock", "--test-clock-now", "2026-11-23T09:00:00+01:00"});
  FillInAndSubmit(bot, "smc-mats");
  EveryoneIn(bot, "smc", {"approve", "accept"});
  ASSERT_EQ(bot.Get("/register.json").body["accounts"].size(), 1u);
  // SMC's inactivity policy: six months without a sign of life.
  ASSERT_EQ(bot.Post("/test/clock", {{"now", "2027-06-01T10:00:00+02:00"}}).status, 200);
  json close;
  std::string who;
  json orgs = bot.Get("/api/people").body["organisations"];
  for (int i = 0; i < 200 && close.is_null(); ++i) {
    for (const auto& o : orgs) {
      for (const auto& p : o["people"]) {
        if (!close.is_null()) break;
        close = NewestButton(bot, p["id"], "duty_close");
        who = p["id"];
      }
    }
    if (close.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_FALSE(close.is_null()) << "nobody got the inactivity nudge";
  std::string r = Texts(PressButton(bot, who, close));
  EXPECT_TRUE(Has(r, "informationssida")) << "SMC's choice is asked, not which account: " << r;
  json mode = NewestButton(bot, who, "closing_mode", "closed_for_posts");
  ASSERT_FALSE(mode.is_null()) << r;
  r = Texts(PressButton(bot, who, mode));
  EXPECT_TRUE(Has(r, "Orsak: inaktivt")) << "the reason comes with the nudge: " << r;
  r = Texts(PressButton(bot, who, NewestButton(bot, who, "closing_confirm")));
  EXPECT_TRUE(Has(r, "Stängningen av kontot")) << r;
}

}  // namespace
