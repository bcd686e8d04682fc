#include "handlers/meta/graph.h"

#include <algorithm>
#include <array>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kontobot::meta {

namespace {

// application/x-www-form-urlencoded: unreserved characters as they are,
// everything else (UTF-8 bytes included) as %XX.
std::string FormEncode(const std::string& s) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Graph's ids are digits and underscores ("123_456"); anything else would
// change the path.
bool PlainId(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           c == '-' || c == '.';
  });
}

int IntOf(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return 0;
  if (it->is_number_integer()) return it->get<int>();
  if (it->is_string()) {
    try {
      return std::stoi(it->get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

std::optional<std::chrono::seconds> Seconds(const std::optional<std::string>& header) {
  if (!header) return std::nullopt;
  try {
    long long s = std::stoll(*header);
    if (s < 0) return std::nullopt;
    return std::chrono::seconds(std::min<long long>(s, 3600));
  } catch (const std::exception&) {
    return std::nullopt;  // an HTTP date: the sender's own backoff
  }
}

// Temporary errors and rate limits (Graph API "Handling errors" and
// "Rate limiting"): 1 API unknown, 2 service, 4 app rate limit, 17 user
// rate limit, 32 page rate limit, 341 application limit, 613 calls
// exceeded the rate.
bool Temporary(int code) {
  static constexpr std::array<int, 7> kCodes{1, 2, 4, 17, 32, 341, 613};
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

}  // namespace

std::optional<GraphRequest> BuildCommentRequest(CommentAction action, const std::string& source,
                                                const std::string& comment_id,
                                                const std::string& message,
                                                const std::string& token) {
  if (!PlainId(comment_id) || token.empty()) return std::nullopt;
  const bool instagram = source == "instagram";
  if (!instagram && source != "facebook") return std::nullopt;
  GraphRequest r;
  if (action == CommentAction::kReply) {
    if (message.empty()) return std::nullopt;
    r.path = "/" + comment_id + (instagram ? "/replies" : "/comments");
    r.body = "message=" + FormEncode(message);
  } else {
    r.path = "/" + comment_id;
    r.body = instagram ? "hide=true" : "is_hidden=true";
  }
  r.body += "&access_token=" + FormEncode(token);
  return r;
}

GraphOutcome ClassifyGraphAnswer(int status, const std::string& body,
                                 const std::string& transport_error,
                                 const std::optional<std::string>& retry_after) {
  GraphOutcome o;
  o.retry_after = Seconds(retry_after);
  if (status == 0) {
    o.verdict = GraphVerdict::kRetry;
    o.uncertain = true;
    o.error = "no answer from Graph: " + transport_error;
    return o;
  }
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (status >= 200 && status < 300) {
    o.verdict = GraphVerdict::kDone;
    if (j.is_object()) {
      if (auto id = j.find("id"); id != j.end() && id->is_string()) o.id = id->get<std::string>();
    }
    return o;
  }
  std::string type;
  std::string message;
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const nlohmann::json& e = j["error"];
    o.code = IntOf(e, "code");
    o.subcode = IntOf(e, "error_subcode");
    if (e.contains("type") && e["type"].is_string()) type = e["type"].get<std::string>();
    if (e.contains("message") && e["message"].is_string())
      message = e["message"].get<std::string>();
  }
  o.error = "Graph answered " + std::to_string(status) + " (code " + std::to_string(o.code) +
            (o.subcode != 0 ? "/" + std::to_string(o.subcode) : "") +
            (type.empty() ? "" : ", " + type) + (message.empty() ? "" : ": " + message) + ")";
  if (status >= 500 || status == 429 || Temporary(o.code)) {
    o.verdict = GraphVerdict::kRetry;
    o.uncertain = status >= 500;
  } else if (o.code == 190) {
    o.verdict = GraphVerdict::kTokenExpired;
  } else if (o.code == 100 &&
             (o.subcode == 33 || message.find("does not exist") != std::string::npos)) {
    o.verdict = GraphVerdict::kGone;
  } else if (o.code == 10 || (o.code >= 200 && o.code <= 299)) {
    o.verdict = GraphVerdict::kNotAllowed;
  } else {
    o.verdict = GraphVerdict::kRefused;
  }
  return o;
}

}  // namespace kontobot::meta
