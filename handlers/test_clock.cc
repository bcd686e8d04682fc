#include "handlers/test_clock.h"

#include <regex>

#include <nlohmann/json.hpp>

#include "store/clock_format.h"

namespace kontobot::handlers {

using std::chrono::microseconds;

TimePoint AdjustableClock::Now() const {
  return std::chrono::system_clock::now() + microseconds(offset_us_.load());
}

void AdjustableClock::Set(TimePoint now) {
  offset_us_ =
      std::chrono::duration_cast<microseconds>(now - std::chrono::system_clock::now()).count();
}

void AdjustableClock::Advance(std::chrono::seconds by) {
  offset_us_ += std::chrono::duration_cast<microseconds>(by).count();
}

std::optional<TimePoint> ParseRfc3339(const std::string& text) {
  static const std::regex kRe(
      R"(^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$)");
  std::smatch m;
  if (!std::regex_match(text, m, kRe)) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year(std::stoi(m[1])), month(std::stoul(m[2])), day(std::stoul(m[3]))};
  int h = std::stoi(m[4]), mi = std::stoi(m[5]), s = std::stoi(m[6]);
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  TimePoint t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(s);
  std::string zone = m[8];
  if (zone != "Z") {
    int oh = std::stoi(zone.substr(1, 2)), om = std::stoi(zone.substr(4, 2));
    if (oh > 23 || om > 59) return std::nullopt;
    auto off = hours(oh) + minutes(om);
    t = zone[0] == '+' ? t - off : t + off;
  }
  return t;
}

Handler TestClockHandler(AdjustableClock& clock, const std::function<void()>& moved) {
  return [&clock, moved](const Request& r) {
    nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    auto bad = [] {
      return Response::Error(
          400, "bad_request",
          R"(send {"now": "2026-12-24T09:00:00+01:00"} or {"advance_seconds": N})");
    };
    if (!body.is_object()) return bad();
    // The answer is the instant the clock was moved to, read before the
    // schedulers wake: time keeps flowing, so a later reading would be off
    // by however long they took.
    TimePoint now;
    if (body.contains("now") && body["now"].is_string()) {
      auto t = ParseRfc3339(body["now"].get<std::string>());
      if (!t) return bad();
      clock.Set(*t);
      now = *t;
    } else if (body.contains("advance_seconds") && body["advance_seconds"].is_number_integer()) {
      int64_t n = body["advance_seconds"].get<int64_t>();
      if (n < 0 || n > int64_t{10} * 366 * 24 * 3600) return bad();
      clock.Advance(std::chrono::seconds(n));
      now = clock.Now();
    } else {
      return bad();
    }
    if (moved) moved();
    return Response::Json(200, nlohmann::json{{"now", store::FormatUtc(now)}}.dump());
  };
}

void RegisterTestClock(HttpServer& server, AdjustableClock& clock,
                       const std::function<void()>& moved) {
  server.Route("POST", "/test/clock", TestClockHandler(clock, moved));
}

}  // namespace kontobot::handlers
