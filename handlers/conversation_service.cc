#include "handlers/conversation_service.h"

#include <algorithm>
#include <map>

#include "bot/answers.h"
#include "bot/diary.h"
#include "store/clock_format.h"

namespace kontobot::handlers {

// The state of one Handle call.
struct ConversationService::Turn {
  store::Transaction& tx;
  const Person& person;
  Session& session;
  std::string channel;
  TimePoint now;
  std::vector<store::StoredMessage> mine;  // stored for `person`, returned
};

ConversationService::ConversationService(store::Store& store, const ConversationEngine& engine,
                                         const CaseEngine& cases, const TemplateSet& templates,
                                         const Directory& directory, const Catalog& catalog,
                                         const Clock& clock, std::shared_ptr<spdlog::logger> log)
    : store_(store),
      engine_(engine),
      cases_(cases),
      templates_(templates),
      directory_(directory),
      catalog_(catalog),
      clock_(clock),
      log_(std::move(log)) {}

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

namespace {

store::StoredMessage Out(const std::string& person, const std::string& channel, const Reply& r,
                         TimePoint now, int64_t draft_id) {
  store::StoredMessage m;
  m.at = now;
  m.person_id = person;
  m.channel = channel;
  m.direction = "out";
  m.text = r.text;
  m.buttons = r.buttons;
  m.input = r.input;
  m.draft_id = draft_id;
  return m;
}

}  // namespace

std::string ConversationService::HomeChannel(store::Transaction& tx, const std::string& person) {
  if (auto last = tx.LastInboundChannel(person)) return *last;
  if (const Person* p = directory_.Find(person)) {
    for (const std::string& platform : outbox_platforms_) {
      if (p->accounts.count(platform)) return platform;
    }
  }
  return "webchat";
}

void ConversationService::Dispatch(store::Transaction& tx, const store::StoredMessage& m,
                                   bool update, TimePoint now) {
  if (std::find(outbox_platforms_.begin(), outbox_platforms_.end(), m.channel) ==
      outbox_platforms_.end())
    return;
  store::OutboxItem item;
  item.platform = m.channel;
  item.kind = update ? "update" : "post";
  item.lane = "person:" + m.person_id;
  item.person_id = m.person_id;
  item.message_id = m.id;
  tx.Enqueue(item, now);
}

store::StoredMessage ConversationService::Send(store::Transaction& tx, const std::string& to,
                                               const Reply& reply,
                                               const std::vector<int64_t>& task_ids,
                                               int64_t draft_id, TimePoint now) {
  if (const Person* p = directory_.Find(to)) tx.UpsertPerson(*p, now);
  store::StoredMessage m = Out(to, HomeChannel(tx, to), reply, now, draft_id);
  m.id = tx.AppendMessage(m);
  Dispatch(tx, m, false, now);
  for (int64_t task : task_ids) tx.LinkTaskMessage(task, m.id);
  tx.AppendAudit(now, "kontobot", "message.out", "message:" + std::to_string(m.id),
                 {{"channel", m.channel}, {"to", to}});
  return m;
}

void ConversationService::Say(Turn& t, const Reply& reply) {
  store::StoredMessage m = Out(t.person.id, t.channel, reply, t.now, 0);
  m.id = t.tx.AppendMessage(m);
  Dispatch(t.tx, m, false, t.now);
  t.tx.AppendAudit(t.now, "kontobot", "message.out", "message:" + std::to_string(m.id),
                   {{"channel", t.channel}, {"to", t.person.id}});
  t.mine.push_back(std::move(m));
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
    store::StoredMessage m = Out(to, t.channel, reply, t.now, c.id);
    m.id = t.tx.AppendMessage(m);
    Dispatch(t.tx, m, false, t.now);
    for (int64_t task : task_ids) t.tx.LinkTaskMessage(task, m.id);
    t.tx.AppendAudit(t.now, "kontobot", "message.out", "message:" + std::to_string(m.id),
                     {{"channel", m.channel}, {"to", to}});
    if (to == t.person.id) t.mine.push_back(m);
  };
  for (const Reply& r : co.replies) deliver(t.person.id, r, {});
  for (const Outbound& o : co.messages) deliver(o.person, o.reply, o.task_ids);
  for (const Rewrite& rw : co.rewrites) {
    for (int64_t message_id : t.tx.TaskMessages(rw.task_id)) {
      t.tx.EditMessage(message_id, rw.reply, t.now);
      if (auto m = t.tx.LoadMessage(message_id)) Dispatch(t.tx, *m, true, t.now);
    }
  }
  for (const AuditEntry& a : co.audit)
    t.tx.AppendAudit(t.now, t.person.id, a.action, a.subject, a.detail);

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
    t.tx.InsertAccount(a);
    if (reminders_ != nullptr) {
      for (const Timer& duty : reminders_->AccountDuties(c.id, a.org, t.now))
        t.tx.InsertTimer(duty, t.now);
    }
    t.tx.AppendAudit(t.now, "kontobot", "register.added", "registration:" + std::to_string(c.id),
                     {{"medium", a.medium}, {"url", a.url}});
  }
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

std::vector<store::StoredMessage> ConversationService::Handle(
    const Person& person, const std::string& channel, const Input& input, const std::string& echo,
    const std::optional<std::pair<std::string, std::string>>& dedupe) {
  store::Transaction tx(store_);
  if (dedupe && !tx.FirstDelivery(dedupe->first, dedupe->second, clock_.Now())) return {};
  std::vector<store::StoredMessage> mine = HandleIn(tx, person, channel, input, echo);
  tx.Commit();
  if (on_commit_) on_commit_();
  if (on_timers_) on_timers_();
  return mine;
}

std::vector<store::StoredMessage> ConversationService::HandleIn(store::Transaction& tx,
                                                                const Person& person,
                                                                const std::string& channel,
                                                                const Input& input,
                                                                const std::string& echo) {
  TimePoint now = clock_.Now();
  tx.UpsertPerson(person, now);
  Session session = tx.LoadSession(person);
  Turn turn{tx, person, session, channel, now, {}};

  bool case_text = input.action.empty() && session.pending.rfind(kCasePending, 0) == 0;
  bool escape = case_text && [&] {
    auto words = catalog_.CommandWords("cancel");
    return std::find(words.begin(), words.end(), NormalizeWord(input.text)) != words.end();
  }();
  bool redact = input.action.empty() && LooksLikePassword(input.text);

  store::StoredMessage in;
  in.at = now;
  in.person_id = person.id;
  in.channel = channel;
  in.direction = "in";
  // A password-like input is never written: not here, not in the audit
  // detail, not in the log.
  in.text = redact ? catalog_.Render(session.lang, "redacted.password") : echo;
  in.draft_id = session.active_draft;
  in.id = tx.AppendMessage(in);
  tx.AppendAudit(now, person.id, "message.in", "message:" + std::to_string(in.id),
                 {{"channel", channel}, {"action", input.action}});
  turn.mine.push_back(in);

  if (redact && case_text) {
    // Not relayed and not stored; the pending question stays open.
    Reply r{engine_.PasswordRefused(person, session.lang), {}};
    store::StoredMessage m = Out(person.id, channel, r, now, 0);
    m.id = tx.AppendMessage(m);
    Dispatch(tx, m, false, now);
    turn.mine.push_back(m);
  } else if (input.action == "case_abort" || escape) {
    session.pending.clear();
    Reply r{catalog_.Render(session.lang, "case.aborted"), {}};
    store::StoredMessage m = Out(person.id, channel, r, now, 0);
    m.id = tx.AppendMessage(m);
    Dispatch(tx, m, false, now);
    turn.mine.push_back(m);
  } else if (!case_text && (HandleDiaryInput(turn, input) || HandleReminderInput(turn, input))) {
    // the information function's diarienummer, or a reminder's button or word
  } else if (CaseEngine::Owns(input.action) || case_text) {
    int64_t task_id = CaseEngine::TaskOf(case_text ? session.pending : input.value);
    auto task = tx.LoadTask(task_id);
    Case c = LoadCase(tx, task ? task->registration_id : 0);
    int64_t next_task = tx.NextTaskId();
    CaseOutcome co = c.id == 0 ? CaseOutcome{}
                               : cases_.Act(c, person, case_text ? "text" : input.action, task_id,
                                            input.text, session.pending, now, next_task);
    if (c.id == 0) {
      session.pending.clear();
      co.replies.push_back({catalog_.Render(session.lang, "case.unknown_task"), {}});
    }
    ApplyCase(turn, c, co);
  } else {
    std::vector<Draft> drafts = tx.OpenDrafts(person.id);
    Outcome out = engine_.Handle(person, session, drafts, input, tx.NextDraftId(), now);
    out.session.pending =
        out.session.pending.rfind(kCasePending, 0) == 0 ? "" : out.session.pending;
    session = out.session;
    if (out.language_chosen) tx.SetChosenLanguage(person.id, *out.language_chosen);
    // "status": what waits for the person joins the engine's answer, in one
    // message.
    bool status =
        input.action == "status" || (input.action.empty() && [&] {
          auto words = catalog_.CommandWords("status");
          return std::find(words.begin(), words.end(), NormalizeWord(input.text)) != words.end();
        }());
    if (status && reminders_ != nullptr && !out.replies.empty()) {
      out.replies.back().text +=
          "\n\n" + reminders_->WaitingText(WaitsOf(tx, person), session.lang, now);
    }
    for (const Draft& d : out.drafts) {
      tx.SaveDraft(d, person.org);
      SyncDraftTimer(tx, d, now);
    }
    for (const AuditEntry& a : out.audit)
      tx.AppendAudit(now, person.id, a.action, a.subject, a.detail);
    for (const Reply& r : out.replies) {
      store::StoredMessage m = Out(person.id, channel, r, now,
                                   session.active_draft ? session.active_draft : in.draft_id);
      m.id = tx.AppendMessage(m);
      Dispatch(tx, m, false, now);
      tx.AppendAudit(now, "kontobot", "message.out", "message:" + std::to_string(m.id),
                     {{"channel", channel}, {"to", person.id}});
      turn.mine.push_back(std::move(m));
    }
    for (int64_t id : out.submitted) {
      auto d = std::find_if(out.drafts.begin(), out.drafts.end(),
                            [&](const Draft& x) { return x.id == id; });
      tx.UpsertRegistration(*d, person.org, now);
      RetireSummaries(turn, id);
      Case c = LoadCase(tx, id);
      int64_t next_task = tx.NextTaskId();
      CaseOutcome co = cases_.Submitted(c, now, next_task);
      ApplyCase(turn, c, co);
      log_->info("registration {} round {} submitted by {}", id, c.round, person.id);
    }
  }
  tx.SaveSession(person.id, session, now);
  return turn.mine;
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

// --- reminders ------------------------------------------------------------------

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
    if (task.kind == TaskKind::kStartup || tx.OpenTimer(subject)) continue;
    auto timer = reminders_->Start(std::string(TaskKindName(task.kind)), subject, task.assignee,
                                   OrgOf(c.requester), task.created);
    if (!timer) continue;
    timer->detail["registration"] = c.id;
    tx.InsertTimer(*timer, now);
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
  } else {
    auto a = tx.LoadAccount(id);
    if (!a) return f;
    f.open = a->status == "active";
    f.account = a->medium + (a->url.empty() ? "" : ", " + a->url);
    f.administrators = a->administrators;
    f.registration = a->registration_id;
  }
  f.languages = &tx.Languages();
  return f;
}

int ConversationService::FireDueTimers(int limit) {
  if (reminders_ == nullptr) return 0;
  TimePoint now = clock_.Now();
  store::Transaction tx(store_);
  std::vector<Timer> due = tx.DueTimers(now, limit);
  for (Timer& t : due) {
    Firing firing = reminders_->Fire(t, Facts(tx, t), now);
    if (firing.result == Firing::Result::kDeferred) {
      t.due = std::max(firing.deferred_to, now + std::chrono::minutes(1));
      tx.UpdateTimer(t);
      continue;
    }
    tx.CloseTimer(t.id, firing.result == Firing::Result::kFired ? "fired" : "cancelled", now);
    for (const Nudge& n : firing.messages) Send(tx, n.person, n.reply, n.task_ids, n.draft_id, now);
    for (const Timer& next : firing.next) tx.InsertTimer(next, now);
    for (const AuditEntry& a : firing.audit)
      tx.AppendAudit(now, "kontobot", a.action, a.subject, a.detail);
    if (!firing.messages.empty())
      log_->info("timer {} ({}, step {}) fired: {} messages", t.subject, t.kind, t.step,
                 firing.messages.size());
  }
  tx.Commit();
  if (!due.empty() && on_commit_) on_commit_();
  return static_cast<int>(due.size());
}

std::vector<Timer> ConversationService::WaitsOf(store::Transaction& tx, const Person& person) {
  std::vector<Timer> waits = tx.OpenTimersOf(person.id);
  std::map<int64_t, bool> administers;  // account -> person is one of its administrators
  for (Timer& t : tx.OpenTimersOfOrg(person.org)) {
    if (!t.person.empty()) continue;  // someone's own: theirs alone
    const bool reminded = t.kind == "public_reply" ? t.step > 1 : t.detail.value("asked", true);
    const int64_t account = t.detail.value("account", int64_t{0});
    if (!reminded || account == 0) continue;
    auto known = administers.find(account);
    if (known == administers.end()) {
      bool mine = false;
      if (auto a = tx.LoadAccount(account)) {
        for (const auto& admin : a->administrators) {
          if (!admin.is_object()) continue;
          const Person* p =
              directory_.FindByContact(t.org, admin.value("email", ""), admin.value("name", ""));
          mine |= p != nullptr && p->id == person.id;
        }
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
  const std::string subject = "reply:" + std::to_string(account) + ":" + ref;
  TimePoint now = clock_.Now();
  store::Transaction tx(store_);
  auto a = tx.LoadAccount(account);
  if (!a || a->status != "active" || tx.OpenTimer(subject)) return false;
  auto t = reminders_->Start("public_reply", subject, "", a->org, received);
  if (!t) return true;  // the organisation sets no answer time
  t->detail["account"] = account;
  t->detail["account_label"] = a->medium + (a->url.empty() ? "" : ", " + a->url);
  tx.InsertTimer(*t, now);
  tx.AppendAudit(now, "kontobot", "public_reply.awaited", subject, {{"comment", ref}});
  tx.Commit();
  if (on_timers_) on_timers_();
  return true;
}

bool ConversationService::CommentAnswered(int64_t account, const std::string& ref) {
  const std::string subject = "reply:" + std::to_string(account) + ":" + ref;
  TimePoint now = clock_.Now();
  store::Transaction tx(store_);
  if (tx.CancelTimers(subject, now) == 0) return false;
  tx.AppendAudit(now, "kontobot", "public_reply.answered", subject, nlohmann::json::object());
  tx.Commit();
  return true;
}

std::optional<TimePoint> ConversationService::NextTimerDue() {
  store::Transaction tx(store_);
  return tx.NextTimerDue();
}

bool ConversationService::HandleDiaryInput(Turn& turn, const Input& input) {
  // Typed words only outside a draft, as for "försenat".
  if (!input.action.empty() || turn.session.active_draft != 0) return false;
  std::optional<DiaryCommand> command = ParseDiaryCommand(input.text, catalog_);
  if (!command) return false;
  const Lang lang = turn.session.lang;
  auto say = [&](const std::string& key, const Vars& vars = {}) {
    Say(turn, {catalog_.Render(lang, key, vars), {}});
  };
  if (command->registration_id == 0) {
    say(turn.person.HasRole("informationsfunktion") ? "diary.usage" : "diary.not_allowed");
    return true;
  }
  const std::string id = std::to_string(command->registration_id);
  auto reg = turn.tx.LoadRegistration(command->registration_id);
  if (!reg || !KeepsDiaryOf(turn.person, reg->org)) {
    // A case of another organisation is not this person's to know about.
    say(turn.person.HasRole("informationsfunktion") ? "diary.unknown" : "diary.not_allowed",
        {{"id", id}});
    return true;
  }
  std::optional<store::DiaryEntry> old = turn.tx.Diary(command->registration_id);
  if (command->number.empty()) {
    if (old) {
      say("diary.current",
          {{"id", id}, {"number", Literal(old->diarienummer)}, {"date", old->registered_on}});
    } else {
      say("diary.none", {{"id", id}});
    }
    return true;
  }
  std::optional<std::string> number = CleanDiaryNumber(command->number);
  if (!number) {
    say("diary.invalid");
    return true;
  }
  std::string date = cases_.local_time().Date(turn.now);
  turn.tx.SetDiary({command->registration_id, *number, date, turn.person.id, turn.now});
  turn.tx.AppendAudit(turn.now, turn.person.id, "diary.set", "registration:" + id,
                      {{"diarienummer", *number},
                       {"registered_on", date},
                       {"old", old ? old->diarienummer : ""},
                       {"channel", "chat"}});
  Vars vars{{"id", id}, {"number", Literal(*number)}, {"date", date}};
  if (old && old->diarienummer != *number) {
    vars["old"] = Literal(old->diarienummer);
    say("diary.changed", vars);
  } else {
    say("diary.set", vars);
  }
  return true;
}

bool ConversationService::HandleReminderInput(Turn& turn, const Input& input) {
  if (reminders_ == nullptr) return false;
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
        // A duty or a public comment waits on the account's administrators.
        for (Timer& t : open) {
          int64_t account = t.detail.value("account", int64_t{0});
          if (!t.person.empty() || account == 0) continue;
          std::string names;
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
    turn.tx.CancelTimers(subject, turn.now);
    int64_t account = open->detail.value("account", int64_t{0});
    if (action == "duty_done") {
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
      turn.tx.AppendAudit(turn.now, turn.person.id, "account.close_requested",
                          "registration:" + std::to_string(account), audit);
      std::string label = open->detail.value("account_label", "");
      Say(turn, {catalog_.Render(lang, "duty.close_requested", {{"account", Literal(label)}}), {}});
      for (const Person* info : directory_.WithRole(open->org, "informationsfunktion")) {
        Lang il = kontobot::LanguageOf(info, &turn.tx.Languages());
        Send(turn.tx, info->id,
             {catalog_.Render(il, "duty.close_notice",
                              {{"name", turn.person.name}, {"account", Literal(label)}}),
              {}},
             {}, 0, turn.now);
      }
    }
  }
  return true;
}

ConversationService::Feed ConversationService::Transcript(const std::string& person_id,
                                                          int64_t after, int limit) {
  store::Transaction tx(store_);
  Feed feed;
  feed.messages = tx.Messages(person_id, after, limit);
  feed.cursor = feed.messages.empty() ? std::max(after, int64_t{0}) : feed.messages.back().seq;
  return feed;
}

std::optional<store::StoredMessage> ConversationService::Message(int64_t id) {
  store::Transaction tx(store_);
  return tx.LoadMessage(id);
}

bool ConversationService::MessageCarriesTask(int64_t message_id, int64_t task_id) {
  store::Transaction tx(store_);
  return tx.MessageCarriesTask(message_id, task_id);
}

Reply ConversationService::Welcome(const Person& person) {
  return engine_.Welcome(person, LanguageOf(person), 0);
}

Lang ConversationService::LanguageOf(const Person& person) {
  store::Transaction tx(store_);
  return kontobot::LanguageOf(&person, &tx.Languages());
}

std::optional<Lang> ConversationService::ChosenLanguage(const Person& person) {
  store::Transaction tx(store_);
  if (auto chosen = tx.ChosenLanguage(person.id)) return chosen;
  return person.lang;
}

}  // namespace kontobot::handlers
