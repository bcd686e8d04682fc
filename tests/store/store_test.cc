// Strategy: real SQLite files in a temporary directory, no mocks. Check the
// migrations, round trips of every repository, that the record is
// append-only, that an uncommitted transaction leaves nothing, and that
// committed data survives reopening.
#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <thread>
#include <vector>

#include "store/clock_format.h"

namespace kontobot::store {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  std::string Path() {
    return ::testing::TempDir() + "/store_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
  }
  void SetUp() override {
    std::filesystem::remove(Path());
    std::filesystem::remove(Path() + "-wal");
    std::filesystem::remove(Path() + "-shm");
  }
  Person person_ = [] {
    Person p;
    p.id = "p1";
    p.name = "Anna Berg";
    p.org = "gislaved";
    return p;
  }();
  TimePoint now_ = std::chrono::system_clock::from_time_t(1795428000);
};

TEST_F(StoreTest, MigratesToLatestAndIsIdempotent) {
  {
    Store s(Path());
    EXPECT_EQ(s.SchemaVersion(), Store::LatestVersion());
  }
  Store again(Path());
  EXPECT_EQ(again.SchemaVersion(), Store::LatestVersion());
  EXPECT_EQ(again.db().execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(again.db().execAndGet("PRAGMA foreign_keys").getInt(), 1);
}

TEST_F(StoreTest, RefusesDatabaseFromTheFuture) {
  {
    Store s(Path());
    s.db().exec("PRAGMA user_version = 999");
  }
  EXPECT_THROW(Store s(Path()), std::runtime_error);
}

TEST_F(StoreTest, DraftAndSessionRoundTrip) {
  Store s(Path());
  {
    Transaction tx(s);
    tx.UpsertPerson(person_, now_);
    Draft d;
    d.id = tx.NextDraftId();
    d.person_id = "p1";
    d.template_id = "gislaved";
    d.template_version = 1;
    d.answers["medium"] = {{"value", "facebook"}};
    d.cursor = "url";
    d.created = d.updated = now_;
    tx.SaveDraft(d, "gislaved");
    tx.SaveSession("p1", {Lang::kEn, d.id, ""}, now_);
    tx.Commit();
  }
  Transaction tx(s);
  auto drafts = tx.OpenDrafts("p1");
  ASSERT_EQ(drafts.size(), 1u);
  EXPECT_EQ(drafts[0].answers["medium"]["value"], "facebook");
  EXPECT_EQ(drafts[0].cursor, "url");
  EXPECT_EQ(drafts[0].created, now_);
  Session session = tx.LoadSession(person_);
  EXPECT_EQ(session.lang, Lang::kEn);
  EXPECT_EQ(session.active_draft, drafts[0].id);
}

TEST_F(StoreTest, UncommittedTransactionLeavesNothing) {
  Store s(Path());
  {
    Transaction tx(s);
    tx.UpsertPerson(person_, now_);
    tx.AppendAudit(now_, "p1", "x", "y", {});
  }
  Transaction tx(s);
  EXPECT_EQ(tx.CountAudit("x"), 0);
}

TEST_F(StoreTest, AuditAndMessagesAreAppendOnly) {
  Store s(Path());
  {
    Transaction tx(s);
    tx.UpsertPerson(person_, now_);
    tx.AppendAudit(now_, "p1", "draft.created", "draft:1", {{"a", 1}});
    StoredMessage m;
    m.at = now_;
    m.person_id = "p1";
    m.channel = "webchat";
    m.direction = "in";
    m.text = "hej";
    tx.AppendMessage(m);
    tx.Commit();
  }
  EXPECT_THROW(s.db().exec("UPDATE audit SET action = 'forged'"), SQLite::Exception);
  EXPECT_THROW(s.db().exec("DELETE FROM audit"), SQLite::Exception);
  EXPECT_THROW(s.db().exec("DELETE FROM messages"), SQLite::Exception);
}

TEST_F(StoreTest, MessagesComeBackInOrderWithButtons) {
  Store s(Path());
  {
    Transaction tx(s);
    tx.UpsertPerson(person_, now_);
    for (int i = 0; i < 3; ++i) {
      StoredMessage m;
      m.at = now_;
      m.person_id = "p1";
      m.channel = "webchat";
      m.direction = i % 2 ? "out" : "in";
      m.text = "m" + std::to_string(i);
      m.buttons = {{"ack", "think", "Jag har tagit del", "primary"}};
      tx.AppendMessage(m);
    }
    tx.Commit();
  }
  Transaction tx(s);
  auto all = tx.Messages("p1", 0, 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].text, "m2");
  EXPECT_EQ(all[1].buttons[0].label, "Jag har tagit del");
  EXPECT_EQ(tx.Messages("p1", all[1].seq, 10).size(), 1u);
}

TEST_F(StoreTest, EditedMessageMovesToTheEndOfTheFeedAndKeepsItsOldTextInTheAudit) {
  Store s(Path());
  Transaction tx(s);
  tx.UpsertPerson(person_, now_);
  StoredMessage m;
  m.at = now_;
  m.person_id = "p1";
  m.channel = "webchat";
  m.direction = "out";
  m.text = "Godkänn?";
  m.buttons = {{"approve", "task:1", "Godkänn", "primary"}};
  int64_t first = tx.AppendMessage(m);
  m.text = "later";
  m.buttons.clear();
  tx.AppendMessage(m);
  int64_t cursor = tx.FeedCursor("p1");
  tx.EditMessage(first, {"Godkänd av Per", {}}, now_);
  auto after = tx.Messages("p1", cursor, 10);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, first);
  EXPECT_EQ(after[0].text, "Godkänd av Per");
  EXPECT_TRUE(after[0].buttons.empty());
  EXPECT_TRUE(after[0].edited_at.has_value());
  EXPECT_EQ(tx.CountAudit("message.edited"), 1);
  EXPECT_THROW(s.db().exec("UPDATE messages SET person_id = 'x'"), SQLite::Exception);
}

TEST_F(StoreTest, CommittedDataSurvivesReopen) {
  {
    Store s(Path());
    Transaction tx(s);
    tx.UpsertPerson(person_, now_);
    tx.AppendAudit(now_, "p1", "kept", "x", {});
    tx.Commit();
  }
  Store s(Path());
  Transaction tx(s);
  EXPECT_EQ(tx.CountAudit("kept"), 1);
}

TEST_F(StoreTest, MatrixTransactionsAreRememberedForAWeek) {
  Store s(Path());
  {
    Transaction tx(s);
    EXPECT_FALSE(tx.MatrixTransactionDigest("t1"));
    tx.RecordMatrixTransaction("t1", "aaaa", now_);
    tx.Commit();
  }
  {
    Transaction tx(s);
    EXPECT_EQ(tx.MatrixTransactionDigest("t1"), "aaaa");
    tx.RecordMatrixTransaction("t2", "bbbb", now_ + std::chrono::hours(24 * 7 - 1));
    EXPECT_EQ(tx.MatrixTransactionDigest("t1"), "aaaa") << "not yet a week";
    tx.RecordMatrixTransaction("t3", "cccc", now_ + std::chrono::hours(24 * 7 + 1));
    EXPECT_FALSE(tx.MatrixTransactionDigest("t1")) << "forgotten after a week";
    EXPECT_EQ(tx.MatrixTransactionDigest("t2"), "bbbb");
    tx.Commit();
  }
}

// Group commit under contention (and, in scripts/test.sh, under
// ThreadSanitizer): transactions from many threads at once are serialized,
// each Commit() returns only after its sync, and none is lost.
TEST_F(StoreTest, ConcurrentCommitsAreSerializedAndNoneIsLost) {
  Store s(Path());
  {
    Transaction tx(s);
    tx.UpsertPerson(person_, now_);
    tx.Commit();
  }
  constexpr int kThreads = 8;
  constexpr int kCommitsEach = 25;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&s, this, t] {
      for (int i = 0; i < kCommitsEach; ++i) {
        Transaction tx(s);
        StoredMessage m;
        m.at = now_;
        m.person_id = "p1";
        m.channel = "webchat";
        m.direction = "in";
        m.text = std::to_string(t) + "/" + std::to_string(i);
        tx.AppendMessage(m);
        tx.Commit();
      }
    });
  }
  for (auto& t : threads) t.join();
  Transaction tx(s);
  auto messages = tx.Messages("p1", 0, kThreads * kCommitsEach + 1);
  ASSERT_EQ(messages.size(), static_cast<size_t>(kThreads * kCommitsEach));
  for (size_t i = 1; i < messages.size(); ++i) {
    EXPECT_LT(messages[i - 1].seq, messages[i].seq) << "feed positions are unique and ordered";
  }
}

// Bug: every new message looked up MAX(seq) by scanning the whole messages
// table, so each turn got slower as the record grew (found by the Slack
// benchmark: 900 events/s fell to 200 within a minute).
TEST_F(StoreTest, NextFeedPositionIsFoundThroughAnIndex) {
  Store s(Path());
  std::string plan;
  SQLite::Statement q(s.db(), "EXPLAIN QUERY PLAN SELECT COALESCE(MAX(seq), 0) + 1 FROM messages");
  while (q.executeStep()) plan += q.getColumn(3).getString() + "\n";
  EXPECT_NE(plan.find("INDEX messages_by_seq"), std::string::npos) << plan;
}

// Bug: every message sent to a person looked up the channel they last
// wrote from by walking back over every message sent to them, so an
// administrator told of each public comment, who never writes to kontobot,
// made each notice cost as much as all the earlier ones (found by
// bench/inbox_events.sh: 65 comments processed a second after 60,000).
TEST_F(StoreTest, LastInboundMessageIsFoundThroughAnIndexOfInboundMessages) {
  Store s(Path());
  std::string plan;
  SQLite::Statement q(s.db(),
                      "EXPLAIN QUERY PLAN SELECT channel FROM messages WHERE person_id = 'p' "
                      "AND direction = 'in' ORDER BY id DESC LIMIT 1");
  while (q.executeStep()) plan += q.getColumn(3).getString() + "\n";
  EXPECT_NE(plan.find("INDEX messages_in_by_person"), std::string::npos) << plan;
}

TEST(ClockFormat, RoundTripsMilliseconds) {
  TimePoint t = std::chrono::system_clock::from_time_t(1795428000) + std::chrono::milliseconds(123);
  EXPECT_EQ(FormatUtc(t), "2026-11-23T10:00:00.123Z");
  EXPECT_EQ(ParseUtc(FormatUtc(t)), t);
  EXPECT_FALSE(ParseUtc("yesterday"));
}

Timer MakeTimer(const std::string& subject, const std::string& person, TimePoint due) {
  Timer t;
  t.kind = "approval";
  t.subject = subject;
  t.person = person;
  t.org = "gislaved";
  t.since = due - std::chrono::hours(24);
  t.due = due;
  t.detail = {{"nudges", 0}};
  return t;
}

TEST_F(StoreTest, TimersAreFoundWhenDueEarliestFirstAndCloseOnce) {
  using std::chrono::minutes;
  Store store(Path());
  {
    Transaction tx(store);
    tx.InsertTimer(MakeTimer("task:2", "p2", now_ + minutes(20)), now_);
    tx.InsertTimer(MakeTimer("task:1", "p1", now_ + minutes(10)), now_);
    tx.InsertTimer(MakeTimer("task:3", "p1", now_ + minutes(30)), now_);
    tx.Commit();
  }
  Transaction tx(store);
  EXPECT_EQ(tx.NextTimerDue(), now_ + minutes(10));
  EXPECT_TRUE(tx.DueTimers(now_, 10).empty());
  auto due = tx.DueTimers(now_ + minutes(20), 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].subject, "task:1");
  EXPECT_EQ(due[1].subject, "task:2");
  EXPECT_EQ(due[0].detail["nudges"], 0);
  EXPECT_EQ(tx.DueTimers(now_ + minutes(30), 1).size(), 1u);

  // A row closes once: a second close (a replayed firing) changes nothing.
  EXPECT_TRUE(tx.CloseTimer(due[0].id, "fired", now_));
  EXPECT_FALSE(tx.CloseTimer(due[0].id, "fired", now_));
  EXPECT_EQ(tx.LoadTimer(due[0].id)->state, "fired");
  EXPECT_EQ(tx.NextTimerDue(), now_ + minutes(20));

  // Cancelling a wait closes its open row; the person's list shrinks.
  EXPECT_EQ(tx.OpenTimersOf("p1").size(), 1u);
  EXPECT_EQ(tx.CancelTimers("task:3", now_), 1);
  EXPECT_EQ(tx.CancelTimers("task:3", now_), 0);
  EXPECT_TRUE(tx.OpenTimersOf("p1").empty());
  EXPECT_FALSE(tx.OpenTimer("task:3"));

  // Deferral and snooze rewrite the open row in place.
  Timer t = *tx.OpenTimer("task:2");
  t.due = now_ + minutes(90);
  t.detail["snoozed_until"] = "2026-11-30";
  tx.UpdateTimer(t);
  EXPECT_EQ(tx.OpenTimer("task:2")->due, now_ + minutes(90));
  EXPECT_EQ(tx.OpenTimersOfOrg("gislaved").size(), 1u);
  EXPECT_EQ(tx.CountTimers("open"), 1);
  EXPECT_EQ(tx.CountTimers("cancelled"), 1);
}

TEST_F(StoreTest, TimersSurviveReopeningAndRollBackWithTheirTransaction) {
  {
    Store store(Path());
    Transaction tx(store);
    tx.InsertTimer(MakeTimer("task:1", "p1", now_), now_);
    tx.Commit();
  }
  {
    Store store(Path());
    Transaction tx(store);
    tx.InsertTimer(MakeTimer("task:2", "p1", now_), now_);
    // not committed
  }
  Store store(Path());
  Transaction tx(store);
  auto due = tx.DueTimers(now_, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].subject, "task:1");
  EXPECT_EQ(due[0].since, now_ - std::chrono::hours(24));
}

TEST_F(StoreTest, TheSchedulersQueryUsesTheDueIndex) {
  Store store(Path());
  SQLite::Statement q(store.db(),
                      "EXPLAIN QUERY PLAN SELECT id FROM timers WHERE state = 'open' AND "
                      "due_at <= '2026' ORDER BY due_at, id LIMIT 200");
  std::string plan;
  while (q.executeStep()) plan += q.getColumn(3).getString() + "\n";
  EXPECT_NE(plan.find("timers_due"), std::string::npos) << plan;
}

OutboxItem Item(const std::string& platform, const std::string& lane) {
  OutboxItem i;
  i.platform = platform;
  i.kind = "raw_post";
  i.lane = lane;
  return i;
}

std::vector<int64_t> Ids(const std::vector<OutboxItem>& items) {
  std::vector<int64_t> out(items.size());
  std::transform(items.begin(), items.end(), out.begin(), [](const OutboxItem& i) { return i.id; });
  return out;
}

TEST_F(StoreTest, TheOutboxHandsOutEachLanesOldestPendingItemInOrder) {
  Store store(Path());
  Transaction tx(store);
  // ids 1..6: lanes a, b, a, c (matrix), b, a
  tx.Enqueue(Item("slack", "a"), now_);
  tx.Enqueue(Item("slack", "b"), now_);
  tx.Enqueue(Item("slack", "a"), now_);
  tx.Enqueue(Item("matrix", "c"), now_);
  tx.Enqueue(Item("slack", "b"), now_);
  tx.Enqueue(Item("slack", "a"), now_);
  EXPECT_EQ(Ids(tx.DueOutbox(now_, 10)), (std::vector<int64_t>{1, 2, 4}));
  EXPECT_EQ(Ids(tx.DueOutbox(now_, 2)), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(tx.OutboxHeads("slack"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(tx.OutboxHeads("matrix"), (std::vector<int64_t>{4}));
  EXPECT_EQ(tx.NextOutboxDue(), now_);

  tx.MarkSent(1, now_);
  tx.MarkFailed(4, "channel_not_found");
  EXPECT_EQ(Ids(tx.DueOutbox(now_, 10)), (std::vector<int64_t>{2, 3}));
  // A head waiting out a retry holds its lane back, and the time to wake is
  // the head's, not the earlier next_at of the items behind it.
  tx.Reschedule(2, now_ + std::chrono::seconds(30), "ratelimited");
  tx.Reschedule(3, now_ + std::chrono::seconds(60), "ratelimited");
  EXPECT_TRUE(tx.DueOutbox(now_, 10).empty());
  EXPECT_EQ(tx.NextOutboxDue(), now_ + std::chrono::seconds(30));
  EXPECT_EQ(Ids(tx.DueOutbox(now_ + std::chrono::seconds(30), 10)), (std::vector<int64_t>{2}));
  tx.MarkSent(2, now_);
  tx.MarkSent(3, now_);
  EXPECT_EQ(Ids(tx.DueOutbox(now_, 10)), (std::vector<int64_t>{5, 6}));
  EXPECT_EQ(tx.OutboxHeads("matrix"), std::vector<int64_t>{});
}

// Bug: finding the lanes' heads read every pending row (MIN(id) GROUP BY),
// 100 ms per call under the store's lock with 90,000 posts queued, so a
// backlog slowed the sender, the worker and the acknowledgements.
TEST_F(StoreTest, FindingTheOutboxHeadsCostsTheSameWithABacklog) {
  Store store(Path());
  auto steps = [&](int queued) {
    Transaction tx(store);
    for (int i = 0; i < queued; ++i)
      tx.Enqueue(Item("slack", "lane" + std::to_string(i % 4)), now_);
    int ops = 0;  // SQLite VM instructions, in units of 100
    sqlite3_progress_handler(
        store.db().getHandle(), 100,
        [](void* n) {
          ++*static_cast<int*>(n);
          return 0;
        },
        &ops);
    EXPECT_EQ(tx.DueOutbox(now_, 32).size(), 4u);
    tx.NextOutboxDue();
    sqlite3_progress_handler(store.db().getHandle(), 0, nullptr, nullptr);
    return ops;  // rolled back: the next call starts empty
  };
  int few = steps(40);
  int many = steps(20000);
  EXPECT_LE(many, few + 5) << "VM instructions/100 with 40 queued: " << few
                           << ", with 20,000: " << many;
}

}  // namespace
}  // namespace kontobot::store
