#include "handlers/webchat/webchat.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bot/approval.h"
#include "store/clock_format.h"

namespace kontobot::webchat {
extern const std::map<std::string, std::string_view> kAssets;
}  // namespace kontobot::webchat

namespace kontobot::handlers {
namespace {

constexpr int kMaxMessages = 500;

nlohmann::json MessageJson(const store::StoredMessage& m) {
  nlohmann::json buttons = nlohmann::json::array();
  for (const Button& b : m.buttons) {
    buttons.push_back({{"id", b.id}, {"value", b.value}, {"label", b.label}, {"style", b.style}});
  }
  return {{"id", m.id},
          {"at", store::FormatUtc(m.at)},
          {"direction", m.direction},
          {"text", m.text},
          {"buttons", buttons},
          {"input", m.input},
          {"edited_at",
           m.edited_at ? nlohmann::json(store::FormatUtc(*m.edited_at)) : nlohmann::json()}};
}

Response MessagesResponse(const std::vector<store::StoredMessage>& messages,
                          std::optional<int64_t> cursor = std::nullopt) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : messages) out.push_back(MessageJson(m));
  nlohmann::json body{{"messages", out}};
  if (cursor) body["cursor"] = *cursor;
  return Response::Json(200, body.dump());
}

}  // namespace

std::optional<int64_t> ParseMessageId(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

bool ValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

PostedMessage ParsePostedMessage(const std::string& body) {
  PostedMessage out;
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    out.error_code = "bad_json";
    return out;
  }
  out.error_code = "bad_request";
  if (!j.is_object() || !j.contains("person") || !j["person"].is_string()) return out;
  out.person = j["person"].get<std::string>();
  if (j.contains("action")) {
    const auto& a = j["action"];
    if (!a.is_object() || !a.contains("id") || !a["id"].is_string() ||
        (a.contains("value") && !a["value"].is_string()) || !j.contains("message_id") ||
        !j["message_id"].is_number_integer()) {
      return out;
    }
    out.is_action = true;
    out.action = a["id"].get<std::string>();
    out.value = a.contains("value") ? a["value"].get<std::string>() : "";
    out.message_id = j["message_id"].get<int64_t>();
  } else {
    if (!j.contains("text") || !j["text"].is_string()) return out;
    out.text = j["text"].get<std::string>();
    if (Trim(out.text).empty() || out.text.size() > kMaxText || !ValidUtf8(out.text)) {
      out.error_code = "bad_text";
      return out;
    }
  }
  out.error_code.clear();
  return out;
}

std::vector<std::string> WebChatAuthorities(const std::string& listen_host, uint16_t port,
                                            const std::string& public_host) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::vector<std::string> hosts{"localhost", "127.0.0.1", "[::1]"};
  std::string own =
      lower(listen_host.find(':') != std::string::npos ? "[" + listen_host + "]" : listen_host);
  if (std::find(hosts.begin(), hosts.end(), own) == hosts.end()) hosts.push_back(own);
  std::vector<std::string> out;
  for (const std::string& h : hosts) {
    out.push_back(h + ":" + std::to_string(port));
    if (port == 80) out.push_back(h);
  }
  if (!public_host.empty()) out.push_back(lower(public_host));
  return out;
}

std::string WebChatRefusal(const Request& request, WebChatAccess access,
                           const std::vector<std::string>& authorities) {
  auto header = [&](const char* name) -> std::optional<std::string> {
    auto it = request.headers.find(name);
    if (it == request.headers.end()) return std::nullopt;
    std::string v = Trim(it->second);
    for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return v;
  };
  auto ours = [&](const std::string& authority) {
    return std::find(authorities.begin(), authorities.end(), authority) != authorities.end();
  };
  auto host = header("host");
  if (!host || !ours(*host)) return "forbidden_host";
  if (auto origin = header("origin")) {
    bool allowed = false;
    for (std::string_view scheme : {"http://", "https://"}) {
      if (origin->starts_with(scheme) && ours(origin->substr(scheme.size()))) allowed = true;
    }
    if (!allowed) return "forbidden_origin";
  }
  if (access != WebChatAccess::kPage) {
    auto site = header("sec-fetch-site");
    if (site && *site != "same-origin" && *site != "none") return "forbidden_origin";
  }
  if (access == WebChatAccess::kWrite) {
    auto type = header("content-type").value_or("");
    if (Trim(type.substr(0, type.find(';'))) != "application/json") return "unsupported_media_type";
  }
  return "";
}

WebChat::WebChat(app::ConversationService& service, const Directory& directory,
                 const Catalog& catalog, std::vector<std::string> authorities,
                 const SignIn& sign_in)
    : service_(service),
      directory_(directory),
      catalog_(catalog),
      authorities_(std::move(authorities)),
      sign_in_(sign_in) {}

Handler WebChat::Guarded(WebChatAccess access, PersonalHandler handler) const {
  return [this, access, handler = std::move(handler)](const Request& r) {
    // Sign-in first: who may not use the web chat at all learns nothing
    // from the checks below.
    const Person* signed_in = nullptr;
    if (sign_in_.enabled()) {
      signed_in = sign_in_.Check(r).person;
      if (signed_in == nullptr) {
        return Response::Error(401, "not_signed_in",
                               catalog_.Render(Lang::kSv, "api.not_signed_in"));
      }
    }
    std::string refusal = WebChatRefusal(r, access, authorities_);
    if (refusal.empty()) return handler(r, signed_in);
    Vars vars{{"address", authorities_.front()}};
    return Response::Error(refusal == "unsupported_media_type" ? 415 : 403, refusal,
                           catalog_.Render(Lang::kSv, "api." + refusal, vars));
  };
}

const Person* WebChat::Acting(const std::optional<std::string>& named, const Person* signed_in,
                              Response& refusal) const {
  if (signed_in != nullptr) {
    if (!named || *named == signed_in->id) return signed_in;
    refusal =
        Response::Error(403, "not_your_chat", catalog_.Render(Lang::kSv, "api.not_your_chat"));
    return nullptr;
  }
  const Person* person = named ? directory_.Find(*named) : nullptr;
  if (person == nullptr) {
    refusal =
        Response::Error(404, "unknown_person", catalog_.Render(Lang::kSv, "api.unknown_person"));
  }
  return person;
}

void WebChat::RegisterRoutes(HttpServer& server) {
  using enum WebChatAccess;
  auto page = [this](const char* name) {
    return Guarded(kPage, [this, name](const Request&, const Person*) { return Asset(name); });
  };
  server.Route("GET", "/", page("index.html"));
  server.Route("GET", "/index.html", page("index.html"));
  server.Route("GET", "/app.js", page("app.js"));
  server.Route("GET", "/style.css", page("style.css"));
  server.Route("GET", "/api/catalog",
               Guarded(kRead, [this](const Request& r, const Person*) { return Catalogue(r); }));
  server.Route("GET", "/api/session",
               Guarded(kRead, [this](const Request&, const Person* p) { return Session(p); }));
  // With sign-in there is nobody to pick: the directory is not served.
  if (!sign_in_.enabled()) {
    server.Route("GET", "/api/people",
                 Guarded(kRead, [this](const Request& r, const Person*) { return People(r); }));
  }
  server.Route("GET", "/api/messages", Guarded(kRead, [this](const Request& r, const Person* p) {
                 return GetMessages(r, p);
               }));
  server.Route("POST", "/api/messages", Guarded(kWrite, [this](const Request& r, const Person* p) {
                 return PostMessage(r, p);
               }));
}

Response WebChat::Asset(const std::string& name) const {
  auto it = webchat::kAssets.find(name);
  if (it == webchat::kAssets.end()) return Response::Error(404, "not_found", "No such file");
  Response r;
  r.body = std::string(it->second);
  if (name.ends_with(".html")) r.content_type = "text/html; charset=utf-8";
  if (name.ends_with(".js")) r.content_type = "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) r.content_type = "text/css; charset=utf-8";
  r.headers["Content-Security-Policy"] =
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
      "connect-src 'self'; frame-ancestors 'none'";
  r.headers["Referrer-Policy"] = "no-referrer";
  return r;
}

Response WebChat::Catalogue(const Request& request) const {
  auto q = request.query.find("lang");
  std::optional<Lang> lang = q == request.query.end() ? Lang::kSv : ParseLang(q->second);
  if (!lang) return Response::Error(400, "bad_lang", "lang must be sv or en");
  nlohmann::json messages = nlohmann::json::object();
  for (const auto& [k, v] : catalog_.WithPrefix(*lang, "webchat.")) messages[k] = v;
  return Response::Json(200,
                        nlohmann::json{{"lang", LangCode(*lang)}, {"messages", messages}}.dump());
}

namespace {
nlohmann::json PersonJson(const Person& p) {
  return {{"id", p.id}, {"name", p.name}, {"title", p.title}, {"unit", p.unit}, {"roles", p.roles}};
}
}  // namespace

Response WebChat::Session(const Person* signed_in) const {
  if (signed_in == nullptr) return Response::Json(200, R"({"sign_in":false})");
  nlohmann::json person = PersonJson(*signed_in);
  if (const Organisation* o = directory_.FindOrganisation(signed_in->org)) {
    person["org"] = {{"id", o->id}, {"name", o->name.sv}, {"name_en", o->name.en}};
  }
  return Response::Json(200, nlohmann::json{{"sign_in", true}, {"person", person}}.dump());
}

Response WebChat::People(const Request&) const {
  nlohmann::json orgs = nlohmann::json::array();
  for (const Organisation& o : directory_.organisations()) {
    nlohmann::json people = nlohmann::json::array();
    for (const Person& p : directory_.people()) {
      if (p.org == o.id) people.push_back(PersonJson(p));
    }
    orgs.push_back({{"id", o.id}, {"name", o.name.sv}, {"name_en", o.name.en}, {"people", people}});
  }
  return Response::Json(200, nlohmann::json{{"organisations", orgs}}.dump());
}

Response WebChat::GetMessages(const Request& request, const Person* signed_in) const {
  auto p = request.query.find("person");
  Response refusal;
  const Person* person =
      Acting(p == request.query.end() ? std::nullopt : std::optional<std::string>(p->second),
             signed_in, refusal);
  if (person == nullptr) return refusal;
  int64_t after = 0;
  if (auto a = request.query.find("after"); a != request.query.end()) {
    auto v = ParseMessageId(a->second);
    if (!v) return Response::Error(400, "bad_after", "after must be a message id (a whole number)");
    after = *v;
  }
  auto feed = service_.Transcript(person->id, after, kMaxMessages);
  auto& messages = feed.messages;
  if (after == 0 && messages.empty()) {
    // Before the first message: a welcome that is not stored (id 0).
    Reply w = service_.Welcome(*person);
    store::StoredMessage m;
    m.direction = "out";
    m.person_id = person->id;
    m.text = w.text;
    m.buttons = w.buttons;
    m.at = std::chrono::system_clock::now();
    messages.push_back(m);
  }
  Response r = MessagesResponse(messages, feed.cursor);
  // The person's language, so the page opens in it on every device and
  // after a reload (absent when neither they nor the directory chose one).
  // Only with the whole transcript: a poll need not read it again.
  if (auto lang = after == 0 ? service_.ChosenLanguage(*person) : std::nullopt) {
    nlohmann::json body = nlohmann::json::parse(r.body);
    body["lang"] = LangCode(*lang);
    r.body = body.dump();
  }
  return r;
}

Response WebChat::PostMessage(const Request& request, const Person* signed_in) const {
  PostedMessage posted = ParsePostedMessage(request.body);
  auto refuse = [&](const std::string& code) {
    if (code == "bad_text") {
      return Response::Error(
          400, "bad_text",
          "text must be non-empty UTF-8 of at most " + std::to_string(kMaxText) + " bytes");
    }
    return Response::Error(400, code, catalog_.Render(Lang::kSv, "api." + code));
  };
  if (!posted.person) return refuse(posted.error_code);
  Response refusal;
  const Person* person = Acting(posted.person, signed_in, refusal);
  if (person == nullptr) return refusal;
  if (!posted.error_code.empty()) return refuse(posted.error_code);
  if (posted.is_action) {
    // No forged actions: the service's one check (app::ConversationService::
    // Press) decides, in the transaction that acts on the press.
    auto handled = service_.Press(
        *person, "webchat",
        {MessageId(posted.message_id), std::nullopt, posted.action, posted.value, ""});
    if (!handled)
      return Response::Error(409, "stale_button", catalog_.Render(Lang::kSv, "api.stale_button"));
    return MessagesResponse(*handled);
  }
  Input input;
  input.text = posted.text;
  const std::string echo = input.text;
  return MessagesResponse(service_.Handle(*person, "webchat", input, echo));
}

}  // namespace kontobot::handlers
