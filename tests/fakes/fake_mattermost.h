// A local fake of a Mattermost server: REST v4 and the WebSocket API on one
// port, as a real server serves them, enforcing what PROTOCOLS.md §13 lists
// and recording every call the bot makes.
//
// REST (JSON; errors as {id, message, request_id, status_code, is_oauth}):
//   - every call needs "Authorization: Bearer <bot token>", else 401;
//   - GET users/me, users/{id}, users/username/{name}, users/email/{email}
//     (HideEmails(): the e-mail lookup answers 404 and users/{id} carries
//     an empty email, as with PrivacySettings.ShowEmailAddress off);
//   - POST channels/direct: exactly two ids, the caller's among them (else
//     400/403); the same channel on a repeat;
//   - POST posts: 403 unless the bot is in the channel, 400 over 16383
//     code points or with an action PostAction.IsValid would refuse; a
//     repeated pending_post_id within 30 s gives the post already created
//     (with an empty pending_post_id, as the real server answers);
//   - PUT posts/{id} (body id must equal the path's) and posts/{id}/patch:
//     403 unless the bot wrote the post; props are replaced wholesale;
//   - GET channels/{id}/posts?since=<ms>: {order, posts} of the posts
//     changed after `since`, the integration of every action stripped;
//   - GET users/{id}/channels: the bot's channels (its DMs), for "me" or
//     the bot's own id only (else 403: it has no edit_other_users);
//   - POST actions/dialogs/open: the trigger_id must be one this fake handed
//     out with a click or a slash command, unused and younger than the
//     trigger lifetime (3 s); the dialog's limits of §11 are checked;
//   - FailNext(n, 429) answers with X-Ratelimit-Limit/-Remaining/-Reset
//     and Retry-After, as throttled (Mattermost's limiter) does (Reset is
//     the seconds until the limit is whole, Retry-After until one more call
//     is let through; a test may make them differ or leave Retry-After out).
// WebSocket (/api/v4/websocket): authenticated by the Bearer header of the
// upgrade or by an authentication_challenge (answered {status:"OK",
// seq_reply}); then a `hello` event; `posted` events whose data.post is the
// post as JSON text; a seq per event and connection. Test controls drop
// every socket (DropSockets), end one in the middle of a frame
// (DropMidFrame), send malformed messages (SendMalformed) or an invalid
// frame (SendInvalidFrame), and stop the whole server (Stop; Start again on
// the same port).
// The test plays the people: UserPosts writes a DM to the bot, Click
// presses a button (POSTing a PostActionIntegrationRequest to the button's
// integration URL and applying the answer's `update`), SubmitDialog submits
// the open dialog, Slash sends a slash command.
//
// Thread-safety: everything may be called from any thread; the server runs
// on one I/O thread of its own.
//
// Include it before any cpprestsdk header: cpprestsdk defines a macro U,
// which breaks Boost's templates included after it.
#ifndef KONTOBOT_TESTS_FAKES_FAKE_MATTERMOST_H_
#define KONTOBOT_TESTS_FAKES_FAKE_MATTERMOST_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>  // before Boost.Asio 1.74, which uses std::exchange without it
#include <vector>

// Boost first, then cpprestsdk (its macro U, switched off in CMakeLists.txt, used to break Boost).
// clang-format off
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cpprest/http_client.h>
// clang-format on
#include <nlohmann/json.hpp>

namespace kontobot::testing {

class FakeMattermost {
 public:
  // One REST call the bot made, or one message it sent on a WebSocket
  // (method "WS").
  struct Call {
    std::string method;
    std::string path;  // without the query
    std::map<std::string, std::string> query;
    std::string authorization;
    nlohmann::json body;  // parsed JSON, or null
    int status = 0;       // what the fake answered
  };
  struct User {
    std::string id;
    std::string username;
    std::string email;
  };
  // What the bot answered to something the test did on a person's behalf.
  struct Answer {
    int status = 0;
    nlohmann::json body;  // null unless JSON
  };

  static constexpr const char* kBotId = "kontobotbotuseridxxxxxxxxx";  // 26 chars, like an id

  FakeMattermost(int port, std::string token) : port_(port), token_(std::move(token)) {
    users_[kBotId] = {kBotId, "kontobot", ""};
  }
  ~FakeMattermost() {
    try {
      Stop();
    } catch (...) {  // a destructor must not throw; nothing is left to clean up
    }
  }
  FakeMattermost(const FakeMattermost&) = delete;
  FakeMattermost& operator=(const FakeMattermost&) = delete;

  // Listens on 127.0.0.1:port. After Stop(), starts again with the posts,
  // channels and users kept.
  void Start() {
    namespace asio = boost::asio;
    ioc_ = std::make_unique<asio::io_context>(1);
    acceptor_ = std::make_unique<asio::ip::tcp::acceptor>(*ioc_);
    asio::ip::tcp::endpoint at(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port_));
    acceptor_->open(at.protocol());
    acceptor_->set_option(asio::socket_base::reuse_address(true));
    acceptor_->bind(at);
    acceptor_->listen();
    Accept();
    io_thread_ = std::thread([this] { ioc_->run(); });
  }
  // Closes the listener and every connection.
  void Stop() {
    if (!ioc_) return;
    boost::asio::post(*ioc_, [this] {
      boost::system::error_code ignored;
      acceptor_->close(ignored);
      for (auto& w : AllSockets()) w->Abort();
      for (auto& c : conns_) {
        if (auto conn = c.lock()) conn->Abort();
      }
      ioc_->stop();
    });
    io_thread_.join();
    acceptor_.reset();
    {
      std::lock_guard<std::mutex> lock(mu_);
      sockets_.clear();
    }
    conns_.clear();
    ioc_.reset();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  std::string bot_id() const { return kBotId; }

  void AddUser(const std::string& id, const std::string& username, const std::string& email) {
    std::lock_guard<std::mutex> lock(mu_);
    users_[id] = {id, username, email};
  }
  // PrivacySettings.ShowEmailAddress off: no e-mail addresses are shown.
  void HideEmails(bool hide) { hide_emails_ = hide; }
  // The next `n` REST calls are answered `status` (429 with the rate-limit
  // headers, Reset `reset` seconds, and Retry-After `retry_after` seconds:
  // `reset` if not given, none if negative) without being carried out.
  void FailNext(int n, int status, int reset = 1, std::optional<int> retry_after = std::nullopt) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_left_ = n;
    fail_status_ = status;
    fail_reset_ = reset;
    fail_retry_after_ = retry_after.value_or(reset);
  }
  // The next `n` POST posts are carried out but answered 500,
  // as when the answer is lost after the server stored the post.
  void LoseNextAnswers(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    lose_left_ = n;
  }
  int lost() const { return lost_; }
  // While on, WebSocket upgrades are refused (403): a server whose socket
  // endpoint is down, so that what is posted meanwhile must be caught up.
  void RefuseSockets(bool refuse) { refuse_sockets_ = refuse; }
  // How long a trigger_id may be used (3 s by default).
  void SetTriggerLifetime(std::chrono::milliseconds ms) { trigger_lifetime_ = ms; }

  // --- the people's side --------------------------------------------------

  // `user` writes `text` to the bot in their DM (created if need be); the
  // post is broadcast to every authenticated socket. Returns the post.
  nlohmann::json UserPosts(const std::string& user, const std::string& text) {
    nlohmann::json post;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::string channel = DirectChannel(kBotId, user);
      post = NewPost(user, channel, text, nlohmann::json::object());
    }
    Broadcast("posted", post);
    return post;
  }
  // Broadcasts an event again for an existing post (a server sends a post
  // edit, or a second node the same event): the bot must take it once.
  void Rebroadcast(const std::string& post_id) {
    std::optional<nlohmann::json> p = post(post_id);
    if (p) Broadcast("posted", *p);
  }
  // Presses button `action_id` of post `post_id` as `user`: POSTs the
  // PostActionIntegrationRequest to the button's URL with its context, and
  // applies the answer's `update` as the real server does. `context`, if
  // given, replaces the button's (a forged one).
  Answer Click(const std::string& post_id, const std::string& action_id, const std::string& user,
               std::optional<nlohmann::json> context = std::nullopt) {
    std::string url;
    nlohmann::json request;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto p = posts_.find(post_id);
      if (p == posts_.end()) return {404, nullptr};
      nlohmann::json action = FindAction(p->second, action_id);
      if (action.is_null()) return {404, nullptr};
      url = action["integration"].value("url", "");
      std::string trigger = NewTrigger(user);
      request = {
          {"user_id", user},
          {"user_name", users_.count(user) ? users_[user].username : user},
          {"channel_id", p->second["channel_id"]},
          {"channel_name", ""},
          {"team_id", ""},
          {"team_domain", ""},
          {"post_id", post_id},
          {"trigger_id", trigger},
          {"type", "button"},
          {"data_source", ""},
          {"context",
           context ? *context : action["integration"].value("context", nlohmann::json::object())}};
    }
    Answer a = PostJson(url, request, "");
    if (a.status == 200 && a.body.is_object() && a.body.contains("update") &&
        a.body["update"].is_object()) {
      std::lock_guard<std::mutex> lock(mu_);
      auto p = posts_.find(post_id);
      const nlohmann::json& u = a.body["update"];
      if (u.contains("message")) p->second["message"] = u["message"];
      if (u.contains("props") && !u["props"].is_null()) p->second["props"] = u["props"];
      p->second["update_at"] = NowMs();
    }
    return a;
  }
  // Sends the bot a raw action request (a replay or a forgery) at `url`.
  Answer PostAction(const std::string& url, const nlohmann::json& request) {
    return PostJson(url, request, "");
  }
  // The dialog the bot opened last, or null.
  nlohmann::json open_dialog() const {
    std::lock_guard<std::mutex> lock(mu_);
    return dialog_;
  }
  // Submits the open dialog as `user` with `submission` (name -> value),
  // or cancels it.
  Answer SubmitDialog(const std::string& user, const nlohmann::json& submission,
                      bool cancelled = false) {
    nlohmann::json d = open_dialog();
    if (d.is_null()) return {0, nullptr};
    nlohmann::json body{{"type", "dialog_submission"},
                        {"callback_id", d["dialog"].value("callback_id", "")},
                        {"state", d["dialog"].value("state", "")},
                        {"user_id", user},
                        {"channel_id", d.value("channel_id", "")},
                        {"team_id", ""},
                        {"submission", cancelled ? nlohmann::json::object() : submission},
                        {"cancelled", cancelled}};
    Answer a = PostJson(d.value("url", ""), body, "");
    // Closed unless the answer names errors.
    if (a.status == 200 && !(a.body.is_object() && a.body.contains("errors"))) {
      std::lock_guard<std::mutex> lock(mu_);
      dialog_ = nullptr;
    }
    return a;
  }
  // Sends `/kontobot text` as `user` from their DM to `url`, with
  // `Authorization: <scheme> <token>` and the token field.
  Answer Slash(const std::string& url, const std::string& token, const std::string& user,
               const std::string& text, const std::string& scheme = "Token") {
    std::string channel, trigger;
    {
      std::lock_guard<std::mutex> lock(mu_);
      channel = DirectChannel(kBotId, user);
      trigger = NewTrigger(user);
    }
    auto enc = [](const std::string& s) { return web::uri::encode_data_string(s); };
    std::string form = "channel_id=" + enc(channel) + "&channel_name=" + enc(channel) +
                       "&command=%2Fkontobot&response_url=" + enc(url + "/response") +
                       "&team_domain=kommun&team_id=teamid&text=" + enc(text) +
                       "&token=" + enc(token) + "&trigger_id=" + enc(trigger) +
                       "&user_id=" + enc(user) + "&user_name=" + enc(user);
    return Send(url, form, "application/x-www-form-urlencoded", scheme + " " + token);
  }

  // --- the socket's faults ------------------------------------------------

  // Closes every WebSocket connection at once (a server restart, a proxy).
  void DropSockets() {
    for (auto& w : AllSockets()) boost::asio::post(*ioc_, [w] { w->Abort(); });
  }
  // Every socket is sent the head of a frame and part of its payload, and
  // then the connection ends.
  void DropMidFrame() {
    for (auto& w : AllSockets())
      w->SendRaw(std::string("\x81\x7e\x01\x00{\"event\":\"pos", 17), true);
  }
  // Every socket is sent messages that are no events: not JSON, JSON of
  // the wrong shape, a `posted` whose post is not JSON, an array.
  void SendMalformed() {
    for (auto& w : AllSockets()) {
      for (const char* text :
           {"not json at all", "[1,2,3]", R"({"event":42})", R"({"event":"posted","data":7})",
            R"({"event":"posted","data":{"post":"{\"id\":"},"seq":99})",
            R"({"event":"posted","data":{"post":{"id":"x"}}})", "\"\"", "{}"}) {
        w->SendText(text);
      }
    }
  }
  // Every socket is sent a frame with a reserved opcode, which a client
  // must answer by failing the connection (RFC 6455 §5.2).
  void SendInvalidFrame() {
    for (auto& w : AllSockets()) w->SendRaw(std::string("\x83\x00", 2), false);
  }
  // Authenticated sockets open now.
  int sockets() const {
    int n = 0;
    for (auto& w : AllSockets()) n += w->authenticated() ? 1 : 0;
    return n;
  }
  // Sockets ever authenticated.
  int connections() const { return connections_; }

  // --- what happened ------------------------------------------------------

  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::vector<Call> calls(const std::string& method, const std::string& path_prefix) const {
    std::vector<Call> out;
    for (const Call& c : calls()) {
      if (c.method == method && c.path.rfind(path_prefix, 0) == 0) out.push_back(c);
    }
    return out;
  }
  // The DM channel of the bot and `user`, "" if none yet.
  std::string dm(const std::string& user) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto c = channels_.find(DmName(kBotId, user));
    return c == channels_.end() ? "" : c->second;
  }
  // The posts in `channel`, oldest first (as stored: integration kept).
  std::vector<nlohmann::json> posts(const std::string& channel) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<nlohmann::json> out;
    for (const std::string& id : order_) {
      const nlohmann::json& p = posts_.at(id);
      if (p["channel_id"] == channel) out.push_back(p);
    }
    return out;
  }
  // The bot's posts in `user`'s DM, oldest first.
  std::vector<nlohmann::json> bot_posts(const std::string& user) const {
    std::vector<nlohmann::json> out;
    for (const nlohmann::json& p : posts(dm(user))) {
      if (p["user_id"] == kBotId) out.push_back(p);
    }
    return out;
  }
  std::optional<nlohmann::json> post(const std::string& id) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto p = posts_.find(id);
    if (p == posts_.end()) return std::nullopt;
    return p->second;
  }
  // The post's action ids, in order (none once the buttons are gone).
  static std::vector<std::string> ActionIds(const nlohmann::json& post) {
    std::vector<std::string> ids;
    const nlohmann::json& props = post.value("props", nlohmann::json::object());
    if (!props.is_object() || !props.contains("attachments") || !props["attachments"].is_array())
      return ids;
    for (const auto& a : props["attachments"]) {
      if (!a.is_object() || !a.contains("actions") || !a["actions"].is_array()) continue;
      for (const auto& act : a["actions"]) ids.push_back(act.value("id", ""));
    }
    return ids;
  }
  int refused() const { return refused_; }

 private:
  using Tcp = boost::asio::ip::tcp;

  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::string NewId() {
    // 26 lower-case characters, as Mattermost's ids.
    static constexpr std::string_view kChars = "abcdefghijkmnopqrstuwxyz13456789";
    std::string id = "fake";
    uint64_t n = ++next_id_;
    while (id.size() < 26) {
      id.push_back(kChars[n % 32]);
      n /= 32;
    }
    return id;
  }
  static std::string DmName(const std::string& a, const std::string& b) {
    return a < b ? a + "__" + b : b + "__" + a;
  }
  // REQUIRES: mu_ held.
  std::string DirectChannel(const std::string& a, const std::string& b) {
    std::string name = DmName(a, b);
    auto c = channels_.find(name);
    if (c != channels_.end()) return c->second;
    std::string id = NewId();
    channels_[name] = id;
    members_[id] = {a, b};
    return id;
  }
  // REQUIRES: mu_ held.
  nlohmann::json NewPost(const std::string& user, const std::string& channel,
                         const std::string& message, const nlohmann::json& props) {
    int64_t now = std::max(NowMs(), last_ms_ + 1);  // distinct create_at, as `since` needs
    last_ms_ = now;
    nlohmann::json post{
        {"id", NewId()},      {"create_at", now}, {"update_at", now},      {"edit_at", 0},
        {"delete_at", 0},     {"user_id", user},  {"channel_id", channel}, {"root_id", ""},
        {"message", message}, {"type", ""},       {"props", props},        {"pending_post_id", ""}};
    posts_[post["id"]] = post;
    order_.push_back(post["id"]);
    return post;
  }
  // REQUIRES: mu_ held.
  std::string NewTrigger(const std::string& user) {
    std::string id = NewId() + "trigger";
    triggers_[id] = {user, std::chrono::steady_clock::now(), false};
    return id;
  }
  static nlohmann::json FindAction(const nlohmann::json& post, const std::string& action_id) {
    const nlohmann::json& props = post["props"];
    if (!props.is_object() || !props.contains("attachments")) return nullptr;
    for (const auto& a : props["attachments"]) {
      if (!a.contains("actions")) continue;
      for (const auto& act : a["actions"]) {
        if (act.value("id", "") == action_id) return act;
      }
    }
    return nullptr;
  }
  static nlohmann::json Stripped(nlohmann::json post) {
    if (post["props"].is_object() && post["props"].contains("attachments") &&
        post["props"]["attachments"].is_array()) {
      for (auto& a : post["props"]["attachments"]) {
        if (!a.is_object() || !a.contains("actions") || !a["actions"].is_array()) continue;
        for (auto& act : a["actions"]) {
          if (act.is_object()) act.erase("integration");
        }
      }
    }
    return post;
  }
  static size_t Runes(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
    return n;
  }

  // --- HTTP out (the people's requests to the bot) --------------------------

  static Answer Send(const std::string& url, const std::string& body,
                     const std::string& content_type, const std::string& authorization) {
    try {
      web::http::client::http_client client(url);
      web::http::http_request req(web::http::methods::POST);
      if (!authorization.empty()) req.headers().add("Authorization", authorization);
      req.set_body(body, content_type);
      web::http::http_response r = client.request(req).get();
      Answer a;
      a.status = r.status_code();
      a.body = nlohmann::json::parse(r.extract_utf8string(true).get(), nullptr, false);
      if (a.body.is_discarded()) a.body = nullptr;
      return a;
    } catch (const std::exception&) {
      return {0, nullptr};
    }
  }
  static Answer PostJson(const std::string& url, const nlohmann::json& body,
                         const std::string& authorization) {
    return Send(url, body.dump(), "application/json", authorization);
  }

  // --- REST ---------------------------------------------------------------

  struct Reply {
    int status = 200;
    nlohmann::json body;
    std::map<std::string, std::string> headers;
  };
  static Reply Error(int status, const std::string& id, const std::string& message) {
    return {status,
            {{"id", id},
             {"message", message},
             {"request_id", "fakerequest"},
             {"status_code", status},
             {"is_oauth", false}},
            {}};
  }

  Reply Rest(const std::string& method, const std::string& target, const std::string& auth,
             const std::string& raw) {
    Call c;
    c.method = method;
    size_t q = target.find('?');
    c.path = web::uri::decode(target.substr(0, q));
    if (q != std::string::npos) {
      for (const auto& [k, v] : web::uri::split_query(target.substr(q + 1)))
        c.query[web::uri::decode(k)] = web::uri::decode(v);
    }
    c.authorization = auth;
    c.body = nlohmann::json::parse(raw, nullptr, false);
    if (c.body.is_discarded()) c.body = nullptr;
    std::lock_guard<std::mutex> lock(mu_);
    Reply r;
    if (fail_left_ > 0) {
      --fail_left_;
      r = Error(fail_status_, "api.fake.fail", "told to fail");
      if (fail_status_ == 429) {
        r.body = Error(429, "api.context.rate_limit", "limit exceeded").body;
        r.headers = {{"X-Ratelimit-Limit", "10"},
                     {"X-Ratelimit-Remaining", "0"},
                     {"X-Ratelimit-Reset", std::to_string(fail_reset_)}};
        // as throttled, the server's limiter, adds (the time until one
        // more call is let through: up to Reset)
        if (fail_retry_after_ >= 0) r.headers["Retry-After"] = std::to_string(fail_retry_after_);
      }
    } else if (auth != "Bearer " + token_) {
      r = Error(401, "api.context.session_expired.app_error", "Invalid or expired session");
    } else {
      r = Route(c);
      if (lose_left_ > 0 && r.status < 300 && c.method == "POST" && c.path == "/api/v4/posts") {
        --lose_left_;
        ++lost_;
        r = Error(500, "api.fake.lost", "the answer was lost");
      }
    }
    c.status = r.status;
    if (r.status >= 400) ++refused_;
    calls_.push_back(c);
    return r;
  }

  // REQUIRES: mu_ held.
  Reply Route(const Call& c) {
    const std::string& p = c.path;
    auto starts = [&](const std::string& prefix) { return p.rfind(prefix, 0) == 0; };
    auto user_json = [&](const User& u) {
      return nlohmann::json{{"id", u.id},
                            {"username", u.username},
                            {"email", hide_emails_ ? "" : u.email},
                            {"is_bot", u.id == kBotId},
                            {"delete_at", 0}};
    };
    if (c.method == "GET" && p == "/api/v4/users/me") return {200, user_json(users_[kBotId]), {}};
    if (c.method == "GET" && starts("/api/v4/users/email/")) {
      if (hide_emails_)
        return Error(404, "app.user.missing_account.const", "Unable to find the user.");
      std::string email = p.substr(std::string("/api/v4/users/email/").size());
      std::transform(email.begin(), email.end(), email.begin(), ::tolower);
      for (const auto& [id, u] : users_) {
        std::string mine = u.email;
        std::transform(mine.begin(), mine.end(), mine.begin(), ::tolower);
        if (!mine.empty() && mine == email) return {200, user_json(u), {}};
      }
      return Error(404, "app.user.missing_account.const", "Unable to find the user.");
    }
    if (c.method == "GET" && starts("/api/v4/users/username/")) {
      std::string name = p.substr(std::string("/api/v4/users/username/").size());
      for (const auto& [id, u] : users_) {
        if (u.username == name) return {200, user_json(u), {}};
      }
      return Error(404, "app.user.missing_account.const", "Unable to find the user.");
    }
    if (c.method == "GET" && starts("/api/v4/users/") && p.size() > 9 &&
        p.compare(p.size() - 9, 9, "/channels") == 0)
      return ChannelsOf(p.substr(std::string("/api/v4/users/").size(),
                                 p.size() - std::string("/api/v4/users/").size() - 9));
    if (c.method == "GET" && starts("/api/v4/users/")) {
      std::string id = p.substr(std::string("/api/v4/users/").size());
      auto u = users_.find(id);
      if (u == users_.end())
        return Error(404, "app.user.missing_account.const", "Unable to find the user.");
      return {200, user_json(u->second), {}};
    }
    if (c.method == "POST" && p == "/api/v4/channels/direct") {
      if (!c.body.is_array() || c.body.size() != 2 || !c.body[0].is_string() ||
          !c.body[1].is_string())
        return Error(400, "api.context.invalid_body_param.app_error",
                     "Invalid or missing user_ids in request body.");
      std::string a = c.body[0], b = c.body[1];
      if (a != kBotId && b != kBotId)
        return Error(403, "api.context.permissions.app_error",
                     "You do not have the appropriate permissions.");
      std::string other = a == kBotId ? b : a;
      if (!users_.count(other))
        return Error(400, "api.channel.create_direct_channel.invalid_user.app_error",
                     "Invalid user ID for direct channel creation.");
      std::string id = DirectChannel(a, b);
      return {201, {{"id", id}, {"type", "D"}, {"name", DmName(a, b)}, {"team_id", ""}}, {}};
    }
    if (c.method == "POST" && p == "/api/v4/posts") return CreatePost(c.body);
    if (c.method == "PUT" && starts("/api/v4/posts/")) {
      std::string rest = p.substr(std::string("/api/v4/posts/").size());
      bool patch = rest.size() > 6 && rest.compare(rest.size() - 6, 6, "/patch") == 0;
      std::string id = patch ? rest.substr(0, rest.size() - 6) : rest;
      auto post = posts_.find(id);
      if (post == posts_.end())
        return Error(404, "app.post.get.app_error", "Unable to get the post.");
      if (!c.body.is_object())
        return Error(400, "api.context.invalid_body_param.app_error", "Invalid body");
      if (post->second["user_id"] != kBotId)
        return Error(403, "api.context.permissions.app_error",
                     "You do not have the appropriate permissions.");
      if (!patch && c.body.value("id", "") != id)
        return Error(400, "api.context.invalid_body_param.app_error",
                     "Invalid or missing id in request body.");
      std::string message =
          patch ? c.body.value("message", post->second["message"].get<std::string>())
                : c.body.value("message", "");
      if (Runes(message) > 16383)
        return Error(400, "model.post.is_valid.message_length.app_error", "Invalid Message");
      nlohmann::json props = c.body.contains("props") ? c.body["props"]
                             : patch                  ? post->second["props"]
                                                      : nlohmann::json::object();
      if (std::string why = ActionsError(props); !why.empty())
        return Error(400, "model.post.is_valid.props.app_error", why);
      post->second["message"] = message;
      post->second["props"] = props;
      post->second["edit_at"] = post->second["update_at"] = NowMs();
      return {200, Stripped(post->second), {}};
    }
    if (c.method == "GET" && starts("/api/v4/channels/") && p.size() > 6 &&
        p.compare(p.size() - 6, 6, "/posts") == 0) {
      std::string id = p.substr(std::string("/api/v4/channels/").size());
      id = id.substr(0, id.size() - 6);
      auto m = members_.find(id);
      if (m == members_.end() || !m->second.count(kBotId))
        return Error(403, "api.context.permissions.app_error",
                     "You do not have the appropriate permissions.");
      int64_t since = c.query.count("since") ? std::stoll(c.query.at("since")) : 0;
      nlohmann::json order = nlohmann::json::array(), posts = nlohmann::json::object();
      for (const std::string& post_id : order_) {  // newest first in the answer
        const nlohmann::json& post = posts_.at(post_id);
        if (post["channel_id"] != id || post["update_at"].get<int64_t>() <= since) continue;
        order.insert(order.begin(), post_id);
        posts[post_id] = Stripped(post);
      }
      return {200,
              {{"order", order}, {"posts", posts}, {"next_post_id", ""}, {"prev_post_id", ""}},
              {}};
    }
    if (c.method == "POST" && p == "/api/v4/actions/dialogs/open") return OpenDialog(c.body);
    return Error(404, "api.context.404.app_error", "Sorry, we could not find the page.");
  }

  // REQUIRES: mu_ held.
  Reply CreatePost(const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("channel_id") || !body["channel_id"].is_string())
      return Error(400, "api.context.invalid_body_param.app_error",
                   "Invalid or missing post in request body.");
    std::string channel = body["channel_id"];
    auto m = members_.find(channel);
    if (m == members_.end() || !m->second.count(kBotId))
      return Error(403, "api.context.permissions.app_error",
                   "You do not have the appropriate permissions.");
    std::string message = body.value("message", "");
    if (Runes(message) > 16383)
      return Error(400, "model.post.is_valid.message_length.app_error", "Invalid Message");
    nlohmann::json props = body.value("props", nlohmann::json::object());
    if (std::string why = ActionsError(props); !why.empty())
      return Error(400, "model.post.is_valid.props.app_error", why);
    std::string pending = body.value("pending_post_id", "");
    auto now = std::chrono::steady_clock::now();
    if (!pending.empty()) {
      auto seen = pending_.find(pending);
      if (seen != pending_.end() && now - seen->second.second < std::chrono::seconds(30)) {
        ++deduplicated_;
        return {201, Stripped(posts_.at(seen->second.first)), {}};
      }
    }
    nlohmann::json post = NewPost(kBotId, channel, message, props);
    if (!pending.empty()) pending_[pending] = {post["id"], now};
    nlohmann::json echoed = post;
    echoed["pending_post_id"] = pending;
    // The bot hears its own posts on its socket, as from a real server.
    boost::asio::post(*ioc_, [this, post] { BroadcastNow("posted", post); });
    return {201, Stripped(echoed), {}};
  }

  // GET users/{user_id}/channels ("Get all channels from all teams",
  // server 6.1+): the channels the user is a member of, DMs among them.
  // "Logged in as the user, or have edit_other_users permission", which a
  // bot with the Member role has not: only "me" or the bot's own id.
  // REQUIRES: mu_ held.
  Reply ChannelsOf(const std::string& user) {
    if (user != "me" && user != kBotId) {
      if (!users_.count(user))
        return Error(404, "app.user.missing_account.const", "Unable to find the user.");
      return Error(403, "api.context.permissions.app_error",
                   "You do not have the appropriate permissions.");
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [name, id] : channels_) {
      if (!members_.at(id).count(kBotId)) continue;
      int64_t created = 0, last_post = 0, total = 0;
      for (const auto& [post_id, post] : posts_) {
        if (post["channel_id"] != id) continue;
        int64_t at = post["create_at"].get<int64_t>();
        created = created == 0 ? at : std::min(created, at);
        last_post = std::max(last_post, at);
        ++total;
      }
      out.push_back({{"id", id},
                     {"create_at", created},
                     {"update_at", created},
                     {"delete_at", 0},
                     {"team_id", ""},
                     {"type", "D"},
                     {"display_name", ""},
                     {"name", name},
                     {"header", ""},
                     {"purpose", ""},
                     {"last_post_at", last_post},
                     {"total_msg_count", total},
                     {"extra_update_at", 0},
                     {"creator_id", ""}});
    }
    return {200, out, {}};
  }

  // PostAction.IsValid: an id, a name, a type, an http(s) integration URL.
  static std::string ActionsError(const nlohmann::json& props) {
    if (!props.is_object()) return "props is not an object";
    if (!props.contains("attachments")) return "";
    if (!props["attachments"].is_array()) return "attachments is not an array";
    for (const auto& a : props["attachments"]) {
      if (!a.is_object()) return "an attachment is not an object";
      if (!a.contains("actions")) continue;
      if (!a["actions"].is_array()) return "actions is not an array";
      for (const auto& act : a["actions"]) {
        if (!act.is_object() || act.value("id", "").empty() || act.value("name", "").empty())
          return "an action needs an id and a name";
        std::string type = act.value("type", "button");
        if (type != "button" && type != "select") return "bad action type";
        if (!act.contains("integration") || !act["integration"].is_object())
          return "an action needs an integration";
        std::string url = act["integration"].value("url", "");
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0 &&
            url.rfind("/plugins/", 0) != 0)
          return "bad integration url";
      }
    }
    return "";
  }

  // REQUIRES: mu_ held.
  Reply OpenDialog(const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("dialog") || !body["dialog"].is_object())
      return Error(400, "api.context.invalid_body_param.app_error", "Invalid dialog");
    std::string trigger = body.value("trigger_id", "");
    auto t = triggers_.find(trigger);
    if (t == triggers_.end() || t->second.used ||
        std::chrono::steady_clock::now() - t->second.at > trigger_lifetime_.load())
      return Error(400, "interactive_message.decode_trigger_id.expired",
                   "Trigger ID for interactive dialog is expired.");
    t->second.used = true;
    std::string url = body.value("url", "");
    const nlohmann::json& d = body["dialog"];
    auto len = [](const nlohmann::json& o, const char* k) { return Runes(o.value(k, "")); };
    if (url.empty() || len(d, "title") == 0 || len(d, "title") > 24)
      return Error(400, "model.dialog.is_valid.app_error", "bad dialog title or url");
    if (!d.contains("elements") || !d["elements"].is_array())
      return Error(400, "model.dialog.is_valid.app_error", "no elements");
    for (const auto& e : d["elements"]) {
      std::string type = e.value("type", "");
      size_t most = type == "text" ? 150 : 3000;
      if (len(e, "display_name") == 0 || len(e, "display_name") > 24 || len(e, "name") == 0 ||
          len(e, "name") > 300 || len(e, "help_text") > 150 ||
          e.value("max_length", size_t{0}) > most ||
          (type != "text" && type != "textarea" && type != "select" && type != "bool" &&
           type != "radio"))
        return Error(400, "model.dialog.is_valid.app_error", "bad element");
    }
    dialog_ = body;
    // The dialog answers to the channel of the post the trigger came from.
    dialog_["channel_id"] = DirectChannel(kBotId, t->second.user);
    return {200, {{"status", "OK"}}, {}};
  }

  // --- connections ----------------------------------------------------------

  class WsSession;

  // One HTTP connection: requests answered one after the other; an upgrade
  // at /api/v4/websocket becomes a WsSession.
  class Conn : public std::enable_shared_from_this<Conn> {
   public:
    Conn(FakeMattermost& fake, Tcp::socket socket) : fake_(fake), stream_(std::move(socket)) {}
    void Read() {
      req_ = {};
      boost::beast::http::async_read(
          stream_, buffer_, req_,
          [self = shared_from_this()](boost::beast::error_code ec, size_t) { self->OnRead(ec); });
    }
    void Abort() {
      boost::beast::error_code ignored;
      stream_.socket().close(ignored);
    }

   private:
    void OnRead(boost::beast::error_code ec) {
      namespace http = boost::beast::http;
      if (ec) return Abort();
      std::string target(req_.target());
      std::string auth(req_[http::field::authorization]);
      if (boost::beast::websocket::is_upgrade(req_)) {
        if (target.rfind("/api/v4/websocket", 0) != 0 || fake_.refuse_sockets_) return Abort();
        auto ws = std::make_shared<WsSession>(fake_, stream_.release_socket());
        ws->Accept(std::move(req_), auth);
        return;
      }
      Reply r = fake_.Rest(std::string(req_.method_string()), target, auth, req_.body());
      auto res = std::make_shared<http::response<http::string_body>>(
          static_cast<http::status>(r.status), req_.version());
      res->set(http::field::content_type, "application/json");
      for (const auto& [k, v] : r.headers) res->set(k, v);
      res->body() = r.body.is_null() ? "" : r.body.dump();
      res->keep_alive(req_.keep_alive());
      res->prepare_payload();
      http::async_write(stream_, *res,
                        [self = shared_from_this(), res](boost::beast::error_code wec, size_t) {
                          if (wec || !res->keep_alive()) return self->Abort();
                          self->Read();
                        });
    }

    FakeMattermost& fake_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    boost::beast::http::request<boost::beast::http::string_body> req_;
  };

  class WsSession : public std::enable_shared_from_this<WsSession> {
   public:
    WsSession(FakeMattermost& fake, Tcp::socket socket) : fake_(fake), ws_(std::move(socket)) {}
    void Accept(boost::beast::http::request<boost::beast::http::string_body> req,
                const std::string& auth) {
      bool by_header = auth == "Bearer " + fake_.token_;
      upgrade_ = std::move(req);
      ws_.async_accept(upgrade_,
                       [self = shared_from_this(), by_header](boost::beast::error_code ec) {
                         if (ec) return;
                         {
                           std::lock_guard<std::mutex> lock(self->fake_.mu_);
                           self->fake_.sockets_.push_back(self);
                         }
                         if (by_header) self->Authenticated();
                         self->Read();
                       });
    }
    bool authenticated() const { return authenticated_; }
    // Queues a text message (from any thread).
    void SendText(std::string text) {
      boost::asio::post(ws_.get_executor(),
                        [self = shared_from_this(), text = std::move(text)]() mutable {
                          self->queue_.push_back({std::move(text), false, false});
                          self->Write();
                        });
    }
    // Queues raw bytes for the socket itself, and then ends it if `end`.
    void SendRaw(std::string bytes, bool end) {
      boost::asio::post(ws_.get_executor(),
                        [self = shared_from_this(), bytes = std::move(bytes), end] {
                          self->queue_.push_back({bytes, true, end});
                          self->Write();
                        });
    }
    // A numbered event (on the I/O thread).
    void Event(const std::string& event, const nlohmann::json& data,
               const nlohmann::json& broadcast) {
      if (!authenticated_) return;
      nlohmann::json e{{"event", event}, {"data", data}, {"broadcast", broadcast}, {"seq", seq_++}};
      queue_.push_back({e.dump(), false, false});
      Write();
    }
    void Abort() {
      boost::beast::error_code ignored;
      boost::beast::get_lowest_layer(ws_).socket().close(ignored);
      Gone();
    }

   private:
    struct Out {
      std::string bytes;
      bool raw;
      bool end;
    };
    void Authenticated() {
      authenticated_ = true;
      ++fake_.connections_;
      Event("hello", {{"server_version", "9.11.0.fake"}, {"connection_id", "fakeconnection"}},
            {{"omit_users", nullptr}, {"user_id", kBotId}, {"channel_id", ""}, {"team_id", ""}});
    }
    void Read() {
      ws_.async_read(in_, [self = shared_from_this()](boost::beast::error_code ec, size_t) {
        if (ec) return self->Gone();
        std::string text = boost::beast::buffers_to_string(self->in_.data());
        self->in_.consume(self->in_.size());
        self->OnMessage(text);
        self->Read();
      });
    }
    void OnMessage(const std::string& text) {
      nlohmann::json m = nlohmann::json::parse(text, nullptr, false);
      {
        std::lock_guard<std::mutex> lock(fake_.mu_);
        Call c;
        c.method = "WS";
        c.path = "/api/v4/websocket";
        c.body = m.is_discarded() ? nlohmann::json(text) : m;
        fake_.calls_.push_back(c);
      }
      if (!m.is_object()) return;
      int64_t seq = m.value("seq", int64_t{0});
      if (m.value("action", "") == "authentication_challenge") {
        bool ok = m.contains("data") && m["data"].is_object() &&
                  m["data"].value("token", "") == fake_.token_;
        nlohmann::json reply{{"status", ok ? "OK" : "FAIL"}, {"seq_reply", seq}};
        if (!ok) reply["error"] = {{"id", "api.web_socket_router.not_authenticated.app_error"}};
        queue_.push_back({reply.dump(), false, false});
        Write();
        if (ok && !authenticated_) Authenticated();
      }
    }
    void Write() {
      if (writing_ || queue_.empty()) return;
      writing_ = true;
      Out& out = queue_.front();
      auto done = [self = shared_from_this()](boost::beast::error_code ec, size_t) {
        self->writing_ = false;
        if (ec) return self->Abort();
        bool end = self->queue_.front().end;
        self->queue_.pop_front();
        if (end) return self->Abort();
        self->Write();
      };
      if (out.raw) {
        boost::asio::async_write(boost::beast::get_lowest_layer(ws_),
                                 boost::asio::buffer(out.bytes), done);
      } else {
        ws_.text(true);
        ws_.async_write(boost::asio::buffer(out.bytes), done);
      }
    }
    void Gone() {
      std::lock_guard<std::mutex> lock(fake_.mu_);
      auto& s = fake_.sockets_;
      s.erase(
          std::remove_if(s.begin(), s.end(),
                         [this](const std::shared_ptr<WsSession>& w) { return w.get() == this; }),
          s.end());
      authenticated_ = false;
    }

    FakeMattermost& fake_;
    boost::beast::http::request<boost::beast::http::string_body> upgrade_;
    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    boost::beast::flat_buffer in_;
    std::deque<Out> queue_;
    bool writing_ = false;
    std::atomic<bool> authenticated_{false};
    int64_t seq_ = 0;
  };

  void Accept() {
    acceptor_->async_accept([this](boost::beast::error_code ec, Tcp::socket socket) {
      if (ec) return;  // closed
      auto conn = std::make_shared<Conn>(*this, std::move(socket));
      conns_.erase(std::remove_if(conns_.begin(), conns_.end(),
                                  [](const std::weak_ptr<Conn>& c) { return c.expired(); }),
                   conns_.end());
      conns_.push_back(conn);
      conn->Read();
      Accept();
    });
  }

  std::vector<std::shared_ptr<WsSession>> AllSockets() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sockets_;
  }
  void Broadcast(const std::string& event, const nlohmann::json& post) {
    if (!ioc_) return;
    boost::asio::post(*ioc_, [this, event, post] { BroadcastNow(event, post); });
  }
  // On the I/O thread.
  void BroadcastNow(const std::string& event, const nlohmann::json& post) {
    nlohmann::json data{{"channel_display_name", ""},
                        {"channel_name", ""},
                        {"channel_type", "D"},
                        {"post", Stripped(post).dump()},
                        {"sender_name", "@" + post.value("user_id", "")},
                        {"team_id", ""},
                        {"set_online", true}};
    nlohmann::json broadcast{{"omit_users", nullptr},
                             {"user_id", ""},
                             {"channel_id", post["channel_id"]},
                             {"team_id", ""}};
    for (auto& w : AllSockets()) w->Event(event, data, broadcast);
  }

  struct Trigger {
    std::string user;
    std::chrono::steady_clock::time_point at;
    bool used;
  };

  int port_;
  std::string token_;
  std::unique_ptr<boost::asio::io_context> ioc_;
  std::unique_ptr<Tcp::acceptor> acceptor_;
  std::thread io_thread_;
  std::vector<std::weak_ptr<Conn>> conns_;  // on the I/O thread
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<WsSession>> sockets_;
  std::vector<Call> calls_;
  std::map<std::string, User> users_;
  std::map<std::string, std::string> channels_;           // DM name -> channel id
  std::map<std::string, std::set<std::string>> members_;  // channel id -> user ids
  std::map<std::string, nlohmann::json> posts_;           // id -> post
  std::vector<std::string> order_;                        // post ids, oldest first
  std::map<std::string, std::pair<std::string, std::chrono::steady_clock::time_point>> pending_;
  std::map<std::string, Trigger> triggers_;
  nlohmann::json dialog_;
  std::atomic<bool> hide_emails_{false};
  std::atomic<std::chrono::milliseconds> trigger_lifetime_{std::chrono::milliseconds(3000)};
  int fail_left_ = 0, fail_status_ = 500, fail_reset_ = 1, fail_retry_after_ = 1, lose_left_ = 0;
  std::atomic<int> lost_{0};
  std::atomic<bool> refuse_sockets_{false};
  int64_t last_ms_ = 0;
  uint64_t next_id_ = 0;
  std::atomic<int> refused_{0}, connections_{0};

 public:
  int deduplicated() const { return deduplicated_; }

 private:
  std::atomic<int> deduplicated_{0};
};

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_FAKES_FAKE_MATTERMOST_H_
