// Strategy: the absence conversation on its own, with the shipped catalogue
// and the demo directory, state threaded from turn to turn as the service
// does (Session::pending), on a fixed "today" (Sunday 6 December 2026).
// Periods are parsed as people write them (Swedish and English, names and
// numbers, ISO, "till och med", a shared month); the validation rules are
// pinned one by one; the conversation is walked with one account and with
// several (one, several, all), by button and by typing, with and without a
// cover; someone who administers nothing is told so. WithCovers, the rule
// the reminder engine applies, is pinned at the edges of the period
// (tests/bot/reminders_test.cc fires the reminders themselves).
#include "bot/absence.h"

#include <gtest/gtest.h>

#include "bot/intent.h"
#include "tests/test_support.h"

namespace kontobot::testing {
namespace {

using std::chrono::year_month_day;
constexpr year_month_day kToday{std::chrono::year(2026), std::chrono::month(12),
                                std::chrono::day(6)};

std::string Period(const std::string& text) {
  auto p = ParsePeriod(text, kToday, ShippedCatalog());
  return p ? p->from + ".." + p->to : "none";
}

TEST(AbsencePeriod, IsReadAsPeopleWriteIt) {
  EXPECT_EQ(Period("jag är föräldraledig från 1 mars till 31 augusti"), "2027-03-01..2027-08-31");
  EXPECT_EQ(Period("semester 6-24 juli"), "2027-07-06..2027-07-24");
  EXPECT_EQ(Period("I'll be away 1–14 July"), "2027-07-01..2027-07-14");
  EXPECT_EQ(Period("tjänstledig 1/3 - 31/8"), "2027-03-01..2027-08-31");
  EXPECT_EQ(Period("2027-01-01 till och med 2027-01-31"), "2027-01-01..2027-01-31");
  EXPECT_EQ(Period("från 1 mars 2027 t.o.m. 31 augusti 2027"), "2027-03-01..2027-08-31");
  EXPECT_EQ(Period("from 1st March to 14 Apr"), "2027-03-01..2027-04-14");
  EXPECT_EQ(Period("20 december till 6 januari"), "2026-12-20..2027-01-06");  // over the new year
  EXPECT_EQ(Period("frånvaro"), "none");
  EXPECT_EQ(Period("från 1 mars"), "none") << "both days are needed";
  EXPECT_EQ(Period("31 februari till 3 mars"), "none") << "no such day";
}

TEST(AbsencePeriod, MustStartTodayOrLaterEndAfterItAndNotBeTooLong) {
  EXPECT_EQ(ValidatePeriod({"2026-12-06", "2026-12-24"}, kToday), "");
  EXPECT_EQ(ValidatePeriod({"2026-12-01", "2026-12-24"}, kToday), "absence.period_past");
  EXPECT_EQ(ValidatePeriod({"2026-12-24", "2026-12-24"}, kToday), "absence.period_order");
  EXPECT_EQ(ValidatePeriod({"2026-12-24", "2026-12-20"}, kToday), "absence.period_order");
  EXPECT_EQ(ValidatePeriod({"2027-01-01", "2028-06-30"}, kToday), "");  // a parental leave
  EXPECT_EQ(ValidatePeriod({"2027-01-01", "2028-12-31"}, kToday), "absence.period_too_long");
}

TEST(AbsenceRequest, IsRecognisedInSwedishAndEnglish) {
  IntentRecogniser r(ShippedCatalog());
  for (const char* text : {"frånvaro", "jag är föräldraledig från 1 mars till 31 augusti",
                           "semester 6-24 juli", "I'll be away 1–14 July"}) {
    EXPECT_EQ(r.Recognise(text, nullptr).intent, Intent::kAbsence) << text;
  }
}

TEST(AbsenceCovers, ReplaceTheAbsentOnlyInsideTheAcceptedPeriodAndOnce) {
  Absence a;
  a.person = "dal-sara";
  a.cover = "dal-johan";
  a.from = "2027-01-01";
  a.to = "2027-01-31";
  a.state = kAbsenceInForce;
  const std::vector<std::string> both{"dal-sara", "dal-johan"};
  EXPECT_EQ(WithCovers(both, {a}, "2026-12-31"), both);
  EXPECT_EQ(WithCovers(both, {a}, "2027-01-01"), std::vector<std::string>{"dal-johan"});
  EXPECT_EQ(WithCovers(both, {a}, "2027-01-31"), std::vector<std::string>{"dal-johan"});
  EXPECT_EQ(WithCovers(both, {a}, "2027-02-01"), both);
  EXPECT_EQ(WithCovers({"dal-sara"}, {a}, "2027-01-15"), std::vector<std::string>{"dal-johan"});
  a.state = kAbsenceRequested;
  EXPECT_EQ(WithCovers(both, {a}, "2027-01-15"), both);
}

class AbsenceTest : public ::testing::Test {
 protected:
  AbsenceTurn Start(const std::string& person, std::vector<AbsenceAccount> accounts,
                    const std::string& text) {
    accounts_ = std::move(accounts);
    AbsenceTurn t = conversation_.Start(
        Who(person), Lang::kSv, ShippedTemplates().at("dalarna").get(), accounts_, text, kToday);
    pending_ = t.pending;
    return t;
  }
  AbsenceTurn Say(const std::string& person, const std::string& text) {
    return Next(person, {text, "", "", Edit::kNone});
  }
  AbsenceTurn Press(const std::string& person, const std::string& action,
                    const std::string& value = "") {
    return Next(person, {"", action, value, Edit::kNone});
  }
  AbsenceTurn Next(const std::string& person, const Input& input) {
    EXPECT_EQ(pending_.rfind(kAbsencePending, 0), 0u) << "the conversation should be asking";
    AbsenceTurn t =
        conversation_.Handle(Who(person), Lang::kSv, accounts_, pending_, input, kToday);
    pending_ = t.pending;
    return t;
  }
  static std::string Text(const AbsenceTurn& t) {
    std::string out;
    for (const Reply& r : t.replies) out += r.text + "\n";
    return out;
  }
  static bool Offers(const AbsenceTurn& t, const std::string& action, const std::string& value) {
    for (const Reply& r : t.replies) {
      for (const Button& b : r.buttons)
        if (b.id == action && b.value == value) return true;
    }
    return false;
  }

  AbsenceConversation conversation_{ShippedCatalog(), ShippedDirectory()};
  std::vector<AbsenceAccount> accounts_;
  std::string pending_;
};

const AbsenceAccount kFolktandvarden{
    9, "Facebook, https://facebook.com/ftv", "dalarna", {"dal-johan"}};
const AbsenceAccount kInstagram{
    12, "Instagram, https://instagram.com/ftv", "dalarna", {"dal-johan", "dal-lena"}};

TEST_F(AbsenceTest, OneAccountWithThePeriodInTheFirstMessageAsksOnlyForTheCover) {
  AbsenceTurn t = Start("dal-sara", {kFolktandvarden}, "semester 2027-01-01 till 2027-01-31");
  EXPECT_TRUE(Offers(t, "absence_cover", "dal-johan")) << Text(t);
  EXPECT_TRUE(Offers(t, "absence_cover", "")) << "nobody can cover";
  t = Say("dal-sara", "1");
  EXPECT_NE(Text(t).find("1 januari 2027 till och med 31 januari 2027"), std::string::npos)
      << Text(t);
  EXPECT_NE(Text(t).find("Johan Berg"), std::string::npos) << Text(t);
  EXPECT_FALSE(t.confirmed);
  t = Press("dal-sara", "absence_confirm");
  ASSERT_TRUE(t.confirmed);
  EXPECT_EQ(t.confirmed->accounts, std::vector<int64_t>{9});
  EXPECT_EQ(t.confirmed->period.from, "2027-01-01");
  EXPECT_EQ(t.confirmed->period.to, "2027-01-31");
  EXPECT_EQ(t.confirmed->cover, "dal-johan");
  EXPECT_TRUE(t.pending.empty());
}

TEST_F(AbsenceTest, SeveralAccountsAskWhichThenThePeriodAndOfferOnlyWhoAdministersAll) {
  AbsenceTurn t = Start("dal-sara", {kFolktandvarden, kInstagram}, "frånvaro");
  EXPECT_TRUE(Offers(t, "absence_account", "all")) << Text(t);
  t = Say("dal-sara", "7");
  EXPECT_NE(Text(t).find("hittar inte"), std::string::npos) << Text(t);
  t = Say("dal-sara", "1, 2");
  EXPECT_NE(Text(t).find("Under vilken period"), std::string::npos) << Text(t);
  t = Say("dal-sara", "2026-12-02 till 2026-12-05");
  EXPECT_NE(Text(t).find("förflutna"), std::string::npos) << Text(t);
  t = Say("dal-sara", "imorgon kanske");
  EXPECT_NE(Text(t).find("förstod inte"), std::string::npos) << Text(t);
  t = Say("dal-sara", "1 mars till 31 augusti");
  // Lena administers only Instagram: Johan is the one who can cover both.
  EXPECT_TRUE(Offers(t, "absence_cover", "dal-johan")) << Text(t);
  EXPECT_FALSE(Offers(t, "absence_cover", "dal-lena")) << Text(t);
  t = Press("dal-sara", "absence_cover", "dal-lena");  // a forged button
  EXPECT_NE(Text(t).find("inte administratör"), std::string::npos) << Text(t);
  t = Say("dal-sara", "johan");
  t = Say("dal-sara", "ja");
  ASSERT_TRUE(t.confirmed);
  EXPECT_EQ(t.confirmed->accounts, (std::vector<int64_t>{9, 12}));
  EXPECT_EQ(t.confirmed->period.from, "2027-03-01");
  EXPECT_EQ(t.confirmed->cover, "dal-johan");
}

TEST_F(AbsenceTest, AllAccountsAndNobodyToCoverPutTheRuleInTheSummary) {
  AbsenceTurn t = Start("dal-sara", {kFolktandvarden, kInstagram}, "föräldraledig 1/3 - 31/8");
  t = Say("dal-sara", "alla");
  t = Say("dal-sara", "ingen");
  EXPECT_NE(Text(t).find("Ersättare: ingen"), std::string::npos) << Text(t);
  t = Press("dal-sara", "absence_confirm");
  ASSERT_TRUE(t.confirmed);
  EXPECT_EQ(t.confirmed->accounts, (std::vector<int64_t>{9, 12}));
  EXPECT_EQ(t.confirmed->cover, "");
}

TEST_F(AbsenceTest, AnAccountWithNoOtherAdministratorGoesStraightToTheSummary) {
  AbsenceAccount alone = kFolktandvarden;
  alone.others.clear();
  AbsenceTurn t = Start("dal-sara", {alone}, "semester 6-24 juli");
  EXPECT_NE(Text(t).find("Ersättare: ingen"), std::string::npos) << Text(t);
  EXPECT_TRUE(Offers(t, "absence_confirm", ""));
}

TEST_F(AbsenceTest, CancelEndsItAndSomeoneWhoAdministersNothingIsToldSo) {
  Start("dal-sara", {kFolktandvarden}, "frånvaro");
  AbsenceTurn t = Say("dal-sara", "avbryt");
  EXPECT_FALSE(t.confirmed);
  EXPECT_TRUE(t.pending.empty());
  EXPECT_NE(Text(t).find("ingen frånvaro anmäls"), std::string::npos) << Text(t);
  t = Start("dal-karin", {}, "frånvaro");
  EXPECT_TRUE(t.pending.empty());
  EXPECT_NE(Text(t).find("inte administratör för något konto"), std::string::npos) << Text(t);
}

}  // namespace
}  // namespace kontobot::testing
