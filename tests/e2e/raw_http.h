// HTTP/1.1 over a plain loopback socket, for tests that need what an HTTP
// client library does not let them do: choose the Host header, send a body
// far larger than the server accepts and watch when the answer comes, or
// send chunks of their own making.
#ifndef KONTOBOT_TESTS_E2E_RAW_HTTP_H_
#define KONTOBOT_TESTS_E2E_RAW_HTTP_H_

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace kontobot::testing {

// Every wait on the socket ends after this long with a test failure: a bot
// that neither reads nor answers is a failure, not something to wait out.
inline constexpr int kRawTimeoutMs = 10000;

// A connected loopback socket, closed on destruction. fd() < 0 if the
// connection failed (the test has then failed).
class RawConnection {
 public:
  // `source`: the loopback address to connect from (such as 127.0.0.3, an
  // address the server does not trust), or null for the kernel's choice.
  explicit RawConnection(int port, const char* source = nullptr) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (source != nullptr) {
      sockaddr_in from{};
      from.sin_family = AF_INET;
      inet_pton(AF_INET, source, &from.sin_addr);
      if (bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
        ADD_FAILURE() << "cannot bind to " << source << ": " << std::strerror(errno);
      }
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ADD_FAILURE() << "cannot connect to port " << port << ": " << std::strerror(errno);
      close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  int fd() const { return fd_; }

  // Sends all of `bytes`; false if the peer closed or reset the connection.
  bool SendAll(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads until the peer closes (or resets) the connection; what arrived
  // before a reset is kept.
  std::string ReadToEnd() {
    std::string out;
    std::array<char, 16384> buf{};
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      int ready = poll(&p, 1, kRawTimeoutMs);
      if (ready == 0) {
        ADD_FAILURE() << "the bot did not close the connection within " << kRawTimeoutMs
                      << " ms; so far: " << out.substr(0, 300);
        return out;
      }
      ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return out;
      out.append(buf.data(), static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
};

// Sends `request` (whole, with "Connection: close" among its headers so
// that the bot closes after answering) and returns the answer.
inline std::string RawExchange(int port, const std::string& request, const char* source = nullptr) {
  RawConnection c(port, source);
  if (c.fd() < 0) return "";
  c.SendAll(request);
  return c.ReadToEnd();
}

// An HTTP/1.1 request with exactly the headers given (and Content-Length
// when there is a body, and Connection: close): no Host unless given.
inline std::string RawRequest(const std::string& method, const std::string& path,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              const std::string& body = "") {
  std::string out = method + " " + path + " HTTP/1.1\r\n";
  for (const auto& [name, value] : headers)
    out.append(name).append(": ").append(value).append("\r\n");
  if (!body.empty() || method == "POST")
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n" + body;
  return out;
}

// The status code of a raw HTTP answer, 0 if there is none.
inline int RawStatus(const std::string& answer) {
  int status = 0;
  if (std::sscanf(answer.c_str(), "HTTP/1.%*d %d", &status) != 1) return 0;
  return status;
}

// The body of a raw HTTP answer (after the blank line).
inline std::string RawBody(const std::string& answer) {
  size_t end = answer.find("\r\n\r\n");
  return end == std::string::npos ? "" : answer.substr(end + 4);
}

// A chunked body's framing of `data` as one chunk.
inline std::string Chunk(const std::string& data) {
  std::array<char, 32> size{};
  std::snprintf(size.data(), size.size(), "%zx\r\n", data.size());
  return size.data() + data + "\r\n";
}

// The peak resident memory of process `pid` (VmHWM), in bytes: how much it
// ever held, not what it holds when asked, so no timing is involved.
inline size_t PeakRss(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  size_t kb = 0;
  while (in >> key) {
    if (key == "VmHWM:") {
      in >> kb;
      return kb * 1024;
    }
    std::getline(in, key);
  }
  ADD_FAILURE() << "no VmHWM for process " << pid;
  return 0;
}

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_E2E_RAW_HTTP_H_
