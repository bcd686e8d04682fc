// Strategy: the holidays of several years against the dates published in
// the Swedish almanac, Easter against known years, and working-time sums
// across weekends, Easter and midsummer in local civil time.
#include "bot/calendar.h"

#include <gtest/gtest.h>

namespace kontobot {
namespace {

using namespace std::chrono;  // NOLINT

year_month_day D(int y, unsigned m, unsigned d) {
  return year_month_day{year{y}, month{m}, day{d}};
}
LocalMinutes At(int y, unsigned m, unsigned d, int h, int min) {
  return local_days{D(y, m, d)} + hours{h} + minutes{min};
}
year_month_day DateOf(const std::vector<Holiday>& hs, const std::string& name) {
  for (const Holiday& h : hs) {
    if (h.name_sv == name) return h.date;
  }
  ADD_FAILURE() << "no " << name;
  return {};
}

TEST(Calendar, EasterOfKnownYears) {
  EXPECT_EQ(SwedishCalendar::Easter(2000), D(2000, 4, 23));
  EXPECT_EQ(SwedishCalendar::Easter(2019), D(2019, 4, 21));
  EXPECT_EQ(SwedishCalendar::Easter(2024), D(2024, 3, 31));
  EXPECT_EQ(SwedishCalendar::Easter(2025), D(2025, 4, 20));
  EXPECT_EQ(SwedishCalendar::Easter(2026), D(2026, 4, 5));
  EXPECT_EQ(SwedishCalendar::Easter(2038), D(2038, 4, 25));
}

TEST(Calendar, HolidaysMatchThePublishedDates) {
  struct Year {
    int y;
    year_month_day good_friday, ascension, whitsun, midsummer_eve, midsummer, all_saints;
  };
  for (const Year& y : {Year{2024, D(2024, 3, 29), D(2024, 5, 9), D(2024, 5, 19), D(2024, 6, 21),
                             D(2024, 6, 22), D(2024, 11, 2)},
                        Year{2025, D(2025, 4, 18), D(2025, 5, 29), D(2025, 6, 8), D(2025, 6, 20),
                             D(2025, 6, 21), D(2025, 11, 1)},
                        Year{2026, D(2026, 4, 3), D(2026, 5, 14), D(2026, 5, 24), D(2026, 6, 19),
                             D(2026, 6, 20), D(2026, 10, 31)},
                        Year{2027, D(2027, 3, 26), D(2027, 5, 6), D(2027, 5, 16), D(2027, 6, 25),
                             D(2027, 6, 26), D(2027, 11, 6)}}) {
    auto hs = SwedishCalendar::Holidays(y.y);
    EXPECT_EQ(DateOf(hs, "långfredagen"), y.good_friday) << y.y;
    EXPECT_EQ(DateOf(hs, "Kristi himmelsfärdsdag"), y.ascension) << y.y;
    EXPECT_EQ(DateOf(hs, "pingstdagen"), y.whitsun) << y.y;
    EXPECT_EQ(DateOf(hs, "midsommarafton"), y.midsummer_eve) << y.y;
    EXPECT_EQ(DateOf(hs, "midsommardagen"), y.midsummer) << y.y;
    EXPECT_EQ(DateOf(hs, "alla helgons dag"), y.all_saints) << y.y;
    EXPECT_EQ(hs.size(), 16u);
  }
}

TEST(Calendar, WorkingDays) {
  SwedishCalendar cal;
  EXPECT_TRUE(cal.IsWorkingDay(D(2026, 11, 23)));              // a Monday
  EXPECT_FALSE(cal.IsWorkingDay(D(2026, 11, 28)));             // Saturday
  EXPECT_FALSE(cal.IsWorkingDay(D(2026, 6, 19)));              // midsommarafton, by custom
  EXPECT_FALSE(cal.IsWorkingDay(D(2026, 12, 24)));             // julafton
  EXPECT_FALSE(cal.IsWorkingDay(D(2026, 12, 31)));             // nyårsafton
  EXPECT_FALSE(cal.IsWorkingDay(D(2026, 1, 6)));               // trettondedag jul
  SwedishCalendar closed(8 * 60, 17 * 60, {D(2026, 11, 23)});  // an organisation's own closed day
  EXPECT_FALSE(closed.IsWorkingDay(D(2026, 11, 23)));
}

TEST(Calendar, OneWorkingDayAfterThursdayAfternoonBeforeGoodFriday) {
  SwedishCalendar cal;
  // Thu 2 Apr 2026 16:30: 30 minutes left; Good Friday, the weekend and
  // Easter Monday are closed; the other 8.5 hours fall on Tuesday.
  EXPECT_EQ(cal.AddWorkingDays(At(2026, 4, 2, 16, 30), 1), At(2026, 4, 7, 16, 30));
}

TEST(Calendar, WorkingMinutesSkipNightsWeekendsAndStartAtOpening) {
  SwedishCalendar cal;
  EXPECT_EQ(cal.AddWorkingMinutes(At(2026, 11, 23, 10, 0), 60), At(2026, 11, 23, 11, 0));
  EXPECT_EQ(cal.AddWorkingMinutes(At(2026, 11, 27, 16, 0), 120),
            At(2026, 11, 30, 9, 0));  // Fri -> Mon
  EXPECT_EQ(cal.AddWorkingMinutes(At(2026, 11, 23, 6, 0), 30),
            At(2026, 11, 23, 8, 30));  // before opening
  EXPECT_EQ(cal.AddWorkingMinutes(At(2026, 11, 23, 20, 0), 0),
            At(2026, 11, 24, 8, 0));                                         // after closing
  EXPECT_EQ(cal.NextOpen(At(2026, 12, 23, 17, 0)), At(2026, 12, 28, 8, 0));  // over Christmas
  EXPECT_TRUE(cal.IsOpen(At(2026, 11, 23, 8, 0)));
  EXPECT_FALSE(cal.IsOpen(At(2026, 11, 23, 17, 0)));
}

}  // namespace
}  // namespace kontobot
