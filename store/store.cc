#include "store/store.h"

#include <map>
#include <stdexcept>
#include <string_view>

#include "store/clock_format.h"

namespace kontobot::store {

extern const std::map<std::string, std::string_view> kMigrationFiles;

namespace {

nlohmann::json ButtonsJson(const std::vector<Button>& buttons) {
  nlohmann::json out = nlohmann::json::array();
  for (const Button& b : buttons) {
    out.push_back({{"id", b.id}, {"value", b.value}, {"label", b.label}, {"style", b.style}});
  }
  return out;
}

std::vector<Button> ButtonsFrom(const std::string& text) {
  std::vector<Button> out;
  for (const auto& b : nlohmann::json::parse(text)) {
    out.push_back({b.value("id", ""), b.value("value", ""), b.value("label", ""),
                   b.value("style", "default")});
  }
  return out;
}

TimePoint TimeOf(const SQLite::Column& c) {
  return ParseUtc(c.getString()).value_or(TimePoint{});
}

Draft DraftFrom(SQLite::Statement& q) {
  Draft d;
  d.id = q.getColumn("id").getInt64();
  d.person_id = q.getColumn("person_id").getString();
  d.template_id = q.getColumn("template_id").getString();
  d.template_version = q.getColumn("template_version").getInt();
  d.status = ParseDraftStatus(q.getColumn("status").getString()).value_or(DraftStatus::kOpen);
  d.LoadState(nlohmann::json::parse(q.getColumn("state").getString()));
  d.created = TimeOf(q.getColumn("created_at"));
  d.updated = TimeOf(q.getColumn("updated_at"));
  return d;
}

}  // namespace

Store::Store(const std::string& path)
    : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX) {
  db_.setBusyTimeout(5000);
  db_.exec("PRAGMA journal_mode=WAL");
  db_.exec("PRAGMA synchronous=FULL");
  db_.exec("PRAGMA foreign_keys=ON");
  Migrate();
}

int Store::LatestVersion() { return static_cast<int>(kMigrationFiles.size()); }

int Store::SchemaVersion() {
  std::lock_guard<std::mutex> lock(mu_);
  return db_.execAndGet("PRAGMA user_version").getInt();
}

void Store::Migrate() {
  std::lock_guard<std::mutex> lock(mu_);
  int version = db_.execAndGet("PRAGMA user_version").getInt();
  if (version > LatestVersion()) {
    throw std::runtime_error("database schema version " + std::to_string(version) +
                             " is newer than this kontobot understands (" +
                             std::to_string(LatestVersion()) + ")");
  }
  int n = 0;
  for (const auto& [name, sql] : kMigrationFiles) {  // sorted by file name
    if (++n <= version) continue;
    SQLite::Transaction tx(db_);
    db_.exec(std::string(sql));
    db_.exec("PRAGMA user_version = " + std::to_string(n));
    tx.commit();
  }
}

Transaction::Transaction(Store& store)
    : store_(store), lock_(store.mu_), tx_(store.db_, SQLite::TransactionBehavior::IMMEDIATE) {}

void Transaction::Commit() { tx_.commit(); }

void Transaction::UpsertPerson(const Person& person, TimePoint now) {
  SQLite::Statement q(store_.db_,
                      "INSERT INTO persons(id, name, org, first_seen) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT(id) DO UPDATE SET name = excluded.name, org = excluded.org");
  q.bind(1, person.id);
  q.bind(2, person.name);
  q.bind(3, person.org);
  q.bind(4, FormatUtc(now));
  q.exec();
}

Session Transaction::LoadSession(const Person& person) {
  SQLite::Statement q(store_.db_,
                      "SELECT lang, active_draft, pending FROM sessions WHERE person_id = ?");
  q.bind(1, person.id);
  Session s;
  s.lang = person.lang.value_or(Lang::kSv);
  if (q.executeStep()) {
    s.lang = ParseLang(q.getColumn(0).getString()).value_or(Lang::kSv);
    s.active_draft = q.getColumn(1).isNull() ? 0 : q.getColumn(1).getInt64();
    s.pending = q.getColumn(2).getString();
  }
  return s;
}

void Transaction::SaveSession(const std::string& person_id, const Session& session,
                              TimePoint now) {
  SQLite::Statement q(store_.db_,
                      "INSERT INTO sessions(person_id, lang, active_draft, pending, updated_at) "
                      "VALUES (?, ?, ?, ?, ?) ON CONFLICT(person_id) DO UPDATE SET "
                      "lang = excluded.lang, active_draft = excluded.active_draft, "
                      "pending = excluded.pending, updated_at = excluded.updated_at");
  q.bind(1, person_id);
  q.bind(2, std::string(LangCode(session.lang)));
  if (session.active_draft > 0) {
    q.bind(3, session.active_draft);
  } else {
    q.bind(3);
  }
  q.bind(4, session.pending);
  q.bind(5, FormatUtc(now));
  q.exec();
}

std::vector<Draft> Transaction::OpenDrafts(const std::string& person_id) {
  SQLite::Statement q(store_.db_,
                      "SELECT * FROM drafts WHERE person_id = ? AND status = 'open' ORDER BY id");
  q.bind(1, person_id);
  std::vector<Draft> out;
  while (q.executeStep()) out.push_back(DraftFrom(q));
  return out;
}

std::optional<Draft> Transaction::LoadDraft(int64_t id) {
  SQLite::Statement q(store_.db_, "SELECT * FROM drafts WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return DraftFrom(q);
}

int64_t Transaction::NextDraftId() {
  return store_.db_.execAndGet("SELECT COALESCE(MAX(id), 0) + 1 FROM drafts").getInt64();
}

void Transaction::SaveDraft(const Draft& draft, const std::string& org) {
  SQLite::Statement q(
      store_.db_,
      "INSERT INTO drafts(id, person_id, org, template_id, template_version, status, state, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
      "status = excluded.status, state = excluded.state, updated_at = excluded.updated_at");
  q.bind(1, draft.id);
  q.bind(2, draft.person_id);
  q.bind(3, org);
  q.bind(4, draft.template_id);
  q.bind(5, draft.template_version);
  q.bind(6, std::string(DraftStatusName(draft.status)));
  q.bind(7, draft.StateJson().dump());
  q.bind(8, FormatUtc(draft.created));
  q.bind(9, FormatUtc(draft.updated));
  q.exec();
}

void Transaction::InsertRegistration(const Draft& draft, const std::string& org, TimePoint now) {
  SQLite::Statement q(store_.db_,
                      "INSERT INTO registrations(id, person_id, org, template_id, template_version, "
                      "answers, status, submitted_at) VALUES (?, ?, ?, ?, ?, ?, 'submitted', ?)");
  q.bind(1, draft.id);
  q.bind(2, draft.person_id);
  q.bind(3, org);
  q.bind(4, draft.template_id);
  q.bind(5, draft.template_version);
  q.bind(6, draft.answers.dump());
  q.bind(7, FormatUtc(now));
  q.exec();
}

std::optional<StoredRegistration> Transaction::LoadRegistration(int64_t id) {
  SQLite::Statement q(store_.db_, "SELECT * FROM registrations WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  StoredRegistration r;
  r.id = q.getColumn("id").getInt64();
  r.person_id = q.getColumn("person_id").getString();
  r.org = q.getColumn("org").getString();
  r.template_id = q.getColumn("template_id").getString();
  r.template_version = q.getColumn("template_version").getInt();
  r.answers = nlohmann::json::parse(q.getColumn("answers").getString());
  r.status = q.getColumn("status").getString();
  r.submitted_at = TimeOf(q.getColumn("submitted_at"));
  return r;
}

int64_t Transaction::CountRegistrations() {
  return store_.db_.execAndGet("SELECT COUNT(*) FROM registrations").getInt64();
}

int64_t Transaction::AppendMessage(const StoredMessage& m) {
  SQLite::Statement q(store_.db_,
                      "INSERT INTO messages(at, person_id, channel, direction, text, buttons, "
                      "input, draft_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, FormatUtc(m.at));
  q.bind(2, m.person_id);
  q.bind(3, m.channel);
  q.bind(4, m.direction);
  q.bind(5, m.text);
  q.bind(6, ButtonsJson(m.buttons).dump());
  q.bind(7, m.input.dump());
  if (m.draft_id > 0) {
    q.bind(8, m.draft_id);
  } else {
    q.bind(8);
  }
  q.exec();
  return store_.db_.getLastInsertRowid();
}

std::vector<StoredMessage> Transaction::Messages(const std::string& person_id, int64_t after_id,
                                                 int limit) {
  SQLite::Statement q(store_.db_,
                      "SELECT id, at, person_id, channel, direction, text, buttons, draft_id, "
                      "edited_at, input FROM messages WHERE person_id = ? AND id > ? ORDER BY id LIMIT ?");
  q.bind(1, person_id);
  q.bind(2, after_id);
  q.bind(3, limit);
  std::vector<StoredMessage> out;
  while (q.executeStep()) {
    StoredMessage m;
    m.id = q.getColumn(0).getInt64();
    m.at = TimeOf(q.getColumn(1));
    m.person_id = q.getColumn(2).getString();
    m.channel = q.getColumn(3).getString();
    m.direction = q.getColumn(4).getString();
    m.text = q.getColumn(5).getString();
    m.buttons = ButtonsFrom(q.getColumn(6).getString());
    m.draft_id = q.getColumn(7).isNull() ? 0 : q.getColumn(7).getInt64();
    if (!q.getColumn(8).isNull()) m.edited_at = TimeOf(q.getColumn(8));
    m.input = nlohmann::json::parse(q.getColumn(9).getString());
    out.push_back(std::move(m));
  }
  return out;
}

void Transaction::AppendAudit(TimePoint at, const std::string& actor, const std::string& action,
                              const std::string& subject, const nlohmann::json& detail) {
  SQLite::Statement q(store_.db_,
                      "INSERT INTO audit(at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)");
  q.bind(1, FormatUtc(at));
  q.bind(2, actor);
  q.bind(3, action);
  q.bind(4, subject);
  q.bind(5, detail.dump());
  q.exec();
}

int64_t Transaction::CountAudit(const std::string& action) {
  SQLite::Statement q(store_.db_, "SELECT COUNT(*) FROM audit WHERE action = ?");
  q.bind(1, action);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

}  // namespace kontobot::store
