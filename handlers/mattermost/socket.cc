#include "handlers/mattermost/socket.h"

#include <random>

#include <cpprest/ws_client.h>

#include "app/thread_priority.h"

namespace kontobot::mattermost {

namespace ws = web::websockets::client;

std::string SocketUrl(const std::string& server) {
  std::string url = server;
  if (url.rfind("https://", 0) == 0) {
    url = "wss://" + url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    url = "ws://" + url.substr(7);
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/api/v4/websocket";
}

Socket::Socket(Settings settings, std::function<void(const SocketEvent&)> on_message,
               std::function<void()> on_connected, std::shared_ptr<spdlog::logger> log,
               std::function<bool()> before_connect)
    : settings_(std::move(settings)),
      on_message_(std::move(on_message)),
      on_connected_(std::move(on_connected)),
      before_connect_(std::move(before_connect)),
      log_(std::move(log)) {}

Socket::~Socket() { Stop(); }

void Socket::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void Socket::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (current_) current_->Set(&Connection::stopped);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Socket::Loop() {
  app::NameThisThread("kb-mm-socket");
  std::mt19937 rng(std::random_device{}());
  std::chrono::milliseconds backoff = settings_.backoff_min;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    bool said_hello = false;
    try {
      if (!before_connect_ || before_connect_()) said_hello = RunOnce();
    } catch (const std::exception& e) {
      log_->warn("mattermost: the WebSocket failed: {}", e.what());
    }
    if (said_hello) backoff = settings_.backoff_min;
    // Jitter: from half the backoff to all of it, so that many bots (or a
    // cluster's restart) do not come back in step.
    std::uniform_int_distribution<int64_t> jitter(backoff.count() / 2, backoff.count());
    std::chrono::milliseconds wait(jitter(rng));
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, wait, [this] { return stopping_; })) return;
    backoff = std::min(backoff * 2, settings_.backoff_max);
  }
}

bool Socket::RunOnce() {
  ws::websocket_client_config config;
  config.headers().add("Authorization", "Bearer " + settings_.token);
  ws::websocket_callback_client client(config);
  auto shared = std::make_shared<Connection>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    current_ = shared;
  }
  auto on_message = on_message_;
  auto log = log_;
  client.set_message_handler([shared, on_message, log](const ws::websocket_incoming_message& m) {
    if (m.message_type() != ws::websocket_message_type::text_message) return;
    std::string text;
    try {
      text = m.extract_string().get();
    } catch (const std::exception& e) {  // the frame broke off
      log->warn("mattermost: unreadable WebSocket message: {}", e.what());
      return;
    }
    SocketEvent e = ParseSocketEvent(text);
    if (e.kind == SocketEvent::Kind::kInvalid) {
      log->warn("mattermost: ignored a WebSocket message that is no event ({} bytes)", text.size());
      return;
    }
    if (e.kind == SocketEvent::Kind::kReply && e.status != "OK")
      log->error("mattermost: the server refused the WebSocket's authentication");
    if (e.kind == SocketEvent::Kind::kHello) shared->Set(&Connection::hello);
    try {
      on_message(e);
    } catch (const std::exception& ex) {
      log->error("mattermost: handling a WebSocket event failed: {}", ex.what());
    }
  });
  client.set_close_handler([shared](ws::websocket_close_status, const utility::string_t&,
                                    const std::error_code&) { shared->Set(&Connection::closed); });
  bool said_hello = false;
  try {
    client.connect(settings_.url).get();
    ws::websocket_outgoing_message challenge;
    challenge.set_utf8_message(nlohmann::json{
        {"seq", 1}, {"action", "authentication_challenge"}, {"data", {{"token", settings_.token}}}}
                                   .dump());
    client.send(challenge).get();
    // A server that does not greet us within the deadline is tried again.
    said_hello = shared->Wait([&] { return shared->hello; }, settings_.hello_deadline);
    if (said_hello) {
      log_->info("mattermost: WebSocket connected to {}", settings_.url);
      on_connected_();
      shared->Wait([] { return false; }, std::chrono::hours(24 * 365));
    } else {
      log_->warn("mattermost: no hello on the WebSocket of {}", settings_.url);
    }
  } catch (const std::exception& e) {
    log_->warn("mattermost: the WebSocket to {} failed: {}", settings_.url, e.what());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_.reset();
  }
  try {
    client.close().wait();
  } catch (const std::exception&) {  // already closed
  }
  if (said_hello) log_->info("mattermost: the WebSocket closed; connecting again");
  return said_hello;
}

}  // namespace kontobot::mattermost
