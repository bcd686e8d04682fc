#include "store/landing.h"

#include <algorithm>

#include "store/clock_format.h"
#include "store/store.h"

namespace kontobot::store {

namespace {

SQLite::Database Open(const std::string& path, const std::string& vfs) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX,
                      0, vfs);
  db.setBusyTimeout(5000);
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=FULL");
  db.exec(
      "CREATE TABLE IF NOT EXISTS landed ("
      "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
      "  platform TEXT NOT NULL,"
      "  event_id TEXT NOT NULL,"
      "  payload TEXT NOT NULL,"
      "  received_at TEXT NOT NULL"
      ") STRICT");
  SyncParentDirectory(path);  // the new file's directory entry
  return db;
}

// A second connection for reading, opened once Open made the table.
SQLite::Database OpenReader(const std::string& path, const std::string& vfs) {
  SQLite::Database db(path, SQLite::OPEN_READONLY | SQLite::OPEN_FULLMUTEX, 0, vfs);
  db.setBusyTimeout(5000);
  return db;
}

}  // namespace

Landing::Landing(const std::string& path, const std::string& vfs)
    : db_(Open(path, vfs)),
      insert_(db_,
              "INSERT INTO landed(platform, event_id, payload, received_at) VALUES (?, ?, ?, ?)"),
      delete_(db_, "DELETE FROM landed WHERE id <= ?"),
      reader_(OpenReader(path, vfs)),
      after_(reader_,
             "SELECT id, platform, event_id, payload, received_at FROM landed WHERE id > ? "
             "ORDER BY id LIMIT ?") {}

void Landing::Resume(int64_t moved_through) {
  std::lock_guard<std::mutex> lock(mu_);
  SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
  DeleteThrough(moved_through);
  // AUTOINCREMENT takes the next id above sqlite_sequence's, which SQLite
  // lets us raise; the row exists once anything was ever inserted.
  SQLite::Statement raise(db_,
                          "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'landed'");
  raise.bind(1, moved_through);
  if (raise.exec() == 0) {
    SQLite::Statement first(db_, "INSERT INTO sqlite_sequence(name, seq) VALUES ('landed', ?)");
    first.bind(1, moved_through);
    first.exec();
  }
  tx.commit();
  deleted_through_ = moved_through;
}

void Landing::Land(std::vector<LandedEvent>& events, int64_t moved_through) {
  std::lock_guard<std::mutex> lock(mu_);
  SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
  DeleteThrough(moved_through);
  for (LandedEvent& e : events) {
    insert_.tryReset();  // a failed step of an earlier batch reports again here
    insert_.bind(1, e.platform);
    insert_.bind(2, e.event_id);
    insert_.bind(3, e.payload);
    insert_.bind(4, FormatUtc(e.received_at));
    insert_.exec();
    e.id = db_.getLastInsertRowid();
  }
  insert_.tryReset();
  tx.commit();  // synchronous=FULL: returns once the WAL is synced
  deleted_through_ = std::max(deleted_through_, moved_through);
}

void Landing::DeleteThrough(int64_t id) {
  if (id <= deleted_through_) return;
  delete_.tryReset();
  delete_.bind(1, id);
  delete_.exec();
  delete_.tryReset();
}

std::vector<LandedEvent> Landing::After(int64_t id, int limit) {
  std::lock_guard<std::mutex> lock(read_mu_);
  after_.tryReset();
  after_.bind(1, id);
  after_.bind(2, limit);
  std::vector<LandedEvent> out;
  while (after_.executeStep()) {
    LandedEvent e;
    e.id = after_.getColumn(0).getInt64();
    e.platform = after_.getColumn(1).getString();
    e.event_id = after_.getColumn(2).getString();
    e.payload = after_.getColumn(3).getString();
    e.received_at = ParseUtc(after_.getColumn(4).getString()).value_or(TimePoint{});
    out.push_back(std::move(e));
  }
  after_.tryReset();  // no read snapshot held past this call
  return out;
}

}  // namespace kontobot::store
