// Strategy: the test numbers of ../shared/SWEDISH-RECORDS.md §1.6 (from
// personnummer/meta, check digits recomputed) as a table, the century rules
// of §1.2 with its examples, and the finder on text around them.
#include "bot/identity_number.h"

#include <gtest/gtest.h>

#include <vector>

namespace kontobot {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

const year_month_day kRef{year{2026}, month{5}, day{4}};

struct Case {
  const char* input;
  bool valid;
  const char* twelve;
};

TEST(IdentityNumber, TestNumbersFromTheTable) {
  const std::vector<Case> cases = {
      {"19090527+1474", true, "190905271474"},
      {"090527+1474", true, "190905271474"},
      {"19821105-9954", true, "198211059954"},
      {"19901211-9948", true, "199012119948"},
      {"18791221+9990", true, "187912219990"},  // check digit 0
      {"20001209-9891", true, "200012099891"},
      {"19570574-9959", true, "195705749959"},
      {"19730674-9982", true, "197306749982"},
      {"20150916-0006", false, ""},  // serial 000
      {"19870704-9996", false, ""},
      {"20121120-9941", false, ""},
      {"19390182-9913", false, ""},
      {"20121075-9984", false, ""},
      {"19090527 1474", false, ""},  // a space is not a separator
      {"19821105|9954", false, ""},
      {"1982110599", false, ""},
  };
  for (const Case& c : cases) {
    auto n = ParseIdentityNumber(c.input, kRef);
    EXPECT_EQ(n.has_value(), c.valid) << c.input;
    if (n) {
      EXPECT_EQ(n->twelve, c.twelve) << c.input;
    }
  }
}

TEST(IdentityNumber, CenturyOfTenDigitsFollowsTheReferenceDate) {
  EXPECT_EQ(ParseIdentityNumber("821105-9954", kRef)->twelve, "198211059954");
  EXPECT_EQ(ParseIdentityNumber("001209-9891", kRef)->twelve, "200012099891");
  EXPECT_EQ(ParseIdentityNumber("8211059954", kRef)->twelve, "198211059954");
  // The same number written in 1999 is also 1982; '+' means 100 or older.
  EXPECT_EQ(ParseIdentityNumber("821105+9954", kRef)->twelve, "188211059954");
}

TEST(IdentityNumber, SamordningsnummerKnowsItsKindAndPersonnummerDoesNot) {
  EXPECT_TRUE(ParseIdentityNumber("19570574-9959", kRef)->coordination);
  EXPECT_FALSE(ParseIdentityNumber("19821105-9954", kRef)->coordination);
}

TEST(IdentityNumber, FinderFindsEveryValidNumberInTextAndNothingElse) {
  std::string text =
      "Kontakt 19821105-9954, även 821105 9954 och 8211059954. Inte 19870704-9996, "
      "inte 2026-11-23, inte 123198211059954 eller telefon 070-123 45 67.";
  auto found = FindIdentityNumbers(text, kRef);
  ASSERT_EQ(found.size(), 3u);
  for (const auto& n : found) EXPECT_EQ(n.twelve, "198211059954");
  EXPECT_EQ(text.substr(found[0].begin, found[0].end - found[0].begin), "19821105-9954");
  EXPECT_EQ(text.substr(found[1].begin, found[1].end - found[1].begin), "821105 9954");
}

}  // namespace
}  // namespace kontobot
