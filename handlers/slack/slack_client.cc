#include "handlers/slack/slack_client.h"

#include <array>
#include <cctype>
#include <set>
#include <string_view>

#include <cpprest/http_client.h>

#include "bot/text.h"
#include "handlers/api_call.h"

namespace kontobot::slack {

std::string CallResult::error() const {
  if (!unsendable.empty()) return unsendable;
  if (!transport_error.empty()) return transport_error;
  if (body.is_object() && body.contains("error")) return body["error"].get<std::string>();
  return "http " + std::to_string(status);
}

bool CallResult::retryable() const {
  if (!unsendable.empty()) return false;
  if (status == 0 || status == 429 || status >= 500) return true;
  static const std::set<std::string> kTransient{"ratelimited",         "rate_limited",
                                                "internal_error",      "fatal_error",
                                                "service_unavailable", "request_timeout"};
  return status == 200 && !ok() && kTransient.count(error()) > 0;
}

Client::Client(std::string base, std::string token, std::chrono::milliseconds deadline)
    : base_(std::move(base)), token_(std::move(token)), deadline_(deadline) {}

Client::~Client() = default;

web::http::client::http_client& Client::Http() const {
  std::call_once(once_, [this] {
    http_ = std::make_unique<web::http::client::http_client>(base_,
                                                             handlers::ApiClientConfig(deadline_));
  });
  return *http_;
}

namespace {

CallResult Send(web::http::client::http_client& http, const web::http::http_request& req,
                std::chrono::milliseconds deadline) {
  handlers::ApiAnswer a = handlers::CallWithDeadline(http, req, deadline);
  CallResult r;
  r.status = a.status;
  r.transport_error = std::move(a.transport_error);
  if (a.retry_after) {
    try {
      r.retry_after = std::chrono::seconds(std::stoll(*a.retry_after));
    } catch (const std::exception&) {
      r.retry_after = std::chrono::seconds(1);
    }
  }
  if (r.status != 0) {
    r.body = nlohmann::json::parse(a.body, nullptr, false);
    if (r.body.is_discarded()) r.body = nullptr;
  }
  return r;
}

}  // namespace

CallResult Client::Call(const std::string& method, const nlohmann::json& args) const {
  std::string body;
  try {
    body = args.dump();
  } catch (const nlohmann::json::exception& e) {  // not UTF-8: retrying cannot help
    CallResult r;
    r.unsendable = std::string("the call cannot be serialised: ") + e.what();
    return r;
  }
  try {
    web::http::http_request req(web::http::methods::POST);
    req.set_request_uri(method);
    req.headers().add("Authorization", "Bearer " + token_);
    // Write methods are not idempotent (chat.postMessage): the library must
    // not send one twice by itself (handlers/api_call.h).
    handlers::OneShotBody(req, body, "application/json; charset=utf-8");
    return Send(Http(), req, deadline_);
  } catch (const std::exception& e) {  // a bad base URL
    CallResult r;
    r.transport_error = e.what();
    return r;
  }
}

CallResult Client::Get(const std::string& method,
                       const std::map<std::string, std::string>& args) const {
  try {
    web::uri_builder uri(method);
    for (const auto& [k, v] : args) uri.append_query(k, v, true);
    web::http::http_request req(web::http::methods::GET);
    req.set_request_uri(uri.to_uri());
    req.headers().add("Authorization", "Bearer " + token_);
    return Send(Http(), req, deadline_);
  } catch (const std::exception& e) {
    CallResult r;
    r.transport_error = e.what();
    return r;
  }
}

namespace {

// Slack's limits (Block Kit reference) are in characters; kept here in
// bytes, which are never fewer.
constexpr size_t kSectionBytes = 3000;                  // a section's text
constexpr size_t kMaxBlocks = 50;                       // blocks in one message
constexpr size_t kSectionsPerPart = 49;                 // leaves a block for the buttons
constexpr size_t kButtonsPerBlock = 25;                 // elements of an actions block
constexpr size_t kLabelBytes = 75;                      // a button's text
constexpr size_t kFallbackBytes = 3000;                 // our cut of `text`, the notification
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // …
constexpr std::string_view kSoftHyphen = "\xC2\xAD";    // U+00AD, invisible

bool Blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Bytes of the punctuation around an address in running text ("(x@y.se)",
// ”www.x.se”.) that is not part of it: 0 if `s` does not start with one.
size_t OpeningMark(std::string_view s) {
  for (std::string_view m : {"(", "[", "\"", "'", "<", "*", "\xE2\x80\x9C", "\xE2\x80\x9D",
                             "\xE2\x80\x98", "\xE2\x80\x99", "\xC2\xAB", "\xC2\xBB"}) {
    if (s.substr(0, m.size()) == m) return m.size();
  }
  return 0;
}
size_t ClosingMark(std::string_view s) {
  for (std::string_view m :
       {".", ",", ";", ":", "!", "?", ")", "]", "\"", "'", ">", "*", "\xE2\x80\x9C", "\xE2\x80\x9D",
        "\xE2\x80\x98", "\xE2\x80\x99", "\xC2\xAB", "\xC2\xBB"}) {
    if (s.size() >= m.size() && s.substr(s.size() - m.size()) == m) return m.size();
  }
  return 0;
}

bool StartsNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() <= prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// Where in `token` (no blanks) a web or e-mail address is: [begin, end),
// empty if there is none.
std::pair<size_t, size_t> AddressIn(std::string_view token) {
  size_t b = 0, e = token.size();
  while (b < e) {
    size_t n = OpeningMark(token.substr(b, e - b));
    if (n == 0) break;
    b += n;
  }
  while (e > b) {
    size_t n = ClosingMark(token.substr(b, e - b));
    if (n == 0) break;
    e -= n;
  }
  std::string_view core = token.substr(b, e - b);
  bool web = StartsNoCase(core, "http://") || StartsNoCase(core, "https://") ||
             StartsNoCase(core, "www.") || StartsNoCase(core, "mailto:");
  size_t at = core.find('@');
  bool email = at != std::string_view::npos && at > 0 &&
               core.find('@', at + 1) == std::string_view::npos &&
               core.find('.', at + 2) != std::string_view::npos;
  if (web || email) return {b, e};
  return {0, 0};
}

// Appends the escaped form of the character at `s[i]`; returns its length.
size_t AppendEscaped(std::string& out, std::string_view s, size_t i, bool in_address) {
  struct Swap {
    std::string_view from, to;
    bool everywhere;  // also inside addresses
  };
  static constexpr std::array<Swap, 9> kSwaps{{
      {"&", "&amp;", true},
      {"<", "&lt;", true},
      {">", "&gt;", true},
      {"_", "\xCB\x8D", false},                 // ˍ U+02CD
      {"~", "\xE2\x88\xBC", false},             // ∼ U+223C
      {"`", "\xCB\x8B", false},                 // ˋ U+02CB
      {"\xEF\xBC\x8A", "\xEF\xB9\xA1", false},  // ＊ -> ﹡ U+FE61
      {"\xEF\xBC\xBF", "\xE2\xB8\x8F", false},  // ＿ -> ⸏ U+2E0F
      {"\xEF\xBD\x80", "\xCB\x8B", false},      // ｀ -> ˋ
  }};
  std::string_view rest = s.substr(i);
  for (const Swap& w : kSwaps) {
    if ((w.everywhere || !in_address) && rest.substr(0, w.from.size()) == w.from) {
      out += w.to;
      return w.from.size();
    }
  }
  out += s[i];
  return 1;
}

// Slack quotes a line that starts with > (sent as &gt;) or ＞.
bool StartsQuote(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  line.remove_prefix(i);
  return line.substr(0, 4) == "&gt;" || line.substr(0, 3) == "\xEF\xBC\x9E";
}

// Where to cut `line` to at most `max` bytes: at its last space (dropped)
// if that leaves the first piece at least half full, else between two
// characters, never inside an entity (&amp;). Returns
// the end of the first piece and the start of the rest.
std::pair<size_t, size_t> CutPoint(std::string_view line, size_t max) {
  std::string_view head = Utf8Prefix(line, max);
  size_t space = head.rfind(' ');
  if (space != std::string_view::npos && space > head.size() / 2) return {space, space + 1};
  size_t cut = head.size();
  size_t amp = head.rfind('&');
  if (amp != std::string_view::npos && amp > 0 && cut - amp < 5 &&
      head.find(';', amp) == std::string_view::npos) {
    cut = amp;
  }
  return {cut, cut};
}

// Splits mrkdwn `text` into pieces of at most `max` bytes (see MessageParts),
// none of them blank, none starting a quote.
std::vector<std::string> SplitSections(std::string_view text, size_t max) {
  std::vector<std::string> out;
  std::string chunk;
  auto flush = [&] {
    size_t b = 0, e = chunk.size();
    while (b < e && Blank(chunk[b])) ++b;
    while (e > b && Blank(chunk[e - 1])) --e;
    if (e > b) {
      std::string piece = chunk.substr(b, e - b);
      if (StartsQuote(piece)) piece = std::string(kSoftHyphen) + piece;
      out.push_back(std::move(piece));
    }
    chunk.clear();
  };
  const size_t room = max - kSoftHyphen.size();  // for a guard a piece may get
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (chunk.size() + 1 + line.size() <= room) {
      if (!chunk.empty()) chunk += '\n';
      chunk += line;
      continue;
    }
    flush();
    while (line.size() > room) {
      auto [end, next] = CutPoint(line, room);
      chunk = std::string(line.substr(0, end));
      flush();
      line.remove_prefix(next);
    }
    chunk = std::string(line);
  }
  flush();
  return out;
}

// `text` cut to at most `max` bytes at a clean point, marked with "…".
std::string Shortened(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = CutPoint(text, max - kEllipsis.size()).first;
  return std::string(text.substr(0, end)) + std::string(kEllipsis);
}

}  // namespace

std::string EscapeMrkdwn(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  bool line_start = true;
  size_t i = 0;
  while (i < text.size()) {
    if (Blank(text[i])) {
      if (text[i] == '\n') line_start = true;
      out += text[i++];
      continue;
    }
    size_t end = i;
    while (end < text.size() && !Blank(text[end])) ++end;
    std::string_view token(text.data() + i, end - i);
    if (line_start && (token.front() == '>' || token.substr(0, 3) == "\xEF\xBC\x9E"))
      out += kSoftHyphen;
    line_start = false;
    auto [b, e] = AddressIn(token);
    for (size_t k = 0; k < token.size();) k += AppendEscaped(out, token, k, k >= b && k < e);
    i = end;
  }
  return out;
}

std::string BlockMarker(const store::StoredMessage& m) {
  std::string marker = "kb:" + std::to_string(m.id);
  if (!m.marker.empty()) marker += "." + m.marker;
  return marker;
}

std::string ContinuationMarker(const store::StoredMessage& m, size_t part) {
  return BlockMarker(m) + "+" + std::to_string(part);
}

std::vector<nlohmann::json> MessageParts(const store::StoredMessage& m, MessageUse use) {
  std::vector<std::string> sections = SplitSections(EscapeMrkdwn(m.text), kSectionBytes);
  const size_t buttons = std::min(m.buttons.size(), (kMaxBlocks - 1) * kButtonsPerBlock);
  const size_t action_blocks = (buttons + kButtonsPerBlock - 1) / kButtonsPerBlock;
  // The last message holds at most `last` sections beside the buttons. A
  // post's holds no more than the others (49), an update's one more when
  // it has no buttons: a decision appended may need a section of its own,
  // and the update must still fit in the message the post's last one was.
  size_t last = kMaxBlocks - action_blocks;
  if (use == MessageUse::kPost) last = std::min(last, kSectionsPerPart);
  const size_t n = sections.size() <= last
                       ? 1
                       : 1 + (sections.size() - last + kSectionsPerPart - 1) / kSectionsPerPart;

  std::vector<nlohmann::json> parts;
  for (size_t k = 0; k < n; ++k) {
    const bool last_part = k + 1 == n;
    const std::string marker = last_part ? BlockMarker(m) : ContinuationMarker(m, k);
    const size_t from = k * kSectionsPerPart;
    const size_t to = last_part ? sections.size() : from + kSectionsPerPart;
    nlohmann::json blocks = nlohmann::json::array();
    std::string all;
    for (size_t i = from; i < to; ++i) {
      blocks.push_back({{"type", "section"},
                        {"block_id", marker + ":t" + std::to_string(i)},
                        {"text", {{"type", "mrkdwn"}, {"text", sections[i]}}}});
      if (all.size() <= kFallbackBytes) all += (all.empty() ? "" : "\n") + sections[i];
    }
    if (last_part) {
      for (size_t j = 0; j < action_blocks; ++j) {
        nlohmann::json elements = nlohmann::json::array();
        for (size_t i = j * kButtonsPerBlock; i < buttons && i < (j + 1) * kButtonsPerBlock; ++i) {
          const Button& b = m.buttons[i];
          std::string label =
              b.label.size() <= kLabelBytes
                  ? b.label
                  : std::string(Utf8Prefix(b.label, kLabelBytes - kEllipsis.size())) +
                        std::string(kEllipsis);
          nlohmann::json e{{"type", "button"},
                           {"action_id", b.id + ":" + std::to_string(i)},
                           {"value", b.value.empty() ? "-" : b.value},
                           {"text", {{"type", "plain_text"}, {"text", label}, {"emoji", true}}}};
          if (b.style == "primary" || b.style == "danger") e["style"] = b.style;
          elements.push_back(e);
        }
        blocks.push_back({{"type", "actions"},
                          {"block_id", j == 0 ? marker : marker + ":a" + std::to_string(j)},
                          {"elements", elements}});
      }
    }
    // `text` is the notification and accessibility fallback.
    parts.push_back({{"text", Shortened(all, kFallbackBytes)}, {"blocks", blocks}});
  }
  return parts;
}

}  // namespace kontobot::slack
