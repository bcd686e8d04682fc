// What a decision on a case changes: tasks, status, answers, the messages
// to everyone concerned, rewrites of earlier messages, the register
// (ConversationService's case effects; routing is in conversation_service.cc).
#include "app/conversation_service.h"

#include <algorithm>
#include <map>

#include "app/turn.h"
#include "bot/answers.h"
#include "bot/diary.h"
#include "store/clock_format.h"

namespace kontobot::app {

Case ConversationService::LoadCase(store::Transaction& tx, int64_t registration_id) {
  Case c;
  auto r = tx.LoadRegistration(registration_id);
  if (!r) return c;
  c.id = r->id;
  c.round = r->round;
  c.status = r->status;
  c.requester = r->person_id;
  c.template_id = r->template_id;
  c.answers = r->answers;
  c.submitted = r->submitted_at;
  c.tasks = tx.TasksOf(registration_id);
  c.languages = &tx.Languages();
  return c;
}

void ConversationService::ApplyCase(Turn& t, Case& c, const CaseOutcome& co) {
  for (const Task& task : co.tasks) t.tx.SaveTask(task);
  SyncTaskTimers(t.tx, c, co.tasks, t.now);
  if (co.status) c.status = *co.status;
  if (co.answers) c.answers = *co.answers;
  if (co.status || co.answers) t.tx.UpdateRegistration(c.id, c.status, c.answers);

  auto deliver = [&](const std::string& to, const Reply& reply,
                     const std::vector<int64_t>& task_ids) {
    if (to != t.person.id) {
      Send(t.tx, to, reply, task_ids, c.id, t.now);
      return;
    }
    t.mine.push_back(Outbound(t.tx, to, t.channel, reply, task_ids, c.id, t.now));
  };
  for (const Reply& r : co.replies) deliver(t.person.id, r, {});
  for (const kontobot::Outbound& o : co.messages) deliver(o.person, o.reply, o.task_ids);
  for (const Rewrite& rw : co.rewrites) {
    for (int64_t message_id : t.tx.TaskMessages(rw.task_id)) {
      t.tx.EditMessage(message_id, rw.reply, t.now);
      if (auto m = t.tx.LoadMessage(message_id)) Dispatch(t.tx, *m, true, t.now);
    }
  }
  for (const AuditEntry& a : co.audit)
    t.tx.AppendAudit(t.now, t.person.id, a.action, a.subject, a.detail);
  if (co.page_id) {
    // A start-up step gave the account's page id: linked as "sida" links it.
    t.tx.SetAccountPage(*co.page_id, c.id, t.person.id, t.now);
    t.tx.AppendAudit(t.now, t.person.id, "inbox.page_set", "registration:" + std::to_string(c.id),
                     {{"page", *co.page_id}, {"by", "startup_step"}});
  }

  if (co.register_account) {
    const Template& tmpl = *templates_.at(c.template_id);
    store::Account a;
    a.registration_id = c.id;
    a.org = directory_.Find(c.requester) ? directory_.Find(c.requester)->org : "";
    auto field = [&](const char* name) -> std::string {
      auto it = tmpl.register_fields.find(name);
      if (it == tmpl.register_fields.end()) return "";
      const Step* s = tmpl.FindStep(it->second);
      auto v = c.answers.find(it->second);
      return s && v != c.answers.end() && !v->is_null() ? FormatAnswer(*s, *v, Lang::kSv) : "";
    };
    a.medium = field("medium");
    a.url = field("url");
    a.unit = field("unit");
    a.purpose = field("purpose");
    for (const Step& s : tmpl.steps) {
      if (s.type == QuestionType::kPeople && tmpl.admin_acceptance &&
          s.id == tmpl.admin_acceptance->question) {
        a.administrators = c.answers.value(s.id, nlohmann::json::array());
      }
    }
    if (!tmpl.admin_acceptance) {  // the first people question names them
      for (const Step& s : tmpl.steps) {
        if (s.type == QuestionType::kPeople && c.answers.contains(s.id)) {
          a.administrators = c.answers[s.id];
          break;
        }
      }
    }
    for (const Task& task : t.tx.TasksOf(c.id)) {
      if (task.round == c.round && task.status == TaskStatus::kApproved) {
        a.approvals.push_back({{"step", task.step_id},
                               {"by", task.decided_by},
                               {"at", task.decided_at ? store::FormatUtc(*task.decided_at) : ""}});
      }
    }
    a.registered_at = t.now;
    // Listed publicly once it exists: at the start-up step that creates it,
    // where the template has one; else now.
    const bool created_later = std::any_of(tmpl.startup_steps.begin(), tmpl.startup_steps.end(),
                                           [](const StartupStep& s) { return s.creates_account; });
    a.status = created_later ? store::kAccountApproved : store::kAccountListed;
    if (!created_later) a.listed_at = t.now;
    t.tx.InsertAccount(a);
    if (!created_later) StartDuties(t.tx, c.id, a.org, t.now);
    t.tx.AppendAudit(t.now, "kontobot", "register.added", "registration:" + std::to_string(c.id),
                     {{"medium", a.medium}, {"url", a.url}});
    store::AccountChange added;
    added.registration_id = c.id;
    added.at = t.now;
    added.by = t.person.id;
    added.event = "register.added";
    added.to_status = a.status;
    added.detail = {{"medium", a.medium}, {"url", a.url}};
    t.tx.AppendAccountHistory(added);
  }
  if (co.list_account) ListAccount(t, c);
  if (co.close_account) CloseAccount(t, c, *co.close_account);
  if (co.reopen_draft) {
    if (auto d = t.tx.LoadDraft(c.id)) {
      d->status = DraftStatus::kOpen;
      d->cursor.clear();
      d->return_to_summary = false;
      d->updated = t.now;
      t.tx.SaveDraft(*d, directory_.Find(c.requester) ? directory_.Find(c.requester)->org : "");
      SyncDraftTimer(t.tx, *d, t.now);
    }
  }
  for (const auto& [who, pending] : co.pending) {
    if (who == t.person.id) {
      t.session.pending = pending;
      continue;
    }
    const Person* p = directory_.Find(who);
    if (p == nullptr) continue;
    Session s = t.tx.LoadSession(*p);
    s.pending = pending;
    if (co.reopen_draft && who == c.requester) s.active_draft = c.id;
    t.tx.UpsertPerson(*p, t.now);
    t.tx.SaveSession(who, s, t.now);
  }
  if (co.reopen_draft && c.requester == t.person.id) t.session.active_draft = c.id;
  if (co.reopen_draft && !co.pending.count(c.requester) && c.requester != t.person.id) {
    if (const Person* p = directory_.Find(c.requester)) {
      Session s = t.tx.LoadSession(*p);
      s.active_draft = c.id;
      t.tx.SaveSession(c.requester, s, t.now);
    }
  }
}

void ConversationService::RetireSummaries(Turn& t, int64_t draft_id) {
  const std::string value = std::to_string(draft_id);
  for (const store::StoredMessage& m : t.tx.MessagesOfDraft(draft_id)) {
    if (m.direction != "out" || m.person_id != t.person.id ||
        std::none_of(m.buttons.begin(), m.buttons.end(),
                     [&](const Button& b) { return b.id == "submit" && b.value == value; })) {
      continue;
    }
    // "Stämmer allt? Tryck Skicka in ..." no longer applies: the note
    // takes its place.
    std::string text = m.text;
    for (Lang lang : {Lang::kSv, Lang::kEn}) {
      std::string instructions = catalog_.Render(lang, "summary.instructions");
      size_t at = text.rfind(instructions);
      if (at != std::string::npos) text.erase(at, instructions.size());
    }
    while (!text.empty() && text.back() == '\n') text.pop_back();
    Reply rewritten{
        text + "\n\n" + catalog_.Render(t.session.lang, "summary.submitted", {{"id", value}}), {}};
    t.tx.EditMessage(m.id, rewritten, t.now);
    if (auto edited = t.tx.LoadMessage(m.id)) Dispatch(t.tx, *edited, true, t.now);
  }
}

}  // namespace kontobot::app
