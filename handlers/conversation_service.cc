#include "handlers/conversation_service.h"

#include <algorithm>

#include "bot/answers.h"
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

void ConversationService::ApplyCase(Turn& t, Case& c, const CaseOutcome& co) {
  for (const Task& task : co.tasks) t.tx.SaveTask(task);
  if (co.status) c.status = *co.status;
  if (co.answers) c.answers = *co.answers;
  if (co.status || co.answers) t.tx.UpdateRegistration(c.id, c.status, c.answers);

  auto deliver = [&](const std::string& to, const Reply& reply,
                     const std::vector<int64_t>& task_ids) {
    if (const Person* p = directory_.Find(to); p != nullptr && to != t.person.id)
      t.tx.UpsertPerson(*p, t.now);
    store::StoredMessage m =
        Out(to, to == t.person.id ? t.channel : HomeChannel(t.tx, to), reply, t.now, c.id);
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
    Reply r{catalog_.Render(session.lang, "password.refused"), {}};
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
    for (const Draft& d : out.drafts) tx.SaveDraft(d, person.org);
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
  return engine_.Welcome(person, person.lang.value_or(Lang::kSv), 0);
}

}  // namespace kontobot::handlers
