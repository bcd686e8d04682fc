// The case engine: what happens to a registration after it is submitted.
//
// A submitted registration travels its template's approval chain (stages of
// one or more parallel steps, each with a condition on the answers), then
// its administrators accept the assignment, then it is approved: the
// account enters the register, the information function gets the copy, and
// the requester gets the organisation's start-up steps. Every wait is a
// Task assigned to one person; the engine decides who (from the directory,
// or named by the requester when the directory does not know), checks that
// only the assignee or a valid deputy decides, and says which messages to
// send and which earlier messages to rewrite.
//
// Like ConversationEngine, this is a pure function of (case, action, now):
// app/conversation_service.h loads the case, applies the CaseOutcome
// and commits in one transaction.
//
// Thread-safety: const methods, no state; the borrowed templates, catalogue,
// directory and LocalTime must outlive the engine.
#ifndef KONTOBOT_BOT_APPROVAL_H_
#define KONTOBOT_BOT_APPROVAL_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/conversation.h"
#include "bot/directory.h"
#include "bot/template.h"

namespace kontobot {

enum class TaskKind { kApproval, kAdmin, kStartup, kNameApprover, kClosing };
enum class TaskStatus { kOpen, kApproved, kRejected, kAccepted, kDeclined, kDone, kCancelled };

std::string_view TaskKindName(TaskKind kind);
std::optional<TaskKind> ParseTaskKind(std::string_view name);
std::string_view TaskStatusName(TaskStatus status);
std::optional<TaskStatus> ParseTaskStatus(std::string_view name);

struct Task {
  int64_t id = 0;
  int64_t registration_id = 0;
  int round = 1;  // 1, then 2 after a resubmission, ...
  TaskKind kind = TaskKind::kApproval;
  std::string step_id;   // approval step, startup step, or admin index
  int stage = 0;         // approval stages run in order
  std::string assignee;  // person id
  TaskStatus status = TaskStatus::kOpen;
  std::string decided_by;  // person id (the assignee or a deputy)
  std::optional<TimePoint> decided_at;
  std::string reason;                                // a rejection's or refusal's reason
  nlohmann::json detail = nlohmann::json::object();  // admin: the person as named
  TimePoint created{};
};

// Registration statuses.
inline constexpr const char* kPendingApproval = "pending_approval";
inline constexpr const char* kPendingAdmins = "pending_admins";
inline constexpr const char* kApproved = "approved";
inline constexpr const char* kRejected = "rejected";

struct Case {
  int64_t id = 0;  // the registration (== draft) id
  int round = 1;
  std::string status;
  std::string requester;  // person id
  std::string template_id;
  nlohmann::json answers = nlohmann::json::object();
  std::vector<Task> tasks;  // every round's
  TimePoint submitted{};
  // The languages people chose (borrowed for the call; may be null): every
  // message goes out in its recipient's language.
  const LanguageChoices* languages = nullptr;
};

// A message to someone other than the actor, optionally tied to tasks (so
// it can be rewritten when they are decided).
struct Outbound {
  std::string person;
  Reply reply;
  std::vector<int64_t> task_ids;
};

// Rewrite every message tied to the task.
struct Rewrite {
  int64_t task_id = 0;
  Reply reply;
};

// A confirmed request to close an account (bot/closing.h asks for it).
struct ClosingRequest {
  std::string mode = "closed";  // "closed" or "closed_for_posts"
  std::string reason;
};

// The last closing step is done: the account changes state.
struct AccountClosed {
  std::string mode;  // "closed" or "closed_for_posts"
  std::string reason;
  std::string requested_by;  // person id
};

struct CaseOutcome {
  std::vector<Task> tasks;  // created or changed
  std::vector<Outbound> messages;
  std::vector<Rewrite> rewrites;
  std::vector<Reply> replies;  // to the actor
  std::vector<AuditEntry> audit;
  std::optional<std::string> status;           // the registration's new status
  std::optional<nlohmann::json> answers;       // changed answers (a replaced admin)
  bool register_account = false;               // enter it in the register now
  bool list_account = false;                   // it exists now: list it publicly
  std::optional<AccountClosed> close_account;  // its closing is complete
  bool reopen_draft = false;                   // a rejection: the requester may amend
  std::map<std::string, std::string> pending;  // person -> session.pending
  // A start-up step's answer: the account's page or profile id, to be
  // linked to it (the social inbox's account_pages).
  std::optional<std::string> page_id;
};

// Session.pending values owned by the case engine start with this.
inline constexpr const char* kCasePending = "case:";

class CaseEngine {
 public:
  CaseEngine(const TemplateSet& templates, const Catalog& catalog, const Directory& directory,
             const LocalTime& local_time);

  // The case was (re)submitted: `c.round` is the new round. Cancels what is
  // left of earlier rounds and starts the chain. `next_task_id` is the id
  // the first new task gets; it is advanced.
  CaseOutcome Submitted(const Case& c, TimePoint now, int64_t& next_task_id) const;

  // `actor` pressed `action` ("approve", "reject", "ask", "accept",
  // "decline", "done") on task `task_id`, or, with action "text", typed
  // `text` while their session was pending `pending` (see kCasePending).
  CaseOutcome Act(const Case& c, const Person& actor, const std::string& action, int64_t task_id,
                  const std::string& text, const std::string& pending, TimePoint now,
                  int64_t& next_task_id) const;

  // `actor` confirmed closing the case's account (they may: see
  // bot/closing.h): one closing task per step of the template's `closing:`
  // block, for its confirmer, each with a "done" button; the people each
  // step names are told. No steps: the account closes at once.
  // REQUIRES: no closing of the account is open (the caller checks, in the
  // transaction that writes the outcome).
  CaseOutcome StartClosing(const Case& c, const Person& actor, const ClosingRequest& request,
                           TimePoint now, int64_t& next_task_id) const;

  // True for the button actions this engine owns.
  static bool Owns(const std::string& action);
  // The task a pending value or button value refers to (0 if none).
  static int64_t TaskOf(const std::string& value);

  // The approval request's text for `task`, as the approver sees it.
  std::string RequestText(const Case& c, const Task& task, Lang lang) const;

  // Local time as this engine reads it (case dates are local dates).
  const LocalTime& local_time() const { return local_time_; }

 private:
  class Run;
  const TemplateSet& templates_;
  const Catalog& catalog_;
  const Directory& directory_;
  const LocalTime& local_time_;
};

}  // namespace kontobot

#endif  // KONTOBOT_BOT_APPROVAL_H_
