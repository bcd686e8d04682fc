// Strategy: public records as a registrar uses them, against the real
// binary. One Gislaved case is walked once over HTTP (a rejection and a
// second submission, a private person among the daily administrators with a
// private e-mail address and phone number, a personnummer and awkward
// characters in free text, then approval and every start-up step); the
// tests then run `kontobot diary` and `kontobot export ...` on the stopped
// bot's database and read back the files the binary writes: the dossier
// (complete and masked), the register, the release log, and bad input.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <fstream>
#include <regex>

#include "tests/e2e/bot_process.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using nlohmann::json;

json FindButton(Bot& bot, const std::string& person, const std::string& action) {
  json feed = PersonFeed(bot, person);
  for (auto m = feed.rbegin(); m != feed.rend(); ++m) {
    for (const auto& b : (*m)["buttons"]) {
      if (b["id"] == action) return {{"message_id", (*m)["id"]}, {"button", b}};
    }
  }
  return nullptr;
}

constexpr const char* kPrivateName = "Kalle Privatsson";
constexpr const char* kPrivateEmail = "kalle.p@example.com";
constexpr const char* kPrivatePhone = "070-123 45 67";
constexpr const char* kPersonnummer = "19821105-9954";

class Records : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(::testing::TempDir() + "/records_case.db");
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(*db_ + suffix);
    Bot bot(*db_);
    bot.Start();
    std::map<std::string, std::string> answers{
        // An administrator whose only contact is a phone number.
        {"administratorer", std::string("Omar Haddad, omar.haddad@gislaved.se\n") + kPrivateName +
                                ", " + kPrivatePhone},
        {"daglig_drift", std::string("Omar Haddad, omar.haddad@gislaved.se\n") + kPrivateName +
                             ", " + kPrivateEmail},
        {"syfte",
         "=HYPERLINK(\"http://x\") *Fritid* för unga, kontakt " + std::string(kPersonnummer)},
        {"ovrigt", "Text med \x01kontrolltecken\x7f, <b>markup</b> & עברית RTL"}};
    bot.Say("gis-anna", "ny");
    for (int i = 0; i < 60; ++i) {
      json last = PersonFeed(bot, "gis-anna").back();
      if (last["input"].empty()) break;
      auto o = answers.find(last["input"].value("step", ""));
      bot.Say("gis-anna", o != answers.end() ? o->second : AnswerTo(last));
    }
    bot.Say("gis-anna", "skicka");
    PressFound(bot, "gis-per", FindButton(bot, "gis-per", "reject"));
    bot.Say("gis-per", "Målgruppen är för vag – ange åldersgrupp.");
    PressFound(bot, "gis-anna", FindButton(bot, "gis-anna", "resume"));
    bot.Say("gis-anna", "5");
    bot.Say("gis-anna", "Ungdomar 13–19 år i Gislaved");
    bot.Say("gis-anna", "skicka");
    for (int round = 0; round < 10; ++round) {
      bool any = false;
      for (const char* person : {"gis-per", "gis-eva", "gis-anna", "gis-info"}) {
        for (const char* action : {"approve", "done"}) {
          json found = FindButton(bot, person, action);
          if (found.is_null()) continue;
          PressFound(bot, person, found);
          any = true;
        }
      }
      if (!any) break;
    }
    bot.Kill(SIGTERM);
    // Every test of the suite reads the case with its diarienummer; ctest
    // runs each in a process of its own, so none may rely on another's.
    ASSERT_EQ(
        KontobotCommand("diary 1 \"KS 2026/0042\" --by gis-info --date 2026-11-24 --db " + *db_),
        0);
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }

  static std::string Out(const std::string& name) {
    std::string dir = ::testing::TempDir() + "/records_" + name;
    std::filesystem::remove_all(dir);
    return dir;
  }
  static std::string Db() { return " --db " + *db_; }

  static std::string* db_;  // NOLINT(readability-identifier-naming): gtest suite state
};
std::string* Records::db_ = nullptr;  // NOLINT(readability-identifier-naming)

// Words of the database and the code that must never reach a reader.
const std::vector<std::string> kInternal{
    "approved",  "pending_",      "rejected",       "gis-",      "verksamhetschef:",
    "message.",  "startup:",      "sarskild_epost", "[records.", "draft.",
    "approval.", "registration:", "\"*Steg",        "*Steg",     "forvaltningschef"};

// Issue 19 item 3: the information function sets a case's diarienummer in
// chat as well as on the command line; others cannot, and every export shows
// the number set last.
TEST_F(Records, TheInformationFunctionSetsTheDiarienummerInChat) {
  // A copy of the suite's case: the other tests read its diarienummer.
  const std::string copy = ::testing::TempDir() + "/records_diary_chat.db";
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(copy + suffix);
    if (std::filesystem::exists(*db_ + suffix))
      std::filesystem::copy_file(*db_ + suffix, copy + suffix);
  }
  {
    Bot bot(copy);
    bot.Start();
    auto last = [&](const std::string& person) {
      return PersonFeed(bot, person).back()["text"].get<std::string>();
    };
    bot.Say("gis-info", "hjälp");
    EXPECT_NE(last("gis-info").find("diarienummer 12"), std::string::npos) << last("gis-info");
    bot.Say("gis-anna", "hjälp");
    EXPECT_EQ(last("gis-anna").find("diarienummer"), std::string::npos) << last("gis-anna");
    bot.Say("gis-anna", "diarienummer 1 KS 2026/9999");
    EXPECT_NE(last("gis-anna").find("Bara informationsfunktionen"), std::string::npos)
        << last("gis-anna");
    bot.Say("gis-info", "Diarienummer 1");
    EXPECT_NE(last("gis-info").find("KS 2026/0042"), std::string::npos) << last("gis-info");
    bot.Say("gis-info", "dnr 77 KS 1");
    EXPECT_NE(last("gis-info").find("ingen anmälan nr 77"), std::string::npos) << last("gis-info");
    bot.Say("gis-info", "diarienummer nr 1: KS 2026/0100");
    std::string set = last("gis-info");
    EXPECT_NE(set.find("KS 2026/0100"), std::string::npos) << set;
    EXPECT_NE(set.find("tidigare KS 2026/0042"), std::string::npos) << set;
    bot.Kill(SIGTERM);
  }
  SQLite::Database db(copy, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT diarienummer, set_by FROM case_diary WHERE registration_id = 1");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getString(), "KS 2026/0100");
  EXPECT_EQ(q.getColumn(1).getString(), "gis-info");
  std::string out = Out("diary_chat");
  std::string log;
  ASSERT_EQ(
      KontobotCommand("export registration 1 --by gis-info --to \"Anna Journalist\" --pdf=false "
                      "--out " +
                          out + " --db " + copy,
                      &log),
      0)
      << log;
  EXPECT_NE(Slurp(out + "/registration-1.html").find("KS 2026/0100"), std::string::npos);
}

TEST_F(Records, CompleteDossierReadsAsTheCaseWithNoMachineWords) {
  std::string out = Out("complete");
  std::string log;
  ASSERT_EQ(
      KontobotCommand("export registration 1 --by gis-info --to \"Anna Journalist\" --pdf=false "
                      "--out " +
                          out + Db(),
                      &log),
      0)
      << log;
  std::string html = Slurp(out + "/registration-1.html");
  for (const std::string& word : kInternal) EXPECT_EQ(html.find(word), std::string::npos) << word;
  EXPECT_NE(html.find("KS 2026/0042"), std::string::npos) << "the diarienummer is shown";
  EXPECT_NE(html.find("Inlämning 1"), std::string::npos);
  EXPECT_NE(html.find("Inlämning 2"), std::string::npos);
  EXPECT_NE(html.find("Målgruppen är för vag"), std::string::npos) << "the rejection's reason";
  EXPECT_NE(html.find("Avslogs"), std::string::npos);
  EXPECT_NE(html.find("Per Ek"), std::string::npos);
  EXPECT_NE(html.find("Eva Strand"), std::string::npos);
  EXPECT_NE(html.find(kPrivateName), std::string::npos) << "the complete version keeps it";
  EXPECT_NE(html.find("<strong>"), std::string::npos) << "chat markup is rendered";
  EXPECT_NE(html.find("&lt;b&gt;markup&lt;/b&gt;"), std::string::npos) << "and HTML escaped";
  EXPECT_EQ(html.find('\x01'), std::string::npos) << "control characters are dropped";
  EXPECT_NE(html.find("עברית"), std::string::npos);
  EXPECT_TRUE(std::regex_search(html, std::regex("20\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d")))
      << "local times";
  EXPECT_NE(html.find("Händelselogg"), std::string::npos);
  json rec = json::parse(Slurp(out + "/registration-1.json"));
  EXPECT_EQ(rec["diary"]["diarienummer"], "KS 2026/0042");
  EXPECT_EQ(rec["round"], 2);

  SQLite::Database db(*db_, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT released_by, recipient, version, files FROM releases");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getString(), "gis-info");
  EXPECT_EQ(q.getColumn(1).getString(), "Anna Journalist");
  EXPECT_EQ(q.getColumn(2).getString(), "complete");
  json files = json::parse(q.getColumn(3).getString());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0]["sha256"].get<std::string>().size(), 64u);
}

TEST_F(Records, MaskedDossierHidesPrivatePersonsEverywhereAndKeepsStaff) {
  std::string out = Out("masked");
  ASSERT_EQ(KontobotCommand(
                "export registration 1 --masked --by gis-info --to anonym --pdf=false --out " +
                out + Db()),
            0);
  std::string html = Slurp(out + "/registration-1-masked.html");
  for (const char* secret : {kPrivateName, kPrivateEmail, kPrivatePhone, kPersonnummer})
    EXPECT_EQ(html.find(secret), std::string::npos) << secret;
  EXPECT_NE(html.find("[privatperson 1]"), std::string::npos);
  EXPECT_NE(html.find("[personnummer maskerat]"), std::string::npos);
  EXPECT_NE(html.find("Per Ek"), std::string::npos) << "staff acting in their role stay";
  EXPECT_NE(html.find("omar.haddad@gislaved.se"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(out + "/registration-1-masked.json"))
      << "the canonical JSON holds everything, so it is not part of a masked release";
  EXPECT_NE(html.find("Maskerad version"), std::string::npos);
}

TEST_F(Records, PdfIdentifiesItselfAsPdfA2b) {
  std::string out = Out("pdf");
  std::string log;
  ASSERT_EQ(
      KontobotCommand(
          "export registration 1 --masked --by gis-info --to anonym --out " + out + Db(), &log),
      0)
      << log;
  std::string pdf = Slurp(out + "/registration-1-masked.pdf");
  EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
  // The XMP metadata stream: PDF/A part 2, conformance level B.
  EXPECT_TRUE(std::regex_search(pdf, std::regex(R"(pdfaid:part(='|>)2)"))) << "not PDF/A-2";
  EXPECT_TRUE(std::regex_search(pdf, std::regex(R"(pdfaid:conformance(='|>)B)")));
  EXPECT_NE(pdf.find("/OutputIntents"), std::string::npos) << "PDF/A needs an output intent";
  EXPECT_EQ(pdf.find(kPrivateName), std::string::npos);
}

TEST_F(Records, ArchivePackageFromTheCommandLineIsRecorded) {
  std::string out = Out("sip");
  std::string log;
  ASSERT_EQ(KontobotCommand("export archive 1 --by gis-info --pdf=false --out " + out + Db(), &log),
            0)
      << log;
  EXPECT_TRUE(std::filesystem::exists(out + "/METS.xml"));
  EXPECT_TRUE(
      std::filesystem::exists(out + "/representations/rep1/data/registration-1/record.json"));
  SQLite::Database db(*db_, SQLite::OPEN_READONLY);
  EXPECT_EQ(
      db.execAndGet("SELECT COUNT(*) FROM audit WHERE action = 'archive.transferred'").getInt(), 1);
  EXPECT_EQ(KontobotCommand("export archive 7 --by gis-info --pdf=false --out " + out + "-7" + Db(),
                            &log),
            1);
  EXPECT_NE(log.find("there is no registration 7"), std::string::npos) << log;
}

TEST_F(Records, EnglishDossierOnRequest) {
  std::string out = Out("english");
  ASSERT_EQ(KontobotCommand("export registration 1 --lang en --events=false --by gis-info --to x "
                            "--pdf=false --out " +
                            out + Db()),
            0);
  std::string html = Slurp(out + "/registration-1.html");
  EXPECT_NE(html.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(html.find("Decisions"), std::string::npos);
  EXPECT_EQ(html.find("Event log"), std::string::npos) << "left out with --events=false";
}

TEST_F(Records, BadInputGetsAClearMessageAndLeavesNothingBehind) {
  std::string out = Out("bad");
  std::string log;
  EXPECT_EQ(
      KontobotCommand("export registration 99 --by gis-info --to x --out " + out + Db(), &log), 1);
  EXPECT_NE(log.find("there is no registration 99"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(out));

  std::filesystem::create_directories(out);
  EXPECT_EQ(KontobotCommand("export register --out " + out + Db(), &log), 1);
  EXPECT_NE(log.find("already exists"), std::string::npos) << log;

  EXPECT_EQ(KontobotCommand("export register --out /proc/kontobot-cannot" + Db(), &log), 1);
  EXPECT_NE(log.find("cannot"), std::string::npos) << log;

  EXPECT_EQ(
      KontobotCommand("export registration 1 --by nobody --to x --out " + out + "2" + Db(), &log),
      1);
  EXPECT_NE(log.find("not a person in the directory"), std::string::npos) << log;
  EXPECT_EQ(KontobotCommand("diary 1 X --by gis-anna" + Db(), &log), 1);
  EXPECT_NE(log.find("information function"), std::string::npos) << log;
  EXPECT_EQ(KontobotCommand("diary 1 X --by gis-info --date 2026-02-30" + Db(), &log), 1);
  EXPECT_NE(log.find("--date"), std::string::npos) << log;
  EXPECT_EQ(
      KontobotCommand("export register --db /nonexistent/kontobot.db --out " + out + "3", &log), 1);
  EXPECT_NE(log.find("no database"), std::string::npos) << log;
  // Nothing half-written beside the targets.
  for (const auto& e : std::filesystem::directory_iterator(::testing::TempDir()))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST_F(Records, RegisterIsLocalTimeWithEveryContactAndSafeForSpreadsheets) {
  std::string out = Out("register");
  ASSERT_EQ(KontobotCommand("export register --out " + out + Db()), 0);
  std::string csv = Slurp(out + "/register.csv");
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBF"
                      "Diarienummer,",
                      0),
            0u)
      << csv.substr(0, 80);
  EXPECT_NE(csv.find(kPrivatePhone), std::string::npos) << "every contact detail";
  EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"http://x\"\")"), std::string::npos)
      << "a formula is neutralised: " << csv;
  EXPECT_NE(csv.find("Per Ek"), std::string::npos) << "names, not ids";
  EXPECT_EQ(csv.find("gis-"), std::string::npos);
  EXPECT_EQ(csv.find("Z,"), std::string::npos) << "no UTC times";
  json reg = json::parse(Slurp(out + "/register.json"));
  const json& a = reg["accounts"][0];
  EXPECT_EQ(a["diarienummer"], "KS 2026/0042");
  EXPECT_TRUE(std::regex_match(a["registered_at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]0[12]:00)")))
      << a["registered_at"];
  EXPECT_EQ(a["approvals"][0]["by_name"], "Per Ek");
  bool phone = false;
  for (const auto& p : a["administrators"]) phone |= p["phone"] == kPrivatePhone;
  EXPECT_TRUE(phone) << a["administrators"];
  EXPECT_GE(reg["history"].size(), 1u);
  EXPECT_NE(Slurp(out + "/register-history.csv").find("fördes in i förteckningen"),
            std::string::npos);
}

}  // namespace
