// Strategy: the handler of POST /test/clock called directly, with a
// `moved` callback that takes a while, as waking the schedulers can under
// the sanitizers.
#include "handlers/test_clock.h"

#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace kontobot::handlers {
namespace {

Response Post(const Handler& handler, const std::string& body) {
  Request r;
  r.method = "POST";
  r.path = "/test/clock";
  r.body = body;
  return handler(r);
}

// Bug: the answer was read from the flowing clock after the schedulers had
// been woken, so under ASan it said 08:00:30.002Z for a clock set to 08:00:30.
TEST(TestClock, AnswersTheInstantItWasSetToHoweverLongTheWakeUpTakes) {
  AdjustableClock clock;
  Handler handler =
      TestClockHandler(clock, [] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); });
  Response r = Post(handler, R"({"now": "2026-11-24T09:00:30+01:00"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["now"], "2026-11-24T08:00:30.000Z");
  // The clock itself keeps flowing from there.
  EXPECT_GE(clock.Now(), *ParseRfc3339("2026-11-24T08:00:30.020Z"));
  r = Post(handler, R"({"advance_seconds": 3600})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["now"].get<std::string>().substr(0, 19),
            "2026-11-24T09:00:30");
}

TEST(TestClock, RefusesWhatItCannotRead) {
  AdjustableClock clock;
  int moves = 0;
  Handler handler = TestClockHandler(clock, [&moves] { ++moves; });
  for (const char* body :
       {"{", "[]", R"({"now": "tomorrow"})", R"({"now": "2026-02-30T09:00:00Z"})",
        R"({"advance_seconds": -1})", R"({"advance_seconds": "60"})"}) {
    EXPECT_EQ(Post(handler, body).status, 400) << body;
  }
  EXPECT_EQ(moves, 0);
}

}  // namespace
}  // namespace kontobot::handlers
