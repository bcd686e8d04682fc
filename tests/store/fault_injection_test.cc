// Strategy (after leveldb's fault_injection_test and SQLite's anomaly
// tests): the real bot - the composition root's App, with its HTTP server,
// web chat, conversation service and store - runs inside the test process
// on a loopback port, its database opened through FaultyVfs
// (tests/store/faulty_vfs.h), which fails SQLite's file operations on
// command. Three steps are put under fault: an answer in the middle of the
// form, the submission (the largest write: registration, tasks, messages to
// the approvers) and an approver's decision.
//
// Each step is first run without faults from a saved copy of the database,
// counting the writes, syncs and locks it makes and keeping its replies.
// Then, for each kind of error and each of those calls in turn, the saved
// copy is restored, the bot started, the fault armed at that call (and
// every later call of its kind), and the step sent:
//   - SQLITE_FULL at each write (a full disk), SQLITE_IOERR at each write
//     and each sync, SQLITE_BUSY at each lock (the busy handler gives up
//     without waiting: the VFS's sleep returns at once while armed);
//   - the answer must be a 5xx with a JSON error, so a platform retries;
//   - the database must hold exactly what it held before (every row of
//     every table compared, integrity and foreign keys checked): nothing
//     half-written;
//   - the same request sent again with the fault cleared must succeed with
//     the same replies as the run without faults, and leave as many rows in
//     each table: the conversation continues where it was.
#include <gtest/gtest.h>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "handlers/app.h"
#include "handlers/http_server.h"
#include "tests/e2e/bot_process.h"
#include "tests/store/faulty_vfs.h"

namespace kontobot::testing {
namespace {

using handlers::App;

// Every row of every table, as text, table by table and sorted: two
// databases with the same content give the same snapshot.
std::map<std::string, std::multiset<std::string>> Snapshot(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  std::vector<std::string> tables;
  SQLite::Statement list(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  while (list.executeStep()) tables.push_back(list.getColumn(0).getString());
  std::map<std::string, std::multiset<std::string>> out;
  for (const std::string& table : tables) {
    SQLite::Statement rows(db, "SELECT * FROM \"" + table + "\"");
    auto& set = out[table];
    while (rows.executeStep()) {
      std::string row;
      for (int i = 0; i < rows.getColumnCount(); ++i) {
        row += rows.getColumn(i).isNull() ? "NULL" : rows.getColumn(i).getString();
        row += '\x1f';
      }
      set.insert(row);
    }
  }
  return out;
}

std::map<std::string, size_t> RowCounts(const std::string& path) {
  std::map<std::string, size_t> out;
  for (const auto& [table, rows] : Snapshot(path)) out[table] = rows.size();
  return out;
}

// "ok" when SQLite finds the file sound and no foreign key dangles.
std::string Integrity(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  std::string check = db.execAndGet("PRAGMA integrity_check").getString();
  SQLite::Statement fk(db, "PRAGMA foreign_key_check");
  if (fk.executeStep()) check += "; dangling reference in " + fk.getColumn(0).getString();
  return check;
}

void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-inbound", "-inbound-wal", "-inbound-shm"})
    std::filesystem::remove(path + suffix);
}

// One in-process bot on a fresh loopback port, its database opened through
// the faulty VFS.
class InProcessBot : public LoopbackClient {
 public:
  explicit InProcessBot(const std::string& db) : LoopbackClient(FreePort()) {
    static const bool kPoolSized = [] {
      handlers::InitializeThreadPool(2);  // before any cpprestsdk object
      return true;
    }();
    (void)kPoolSized;
    FaultyVfs::Instance();
    config::Options o;
    o.command = "serve";
    o.listen_port = static_cast<uint16_t>(port_);
    o.db = db;
    o.templates = std::string(KONTOBOT_SOURCE_DIR) + "/config/templates";
    o.messages = std::string(KONTOBOT_SOURCE_DIR) + "/config/messages";
    o.directory = std::string(KONTOBOT_SOURCE_DIR) + "/config/directory.yaml";
    o.threads = 2;
    // The 500s are expected; their log lines would only hide a real failure.
    auto log =
        std::make_shared<spdlog::logger>("fault", std::make_shared<spdlog::sinks::null_sink_mt>());
    // No reminder scheduler: its queries would take some of the locks
    // counted here (the request's own timers are still written).
    // A port can be taken between FreePort() and the bind: try another.
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (attempt > 0) port_ = FreePort();
      o.listen_port = static_cast<uint16_t>(port_);
      app_ = App::Create(o, log, App::TestSettings{kFaultyVfsName, false});
      if (!app_) return;
      try {
        app_->Start();
        return;
      } catch (const std::exception& e) {
        if (attempt == 2) ADD_FAILURE() << e.what();
        app_.reset();
      }
    }
  }
  ~InProcessBot() {
    FaultyVfs::Instance().Clear();  // closing the store checkpoints: let it write
    if (app_) app_->Stop(std::chrono::seconds(10));
  }
  bool started() const { return app_ != nullptr; }

 private:
  std::unique_ptr<App> app_;
};

json Feed(LoopbackClient& bot, const std::string& person) {
  return bot.Get("/api/messages?person=" + person + "&after=0").body["messages"];
}

// One request of the conversation, sent as is each time.
struct Step {
  std::string name;
  json body;  // POST /api/messages
};

// The texts and buttons of the messages a step answered with: what the
// person sees (ids and times differ from run to run).
std::string Visible(const json& response) {
  std::string out;
  for (const auto& m : response["messages"]) {
    out += m.value("direction", "") + ": " + m.value("text", "") + " [";
    for (const auto& b : m["buttons"]) out += b.value("label", "") + ";";
    out += "]\n";
  }
  return out;
}

struct Fault {
  const char* name;
  FaultOp op;
  int rc;
};
constexpr std::array<Fault, 4> kFaults = {
    {{"SQLITE_FULL at write", FaultOp::kWrite, SQLITE_FULL},
     {"SQLITE_IOERR at write", FaultOp::kWrite, SQLITE_IOERR_WRITE},
     {"SQLITE_IOERR at sync", FaultOp::kSync, SQLITE_IOERR_FSYNC},
     {"SQLITE_BUSY at lock", FaultOp::kLock, SQLITE_BUSY}}};

class FaultInjection : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/fault_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `prepare` on a fresh database and keeps the result as `saved`.
  void Prepare(const std::function<void(LoopbackClient&)>& prepare) {
    std::string work = dir_ + "/prepare.db";
    RemoveDb(work);
    {
      InProcessBot bot(work);
      ASSERT_TRUE(bot.started());
      prepare(bot);
    }
    saved_ = dir_ + "/saved.db";
    RemoveDb(saved_);
    std::filesystem::copy_file(work, saved_);  // closed: the WAL was checkpointed and removed
  }

  // Copies the saved database to a fresh file and returns its path.
  std::string Restore() {
    std::string path = dir_ + "/run.db";
    RemoveDb(path);
    std::filesystem::copy_file(saved_, path);
    return path;
  }

  // Puts `step` under every fault at every call of its kind; returns how
  // many faults were injected in all.
  int Check(const Step& step) {
    // The run without faults: what the step writes and answers.
    std::string expected_reply;
    std::map<std::string, size_t> expected_counts;
    std::array<int, 3> calls{};
    {
      std::string path = Restore();
      InProcessBot bot(path);
      EXPECT_TRUE(bot.started());
      FaultyVfs::Instance().Count();
      auto r = bot.Post("/api/messages", step.body);
      for (FaultOp op : {FaultOp::kWrite, FaultOp::kSync, FaultOp::kLock})
        calls[static_cast<size_t>(op)] = FaultyVfs::Instance().Calls(op);
      EXPECT_EQ(r.status, 200) << step.name << ": " << r.raw;
      expected_reply = Visible(r.body);
      expected_counts = RowCounts(path);
    }
    EXPECT_GT(calls[static_cast<size_t>(FaultOp::kWrite)], 0) << step.name << " wrote nothing";
    EXPECT_GT(calls[static_cast<size_t>(FaultOp::kLock)], 0) << step.name << " took no lock";
    const auto before = Snapshot(Restore());

    int injected = 0;
    for (const Fault& fault : kFaults) {
      for (int n = 1; n <= calls[static_cast<size_t>(fault.op)]; ++n) {
        SCOPED_TRACE(step.name + ", " + fault.name + " #" + std::to_string(n));
        std::string path = Restore();
        InProcessBot bot(path);
        if (!bot.started()) {
          ADD_FAILURE() << "the bot did not start";
          return injected;
        }
        FaultyVfs::Instance().Arm(fault.op, n, fault.rc);
        auto failed = bot.Post("/api/messages", step.body);
        int hit = FaultyVfs::Instance().Injected();
        FaultyVfs::Instance().Clear();
        injected += hit;
        if (hit == 0) continue;  // the step made fewer calls this time; nothing was failed
        EXPECT_GE(failed.status, 500) << failed.raw;
        EXPECT_TRUE(failed.body.is_object() && failed.body.contains("error") &&
                    failed.body["error"].contains("code"))
            << failed.raw;
        EXPECT_EQ(Snapshot(path), before) << "a failed step left something behind";
        EXPECT_EQ(Integrity(path), "ok");

        auto retried = bot.Post("/api/messages", step.body);
        EXPECT_EQ(retried.status, 200) << retried.raw;
        EXPECT_EQ(Visible(retried.body), expected_reply);
        EXPECT_EQ(RowCounts(path), expected_counts);
      }
    }
    // For the record (and the README): how much of the step was covered.
    std::printf("%s: %d writes, %d syncs, %d locks put under fault; %d faults injected\n",
                step.name.c_str(), calls[0], calls[1], calls[2], injected);
    return injected;
  }

  std::string dir_;
  std::string saved_;
};

// Gis-anna's form, answered up to its third question.
void StartForm(LoopbackClient& bot) {
  bot.Say("gis-anna", "ny");
  for (int i = 0; i < 2; ++i) bot.Say("gis-anna", AnswerTo(Feed(bot, "gis-anna").back()));
}

void FillInForm(LoopbackClient& bot) {
  bot.Say("gis-anna", "ny");
  for (int i = 0; i < 60; ++i) {
    json last = Feed(bot, "gis-anna").back();
    if (last["input"].empty()) return;
    bot.Say("gis-anna", AnswerTo(last));
  }
  ADD_FAILURE() << "the form did not end";
}

TEST_F(FaultInjection, AnAnswerThatCannotBeStoredFailsCleanlyAndCanBeSentAgain) {
  Prepare(StartForm);
  json last;
  {
    std::string path = Restore();
    InProcessBot bot(path);
    last = Feed(bot, "gis-anna").back();
  }
  ASSERT_FALSE(last["input"].empty()) << "the form should be asking a question";
  int injected = Check({"answer", {{"person", "gis-anna"}, {"text", AnswerTo(last)}}});
  EXPECT_GT(injected, 0);
}

TEST_F(FaultInjection, ASubmissionThatCannotBeStoredFailsCleanlyAndCanBeSentAgain) {
  Prepare(FillInForm);
  int injected = Check({"submission", {{"person", "gis-anna"}, {"text", "skicka"}}});
  EXPECT_GT(injected, 0);
}

TEST_F(FaultInjection, AnApprovalThatCannotBeStoredFailsCleanlyAndCanBeSentAgain) {
  json press;
  Prepare([&press](LoopbackClient& bot) {
    FillInForm(bot);
    auto submitted = bot.Say("gis-anna", "skicka");
    ASSERT_NE(Texts(submitted).find("är inskickad"), std::string::npos) << Texts(submitted);
    json feed = Feed(bot, "gis-per");
    for (auto m = feed.rbegin(); m != feed.rend() && press.is_null(); ++m) {
      for (const auto& b : (*m)["buttons"]) {
        if (b["id"] == "approve") {
          press = {{"person", "gis-per"},
                   {"message_id", (*m)["id"]},
                   {"action", {{"id", b["id"]}, {"value", b["value"]}}}};
        }
      }
    }
  });
  ASSERT_FALSE(press.is_null()) << "gis-per got no approval request";
  int injected = Check({"approval", press});
  EXPECT_GT(injected, 0);
}

// Bug: the worker's savepoints spilled their undo pages to a temporary file
// (SQLite's default temp_store), created, written and deleted every batch;
// that was a third of the time processing took under load.
TEST(StoreFiles, SavepointsKeepTheirUndoPagesInMemory) {
  std::string path = ::testing::TempDir() + "savepoint_undo.db";
  std::filesystem::remove(path);
  FaultyVfs& vfs = FaultyVfs::Instance();  // registers it
  store::Store store(path, kFaultyVfsName);
  // A table of some fifty pages, all rewritten inside each of three
  // savepoints: far more than SQLite keeps in memory before it spills a
  // sub-journal to a file (64 KiB). This file's fault-injection strategy
  // above does not apply here; the test only needs the VFS's counters.
  store.db().exec("CREATE TABLE t(x TEXT NOT NULL)");
  {
    store::Transaction tx(store);
    store.db().exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
        "INSERT INTO t SELECT printf('%.1000c', 'a') FROM n");
    tx.Commit();
  }
  vfs.Count();
  {
    store::Transaction tx(store);
    for (int round = 0; round < 3; ++round) {
      tx.Savepoint();
      store.db().exec("UPDATE t SET x = x || 'b'");
      tx.ReleaseSavepoint();
    }
    tx.Commit();
  }
  EXPECT_EQ(vfs.TempFilesOpened(), 0);
  EXPECT_GT(vfs.Calls(FaultOp::kWrite), 50);  // the pages were written
  EXPECT_EQ(store.db().execAndGet("SELECT count(*) FROM t WHERE length(x) = 1003").getInt(), 200);
}

}  // namespace
}  // namespace kontobot::testing
