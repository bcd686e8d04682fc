#include "bot/diary.h"

#include <algorithm>
#include <cctype>

#include "bot/chat_markup.h"

namespace kontobot {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view SkipSpaces(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<DiaryCommand> ParseDiaryCommand(std::string_view text, const Catalog& catalog) {
  std::string_view typed = SkipSpaces(text);
  // Every message outside a draft comes here: one fold of the whole text
  // rules out all but the messages that start with a command word, before
  // the prefixes are folded one by one to find where it ends as typed.
  const std::string folded = NormalizeWord(typed);
  const std::vector<std::string>& words = catalog.CommandWords("diary");
  if (std::none_of(words.begin(), words.end(), [&](const std::string& w) {
        return folded.compare(0, w.size(), w) == 0 &&
               (folded.size() == w.size() || folded[w.size()] == ' ');
      })) {
    return std::nullopt;
  }
  // The longest command word the text starts with, compared as
  // NormalizeWord folds it (case, runs of spaces), followed by a space or
  // the end; `rest` is what follows it as typed.
  size_t matched = 0;
  for (const std::string& word : words) {
    for (size_t n = word.size() / 2; n <= typed.size() && n <= 2 * word.size() + 4; ++n) {
      if (n < typed.size() && !IsSpace(typed[n])) continue;
      if (NormalizeWord(typed.substr(0, n)) == word && n > matched) matched = n;
    }
  }
  if (matched == 0) return std::nullopt;
  std::string_view rest = SkipSpaces(typed.substr(matched));
  DiaryCommand c;
  for (std::string_view prefix : {"nr.", "nr", "no.", "no", "#"}) {
    if (rest.size() > prefix.size() && AsciiLower(rest.substr(0, prefix.size())) == prefix &&
        (std::isdigit(static_cast<unsigned char>(rest[prefix.size()])) != 0 ||
         IsSpace(rest[prefix.size()]))) {
      rest = SkipSpaces(rest.substr(prefix.size()));
      break;
    }
  }
  size_t digits = 0;
  while (digits < rest.size() && digits < 12 &&
         std::isdigit(static_cast<unsigned char>(rest[digits])) != 0) {
    ++digits;
  }
  if (digits == 0 || (digits < rest.size() && !IsSpace(rest[digits]) && rest[digits] != ':')) {
    return c;
  }
  c.registration_id = std::stoll(std::string(rest.substr(0, digits)));
  rest = SkipSpaces(rest.substr(digits));
  if (!rest.empty() && rest.front() == ':') rest = SkipSpaces(rest.substr(1));
  c.number = std::string(rest);
  return c;
}

std::optional<std::string> CleanDiaryNumber(std::string_view raw) {
  std::string number = CleanText(raw);
  for (char& c : number) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  }
  number = Trim(number);
  if (number.empty() || number.size() > 100) return std::nullopt;
  return number;
}

bool KeepsDiaryOf(const Person& person, const std::string& org) {
  return person.HasRole("informationsfunktion") && person.org == org;
}

}  // namespace kontobot
