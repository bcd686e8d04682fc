// A load generator for Slack's Events API: N keep-alive connections, each
// sending signed message.im event envelopes (unique event_id, a new
// X-Slack-Request-Timestamp and HMAC-SHA256 signature per request) for a
// fixed time, one request at a time per connection (as Slack does). Prints
// one JSON line: requests, errors, requests/s, p50/p99 latency in ms.
//
// Built like wrk: a few threads (default 2), each running an epoll loop over
// its share of the connections, so the generator does not add a thread per
// connection to the cores it shares with the server under test. A request's
// latency runs from its write to the last byte of its response.
//
// With PATH /hooks/meta it sends Meta Page feed comments instead (one new
// comment per request, X-Hub-Signature-256 with SECRET as the app secret),
// and USER[,USER...] are page ids (bench/inbox_events.sh).
//
// Usage: slack_loadgen HOST PORT PATH SECRET CONNECTIONS SECONDS USER[,USER...] [THREADS]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::string Hmac(const std::string& key, const std::string& data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &len);
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

struct Target {
  std::string host;
  int port = 0;
  std::string path;
  std::string secret;
  std::vector<std::string> users;
  std::string run_id;
};

// The HTTP/1.1 POST of `body` (JSON) to the target, with `headers` (each
// line ending in "\r\n") after the content headers.
std::string HttpPost(const Target& t, const std::string& body, const std::string& headers) {
  std::string req;
  req.reserve(body.size() + headers.size() + 200);
  req.append("POST ")
      .append(t.path)
      .append(" HTTP/1.1\r\nHost: ")
      .append(t.host)
      .append("\r\nContent-Type: application/json\r\nContent-Length: ")
      .append(std::to_string(body.size()))
      .append("\r\n")
      .append(headers)
      .append("\r\n")
      .append(body);
  return req;
}

// One signed Meta Page `feed` delivery with one new comment (a unique
// comment id), as Meta sends it to POST /hooks/meta: X-Hub-Signature-256 is
// the hex HMAC-SHA256 of the body with the app secret. `t.users` are the
// page ids.
std::string BuildMetaRequest(const Target& t, int conn, long seq) {
  const std::string& page = t.users[static_cast<size_t>(conn + seq) % t.users.size()];
  std::string ts = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  std::string comment =
      page + "_" + t.run_id + "x" + std::to_string(conn) + "x" + std::to_string(seq);
  std::string body;
  body.reserve(700);
  body.append(R"({"object":"page","entry":[{"id":")")
      .append(page)
      .append(R"(","time":)")
      .append(ts)
      .append(R"(,"changes":[{"field":"feed","value":{"item":"comment","verb":"add",)")
      .append(R"("comment_id":")")
      .append(comment)
      .append(R"(","post_id":")")
      .append(page)
      .append(R"(_100","parent_id":")")
      .append(page)
      .append(R"(_100","from":{"id":"5550001","name":"Eva Invånare"},)")
      .append(R"("message":"Hej! När öppnar simhallen igen efter renoveringen? Vi är )")
      .append(R"(flera som undrar, och tiderna på webben stämmer inte med skylten.",)")
      .append(R"("created_time":)")
      .append(ts)
      .append("}}]}]}");
  return HttpPost(t, body, "X-Hub-Signature-256: sha256=" + Hmac(t.secret, body) + "\r\n");
}

// One signed event_callback envelope of about 1 KB, like a real message.im.
// Built by appending: this is the load generator's hot path.
std::string BuildRequest(const Target& t, int conn, long seq) {
  if (t.path == "/hooks/meta") return BuildMetaRequest(t, conn, seq);
  constexpr std::array<std::string_view, 2> kTexts = {"status", "hjälp"};
  const std::string& user = t.users[static_cast<size_t>(conn + seq) % t.users.size()];
  std::string ts = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  std::string event_id = "EvB" + t.run_id;
  event_id.append("x").append(std::to_string(conn)).append("x").append(std::to_string(seq));
  const std::string_view text = kTexts[static_cast<size_t>(seq % 2)];
  std::string body;
  body.reserve(1200);
  body.append(R"({"token":"XXYYZZ","team_id":"T0KOMMUN","api_app_id":"A0KONTOBOT",)")
      .append(R"("event":{"type":"message","channel":"D)")
      .append(user)
      .append(R"(","channel_type":"im","user":")")
      .append(user)
      .append(R"(","text":")")
      .append(text)
      .append(R"(","ts":")")
      .append(ts)
      .append(R"(.000200","event_ts":")")
      .append(ts)
      .append(R"(.000200","client_msg_id":"5f7e1e3c-4b8a-4a3b-9d5e-7c1f0f0b)")
      .append(std::to_string(1000 + conn))
      .append(R"(","team":"T0KOMMUN","blocks":[{"type":"rich_text","block_id":"b1",)")
      .append(R"("elements":[{"type":"rich_text_section","elements":[{"type":"text","text":")")
      .append(text)
      .append(R"("}]}]}]},"type":"event_callback","event_id":")")
      .append(event_id)
      .append(R"(","event_time":)")
      .append(ts)
      .append(R"(,"authorizations":[{"enterprise_id":null,"team_id":"T0KOMMUN",)")
      .append(R"("user_id":"UKONTOBOT","is_bot":true,"is_enterprise_install":false}],)")
      .append(R"("is_ext_shared_channel":false,"event_context":"4-)")
      .append(
          "eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMEtPTU1VTiIsImFpZCI6IkEwS09OVE9CT1QiLCJjaWQiOiJEMD"
          "EifQ")
      .append(R"("})");
  std::string base = "v0:";
  base.append(ts).append(":").append(body);
  std::string headers = "X-Slack-Request-Timestamp: ";
  headers.append(ts)
      .append("\r\nX-Slack-Signature: v0=")
      .append(Hmac(t.secret, base))
      .append("\r\n");
  return HttpPost(t, body, headers);
}

int Connect(const Target& t) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(t.port));
  inet_pton(AF_INET, t.host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// The length of the first complete HTTP response in `in`, or 0 while it is
// incomplete; `status` gets its status code. The body is framed by
// Content-Length or chunked (Node's http, under Bolt, chunks an empty
// acknowledgement).
size_t CompleteResponse(const std::string& in, int& status) {
  size_t header_end = in.find("\r\n\r\n");
  if (header_end == std::string::npos) return 0;
  std::string lower = in.substr(0, header_end);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  size_t end = header_end + 4;
  if (lower.find("transfer-encoding: chunked") != std::string::npos) {
    for (;;) {  // size line, data, CRLF; a size of 0 ends it (no trailers)
      size_t line_end = in.find("\r\n", end);
      if (line_end == std::string::npos) return 0;
      size_t size = std::strtoul(in.c_str() + end, nullptr, 16);
      end = line_end + 2 + size + 2;
      if (in.size() < end) return 0;
      if (size == 0) break;
    }
  } else {
    size_t cl = lower.find("content-length:");
    if (cl != std::string::npos) end += std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
    if (in.size() < end) return 0;
  }
  status = std::atoi(in.c_str() + 9);
  return end;
}

struct Connection {
  int index = 0;  // across all threads: picks the user and the event_id
  int fd = -1;
  long seq = 0;
  std::string out;
  size_t sent = 0;
  std::string in;
  Clock::time_point start;
  bool done = false;
};

struct Result {
  std::vector<double> latencies;
  long errors = 0;
  // With SLACK_LOADGEN_ACKS set: each acknowledged event's user (index in
  // Target::users) and wall-clock time (ns), for the delivery figures.
  std::vector<std::pair<size_t, int64_t>> acks;
};

class Loop {
 public:
  Loop(const Target& target, Clock::time_point deadline) : t_(target), deadline_(deadline) {}

  void Add(int index) {
    Connection c;
    c.index = index;
    conns_.push_back(std::move(c));
  }

  Result Run() {
    epoll_ = epoll_create1(0);
    for (size_t i = 0; i < conns_.size(); ++i) Open(i);
    std::array<epoll_event, 64> events{};
    // After the deadline no new request is sent; those in flight are awaited
    // (for up to 5 s) and counted, as a thread-per-connection generator would.
    auto hard_stop = deadline_ + std::chrono::seconds(5);
    while (Active() > 0 && Clock::now() < hard_stop) {
      int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 50);
      for (int e = 0; e < n; ++e) {
        size_t i = events[static_cast<size_t>(e)].data.u64;
        if ((events[static_cast<size_t>(e)].events & EPOLLOUT) != 0U) Flush(i);
        if ((events[static_cast<size_t>(e)].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0U)
          Receive(i);
      }
    }
    for (auto& c : conns_)
      if (c.fd >= 0) close(c.fd);
    close(epoll_);
    return std::move(result_);
  }

 private:
  size_t Active() const {
    return static_cast<size_t>(
        std::count_if(conns_.begin(), conns_.end(), [](const Connection& c) { return !c.done; }));
  }

  void Open(size_t i) {
    Connection& c = conns_[i];
    while (Clock::now() < deadline_) {
      c.fd = Connect(t_);
      if (c.fd >= 0) break;
      ++result_.errors;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (c.fd < 0) {
      c.done = true;
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
    Send(i);
  }

  void Fail(size_t i) {
    Connection& c = conns_[i];
    ++result_.errors;
    epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
    c.fd = -1;
    c.in.clear();
    ++c.seq;
    Open(i);
  }

  void Send(size_t i) {
    Connection& c = conns_[i];
    if (Clock::now() >= deadline_) {
      c.done = true;
      return;
    }
    c.out = BuildRequest(t_, c.index, c.seq);
    c.sent = 0;
    c.start = Clock::now();
    Flush(i);
  }

  void Flush(size_t i) {
    Connection& c = conns_[i];
    while (c.sent < c.out.size()) {
      ssize_t n = write(c.fd, c.out.data() + c.sent, c.out.size() - c.sent);
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) return Fail(i);
      c.sent += static_cast<size_t>(n);
    }
    epoll_event ev{};
    ev.events = c.sent < c.out.size() ? EPOLLIN | EPOLLOUT : EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void Receive(size_t i) {
    Connection& c = conns_[i];
    std::array<char, 8192> chunk{};
    for (;;) {
      ssize_t n = read(c.fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) return Fail(i);
      c.in.append(chunk.data(), static_cast<size_t>(n));
    }
    int status = 0;
    size_t length = CompleteResponse(c.in, status);
    if (length == 0) return;
    c.in.erase(0, length);
    if (status != 200) return Fail(i);
    result_.latencies.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - c.start).count());
    if (record_acks_) {
      result_.acks.emplace_back(static_cast<size_t>(c.index + c.seq) % t_.users.size(),
                                std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
    }
    ++c.seq;
    Send(i);
  }

  const Target& t_;
  Clock::time_point deadline_;
  bool record_acks_ = std::getenv("SLACK_LOADGEN_ACKS") != nullptr;
  std::vector<Connection> conns_;
  int epoll_ = -1;
  Result result_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 8) {
    std::fprintf(stderr,
                 "usage: %s HOST PORT PATH SECRET CONNECTIONS SECONDS USER[,USER...] [THREADS]\n",
                 argv[0]);
    return 2;
  }
  Target target{argv[1], std::atoi(argv[2]), argv[3], argv[4], {}, {}};
  int connections = std::atoi(argv[5]), seconds = std::atoi(argv[6]);
  int threads = argc > 8 ? std::atoi(argv[8]) : 2;
  std::stringstream us(argv[7]);
  for (std::string u; std::getline(us, u, ',');) target.users.push_back(u);
  target.run_id = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());

  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  std::vector<Loop> loops;
  loops.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) loops.emplace_back(target, deadline);
  for (int c = 0; c < connections; ++c) loops[static_cast<size_t>(c % threads)].Add(c);
  std::vector<Result> results(loops.size());
  std::vector<std::thread> workers;
  for (size_t i = 0; i < loops.size(); ++i)
    workers.emplace_back([&, i] { results[i] = loops[i].Run(); });
  for (auto& w : workers) w.join();

  std::vector<double> latencies;
  long errors = 0;
  for (auto& r : results) {
    latencies.insert(latencies.end(), r.latencies.begin(), r.latencies.end());
    errors += r.errors;
  }
  std::sort(latencies.begin(), latencies.end());
  if (const char* path = std::getenv("SLACK_LOADGEN_ACKS")) {
    // "<user> <ns>" per acknowledged event: bench/delivery.py matches them
    // with the fake Web API's posts.
    if (FILE* f = std::fopen(path, "a")) {
      for (const auto& r : results) {
        for (const auto& [user, ns] : r.acks)
          std::fprintf(f, "%s %lld\n", target.users[user].c_str(), static_cast<long long>(ns));
      }
      std::fclose(f);
    }
  }
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0
                             : latencies[std::min(
                                   latencies.size() - 1,
                                   static_cast<size_t>(p * static_cast<double>(latencies.size())))];
  };
  std::printf(
      "{\"connections\":%d,\"threads\":%d,\"seconds\":%d,\"requests\":%zu,\"errors\":%ld,"
      "\"rps\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f}\n",
      connections, threads, seconds, latencies.size(), errors,
      static_cast<double>(latencies.size()) / seconds, pct(0.50), pct(0.99));
  return 0;
}
