#include "bot/identity_number.h"

namespace kontobot {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Luhn over the ten digits YYMMDDNNNC: weights 2,1,2,... on the first nine.
bool LuhnValid(std::string_view ten) {
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) {
    int p = (ten[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += p / 10 + p % 10;
  }
  return (10 - sum % 10) % 10 == ten[9] - '0';
}

int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// `digits` is 10 or 12 digits; `sep` is '-', '+' or 0.
std::optional<IdentityNumber> Check(std::string_view digits, char sep,
                                    std::chrono::year_month_day reference) {
  using namespace std::chrono;
  std::string_view ten = digits.size() == 12 ? digits.substr(2) : digits;
  int mm = Num(ten.substr(2, 2));
  int dd = Num(ten.substr(4, 2));
  if (Num(ten.substr(6, 3)) == 0 || !LuhnValid(ten)) return std::nullopt;
  bool coordination = dd >= 60;
  int day = coordination ? dd - 60 : dd;
  if (mm > 12 || (mm == 0 && !coordination) || (day == 0 && !coordination)) return std::nullopt;
  int year = 0;
  if (digits.size() == 12) {
    year = Num(digits.substr(0, 4));
  } else {
    int ref_year = static_cast<int>(reference.year());
    int yy = Num(ten.substr(0, 2));
    year = ref_year - ((ref_year % 100 - yy + 100) % 100);
    if (sep == '+') {
      year -= 100;
    } else if (mm != 0) {
      // A birth date after the reference date is a century earlier.
      year_month_day born{std::chrono::year{year}, month{static_cast<unsigned>(mm)},
                          std::chrono::day{static_cast<unsigned>(day == 0 ? 1 : day)}};
      if (born > reference) year -= 100;
    }
  }
  if (mm != 0 && day != 0) {
    year_month_day date{std::chrono::year{year}, month{static_cast<unsigned>(mm)},
                        std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok()) return std::nullopt;
  }
  IdentityNumber n;
  n.coordination = coordination;
  std::string y = std::to_string(year);
  n.twelve = std::string(4 - std::min<size_t>(4, y.size()), '0') + y + std::string(ten.substr(2));
  return n;
}

}  // namespace

std::optional<IdentityNumber> ParseIdentityNumber(std::string_view text,
                                                  std::chrono::year_month_day reference) {
  std::string digits;
  char sep = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (IsDigit(c)) {
      digits += c;
    } else if ((c == '-' || c == '+') && sep == 0 && text.size() - i == 5) {
      sep = c;
    } else {
      return std::nullopt;
    }
  }
  if (digits.size() != 10 && digits.size() != 12) return std::nullopt;
  auto n = Check(digits, sep, reference);
  if (n) n->end = text.size();
  return n;
}

std::vector<IdentityNumber> FindIdentityNumbers(std::string_view text,
                                                std::chrono::year_month_day reference) {
  std::vector<IdentityNumber> out;
  size_t i = 0;
  while (i < text.size()) {
    if (!IsDigit(text[i]) || (i > 0 && IsDigit(text[i - 1]))) {
      ++i;
      continue;
    }
    size_t run = i;
    while (run < text.size() && IsDigit(text[run])) ++run;
    size_t lead = run - i;
    std::optional<IdentityNumber> hit;
    size_t end = run;
    // YYMMDD or YYYYMMDD, a separator, four digits; or all 10/12 in a row.
    if ((lead == 6 || lead == 8) && run + 5 <= text.size() &&
        (text[run] == '-' || text[run] == '+' || text[run] == ' ')) {
      size_t tail = run + 1;
      size_t stop = tail;
      while (stop < text.size() && IsDigit(text[stop])) ++stop;
      if (stop - tail == 4) {
        std::string digits(text.substr(i, lead));
        digits += text.substr(tail, 4);
        hit = Check(digits, text[run] == ' ' ? '-' : text[run], reference);
        end = stop;
      }
    } else if (lead == 10 || lead == 12) {
      hit = Check(text.substr(i, lead), 0, reference);
    }
    if (hit) {
      hit->begin = i;
      hit->end = end;
      out.push_back(std::move(*hit));
      i = end;
    } else {
      i = run;
    }
  }
  return out;
}

}  // namespace kontobot
