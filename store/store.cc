#include "store/store.h"

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <filesystem>
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

TimePoint TimeOf(const SQLite::Column& c) { return ParseUtc(c.getString()).value_or(TimePoint{}); }

// `heads(id, platform, lane)`: the oldest pending item of every outbox lane.
// A skip scan over the partial index outbox_lanes (platform, lane, id):
// each step seeks the first item of the next lane, so the cost grows with
// the number of lanes, not with the items waiting in them. (Once MIN(id)
// GROUP BY, which read every pending row: with a backlog of 90,000 after
// a Slack outage it took 100 ms per call, under the store's lock.)
constexpr const char* kOutboxHeads =
    "WITH RECURSIVE heads(id, platform, lane) AS ("
    " SELECT id, platform, lane FROM (SELECT id, platform, lane FROM outbox INDEXED BY outbox_lanes"
    "  WHERE status = 'pending' ORDER BY platform, lane, id LIMIT 1)"
    " UNION ALL"
    " SELECT n.id, n.platform, n.lane FROM heads h, outbox n WHERE n.id = COALESCE("
    "  (SELECT id FROM outbox INDEXED BY outbox_lanes WHERE status = 'pending'"
    "   AND platform = h.platform AND lane > h.lane ORDER BY platform, lane, id LIMIT 1),"
    "  (SELECT id FROM outbox INDEXED BY outbox_lanes WHERE status = 'pending'"
    "   AND platform > h.platform ORDER BY platform, lane, id LIMIT 1))) ";

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

SQLite::Statement& Store::Prepare(const std::string& sql) {
  // REQUIRES: the caller holds mu_ (inside a Transaction). Statements are
  // compiled once per connection and reused: preparing them was the largest
  // cost of a conversational turn.
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    it = statements_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
  } else {
    it->second->reset();
    it->second->clearBindings();
  }
  return *it->second;
}

Store::Store(const std::string& path, const std::string& vfs)
    : path_(path),
      vfs_(vfs),
      db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX, 0, vfs) {
  db_.setBusyTimeout(5000);
  db_.exec("PRAGMA journal_mode=WAL");
  // Commits are made durable by WaitDurable (group commit): one fdatasync
  // of the WAL covers every transaction committed before it. NORMAL keeps
  // SQLite from syncing each commit itself; it still syncs the WAL before
  // every checkpoint.
  db_.exec("PRAGMA synchronous=NORMAL");
  db_.exec("PRAGMA foreign_keys=ON");
  // Savepoints keep their undo pages in memory. With SQLite's default the
  // worker's batch (a savepoint per event) spilled them to a temporary file
  // created, written and deleted every batch: with that file gone, a
  // benchmark's queue drained a third faster. The pages are bounded by
  // one batch's writes.
  db_.exec("PRAGMA temp_store=MEMORY");
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

void Transaction::Commit() {
  store_.ResetStatements();
  tx_.commit();
  uint64_t seq = ++store_.committed_;
  committed_ = true;
  lock_.unlock();  // let the next transaction run while this one is synced
  store_.WaitDurable(seq);
}

Transaction::~Transaction() {
  if (!committed_) store_.ResetStatements();
}

void Store::WaitDurable(uint64_t seq) {
  std::unique_lock<std::mutex> lock(sync_mu_);
  while (synced_ < seq) {
    if (syncing_) {
      sync_cv_.wait(lock);
      continue;
    }
    // Leader: sync everything committed so far, for everyone waiting.
    syncing_ = true;
    uint64_t target = committed_.load();
    lock.unlock();
    int rc = SyncWal();
    lock.lock();
    syncing_ = false;
    if (rc == 0) synced_ = std::max(synced_, target);
    sync_cv_.notify_all();
    if (rc != 0) throw std::runtime_error("cannot sync the database's write-ahead log");
  }
}

void SyncParentDirectory(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

int Store::SyncWal() {
  if (wal_fd_ < 0) {
    wal_fd_ = ::open((path_ + "-wal").c_str(), O_RDWR | O_CLOEXEC);
    if (wal_fd_ < 0) return -1;
    SyncParentDirectory(path_);  // the WAL's directory entry must survive a power loss too
  }
  return ::fdatasync(wal_fd_);
}

Store::~Store() {
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

void Store::ResetStatements() {
  for (auto& [sql, statement] : statements_) {
    try {
      statement->reset();
    } catch (const SQLite::Exception&) {  // a failed step reports again on reset; already handled
    }
  }
}

void Transaction::UpsertPerson(const Person& person, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO persons(id, name, org, first_seen) VALUES (?, ?, ?, ?) "
      "ON CONFLICT(id) DO UPDATE SET name = excluded.name, org = excluded.org");
  q.bind(1, person.id);
  q.bind(2, person.name);
  q.bind(3, person.org);
  q.bind(4, FormatUtc(now));
  q.exec();
}

Session Transaction::LoadSession(const Person& person) {
  SQLite::Statement& q =
      store_.Prepare("SELECT lang, active_draft, pending FROM sessions WHERE person_id = ?");
  q.bind(1, person.id);
  Session s;
  s.lang = person.lang.value_or(Lang::kSv);
  if (q.executeStep()) {
    s.lang = ParseLang(q.getColumn(0).getString()).value_or(Lang::kSv);
    s.active_draft = q.getColumn(1).isNull() ? 0 : q.getColumn(1).getInt64();
    s.pending = q.getColumn(2).getString();
  }
  if (auto chosen = ChosenLanguage(person.id)) s.lang = *chosen;
  return s;
}

std::optional<Lang> Transaction::ChosenLanguage(const std::string& person_id) {
  SQLite::Statement& q = store_.Prepare("SELECT lang FROM persons WHERE id = ?");
  q.bind(1, person_id);
  if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
  return ParseLang(q.getColumn(0).getString());
}

void Transaction::SetChosenLanguage(const std::string& person_id, Lang lang) {
  SQLite::Statement& q = store_.Prepare("UPDATE persons SET lang = ? WHERE id = ?");
  q.bind(1, std::string(LangCode(lang)));
  q.bind(2, person_id);
  q.exec();
}

void Transaction::SaveSession(const std::string& person_id, const Session& session, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(
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
  SQLite::Statement& q =
      store_.Prepare("SELECT * FROM drafts WHERE person_id = ? AND status = 'open' ORDER BY id");
  q.bind(1, person_id);
  std::vector<Draft> out;
  while (q.executeStep()) out.push_back(DraftFrom(q));
  return out;
}

std::optional<Draft> Transaction::LoadDraft(int64_t id) {
  SQLite::Statement& q = store_.Prepare("SELECT * FROM drafts WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return DraftFrom(q);
}

int64_t Transaction::NextDraftId() {
  SQLite::Statement& q = store_.Prepare("SELECT COALESCE(MAX(id), 0) + 1 FROM drafts");
  q.executeStep();
  return q.getColumn(0).getInt64();
}

void Transaction::SaveDraft(const Draft& draft, const std::string& org) {
  SQLite::Statement& q = store_.Prepare(
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

int Transaction::UpsertRegistration(const Draft& draft, const std::string& org, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO registrations(id, person_id, org, template_id, template_version, "
      "answers, status, submitted_at, round) VALUES (?, ?, ?, ?, ?, ?, 'submitted', ?, 1) "
      "ON CONFLICT(id) DO UPDATE SET answers = excluded.answers, status = 'submitted', "
      "template_version = excluded.template_version, "
      "submitted_at = excluded.submitted_at, round = registrations.round + 1 "
      "RETURNING round");
  q.bind(1, draft.id);
  q.bind(2, draft.person_id);
  q.bind(3, org);
  q.bind(4, draft.template_id);
  q.bind(5, draft.template_version);
  q.bind(6, draft.answers.dump());
  q.bind(7, FormatUtc(now));
  q.executeStep();
  return q.getColumn(0).getInt();
}

namespace {
StoredRegistration RegistrationFrom(SQLite::Statement& q) {
  StoredRegistration r;
  r.id = q.getColumn("id").getInt64();
  r.round = q.getColumn("round").getInt();
  r.person_id = q.getColumn("person_id").getString();
  r.org = q.getColumn("org").getString();
  r.template_id = q.getColumn("template_id").getString();
  r.template_version = q.getColumn("template_version").getInt();
  r.answers = nlohmann::json::parse(q.getColumn("answers").getString());
  r.status = q.getColumn("status").getString();
  r.submitted_at = TimeOf(q.getColumn("submitted_at"));
  return r;
}

Task TaskFrom(SQLite::Statement& q) {
  Task t;
  t.id = q.getColumn("id").getInt64();
  t.registration_id = q.getColumn("registration_id").getInt64();
  t.round = q.getColumn("round").getInt();
  t.kind = ParseTaskKind(q.getColumn("kind").getString()).value_or(TaskKind::kApproval);
  t.step_id = q.getColumn("step_id").getString();
  t.stage = q.getColumn("stage").getInt();
  t.assignee = q.getColumn("assignee").getString();
  t.status = ParseTaskStatus(q.getColumn("status").getString()).value_or(TaskStatus::kOpen);
  t.decided_by = q.getColumn("decided_by").isNull() ? "" : q.getColumn("decided_by").getString();
  if (!q.getColumn("decided_at").isNull()) t.decided_at = TimeOf(q.getColumn("decided_at"));
  t.reason = q.getColumn("reason").getString();
  t.detail = nlohmann::json::parse(q.getColumn("detail").getString());
  t.created = TimeOf(q.getColumn("created_at"));
  return t;
}

Account AccountFrom(SQLite::Statement& q) {
  Account a;
  a.registration_id = q.getColumn("registration_id").getInt64();
  a.org = q.getColumn("org").getString();
  a.medium = q.getColumn("medium").getString();
  a.url = q.getColumn("url").getString();
  a.unit = q.getColumn("unit").getString();
  a.purpose = q.getColumn("purpose").getString();
  a.administrators = nlohmann::json::parse(q.getColumn("administrators").getString());
  a.approvals = nlohmann::json::parse(q.getColumn("approvals").getString());
  a.status = q.getColumn("status").getString();
  a.registered_at = TimeOf(q.getColumn("registered_at"));
  return a;
}
}  // namespace

std::optional<StoredRegistration> Transaction::LoadRegistration(int64_t id) {
  SQLite::Statement& q = store_.Prepare("SELECT * FROM registrations WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return RegistrationFrom(q);
}

std::vector<StoredRegistration> Transaction::Registrations() {
  SQLite::Statement& q = store_.Prepare("SELECT * FROM registrations ORDER BY id");
  std::vector<StoredRegistration> out;
  while (q.executeStep()) out.push_back(RegistrationFrom(q));
  return out;
}

void Transaction::UpdateRegistration(int64_t id, const std::string& status,
                                     const nlohmann::json& answers) {
  SQLite::Statement& q =
      store_.Prepare("UPDATE registrations SET status = ?, answers = ? WHERE id = ?");
  q.bind(1, status);
  q.bind(2, answers.dump());
  q.bind(3, id);
  q.exec();
}

int64_t Transaction::NextTaskId() {
  SQLite::Statement& q = store_.Prepare("SELECT COALESCE(MAX(id), 0) + 1 FROM tasks");
  q.executeStep();
  return q.getColumn(0).getInt64();
}

void Transaction::SaveTask(const Task& t) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO tasks(id, registration_id, round, kind, step_id, stage, assignee, status, "
      "decided_by, "
      "decided_at, reason, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(id) DO UPDATE SET status = excluded.status, decided_by = excluded.decided_by, "
      "decided_at = excluded.decided_at, reason = excluded.reason, detail = excluded.detail");
  q.bind(1, t.id);
  q.bind(2, t.registration_id);
  q.bind(3, t.round);
  q.bind(4, std::string(TaskKindName(t.kind)));
  q.bind(5, t.step_id);
  q.bind(6, t.stage);
  q.bind(7, t.assignee);
  q.bind(8, std::string(TaskStatusName(t.status)));
  if (t.decided_by.empty())
    q.bind(9);
  else
    q.bind(9, t.decided_by);
  if (t.decided_at)
    q.bind(10, FormatUtc(*t.decided_at));
  else
    q.bind(10);
  q.bind(11, t.reason);
  q.bind(12, t.detail.dump());
  q.bind(13, FormatUtc(t.created));
  q.exec();
}

std::vector<Task> Transaction::TasksOf(int64_t registration_id) {
  SQLite::Statement& q =
      store_.Prepare("SELECT * FROM tasks WHERE registration_id = ? ORDER BY id");
  q.bind(1, registration_id);
  std::vector<Task> out;
  while (q.executeStep()) out.push_back(TaskFrom(q));
  return out;
}

std::optional<Task> Transaction::LoadTask(int64_t id) {
  SQLite::Statement& q = store_.Prepare("SELECT * FROM tasks WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return TaskFrom(q);
}

void Transaction::LinkTaskMessage(int64_t task_id, int64_t message_id) {
  SQLite::Statement& q =
      store_.Prepare("INSERT OR IGNORE INTO task_messages(task_id, message_id) VALUES (?, ?)");
  q.bind(1, task_id);
  q.bind(2, message_id);
  q.exec();
}

std::vector<int64_t> Transaction::TaskMessages(int64_t task_id) {
  SQLite::Statement& q =
      store_.Prepare("SELECT message_id FROM task_messages WHERE task_id = ? ORDER BY message_id");
  q.bind(1, task_id);
  std::vector<int64_t> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getInt64());
  return out;
}

bool Transaction::MessageCarriesTask(int64_t message_id, int64_t task_id) {
  SQLite::Statement& q =
      store_.Prepare("SELECT 1 FROM task_messages WHERE task_id = ? AND message_id = ?");
  q.bind(1, task_id);
  q.bind(2, message_id);
  return q.executeStep();
}

void Transaction::InsertAccount(const Account& a) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO accounts(registration_id, org, medium, url, unit, purpose, administrators, "
      "approvals, status, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(registration_id) DO UPDATE SET medium = excluded.medium, url = excluded.url, "
      "unit = excluded.unit, purpose = excluded.purpose, administrators = excluded.administrators, "
      "approvals = excluded.approvals, status = excluded.status");
  q.bind(1, a.registration_id);
  q.bind(2, a.org);
  q.bind(3, a.medium);
  q.bind(4, a.url);
  q.bind(5, a.unit);
  q.bind(6, a.purpose);
  q.bind(7, a.administrators.dump());
  q.bind(8, a.approvals.dump());
  q.bind(9, a.status);
  q.bind(10, FormatUtc(a.registered_at));
  q.exec();
}

std::vector<Account> Transaction::Accounts(const std::string& org) {
  SQLite::Statement& q = store_.Prepare(
      "SELECT * FROM accounts WHERE status = 'active' AND (? = '' OR org = ?) "
      "ORDER BY org, registered_at, registration_id");
  q.bind(1, org);
  q.bind(2, org);
  std::vector<Account> out;
  while (q.executeStep()) out.push_back(AccountFrom(q));
  return out;
}

std::optional<Account> Transaction::LoadAccount(int64_t registration_id) {
  SQLite::Statement& q = store_.Prepare("SELECT * FROM accounts WHERE registration_id = ?");
  q.bind(1, registration_id);
  if (!q.executeStep()) return std::nullopt;
  return AccountFrom(q);
}

std::vector<Account> Transaction::AllAccounts() {
  SQLite::Statement& q =
      store_.Prepare("SELECT * FROM accounts ORDER BY org, registered_at, registration_id");
  std::vector<Account> out;
  while (q.executeStep()) out.push_back(AccountFrom(q));
  return out;
}

void Transaction::SetDiary(const DiaryEntry& e) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO case_diary(registration_id, diarienummer, registered_on, set_by, set_at) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT(registration_id) DO UPDATE SET "
      "diarienummer = excluded.diarienummer, registered_on = excluded.registered_on, "
      "set_by = excluded.set_by, set_at = excluded.set_at");
  q.bind(1, e.registration_id);
  q.bind(2, e.diarienummer);
  q.bind(3, e.registered_on);
  q.bind(4, e.set_by);
  q.bind(5, FormatUtc(e.set_at));
  q.exec();
}

namespace {
DiaryEntry DiaryFrom(SQLite::Statement& q) {
  DiaryEntry e;
  e.registration_id = q.getColumn("registration_id").getInt64();
  e.diarienummer = q.getColumn("diarienummer").getString();
  e.registered_on = q.getColumn("registered_on").getString();
  e.set_by = q.getColumn("set_by").getString();
  e.set_at = TimeOf(q.getColumn("set_at"));
  return e;
}
}  // namespace

std::optional<DiaryEntry> Transaction::Diary(int64_t registration_id) {
  SQLite::Statement& q = store_.Prepare("SELECT * FROM case_diary WHERE registration_id = ?");
  q.bind(1, registration_id);
  if (!q.executeStep()) return std::nullopt;
  return DiaryFrom(q);
}

std::map<int64_t, DiaryEntry> Transaction::Diaries() {
  SQLite::Statement& q = store_.Prepare("SELECT * FROM case_diary");
  std::map<int64_t, DiaryEntry> out;
  while (q.executeStep()) {
    DiaryEntry e = DiaryFrom(q);
    out.emplace(e.registration_id, std::move(e));
  }
  return out;
}

int64_t Transaction::InsertRelease(const Release& r) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO releases(registration_id, released_at, released_by, recipient, version, lang, "
      "files) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
  q.bind(1, r.registration_id);
  q.bind(2, FormatUtc(r.released_at));
  q.bind(3, r.released_by);
  q.bind(4, r.recipient);
  q.bind(5, r.version);
  q.bind(6, r.lang);
  q.bind(7, r.files.dump());
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::vector<Release> Transaction::ReleasesOf(int64_t registration_id) {
  SQLite::Statement& q =
      store_.Prepare("SELECT * FROM releases WHERE registration_id = ? ORDER BY id");
  q.bind(1, registration_id);
  std::vector<Release> out;
  while (q.executeStep()) {
    Release r;
    r.id = q.getColumn("id").getInt64();
    r.registration_id = q.getColumn("registration_id").getInt64();
    r.released_at = TimeOf(q.getColumn("released_at"));
    r.released_by = q.getColumn("released_by").getString();
    r.recipient = q.getColumn("recipient").getString();
    r.version = q.getColumn("version").getString();
    r.lang = q.getColumn("lang").getString();
    r.files = nlohmann::json::parse(q.getColumn("files").getString());
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<nlohmann::json> Transaction::AuditByActions(const std::string& prefix,
                                                        const std::vector<std::string>& actions) {
  // Rare (exports only), so built per call rather than cached.
  std::string sql =
      "SELECT id, at, actor, action, subject, detail FROM audit WHERE substr(subject, 1, ?) = ? "
      "AND action IN (";
  for (size_t i = 0; i < actions.size(); ++i) sql += i ? ", ?" : "?";
  sql += ") ORDER BY id";
  SQLite::Statement q(store_.db_, actions.empty() ? "SELECT 1 WHERE 0" : sql);
  if (!actions.empty()) {
    q.bind(1, static_cast<int>(prefix.size()));
    q.bind(2, prefix);
    for (size_t i = 0; i < actions.size(); ++i) q.bind(static_cast<int>(i) + 3, actions[i]);
  }
  std::vector<nlohmann::json> out;
  while (q.executeStep()) {
    out.push_back({{"id", q.getColumn(0).getInt64()},
                   {"at", q.getColumn(1).getString()},
                   {"actor", q.getColumn(2).getString()},
                   {"action", q.getColumn(3).getString()},
                   {"subject", q.getColumn(4).getString()},
                   {"detail", nlohmann::json::parse(q.getColumn(5).getString())}});
  }
  return out;
}

int64_t Transaction::CountRegistrations() {
  return store_.db_.execAndGet("SELECT COUNT(*) FROM registrations").getInt64();
}

int64_t Transaction::AppendMessage(const StoredMessage& m) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO messages(at, person_id, channel, direction, text, buttons, "
      "input, draft_id, seq, marker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
      "(SELECT COALESCE(MAX(seq), 0) + 1 FROM messages), lower(hex(randomblob(8))))");
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

namespace {
constexpr const char* kMessageColumns =
    "SELECT id, at, person_id, channel, direction, text, buttons, draft_id, edited_at, input, seq, "
    "marker FROM messages ";

StoredMessage MessageFrom(SQLite::Statement& q) {
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
  m.seq = q.getColumn(10).getInt64();
  m.marker = q.getColumn(11).getString();
  return m;
}
}  // namespace

std::vector<StoredMessage> Transaction::Messages(const std::string& person_id, int64_t after_seq,
                                                 int limit) {
  SQLite::Statement& q = store_.Prepare(std::string(kMessageColumns) +
                                        "WHERE person_id = ? AND seq > ? ORDER BY seq LIMIT ?");
  q.bind(1, person_id);
  q.bind(2, after_seq);
  q.bind(3, limit);
  std::vector<StoredMessage> out;
  while (q.executeStep()) out.push_back(MessageFrom(q));
  return out;
}

std::optional<StoredMessage> Transaction::LoadMessage(int64_t id) {
  SQLite::Statement& q = store_.Prepare(std::string(kMessageColumns) + "WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return MessageFrom(q);
}

std::vector<StoredMessage> Transaction::MessagesOfDraft(int64_t draft_id) {
  SQLite::Statement& q =
      store_.Prepare(std::string(kMessageColumns) + "WHERE draft_id = ? ORDER BY id");
  q.bind(1, draft_id);
  std::vector<StoredMessage> out;
  while (q.executeStep()) out.push_back(MessageFrom(q));
  return out;
}

int64_t Transaction::FeedCursor(const std::string& person_id) {
  SQLite::Statement& q =
      store_.Prepare("SELECT COALESCE(MAX(seq), 0) FROM messages WHERE person_id = ?");
  q.bind(1, person_id);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

void Transaction::EditMessage(int64_t id, const Reply& reply, TimePoint now) {
  auto old = LoadMessage(id);
  if (!old) return;
  SQLite::Statement& q = store_.Prepare(
      "UPDATE messages SET text = ?, buttons = ?, edited_at = ?, "
      "seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages) WHERE id = ?");
  q.bind(1, reply.text);
  q.bind(2, ButtonsJson(reply.buttons).dump());
  q.bind(3, FormatUtc(now));
  q.bind(4, id);
  q.exec();
  AppendAudit(now, "kontobot", "message.edited", "message:" + std::to_string(id),
              {{"old_text", old->text}, {"old_buttons", ButtonsJson(old->buttons)}});
}

std::vector<nlohmann::json> Transaction::AuditOf(const std::vector<std::string>& subjects) {
  std::vector<nlohmann::json> out;
  for (const std::string& subject : subjects) {
    SQLite::Statement& q = store_.Prepare(
        "SELECT id, at, actor, action, subject, detail FROM audit WHERE subject = ?");
    q.bind(1, subject);
    while (q.executeStep()) {
      out.push_back({{"id", q.getColumn(0).getInt64()},
                     {"at", q.getColumn(1).getString()},
                     {"actor", q.getColumn(2).getString()},
                     {"action", q.getColumn(3).getString()},
                     {"subject", q.getColumn(4).getString()},
                     {"detail", nlohmann::json::parse(q.getColumn(5).getString())}});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a["id"] < b["id"]; });
  return out;
}

void Transaction::AppendAudit(TimePoint at, const std::string& actor, const std::string& action,
                              const std::string& subject, const nlohmann::json& detail) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO audit(at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)");
  q.bind(1, FormatUtc(at));
  q.bind(2, actor);
  q.bind(3, action);
  q.bind(4, subject);
  q.bind(5, detail.dump());
  q.exec();
}

int64_t Transaction::CountAudit(const std::string& action) {
  SQLite::Statement& q = store_.Prepare("SELECT COUNT(*) FROM audit WHERE action = ?");
  q.bind(1, action);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

bool Transaction::FirstDelivery(const std::string& platform, const std::string& event_id,
                                TimePoint now) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT OR IGNORE INTO inbound_events(platform, event_id, received_at) VALUES (?, ?, ?)");
  q.bind(1, platform);
  q.bind(2, event_id);
  q.bind(3, FormatUtc(now));
  return q.exec() == 1;
}

std::vector<int64_t> Transaction::OutboxHeads(const std::string& platform) {
  SQLite::Statement& q = store_.Prepare(
      std::string(kOutboxHeads) + "SELECT h.id FROM heads h WHERE h.platform = ? ORDER BY h.id");
  q.bind(1, platform);
  std::vector<int64_t> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getInt64());
  return out;
}

void Transaction::Enqueue(const OutboxItem& item, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO outbox(platform, kind, lane, person_id, message_id, payload, next_at, "
      "created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, item.platform);
  q.bind(2, item.kind);
  q.bind(3, item.lane);
  if (item.person_id.empty())
    q.bind(4);
  else
    q.bind(4, item.person_id);
  if (item.message_id > 0)
    q.bind(5, item.message_id);
  else
    q.bind(5);
  q.bind(6, item.payload.dump());
  q.bind(7, FormatUtc(now));
  q.bind(8, FormatUtc(now));
  q.exec();
}

std::vector<OutboxItem> Transaction::DueOutbox(TimePoint now, int limit) {
  // The head of each lane (its oldest pending item), if it is due.
  SQLite::Statement& q = store_.Prepare(
      std::string(kOutboxHeads) +
      "SELECT o.id, o.platform, o.kind, o.lane, COALESCE(o.person_id, ''), "
      "COALESCE(o.message_id, 0), o.payload, o.attempts, o.next_at FROM outbox o "
      "WHERE o.id IN (SELECT id FROM heads) AND o.next_at <= ? ORDER BY o.id LIMIT ?");
  q.bind(1, FormatUtc(now));
  q.bind(2, limit);
  std::vector<OutboxItem> out;
  while (q.executeStep()) {
    OutboxItem i;
    i.id = q.getColumn(0).getInt64();
    i.platform = q.getColumn(1).getString();
    i.kind = q.getColumn(2).getString();
    i.lane = q.getColumn(3).getString();
    i.person_id = q.getColumn(4).getString();
    i.message_id = q.getColumn(5).getInt64();
    i.payload = nlohmann::json::parse(q.getColumn(6).getString());
    i.attempts = q.getColumn(7).getInt();
    i.next_at = TimeOf(q.getColumn(8));
    out.push_back(std::move(i));
  }
  return out;
}

std::optional<TimePoint> Transaction::NextOutboxDue(std::optional<TimePoint> after) {
  std::string sql = std::string(kOutboxHeads) +
                    "SELECT MIN(o.next_at) FROM outbox o WHERE o.id IN (SELECT id FROM heads)";
  if (after) sql += " AND o.next_at > ?";
  SQLite::Statement& q = store_.Prepare(sql);
  if (after) q.bind(1, FormatUtc(*after));
  if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
  return ParseUtc(q.getColumn(0).getString());
}

void Transaction::MarkSent(int64_t id, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(
      "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?");
  q.bind(1, FormatUtc(now));
  q.bind(2, id);
  q.exec();
}

void Transaction::Reschedule(int64_t id, TimePoint next_at, const std::string& error) {
  SQLite::Statement& q = store_.Prepare(
      "UPDATE outbox SET next_at = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?");
  q.bind(1, FormatUtc(next_at));
  q.bind(2, error);
  q.bind(3, id);
  q.exec();
}

void Transaction::MarkFailed(int64_t id, const std::string& error) {
  SQLite::Statement& q = store_.Prepare(
      "UPDATE outbox SET status = 'failed', last_error = ?, attempts = attempts + 1 WHERE id = ?");
  q.bind(1, error);
  q.bind(2, id);
  q.exec();
}

int64_t Transaction::CountOutbox(const std::string& status) {
  SQLite::Statement& q = store_.Prepare("SELECT COUNT(*) FROM outbox WHERE status = ?");
  q.bind(1, status);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::optional<std::string> Transaction::PlatformChannel(const std::string& platform,
                                                        const std::string& person_id) {
  SQLite::Statement& q =
      store_.Prepare("SELECT channel FROM platform_channels WHERE platform = ? AND person_id = ?");
  q.bind(1, platform);
  q.bind(2, person_id);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

void Transaction::SetPlatformChannel(const std::string& platform, const std::string& person_id,
                                     const std::string& channel) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO platform_channels(platform, person_id, channel) VALUES (?, ?, ?) "
      "ON CONFLICT(platform, person_id) DO UPDATE SET channel = excluded.channel");
  q.bind(1, platform);
  q.bind(2, person_id);
  q.bind(3, channel);
  q.exec();
}

std::optional<std::pair<std::string, std::string>> Transaction::PlatformMessage(
    int64_t message_id, const std::string& platform) {
  SQLite::Statement& q = store_.Prepare(
      "SELECT channel, ref FROM platform_messages WHERE message_id = ? AND platform = ?");
  q.bind(1, message_id);
  q.bind(2, platform);
  if (!q.executeStep()) return std::nullopt;
  return std::make_pair(q.getColumn(0).getString(), q.getColumn(1).getString());
}

void Transaction::SetPlatformMessage(int64_t message_id, const std::string& platform,
                                     const std::string& channel, const std::string& ref) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO platform_messages(message_id, platform, channel, ref) VALUES (?, ?, ?, ?) "
      "ON CONFLICT(message_id, platform) DO UPDATE SET channel = excluded.channel, ref = "
      "excluded.ref");
  q.bind(1, message_id);
  q.bind(2, platform);
  q.bind(3, channel);
  q.bind(4, ref);
  q.exec();
}

std::optional<std::string> Transaction::PlatformUserEmail(const std::string& platform,
                                                          const std::string& account) {
  SQLite::Statement& q =
      store_.Prepare("SELECT email FROM platform_users WHERE platform = ? AND account = ?");
  q.bind(1, platform);
  q.bind(2, account);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

void Transaction::SetPlatformUserEmail(const std::string& platform, const std::string& account,
                                       const std::string& email, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO platform_users(platform, account, email, looked_up_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT(platform, account) DO UPDATE SET email = excluded.email, "
      "looked_up_at = excluded.looked_up_at");
  q.bind(1, platform);
  q.bind(2, account);
  q.bind(3, email);
  q.bind(4, FormatUtc(now));
  q.exec();
}

std::optional<std::string> Transaction::PlatformAccountByEmail(const std::string& platform,
                                                               const std::string& email) {
  if (email.empty()) return std::nullopt;
  SQLite::Statement& q = store_.Prepare(
      "SELECT account FROM platform_users WHERE platform = ? AND email = ? "
      "ORDER BY looked_up_at DESC LIMIT 1");
  q.bind(1, platform);
  q.bind(2, email);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

int64_t Transaction::LandingMovedThrough() {
  SQLite::Statement& q = store_.Prepare("SELECT moved_through FROM inbound_landing WHERE id = 1");
  return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

void Transaction::SetLandingMovedThrough(int64_t id) {
  SQLite::Statement& q =
      store_.Prepare("UPDATE inbound_landing SET moved_through = ? WHERE id = 1");
  q.bind(1, id);
  q.exec();
}

bool Transaction::QueueInbound(const std::string& platform, const std::string& event_id,
                               const std::string& payload, TimePoint now) {
  if (!FirstDelivery(platform, event_id, now)) return false;
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO inbound_queue(platform, event_id, payload, received_at) VALUES (?, ?, ?, ?)");
  q.bind(1, platform);
  q.bind(2, event_id);
  q.bind(3, payload);
  q.bind(4, FormatUtc(now));
  q.exec();
  return true;
}

std::vector<QueuedEvent> Transaction::ReadyInbound(int limit) {
  SQLite::Statement& q = store_.Prepare(
      "SELECT id, platform, event_id, payload FROM inbound_queue WHERE waiting_for = '' "
      "ORDER BY id LIMIT ?");
  q.bind(1, limit);
  std::vector<QueuedEvent> out;
  while (q.executeStep()) {
    QueuedEvent e;
    e.id = q.getColumn(0).getInt64();
    e.platform = q.getColumn(1).getString();
    e.event_id = q.getColumn(2).getString();
    e.payload = q.getColumn(3).getString();
    out.push_back(std::move(e));
  }
  return out;
}

void Transaction::DoneInbound(int64_t id) {
  SQLite::Statement& q = store_.Prepare("DELETE FROM inbound_queue WHERE id = ?");
  q.bind(1, id);
  q.exec();
}

void Transaction::ParkInbound(int64_t id, const std::string& waiting_for) {
  SQLite::Statement& q = store_.Prepare("UPDATE inbound_queue SET waiting_for = ? WHERE id = ?");
  q.bind(1, waiting_for);
  q.bind(2, id);
  q.exec();
}

bool Transaction::InboundWaitingFor(const std::string& platform, const std::string& waiting_for) {
  SQLite::Statement& q =
      store_.Prepare("SELECT 1 FROM inbound_queue WHERE platform = ? AND waiting_for = ? LIMIT 1");
  q.bind(1, platform);
  q.bind(2, waiting_for);
  return q.executeStep();
}

std::optional<std::string> Transaction::ParkedBefore(const std::string& platform,
                                                     const std::string& user, int64_t id) {
  // The parked events are few (the partial index inbound_queue_waiting
  // holds only them); the payload is read for those alone.
  SQLite::Statement& q = store_.Prepare(
      "SELECT waiting_for FROM inbound_queue WHERE platform = ? AND waiting_for NOT IN ('', "
      "'failed') AND id < ? AND json_extract(payload, '$.user') = ? ORDER BY id LIMIT 1");
  q.bind(1, platform);
  q.bind(2, id);
  q.bind(3, user);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

int Transaction::ReleaseInbound(const std::string& platform, const std::string& waiting_for) {
  SQLite::Statement& q = store_.Prepare(
      "UPDATE inbound_queue SET waiting_for = '' WHERE platform = ? AND waiting_for = ?");
  q.bind(1, platform);
  q.bind(2, waiting_for);
  return q.exec();
}

void Transaction::FailInbound(int64_t id, const std::string& error) {
  SQLite::Statement& q = store_.Prepare(
      "UPDATE inbound_queue SET waiting_for = 'failed', last_error = ? WHERE id = ?");
  q.bind(1, error);
  q.bind(2, id);
  q.exec();
}

void Transaction::Savepoint() { store_.Prepare("SAVEPOINT event").exec(); }

void Transaction::ReleaseSavepoint() {
  store_.ResetStatements();  // a read left mid-step keeps a savepoint from being released
  store_.Prepare("RELEASE event").exec();
}

void Transaction::RollbackToSavepoint() {
  store_.ResetStatements();  // a statement left mid-step would keep the rollback from running
  store_.db_.exec("ROLLBACK TO event");
  store_.db_.exec("RELEASE event");
}

std::optional<std::string> Transaction::MatrixTransactionDigest(const std::string& txn_id) {
  SQLite::Statement& q = store_.Prepare("SELECT digest FROM matrix_transactions WHERE txn_id = ?");
  q.bind(1, txn_id);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

void Transaction::RecordMatrixTransaction(const std::string& txn_id, const std::string& digest,
                                          TimePoint now) {
  SQLite::Statement& forget =
      store_.Prepare("DELETE FROM matrix_transactions WHERE received_at < ?");
  forget.bind(1, FormatUtc(now - std::chrono::hours(24 * 7)));
  forget.exec();
  SQLite::Statement& q = store_.Prepare(
      "INSERT OR REPLACE INTO matrix_transactions(txn_id, digest, received_at) VALUES (?, ?, ?)");
  q.bind(1, txn_id);
  q.bind(2, digest);
  q.bind(3, FormatUtc(now));
  q.exec();
}

std::optional<int64_t> Transaction::MessageByPlatformRef(const std::string& platform,
                                                         const std::string& ref) {
  SQLite::Statement& q =
      store_.Prepare("SELECT message_id FROM platform_messages WHERE platform = ? AND ref = ?");
  q.bind(1, platform);
  q.bind(2, ref);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

std::optional<int64_t> Transaction::TaskOfMessage(int64_t message_id) {
  SQLite::Statement& q =
      store_.Prepare("SELECT task_id FROM task_messages WHERE message_id = ? LIMIT 1");
  q.bind(1, message_id);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

std::optional<int64_t> Transaction::LatestOpenApproval(const std::string& person) {
  SQLite::Statement& q = store_.Prepare(
      "SELECT id FROM tasks WHERE assignee = ? AND kind = 'approval' AND status = 'open' ORDER BY "
      "id DESC LIMIT 1");
  q.bind(1, person);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

DeliveryState Transaction::DeliveryStateOf(const OutboxItem& item) {
  return {LoadMessage(item.message_id), PlatformChannel(item.platform, item.person_id),
          PlatformMessage(item.message_id, item.platform)};
}

std::optional<std::string> Transaction::LastInboundChannel(const std::string& person_id) {
  SQLite::Statement& q = store_.Prepare(
      "SELECT channel FROM messages WHERE person_id = ? AND direction = 'in' ORDER BY id DESC "
      "LIMIT 1");
  q.bind(1, person_id);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

std::optional<int64_t> Transaction::LatestInbound(const std::string& person_id) {
  SQLite::Statement& q = store_.Prepare(
      "SELECT id FROM messages WHERE person_id = ? AND direction = 'in' ORDER BY id DESC LIMIT 1");
  q.bind(1, person_id);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

namespace {

constexpr const char* kTimerColumns =
    "id, kind, subject, person_id, org, step, since_at, due_at, state, detail";

Timer TimerFrom(SQLite::Statement& q) {
  Timer t;
  t.id = q.getColumn(0).getInt64();
  t.kind = q.getColumn(1).getString();
  t.subject = q.getColumn(2).getString();
  t.person = q.getColumn(3).getString();
  t.org = q.getColumn(4).getString();
  t.step = q.getColumn(5).getInt();
  t.since = ParseUtc(q.getColumn(6).getString()).value_or(TimePoint{});
  t.due = ParseUtc(q.getColumn(7).getString()).value_or(TimePoint{});
  t.state = q.getColumn(8).getString();
  t.detail = nlohmann::json::parse(q.getColumn(9).getString(), nullptr, false);
  if (!t.detail.is_object()) t.detail = nlohmann::json::object();
  return t;
}

std::vector<Timer> TimersFrom(SQLite::Statement& q) {
  std::vector<Timer> out;
  while (q.executeStep()) out.push_back(TimerFrom(q));
  return out;
}

}  // namespace

int64_t Transaction::InsertTimer(const Timer& t, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(
      "INSERT INTO timers(kind, subject, person_id, org, step, since_at, due_at, state, detail, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)");
  q.bind(1, t.kind);
  q.bind(2, t.subject);
  q.bind(3, t.person);
  q.bind(4, t.org);
  q.bind(5, t.step);
  q.bind(6, FormatUtc(t.since));
  q.bind(7, FormatUtc(t.due));
  q.bind(8, t.detail.dump());
  q.bind(9, FormatUtc(now));
  q.exec();
  return store_.db_.getLastInsertRowid();
}

std::vector<Timer> Transaction::DueTimers(TimePoint now, int limit) {
  SQLite::Statement& q = store_.Prepare(std::string("SELECT ") + kTimerColumns +
                                        " FROM timers WHERE state = 'open' AND due_at <= ? "
                                        "ORDER BY due_at, id LIMIT ?");
  q.bind(1, FormatUtc(now));
  q.bind(2, limit);
  return TimersFrom(q);
}

std::optional<TimePoint> Transaction::NextTimerDue() {
  SQLite::Statement& q = store_.Prepare("SELECT MIN(due_at) FROM timers WHERE state = 'open'");
  if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
  return ParseUtc(q.getColumn(0).getString());
}

std::optional<Timer> Transaction::LoadTimer(int64_t id) {
  SQLite::Statement& q =
      store_.Prepare(std::string("SELECT ") + kTimerColumns + " FROM timers WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return TimerFrom(q);
}

std::optional<Timer> Transaction::OpenTimer(const std::string& subject) {
  SQLite::Statement& q = store_.Prepare(std::string("SELECT ") + kTimerColumns +
                                        " FROM timers WHERE subject = ? AND state = 'open' "
                                        "ORDER BY id DESC LIMIT 1");
  q.bind(1, subject);
  if (!q.executeStep()) return std::nullopt;
  return TimerFrom(q);
}

std::vector<Timer> Transaction::OpenTimersOf(const std::string& person) {
  SQLite::Statement& q = store_.Prepare(std::string("SELECT ") + kTimerColumns +
                                        " FROM timers WHERE person_id = ? AND state = 'open' "
                                        "ORDER BY since_at, id");
  q.bind(1, person);
  return TimersFrom(q);
}

std::vector<Timer> Transaction::OpenTimersOfOrg(const std::string& org) {
  SQLite::Statement& q = store_.Prepare(std::string("SELECT ") + kTimerColumns +
                                        " FROM timers WHERE org = ? AND state = 'open' "
                                        "ORDER BY since_at, id");
  q.bind(1, org);
  return TimersFrom(q);
}

bool Transaction::CloseTimer(int64_t id, const std::string& state, TimePoint now) {
  SQLite::Statement& q =
      store_.Prepare("UPDATE timers SET state = ?, closed_at = ? WHERE id = ? AND state = 'open'");
  q.bind(1, state);
  q.bind(2, FormatUtc(now));
  q.bind(3, id);
  return q.exec() == 1;
}

int Transaction::CancelTimers(const std::string& subject, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(
      "UPDATE timers SET state = 'cancelled', closed_at = ? WHERE subject = ? AND state = 'open'");
  q.bind(1, FormatUtc(now));
  q.bind(2, subject);
  return q.exec();
}

void Transaction::UpdateTimer(const Timer& t) {
  SQLite::Statement& q = store_.Prepare(
      "UPDATE timers SET due_at = ?, since_at = ?, detail = ? WHERE id = ? AND state = 'open'");
  q.bind(1, FormatUtc(t.due));
  q.bind(2, FormatUtc(t.since));
  q.bind(3, t.detail.dump());
  q.bind(4, t.id);
  q.exec();
}

int64_t Transaction::CountTimers(const std::string& state) {
  SQLite::Statement& q = store_.Prepare("SELECT COUNT(*) FROM timers WHERE state = ?");
  q.bind(1, state);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

}  // namespace kontobot::store
