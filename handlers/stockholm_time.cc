#include "handlers/stockholm_time.h"

#include <date/tz.h>

namespace kontobot::handlers {

ZoneTime::ZoneTime(const std::string& zone) : zone_(date::locate_zone(zone)) {}

std::string ZoneTime::Format(TimePoint t) const {
  auto local = date::make_zoned(zone_, std::chrono::time_point_cast<std::chrono::minutes>(t));
  return date::format("%Y-%m-%d %H:%M", local);
}

std::string ZoneTime::Date(TimePoint t) const {
  auto local = date::make_zoned(zone_, std::chrono::time_point_cast<std::chrono::seconds>(t));
  return date::format("%Y-%m-%d", local);
}

}  // namespace kontobot::handlers
