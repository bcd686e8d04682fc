#include "bot/calendar.h"

#include <algorithm>
#include <map>

namespace kontobot {

using std::chrono::days;
using std::chrono::local_days;
using std::chrono::year;
using std::chrono::year_month_day;

namespace {

year_month_day Ymd(int y, unsigned m, unsigned d) {
  return year_month_day{year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

// The day of `weekday` within [first, first + 6].
year_month_day WeekdayIn(year_month_day first, std::chrono::weekday weekday) {
  local_days d{first};
  while (std::chrono::weekday{d} != weekday) d += days{1};
  return year_month_day{d};
}

year_month_day Plus(year_month_day d, int n) { return year_month_day{local_days{d} + days{n}}; }

}  // namespace

year_month_day SwedishCalendar::Easter(int y) {
  int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return Ymd(y, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

std::vector<Holiday> SwedishCalendar::Holidays(int y) {
  // Lag (1989:253) om allmänna helgdagar, plus the eves that are days off
  // by custom and collective agreement.
  year_month_day easter = Easter(y);
  year_month_day midsummer = WeekdayIn(Ymd(y, 6, 20), std::chrono::Saturday);
  std::vector<Holiday> out{
      {Ymd(y, 1, 1), "nyårsdagen", "New Year's Day", false},
      {Ymd(y, 1, 6), "trettondedag jul", "Epiphany", false},
      {Plus(easter, -2), "långfredagen", "Good Friday", false},
      {easter, "påskdagen", "Easter Sunday", false},
      {Plus(easter, 1), "annandag påsk", "Easter Monday", false},
      {Ymd(y, 5, 1), "första maj", "May Day", false},
      {Plus(easter, 39), "Kristi himmelsfärdsdag", "Ascension Day", false},
      {Plus(easter, 49), "pingstdagen", "Whit Sunday", false},
      {Ymd(y, 6, 6), "Sveriges nationaldag", "National Day of Sweden", false},
      {Plus(midsummer, -1), "midsommarafton", "Midsummer Eve", true},
      {midsummer, "midsommardagen", "Midsummer Day", false},
      {WeekdayIn(Ymd(y, 10, 31), std::chrono::Saturday), "alla helgons dag", "All Saints' Day",
       false},
      {Ymd(y, 12, 24), "julafton", "Christmas Eve", true},
      {Ymd(y, 12, 25), "juldagen", "Christmas Day", false},
      {Ymd(y, 12, 26), "annandag jul", "Boxing Day", false},
      {Ymd(y, 12, 31), "nyårsafton", "New Year's Eve", true},
  };
  std::sort(out.begin(), out.end(),
            [](const Holiday& a, const Holiday& b) { return a.date < b.date; });
  return out;
}

SwedishCalendar::SwedishCalendar(int open_minute, int close_minute,
                                 std::set<year_month_day> closed_days)
    : open_(open_minute), close_(close_minute), closed_(std::move(closed_days)) {}

bool SwedishCalendar::IsWorkingDay(year_month_day day) const {
  std::chrono::weekday wd{local_days{day}};
  if (wd == std::chrono::Saturday || wd == std::chrono::Sunday) return false;
  if (closed_.count(day)) return false;
  for (const Holiday& h : Holidays(static_cast<int>(day.year()))) {
    if (h.date == day) return false;
  }
  return true;
}

bool SwedishCalendar::IsOpen(LocalMinutes t) const {
  auto day = std::chrono::floor<days>(t);
  int minute = static_cast<int>((t - day).count());
  return IsWorkingDay(year_month_day{day}) && minute >= open_ && minute < close_;
}

LocalMinutes SwedishCalendar::NextOpen(LocalMinutes t) const {
  for (int guard = 0; guard < 400; ++guard) {
    auto day = std::chrono::floor<days>(t);
    int minute = static_cast<int>((t - day).count());
    if (IsWorkingDay(year_month_day{day}) && minute < close_) {
      return minute < open_ ? day + std::chrono::minutes(open_) : t;
    }
    t = day + days{1};  // midnight of the next day
  }
  return t;
}

LocalMinutes SwedishCalendar::AddWorkingMinutes(LocalMinutes t, int64_t minutes) const {
  t = NextOpen(t);
  while (true) {
    auto day = std::chrono::floor<days>(t);
    int64_t left_today = close_ - (t - day).count();
    if (minutes <= left_today) return t + std::chrono::minutes(minutes);
    minutes -= left_today;
    t = NextOpen(day + days{1});
  }
}

LocalMinutes SwedishCalendar::AddWorkingDays(LocalMinutes t, int n) const {
  return AddWorkingMinutes(t, static_cast<int64_t>(n) * (close_ - open_));
}

}  // namespace kontobot
