// LocalTime in a named IANA zone (Europe/Stockholm by default) using Howard
// Hinnant's date/tz on the system's tz database, so daylight-saving changes
// come out right.
#ifndef KONTOBOT_HANDLERS_STOCKHOLM_TIME_H_
#define KONTOBOT_HANDLERS_STOCKHOLM_TIME_H_

#include <string>

#include "bot/conversation.h"

namespace date {
class time_zone;
}

namespace kontobot::handlers {

class ZoneTime final : public LocalTime {
 public:
  // Throws std::runtime_error if the zone is unknown.
  explicit ZoneTime(const std::string& zone = "Europe/Stockholm");
  std::string Format(TimePoint t) const override;  // "2026-11-23 11:14"
  std::string Date(TimePoint t) const override;    // "2026-11-23"
  std::chrono::local_time<std::chrono::minutes> ToLocal(TimePoint t) const override;
  TimePoint FromLocal(std::chrono::local_time<std::chrono::minutes> local) const override;

 private:
  const date::time_zone* zone_;
};

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_STOCKHOLM_TIME_H_
