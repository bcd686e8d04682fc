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

std::chrono::local_time<std::chrono::minutes> ZoneTime::ToLocal(TimePoint t) const {
  auto local = zone_->to_local(std::chrono::time_point_cast<std::chrono::minutes>(t));
  return std::chrono::local_time<std::chrono::minutes>(
      std::chrono::duration_cast<std::chrono::minutes>(local.time_since_epoch()));
}

TimePoint ZoneTime::FromLocal(std::chrono::local_time<std::chrono::minutes> local) const {
  date::local_time<std::chrono::minutes> l(local.time_since_epoch());
  auto info = zone_->get_info(l);
  std::chrono::seconds since_epoch;
  if (info.result == date::local_info::nonexistent) {
    since_epoch = info.second.begin.time_since_epoch();  // the moment the clocks jumped
  } else {
    since_epoch = (l - info.first.offset).time_since_epoch();  // ambiguous: the first time round
  }
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(since_epoch));
}

}  // namespace kontobot::handlers
