// Strategy: issue 17's "done when": for each of the five organisations, one
// account's whole life against the real binary, over the web chat's JSON API
// and the test clock, as people use it, checking the public register and
// the registrar's export (`kontobot export register`, run beside the
// running bot) after every step:
//  1. registration, approval and the start-up steps: listed publicly;
//  2. an administrator adds a colleague as administrator in plain words
//     (Dalarna's new administrator accepts first): the export names them;
//  3. an absence for January 2027 covered by that new administrator: what
//     falls due for the account's administrators in January reaches the
//     cover, not the absent one;
//  4. the organisation's periodic duties over 2027, the clock moved month by
//     month and every duty confirmed: each seed's own duties, as often as
//     it asks, and none where it asks none (SLL);
//  5. closing (SMC: closed for incoming posts, kept as an information page):
//     gone from the public register, or listed as closed for posts, and in
//     the export with its date, reason and who decided.
// The account's history in the export holds every step.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <thread>

#include "tests/e2e/bot_process.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using nlohmann::json;

struct Walk {
  std::string org;
  std::string requester;
  std::map<std::string, std::string> answers;  // by step id
  std::string admin;                           // an administrator throughout
  std::string added;                           // the administrator added
  std::string added_first_name;                // as people write it
  std::string added_answer;                    // "Name, e-mail"
  std::string added_name;
  std::string absent;                 // away in January 2027, covered by `added`
  bool duty_for_admins_in_january;    // a duty of the administrators falls due then
  std::map<std::string, int> duties;  // duty kind: confirmations in 2027
  std::string closing_mode;           // "" when the template has one mode
  std::string final_status;           // in the export after closing
};

// GoogleTest names the parameter by its organisation in failures.
void PrintTo(const Walk& w, std::ostream* os) { *os << w.org; }

const std::vector<Walk>& Walks() {
  static const std::vector<Walk> kWalks{
      {"dalarna",
       "dal-karin",
       {{"forum", "öppet"},
        {"administratorer",
         "Johan Berg, johan.berg@ltdalarna.se\nSara Nyström, sara.nystrom@ltdalarna.se"}},
       "dal-johan",
       "dal-anders",
       "Anders",
       "Anders Sjöberg, anders.sjoberg@ltdalarna.se",
       "Anders Sjöberg",
       "dal-sara",
       true,
       {{"snapshot", 2}},  // "två gånger per år"
       "",
       "closed"},
      {"gislaved",
       "gis-anna",
       {{"administratorer",
         "Omar Haddad, omar.haddad@gislaved.se\nLisa Åberg, lisa.aberg@gislaved.se"}},
       "gis-omar",
       "gis-kim",
       "Kim",
       "Kim Nilsson, kim.nilsson@gislaved.se",
       "Kim Nilsson",
       "gis-lisa",
       true,
       {{"snapshot", 2}},  // "vid varje hel- och halvårsskifte"
       "",
       "closed"},
      {"sll",
       "sll-nina",
       {{"redaktor", "Nina Sjöberg, nina.sjoberg@sll.se"},
        {"talespersoner", "Tom Lund, tom.lund@sll.se"}},
       "sll-tom",
       "sll-ali",
       "Ali",
       "Ali Karimi, ali.karimi@sll.se",
       "Ali Karimi",
       "sll-tom",
       false,
       {},  // "fastställs i samråd med landstingsarkivet": none imposed
       "",
       "closed"},
      {"smc",
       "smc-mats",
       {{"administratorer", "Rune Ask, rune.ask@smc-smaland.example"}},
       "smc-rune",
       "smc-mats",
       "Mats",
       "Mats Olsson, mats.olsson@smc-smaland.example",
       "Mats Olsson",
       "smc-rune",
       false,                   // the yearly review is the kansli's
       {{"yearly_review", 1}},  // "en gång om året"
       "closed_for_posts",
       "closed_for_posts"},
      {"trosa",
       "tro-sofia",
       {{"medverkande", "Emma Falk, emma.falk@trosa.se"}},
       "tro-emma",
       "tro-sofia",
       "Sofia",
       "Sofia Lind, sofia.lind@trosa.se",
       "Sofia Lind",
       "tro-emma",
       true,  // the transfer to paper, 15 January
       {{"archiving", 1}},
       "closed",
       "closed"},
  };
  return kWalks;
}

// The registrar's export of the register as it is now.
json ExportNow(Bot& bot, const std::string& name) {
  std::string out = bot.db() + "-export-" + name;
  std::filesystem::remove_all(out);  // the export writes into a new directory only
  EXPECT_EQ(std::system(ExportRegisterCommand(bot.db(), out).c_str()), 0) << name;
  json reg = json::parse(Slurp(out + "/register.json"), nullptr, false);
  EXPECT_TRUE(reg.is_object()) << name;
  EXPECT_FALSE(Slurp(out + "/register.csv").empty()) << name;
  return reg;
}

std::string AdminNames(const json& account) {
  std::string names;
  for (const auto& a : account["administrators"]) names += a.value("name", "") + ";";
  return names;
}

// Every `action` button that reached a person of `org` and was not pressed
// before (`pressed`: message id and value), pressed by them; returns who
// pressed how many.
std::map<std::string, int> EveryoneIn(Bot& bot, const std::string& org,
                                      const std::vector<std::string>& actions,
                                      std::set<std::string>* pressed) {
  std::map<std::string, int> by;
  json orgs = bot.Get("/api/people").body["organisations"];
  for (int round = 0; round < 5; ++round) {
    int now = 0;
    for (const auto& o : orgs) {
      if (o["id"] != org) continue;
      for (const auto& p : o["people"]) {
        const std::string person = p["id"];
        for (const auto& m : PersonFeed(bot, person)) {
          for (const auto& b : m["buttons"]) {
            if (std::find(actions.begin(), actions.end(), b.value("id", "")) == actions.end())
              continue;
            std::string key = m["id"].dump() + "|" + b.value("id", "") + "|" + b.value("value", "");
            if (!pressed->insert(key).second) continue;
            PressButton(bot, person, {{"message_id", m["id"]}, {"button", b}});
            ++by[person];
            ++now;
          }
        }
      }
    }
    if (now == 0) break;
  }
  return by;
}

// Moves the test clock to `local` (an RFC 3339 time) and waits until the
// scheduler has handled every timer due by then (`utc`, as the store
// writes times).
void MoveClockTo(Bot& bot, const std::string& local, const std::string& utc) {
  ASSERT_NO_FATAL_FAILURE(SetClock(bot, local));
  for (int i = 0; i < 400; ++i) {
    if (bot.Count("timers WHERE state = 'open' AND due_at <= '" + utc + "'") == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  FAIL() << "timers due by " << utc << " were not handled";
}

std::multiset<std::string> HistoryEvents(Bot& bot) {
  SQLite::Database db(bot.db(), SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT event, to_status FROM account_history ORDER BY id");
  std::multiset<std::string> events;
  while (q.executeStep()) {
    events.insert(q.getColumn(0).getString());
    if (!q.getColumn(1).getString().empty()) events.insert("to:" + q.getColumn(1).getString());
  }
  return events;
}

class Lifecycle : public ::testing::TestWithParam<Walk> {};

TEST_P(Lifecycle, FromRegistrationThroughAChangeAnAbsenceAndAYearOfDutiesToClosing) {
  const Walk& w = GetParam();
  std::set<std::string> pressed;
  Bot bot(TempDb());
  bot.Start({"--test-clock", "--test-clock-now", "2026-12-07T09:00:00+01:00"});

  // 1. Registered, approved, created: listed publicly and in the export.
  ASSERT_NO_FATAL_FAILURE(RegisterAndApprove(bot, w.requester, w.org, w.answers));
  json pub = bot.Get("/register.json").body["accounts"];
  ASSERT_EQ(pub.size(), 1u) << w.org;
  EXPECT_EQ(pub[0]["status"], "listed");
  json reg = ExportNow(bot, w.org + "-1");
  ASSERT_EQ(reg["accounts"].size(), 1u);
  EXPECT_EQ(reg["accounts"][0]["status"], "listed");
  EXPECT_FALSE(Has(AdminNames(reg["accounts"][0]), w.added_name));

  // 2. An administrator adds a colleague, in plain words.
  std::string said = Texts(bot.Say(w.admin, "lägg till " + w.added_first_name + " som admin"));
  ASSERT_TRUE(Has(said, "Vem ska bli ny administratör")) << said;
  said = Texts(bot.Say(w.admin, w.added_answer));
  said = PressAs(bot, w.admin, NewestButton(bot, w.admin, "change_confirm"));
  EveryoneIn(bot, w.org, {"change_accept"}, &pressed);  // Dalarna: the new administrator accepts
  EXPECT_EQ(bot.Count("account_changes WHERE state = 'applied'"), 1) << said;
  reg = ExportNow(bot, w.org + "-2");
  EXPECT_TRUE(Has(AdminNames(reg["accounts"][0]), w.added_name)) << reg["accounts"][0].dump();
  EXPECT_FALSE(bot.Get("/register.json").body["accounts"][0].contains("administrators"))
      << "the public register has no personal data";

  // 3. An absence for January, covered by the new administrator.
  said = Texts(bot.Say(w.absent, "Jag är tjänstledig 2027-01-01 till 2027-01-31"));
  ASSERT_TRUE(Has(said, "Vem ska bevaka kontot")) << said;
  PressAs(bot, w.absent, NewestButton(bot, w.absent, "absence_cover", w.added));
  said = PressAs(bot, w.absent, NewestButton(bot, w.absent, "absence_confirm"));
  EXPECT_TRUE(Has(said, "har fått frågan")) << said;
  EXPECT_EQ(EveryoneIn(bot, w.org, {"absence_accept"}, &pressed)[w.added], 1);
  EXPECT_EQ(bot.Count("absences WHERE state = 'in_force' AND cover = '" + w.added + "'"), 1);

  // 4. The year: what falls due is confirmed by whoever it reached. In
  // January the absent administrator is asked nothing.
  struct Step {
    const char* local;
    const char* utc;
  };
  const std::vector<Step> january{{"2027-01-04T09:00:00+01:00", "2027-01-04T08:00:00.000Z"},
                                  {"2027-01-15T09:00:00+01:00", "2027-01-15T08:00:00.000Z"}};
  std::map<std::string, int> january_pressed;
  for (const Step& s : january) {
    ASSERT_NO_FATAL_FAILURE(MoveClockTo(bot, s.local, s.utc));
    for (const auto& [who, n] : EveryoneIn(bot, w.org, {"duty_done"}, &pressed))
      january_pressed[who] += n;
  }
  EXPECT_EQ(january_pressed[w.absent], 0) << "away in January";
  if (w.duty_for_admins_in_january) {
    EXPECT_GE(january_pressed[w.added], 1) << "the cover";
  }
  const std::vector<Step> year{{"2027-02-01T09:00:00+01:00", "2027-02-01T08:00:00.000Z"},
                               {"2027-03-01T09:00:00+01:00", "2027-03-01T08:00:00.000Z"},
                               {"2027-04-01T09:00:00+02:00", "2027-04-01T07:00:00.000Z"},
                               {"2027-05-03T09:00:00+02:00", "2027-05-03T07:00:00.000Z"},
                               {"2027-06-01T09:00:00+02:00", "2027-06-01T07:00:00.000Z"},
                               {"2027-07-01T09:00:00+02:00", "2027-07-01T07:00:00.000Z"},
                               {"2027-08-02T09:00:00+02:00", "2027-08-02T07:00:00.000Z"},
                               {"2027-09-01T09:00:00+02:00", "2027-09-01T07:00:00.000Z"},
                               {"2027-10-01T09:00:00+02:00", "2027-10-01T07:00:00.000Z"},
                               {"2027-11-01T09:00:00+01:00", "2027-11-01T08:00:00.000Z"},
                               {"2027-12-01T09:00:00+01:00", "2027-12-01T08:00:00.000Z"}};
  for (const Step& s : year) {
    ASSERT_NO_FATAL_FAILURE(MoveClockTo(bot, s.local, s.utc));
    EveryoneIn(bot, w.org, {"duty_done"}, &pressed);
  }
  for (const char* kind : {"snapshot", "archiving", "yearly_review"}) {
    auto expected = w.duties.find(kind);
    EXPECT_EQ(bot.Count(std::string("audit WHERE action = 'duty.confirmed' AND subject LIKE '") +
                        kind + ":%'"),
              expected == w.duties.end() ? 0 : expected->second)
        << w.org << ": " << kind;
  }
  std::multiset<std::string> events = HistoryEvents(bot);
  EXPECT_EQ(events.count("absence.started"), 1u);
  EXPECT_EQ(events.count("absence.ended"), 1u);
  EXPECT_EQ(bot.Count("absences WHERE state = 'ended'"), 1);

  // 5. Closing, asked by an administrator; every step confirmed.
  said = Texts(bot.Say(w.admin, "Vi vill avsluta kontot"));
  ASSERT_TRUE(Has(said, "Varför")) << said;
  said = Texts(bot.Say(w.admin, "Verksamheten har flyttat till webbplatsen"));
  if (!w.closing_mode.empty())
    PressAs(bot, w.admin, NewestButton(bot, w.admin, "closing_mode", w.closing_mode));
  said = PressAs(bot, w.admin, NewestButton(bot, w.admin, "closing_confirm"));
  ASSERT_TRUE(Has(said, "Stängningen av kontot")) << said;
  EveryoneIn(bot, w.org, {"done"}, &pressed);
  pub = bot.Get("/register.json").body["accounts"];
  if (w.final_status == "closed") {
    EXPECT_EQ(pub.size(), 0u) << "closed: not public";
  } else {
    ASSERT_EQ(pub.size(), 1u) << "closed for posts: still public";
    EXPECT_EQ(pub[0]["status"], w.final_status);
  }
  reg = ExportNow(bot, w.org + "-5");
  ASSERT_EQ(reg["accounts"].size(), 1u) << "the internal register keeps it";
  const json& a = reg["accounts"][0];
  EXPECT_EQ(a["status"], w.final_status);
  EXPECT_FALSE(a["closed_at"].get<std::string>().empty()) << a.dump();
  EXPECT_EQ(a["close_reason"], "Verksamheten har flyttat till webbplatsen");
  EXPECT_FALSE(a["closed_by_name"].get<std::string>().empty()) << a.dump();

  // Every step is in the register's history, and in the export's.
  events = HistoryEvents(bot);
  EXPECT_EQ(events.count("register.added"), 1u);
  EXPECT_EQ(events.count("register.changed"), 1u);
  EXPECT_EQ(events.count("closing.started"), 1u);
  EXPECT_GE(events.count("to:listed"), 1u);
  EXPECT_GE(events.count("to:" + w.final_status), 1u);
  std::set<std::string> exported;
  for (const auto& h : reg["history"]) {
    exported.insert(h.value("event", ""));
    // Every change reads as its own sentence: none falls back to "the
    // register changed", none leaves an empty detail or a code behind.
    const std::string text = h.value("text", "");
    EXPECT_FALSE(Has(text, "Förteckningen ändrades")) << h.dump();
    EXPECT_FALSE(Has(text, "()") || Has(text, "–)") || Has(text, "_")) << h.dump();
  }
  for (const char* e : {"register.added", "register.changed", "absence.started", "absence.ended",
                        "closing.started"})
    EXPECT_EQ(exported.count(e), 1u) << e;
}

INSTANTIATE_TEST_SUITE_P(Shipped, Lifecycle, ::testing::ValuesIn(Walks()),
                         [](const ::testing::TestParamInfo<Walk>& p) { return p.param.org; });

}  // namespace
