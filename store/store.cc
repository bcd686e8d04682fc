// The store itself: opening the database, its schema (a fresh install from
// store/schema.sql, an older database through the migrations), the cached
// statements, transactions with group commit, and savepoints. Each table
// family's Transaction methods live in a file of their own (store/store.h
// names it).
#include "store/store.h"

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string_view>

#include "store/schema.h"

namespace kontobot::store {

// Compiled in by kontobot_embed (CMakeLists.txt): store/migrations/*.sql by
// file name, and store/schema.sql.
extern const std::map<std::string, std::string_view> kMigrationFiles;
extern const std::map<std::string, std::string_view> kSchemaFiles;

namespace {

constexpr const char* kSelectVersion = "PRAGMA user_version";
constexpr const char* kSetVersion = "PRAGMA user_version = ";  // + the version
constexpr const char* kCountSchemaObjects = "SELECT COUNT(*) FROM sqlite_master";

constexpr const char* kSavepoint = "SAVEPOINT event";
constexpr const char* kReleaseSavepoint = "RELEASE event";
constexpr const char* kRollbackToSavepoint = "ROLLBACK TO event";

int VersionOf(SQLite::Database& db) { return db.execAndGet(kSelectVersion).getInt(); }

// Version 0 and nothing in it: a file SQLite has just created.
bool IsEmpty(SQLite::Database& db) {
  return VersionOf(db) == 0 && db.execAndGet(kCountSchemaObjects).getInt() == 0;
}

}  // namespace

void MigrateTo(SQLite::Database& db, int target) {
  if (target < 0 || target > Store::LatestVersion()) {
    throw std::invalid_argument("there is no schema version " + std::to_string(target));
  }
  int version = VersionOf(db);
  if (version > target) {
    throw std::runtime_error("database schema version " + std::to_string(version) +
                             " is newer than " + std::to_string(target));
  }
  int n = 0;
  for (const auto& [name, sql] : kMigrationFiles) {  // sorted by file name
    if (++n <= version) continue;
    if (n > target) break;
    SQLite::Transaction tx(db);
    db.exec(std::string(sql));
    db.exec(kSetVersion + std::to_string(n));
    tx.commit();
  }
}

void CreateLatestSchema(SQLite::Database& db) {
  SQLite::Transaction tx(db);
  if (!IsEmpty(db)) throw std::logic_error("the full schema is only for an empty database");
  db.exec(std::string(kSchemaFiles.at("schema.sql")));
  db.exec(kSetVersion + std::to_string(Store::LatestVersion()));
  tx.commit();
}

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
  return VersionOf(db_);
}

void Store::Migrate() {
  std::lock_guard<std::mutex> lock(mu_);
  int version = VersionOf(db_);
  if (version > LatestVersion()) {
    throw std::runtime_error("database schema version " + std::to_string(version) +
                             " is newer than this kontobot understands (" +
                             std::to_string(LatestVersion()) + ")");
  }
  // A fresh install gets the whole schema in one step; a database of an
  // earlier version takes the path its installation has always taken.
  if (IsEmpty(db_)) {
    CreateLatestSchema(db_);
  } else {
    MigrateTo(db_, LatestVersion());
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

void Transaction::Savepoint() { store_.Prepare(kSavepoint).exec(); }

void Transaction::ReleaseSavepoint() {
  store_.ResetStatements();  // a read left mid-step keeps a savepoint from being released
  store_.Prepare(kReleaseSavepoint).exec();
}

void Transaction::RollbackToSavepoint() {
  store_.ResetStatements();  // a statement left mid-step would keep the rollback from running
  store_.db_.exec(kRollbackToSavepoint);
  store_.db_.exec(kReleaseSavepoint);
}

}  // namespace kontobot::store
