#include "handlers/matrix/events.h"

#include <cctype>
#include <regex>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bot/text.h"
#include "handlers/json_fields.h"

namespace kontobot::matrix {
namespace {

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
    // An edit's text is its m.new_content; the body beside it ("* …") is
    // only a fallback for clients that do not know edits. Without
    // m.new_content it is no valid edit: ignored, as the spec says.
    const nlohmann::json* shown = &content;
    const nlohmann::json& rel = ObjectField(content, "m.relates_to");
    if (StringField(rel, "rel_type") == "m.replace") {
      shown = &ObjectField(content, "m.new_content");
      out.edit_of = StringField(rel, "event_id");
      if (shown->empty() || out.edit_of.empty()) {
        out.kind = Event::Kind::kIgnore;
        return out;
      }
    }
    if (StringField(*shown, "msgtype") == "m.text" && shown->contains("body") &&
        (*shown)["body"].is_string()) {
      std::string text = (*shown)["body"].get<std::string>();
      std::string html = StringField(*shown, "formatted_body");
      if (StringField(*shown, "format") == "org.matrix.custom.html" &&
          html.find("matrix.to/#/") != std::string::npos) {
        text = TextOfHtml(html, out.pill_names);
      }
      out.text = text;
      if (!out.edit_of.empty()) return out;  // a correction, not a command
      size_t space = text.find(' ');
      std::string word = NormalizeWord(text.substr(0, space));
      if (word == "godkänn" || word == "approve") out.command = Event::Decision::kApprove;
      if (word == "avslå" || word == "reject") out.command = Event::Decision::kReject;
      if (space != std::string::npos) out.reason = Trim(text.substr(space));
    }
  }
  return out;
}

// `s` with %XX escapes decoded.
std::string PercentDecoded(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string TextOfHtml(const std::string& html, std::map<std::string, std::string>& pill_names) {
  static const std::regex kReply(R"(<mx-reply>[\s\S]*?</mx-reply>)", std::regex::icase);
  static const std::regex kPill(
      R"(<a\s[^>]*href\s*=\s*["']https://matrix\.to/#/([^"'?]+)[^"']*["'][^>]*>([\s\S]*?)</a>)",
      std::regex::icase);
  static const std::regex kBreak(R"(<br\s*/?>|</p>|</li>|</div>)", std::regex::icase);
  static const std::regex kTag(R"(<[^>]*>)");
  std::string s = std::regex_replace(html, kReply, "");
  std::string out;
  auto from = s.cbegin();
  for (std::sregex_iterator it(s.begin(), s.end(), kPill), end; it != end; ++it) {
    const std::smatch& m = *it;
    out.append(from, m[0].first);
    from = m[0].second;
    std::string target = PercentDecoded(m[1].str());
    if (target.rfind('@', 0) != 0) {  // a room or event link: its text
      out += m[2].str();
      continue;
    }
    pill_names[target] = std::regex_replace(m[2].str(), kTag, "");
    out += target;
  }
  out.append(from, s.cend());
  out = std::regex_replace(std::regex_replace(out, kBreak, "\n"), kTag, "");
  for (auto [entity, c] : {std::pair{"&lt;", "<"},
                           {"&gt;", ">"},
                           {"&quot;", "\""},
                           {"&#39;", "'"},
                           {"&nbsp;", " "},
                           {"&amp;", "&"}}) {
    for (size_t at = out.find(entity); at != std::string::npos; at = out.find(entity, at + 1))
      out.replace(at, std::string_view(entity).size(), c);
  }
  for (auto& [id, name] : pill_names) {
    for (size_t at = name.find("&amp;"); at != std::string::npos; at = name.find("&amp;", at + 1))
      name.replace(at, 5, "&");
  }
  return Trim(out);
}

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
    if (!e.is_object()) continue;
    events.push_back(Read(e, bot_user));
    if (events.back().kind != Event::Kind::kIgnore)
      events.back().original = e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return events;
}

nlohmann::json ToJson(const Event& e) {
  nlohmann::json j{{"kind", static_cast<int>(e.kind)},
                   {"event_id", e.event_id},
                   {"room", e.room},
                   {"sender", e.sender}};
  if (e.decision != Event::Decision::kNone) j["decision"] = static_cast<int>(e.decision);
  if (!e.reaction_key.empty()) j["reaction_key"] = e.reaction_key;
  if (!e.reacts_to.empty()) j["reacts_to"] = e.reacts_to;
  if (e.choice != 0) j["choice"] = e.choice;
  if (e.text) j["text"] = *e.text;
  if (e.command != Event::Decision::kNone) j["command"] = static_cast<int>(e.command);
  if (!e.reason.empty()) j["reason"] = e.reason;
  if (!e.pill_names.empty()) j["pill_names"] = e.pill_names;
  if (!e.edit_of.empty()) j["edit_of"] = e.edit_of;
  if (!e.original.empty()) j["original"] = e.original;
  return j;
}

Event EventFromJson(const nlohmann::json& j) {
  auto decision = [&](const char* key) {
    int d = j.value(key, 0);
    return d == static_cast<int>(Event::Decision::kApprove)  ? Event::Decision::kApprove
           : d == static_cast<int>(Event::Decision::kReject) ? Event::Decision::kReject
                                                             : Event::Decision::kNone;
  };
  Event e;
  int kind = j.value("kind", 0);
  e.kind = kind >= 0 && kind <= static_cast<int>(Event::Kind::kMessage)
               ? static_cast<Event::Kind>(kind)
               : Event::Kind::kIgnore;
  e.event_id = j.value("event_id", "");
  e.room = j.value("room", "");
  e.sender = j.value("sender", "");
  e.decision = decision("decision");
  e.reaction_key = j.value("reaction_key", "");
  e.reacts_to = j.value("reacts_to", "");
  e.choice = j.value("choice", 0);
  if (j.contains("text")) e.text = j.value("text", "");
  e.command = decision("command");
  e.reason = j.value("reason", "");
  e.pill_names = j.value("pill_names", std::map<std::string, std::string>{});
  e.edit_of = j.value("edit_of", "");
  e.original = j.value("original", "");
  return e;
}

}  // namespace kontobot::matrix
