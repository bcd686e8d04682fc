// Closing an account, and the register's states (ConversationService's
// closing effects): the closing conversation's routing (bot/closing.h),
// the closing case's start (CaseEngine::StartClosing) in the transaction
// that records the confirmation, and the account's change of state when a
// case outcome says so, with its history row and, for a closed account,
// its open timers cancelled.
#include <algorithm>

#include "app/conversation_service.h"
#include "app/turn.h"

namespace kontobot::app {

std::vector<ClosableAccount> ConversationService::ClosableAccounts(store::Transaction& tx,
                                                                   const Person& person) {
  // The same people may close an account as may change it.
  std::vector<ClosableAccount> out;
  for (const ChangeableAccount& a : ChangeableAccounts(tx, person))
    out.push_back({a.id, a.label, a.template_id});
  return out;
}

bool ConversationService::HandleClosingInput(Turn& turn, const Input& input) {
  const bool button = input.action == "intent" && input.value == "close_account";
  const bool pending = !button && turn.session.pending.rfind(kClosingPending, 0) == 0;
  if (pending && !input.action.empty() && !ClosingConversation::Owns(input.action)) {
    turn.session.pending.clear();  // another button: the closing question is left
    return false;
  }
  if (!pending && ClosingConversation::Owns(input.action)) {
    Say(turn, {catalog_.Render(turn.session.lang, "closing.gone"), {}});
    return true;
  }
  if (pending) {
    ClosingTurn ct =
        closing_.Handle(turn.person, turn.session.lang, ClosableAccounts(turn.tx, turn.person),
                        turn.session.pending, input);
    turn.session.pending = ct.pending;
    for (const AuditEntry& a : ct.audit)
      turn.tx.AppendAudit(turn.now, turn.person.id, a.action, a.subject, a.detail);
    for (const Reply& r : ct.replies) Say(turn, r);
    if (ct.confirmed) ConfirmClosing(turn, ct.confirmed->first, ct.confirmed->second);
    return true;
  }
  bool asked = button;
  if (!asked && input.action.empty() && !input.text.empty()) {
    // Outside a registration only: inside one, the text is an answer.
    bool in_draft = false;
    if (turn.session.active_draft != 0) {
      for (const Draft& d : turn.tx.OpenDrafts(turn.person.id))
        in_draft = in_draft || d.id == turn.session.active_draft;
    }
    const Organisation* o = directory_.FindOrganisation(turn.person.org);
    auto t = o != nullptr ? templates_.find(o->template_id) : templates_.end();
    asked = !in_draft &&
            recogniser_.Recognise(input.text, t != templates_.end() ? t->second.get() : nullptr)
                    .intent == Intent::kCloseAccount;
  }
  if (!asked) return false;
  turn.tx.AppendAudit(turn.now, turn.person.id, "intent.recognised", "person:" + turn.person.id,
                      {{"intent", "close_account"}});
  StartClosing(turn, 0, "");
  return true;
}

void ConversationService::StartClosing(Turn& turn, int64_t account, const std::string& reason) {
  const Organisation* o = directory_.FindOrganisation(turn.person.org);
  auto t = o != nullptr ? templates_.find(o->template_id) : templates_.end();
  ClosingTurn ct = closing_.Start(turn.person, turn.session.lang,
                                  t != templates_.end() ? t->second.get() : nullptr,
                                  ClosableAccounts(turn.tx, turn.person), account, reason);
  turn.session.pending = ct.pending;
  for (const AuditEntry& a : ct.audit)
    turn.tx.AppendAudit(turn.now, turn.person.id, a.action, a.subject, a.detail);
  for (const Reply& r : ct.replies) Say(turn, r);
}

void ConversationService::ConfirmClosing(Turn& turn, int64_t account,
                                         const ClosingRequest& request) {
  const Lang lang = turn.session.lang;
  auto a = turn.tx.LoadAccount(account);
  if (!a || a->status == store::kAccountClosed) {
    Say(turn, {catalog_.Render(lang, "closing.gone"), {}});
    return;
  }
  // One closing at a time: this transaction sees every committed one.
  for (const Task& task : turn.tx.TasksOf(account)) {
    if (task.kind == TaskKind::kClosing && task.status == TaskStatus::kOpen) {
      const Person* by = directory_.Find(task.detail.value("requested_by", ""));
      Say(turn, {catalog_.Render(lang, "closing.already",
                                 {{"account", Literal(a->medium)},
                                  {"id", std::to_string(account)},
                                  {"requester", by ? by->name : ""}}),
                 {}});
      turn.tx.AppendAudit(turn.now, turn.person.id, "closing.already_under_way",
                          "registration:" + std::to_string(account),
                          {{"closing", task.detail.value("closing", int64_t{0})}});
      return;
    }
  }
  Case c = LoadCase(turn.tx, account);
  int64_t next_task = turn.tx.NextTaskId();
  CaseOutcome co = cases_.StartClosing(c, turn.person, request, turn.now, next_task);
  store::AccountChange started;
  started.registration_id = account;
  started.at = turn.now;
  started.by = turn.person.id;
  started.event = "closing.started";
  started.from_status = started.to_status = a->status;
  started.detail = {{"mode", request.mode}, {"reason", request.reason}};
  turn.tx.AppendAccountHistory(started);
  ApplyCase(turn, c, co);
  log_->info("closing of account {} started by {}", account, turn.person.id);
}

void ConversationService::ListAccount(Turn& turn, const Case& c) {
  auto a = turn.tx.LoadAccount(c.id);
  if (!a || a->status != store::kAccountApproved) return;
  turn.tx.SetAccountStatus(c.id, store::kAccountListed, turn.now, turn.person.id, "");
  turn.tx.AppendAudit(turn.now, turn.person.id, "register.listed",
                      "registration:" + std::to_string(c.id), nlohmann::json::object());
  StartDuties(turn.tx, c.id, a->org, turn.now);
  Say(turn, {catalog_.Render(turn.session.lang, "register.listed_now",
                             {{"account", Literal(a->Label())}}),
             {}});
}

void ConversationService::CloseAccount(Turn& turn, const Case& c, const AccountClosed& closed) {
  const std::string status =
      closed.mode == "closed_for_posts" ? store::kAccountClosedForPosts : store::kAccountClosed;
  turn.tx.SetAccountStatus(c.id, status, turn.now, closed.requested_by, closed.reason,
                           {{"confirmed_by", turn.person.id}});
  turn.tx.AppendAudit(turn.now, turn.person.id, "register." + status,
                      "registration:" + std::to_string(c.id),
                      {{"reason", closed.reason}, {"by", closed.requested_by}});
  // A closed account has no duties left; one closed for posts is still
  // watched and archived.
  if (status == store::kAccountClosed) turn.tx.CancelAccountTimers(c.id, turn.now);
  log_->info("account {} is now {}", c.id, status);
}

}  // namespace kontobot::app
