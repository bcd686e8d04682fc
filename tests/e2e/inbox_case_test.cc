// Strategy: the social inbox's handling case (issue 18, item 4) against the
// real binary, fed by signed Meta webhooks (tests/fakes/webhook_senders.h).
// A listed account is written into the database (Dalarna's Folktandvården,
// administered by Johan and Sara, Lena the information function, Bo the
// security officer; or SMC Småland's page, administered by Rune, Helena at
// the office) and its page linked in chat. The case is driven the way
// people drive it, by the buttons on their case messages and the typed
// "diarienummer K<n> <number>", and what was kept is read from the
// database: the case and its tasks, the audit trail and the account's
// history. Every wait is a poll on what the bot shows or stores.
#include <gtest/gtest.h>

#include "tests/e2e/bot_process.h"
#include "tests/e2e/inbox_account.h"
#include "tests/fakes/webhook_senders.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using nlohmann::json;

constexpr const char* kNow = "2026-04-14T10:00:00+02:00";  // a Tuesday
constexpr int64_t kNowUnix = 1776153600;                   // the same instant

std::vector<std::string> Args() {
  return {"--test-clock", "--test-clock-now",    kNow,        "--meta-app-secret",
          kAppSecret,     "--meta-verify-token", kVerifyToken};
}

void StartDalarna(Bot& bot) {
  bot.Start(Args());
  AddAccount(bot, "dalarna", "dal-karin", "Karin Dahl",
             "[{\"name\":\"Johan Berg\",\"email\":\"johan.berg@ltdalarna.se\"},"
             "{\"name\":\"Sara Nyström\",\"email\":\"sara.nystrom@ltdalarna.se\"}]");
  ASSERT_NE(Texts(bot.Say("dal-lena", "sida 1 " + kPage)).find("hör nu till konto nr 1"),
            std::string::npos);
}

void StartSmc(Bot& bot) {
  bot.Start(Args());
  AddAccount(bot, "smc", "smc-mats", "Mats Olsson",
             R"([{"name":"Rune Ask","email":"rune.ask@smc-smaland.example"}])");
  ASSERT_NE(Texts(bot.Say("smc-kansli", "sida 1 " + kPage)).find("hör nu till konto nr 1"),
            std::string::npos);
}

void Comment(Bot& bot, const std::string& id, const std::string& text, int64_t at = kNowUnix,
             const std::string& page = kPage) {
  const std::string body = MetaComment(page, id, text, at).dump();
  ASSERT_EQ(bot.Request(methods::POST, "/hooks/meta", body, "application/json",
                        MetaHeaders(kAppSecret, body))
                .status,
            200);
}

// The newest case message of `person` (its text), "" if none.
std::string CaseMessage(Bot& bot, const std::string& person) {
  json feed = PersonFeed(bot, person);
  for (auto m = feed.rbegin(); m != feed.rend(); ++m) {
    std::string text = (*m)["text"];
    if (text.find("Hanteringsärende") != std::string::npos) return text;
  }
  return "";
}

// `person`'s button `action` for task `position` of case 1.
json TaskButton(Bot& bot, const std::string& person, const std::string& action, int position) {
  return NewestButton(bot, person, action, "1:" + std::to_string(position));
}

TEST(InboxCase, PersonnummerCaseRunsToRegistrationWithEveryStepRecorded) {
  Bot bot(TempDb());
  StartDalarna(bot);
  const std::string text = "Min dotter 19901211-9948 fick fel tid";
  Comment(bot, "600_1", text);
  ASSERT_TRUE(WaitForMessage(bot, "dal-lena", "Hanteringsärende K1"));
  ASSERT_TRUE(WaitForMessage(bot, "dal-johan", "Hanteringsärende K1"));
  std::string shown = CaseMessage(bot, "dal-johan");
  // Masked everywhere it is shown; the copy is done and said to be.
  EXPECT_NE(shown.find("19901211-XXXX"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("9948"), std::string::npos) << shown;
  EXPECT_NE(shown.find("✓ Spara kommentaren som inkommen handling"), std::string::npos) << shown;
  EXPECT_NE(shown.find("kontobot har sparat originalet"), std::string::npos) << shown;
  EXPECT_NE(shown.find("Kvar: ta bort, registrera"), std::string::npos) << shown;
  // A personnummer alone is not unlawful content: no report (Dalarna 4).
  EXPECT_EQ(shown.find("säkerhetsansvarige"), std::string::npos) << shown;
  EXPECT_EQ(One(bot, "SELECT reason FROM inbox_cases"), "identity_number");

  // Johan removes it on the platform and says so: the wait for an answer ends too.
  std::string said = PressAs(bot, "dal-johan", TaskButton(bot, "dal-johan", "icase_done", 1));
  EXPECT_NE(said.find("Kvar: registrera"), std::string::npos) << said;
  EXPECT_EQ(One(bot, "SELECT state FROM inbox_items"), "hidden");
  ASSERT_TRUE(WaitForMessage(bot, "dal-lena", "Kvar: registrera"));
  // Sara's press afterwards finds it done.
  json sara = TaskButton(bot, "dal-sara", "icase_done", 1);
  EXPECT_TRUE(sara.is_null());

  // Only the information function (or the roles named) registers it.
  EXPECT_NE(Texts(bot.Say("dal-karin", "diarienummer K1 LD 2026/0101")).find("kan inte bekräfta"),
            std::string::npos);
  said = Texts(bot.Say("dal-lena", "diarienummer K1 LD 2026/0101"));
  EXPECT_NE(said.find("LD 2026/0101 är sparat för ärende K1"), std::string::npos) << said;
  EXPECT_NE(said.find("ärendet är avslutat"), std::string::npos) << said;
  EXPECT_EQ(One(bot, "SELECT diarienummer FROM inbox_cases"), "LD 2026/0101");
  EXPECT_EQ(One(bot, "SELECT state FROM inbox_cases"), "closed");
  EXPECT_EQ(One(bot, "SELECT COUNT(*) FROM inbox_case_tasks WHERE state = 'done'"), "3");
  std::string closed = CaseMessage(bot, "dal-johan");
  EXPECT_NE(closed.find("Diarienummer: LD 2026/0101"), std::string::npos) << closed;
  EXPECT_NE(closed.find("Ärendet är avslutat"), std::string::npos) << closed;

  // Every step in the audit trail and the account's history; never the number.
  EXPECT_EQ(One(bot,
                "SELECT group_concat(action, ',') FROM (SELECT action FROM audit WHERE "
                "subject = 'inbox_case:1' ORDER BY id)"),
            "inbox_case.opened,inbox_case.task_done,inbox_case.task_done,"
            "inbox_case.diarienummer,inbox_case.task_done,inbox_case.closed");
  EXPECT_EQ(One(bot, "SELECT COUNT(*) FROM account_history WHERE event LIKE 'inbox_case.%'"), "6");
  EXPECT_EQ(One(bot, "SELECT COUNT(*) FROM audit WHERE detail LIKE '%9948%'"), "0");
  EXPECT_EQ(One(bot, "SELECT COUNT(*) FROM messages WHERE text LIKE '%9948%'"), "0");
  EXPECT_EQ(One(bot, "SELECT text FROM inbox_items"), text);  // the record keeps the original

  // The account's dossier tells it all in sentences, the masked one without
  // the author's name; the number is masked in both, the canonical record
  // of the complete release keeps the original (issue 19, item 1).
  const std::string dir = ::testing::TempDir() + "/inbox_dossier";
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(dir + "-masked");
  std::string log;
  ASSERT_EQ(KontobotCommand("export registration 1 --by dal-lena --to x --pdf=false --out " + dir +
                                " --db " + bot.db(),
                            &log),
            0)
      << log;
  ASSERT_EQ(KontobotCommand("export registration 1 --masked --by dal-lena --to x --pdf=false "
                            "--out " +
                                dir + "-masked --db " + bot.db(),
                            &log),
            0)
      << log;
  const std::string complete = Slurp(dir + "/registration-1.html");
  const std::string masked = Slurp(dir + "-masked/registration-1-masked.html");
  for (const std::string* html : {&complete, &masked}) {
    EXPECT_TRUE(Has(*html, "Inkorgen: kommentarer och meddelanden från allmänheten")) << *html;
    EXPECT_TRUE(Has(*html, "Min dotter 19901211-XXXX fick fel tid")) << *html;
    EXPECT_FALSE(Has(*html, "9948")) << *html;
    EXPECT_TRUE(Has(*html, "Hanteringsärende K1, avslutat, diarienummer LD 2026/0101")) << *html;
    EXPECT_TRUE(Has(*html, "Kontot efter godkännandet")) << *html;
    EXPECT_TRUE(Has(*html,
                    "Hanteringsärende K1 öppnades för en kommentar på kontot Facebook, "
                    "www.facebook.com/konto: den innehöll ett personnummer eller "
                    "samordningsnummer."))
        << *html;
    EXPECT_TRUE(Has(*html,
                    "Johan Berg gjorde steget ”ta bort eller dölja kommentaren” i "
                    "hanteringsärende K1."))
        << *html;
    EXPECT_TRUE(Has(*html,
                    "Lena Sterner registrerade hanteringsärende K1 med diarienummer "
                    "LD 2026/0101."))
        << *html;
    EXPECT_FALSE(Has(*html, "Förteckningen ändrades")) << *html;  // no event without words
  }
  EXPECT_TRUE(Has(complete, "Eva Invånare")) << complete;
  EXPECT_FALSE(Has(masked, "Eva Invånare")) << masked;
  EXPECT_TRUE(Has(masked, "[privatperson 1]")) << masked;
  json record = json::parse(Slurp(dir + "/registration-1.json"));
  ASSERT_EQ(record["inbox"].size(), 1U) << record.dump(2);
  EXPECT_EQ(record["inbox"][0]["text"], text);
  EXPECT_TRUE(Has(record["inbox"][0]["original"].get<std::string>(), "19901211-9948"));
  EXPECT_EQ(record["inbox"][0]["case"]["diarienummer"], "LD 2026/0101");
  EXPECT_EQ(record["account_history"].size(), 6U);
}

TEST(InboxCase, DalarnasThreatIsReportedToTheSecurityOfficerAndNothingIsHiddenByItself) {
  Bot bot(TempDb());
  StartDalarna(bot);
  Comment(bot, "600_2", "Jag ska SPRÄNGA er mottagning");
  ASSERT_TRUE(WaitForMessage(bot, "dal-johan", "Hanteringsärende K1"));
  std::string shown = CaseMessage(bot, "dal-johan");
  EXPECT_NE(shown.find("Träff i ordlistan: hot"), std::string::npos) << shown;
  EXPECT_NE(shown.find("säkerhetsansvarige"), std::string::npos) << shown;
  EXPECT_NE(shown.find("Bo Hedlund"), std::string::npos) << shown;  // config/directory.yaml
  EXPECT_NE(shown.find("Kvar: ta bort, rapportera"), std::string::npos) << shown;
  EXPECT_EQ(One(bot, "SELECT state FROM inbox_items"), "open");
  // The platform says it was hidden: that task is done by the webhook.
  const std::string hide =
      MetaComment(kPage, "600_2", "Jag ska SPRÄNGA er mottagning", kNowUnix + 60, "hide").dump();
  ASSERT_EQ(bot.Request(methods::POST, "/hooks/meta", hide, "application/json",
                        MetaHeaders(kAppSecret, hide))
                .status,
            200);
  ASSERT_TRUE(WaitForMessage(bot, "dal-johan", "Kvar: rapportera"));
  EXPECT_EQ(One(bot, "SELECT done_by FROM inbox_case_tasks WHERE kind = 'remove'"), "platform");
  std::string said = PressAs(bot, "dal-sara", TaskButton(bot, "dal-sara", "icase_done", 2));
  EXPECT_NE(said.find("ärendet är avslutat"), std::string::npos) << said;
  EXPECT_EQ(One(bot, "SELECT state FROM inbox_cases"), "closed");
  EXPECT_EQ(One(bot, "SELECT done_by FROM inbox_case_tasks WHERE kind = 'report'"), "dal-sara");
}

TEST(InboxCase, SmcWordListHitFlagsWithTheCriticismRuleAndHidesNothing) {
  Bot bot(TempDb());
  StartSmc(bot);
  Comment(bot, "700_1", "Ni på SMC är idioter som aldrig lyssnar på medlemmarna");
  ASSERT_TRUE(WaitForMessage(bot, "smc-rune", "Hanteringsärende K1"));
  std::string shown = CaseMessage(bot, "smc-rune");
  EXPECT_NE(shown.find("Träff i ordlistan: personliga påhopp"), std::string::npos) << shown;
  EXPECT_NE(shown.find("MYCKET viktigt att inte ta bort inlägg av karaktären kritik mot SMC"),
            std::string::npos)
      << shown;
  ASSERT_TRUE(WaitForMessage(bot, "smc-kansli", "kritik mot SMC"));
  // Nothing hidden or removed by the hit: the item waits for an answer.
  EXPECT_EQ(One(bot, "SELECT state FROM inbox_items"), "open");
  EXPECT_EQ(One(bot, "SELECT COUNT(*) FROM timers WHERE kind = 'public_reply' AND state = 'open'"),
            One(bot, "SELECT COUNT(*) FROM timers WHERE kind = 'public_reply'"));
  // Rune judges it criticism to answer, not to remove.
  std::string said = PressAs(bot, "smc-rune", TaskButton(bot, "smc-rune", "icase_skip", 1));
  EXPECT_NE(said.find("ärendet är avslutat"), std::string::npos) << said;
  EXPECT_EQ(One(bot, "SELECT state FROM inbox_case_tasks WHERE kind = 'remove'"), "skipped");
  EXPECT_EQ(One(bot, "SELECT state FROM inbox_items"), "open");
  // Plain criticism is no hit at all.
  Comment(bot, "700_2", "SMC sköter det här dåligt");
  ASSERT_TRUE(WaitForMessage(bot, "smc-rune", "SMC sköter det här dåligt"));
  EXPECT_EQ(bot.Count("inbox_cases"), 1);
}

TEST(InboxCase, FlaggaStartsTheCaseWithEveryTaskOfTheSeed) {
  Bot bot(TempDb());
  StartDalarna(bot);
  Comment(bot, "600_3", "Hej, när öppnar ni i morgon?");
  ASSERT_TRUE(WaitForMessage(bot, "dal-johan", "när öppnar ni"));
  EXPECT_EQ(bot.Count("inbox_cases"), 0);
  PressAs(bot, "dal-johan", NewestButton(bot, "dal-johan", "inbox_flag"));
  ASSERT_TRUE(WaitForMessage(bot, "dal-lena", "Hanteringsärende K1"));
  EXPECT_NE(CaseMessage(bot, "dal-lena").find("Kvar: ta bort, registrera, rapportera"),
            std::string::npos);
  EXPECT_EQ(One(bot, "SELECT opened_by FROM inbox_cases"), "dal-johan");
  // A second press starts no second case.
  PressAs(bot, "dal-sara", NewestButton(bot, "dal-sara", "inbox_flag"));
  EXPECT_EQ(bot.Count("inbox_cases"), 1);
}

TEST(InboxCase, StartUpStepAsksForThePageIdAndLinksItSoTheNextCommentLandsOnTheAccount) {
  Bot bot(TempDb());
  bot.Start(Args());
  ASSERT_NO_FATAL_FAILURE(RegisterAndApprove(
      bot, "gis-anna", "gislaved",
      {{"administratorer",
        "Omar Haddad, omar.haddad@gislaved.se\nLisa Åberg, lisa.aberg@gislaved.se"}}));
  ASSERT_EQ(One(bot, "SELECT medium FROM accounts WHERE registration_id = 1"), "Facebook");
  json ask = NewestButton(bot, "gis-anna", "page_id");
  ASSERT_FALSE(ask.is_null());
  EXPECT_NE(ask["text"].get<std::string>().find("Ge kontobot sidans id"), std::string::npos);
  // The reminder's generic "done" for this step asks for the id as well,
  // and leaves the step open.
  json done = ask;
  done["button"]["id"] = "done";
  EXPECT_NE(PressAs(bot, "gis-anna", done).find("bara siffror"), std::string::npos);
  EXPECT_EQ(One(bot, "SELECT status FROM tasks WHERE step_id = 'sidans_id'"), "open");
  EXPECT_NE(PressAs(bot, "gis-anna", ask).find("bara siffror"), std::string::npos);
  // Validated: an address is not an id, and the question stays open.
  std::string said = Texts(bot.Say("gis-anna", "facebook.com/fritid"));
  EXPECT_NE(said.find("ser inte ut som ett sid-id"), std::string::npos) << said;
  EXPECT_EQ(bot.Count("account_pages"), 0);
  said = Texts(bot.Say("gis-anna", "444 555 666"));
  EXPECT_NE(said.find("Sidan 444555666 hör nu till anmälan nr 1"), std::string::npos) << said;
  EXPECT_EQ(One(bot, "SELECT registration_id FROM account_pages WHERE page_id = '444555666'"), "1");
  EXPECT_EQ(One(bot, "SELECT status FROM tasks WHERE step_id = 'sidans_id'"), "done");
  // The next comment on that page reaches the account's administrators.
  Comment(bot, "800_1", "När öppnar fritidsgården?", kNowUnix, "444555666");
  ASSERT_TRUE(WaitForMessage(bot, "gis-omar", "När öppnar fritidsgården?"));
  EXPECT_EQ(One(bot, "SELECT registration_id FROM inbox_items"), "1");
  // "sida" keeps working beside it.
  EXPECT_NE(Texts(bot.Say("gis-info", "sida 1 777888999")).find("hör nu till konto nr 1"),
            std::string::npos);
}

}  // namespace
