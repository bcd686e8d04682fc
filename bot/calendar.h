// The Swedish working-time calendar: public holidays for any year (the
// Easter-based ones included), the de-facto days off (midsommarafton,
// julafton, nyårsafton), weekends, office hours, and an organisation's own
// closed days; and arithmetic in working time, e.g. "one working day after
// Thursday 16:30 before Good Friday".
//
// Everything here is in local civil time (minutes since 1970-01-01 00:00
// local, no zone): converting to and from instants is the LocalTime port's
// job (handlers/stockholm_time.h, Europe/Stockholm with its DST rules).
//
// Thread-safety: immutable after construction.
#ifndef KONTOBOT_BOT_CALENDAR_H_
#define KONTOBOT_BOT_CALENDAR_H_

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace kontobot {

using LocalMinutes = std::chrono::local_time<std::chrono::minutes>;

struct Holiday {
  std::chrono::year_month_day date;
  std::string name_sv;
  std::string name_en;
  bool de_facto = false;  // a day off by custom (julafton), not by law
};

class SwedishCalendar {
 public:
  // Office hours as minutes after local midnight: [open, close).
  // REQUIRES: 0 <= open < close <= 24 * 60.
  explicit SwedishCalendar(int open_minute = 8 * 60, int close_minute = 17 * 60,
                           std::set<std::chrono::year_month_day> closed_days = {});

  // The holidays and de-facto days off of `year`, in date order.
  static std::vector<Holiday> Holidays(int year);
  // Easter Sunday (Gregorian), by the anonymous algorithm.
  static std::chrono::year_month_day Easter(int year);

  bool IsWorkingDay(std::chrono::year_month_day day) const;
  // True when `t` falls within office hours on a working day.
  bool IsOpen(LocalMinutes t) const;
  // The first moment at or after `t` when the office is open.
  LocalMinutes NextOpen(LocalMinutes t) const;
  // `t` plus `minutes` of office time (time outside office hours, on
  // weekends and holidays does not count).
  LocalMinutes AddWorkingMinutes(LocalMinutes t, int64_t minutes) const;
  // `t` plus `days` full working days (each one office day long).
  LocalMinutes AddWorkingDays(LocalMinutes t, int days) const;

 private:
  int open_;
  int close_;
  std::set<std::chrono::year_month_day> closed_;
};

}  // namespace kontobot

#endif  // KONTOBOT_BOT_CALENDAR_H_
