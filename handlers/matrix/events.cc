#include "handlers/matrix/events.h"

#include <nlohmann/json.hpp>

#include "bot/text.h"
#include "handlers/json_fields.h"

namespace kontobot::matrix {
namespace {

constexpr const char* kApproveKey = "\xE2\x9C\x85";  // ✅
constexpr const char* kRejectKey = "\xE2\x9D\x8C";   // ❌

constexpr const char* kVariation = "\xEF\xB8\x8F";        // U+FE0F
constexpr const char* kEnclosingKeycap = "\xE2\x83\xA3";  // U+20E3
constexpr const char* kKeycapTen = "\xF0\x9F\x94\x9F";    // 🔟

using handlers::ObjectField;
using handlers::StringField;

Event Read(const nlohmann::json& e, const std::string& bot) {
  Event out;
  std::string type = StringField(e, "type");
  out.room = StringField(e, "room_id");
  out.sender = StringField(e, "sender");
  out.event_id = StringField(e, "event_id");
  if (out.event_id.empty() || out.room.empty()) return out;
  const nlohmann::json& content = ObjectField(e, "content");
  if (type == "m.room.member") {
    if (StringField(e, "state_key") == bot && StringField(content, "membership") == "invite")
      out.kind = Event::Kind::kInvite;
    return out;
  }
  if (out.sender == bot) return out;  // our own events, never answered
  if (type == "m.room.encrypted") {
    out.kind = Event::Kind::kEncrypted;
  } else if (type == "m.reaction") {
    out.kind = Event::Kind::kReaction;
    const nlohmann::json& rel = ObjectField(content, "m.relates_to");
    out.reaction_key = StringField(rel, "key");
    out.reacts_to = StringField(rel, "event_id");
    if (StringField(rel, "rel_type") == "m.annotation") {
      if (out.reaction_key == kApproveKey) out.decision = Event::Decision::kApprove;
      if (out.reaction_key == kRejectKey) out.decision = Event::Decision::kReject;
      out.choice = KeycapNumber(out.reaction_key);
    }
  } else if (type == "m.room.message") {
    out.kind = Event::Kind::kMessage;
    if (StringField(content, "msgtype") == "m.text" && content.contains("body") &&
        content["body"].is_string()) {
      const std::string text = content["body"].get<std::string>();
      out.text = text;
      size_t space = text.find(' ');
      std::string word = NormalizeWord(text.substr(0, space));
      if (word == "godkänn" || word == "approve") out.command = Event::Decision::kApprove;
      if (word == "avslå" || word == "reject") out.command = Event::Decision::kReject;
      if (space != std::string::npos) out.reason = Trim(text.substr(space));
    }
  }
  return out;
}

}  // namespace

std::string Keycap(int n) {
  if (n == kMaxKeycap) return kKeycapTen;
  return std::string(1, static_cast<char>('0' + n)) + kVariation + kEnclosingKeycap;
}

int KeycapNumber(const std::string& key) {
  if (key == kKeycapTen) return kMaxKeycap;
  if (key.size() < 2 || key[0] < '1' || key[0] > '9') return 0;
  std::string rest = key.substr(1);
  if (rest == std::string(kVariation) + kEnclosingKeycap || rest == kEnclosingKeycap)
    return key[0] - '0';
  return 0;
}

std::optional<std::vector<Event>> ParseTransaction(const std::string& body,
                                                   const std::string& bot_user) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("events") || !j["events"].is_array()) return std::nullopt;
  std::vector<Event> events;
  for (const auto& e : j["events"]) {
    if (e.is_object()) events.push_back(Read(e, bot_user));
  }
  return events;
}

}  // namespace kontobot::matrix
