// Strategy: the schema reaches its newest version by two paths
// (store/schema.h): an existing database through the migrations, one at a
// time, and a fresh install from store/schema.sql in one step. Both paths
// are run on real database files, from version 0, and what SQLite then says
// about each schema is compared fact by fact: every table's columns (type,
// NOT NULL, default, primary key, in order), foreign keys, indexes (unique,
// partial, their WHERE, their columns), triggers, the CREATE statements
// themselves with comments and layout folded away, the rows a migration
// seeds, and the version. A migration added without the same change to
// schema.sql fails here. Then the paths a real installation takes: a new
// file gets the full schema, a database at every earlier version is
// migrated by Store to the same schema and keeps what it held.
#include "store/schema.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

#include "store/store.h"

namespace kontobot::store {
namespace {

// `sql` without comments and with its white space folded, so that two
// CREATE statements laid out differently compare equal: outside quotes, runs
// of white space become one space, and none is kept beside a parenthesis or
// a comma.
std::string NormalizedSql(const std::string& sql) {
  std::string out;
  bool in_string = false;
  bool pending_space = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (!in_string && c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      i = std::min(sql.find('\n', i), sql.size()) - 1;  // up to the newline
      pending_space = true;
      continue;
    }
    if (!in_string && std::isspace(static_cast<unsigned char>(c))) {
      pending_space = true;
      continue;
    }
    auto tight = [](char x) { return x == '(' || x == ')' || x == ','; };
    if (pending_space && !out.empty() && !tight(c) && !tight(out.back())) out += ' ';
    pending_space = false;
    if (c == '\'') in_string = !in_string;  // '' inside a string toggles twice
    out += c;
  }
  return out;
}

std::string Text(const SQLite::Column& c) { return c.isNull() ? "NULL" : c.getString(); }

// One fact: its words joined by spaces.
std::string Fact(std::initializer_list<std::string> words) {
  std::string out;
  for (const std::string& word : words) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

// Everything SQLite tells about the schema of `db`, one fact a line, sorted.
std::vector<std::string> SchemaFacts(SQLite::Database& db) {
  std::vector<std::string> facts;
  facts.push_back(Fact({"version", db.execAndGet("PRAGMA user_version").getString()}));
  std::vector<std::string> tables;
  SQLite::Statement objects(db, "SELECT type, name, tbl_name, sql FROM sqlite_master");
  while (objects.executeStep()) {
    std::string type = objects.getColumn(0).getString();
    std::string name = objects.getColumn(1).getString();
    // The CREATE statement: CHECK constraints, STRICT, REFERENCES, trigger
    // bodies and index WHERE clauses all stand only here.
    facts.push_back(Fact({type, name, "on", objects.getColumn(2).getString(), "sql",
                          NormalizedSql(Text(objects.getColumn(3)))}));
    if (type == "table") tables.push_back(name);
  }
  for (const std::string& table : tables) {
    SQLite::Statement columns(db,
                              "SELECT cid, name, type, \"notnull\", dflt_value, pk "
                              "FROM pragma_table_info(?)");
    columns.bind(1, table);
    while (columns.executeStep()) {
      facts.push_back(
          Fact({"table", table, "column", Text(columns.getColumn(0)), Text(columns.getColumn(1)),
                Text(columns.getColumn(2)), "notnull", Text(columns.getColumn(3)), "default",
                Text(columns.getColumn(4)), "pk", Text(columns.getColumn(5))}));
    }
    SQLite::Statement keys(db,
                           "SELECT id, seq, \"from\", \"table\", \"to\", on_update, "
                           "on_delete, match FROM pragma_foreign_key_list(?)");
    keys.bind(1, table);
    while (keys.executeStep()) {
      facts.push_back(
          Fact({"table", table, "foreign key", Text(keys.getColumn(0)), Text(keys.getColumn(1)),
                Text(keys.getColumn(2)), "references", Text(keys.getColumn(3)),
                Text(keys.getColumn(4)), "on update", Text(keys.getColumn(5)), "on delete",
                Text(keys.getColumn(6)), "match", Text(keys.getColumn(7))}));
    }
    SQLite::Statement indexes(db,
                              "SELECT l.name, l.\"unique\", l.origin, l.partial, m.sql "
                              "FROM pragma_index_list(?) l LEFT JOIN sqlite_master m "
                              "ON m.type = 'index' AND m.name = l.name");
    indexes.bind(1, table);
    while (indexes.executeStep()) {
      std::string index = indexes.getColumn(0).getString();
      std::string sql = NormalizedSql(Text(indexes.getColumn(4)));
      size_t where = sql.find("WHERE ");
      facts.push_back(
          Fact({"table", table, "index", index, "unique", Text(indexes.getColumn(1)), "origin",
                Text(indexes.getColumn(2)), "partial", Text(indexes.getColumn(3)), "where",
                where == std::string::npos ? "" : sql.substr(where + 6)}));
      SQLite::Statement keyed(db,
                              "SELECT seqno, cid, name, \"desc\", coll, key "
                              "FROM pragma_index_xinfo(?)");
      keyed.bind(1, index);
      while (keyed.executeStep()) {
        facts.push_back(Fact({"index", index, "column", Text(keyed.getColumn(0)), "cid",
                              Text(keyed.getColumn(1)), Text(keyed.getColumn(2)), "desc",
                              Text(keyed.getColumn(3)), "coll", Text(keyed.getColumn(4)), "key",
                              Text(keyed.getColumn(5))}));
      }
    }
    // What a migration seeds (inbound_landing's one row) is schema too.
    SQLite::Statement rows(db, "SELECT * FROM \"" + table + "\"");
    while (rows.executeStep()) {
      std::string row = Fact({"table", table, "row"});
      for (int i = 0; i < rows.getColumnCount(); ++i) {
        row += ' ';
        row += Text(rows.getColumn(i));
      }
      facts.push_back(row);
    }
  }
  std::sort(facts.begin(), facts.end());
  return facts;
}

// The facts of `a` that `b` lacks, one a line.
std::string OnlyIn(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> diff;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(diff));
  std::string out;
  for (const std::string& fact : diff) out += fact + "\n";
  return out;
}

// The raw CREATE statements, as SQLite keeps them.
std::vector<std::string> RawSql(SQLite::Database& db) {
  std::vector<std::string> out;
  SQLite::Statement q(db,
                      "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') "
                      "FROM sqlite_master ORDER BY type, name");
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

class SchemaTest : public ::testing::Test {
 protected:
  // A path of its own for each database of a test, none there yet.
  std::string NewPath(const std::string& name) {
    std::string path = ::testing::TempDir() + "/schema_" +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
                       name + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    return path;
  }

  // The facts of a database migrated from version 0 to `version`, one
  // migration at a time (the path of an old installation).
  std::vector<std::string> MigratedFacts(int version) {
    SQLite::Database db(NewPath("migrated"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    MigrateTo(db, version);
    return SchemaFacts(db);
  }

  std::vector<std::string> FreshFacts() {
    SQLite::Database db(NewPath("fresh"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    CreateLatestSchema(db);
    return SchemaFacts(db);
  }
};

TEST_F(SchemaTest, AFreshInstallHasTheSchemaTheMigrationsMake) {
  std::vector<std::string> migrated = MigratedFacts(Store::LatestVersion());
  std::vector<std::string> fresh = FreshFacts();
  EXPECT_EQ(OnlyIn(migrated, fresh), "")
      << "what the migrations make and store/schema.sql does not (update schema.sql)";
  EXPECT_EQ(OnlyIn(fresh, migrated), "")
      << "what store/schema.sql makes and the migrations do not (update schema.sql)";
  EXPECT_NE(std::find(fresh.begin(), fresh.end(),
                      Fact({"version", std::to_string(Store::LatestVersion())})),
            fresh.end());
  // The comparison sees what it should: the schema of one version earlier
  // differs.
  EXPECT_NE(OnlyIn(fresh, MigratedFacts(Store::LatestVersion() - 1)), "");
}

TEST_F(SchemaTest, TheNormalizedSqlIgnoresOnlyCommentsAndLayout) {
  EXPECT_EQ(NormalizedSql("CREATE TABLE t (\n  a  TEXT,  -- a note\n  b INT\n) STRICT"),
            "CREATE TABLE t(a TEXT,b INT)STRICT");
  EXPECT_EQ(NormalizedSql("CHECK (x IN ('a  b', 'it''s -- no comment'))"),
            "CHECK(x IN('a  b','it''s -- no comment'))");
  EXPECT_NE(NormalizedSql("a TEXT NOT NULL"), NormalizedSql("a TEXT"));
}

TEST_F(SchemaTest, StoreCreatesANewDatabaseFromTheFullSchemaInOneStep) {
  std::string path = NewPath("store");
  {
    Store store(path);
    EXPECT_EQ(store.SchemaVersion(), Store::LatestVersion());
  }
  SQLite::Database opened(path, SQLite::OPEN_READWRITE);
  SQLite::Database fresh(NewPath("fresh"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  CreateLatestSchema(fresh);
  // The statements as written in schema.sql, not as the migrations' ALTER
  // TABLEs left them: Store took the one-step path.
  EXPECT_EQ(RawSql(opened), RawSql(fresh));
}

TEST_F(SchemaTest, StoreMigratesADatabaseOfEveryEarlierVersionStepByStep) {
  std::vector<std::string> fresh = FreshFacts();
  for (int version = 1; version < Store::LatestVersion(); ++version) {
    SCOPED_TRACE("from version " + std::to_string(version));
    std::string path = NewPath("v" + std::to_string(version));
    {
      SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      MigrateTo(db, version);
    }
    {
      Store store(path);
      EXPECT_EQ(store.SchemaVersion(), Store::LatestVersion());
    }
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    std::vector<std::string> migrated = SchemaFacts(db);
    EXPECT_EQ(OnlyIn(migrated, fresh), "");
    EXPECT_EQ(OnlyIn(fresh, migrated), "");
    if (HasFailure()) break;  // one version's report says it
  }
}

TEST_F(SchemaTest, AnOldDatabaseKeepsWhatItHoldsThroughTheMigrations) {
  std::string path = NewPath("old");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    MigrateTo(db, 1);
    db.exec(
        "INSERT INTO persons(id, name, org, first_seen) "
        "VALUES ('p1', 'Anna Berg', 'gislaved', '2026-11-23T10:00:00.000Z');"
        "INSERT INTO sessions(person_id, lang, pending, updated_at) "
        "VALUES ('p1', 'en', '', '2026-11-23T10:00:00.000Z');"
        "INSERT INTO messages(at, person_id, channel, direction, text) "
        "VALUES ('2026-11-23T10:00:00.000Z', 'p1', 'webchat', 'in', 'hej');");
  }
  Store store(path);
  Transaction tx(store);
  // 0007 took the language from the session to the person.
  EXPECT_EQ(tx.ChosenLanguage("p1"), Lang::kEn);
  auto messages = tx.Messages("p1", 0, 10);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].text, "hej");
  EXPECT_EQ(messages[0].seq, messages[0].id);  // 0002 numbered the feed
  EXPECT_EQ(messages[0].marker, "");           // 0010: older messages keep ''
  EXPECT_EQ(tx.LandingMovedThrough(), 0);      // 0006's row
}

// 0011 rebuilds accounts, tasks and task_messages (a CHECK cannot change
// in place) under Store's foreign keys: every row and link survives, an
// active account is listed, and the register's changes in the audit trail
// become its history.
TEST_F(SchemaTest, TheRegistersStatesMigrationKeepsTasksTheirMessagesAndAccounts) {
  std::string path = NewPath("v10");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    MigrateTo(db, 10);
    const char* at = "'2026-11-23T10:00:00.000Z'";
    db.exec(std::string("INSERT INTO persons(id, name, org, first_seen) VALUES "
                        "('p1', 'Anna Berg', 'gislaved', ") +
            at +
            ");"
            "INSERT INTO drafts VALUES (1, 'p1', 'gislaved', 'gislaved', 1, 'submitted', '{}', " +
            at + ", " + at +
            ");"
            "INSERT INTO registrations(id, person_id, org, template_id, template_version, "
            "answers, status, submitted_at) VALUES (1, 'p1', 'gislaved', 'gislaved', 1, '{}', "
            "'approved', " +
            at +
            ");"
            "INSERT INTO messages(id, at, person_id, channel, direction, text) VALUES (5, " +
            at +
            ", 'p1', 'webchat', 'out', 'Att göra');"
            "INSERT INTO tasks(id, registration_id, round, kind, step_id, stage, assignee, "
            "status, created_at) VALUES (3, 1, 1, 'startup', 'skapa', 0, 'p1', 'open', " +
            at +
            ");"
            "INSERT INTO task_messages VALUES (3, 5);"
            "INSERT INTO accounts VALUES (1, 'gislaved', 'Facebook', 'https://fb.example', "
            "'Fritid', 'Nå unga', '[]', '[]', 'active', " +
            at +
            ");"
            "INSERT INTO audit(at, actor, action, subject) VALUES (" +
            at + ", 'kontobot', 'register.added', 'registration:1');");
  }
  Store store(path);
  Transaction tx(store);
  auto task = tx.LoadTask(3);
  ASSERT_TRUE(task);
  EXPECT_EQ(task->step_id, "skapa");
  EXPECT_TRUE(tx.MessageCarriesTask(5, 3));
  auto account = tx.LoadAccount(1);
  ASSERT_TRUE(account);
  EXPECT_EQ(account->status, kAccountListed);
  EXPECT_TRUE(account->listed_at);
  EXPECT_EQ(tx.Accounts().size(), 1u) << "a listed account is public";
  auto history = tx.AccountHistory();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].event, "register.added");
  EXPECT_EQ(history[0].registration_id, 1);
}

TEST_F(SchemaTest, MigrateToGoesOnlyForward) {
  SQLite::Database db(NewPath("db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  EXPECT_THROW(MigrateTo(db, Store::LatestVersion() + 1), std::invalid_argument);
  MigrateTo(db, 3);
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), 3);
  EXPECT_THROW(MigrateTo(db, 2), std::runtime_error);
  EXPECT_THROW(CreateLatestSchema(db), std::logic_error);
}

// A migration file left out of CMakeLists.txt's kontobot_embed would never
// run, and this test file would not see it either.
TEST_F(SchemaTest, EveryMigrationFileIsCompiledIn) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(KONTOBOT_SOURCE_DIR) +
                                                               "/store/migrations")) {
    if (entry.path().extension() == ".sql") ++files;
  }
  EXPECT_EQ(files, Store::LatestVersion());
}

}  // namespace
}  // namespace kontobot::store
