// Timestamps as stored: ISO 8601 in UTC with milliseconds,
// "2026-11-23T10:04:05.123Z", which sorts as text and reads as a date.
#ifndef KONTOBOT_STORE_CLOCK_FORMAT_H_
#define KONTOBOT_STORE_CLOCK_FORMAT_H_

#include <optional>
#include <string>

#include "bot/conversation.h"

namespace kontobot::store {

std::string FormatUtc(TimePoint t);
// Parses what FormatUtc wrote; nullopt for anything else.
std::optional<TimePoint> ParseUtc(const std::string& text);

}  // namespace kontobot::store

#endif  // KONTOBOT_STORE_CLOCK_FORMAT_H_
