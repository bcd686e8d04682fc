#include "app/diary_keeping.h"

#include "bot/diary.h"

namespace kontobot::app {

DiaryWrite SetDiaryNumber(store::Transaction& tx, const Person& registrar, int64_t id,
                          std::string_view raw, const std::string& date, TimePoint now,
                          const std::string& channel) {
  DiaryWrite out;
  auto reg = tx.LoadRegistration(id);
  if (!reg) {
    out.outcome = DiaryWrite::Outcome::kUnknownCase;
    return out;
  }
  if (!KeepsDiaryOf(registrar, reg->org)) {
    out.outcome = DiaryWrite::Outcome::kNotAllowed;
    return out;
  }
  std::optional<std::string> number = CleanDiaryNumber(raw);
  if (!number) {
    out.outcome = DiaryWrite::Outcome::kInvalid;
    return out;
  }
  out.number = *number;
  out.old = tx.Diary(id);
  tx.SetDiary({id, out.number, date, registrar.id, now});
  tx.AppendAudit(now, registrar.id, "diary.set", "registration:" + std::to_string(id),
                 {{"diarienummer", out.number},
                  {"registered_on", date},
                  {"old", out.old ? out.old->diarienummer : ""},
                  {"channel", channel}});
  return out;
}

}  // namespace kontobot::app
