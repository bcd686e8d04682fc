// Setting a case's diarienummer: the one write that the chat command
// ("diarienummer 12 KS 2026/0042", ConversationService::HandleDiaryInput),
// the command line (`kontobot diary`) and the information function's desk
// (handlers/desk/desk.h) share, so that a number set anywhere is checked,
// stored and audited ("diary.set") alike.
//
// Thread-safety: a free function; it reads and writes through the caller's
// transaction, which the caller commits.
#ifndef KONTOBOT_APP_DIARY_KEEPING_H_
#define KONTOBOT_APP_DIARY_KEEPING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bot/directory.h"
#include "store/store.h"

namespace kontobot::app {

struct DiaryWrite {
  enum class Outcome {
    kSet,          // stored and audited
    kUnknownCase,  // no registration `id`
    kNotAllowed,   // the registrar does not keep the case organisation's diary
    kInvalid,      // not a diarienummer (bot/diary.h, CleanDiaryNumber)
  };
  Outcome outcome = Outcome::kSet;
  std::string number;                    // kSet: as stored
  std::optional<store::DiaryEntry> old;  // kSet: the entry it replaced
};

// Sets registration `id`'s diarienummer to `raw` (cleaned), registered on
// local date `date`, by `registrar` at `now`, and audits it as "diary.set"
// with `channel` ("chat", "command_line", "desk"). Writes nothing unless
// the outcome is kSet. The caller commits.
DiaryWrite SetDiaryNumber(store::Transaction& tx, const Person& registrar, int64_t id,
                          std::string_view raw, const std::string& date, TimePoint now,
                          const std::string& channel);

}  // namespace kontobot::app

#endif  // KONTOBOT_APP_DIARY_KEEPING_H_
