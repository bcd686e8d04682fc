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
  std::string bot = bot_user;
  if (bot.empty() && j.contains("authorizations") && j["authorizations"].is_array()) {
    for (const auto& a : j["authorizations"]) {
      if (a.is_object() && a.contains("is_bot") && a["is_bot"] == true)
        bot = StringField(a, "user_id");
    }
  }
  std::string event_type = StringField(e, "type");
  bool dm = event_type == "message" && StringField(e, "channel_type") == "im";
  bool mention = event_type == "app_mention";
  if (!dm && !mention) return r;
  // An edit of a person's DM message: the new message is inside. Our own
  // messages' edits (chat.update) and changes that leave the text as it
  // was (a link unfurled) are not people talking to us.
  if (dm && StringField(e, "subtype") == "message_changed") {
    const nlohmann::json& now = ObjectField(e, "message");
    const nlohmann::json& before = ObjectField(e, "previous_message");
    std::string user = StringField(now, "user");
    if (user.empty() || now.contains("bot_id") || now.contains("subtype") || user == bot ||
        StringField(now, "text") == StringField(before, "text") || StringField(now, "ts").empty()) {
      return r;
    }
    r.kind = EventRequest::Kind::kMessage;
    r.event_id = j["event_id"].get<std::string>();
    r.user = user;
    r.channel = StringField(e, "channel");
    r.text = StringField(now, "text");
    r.ts = StringField(e, "ts");
    r.edit_of = StringField(now, "ts");
    return r;
  }
  // Bots (including ourselves) and deletions, joins and other subtypes are
  // not people talking to us.
  if (e.contains("bot_id") || e.contains("subtype") || !e.contains("user") ||
      !e["user"].is_string() || (!bot.empty() && e["user"] == bot)) {
    return r;
  }
  r.kind = EventRequest::Kind::kMessage;
  r.event_id = j["event_id"].get<std::string>();
  r.user = e["user"].get<std::string>();
  r.channel = StringField(e, "channel");
  r.text = StringField(e, "text");
  r.ts = StringField(e, "ts");
  r.in_channel = mention;
  if (mention) {
    // Only our own mention goes; colleagues named in it stay. Without our
    // id, the mention that addresses us is the one the text starts with.
    std::string own =
        bot.empty() ? R"(^\s*<@[UW][A-Z0-9]+(\|[^>]*)?>)" : "<@" + bot + R"((\|[^>]*)?>)";
    r.text = std::regex_replace(r.text, std::regex(own + R"(\s*)"), "");
  }
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
