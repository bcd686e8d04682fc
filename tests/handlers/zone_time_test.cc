// Strategy: Europe/Stockholm from the system tz database, checked on the
// days the clocks change, where a working-time calculation done in UTC
// would be an hour off.
#include "handlers/stockholm_time.h"

#include <gtest/gtest.h>

#include "bot/calendar.h"
#include "store/clock_format.h"

namespace kontobot::handlers {
namespace {

using namespace std::chrono;  // NOLINT

LocalMinutes At(int y, unsigned m, unsigned d, int h, int min) {
  return local_days{year_month_day{year{y}, month{m}, day{d}}} + hours{h} + minutes{min};
}

TEST(ZoneTime, WinterAndSummerOffsets) {
  ZoneTime z;
  EXPECT_EQ(store::FormatUtc(z.FromLocal(At(2026, 1, 15, 9, 0))), "2026-01-15T08:00:00.000Z");
  EXPECT_EQ(store::FormatUtc(z.FromLocal(At(2026, 7, 15, 9, 0))), "2026-07-15T07:00:00.000Z");
  EXPECT_EQ(z.ToLocal(z.FromLocal(At(2026, 7, 15, 9, 0))), At(2026, 7, 15, 9, 0));
  EXPECT_EQ(z.Format(z.FromLocal(At(2026, 11, 23, 10, 14))), "2026-11-23 10:14");
}

TEST(ZoneTime, SkippedAndRepeatedHoursOnTheDaysTheClocksChange) {
  ZoneTime z;
  // 29 March 2026, 02:30 does not exist in Stockholm (02:00 -> 03:00).
  EXPECT_EQ(store::FormatUtc(z.FromLocal(At(2026, 3, 29, 2, 30))), "2026-03-29T01:00:00.000Z");
  // 25 October 2026, 02:30 happens twice; the first is 00:30 UTC.
  EXPECT_EQ(store::FormatUtc(z.FromLocal(At(2026, 10, 25, 2, 30))), "2026-10-25T00:30:00.000Z");
}

TEST(ZoneTime, WorkingDayAcrossTheSpringChangeKeepsLocalOfficeHours) {
  ZoneTime z;
  SwedishCalendar cal;
  // Friday 27 March 2026 16:00 local plus one working day: Monday 30 March
  // 16:00 local, which is 14:00 UTC now that summer time has begun.
  auto due = z.FromLocal(cal.AddWorkingDays(z.ToLocal(z.FromLocal(At(2026, 3, 27, 16, 0))), 1));
  EXPECT_EQ(store::FormatUtc(due), "2026-03-30T14:00:00.000Z");
}

}  // namespace
}  // namespace kontobot::handlers
