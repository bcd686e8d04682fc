// The diarienummer of a case, as the information function keeps it.
//
// A case (a registration) may carry a diarienummer and the date it was
// registered on (diarieföring: ../shared/SWEDISH-RECORDS.md), shown in
// every export of it. The information function of the case's organisation
// sets it in chat ("diarienummer 12 KS 2026/0042") or on the command line
// (`kontobot diary 12 "KS 2026/0042"`); both read it with these functions.
//
// Thread-safety: free functions without shared state.
#ifndef KONTOBOT_BOT_DIARY_H_
#define KONTOBOT_BOT_DIARY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bot/directory.h"
#include "bot/text.h"

namespace kontobot {

// A typed diary command: "<command word> [nr] <case> [number]".
struct DiaryCommand {
  int64_t registration_id = 0;  // 0: the case number is missing or not a number
  std::string number;           // as typed (see CleanDiaryNumber); empty: show it
};

// The diary command in `text`, or nullopt when `text` does not start with
// one of the catalogue's words for it (command.diary, every language).
std::optional<DiaryCommand> ParseDiaryCommand(std::string_view text, const Catalog& catalog);

// `raw` as a diarienummer: control characters and line breaks as spaces,
// trimmed; nullopt unless 1 to 100 characters remain (bytes: a UTF-8
// number of 100 bytes is far longer than any registry's).
std::optional<std::string> CleanDiaryNumber(std::string_view raw);

// True if `person` may keep the diary of a case of organisation `org`: the
// organisation's information function.
bool KeepsDiaryOf(const Person& person, const std::string& org);

}  // namespace kontobot

#endif  // KONTOBOT_BOT_DIARY_H_
