#include "handlers/matrix/matrix_adapter.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>
#include <stdexcept>
#include <string_view>

#include <cpprest/http_client.h>

#include "bot/answers.h"
#include "bot/approval.h"
#include "bot/mentions.h"
#include "handlers/api_call.h"
#include "handlers/constant_time.h"
#include "handlers/matrix/events.h"

namespace kontobot::matrix {

using app::Delivery;
using handlers::Request;
using handlers::Response;

namespace {

Response MatrixError(int status, const std::string& errcode, const std::string& error) {
  return Response::Json(status, nlohmann::json{{"errcode", errcode}, {"error", error}}.dump());
}

std::string Enc(const std::string& s) { return web::uri::encode_data_string(s); }

// `n` bytes as lower-case hex.
std::string Hex(const unsigned char* bytes, size_t n) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

// SHA-256 of `data`, as hex.
std::string Sha256Hex(const std::string& data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  return Hex(md.data(), len);
}

// The credentials of "Authorization: Bearer <token>"; the scheme is
// case-insensitive (RFC 9110 §11.1), and one or more spaces follow it.
std::string BearerToken(const std::string& header) {
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size()) return "";
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return "";
  }
  size_t start = kScheme.size();
  if (header[start] != ' ') return "";
  while (start < header.size() && header[start] == ' ') ++start;
  return header.substr(start);
}

}  // namespace

std::string NewToken() {
  std::array<unsigned char, 32> bytes{};
  RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
  return Hex(bytes.data(), bytes.size());
}

std::vector<Button> Choices(const std::vector<Button>& buttons) {
  std::vector<Button> out;
  bool decision = std::any_of(buttons.begin(), buttons.end(),
                              [](const Button& b) { return b.id == "approve"; });
  for (const Button& b : buttons) {
    if (!decision || (b.id != "approve" && b.id != "reject")) out.push_back(b);
  }
  return out;
}

std::string RegistrationYaml(const Settings& s, const std::string& url) {
  std::string escaped_server;
  for (char c : s.server_name) {
    if (c == '.' || c == '-') escaped_server += "\\\\";
    escaped_server += c;
  }
  return "# kontobot's Application Service registration. Add this file's path to the\n"
         "# homeserver's app_service_config_files (Synapse: homeserver.yaml) and restart it.\n"
         "id: kontobot\n"
         "url: \"" +
         url +
         "\"\n"
         "as_token: \"" +
         s.as_token +
         "\"\n"
         "hs_token: \"" +
         s.hs_token +
         "\"\n"
         "sender_localpart: \"" +
         s.localpart +
         "\"\n"
         "# A bot chasing many approvers must not be throttled like a person.\n"
         "rate_limited: false\n"
         "namespaces:\n"
         "  users:\n"
         "    - exclusive: true\n"
         "      regex: \"@" +
         s.localpart + ":" + escaped_server +
         "\"\n"
         "  aliases: []\n"
         "  rooms: []\n";
}

std::string ToHtml(const std::string& text) {
  std::string out;
  bool bold = false;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\n':
        out += "<br>";
        break;
      case '*':
        out += bold ? "</strong>" : "<strong>";
        bold = !bold;
        break;
      default:
        out += c;
    }
  }
  if (bold) out += "</strong>";
  return out;
}

Adapter::Adapter(Settings settings, app::ConversationService& service, app::InboundQueue& inbound,
                 const Directory& directory, const Catalog& catalog, const Clock& clock,
                 std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)),
      service_(service),
      inbound_(inbound),
      directory_(directory),
      catalog_(catalog),
      clock_(clock),
      log_(std::move(log)) {}

void Adapter::RegisterRoutes(handlers::HttpServer& server) {
  server.RoutePrefixAsync(
      "PUT", "/_matrix/app/v1/transactions/",
      [this](const Request& r, const handlers::Responder& respond) { Transaction(r, respond); });
  server.RoutePrefix("GET", "/_matrix/app/v1/users/", [this](const Request& r) {
    if (auto refused = Refuse(r)) return *refused;
    std::string user = r.path.substr(std::string("/_matrix/app/v1/users/").size());
    if (user == settings_.BotUserId()) return Response::Json(200, "{}");
    return MatrixError(404, "M_NOT_FOUND", "No such user in kontobot's namespace");
  });
  server.RoutePrefix("GET", "/_matrix/app/v1/rooms/", [this](const Request& r) {
    if (auto refused = Refuse(r)) return *refused;
    return MatrixError(404, "M_NOT_FOUND", "kontobot provides no room aliases");
  });
  server.Route("POST", "/_matrix/app/v1/ping", [this](const Request& r) {
    if (auto refused = Refuse(r)) return *refused;
    return Response::Json(200, "{}");
  });
}

std::optional<Response> Adapter::Refuse(const Request& request) const {
  std::string bearer = BearerToken(request.Header("authorization"));
  std::string query = request.query.count("access_token") ? request.query.at("access_token") : "";
  if (bearer.empty() && query.empty()) {
    return MatrixError(401, "M_MISSING_TOKEN", "Missing the homeserver token");
  }
  // Both must match when both are given.
  if ((!bearer.empty() && !handlers::SameSecret(bearer, settings_.hs_token)) ||
      (!query.empty() && !handlers::SameSecret(query, settings_.hs_token))) {
    log_->warn("matrix: refused a request with a wrong hs_token from {}", request.remote);
    return MatrixError(403, "M_FORBIDDEN", "Bad homeserver token");
  }
  return std::nullopt;
}

void Adapter::Transaction(const Request& request, const handlers::Responder& respond) {
  if (auto refused = Refuse(request)) return respond(*refused);
  auto events = ParseTransaction(request.body, settings_.BotUserId());
  if (!events) {
    return respond(
        MatrixError(400, "M_BAD_JSON", "A transaction is a JSON object with an events array"));
  }
  // The transaction is queued whole, under its txnId and its content
  // (compared as parsed JSON, so that spacing and key order do not
  // matter): a retry is the same queued event, stored once; a txnId sent
  // again with other content is another, which Process finds altered.
  const std::string txn = request.path.substr(request.path.rfind('/') + 1);
  const std::string digest = Sha256Hex(nlohmann::json::parse(request.body).dump());
  nlohmann::json queued{{"txn", txn}, {"digest", digest}, {"from", request.remote}};
  nlohmann::json& kept = queued["events"] = nlohmann::json::array();
  for (Event& e : *events) {
    if (e.kind == Event::Kind::kIgnore) continue;
    // A password-like message is not stored, not even until it is
    // processed (bot/answers.h): its stand-in is refused the same way.
    if ((e.text && LooksLikePassword(*e.text)) || LooksLikePassword(e.reason)) e.original.clear();
    if (e.text && LooksLikePassword(*e.text)) e.text = std::string(kPasswordStandIn);
    if (LooksLikePassword(e.reason)) e.reason = std::string(kPasswordStandIn);
    kept.push_back(ToJson(e));
  }
  // 200 only once it is durable: a crash before gets the transaction again.
  // Text that is not UTF-8 (an entity for a lone surrogate, say) is kept
  // with U+FFFD in its place rather than refused: a transaction not
  // answered 200 is sent again forever.
  std::string payload = queued.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  inbound_.Submit(
      "matrix", "txn:" + txn + ":" + digest, std::move(payload), [respond](bool stored) {
        respond(stored
                    ? Response::Json(200, "{}")
                    : MatrixError(500, "M_UNKNOWN", "The transaction could not be stored; retry."));
      });
}

app::Processed Adapter::Process(store::Transaction& tx, const store::QueuedEvent& event) {
  nlohmann::json p = nlohmann::json::parse(event.payload, nullptr, false);
  if (!p.is_object()) throw std::runtime_error("the queued payload is not a JSON object");
  const std::string txn = p.value("txn", "");
  const std::string digest = p.value("digest", "");
  // A homeserver retries a transaction under its txnId and must not alter
  // it; one processed already is a no-op (answered 200, as the spec says).
  if (std::optional<std::string> seen = tx.MatrixTransactionDigest(txn)) {
    if (*seen != digest) {
      log_->error(
          "matrix: protocol error: transaction {} from {} was sent again with other content "
          "(a homeserver must not alter a transaction); nothing in it was processed",
          txn, p.value("from", ""));
      tx.AppendAudit(clock_.Now(), "matrix", "matrix.transaction_altered", "txn:" + txn,
                     {{"from", p.value("from", "")}, {"digest", digest}, {"first_digest", *seen}});
    }
    return app::Processed::kDone;
  }
  tx.RecordMatrixTransaction(txn, digest, clock_.Now());
  if (!p.contains("events") || !p["events"].is_array()) return app::Processed::kDone;
  for (const nlohmann::json& j : p["events"]) {
    Event e = EventFromJson(j);
    // Each event once, also when another transaction carries it again.
    if (!tx.FirstDelivery("matrix", e.event_id, clock_.Now())) continue;
    // Each in a savepoint of its own: one that fails is logged and the
    // others of the transaction take effect.
    std::optional<store::Original> original;
    if (!e.original.empty())
      original = store::Original{"matrix", event.received_at, "application/json", {}, e.original};
    tx.Savepoint();
    try {
      HandleEvent(tx, e, original);
      tx.ReleaseSavepoint();
    } catch (const std::exception& ex) {
      tx.RollbackToSavepoint();
      log_->error("matrix: event {} in transaction {} failed: {}", e.event_id, txn, ex.what());
    }
  }
  return app::Processed::kDone;
}

void Adapter::HandleEvent(store::Transaction& tx, const Event& e,
                          const std::optional<store::Original>& original) {
  if (e.kind == Event::Kind::kIgnore) return;
  if (e.kind == Event::Kind::kInvite) {
    store::OutboxItem join;
    join.platform = "matrix";
    join.kind = "join";
    // The room's lane, which its notices (TellUnknownIn, kEncrypted) share:
    // nothing is posted in a room before the bot has joined it.
    join.lane = "channel:" + e.room;
    join.payload = {{"room", e.room}};
    tx.Enqueue(join, clock_.Now());
    return;
  }
  if (e.kind == Event::Kind::kEncrypted) {
    store::OutboxItem notice;
    notice.platform = "matrix";
    notice.kind = "notice";
    notice.lane = "channel:" + e.room;
    notice.payload = {{"channel", e.room},
                      {"text", catalog_.Render(Lang::kSv, "matrix.encrypted")}};
    tx.Enqueue(notice, clock_.Now());
    return;
  }
  const Person* person = directory_.FindByAccount("matrix", e.sender);
  if (person == nullptr) return service_.TellUnknownIn(tx, "matrix", e.room, e.event_id);
  tx.SetPlatformChannel("matrix", person->id, e.room);

  if (e.kind == Event::Kind::kReaction) {
    if (e.choice > 0) return Choose(tx, *person, e, original);
    if (e.decision == Event::Decision::kNone) return;
    std::optional<int64_t> message = tx.MessageByPlatformRef("matrix", e.reacts_to);
    std::optional<int64_t> task;
    if (message) task = tx.TaskOfMessage(*message);
    if (!task) return;
    service_.PressIn(tx, *person, "matrix",
                     {MessageId(*message), std::nullopt,
                      e.decision == Event::Decision::kApprove ? "approve" : "reject",
                      "task:" + std::to_string(*task), e.reaction_key, original});
    return;
  }
  if (!e.text) return;
  const std::string text = Neutral(*e.text, e.pill_names);
  auto keep = [&](const std::vector<store::StoredMessage>& stored) {
    if (original) app::ConversationService::KeepOriginal(tx, stored, *original);
  };
  if (!e.edit_of.empty()) {
    // Which message it edits decides what it means (bot/conversation.h).
    // An edit of somebody else's message is no valid edit: ignored.
    Input input{text, "", ""};
    std::optional<int64_t> edited = tx.MessageByPlatformRef("matrix", e.edit_of);
    if (edited) {
      std::optional<store::StoredMessage> m = tx.LoadMessage(*edited);
      if (!m || m->person_id != person->id || m->direction != "in") return;
    }
    input.edit = edited && edited == tx.LatestInbound(person->id) ? Edit::kLatest : Edit::kOlder;
    keep(service_.HandleIn(tx, *person, "matrix", input, ReadableMentions(text, directory_)));
    return;
  }
  // Text commands for the approval in hand: "godkänn", "avslå <skäl>".
  if (e.command != Event::Decision::kNone) {
    bool approve = e.command == Event::Decision::kApprove;
    if (std::optional<int64_t> task = tx.LatestOpenApproval(person->id)) {
      std::string value = "task:" + std::to_string(*task);
      keep(service_.HandleIn(tx, *person, "matrix",
                             Input{"", approve ? "approve" : "reject", value}, text));
      if (!approve && !e.reason.empty())
        service_.HandleIn(tx, *person, "matrix", Input{e.reason, "", ""}, e.reason);
      return;
    }
  }
  std::vector<store::StoredMessage> stored = service_.HandleIn(
      tx, *person, "matrix", Input{text, "", ""}, ReadableMentions(text, directory_));
  keep(stored);
  // Remembered, so that an edit of this message can be recognised.
  if (!stored.empty() && stored.front().direction == "in")
    tx.SetPlatformMessage(stored.front().id, "matrix", e.room, e.event_id);
}

std::string Adapter::Neutral(const std::string& text,
                             const std::map<std::string, std::string>& pill_names) const {
  // A user id (spec: "@localpart:server", the localpart of a-z 0-9 . _ = -
  // / +, historically upper case too) that starts a word; not the middle
  // of an e-mail address.
  static const std::regex kUserId(
      R"((^|[\s,;(\[])(@[A-Za-z0-9._=/+\-]+:[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*(:[0-9]+)?))");
  std::string out;
  auto from = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), kUserId), end; it != end; ++it) {
    const std::smatch& m = *it;
    out.append(from, m[2].first);
    from = m[0].second;
    std::string id = m[2].str();
    if (id == settings_.BotUserId()) continue;
    if (const Person* p = directory_.FindByAccount("matrix", id)) {
      out += MentionOf(p->id);
      continue;
    }
    // Named readably: as the pill showed it, else by the localpart.
    auto pill = pill_names.find(id);
    out += UnknownMention(pill != pill_names.end() && !pill->second.empty()
                              ? pill->second
                              : id.substr(1, id.find(':') - 1));
  }
  out.append(from, text.cend());
  return out;
}

void Adapter::Choose(store::Transaction& tx, const Person& person, const Event& e,
                     const std::optional<store::Original>& original) {
  std::optional<int64_t> message_id = tx.MessageByPlatformRef("matrix", e.reacts_to);
  if (!message_id) return;
  // The number chooses among the buttons of the person's own message;
  // PressIn checks the choice as every platform's press is checked.
  std::optional<store::StoredMessage> message = tx.LoadMessage(*message_id);
  if (!message || message->person_id != person.id) return;
  std::vector<Button> choices = Choices(message->buttons);
  if (e.choice > static_cast<int>(choices.size())) {
    log_->info("matrix: {} reacted {} to a message with {} choices", e.sender, e.reaction_key,
               choices.size());
    return;
  }
  const Button& b = choices[static_cast<size_t>(e.choice) - 1];
  service_.PressIn(tx, person, "matrix",
                   {MessageId(*message_id), std::nullopt, b.id, b.value, b.label, original});
}

std::string Adapter::WithChoices(std::string text, const std::vector<Button>& buttons,
                                 Lang lang) const {
  bool decision = std::any_of(buttons.begin(), buttons.end(),
                              [](const Button& b) { return b.id == "approve"; });
  if (decision) text += "\n\n" + catalog_.Render(lang, "matrix.how_to_decide");
  std::vector<Button> choices = Choices(buttons);
  if (choices.empty()) return text;
  text += "\n";
  for (size_t i = 0; i < choices.size(); ++i) {
    // Past the tenth keycap a choice can still be typed (answer labels are).
    text += "\n" + (i < kMaxKeycap ? Keycap(static_cast<int>(i) + 1) : std::string("•")) + " " +
            choices[i].label;
  }
  text += "\n" + catalog_.Render(lang, "matrix.how_to_choose");
  return text;
}

Adapter::Result Adapter::Call(const std::string& method, const std::string& path,
                              const nlohmann::json& body) const {
  Result r;
  std::string serialised;
  try {
    serialised = body.dump();
  } catch (const nlohmann::json::exception& e) {  // not UTF-8: retrying cannot help
    r.unsendable = std::string("the call cannot be serialised: ") + e.what();
    return r;
  }
  try {
    // A client per call: no kept-alive connection is reused, so cpprestsdk
    // never resends a call by itself (handlers/api_call.h); sends are
    // idempotent anyway (the transaction id).
    web::http::client::http_client client(settings_.homeserver,
                                          handlers::ApiClientConfig(settings_.api_timeout));
    web::http::http_request req(method);
    req.set_request_uri(path);
    req.headers().add("Authorization", "Bearer " + settings_.as_token);
    req.set_body(serialised, "application/json");
    handlers::ApiAnswer a = handlers::CallWithDeadline(client, req, settings_.api_timeout);
    r.status = a.status;
    if (r.status == 0) {
      r.error = a.transport_error;
      return r;
    }
    r.body = nlohmann::json::parse(a.body, nullptr, false);
    if (r.body.is_discarded()) r.body = nullptr;
    if (r.status == 429) {
      // Prefer the Retry-After header; retry_after_ms is deprecated (v1.10).
      if (a.retry_after) {
        r.retry_after = std::chrono::seconds(std::atoll(a.retry_after->c_str()));
      } else if (r.body.is_object() && r.body.contains("retry_after_ms")) {
        r.retry_after =
            std::chrono::seconds((r.body["retry_after_ms"].get<int64_t>() + 999) / 1000);
      }
    }
    if (r.status != 200)
      r.error =
          r.body.is_object() ? r.body.value("errcode", "") : "http " + std::to_string(r.status);
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

Delivery Adapter::Classify(const Result& r) const {
  if (!r.unsendable.empty()) return {Delivery::Result::kFailed, r.unsendable, std::nullopt};
  if (r.status == 200) return {Delivery::Result::kSent, "", std::nullopt};
  if (r.status == 0 || r.status == 429 || r.status >= 500)
    return {Delivery::Result::kRetry, r.error, r.retry_after};
  return {Delivery::Result::kFailed, r.error.empty() ? "http " + std::to_string(r.status) : r.error,
          std::nullopt};
}

Delivery Adapter::Deliver(const store::OutboxItem& item, const app::DeliveryContext& context) {
  const std::string txn = "kontobot-" + std::to_string(item.id);  // stable across resends
  auto send = [&](const std::string& room, const std::string& type, const std::string& suffix,
                  const nlohmann::json& content) {
    return Call("PUT",
                "/_matrix/client/v3/rooms/" + Enc(room) + "/send/" + type + "/" + Enc(txn + suffix),
                content);
  };
  if (item.kind == "join") {
    return Classify(Call("POST", "/_matrix/client/v3/rooms/" + Enc(item.payload["room"]) + "/join",
                         nlohmann::json::object()));
  }
  // A plain text to a room ("raw_post": rows queued before "notice").
  if (item.kind == "notice" || item.kind == "raw_post") {
    std::string text = item.payload["text"];
    const char* room = item.kind == "notice" ? "channel" : "room";
    return Classify(send(item.payload[room], "m.room.message", "",
                         {{"msgtype", "m.notice"},
                          {"body", text},
                          {"format", "org.matrix.custom.html"},
                          {"formatted_body", ToHtml(text)}}));
  }
  const auto& message = context.message;
  const auto& posted = context.posted;
  std::optional<std::string> room = context.channel;
  if (!message) return {Delivery::Result::kFailed, "no such message", std::nullopt};
  // The hints added below in the recipient's own language.
  const std::string text = WithChoices(message->text, message->buttons, context.lang);
  const bool decision = std::any_of(message->buttons.begin(), message->buttons.end(),
                                    [](const Button& b) { return b.id == "approve"; });
  const size_t keycaps = std::min<size_t>(Choices(message->buttons).size(), kMaxKeycap);
  nlohmann::json content{{"msgtype", "m.notice"},
                         {"body", text},
                         {"format", "org.matrix.custom.html"},
                         {"formatted_body", ToHtml(text)}};
  if (item.kind == "reactions") {
    if (!posted)
      return {Delivery::Result::kFailed, "the message never reached Matrix", std::nullopt};
    return React(posted->first, posted->second, txn, decision, keycaps);
  }
  if (item.kind == "update") {
    if (!posted)
      return {Delivery::Result::kFailed, "the message never reached Matrix", std::nullopt};
    nlohmann::json edit{
        {"msgtype", "m.notice"},
        {"body", "* " + text},
        {"format", "org.matrix.custom.html"},
        {"formatted_body", "* " + ToHtml(text)},
        {"m.new_content", content},
        {"m.relates_to", {{"rel_type", "m.replace"}, {"event_id", posted->second}}}};
    return Classify(send(posted->first, "m.room.message", "", edit));
  }
  // The direct room, created once and remembered with the outcome,
  // whatever it is.
  std::function<void(store::Transaction&)> opened;
  if (!room) {
    if (!context.account) {
      return {Delivery::Result::kFailed, "no Matrix account for " + item.person_id, std::nullopt};
    }
    Result created = Call(
        "POST", "/_matrix/client/v3/createRoom",
        {{"invite", {*context.account}}, {"is_direct", true}, {"preset", "trusted_private_chat"}});
    if (created.status != 200) return Classify(created);
    room = created.body.value("room_id", "");
    opened = [person_id = item.person_id, id = *room](store::Transaction& tx) {
      tx.SetPlatformChannel("matrix", person_id, id);
    };
  }
  Result sent = send(*room, "m.room.message", "", content);
  Delivery d = Classify(sent);
  d.learned = std::move(opened);
  if (sent.status != 200) return d;
  // The message's event id is recorded first, and only then are its
  // reactions added, as an outbox row of their own behind it: a person
  // who reacts the moment they see the bot's ✅ finds the message known
  // (a reaction to an event kontobot has not recorded is not understood).
  d.on_sent = [item, in = *room, event_id = sent.body.value("event_id", ""),
               react = decision || keycaps > 0, now = clock_.Now()](store::Transaction& tx) {
    tx.SetPlatformMessage(item.message_id, "matrix", in, event_id);
    if (!react) return;
    store::OutboxItem reactions;
    reactions.platform = "matrix";
    reactions.kind = "reactions";
    reactions.lane = item.lane;
    reactions.person_id = item.person_id;
    reactions.message_id = item.message_id;
    tx.Enqueue(reactions, now);
  };
  return d;
}

Delivery Adapter::React(const std::string& room, const std::string& event_id,
                        const std::string& txn, bool decision, size_t keycaps) const {
  // The "buttons": the bot's own ✅ and ❌ under a request, and 1️⃣ 2️⃣ … for
  // the other choices listed in the text.
  std::vector<std::pair<std::string, std::string>> reactions;
  if (decision) reactions = {{"-yes", kApproveKey}, {"-no", kRejectKey}};
  for (size_t i = 1; i <= keycaps; ++i)
    reactions.emplace_back("-c" + std::to_string(i), Keycap(static_cast<int>(i)));
  for (const auto& [suffix, key] : reactions) {
    Result r = Call(
        "PUT", "/_matrix/client/v3/rooms/" + Enc(room) + "/send/m.reaction/" + Enc(txn + suffix),
        {{"m.relates_to", {{"rel_type", "m.annotation"}, {"event_id", event_id}, {"key", key}}}});
    if (r.status == 200) continue;
    // A resend is safe: each reaction keeps its transaction id, so the
    // homeserver answers those already sent as sent.
    Delivery d = Classify(r);
    if (d.result == Delivery::Result::kRetry) return d;
    log_->warn("matrix: could not add the {} reaction: {}", key, r.error);
  }
  return {Delivery::Result::kSent, "", std::nullopt};
}

}  // namespace kontobot::matrix
