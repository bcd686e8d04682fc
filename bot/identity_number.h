// Swedish personal identity numbers (personnummer) and coordination numbers
// (samordningsnummer): parsing one, and finding them in free text so that
// disclosure copies can mask them. Rules and test numbers:
// ../shared/SWEDISH-RECORDS.md §1 (Skatteverket; folkbokföringslagen 18 och
// 18 a §§).
//
// A number is valid when its date is a real date (for a samordningsnummer
// the day plus 60; day 60 and month 00 allowed there only), its serial is
// not 000, and its Luhn check digit over YYMMDDNNN matches. The century of
// a 10-digit number is fixed relative to a reference date (the date the
// text was written), never the wall clock: '+' means 100 years or more.
//
// Thread-safety: pure functions.
#ifndef KONTOBOT_BOT_IDENTITY_NUMBER_H_
#define KONTOBOT_BOT_IDENTITY_NUMBER_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kontobot {

struct IdentityNumber {
  std::string twelve;         // "YYYYMMDDNNNC", the form to store
  bool coordination = false;  // a samordningsnummer (day + 60)
  size_t begin = 0;           // byte span in the searched text (FindIdentityNumbers)
  size_t end = 0;
};

// Parses `text` as exactly one number: 10 or 12 digits, with '-' or '+'
// (or nothing) before the last four. A space is not a separator.
std::optional<IdentityNumber> ParseIdentityNumber(std::string_view text,
                                                  std::chrono::year_month_day reference);

// Every valid number in `text`, in order: 10 or 12 digits bounded by
// non-digits, with '-', '+' or one space before the last four. Wider than
// ParseIdentityNumber on purpose (a space), since a number missed here is
// a number handed out.
std::vector<IdentityNumber> FindIdentityNumbers(std::string_view text,
                                                std::chrono::year_month_day reference);

}  // namespace kontobot

#endif  // KONTOBOT_BOT_IDENTITY_NUMBER_H_
