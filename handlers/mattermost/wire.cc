#include "handlers/mattermost/wire.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

#include "bot/text.h"
#include "handlers/constant_time.h"
#include "handlers/http_server.h"
#include "handlers/json_fields.h"

namespace kontobot::mattermost {

using handlers::ObjectField;
using handlers::StringField;

namespace {

int64_t IntField(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return 0;
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::string Hex(const unsigned char* data, size_t n) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0xF]);
  }
  return out;
}

// The canonical text of a context: a JSON array of its fields in a fixed
// order, with a version, so that no two contexts read the same.
std::string Canonical(const ButtonContext& c) {
  return nlohmann::json::array(
             {"kb1", c.channel, c.message_id, c.marker, c.action, c.value, c.expires})
      .dump();
}

std::string Mac(const std::string& secret, const std::string& text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac.data(),
           &len) == nullptr)
    throw std::runtime_error("OpenSSL cannot make an HMAC-SHA256");
  return Hex(mac.data(), len);
}

// The fields of a signed context; false if one is missing or mistyped.
bool ReadContext(const nlohmann::json& j, ButtonContext& c, std::string& sig) {
  if (!j.is_object()) return false;
  for (const char* k : {"c", "k", "a", "v", "s"}) {
    if (!j.contains(k) || !j[k].is_string()) return false;
  }
  for (const char* k : {"m", "e"}) {
    if (!j.contains(k) || !j[k].is_number_integer()) return false;
  }
  c.channel = j["c"];
  c.message_id = j["m"];
  c.marker = j["k"];
  c.action = j["a"];
  c.value = j["v"];
  c.expires = j["e"];
  sig = j["s"];
  return true;
}

nlohmann::json Attachments(const store::StoredMessage& message, const std::string& channel,
                           const std::string& action_url, const std::string& secret,
                           int64_t expires) {
  nlohmann::json actions = nlohmann::json::array();
  for (size_t i = 0; i < message.buttons.size(); ++i) {
    const Button& b = message.buttons[i];
    ButtonContext c{channel, message.id, message.marker, b.id, b.value, expires};
    std::string style = b.style == "primary"  ? "primary"
                        : b.style == "danger" ? "danger"
                                              : "default";
    // Ids are letters and digits only: the server puts them in a URL.
    actions.push_back(
        {{"id", "kb" + std::to_string(i)},
         {"type", "button"},
         {"name", b.label.empty() ? b.id : b.label},
         {"style", style},
         {"integration", {{"url", action_url}, {"context", SignContext(c, secret)}}}});
  }
  if (actions.empty()) return nlohmann::json::array();
  return nlohmann::json::array({{{"text", ""}, {"actions", actions}}});
}

bool Blank(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

}  // namespace

std::optional<Post> ParsePost(const nlohmann::json& j) {
  Post p;
  p.id = StringField(j, "id");
  p.user_id = StringField(j, "user_id");
  p.channel_id = StringField(j, "channel_id");
  if (p.id.empty() || p.user_id.empty() || p.channel_id.empty()) return std::nullopt;
  p.root_id = StringField(j, "root_id");
  p.message = StringField(j, "message");
  p.type = StringField(j, "type");
  p.create_at = IntField(j, "create_at");
  p.update_at = IntField(j, "update_at");
  p.original = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return p;
}

SocketEvent ParseSocketEvent(std::string_view text) {
  SocketEvent e;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return e;
  if (j.contains("seq_reply")) {
    e.kind = SocketEvent::Kind::kReply;
    e.status = StringField(j, "status");
    e.seq_reply = IntField(j, "seq_reply");
    return e;
  }
  e.event = StringField(j, "event");
  if (e.event.empty()) return e;
  if (j.contains("seq") && j["seq"].is_number_integer()) e.seq = j["seq"];
  const nlohmann::json& data = ObjectField(j, "data");
  if (e.event == "hello") {
    e.kind = SocketEvent::Kind::kHello;
    return e;
  }
  if (e.event != "posted") {
    e.kind = SocketEvent::Kind::kOther;
    return e;
  }
  // data.post is the post as JSON text (§10): parsed a second time.
  std::string inner = StringField(data, "post");
  std::optional<Post> post = ParsePost(nlohmann::json::parse(inner, nullptr, false));
  if (!post) return e;  // kInvalid
  e.kind = SocketEvent::Kind::kPosted;
  e.channel_type = StringField(data, "channel_type");
  e.post = *post;
  return e;
}

std::vector<Post> ParsePostList(std::string_view body) {
  std::vector<Post> out;
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  const nlohmann::json& posts = ObjectField(j, "posts");
  if (!j.is_object() || !j.contains("order") || !j["order"].is_array()) return out;
  for (const auto& id : j["order"]) {
    if (!id.is_string()) continue;
    auto p = posts.find(id.get<std::string>());
    if (p == posts.end()) continue;
    if (std::optional<Post> post = ParsePost(*p)) out.push_back(*post);
  }
  // The answer lists the newest first; they are processed in the order written.
  std::stable_sort(out.begin(), out.end(),
                   [](const Post& a, const Post& b) { return a.create_at < b.create_at; });
  return out;
}

std::vector<std::string> DirectChannelIds(const nlohmann::json& channels,
                                          const std::string& bot_user_id) {
  std::vector<std::string> out;
  if (!channels.is_array()) return out;
  std::string self = bot_user_id;  // the bot's DM with itself
  self.append("__").append(bot_user_id);
  for (const auto& c : channels) {
    std::string id = StringField(c, "id");
    if (id.empty() || StringField(c, "type") != "D" || IntField(c, "delete_at") != 0 ||
        StringField(c, "name") == self)
      continue;
    out.push_back(id);
  }
  return out;
}

bool IsPersonsDirectMessage(const Post& post, const std::string& channel_type,
                            const std::string& bot_user_id) {
  return channel_type == "D" && post.user_id != bot_user_id && post.type.empty();
}

ActionRequest ParseActionRequest(std::string_view body) {
  ActionRequest r;
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) {
    r.error = "the body is not a JSON object";
    return r;
  }
  r.user_id = StringField(j, "user_id");
  r.user_name = StringField(j, "user_name");
  r.channel_id = StringField(j, "channel_id");
  r.post_id = StringField(j, "post_id");
  r.trigger_id = StringField(j, "trigger_id");
  r.context = ObjectField(j, "context");
  if (r.user_id.empty() || r.channel_id.empty() || r.post_id.empty()) {
    r.error = "an action request needs user_id, channel_id and post_id";
    return r;
  }
  r.valid = true;
  return r;
}

DialogSubmission ParseDialogSubmission(std::string_view body) {
  DialogSubmission d;
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || StringField(j, "type") != "dialog_submission") {
    d.error = "not a dialog submission";
    return d;
  }
  d.user_id = StringField(j, "user_id");
  d.channel_id = StringField(j, "channel_id");
  d.callback_id = StringField(j, "callback_id");
  d.state = StringField(j, "state");
  d.cancelled = j.contains("cancelled") && j["cancelled"].is_boolean() && j["cancelled"];
  d.submission = ObjectField(j, "submission");
  if (d.user_id.empty() || d.state.empty()) {
    d.error = "a dialog submission needs user_id and state";
    return d;
  }
  d.valid = true;
  return d;
}

SlashCommand ParseSlashCommand(std::string_view form) {
  SlashCommand s;
  std::map<std::string, std::string> f = handlers::ParseQuery(std::string(form));
  auto get = [&f](const char* k) {
    auto it = f.find(k);
    return it == f.end() ? std::string() : it->second;
  };
  s.token = get("token");
  s.user_id = get("user_id");
  s.channel_id = get("channel_id");
  s.command = get("command");
  s.text = get("text");
  s.trigger_id = get("trigger_id");
  if (s.user_id.empty() || s.channel_id.empty()) {
    s.error = "a slash command needs user_id and channel_id";
    return s;
  }
  s.valid = true;
  return s;
}

bool SlashTokenMatches(const std::string& authorization, const std::string& form_token,
                       const std::string& expected) {
  if (expected.empty()) return false;
  std::string_view given(authorization);
  if (given.rfind("Token ", 0) == 0) {
    given.remove_prefix(6);
  } else if (given.rfind("Bearer ", 0) == 0) {
    given.remove_prefix(7);
  } else {
    return false;
  }
  bool header = handlers::SameSecret(given, expected);
  bool field = form_token.empty() || handlers::SameSecret(form_token, expected);
  return header && field;
}

nlohmann::json SignContext(const ButtonContext& c, const std::string& secret) {
  return {{"c", c.channel},
          {"m", c.message_id},
          {"k", c.marker},
          {"a", c.action},
          {"v", c.value},
          {"e", c.expires},
          {"s", Mac(secret, Canonical(c))}};
}

ContextCheck CheckContext(const nlohmann::json& context, const std::string& secret,
                          const std::string& channel, int64_t now, ButtonContext& out) {
  ButtonContext c;
  std::string sig;
  if (!ReadContext(context, c, sig)) return ContextCheck::kMalformed;
  if (!handlers::SameSecret(sig, Mac(secret, Canonical(c)))) return ContextCheck::kForged;
  if (now > c.expires) return ContextCheck::kExpired;
  if (channel != c.channel) return ContextCheck::kWrongChannel;
  out = std::move(c);
  return ContextCheck::kValid;
}

std::string SignState(const ButtonContext& context, const std::string& secret) {
  return SignContext(context, secret).dump();
}

ContextCheck CheckState(const std::string& state, const std::string& secret,
                        const std::string& channel, int64_t now, ButtonContext& out) {
  return CheckContext(nlohmann::json::parse(state, nullptr, false), secret, channel, now, out);
}

std::string EscapeMarkdown(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  bool line_start = true;
  bool in_bold = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      out += c;
      line_start = true;
      continue;
    }
    bool word_start = i == 0 || Blank(text[i - 1]);
    if (c == '*') {
      // Our own markup: *bold* (typed asterisks are ∗ already, bot/text.h).
      out += "**";
      in_bold = !in_bold;
    } else if (c == '@' && word_start) {
      out += "@\u200d";  // no @channel, @all, @here, nor anyone's mention
    } else if (std::string_view("\\`_~[]<>#|").find(c) != std::string_view::npos ||
               (line_start && (c == '-' || c == '+') && i + 1 < text.size() &&
                text[i + 1] == ' ')) {  // markup, or a list item's marker
      out += '\\';
      out += c;
    } else if (line_start && std::isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
      out.append(text, i, j - i);
      if (j < text.size() && (text[j] == '.' || text[j] == ')')) {
        out += '\\';  // not a numbered list
        out += text[j];
        ++j;
      }
      i = j - 1;
    } else {
      out += c;
    }
    if (!Blank(c)) line_start = false;
  }
  if (in_bold) out += "**";  // an unpaired one must not run on into the next post
  return out;
}

std::vector<std::string> SplitText(std::string_view text, size_t max) {
  std::vector<std::string> out;
  auto push = [&out](std::string_view piece) {
    size_t b = 0, e = piece.size();
    while (b < e && Blank(piece[b])) ++b;
    while (e > b && Blank(piece[e - 1])) --e;
    if (e > b) out.emplace_back(piece.substr(b, e - b));
  };
  while (text.size() > max) {
    std::string_view head = Utf8Prefix(text, max);
    size_t cut = head.rfind('\n');
    if (cut == std::string_view::npos || cut < head.size() / 2) {
      size_t space = head.rfind(' ');
      cut = space != std::string_view::npos && space > head.size() / 2 ? space : head.size();
    }
    if (cut == 0) cut = head.empty() ? std::min(text.size(), size_t{1}) : head.size();
    push(text.substr(0, cut));
    text.remove_prefix(cut);
  }
  push(text);
  return out;
}

std::vector<nlohmann::json> PostBodies(const store::StoredMessage& message,
                                       const std::string& channel, const std::string& action_url,
                                       const std::string& secret, int64_t expires,
                                       const std::string& pending_post_id, size_t max_bytes) {
  std::vector<std::string> texts = SplitText(EscapeMarkdown(message.text), max_bytes);
  if (texts.empty()) texts.emplace_back();
  std::vector<nlohmann::json> posts;
  for (size_t i = 0; i < texts.size(); ++i) {
    bool last = i + 1 == texts.size();
    // Our key in the post, so that a post whose answer was lost can be
    // found in the channel (the server's own de-duplication lasts 30 s).
    std::string key = last ? pending_post_id : pending_post_id + ":" + std::to_string(i);
    nlohmann::json props{{"kb", key}};
    if (last) {
      nlohmann::json attachments = Attachments(message, channel, action_url, secret, expires);
      if (!attachments.empty()) props["attachments"] = attachments;
    }
    posts.push_back({{"channel_id", channel},
                     {"message", texts[i]},
                     {"props", props},
                     {"pending_post_id", key}});
  }
  return posts;
}

nlohmann::json PatchBody(const store::StoredMessage& message, const std::string& channel,
                         const std::string& action_url, const std::string& secret, int64_t expires,
                         size_t max_bytes) {
  std::string text = EscapeMarkdown(message.text);
  if (text.size() > max_bytes) {
    text = std::string(Utf8Prefix(text, max_bytes - 3)) + "\u2026";
  }
  // props replaces the whole map (§9): with no buttons left, none remain.
  return {{"message", text},
          {"props", {{"attachments", Attachments(message, channel, action_url, secret, expires)}}}};
}

std::string PendingPostId(int64_t outbox_id, const store::StoredMessage& message) {
  return "kb-" + std::to_string(outbox_id) + "-" + std::to_string(message.id) + "-" +
         (message.marker.empty() ? "0" : message.marker);
}

}  // namespace kontobot::mattermost
