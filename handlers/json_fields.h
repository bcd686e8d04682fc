// Reading fields of JSON that came from outside: a field that is missing
// or of another type reads as absent instead of throwing, as nlohmann's
// value() and get() do. A platform request that made a handler throw would
// be answered 500, and Slack and Matrix homeservers retry those.
//
// Thread-safety: free functions without shared state.
#ifndef KONTOBOT_HANDLERS_JSON_FIELDS_H_
#define KONTOBOT_HANDLERS_JSON_FIELDS_H_

#include <string>

#include <nlohmann/json.hpp>

namespace kontobot::handlers {

// obj[key] when `obj` is an object and the field a string; "" otherwise.
inline std::string StringField(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

// obj[key] when `obj` is an object and the field an object; {} otherwise.
inline const nlohmann::json& ObjectField(const nlohmann::json& obj, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? *it : kEmpty;
}

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_JSON_FIELDS_H_
