#include "handlers/conversation_service.h"

namespace kontobot::handlers {

ConversationService::ConversationService(store::Store& store, const ConversationEngine& engine,
                                         const Catalog& catalog, const Clock& clock,
                                         std::shared_ptr<spdlog::logger> log)
    : store_(store), engine_(engine), catalog_(catalog), clock_(clock), log_(std::move(log)) {}

std::vector<store::StoredMessage> ConversationService::Handle(const Person& person,
                                                              const std::string& channel,
                                                              const Input& input,
                                                              const std::string& echo) {
  TimePoint now = clock_.Now();
  store::Transaction tx(store_);
  tx.UpsertPerson(person, now);
  Session session = tx.LoadSession(person);
  std::vector<Draft> drafts = tx.OpenDrafts(person.id);
  Outcome out = engine_.Handle(person, session, drafts, input, tx.NextDraftId(), now);

  std::vector<store::StoredMessage> messages;
  store::StoredMessage in;
  in.at = now;
  in.person_id = person.id;
  in.channel = channel;
  in.direction = "in";
  // A password-like input is never written: not here, not in the audit
  // detail, not in the log.
  in.text = out.redact_input ? catalog_.Render(out.session.lang, "redacted.password") : echo;
  in.draft_id = session.active_draft;
  in.id = tx.AppendMessage(in);
  tx.AppendAudit(now, person.id, "message.in", "message:" + std::to_string(in.id),
                 {{"channel", channel}, {"action", input.action}});
  messages.push_back(in);

  for (const Draft& d : out.drafts) {
    tx.SaveDraft(d, person.org);
    if (std::find(out.submitted.begin(), out.submitted.end(), d.id) != out.submitted.end()) {
      tx.InsertRegistration(d, person.org, now);
    }
  }
  tx.SaveSession(person.id, out.session, now);
  for (const AuditEntry& a : out.audit) tx.AppendAudit(now, person.id, a.action, a.subject, a.detail);
  for (const Reply& r : out.replies) {
    store::StoredMessage m;
    m.at = now;
    m.person_id = person.id;
    m.channel = channel;
    m.direction = "out";
    m.text = r.text;
    m.buttons = r.buttons;
    m.input = r.input;
    m.draft_id = out.session.active_draft;
    m.id = tx.AppendMessage(m);
    tx.AppendAudit(now, "kontobot", "message.out", "message:" + std::to_string(m.id),
                   {{"channel", channel}, {"to", person.id}});
    messages.push_back(std::move(m));
  }
  tx.Commit();
  for (int64_t id : out.submitted) log_->info("registration {} submitted by {}", id, person.id);
  return messages;
}

std::vector<store::StoredMessage> ConversationService::Transcript(const std::string& person_id,
                                                                  int64_t after_id, int limit) {
  store::Transaction tx(store_);
  return tx.Messages(person_id, after_id, limit);
}

Reply ConversationService::Welcome(const Person& person) {
  return engine_.Welcome(person, person.lang.value_or(Lang::kSv), 0);
}

}  // namespace kontobot::handlers
