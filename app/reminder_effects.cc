// Reminders: the timer rows of every wait, firing them, the public-reply
// waits of the social inbox, and the reminder buttons and words
// (ConversationService's reminder effects; routing is in
// conversation_service.cc).
#include "app/conversation_service.h"

#include <algorithm>
#include <map>

#include "app/turn.h"
#include "bot/answers.h"
#include "bot/diary.h"
#include "store/clock_format.h"

namespace kontobot::app {

std::string ConversationService::OrgOf(const std::string& person) const {
  const Person* p = directory_.Find(person);
  return p ? p->org : "";
}

void ConversationService::SyncTaskTimers(store::Transaction& tx, const Case& c,
                                         const std::vector<Task>& tasks, TimePoint now) {
  if (reminders_ == nullptr) return;
  for (const Task& task : tasks) {
    std::string subject = "task:" + std::to_string(task.id);
    if (task.status != TaskStatus::kOpen) {
      tx.CancelTimers(subject, now);
      continue;
    }
    if (tx.OpenTimer(subject)) continue;
    auto timer = reminders_->Start(std::string(TaskKindName(task.kind)), subject, task.assignee,
                                   OrgOf(c.requester), task.created);
    if (!timer) continue;
    timer->detail["registration"] = c.id;
    if (task.kind == TaskKind::kStartup) timer->detail["startup_step"] = task.step_id;
    tx.InsertTimer(*timer, now);
  }
}

void ConversationService::StartDuties(store::Transaction& tx, int64_t account,
                                      const std::string& org, TimePoint now) {
  if (reminders_ == nullptr) return;
  for (const Timer& duty : reminders_->AccountDuties(account, org, now)) tx.InsertTimer(duty, now);
  // The organisation's own duties start with its first account.
  for (const Timer& duty : reminders_->OrganisationDuties(org, now)) {
    if (!tx.OpenTimer(duty.subject)) tx.InsertTimer(duty, now);
  }
}

void ConversationService::SyncDraftTimer(store::Transaction& tx, const Draft& d, TimePoint now) {
  if (reminders_ == nullptr) return;
  std::string subject = "draft:" + std::to_string(d.id);
  auto open = tx.OpenTimer(subject);
  if (d.status != DraftStatus::kOpen) {
    if (open) tx.CancelTimers(subject, now);
    return;
  }
  auto fresh = reminders_->Start("draft_idle", subject, d.person_id, OrgOf(d.person_id), now);
  if (!fresh) return;
  fresh->detail["registration"] = d.id;
  if (open && open->step == 1) {  // still waiting for its first nudge: move it
    fresh->id = open->id;
    tx.UpdateTimer(*fresh);
    return;
  }
  if (open) tx.CancelTimers(subject, now);
  tx.InsertTimer(*fresh, now);
}

WaitFacts ConversationService::Facts(store::Transaction& tx, const Timer& t) {
  WaitFacts f;
  size_t colon = t.subject.find(':');
  std::string head = t.subject.substr(0, colon);
  int64_t id = colon == std::string::npos ? 0 : std::atoll(t.subject.c_str() + colon + 1);
  if (head == "task") {
    auto task = tx.LoadTask(id);
    auto reg = task ? tx.LoadRegistration(task->registration_id) : std::nullopt;
    if (!task || !reg) return f;
    f.open = task->status == TaskStatus::kOpen && reg->round == task->round;
    f.assignee = task->assignee;
    f.requester = reg->person_id;
    f.registration = reg->id;
    f.task_id = task->id;
    f.draft_id = reg->id;
    f.task_kind = TaskKindName(task->kind);
  } else if (head == "draft") {
    auto d = tx.LoadDraft(id);
    if (!d) return f;
    f.open = d->status == DraftStatus::kOpen;
    f.assignee = f.requester = d->person_id;
    f.draft_id = f.registration = d->id;
  } else if (std::string scope = DutyScope(t.subject); scope.rfind("org-", 0) == 0) {
    // The organisation's own duty (SMC's yearly review of its list): what
    // the register holds now, each account with its administrators.
    f.open = true;
    const Organisation* org = directory_.FindOrganisation(scope.substr(4));
    f.account = org ? org->name.Get(Lang::kSv) : scope.substr(4);
    for (const store::Account& a : tx.Accounts(scope.substr(4))) {
      std::string admins;
      for (const auto& admin : a.administrators) {
        if (!admin.is_object()) continue;
        std::string contact = admin.value("email", "");
        if (contact.empty()) contact = admin.value("phone", "");
        admins += (admins.empty() ? "" : "; ") + admin.value("name", "") +
                  (contact.empty() ? "" : ", " + contact);
      }
      f.inventory.emplace_back(a.Label(), admins);
    }
  } else {
    auto a = tx.LoadAccount(id);
    if (!a) return f;
    f.open = store::AccountIsOpen(a->status);
    f.account = a->Label();
    f.administrators = a->administrators;
    f.registration = a->registration_id;
    f.absences = tx.AbsencesOf(a->registration_id);  // an absent one's cover is asked
    if (t.kind == "follow_up") {  // the goals they gave, recalled in the question
      if (auto r = tx.LoadRegistration(a->registration_id)) f.answers = r->answers;
    }
  }
  f.languages = &tx.Languages();
  return f;
}

int ConversationService::FireDueTimers(int limit) {
  if (reminders_ == nullptr) return 0;
  TimePoint now = clock_.Now();
  store::Transaction tx(store_);
  std::vector<Timer> due = tx.DueTimers(now, limit);
  std::vector<Nudge> messages;  // sent once every row is fired: gathered per person
  for (Timer& t : due) {
    if (t.kind.rfind("absence_", 0) == 0) {  // an absence's start or end (absence_effects.cc)
      FireAbsenceTimer(tx, t, now);
      continue;
    }
    Firing firing = reminders_->Fire(t, Facts(tx, t), now);
    if (firing.result == Firing::Result::kDeferred) {
      t.due = std::max(firing.deferred_to, now + std::chrono::minutes(1));
      tx.UpdateTimer(t);
      continue;
    }
    tx.CloseTimer(t.id, firing.result == Firing::Result::kFired ? "fired" : "cancelled", now);
    messages.insert(messages.end(), firing.messages.begin(), firing.messages.end());
    for (const Timer& next : firing.next) tx.InsertTimer(next, now);
    for (const AuditEntry& a : firing.audit)
      tx.AppendAudit(now, "kontobot", a.action, a.subject, a.detail);
    if (!firing.messages.empty())
      log_->info("timer {} ({}, step {}) fired: {} messages", t.subject, t.kind, t.step,
                 firing.messages.size());
  }
  // A Dalarna administrator with two accounts got nine messages on one
  // morning: what falls due together reaches each person as one digest.
  for (const Nudge& n : reminders_->Gather(std::move(messages), &tx.Languages()))
    Send(tx, n.person, n.reply, n.task_ids, n.draft_id, now);
  tx.Commit();
  if (!due.empty() && on_commit_) on_commit_();
  return static_cast<int>(due.size());
}

std::vector<Timer> ConversationService::WaitsOf(store::Transaction& tx, const Person& person) {
  std::vector<Timer> waits = tx.OpenTimersOf(person.id);
  std::map<int64_t, bool> administers;  // account -> person is one of its administrators
  for (Timer& t : tx.OpenTimersOfOrg(person.org)) {
    if (!t.person.empty()) continue;                 // someone's own: theirs alone
    if (t.kind.rfind("absence_", 0) == 0) continue;  // bookkeeping, nobody's wait
    const bool reminded = t.kind == "public_reply" ? t.step > 1 : t.detail.value("asked", true);
    if (t.detail.contains("to")) {  // a role's duty (SMC's kansli reviews the list)
      if (reminded && person.HasRole(t.detail.value("to", ""))) waits.push_back(std::move(t));
      continue;
    }
    const int64_t account = t.detail.value("account", int64_t{0});
    if (!reminded || account == 0) continue;
    auto known = administers.find(account);
    if (known == administers.end()) {
      bool mine = false;
      if (auto a = tx.LoadAccount(account)) {
        std::vector<std::string> ids;
        for (const auto& admin : a->administrators) {
          if (!admin.is_object()) continue;
          const Person* p =
              directory_.FindByContact(t.org, admin.value("email", ""), admin.value("name", ""));
          if (p != nullptr) ids.push_back(p->id);
        }
        // During an absence the cover has the account's waits, the absent
        // person not (as Reminders asks them).
        if (reminders_ != nullptr)
          ids = WithCovers(ids, tx.AbsencesOf(account), reminders_->LocalDate(clock_.Now()));
        mine = std::find(ids.begin(), ids.end(), person.id) != ids.end();
      }
      known = administers.emplace(account, mine).first;
    }
    if (known->second) waits.push_back(std::move(t));
  }
  std::stable_sort(waits.begin(), waits.end(),
                   [](const Timer& a, const Timer& b) { return a.since < b.since; });
  return waits;
}

bool ConversationService::CommentAwaitingReply(int64_t account, const std::string& ref,
                                               TimePoint received) {
  if (reminders_ == nullptr) return false;
  store::Transaction tx(store_);
  if (!StartReplyWait(tx, account, ref, received, clock_.Now())) return false;
  tx.Commit();
  if (on_timers_) on_timers_();
  return true;
}

bool ConversationService::StartReplyWait(store::Transaction& tx, int64_t account,
                                         const std::string& ref, TimePoint received,
                                         TimePoint now) {
  if (reminders_ == nullptr) return false;
  const std::string subject = "reply:" + std::to_string(account) + ":" + ref;
  auto a = tx.LoadAccount(account);
  if (!a || !store::AccountIsOpen(a->status) || tx.OpenTimer(subject)) return false;
  auto t = reminders_->Start("public_reply", subject, "", a->org, received);
  if (!t) return true;  // the organisation sets no answer time
  t->detail["account"] = account;
  t->detail["account_label"] = a->Label();
  tx.InsertTimer(*t, now);
  tx.AppendAudit(now, "kontobot", "public_reply.awaited", subject, {{"comment", ref}});
  return true;
}

bool ConversationService::CommentAnswered(int64_t account, const std::string& ref) {
  store::Transaction tx(store_);
  if (!EndReplyWait(tx, account, ref, clock_.Now())) return false;
  tx.Commit();
  return true;
}

bool ConversationService::EndReplyWait(store::Transaction& tx, int64_t account,
                                       const std::string& ref, TimePoint now) {
  const std::string subject = "reply:" + std::to_string(account) + ":" + ref;
  if (tx.CancelTimers(subject, now) == 0) return false;
  tx.AppendAudit(now, "kontobot", "public_reply.answered", subject, nlohmann::json::object());
  return true;
}

std::optional<TimePoint> ConversationService::NextTimerDue() {
  store::Transaction tx(store_);
  return tx.NextTimerDue();
}

bool ConversationService::HandleFollowUp(Turn& turn, const Input& input) {
  static const std::string kPending = "follow_up:";
  const Lang lang = turn.session.lang;
  if (input.action == "follow_up_answer") {
    if (!turn.tx.OpenTimer(input.value)) {
      Say(turn, {catalog_.Render(lang, "remind.gone"), {}});
      return true;
    }
    turn.session.pending = kPending + input.value;
    Say(turn, {catalog_.Render(lang, "follow_up.prompt"), {}});
    return true;
  }
  if (!input.action.empty() || turn.session.pending.rfind(kPending, 0) != 0) return false;
  const std::string subject = turn.session.pending.substr(kPending.size());
  const auto& cancel = catalog_.CommandWords("cancel");
  if (std::find(cancel.begin(), cancel.end(), NormalizeWord(input.text)) != cancel.end()) {
    turn.session.pending.clear();
    Say(turn, {catalog_.Render(lang, "follow_up.cancelled"), {}});
    return true;
  }
  if (LooksLikePassword(input.text)) {  // never kept; the question stays open
    Say(turn, {catalog_.Render(lang, "follow_up.password"), {}});
    return true;
  }
  turn.session.pending.clear();
  auto open = turn.tx.OpenTimer(subject);
  if (!open) {  // answered meanwhile by another administrator
    Say(turn, {catalog_.Render(lang, "remind.gone"), {}});
    return true;
  }
  const int64_t account = open->detail.value("account", int64_t{0});
  turn.tx.CancelTimers(subject, turn.now);
  turn.tx.AppendAudit(turn.now, turn.person.id, "follow_up.answered", subject,
                      {{"answer", input.text}, {"account", account}});
  Say(turn, {catalog_.Render(lang, "follow_up.recorded"), {}});
  return true;
}

bool ConversationService::HandleReminderInput(Turn& turn, const Input& input) {
  if (reminders_ == nullptr) return false;
  if (HandleFollowUp(turn, input)) return true;
  Lang lang = turn.session.lang;
  std::string action = input.action;
  std::string value = input.value;
  if (action.empty()) {
    // Typed words only outside a draft: there, "noterat" may be an answer.
    if (turn.session.active_draft != 0) return false;
    std::string w = NormalizeWord(input.text);
    auto is = [&](const char* command) {
      const auto& words = catalog_.CommandWords(command);
      return std::find(words.begin(), words.end(), w) != words.end();
    };
    if (is("overdue")) {
      if (!turn.person.HasRole("informationsfunktion")) {
        Say(turn, {catalog_.Render(lang, "overdue.not_allowed"), {}});
      } else {
        std::vector<Timer> open = turn.tx.OpenTimersOfOrg(turn.person.org);
        std::erase_if(open, [](const Timer& t) { return t.kind.rfind("absence_", 0) == 0; });
        // A duty or a public comment waits on the account's administrators.
        for (Timer& t : open) {
          int64_t account = t.detail.value("account", int64_t{0});
          if (!t.person.empty()) continue;
          std::string names;
          if (t.detail.contains("to")) {
            for (const Person* r : directory_.WithRole(t.org, t.detail.value("to", "")))
              names += (names.empty() ? "" : ", ") + r->name;
          }
          if (auto a = turn.tx.LoadAccount(account)) {
            for (const auto& admin : a->administrators) {
              if (admin.is_object() && !admin.value("name", "").empty())
                names += (names.empty() ? "" : ", ") + admin.value("name", "");
            }
          }
          if (!names.empty()) t.detail["waiting_on"] = names;
        }
        Say(turn, {reminders_->OverdueText(open, lang, turn.now), {}});
      }
      return true;
    }
    std::optional<std::string> snooze = reminders_->TypedSnooze(input.text, turn.now);
    if (!snooze && !is("noted")) return false;
    // Typed "noterat" or "påminn mig fredag": the newest wait nudged.
    auto open = WaitsOf(turn.tx, turn.person);
    auto nudged =
        std::find_if(open.rbegin(), open.rend(), [](const Timer& t) { return t.step > 1; });
    if (nudged == open.rend()) {
      Say(turn, {catalog_.Render(lang, snooze ? "remind.none_nudged" : "remind.gone"), {}});
      return true;
    }
    if (snooze && snooze->empty()) {
      Say(turn, {catalog_.Render(lang, "remind.snooze_help"), {}});
      return true;
    }
    action = snooze ? "remind_snooze" : "remind_ack";
    value = nudged->subject + (snooze ? "|" + *snooze : "");
  }
  if (action != "remind_ack" && action != "remind_snooze" && action != "duty_done" &&
      action != "duty_close")
    return false;
  std::string subject = value.substr(0, value.find('|'));
  std::string choice =
      value.find('|') == std::string::npos ? "" : value.substr(value.find('|') + 1);
  auto open = turn.tx.OpenTimer(subject);
  if (!open) {
    Say(turn, {catalog_.Render(lang, "remind.gone"), {}});
    return true;
  }
  std::string what = reminders_->What(*open, lang);
  nlohmann::json audit{{"subject", subject}, {"by", turn.person.id}};
  if (action == "remind_ack") {
    auto changed = reminders_->Acknowledge(*open);
    if (changed) {
      turn.tx.UpdateTimer(*changed);
      Say(turn,
          {catalog_.Render(lang, "remind.acknowledged_escalates",
                           {{"what", what}, {"when", reminders_->HumanTime(changed->due, lang)}}),
           {}});
    } else {
      turn.tx.CancelTimers(subject, turn.now);
      Say(turn, {catalog_.Render(lang, "remind.acknowledged", {{"what", what}}), {}});
    }
    turn.tx.AppendAudit(turn.now, turn.person.id, "reminder.acknowledged", subject, audit);
  } else if (action == "remind_snooze") {
    auto changed = reminders_->Snooze(*open, choice, turn.now);
    if (!changed && choice.rfind("date:", 0) == 0) {
      Say(turn, {catalog_.Render(lang, "remind.snooze_range",
                                 {{"last", reminders_->LastSnoozeDay(turn.now, lang)}}),
                 {}});
      return true;
    }
    if (!changed) return false;
    turn.tx.UpdateTimer(*changed);
    audit["until"] = changed->detail["snoozed_until"];
    turn.tx.AppendAudit(turn.now, turn.person.id, "reminder.snoozed", subject, audit);
    Say(turn, {catalog_.Render(lang, "remind.snoozed",
                               {{"when", reminders_->HumanTime(changed->due, lang)}}),
               {}});
  } else {
    int64_t account = open->detail.value("account", int64_t{0});
    if (action == "duty_done") {
      turn.tx.CancelTimers(subject, turn.now);
      turn.tx.AppendAudit(turn.now, turn.person.id, "duty.confirmed", subject, audit);
      Say(turn, {catalog_.Render(lang, "duty.done", {{"what", what}}), {}});
      if (open->kind == "inactivity") {  // confirmed activity: the next period starts now
        auto next = reminders_->Start("inactivity", "", "", open->org, turn.now);
        if (next) {
          next->subject = "inactivity:" + std::to_string(account) + ":" +
                          store::FormatUtc(turn.now).substr(0, 10);
          next->detail["account"] = account;
          next->detail["account_label"] = open->detail.value("account_label", "");
          turn.tx.InsertTimer(*next, turn.now);
        }
      }
    } else {
      // "Stäng kontot": the closing case starts, about this account, for
      // the reason the nudge was about (closing_effects.cc). The wait stays
      // open: a closing cancelled in its conversation leaves the account
      // watched; a closed account's timers are cancelled when it closes.
      turn.tx.AppendAudit(turn.now, turn.person.id, "account.close_requested",
                          "registration:" + std::to_string(account), audit);
      StartClosing(turn, account, catalog_.Render(lang, "closing.reason_inactive"));
    }
  }
  return true;
}

}  // namespace kontobot::app
