// Strategy: the outbox sender over a real store file, with a delivery
// function of the test's own that can be held inside a call (a call that
// never ends) and that records what it was given. Waits are for conditions,
// each bounded; the stall limit is made short so that a stall shows at once.
#include <gtest/gtest.h>

#include <spdlog/sinks/null_sink.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "app/outbox_sender.h"
#include "tests/e2e/bot_process.h"
#include "tests/test_support.h"

namespace kontobot::testing {
namespace {

using app::Delivery;
using app::OutboxSender;

class OutboxSenderTest : public ::testing::Test {
 protected:
  OutboxSenderTest()
      : store_(TempDb()),
        log_(std::make_shared<spdlog::logger>("outbox",
                                              std::make_shared<spdlog::sinks::null_sink_mt>())),
        sender_(store_, directory_, clock_, log_) {
    sender_.SetStallAfter(std::chrono::milliseconds(100));
    sender_.Handle("test", [this](const store::OutboxItem& item, const app::DeliveryContext& c) {
      return Deliver(item, c);
    });
  }
  ~OutboxSenderTest() override {
    Release();
    sender_.Stop();
  }

  void Enqueue(const std::string& lane, int n = 1) {
    store::Transaction tx(store_);
    for (int i = 0; i < n; ++i) {
      store::OutboxItem item;
      item.platform = "test";
      item.kind = "post";
      item.lane = lane;
      tx.Enqueue(item, clock_.Now());
    }
    tx.Commit();
  }
  // Calls on `lane` wait inside the delivery until Release().
  void Hold(const std::string& lane) {
    std::lock_guard<std::mutex> lock(mu_);
    held_lane_ = lane;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      held_lane_.clear();
    }
    cv_.notify_all();
  }
  // Waits until `pred` holds (under the test's mutex), at most 10 s.
  template <typename Pred>
  bool Until(Pred pred) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), pred);
  }
  bool UntilStalled(bool stalled) {
    for (int i = 0; i < 1000; ++i) {
      if (sender_.Check().stalled == stalled) return true;
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(10));
    }
    return false;
  }
  int64_t Sent() {
    store::Transaction tx(store_);
    return tx.CountOutbox("sent");
  }

  store::Store store_;
  Directory directory_{
      {},
      {Person{
           "anna", "Anna", "", "anna@kommun.se", "", "", "", {}, "", {}, {}, {{"test", "U-ANNA"}}},
       Person{"bo", "Bo", "", "bo@kommun.se", "", "", "", {}, "", {}, Lang::kEn, {}}}};
  FakeClock clock_;
  std::shared_ptr<spdlog::logger> log_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string held_lane_;
  std::vector<std::string> delivered_;                    // "lane:id", in the order of the calls
  std::set<std::string> in_call_;                         // lanes with a call going on
  std::map<std::string, app::DeliveryContext> contexts_;  // by lane
  // What a delivery returns besides being sent (by lane).
  std::map<std::string, std::function<void(Delivery&)>> outcome_;
  app::OutboxSender sender_;  // last: its threads use the above

 private:
  Delivery Deliver(const store::OutboxItem& item, const app::DeliveryContext& context) {
    std::unique_lock<std::mutex> lock(mu_);
    contexts_[item.lane] = context;
    in_call_.insert(item.lane);
    cv_.notify_all();
    cv_.wait(lock, [&] { return held_lane_ != item.lane; });
    in_call_.erase(item.lane);
    delivered_.push_back(item.lane + ":" + std::to_string(item.id));
    cv_.notify_all();
    Delivery d;
    if (auto o = outcome_.find(item.lane); o != outcome_.end()) o->second(d);
    return d;
  }
};

// Bug (issue 14): the sender delivered in batches and each batch waited for
// all of its calls, so one call that never ended stopped every lane.
TEST_F(OutboxSenderTest, AStuckCallHoldsUpItsOwnLaneOnlyAndIsAStall) {
  Hold("anna");
  Enqueue("anna", 2);
  sender_.Start();
  ASSERT_TRUE(Until([&] { return in_call_.count("anna") == 1; }));
  Enqueue("per", 3);
  Enqueue("eva", 3);
  sender_.Notify();
  ASSERT_TRUE(Until([&] { return delivered_.size() == 6; }))
      << "the other lanes go on while anna's call is stuck";
  ASSERT_TRUE(UntilStalled(true));
  app::OutboxSender::Health h = sender_.Check();
  EXPECT_EQ(h.in_flight, 1u);
  EXPECT_GE(h.longest, std::chrono::milliseconds(100));
  Release();
  ASSERT_TRUE(Until([&] { return delivered_.size() == 8; }));
  EXPECT_EQ(delivered_[6], "anna:1");
  EXPECT_EQ(delivered_[7], "anna:2") << "a lane keeps its order";
  EXPECT_TRUE(UntilStalled(false));
}

// A sender thread that cannot come round (here: the store is held by
// another transaction) is a stall too; one that sleeps because nothing is
// due is not.
TEST_F(OutboxSenderTest, ASenderStuckInTheStoreIsAStallAndAnIdleOneIsNot) {
  sender_.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // idle: sleeping up to 5 s
  EXPECT_FALSE(sender_.Check().stalled) << "an idle sender is not late";
  {
    store::Transaction held(store_);
    sender_.Notify();  // it comes round, and waits for the store
    ASSERT_TRUE(UntilStalled(true));
    EXPECT_GE(sender_.Check().late, std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(UntilStalled(false));
}

// Issue 16: a platform's delivery opens no transaction. The sender reads
// what it needs in the transaction that picks the row (the message, the
// person's channel, their account by directory or by e-mail, their
// language) and writes what the delivery learned with its outcome, even a
// retry's, before anything waiting for it is woken.
TEST_F(OutboxSenderTest, ADeliveryGetsItsContextReadAndReturnsWhatItLearned) {
  int64_t message = 0;
  {
    store::Transaction tx(store_);
    tx.SetPlatformUserEmail("test", "U-BO", "bo@kommun.se", clock_.Now());
    for (const Person& p : directory_.people()) tx.UpsertPerson(p, clock_.Now());
    store::StoredMessage m;
    m.at = clock_.Now();
    m.person_id = "bo";
    m.channel = "test";
    m.direction = "out";
    m.text = "Hej Bo";
    message = tx.AppendMessage(m);
    for (const char* person : {"anna", "bo"}) {
      store::OutboxItem item;
      item.platform = "test";
      item.kind = "post";
      item.lane = person;
      item.person_id = person;
      if (std::string(person) == "bo") item.message_id = message;
      tx.Enqueue(item, clock_.Now());
    }
    tx.Commit();
  }
  bool woken = false;
  outcome_["bo"] = [&](Delivery& d) {
    d = Delivery(Delivery::Result::kRetry, "busy", std::chrono::seconds(60));
    d.learned = [](store::Transaction& tx) { tx.SetPlatformChannel("test", "bo", "D-BO"); };
    d.after_commit = [&] {
      bool learned = false;
      {
        store::Transaction tx(store_);
        learned = tx.PlatformChannel("test", "bo") == std::optional<std::string>("D-BO");
      }
      std::lock_guard<std::mutex> lock(mu_);
      woken = learned;
      cv_.notify_all();
    };
  };
  sender_.Start();
  ASSERT_TRUE(Until([&] { return delivered_.size() == 2 && woken; }))
      << "what was learned is committed before after_commit runs";
  const app::DeliveryContext& anna = contexts_["anna"];
  ASSERT_NE(anna.person, nullptr);
  EXPECT_EQ(anna.person->id, "anna");
  EXPECT_EQ(anna.account, std::optional<std::string>("U-ANNA")) << "the directory's account";
  EXPECT_FALSE(anna.message.has_value());
  const app::DeliveryContext& bo = contexts_["bo"];
  EXPECT_EQ(bo.account, std::optional<std::string>("U-BO")) << "the one known for the e-mail";
  EXPECT_EQ(bo.lang, Lang::kEn);
  ASSERT_TRUE(bo.message.has_value());
  EXPECT_EQ(bo.message->text, "Hej Bo");
  EXPECT_FALSE(bo.channel.has_value());
}

}  // namespace
}  // namespace kontobot::testing
