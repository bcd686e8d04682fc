// Strategy: the inbound queue on real SQLite files (the database and its
// landing file), with process functions that record what they see.
// Checked: an event is acknowledged only once it is stored, and without
// waiting for a transaction on the database; a repeated event id is
// acknowledged but processed once; events are processed in arrival order;
// a throwing event is kept as failed without undoing the rest of its batch;
// a parked event runs once released; what a stopped process left behind
// (queued, landed, or moved but still in the landing file) is processed
// once by the next; a lost landing file does not reuse ids already moved.
#include "app/inbound_queue.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include <spdlog/sinks/null_sink.h>

namespace kontobot::app {
namespace {

class FixedClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::from_time_t(1795428000); }
};

class InboundQueueTest : public ::testing::Test {
 protected:
  std::string Path() {
    return ::testing::TempDir() + "/inbound_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
  }
  void SetUp() override {
    for (const char* suffix : {"", "-wal", "-shm", "-inbound", "-inbound-wal", "-inbound-shm"})
      std::filesystem::remove(Path() + suffix);
    store_ = std::make_unique<store::Store>(Path());
  }
  // Submits and waits for the acknowledgement.
  bool Submit(InboundQueue& q, const std::string& id, const std::string& text) {
    std::promise<bool> acked;
    q.Submit("test", id, nlohmann::json{{"text", text}}.dump(),
             [&](bool stored) { acked.set_value(stored); });
    return acked.get_future().get();
  }
  template <typename Pred>
  bool Eventually(Pred pred) {
    for (int i = 0; i < 400 && !pred(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return pred();
  }
  int64_t Count(const std::string& sql) {
    store::Transaction tx(*store_);
    return store_->db().execAndGet(sql).getInt64();
  }
  int64_t CountLanded(const std::string& where = "1") {
    SQLite::Database landing(Path() + "-inbound", SQLite::OPEN_READONLY);
    return landing.execAndGet("SELECT COUNT(*) FROM landed WHERE " + where).getInt64();
  }
  // Nothing left to move out of the landing file or to process.
  bool Drained() {
    return Eventually([&] {
      return CountLanded("id > " +
                         std::to_string(Count("SELECT moved_through FROM inbound_landing"))) == 0 &&
             Count("SELECT COUNT(*) FROM inbound_queue WHERE waiting_for = ''") == 0;
    });
  }
  void Record(InboundQueue& q) {
    q.Handle("test", [&](store::Transaction&, const store::QueuedEvent& e) {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.push_back(nlohmann::json::parse(e.payload)["text"]);
      return Processed::kDone;
    });
  }

  FixedClock clock_;
  std::shared_ptr<spdlog::logger> log_ =
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  std::unique_ptr<store::Store> store_;
  std::mutex mu_;
  std::vector<std::string> seen_;
};

TEST_F(InboundQueueTest, AcknowledgesOnceStoredAndProcessesEachEventOnceInOrder) {
  InboundQueue q(*store_, clock_, log_);
  q.Handle("test", [&](store::Transaction& tx, const store::QueuedEvent& e) {
    tx.AppendAudit(clock_.Now(), "t", "processed", e.event_id, {});
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back(nlohmann::json::parse(e.payload)["text"]);
    return Processed::kDone;
  });
  q.Start();
  ASSERT_TRUE(Submit(q, "E1", "first"));
  // Moved rows leave the landing file only with the next batch landed.
  EXPECT_EQ(CountLanded("event_id = 'E1'"), 1) << "stored before the acknowledgement";
  ASSERT_TRUE(Submit(q, "E2", "second"));
  ASSERT_TRUE(Submit(q, "E1", "first again"));  // Slack's retry
  ASSERT_TRUE(Drained());
  q.Stop();
  EXPECT_EQ(seen_, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit WHERE action = 'processed'"), 2);
}

TEST_F(InboundQueueTest, AThrowingEventIsKeptAsFailedAndTheRestOfItsBatchCommits) {
  {  // queued before the worker starts, so that one batch takes all three
    store::Transaction tx(*store_);
    tx.QueueInbound("test", "E1", R"({"text":"good"})", clock_.Now());
    tx.QueueInbound("test", "E2", R"({"text":"bad"})", clock_.Now());
    tx.QueueInbound("test", "E3", R"({"text":"good"})", clock_.Now());
    tx.Commit();
  }
  InboundQueue q(*store_, clock_, log_);
  q.Handle("test", [&](store::Transaction& tx, const store::QueuedEvent& e) {
    tx.AppendAudit(clock_.Now(), "t", "processed", e.event_id, {});
    if (nlohmann::json::parse(e.payload)["text"] == "bad")
      throw std::runtime_error("cannot handle this");
    return Processed::kDone;
  });
  q.Start();
  ASSERT_TRUE(Eventually(
      [&] { return Count("SELECT COUNT(*) FROM inbound_queue WHERE waiting_for = ''") == 0; }));
  q.Stop();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit WHERE action = 'processed'"), 2)
      << "the failed event's own writes are undone, not the others'";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM inbound_queue WHERE waiting_for = 'failed' AND "
                  "event_id = 'E2' AND last_error = 'cannot handle this'"),
            1);
}

TEST_F(InboundQueueTest, AParkedEventRunsOnceReleased) {
  InboundQueue q(*store_, clock_, log_);
  bool released = false;
  q.Handle("test", [&](store::Transaction& tx, const store::QueuedEvent& e) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!released) {
      tx.ParkInbound(e.id, "user:U1");
      return Processed::kParked;
    }
    seen_.push_back(nlohmann::json::parse(e.payload)["text"]);
    return Processed::kDone;
  });
  q.Start();
  ASSERT_TRUE(Submit(q, "E1", "hello"));
  ASSERT_TRUE(Drained());
  ASSERT_TRUE(Eventually([&] {
    return Count("SELECT COUNT(*) FROM inbound_queue WHERE waiting_for = 'user:U1'") == 1;
  }));
  {
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_TRUE(seen_.empty());
    released = true;
  }
  {
    store::Transaction tx(*store_);
    EXPECT_EQ(tx.ReleaseInbound("test", "user:U1"), 1);
    tx.Commit();
  }
  q.Notify();
  ASSERT_TRUE(Eventually([&] { return Count("SELECT COUNT(*) FROM inbound_queue") == 0; }));
  q.Stop();
  EXPECT_EQ(seen_, std::vector<std::string>{"hello"});
}

TEST_F(InboundQueueTest, AQueueLeftBehindIsResumedAtStart) {
  {
    store::Transaction tx(*store_);
    EXPECT_TRUE(tx.QueueInbound("test", "E1", R"({"text":"left behind"})", clock_.Now()));
    EXPECT_FALSE(tx.QueueInbound("test", "E1", R"({"text":"left behind"})", clock_.Now()));
    tx.Commit();
  }
  InboundQueue q(*store_, clock_, log_);
  Record(q);
  q.Start();
  ASSERT_TRUE(Eventually([&] { return Count("SELECT COUNT(*) FROM inbound_queue") == 0; }));
  q.Stop();
  EXPECT_EQ(seen_, std::vector<std::string>{"left behind"});
}

TEST_F(InboundQueueTest, AnAcknowledgementDoesNotWaitForATransactionOnTheDatabase) {
  InboundQueue q(*store_, clock_, log_);
  Record(q);
  q.Start();
  std::promise<bool> acked;
  {
    store::Transaction busy(*store_);  // a long conversation turn, say
    q.Submit("test", "E1", R"({"text":"while busy"})",
             [&](bool stored) { acked.set_value(stored); });
    auto ack = acked.get_future();
    ASSERT_EQ(ack.wait_for(std::chrono::seconds(5)), std::future_status::ready)
        << "the acknowledgement waited for the database";
    EXPECT_TRUE(ack.get());
  }
  ASSERT_TRUE(Drained());
  q.Stop();
  EXPECT_EQ(seen_, std::vector<std::string>{"while busy"});
}

TEST_F(InboundQueueTest, WhatAStoppedProcessLeftInTheLandingFileIsProcessedOnce) {
  {
    // E1 was moved (and processed) before the stop, but its row was not yet
    // deleted from the landing file; E2 was landed and acknowledged only.
    store::Landing landing(Path() + "-inbound");
    landing.Resume(0);
    std::vector<store::LandedEvent> events{{0, "test", "E1", R"({"text":"moved"})", clock_.Now()},
                                           {0, "test", "E2", R"({"text":"landed"})", clock_.Now()}};
    landing.Land(events, 0);
    store::Transaction tx(*store_);
    tx.SetLandingMovedThrough(events[0].id);
    tx.Commit();
  }
  InboundQueue q(*store_, clock_, log_);
  Record(q);
  q.Start();
  ASSERT_TRUE(Drained());
  q.Stop();
  EXPECT_EQ(seen_, std::vector<std::string>{"landed"});
  EXPECT_EQ(CountLanded("event_id = 'E1'"), 0) << "a moved row is deleted at start";
}

TEST_F(InboundQueueTest, ALostLandingFileDoesNotReuseIdsAlreadyMoved) {
  {
    store::Transaction tx(*store_);
    tx.SetLandingMovedThrough(100);  // the file held 100 events, then was lost
    tx.Commit();
  }
  InboundQueue q(*store_, clock_, log_);
  Record(q);
  q.Start();
  ASSERT_TRUE(Submit(q, "E1", "after the loss"));
  ASSERT_TRUE(Drained());
  q.Stop();
  EXPECT_EQ(seen_, std::vector<std::string>{"after the loss"});
  EXPECT_EQ(Count("SELECT moved_through FROM inbound_landing"), 101);
}

}  // namespace
}  // namespace kontobot::app
