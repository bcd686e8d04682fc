// Strategy: the inbound queue on a real SQLite file, with process functions
// that record what they see. Checked: an event is acknowledged only once it
// is stored, a repeated event id is acknowledged but processed once, events
// are processed in arrival order, a throwing event is kept as failed without
// undoing the rest of its batch, a parked event runs once released, and a
// queue left behind by a stopped process is resumed by the next one.
#include "handlers/inbound_queue.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include <spdlog/sinks/null_sink.h>

namespace kontobot::handlers {
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
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(Path() + suffix);
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
  EXPECT_EQ(Count("SELECT COUNT(*) FROM inbound_events WHERE event_id = 'E1'"), 1)
      << "stored before the acknowledgement";
  ASSERT_TRUE(Submit(q, "E2", "second"));
  ASSERT_TRUE(Submit(q, "E1", "first again"));  // Slack's retry
  ASSERT_TRUE(Eventually([&] { return Count("SELECT COUNT(*) FROM inbound_queue") == 0; }));
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
  q.Handle("test", [&](store::Transaction&, const store::QueuedEvent& e) {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back(nlohmann::json::parse(e.payload)["text"]);
    return Processed::kDone;
  });
  q.Start();
  ASSERT_TRUE(Eventually([&] { return Count("SELECT COUNT(*) FROM inbound_queue") == 0; }));
  q.Stop();
  EXPECT_EQ(seen_, std::vector<std::string>{"left behind"});
}

}  // namespace
}  // namespace kontobot::handlers
