// Strategy: the closing conversation and the closing case on their own,
// with the shipped Gislaved and SMC templates and the demo directory, state
// threaded from turn to turn as the service does (Session::pending). Who
// may ask (MayManageAccount) is pinned person by person; the conversation is walked
// by list number, by name, with and without the choice SMC's seed allows,
// and aborted; the case's steps go to the people Gislaved's Checklista 8
// names, a press by anyone else is refused, and only the last step closes
// the account.
#include "bot/closing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/bot/chat_harness.h"
#include "tests/test_support.h"

namespace kontobot::testing {
namespace {

class FixedLocalTime final : public LocalTime {
 public:
  std::string Format(TimePoint) const override { return "2026-12-07 10:00"; }
  std::string Date(TimePoint) const override { return "2026-12-07"; }
  std::chrono::local_time<std::chrono::minutes> ToLocal(TimePoint t) const override {
    return std::chrono::local_time<std::chrono::minutes>(
        std::chrono::duration_cast<std::chrono::minutes>(t.time_since_epoch()));
  }
  TimePoint FromLocal(std::chrono::local_time<std::chrono::minutes> l) const override {
    return TimePoint(l.time_since_epoch());
  }
};

// Omar and Lisa administer Anna's Gislaved account, as her form named them.
const nlohmann::json kAdmins =
    nlohmann::json::array({{{"name", "Omar Haddad"}, {"email", "omar.haddad@gislaved.se"}},
                           {{"name", "Lisa Åberg"}, {"email", "lisa.aberg@gislaved.se"}}});

class ClosingTest : public ::testing::Test {
 protected:
  ClosingTurn Start(const std::string& person, std::vector<ClosableAccount> accounts,
                    const std::string& org = "gislaved", int64_t account = 0,
                    const std::string& reason = "") {
    accounts_ = std::move(accounts);
    ClosingTurn t = conversation_.Start(Who(person), Lang::kSv, ShippedTemplates().at(org).get(),
                                        accounts_, account, reason);
    pending_ = t.pending;
    return t;
  }
  ClosingTurn Say(const std::string& person, const std::string& text) {
    return Next(person, {text, "", "", Edit::kNone});
  }
  ClosingTurn Press(const std::string& person, const std::string& action,
                    const std::string& value = "") {
    return Next(person, {"", action, value, Edit::kNone});
  }
  static std::string Text(const ClosingTurn& t) {
    std::string out;
    for (const Reply& r : t.replies) out += r.text + "\n";
    return out;
  }
  static bool Offers(const ClosingTurn& t, const std::string& action, const std::string& value) {
    for (const Reply& r : t.replies) {
      for (const Button& b : r.buttons)
        if (b.id == action && b.value == value) return true;
    }
    return false;
  }

  ClosingConversation conversation_{ShippedTemplates(), ShippedCatalog(), ShippedDirectory()};
  std::vector<ClosableAccount> accounts_;
  std::string pending_;

 private:
  ClosingTurn Next(const std::string& person, const Input& in) {
    ClosingTurn t = conversation_.Handle(Who(person), Lang::kSv, accounts_, pending_, in);
    pending_ = t.pending;
    return t;
  }
};

TEST_F(ClosingTest, AdministratorsRequesterManagersAndTheInformationFunctionMayAskNobodyElse) {
  const Template& gis = *ShippedTemplates().at("gislaved");
  auto may = [&](const std::string& who) {
    return MayManageAccount(Who(who), ShippedDirectory(), gis, "gis-anna", kAdmins);
  };
  EXPECT_TRUE(may("gis-anna")) << "the requester";
  EXPECT_TRUE(may("gis-omar")) << "an administrator named in the form";
  EXPECT_TRUE(may("gis-lisa")) << "the other administrator";
  EXPECT_TRUE(may("gis-per")) << "Anna's manager";
  EXPECT_TRUE(may("gis-eva")) << "her manager's manager";
  EXPECT_TRUE(may("gis-info")) << "the information function";
  EXPECT_FALSE(may("gis-kim")) << "a colleague who is none of these";
  EXPECT_FALSE(MayManageAccount(Who("smc-mats"), ShippedDirectory(), gis, "gis-anna", kAdmins))
      << "someone of another organisation";
}

TEST_F(ClosingTest, SomeoneWhoMayCloseNothingIsToldWhoCanAndWhomToContact) {
  ClosingTurn t = Start("gis-kim", {});
  EXPECT_NE(Text(t).find("kontots administratörer"), std::string::npos) << Text(t);
  EXPECT_NE(Text(t).find("Jonas Falk på informationsfunktionen (jonas.falk@gislaved.se)"),
            std::string::npos)
      << Text(t);
  EXPECT_EQ(t.pending, "") << "nothing is asked";
  EXPECT_FALSE(t.confirmed);
}

TEST_F(ClosingTest, WalksWhichAccountByNumberTheReasonAndTheConfirmation) {
  ClosingTurn t =
      Start("gis-omar", {{7, "Facebook, https://www.facebook.com/gislavedfritid", "gislaved"},
                         {9, "Instagram, https://instagram.com/gisfritid", "gislaved"}});
  EXPECT_NE(Text(t).find("Vilket konto"), std::string::npos) << Text(t);
  EXPECT_NE(Text(t).find("2. Instagram"), std::string::npos) << Text(t);
  EXPECT_TRUE(Offers(t, "closing_account", "9"));

  t = Say("gis-omar", "3");
  EXPECT_NE(Text(t).find("hittar inte"), std::string::npos) << "no third account: " << Text(t);
  t = Say("gis-omar", "2");
  EXPECT_NE(Text(t).find("Varför ska kontot Instagram"), std::string::npos) << Text(t);
  t = Say("gis-omar", "  ");
  EXPECT_NE(Text(t).find("Skriv orsaken"), std::string::npos) << "a reason is required";
  t = Say("gis-omar", "Verksamheten flyttar till webbplatsen");
  // Gislaved knows only closing entirely: no choice, straight to the summary
  // with Checklista 8's steps.
  EXPECT_NE(Text(t).find("stängs helt"), std::string::npos) << Text(t);
  EXPECT_NE(Text(t).find("Ta en skärmdump av kontot innan det avslutas"), std::string::npos)
      << Text(t);
  EXPECT_TRUE(Offers(t, "closing_confirm", "9"));
  EXPECT_FALSE(t.confirmed);
  t = Say("gis-omar", "ja");
  ASSERT_TRUE(t.confirmed);
  EXPECT_EQ(t.confirmed->first, 9);
  EXPECT_EQ(t.confirmed->second.mode, "closed");
  EXPECT_EQ(t.confirmed->second.reason, "Verksamheten flyttar till webbplatsen");
  EXPECT_EQ(t.pending, "");
}

TEST_F(ClosingTest, TheAccountCanBeNamedInsteadOfNumbered) {
  Start("gis-anna", {{7, "Facebook, https://www.facebook.com/gislavedfritid", "gislaved"},
                     {9, "Instagram, https://instagram.com/gisfritid", "gislaved"}});
  ClosingTurn t = Say("gis-anna", "instagram");
  EXPECT_NE(Text(t).find("Varför ska kontot Instagram"), std::string::npos) << Text(t);
}

TEST_F(ClosingTest, SmcMayChooseClosedForPostsAsAnInformationPage) {
  ClosingTurn t = Start("smc-mats", {{4, "Facebook, https://facebook.com/smcsyd", "smc"}});
  EXPECT_NE(Text(t).find("Varför"), std::string::npos) << "one account: not asked which";
  t = Say("smc-mats", "Ingen hinner bevaka sidan");
  EXPECT_NE(Text(t).find("informationssida"), std::string::npos) << Text(t);
  EXPECT_TRUE(Offers(t, "closing_mode", "closed"));
  EXPECT_TRUE(Offers(t, "closing_mode", "closed_for_posts"));
  t = Press("smc-mats", "closing_mode", "closed_for_posts");
  EXPECT_NE(Text(t).find("stängs för inkommande inlägg"), std::string::npos) << Text(t);
  t = Press("smc-mats", "closing_confirm", "4");
  ASSERT_TRUE(t.confirmed);
  EXPECT_EQ(t.confirmed->second.mode, "closed_for_posts");
}

TEST_F(ClosingTest, ThePrefilledInactivityClosingAsksOnlyWhatIsLeft) {
  ClosingTurn t = Start("gis-omar", {{7, "Facebook", "gislaved"}, {9, "Instagram", "gislaved"}},
                        "gislaved", 9, "inaktivt");
  EXPECT_NE(Text(t).find("Orsak: inaktivt"), std::string::npos) << Text(t);
  EXPECT_TRUE(Offers(t, "closing_confirm", "9"));
}

TEST_F(ClosingTest, AnAccountThePersonMayNotCloseIsRefusedWithWhomToContact) {
  ClosingTurn t = Start("gis-omar", {{7, "Facebook", "gislaved"}}, "gislaved", 8, "inaktivt");
  EXPECT_NE(Text(t).find("kan du inte"), std::string::npos) << Text(t);
  EXPECT_EQ(t.pending, "");
}

TEST_F(ClosingTest, CancelEndsTheConversationWithoutClosingAnything) {
  Start("gis-omar", {{7, "Facebook", "gislaved"}});
  ClosingTurn t = Say("gis-omar", "avbryt");
  EXPECT_NE(Text(t).find("inget konto stängs"), std::string::npos) << Text(t);
  EXPECT_EQ(t.pending, "");
  EXPECT_FALSE(t.confirmed);
}

// --- the closing case ---------------------------------------------------------

class ClosingCaseTest : public ::testing::Test {
 protected:
  ClosingCaseTest() {
    c_.id = 12;
    c_.status = kApproved;
    c_.requester = "gis-anna";
    c_.template_id = "gislaved";
    c_.answers = {{"medium", {{"value", "facebook"}}},
                  {"webbadress", "https://www.facebook.com/gislavedfritid"},
                  {"administratorer", kAdmins}};
  }
  void Apply(const CaseOutcome& co) {
    for (const Task& t : co.tasks) {
      auto it = std::find_if(c_.tasks.begin(), c_.tasks.end(),
                             [&](const Task& x) { return x.id == t.id; });
      if (it != c_.tasks.end()) {
        *it = t;
      } else {
        c_.tasks.push_back(t);
      }
    }
  }
  CaseOutcome Done(const std::string& who, int64_t task) {
    CaseOutcome co = engine_.Act(c_, Who(who), "done", task, "", "", now_, next_);
    Apply(co);
    return co;
  }

  FixedLocalTime local_;
  CaseEngine engine_{ShippedTemplates(), ShippedCatalog(), ShippedDirectory(), local_};
  Case c_;
  TimePoint now_ = std::chrono::system_clock::from_time_t(1796630400);
  int64_t next_ = 100;
};

TEST_F(ClosingCaseTest, GislavedsChecklistaEightGoesToTheRightPeopleAndOnlyTheLastStepCloses) {
  CaseOutcome co = engine_.StartClosing(c_, Who("gis-omar"), {"closed", "inaktivt"}, now_, next_);
  Apply(co);
  ASSERT_EQ(co.tasks.size(), 3u);
  EXPECT_EQ(co.tasks[0].kind, TaskKind::kClosing);
  EXPECT_EQ(co.tasks[0].assignee, "gis-omar") << "contact your manager: the one who asked";
  EXPECT_EQ(co.tasks[1].assignee, "gis-info") << "the screenshot: the information function";
  EXPECT_EQ(co.tasks[2].assignee, "gis-omar") << "the announcement on the account";
  std::set<std::string> told;
  for (const Outbound& o : co.messages) {
    if (o.task_ids.empty()) told.insert(o.person);
  }
  EXPECT_TRUE(told.count("gis-per")) << "Omar's manager is told";
  EXPECT_FALSE(co.close_account);

  CaseOutcome wrong = Done("gis-kim", co.tasks[1].id);
  EXPECT_TRUE(std::any_of(wrong.audit.begin(), wrong.audit.end(),
                          [](const AuditEntry& a) { return a.action == "decision.refused"; }));
  EXPECT_TRUE(wrong.tasks.empty()) << "nothing changes";

  EXPECT_FALSE(Done("gis-omar", co.tasks[0].id).close_account);
  EXPECT_FALSE(Done("gis-info", co.tasks[1].id).close_account);
  CaseOutcome last = Done("gis-omar", co.tasks[2].id);
  ASSERT_TRUE(last.close_account);
  EXPECT_EQ(last.close_account->mode, "closed");
  EXPECT_EQ(last.close_account->reason, "inaktivt");
  EXPECT_EQ(last.close_account->requested_by, "gis-omar");
  bool info_told = std::any_of(last.messages.begin(), last.messages.end(),
                               [](const Outbound& o) { return o.person == "gis-info"; });
  EXPECT_TRUE(info_told) << "the keeper of the register is told";
}

// --- the other lifecycle requests: the organisation's own rule ------------------

TEST(LifecycleAnswer, ChangingAdministratorsGetsGislavedsRuleAndWhomToContactNotUnderstood) {
  ChatHarness chat(ShippedTemplates(), ShippedDirectory(), Who("gis-anna"));
  chat.Say("Jag vill byta administratör");
  EXPECT_TRUE(
      chat.LastHas("Byter ni inloggningsuppgifter eller administratör för kontot ska "
                   "detta meddelas till informationsfunktionen."))
      << chat.LastText();
  EXPECT_TRUE(chat.LastHas("Jonas Falk på informationsfunktionen (jonas.falk@gislaved.se)"))
      << chat.LastText();
  EXPECT_FALSE(chat.LastHas("förstod inte")) << chat.LastText();
  chat.Say("byta inloggning");
  EXPECT_TRUE(chat.LastHas("Byter ni inloggningsuppgifter")) << chat.LastText();
}

TEST(LifecycleAnswer, AbsenceGetsDalarnasAndTrosasOwnRule) {
  ChatHarness dalarna(ShippedTemplates(), ShippedDirectory(), Who("dal-karin"));
  dalarna.Say("Jag blir föräldraledig – vad gör jag med kontot?");
  EXPECT_TRUE(
      dalarna.LastHas("Minst en ytterligare person ska utses som kan sköta "
                      "kommunikationen vid kontoansvarigs frånvaro."))
      << dalarna.LastText();
  EXPECT_TRUE(dalarna.LastHas("informationsavdelningen")) << dalarna.LastText();
  ChatHarness trosa(ShippedTemplates(), ShippedDirectory(), Who("tro-sofia"));
  trosa.Say("frånvaro");
  EXPECT_TRUE(trosa.LastHas("bör det stängas ner för inlägg")) << trosa.LastText();
  EXPECT_TRUE(trosa.LastHas("Ida Sandberg")) << trosa.LastText();
}

}  // namespace
}  // namespace kontobot::testing
