// A load generator for Slack's Events API: N keep-alive connections, each
// sending signed message.im event envelopes (unique event_id, a new
// X-Slack-Request-Timestamp and HMAC-SHA256 signature per request) for a
// fixed time, one request at a time per connection (as Slack does). Prints
// one JSON line: requests, errors, requests/s, p50/p99 latency in ms.
//
// Usage: slack_loadgen HOST PORT PATH SECRET CONNECTIONS SECONDS USER[,USER...]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

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

int Connect(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Reads one HTTP response; returns the status or -1.
int ReadResponse(int fd, std::string& buf) {
  buf.clear();
  std::array<char, 8192> chunk{};
  size_t header_end = std::string::npos;
  while (header_end == std::string::npos) {
    ssize_t n = read(fd, chunk.data(), chunk.size());
    if (n <= 0) return -1;
    buf.append(chunk.data(), static_cast<size_t>(n));
    header_end = buf.find("\r\n\r\n");
  }
  int status = std::atoi(buf.c_str() + 9);
  size_t length = 0;
  std::string lower = buf.substr(0, header_end);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  size_t cl = lower.find("content-length:");
  if (cl != std::string::npos) length = std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
  while (buf.size() < header_end + 4 + length) {
    ssize_t n = read(fd, chunk.data(), chunk.size());
    if (n <= 0) return -1;
    buf.append(chunk.data(), static_cast<size_t>(n));
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 8) {
    std::fprintf(stderr, "usage: %s HOST PORT PATH SECRET CONNECTIONS SECONDS USER[,USER...]\n",
                 argv[0]);
    return 2;
  }
  std::string host = argv[1], path = argv[3], secret = argv[4];
  int port = std::atoi(argv[2]), connections = std::atoi(argv[5]), seconds = std::atoi(argv[6]);
  std::vector<std::string> users;
  std::stringstream us(argv[7]);
  for (std::string u; std::getline(us, u, ',');) users.push_back(u);
  constexpr std::array<std::string_view, 2> kTexts = {"status", "hjälp"};

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::mutex mu;
  std::vector<double> latencies;
  std::atomic<long> errors{0};
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(connections));
  auto run_id = std::chrono::system_clock::now().time_since_epoch().count();
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      std::vector<double> mine;
      std::string buf;
      int fd = Connect(host, port);
      for (long seq = 0; std::chrono::steady_clock::now() < deadline; ++seq) {
        if (fd < 0) {
          ++errors;
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          fd = Connect(host, port);
          continue;
        }
        const std::string& user = users[static_cast<size_t>(c + seq) % users.size()];
        std::string ts = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
        std::string event_id = "EvB" + std::to_string(run_id);
        event_id.append("x").append(std::to_string(c)).append("x").append(std::to_string(seq));
        // About 1 KB, like a real message.im envelope. Built by appending:
        // this loop is the load generator's hot path.
        const std::string_view text = kTexts[seq % 2];
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
            .append(std::to_string(1000 + c))
            .append(R"(","team":"T0KOMMUN","blocks":[{"type":"rich_text","block_id":"b1",)")
            .append(
                R"("elements":[{"type":"rich_text_section","elements":[{"type":"text","text":")")
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
        std::string signature = "v0=" + Hmac(secret, base);
        std::string req;
        req.reserve(body.size() + 300);
        req.append("POST ")
            .append(path)
            .append(" HTTP/1.1\r\nHost: ")
            .append(host)
            .append("\r\nContent-Type: application/json\r\nContent-Length: ")
            .append(std::to_string(body.size()))
            .append("\r\nX-Slack-Request-Timestamp: ")
            .append(ts)
            .append("\r\nX-Slack-Signature: ")
            .append(signature)
            .append("\r\n\r\n")
            .append(body);
        auto start = std::chrono::steady_clock::now();
        if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size()) ||
            ReadResponse(fd, buf) != 200) {
          ++errors;
          close(fd);
          fd = Connect(host, port);
          continue;
        }
        mine.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
      }
      if (fd >= 0) close(fd);
      std::lock_guard<std::mutex> lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0
                             : latencies[std::min(
                                   latencies.size() - 1,
                                   static_cast<size_t>(p * static_cast<double>(latencies.size())))];
  };
  std::printf(
      "{\"connections\":%d,\"seconds\":%d,\"requests\":%zu,\"errors\":%ld,\"rps\":%.0f,\"p50_ms\":%"
      ".2f,\"p99_ms\":%.2f}\n",
      connections, seconds, latencies.size(), errors.load(),
      static_cast<double>(latencies.size()) / seconds, pct(0.50), pct(0.99));
  return 0;
}
