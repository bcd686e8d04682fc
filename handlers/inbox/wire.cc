#include "handlers/inbox/wire.h"

#include <charconv>
#include <ctime>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "handlers/constant_time.h"
#include "handlers/hmac.h"

namespace kontobot::inbox {

namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "2026-05-04T09:11:58Z" as Unix seconds; 0 if it is not such a time.
int64_t Rfc3339Utc(const std::string& s) {
  std::tm tm{};
  std::istringstream in(s);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

std::optional<std::string> SecretKey(const std::string& secret) {
  constexpr std::string_view kPrefix = "whsec_";
  std::string_view b64 = secret;
  if (b64.substr(0, kPrefix.size()) == kPrefix) b64.remove_prefix(kPrefix.size());
  auto key = handlers::FromBase64(b64);
  if (!key || key->empty()) return std::nullopt;
  return key;
}

std::string Sign(const std::string& key, const std::string& id, const std::string& timestamp,
                 const std::string& body) {
  return "v1," + handlers::Base64(handlers::HmacSha256(key, {id, ".", timestamp, ".", body}));
}

SignatureCheck Verify(const std::string& key, const std::string& id, const std::string& timestamp,
                      const std::string& signatures, const std::string& body, int64_t now) {
  if (key.empty() || id.empty() || timestamp.empty() || signatures.empty())
    return SignatureCheck::kMissing;
  int64_t ts = 0;
  auto [p, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (ec != std::errc() || p != timestamp.data() + timestamp.size())
    return SignatureCheck::kMismatch;
  // Compared without subtracting: now - ts overflows for extreme values.
  constexpr int64_t kTolerance = int64_t{60} * 5;
  if (ts < now - kTolerance || ts > now + kTolerance) return SignatureCheck::kStale;
  const std::string expected = Sign(key, id, timestamp, body);
  // Every v1 entry is compared (no early exit), so the time taken says
  // nothing of which one matched.
  bool match = false;
  size_t at = 0;
  while (at <= signatures.size()) {
    size_t end = signatures.find(' ', at);
    if (end == std::string::npos) end = signatures.size();
    std::string_view one(signatures.data() + at, end - at);
    if (one.substr(0, 3) == "v1,") match = handlers::SameSecret(one, expected) || match;
    at = end + 1;
  }
  return match ? SignatureCheck::kValid : SignatureCheck::kMismatch;
}

Event Parse(const std::string& body, const std::string& webhook_id) {
  Event e;
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    e.error = "the body is not a JSON object";
    return e;
  }
  std::string type = Str(j, "type");
  if (type.empty()) {
    e.error = "the event has no type";
    return e;
  }
  if (type != "inbox.item.created") {
    e.kind = Event::Kind::kSkip;
    return e;
  }
  auto data = j.find("data");
  if (data == j.end() || !data->is_object()) {
    e.error = "the event has no data object";
    return e;
  }
  InboxItem& item = e.item;
  item.source = Str(*data, "source");
  item.page_id = Str(*data, "account_ref");
  item.external_id = Str(*data, "external_id");
  if (item.source.empty() || item.page_id.empty() || item.external_id.empty()) {
    e.error = "data needs source, account_ref and external_id";
    return e;
  }
  item.thread_id = Str(*data, "thread_external_id");
  std::string kind = Str(*data, "kind");
  item.kind = kind == "message" || kind == "mention" || kind == "email" ? kind : "comment";
  if (auto author = data->find("author"); author != data->end() && author->is_object()) {
    item.author_id = Str(*author, "id");
    item.author_name = Str(*author, "display");
  }
  item.text = Str(*data, "text");
  item.permalink = Str(*data, "permalink");
  item.created_at = Rfc3339Utc(Str(*data, "received_at"));
  if (item.created_at == 0) item.created_at = Rfc3339Utc(Str(j, "timestamp"));
  item.dedupe_key = webhook_id;
  e.kind = Event::Kind::kItem;
  return e;
}

}  // namespace kontobot::inbox
