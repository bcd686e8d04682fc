#include "handlers/slack/payloads.h"

#include <algorithm>
#include <charconv>
#include <regex>

#include <nlohmann/json.hpp>

#include "handlers/http_server.h"
#include "handlers/json_fields.h"

namespace kontobot::slack {
namespace {

using handlers::ObjectField;
using handlers::StringField;

EventRequest Invalid(const char* code, const char* message) {
  EventRequest r;
  r.error_code = code;
  r.error = message;
  return r;
}

}  // namespace

EventRequest ParseEventRequest(const std::string& body, const std::string& bot_user) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return Invalid("bad_json", "The body is not a JSON object");
  EventRequest r;
  r.kind = EventRequest::Kind::kIgnore;
  std::string type = StringField(j, "type");
  if (type == "url_verification") {
    if (!j.contains("challenge") || !j["challenge"].is_string()) {
      return Invalid("bad_request", "url_verification without a challenge");
    }
    r.kind = EventRequest::Kind::kChallenge;
    r.challenge = j["challenge"].get<std::string>();
    return r;
  }
  if (type != "event_callback") return r;  // app_rate_limited and others: nothing to do
  if (!j.contains("event") || !j["event"].is_object() || !j.contains("event_id") ||
      !j["event_id"].is_string()) {
    return Invalid("bad_request", "event_callback needs event and event_id");
  }
  const nlohmann::json& e = j["event"];
  std::string event_type = StringField(e, "type");
  bool dm = event_type == "message" && StringField(e, "channel_type") == "im";
  bool mention = event_type == "app_mention";
  if (!dm && !mention) return r;
  // Bots (including ourselves) and edits, joins and other subtypes are not
  // people talking to us.
  if (e.contains("bot_id") || e.contains("subtype") || !e.contains("user") ||
      !e["user"].is_string() || (!bot_user.empty() && e["user"] == bot_user)) {
    return r;
  }
  r.kind = EventRequest::Kind::kMessage;
  r.event_id = j["event_id"].get<std::string>();
  r.user = e["user"].get<std::string>();
  r.channel = StringField(e, "channel");
  r.text = StringField(e, "text");
  if (mention) r.text = std::regex_replace(r.text, std::regex(R"(<@[A-Z0-9]+>\s*)"), "");
  return r;
}

Interaction ParseInteraction(const std::string& form) {
  Interaction r;
  auto fields = handlers::ParseQuery(form);
  auto payload = fields.find("payload");
  if (payload == fields.end()) {
    r.error_code = "bad_request";
    r.error = "No payload parameter";
    return r;
  }
  nlohmann::json p = nlohmann::json::parse(payload->second, nullptr, false);
  if (!p.is_object()) {
    r.error_code = "bad_json";
    r.error = "The payload is not a JSON object";
    return r;
  }
  if (StringField(p, "type") != "block_actions") {
    r.kind = Interaction::Kind::kIgnore;
    return r;
  }
  if (!p.contains("user") || !p["user"].is_object() || !p.contains("actions") ||
      !p["actions"].is_array() || p["actions"].empty() || !p["actions"][0].is_object()) {
    r.error_code = "bad_request";
    r.error = "block_actions needs user and actions";
    return r;
  }
  const nlohmann::json& a = p["actions"][0];
  r.kind = Interaction::Kind::kButton;
  r.action_id = StringField(a, "action_id");
  r.action = r.action_id.substr(0, r.action_id.rfind(':'));
  r.value = StringField(a, "value");
  if (r.value == "-") r.value.clear();
  r.user = StringField(p["user"], "id");
  r.channel = StringField(ObjectField(p, "channel"), "id");
  r.key = StringField(p, "trigger_id") + ":" + StringField(a, "action_ts");
  const nlohmann::json& label = ObjectField(a, "text");
  r.echo = label.contains("text") && label["text"].is_string() ? label["text"].get<std::string>()
                                                               : r.action;
  std::string block_id = StringField(a, "block_id");
  if (block_id.rfind("kb:", 0) == 0) {
    int64_t id = 0;
    const char* last = block_id.data() + block_id.size();
    auto [end, ec] = std::from_chars(block_id.data() + 3, last, id);
    if (ec == std::errc()) {
      r.message_id = id;
      // "kb:<id>.<marker>" (BlockMarker); more actions blocks add ":a<n>".
      if (end != last && *end == '.')
        r.marker = std::string(end + 1, std::find(end + 1, last, ':'));
    }
  }
  return r;
}

}  // namespace kontobot::slack
