#include "handlers/meta/wire.h"

#include <nlohmann/json.hpp>

#include "handlers/constant_time.h"
#include "handlers/hmac.h"

namespace kontobot::meta {

namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

// created_time is Unix seconds on Page feed changes; some deliveries carry
// it as a string of digits. Anything else is 0 (unknown).
int64_t Seconds(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_unsigned())
    return static_cast<int64_t>(it->get<uint64_t>() & 0x7fffffffffffffff);
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    if (s.empty() || s.size() > 18) return 0;
    int64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return 0;
      v = v * 10 + (c - '0');
    }
    return v;
  }
  return 0;
}

// The de-duplication key (PROTOCOLS.md §14: Meta sends no delivery id).
std::string Key(const std::string& object, const InboxItem& item, const std::string& field,
                int64_t time) {
  return object + ":" + item.page_id + ":" + field + ":" + item.external_id + ":" +
         std::string(VerbName(item.verb)) + ":" + std::to_string(time);
}

// A Page feed change; false if it is not a comment or its verb is unknown.
bool FeedComment(const json& v, const std::string& page_id, InboxItem* out) {
  if (Str(v, "item") != "comment") return false;
  InboxItem item;
  if (!ParseVerb(Str(v, "verb"), &item.verb)) return false;
  item.source = "facebook";
  item.page_id = page_id;
  item.external_id = Str(v, "comment_id");
  if (item.external_id.empty()) return false;
  item.thread_id = Str(v, "post_id");
  item.parent_id = Str(v, "parent_id");
  if (auto from = v.find("from"); from != v.end() && from->is_object()) {
    item.author_id = Str(*from, "id");
    item.author_name = Str(*from, "name");
  }
  item.text = Str(v, "message");
  item.created_at = Seconds(v, "created_time");
  item.permalink = "https://www.facebook.com/" + item.external_id;
  *out = std::move(item);
  return true;
}

// An Instagram comments change (always a new comment: Meta sends no verb).
bool InstagramComment(const json& v, const std::string& page_id, int64_t time, InboxItem* out) {
  InboxItem item;
  item.source = "instagram";
  item.page_id = page_id;
  item.external_id = Str(v, "id");
  if (item.external_id.empty()) return false;
  if (auto media = v.find("media"); media != v.end() && media->is_object())
    item.thread_id = Str(*media, "id");
  item.parent_id = Str(v, "parent_id");
  if (auto from = v.find("from"); from != v.end() && from->is_object()) {
    item.author_id = Str(*from, "id");
    item.author_name = Str(*from, "username");
  }
  item.text = Str(v, "text");
  item.created_at = time;
  *out = std::move(item);
  return true;
}

}  // namespace

std::string Handshake(const std::map<std::string, std::string>& query,
                      const std::string& verify_token) {
  auto get = [&query](const char* name) {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  };
  if (verify_token.empty() || get("hub.mode") != "subscribe") return "";
  // Both sides are hashed first so the comparison's time tells nothing of
  // the token's length either.
  std::string given = handlers::HmacSha256("handshake", {get("hub.verify_token")});
  std::string ours = handlers::HmacSha256("handshake", {verify_token});
  if (!handlers::SameSecret(given, ours)) return "";
  return get("hub.challenge");
}

std::string Sign(const std::string& app_secret, const std::string& body) {
  return "sha256=" + handlers::Hex(handlers::HmacSha256(app_secret, {body}));
}

bool Verify(const std::string& app_secret, const std::string& header, const std::string& body) {
  if (app_secret.empty() || header.empty()) return false;
  // Hex digits may come in either case.
  std::string given = header;
  for (char& c : given)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  return handlers::SameSecret(given, Sign(app_secret, body));
}

Delivery Parse(const std::string& body) {
  Delivery d;
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    d.error = "the body is not a JSON object";
    return d;
  }
  std::string object = Str(j, "object");
  auto entries = j.find("entry");
  if ((object != "page" && object != "instagram") || entries == j.end() || !entries->is_array()) {
    d.error = "not a Page or Instagram delivery";
    return d;
  }
  d.valid = true;
  for (const json& entry : *entries) {
    if (!entry.is_object()) {
      ++d.skipped;
      continue;
    }
    std::string page_id = Str(entry, "id");
    int64_t time = Seconds(entry, "time");
    auto changes = entry.find("changes");
    if (changes == entry.end() || !changes->is_array()) {
      ++d.skipped;  // Messenger's `messaging`, or nothing
      continue;
    }
    for (const json& change : *changes) {
      if (!change.is_object() || page_id.empty()) {
        ++d.skipped;
        continue;
      }
      std::string field = Str(change, "field");
      auto value = change.find("value");
      InboxItem item;
      bool kept = false;
      if (value != change.end() && value->is_object()) {
        if (object == "page" && field == "feed") kept = FeedComment(*value, page_id, &item);
        if (object == "instagram" && field == "comments")
          kept = InstagramComment(*value, page_id, time, &item);
      }
      if (!kept) {
        ++d.skipped;
        continue;
      }
      if (item.created_at == 0) item.created_at = time;
      item.dedupe_key = Key(object, item, field, item.created_at);
      d.items.push_back(std::move(item));
    }
  }
  return d;
}

}  // namespace kontobot::meta
