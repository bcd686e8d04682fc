// The handling case a flagged inbox item starts (issue 18): its tasks, in
// the order of the organisation's template (bot/template.h InboxPolicy),
// and what is left of them. Pure: the store keeps the rows, app/ sends the
// messages.
//
// A task is open until done or judged not needed ("skipped", by a person:
// a word-list hit is a question for a person's judgement, never a removal
// by itself). The copy task is done by kontobot as the case opens: the
// original is already the record. The case closes when no task is open.
//
// Thread-safety: values and pure functions.
#ifndef KONTOBOT_BOT_INBOX_CASE_H_
#define KONTOBOT_BOT_INBOX_CASE_H_

#include <string>
#include <string_view>
#include <vector>

#include "bot/template.h"

namespace kontobot {

// Why an item was flagged.
inline constexpr std::string_view kFlagIdentityNumber = "identity_number";
inline constexpr std::string_view kFlagWordList = "word_list";
inline constexpr std::string_view kFlagManual = "flag";

// The template's tasks that apply to a case flagged for `reason`, in order.
std::vector<InboxCaseTaskSpec> CaseTasksFor(const InboxPolicy& policy, std::string_view reason);

struct CaseTask {
  int position = 0;  // 0-based, the template's order
  std::string task_id;
  std::string kind;  // copy, remove, register, report
  std::string confirmed_by;
  std::string report_to;
  std::string state = "open";  // open, done, skipped
  std::string done_by;
};

// The tasks of a new case: the copy tasks done by "kontobot", the rest open.
std::vector<CaseTask> NewCaseTasks(const std::vector<InboxCaseTaskSpec>& specs);

// The open tasks' kinds, in order ("register", "report").
std::vector<std::string> RemainingKinds(const std::vector<CaseTask>& tasks);
// True when no task is open.
bool CaseComplete(const std::vector<CaseTask>& tasks);
// The first open task of `kind`; nullptr if none is open.
CaseTask* OpenTaskOfKind(std::vector<CaseTask>& tasks, std::string_view kind);

}  // namespace kontobot

#endif  // KONTOBOT_BOT_INBOX_CASE_H_
