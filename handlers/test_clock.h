// The clock of `kontobot serve --test-clock`: the system clock plus an
// offset that POST /test/clock sets, so end-to-end tests can move the real
// binary through working days, nights and holidays. Time keeps flowing
// (the outbox's retries still fall due); only the offset jumps.
//
// The route exists only in that mode, and the mode is refused unless the
// server listens on loopback (config/options.cc): a clock anyone could move
// would let them fire every reminder at once.
//
// Thread-safety: Now, Set and Advance may be called from any thread.
#ifndef KONTOBOT_HANDLERS_TEST_CLOCK_H_
#define KONTOBOT_HANDLERS_TEST_CLOCK_H_

#include <atomic>
#include <functional>

#include "bot/conversation.h"
#include "handlers/http_server.h"

namespace kontobot::handlers {

class AdjustableClock final : public Clock {
 public:
  TimePoint Now() const override;
  void Set(TimePoint now);
  void Advance(std::chrono::seconds by);

 private:
  std::atomic<int64_t> offset_us_{0};
};

// Registers POST /test/clock: {"now": "2026-12-24T09:00:00+01:00"} or
// {"advance_seconds": N}; answers {"now": "...Z"}, 400 on bad input.
// `moved` is called after every change (it wakes the schedulers).
void RegisterTestClock(HttpServer& server, AdjustableClock& clock,
                       const std::function<void()>& moved);
// The route's handler alone (RegisterTestClock registers it).
Handler TestClockHandler(AdjustableClock& clock, const std::function<void()>& moved);

// Parses an RFC 3339 instant with an offset or Z ("2026-12-24T09:00:00+01:00").
std::optional<TimePoint> ParseRfc3339(const std::string& text);

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_TEST_CLOCK_H_
