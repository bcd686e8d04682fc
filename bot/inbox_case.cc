#include "bot/inbox_case.h"

#include <algorithm>

namespace kontobot {

std::vector<InboxCaseTaskSpec> CaseTasksFor(const InboxPolicy& policy, std::string_view reason) {
  std::vector<InboxCaseTaskSpec> out;
  for (const InboxCaseTaskSpec& t : policy.case_tasks) {
    if (t.when.empty() || std::find(t.when.begin(), t.when.end(), reason) != t.when.end())
      out.push_back(t);
  }
  return out;
}

std::vector<CaseTask> NewCaseTasks(const std::vector<InboxCaseTaskSpec>& specs) {
  std::vector<CaseTask> tasks;
  for (const InboxCaseTaskSpec& s : specs) {
    CaseTask t;
    t.position = static_cast<int>(tasks.size());
    t.task_id = s.id;
    t.kind = s.kind;
    t.confirmed_by = s.confirmed_by;
    t.report_to = s.report_to;
    if (s.kind == "copy") {
      t.state = "done";
      t.done_by = "kontobot";
    }
    tasks.push_back(std::move(t));
  }
  return tasks;
}

std::vector<std::string> RemainingKinds(const std::vector<CaseTask>& tasks) {
  std::vector<std::string> kinds;
  for (const CaseTask& t : tasks)
    if (t.state == "open") kinds.push_back(t.kind);
  return kinds;
}

bool CaseComplete(const std::vector<CaseTask>& tasks) {
  return std::none_of(tasks.begin(), tasks.end(),
                      [](const CaseTask& t) { return t.state == "open"; });
}

CaseTask* OpenTaskOfKind(std::vector<CaseTask>& tasks, std::string_view kind) {
  for (CaseTask& t : tasks)
    if (t.state == "open" && t.kind == kind) return &t;
  return nullptr;
}

}  // namespace kontobot
