// The database schema's two paths to the newest version. An installation
// that already has a database is brought up to date one migration at a
// time (store/migrations/NNNN_*.sql, in order, each in a transaction of
// its own), so that it passes through every version it would have passed
// through had it been upgraded release by release. A fresh install gets
// the whole newest schema in one step (store/schema.sql). Both are
// compiled into the binary; tests/store/schema_test.cc checks that the two
// paths end at the same schema.
//
// The version is SQLite's PRAGMA user_version: the number of migrations
// applied. Store's constructor takes one path or the other; these are for
// it and for tests that need a database of an earlier version.
//
// Thread-safety: none of its own; REQUIRES the caller to be the only user
// of `db` while a call runs. SQLite errors surface as SQLite::Exception.
#ifndef KONTOBOT_STORE_SCHEMA_H_
#define KONTOBOT_STORE_SCHEMA_H_

#include <SQLiteCpp/SQLiteCpp.h>

namespace kontobot::store {

// Migrates the database open on `db` from its version up to `target`, one
// migration at a time. Throws std::invalid_argument if this binary has no
// version `target` (see Store::LatestVersion()), std::runtime_error if the
// database's version is above `target`. A failed migration rolls back
// alone: the database stays at the version before it.
void MigrateTo(SQLite::Database& db, int target);

// Creates the newest schema from store/schema.sql and sets the newest
// version, in one transaction. REQUIRES: the database is empty (version 0,
// no tables); throws std::logic_error otherwise.
void CreateLatestSchema(SQLite::Database& db);

}  // namespace kontobot::store

#endif  // KONTOBOT_STORE_SCHEMA_H_
