// A TCP front for a local fake of a platform's API (tests/fakes/fake_slack.h)
// that fails the way networks and overloaded servers do, below anything an
// HTTP server can say: requests and answers pass through unchanged, each
// client connection kept alive on a connection of its own to the fake,
// except for the next requests told to fail (by a method name in their
// request line). Those the fake carries out first (a post is stored), and
// then the front
//   kDrop     closes the client's connection without the answer (a
//             kept-alive connection that breaks after Slack stored a post);
//   kHold     sends nothing until Release() (an answer that never comes);
//   kTrickle  sends the answer's status line and headers, then a byte of
//             chunked body every 100 ms until Release() (an answer that
//             never ends: every byte restarts cpprestsdk's own timeout).
// After Release() the held and trickling answers are finished as the fake
// gave them. A client that closes its connection ends a hold or trickle.
//
// Thread-safety: every member may be called from any thread; the front runs
// a thread per connection.
#ifndef KONTOBOT_TESTS_FAKES_FAULTY_FRONT_H_
#define KONTOBOT_TESTS_FAKES_FAULTY_FRONT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace kontobot::testing {

class FaultyFront {
 public:
  enum class Fault { kDrop, kHold, kTrickle };

  // Listens on 127.0.0.1:`port`, passes on to 127.0.0.1:`backend_port`.
  FaultyFront(int port, int backend_port) : port_(port), backend_port_(backend_port) {}
  FaultyFront(const FaultyFront&) = delete;
  FaultyFront& operator=(const FaultyFront&) = delete;
  ~FaultyFront() { Stop(); }

  void Start() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr = Loopback(port_);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_, 64) != 0) {
      throw std::runtime_error("the faulty front cannot listen on " + std::to_string(port_));
    }
    acceptor_ = std::thread([this] { Accept(); });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_ || listen_fd_ < 0) return;
      stopping_ = true;
      for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    }
    cv_.notify_all();
    shutdown(listen_fd_, SHUT_RDWR);
    if (acceptor_.joinable()) acceptor_.join();
    close(listen_fd_);
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      threads.swap(threads_);
    }
    for (std::thread& t : threads) t.join();
  }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api"; }

  // The next `n` requests whose request line contains `match` (e.g.
  // "chat.postMessage") fail with `fault`, after the fake carried them out.
  void FailNext(int n, std::string match, Fault fault) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_left_ = n;
    fail_match_ = std::move(match);
    fault_ = fault;
  }
  // Finishes every answer held or trickling now.
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++released_;
    }
    cv_.notify_all();
  }
  // Requests failed so far.
  int faulted() const {
    std::lock_guard<std::mutex> lock(mu_);
    return faulted_;
  }
  // Answers held or trickling now (their clients still waiting).
  int holding() const {
    std::lock_guard<std::mutex> lock(mu_);
    return holding_;
  }

 private:
  static sockaddr_in Loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    return addr;
  }

  static bool SendAll(int fd, const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads from `fd` into `buffer` until it holds `want` bytes; false on EOF.
  static bool Fill(int fd, std::string& buffer, size_t want) {
    std::array<char, 16384> chunk{};
    while (buffer.size() < want) {
      ssize_t n = recv(fd, chunk.data(), chunk.size(), 0);
      if (n <= 0) return false;
      buffer.append(chunk.data(), static_cast<size_t>(n));
    }
    return true;
  }
  // Reads until `buffer` holds `delim` after `from`; its end, or npos on EOF.
  static size_t FillUntil(int fd, std::string& buffer, const std::string& delim, size_t from) {
    while (true) {
      size_t at = buffer.find(delim, from);
      if (at != std::string::npos) return at + delim.size();
      if (!Fill(fd, buffer, buffer.size() + 1)) return std::string::npos;
    }
  }

  struct Message {
    std::string head;  // the start line and headers, with the blank line
    std::string body;  // de-chunked
  };

  static std::optional<std::string> Header(const std::string& head, const std::string& name) {
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    size_t at = lower.find("\r\n" + name + ":");
    if (at == std::string::npos) return std::nullopt;
    size_t start = at + 2 + name.size() + 1;
    size_t end = head.find("\r\n", start);
    std::string value = head.substr(start, end - start);
    value.erase(0, value.find_first_not_of(' '));
    return value;
  }

  // One HTTP/1.1 message from `fd` (`buffer` keeps what follows it).
  static std::optional<Message> Read(int fd, std::string& buffer) {
    size_t end = FillUntil(fd, buffer, "\r\n\r\n", 0);
    if (end == std::string::npos) return std::nullopt;
    Message m;
    m.head = buffer.substr(0, end);
    buffer.erase(0, end);
    auto te = Header(m.head, "transfer-encoding");
    if (te && te->find("chunked") != std::string::npos) {
      while (true) {
        size_t line = FillUntil(fd, buffer, "\r\n", 0);
        if (line == std::string::npos) return std::nullopt;
        size_t size = std::stoul(buffer.substr(0, line - 2), nullptr, 16);
        if (!Fill(fd, buffer, line + size + 2)) return std::nullopt;
        m.body += buffer.substr(line, size);
        buffer.erase(0, line + size + 2);
        if (size == 0) break;
      }
      return m;
    }
    size_t length = 0;
    if (auto cl = Header(m.head, "content-length")) length = std::stoul(*cl);
    if (!Fill(fd, buffer, length)) return std::nullopt;
    m.body = buffer.substr(0, length);
    buffer.erase(0, length);
    return m;
  }

  // `m` as sent with a Content-Length (the fake's answers may be chunked).
  static std::string Whole(const Message& m) {
    std::string head = WithoutBodyHeaders(m.head);
    return head.substr(0, head.size() - 2) + "Content-Length: " + std::to_string(m.body.size()) +
           "\r\n\r\n" + m.body;
  }
  static std::string WithoutBodyHeaders(const std::string& head) {
    std::string out;
    size_t pos = 0;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos) + 2;
      std::string line = head.substr(pos, end - pos);
      std::string lower = line;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower.rfind("content-length:", 0) != 0 && lower.rfind("transfer-encoding:", 0) != 0)
        out += line;
      pos = end;
    }
    return out;
  }

  void Accept() {
    while (true) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) {
        close(fd);
        return;
      }
      open_fds_.insert(fd);
      threads_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  // Passes one client connection on until either side closes it.
  void Serve(int client) {
    int backend = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = Loopback(backend_port_);
    int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(backend, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_fds_.insert(backend);
    }
    if (connect(backend, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      std::string from_client, from_backend;
      while (auto request = Read(client, from_client)) {
        if (!SendAll(backend, Whole(*request))) break;
        auto answer = Read(backend, from_backend);
        if (!answer) break;
        std::optional<Fault> fault;
        {
          std::lock_guard<std::mutex> lock(mu_);
          std::string line = request->head.substr(0, request->head.find("\r\n"));
          if (fail_left_ > 0 && line.find(fail_match_) != std::string::npos) {
            --fail_left_;
            ++faulted_;
            fault = fault_;
          }
        }
        if (!fault) {
          if (!SendAll(client, Whole(*answer))) break;
          continue;
        }
        if (*fault == Fault::kDrop) break;
        if (!Withhold(client, *answer, *fault == Fault::kTrickle)) break;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.erase(client);
    open_fds_.erase(backend);
    shutdown(client, SHUT_RDWR);
    close(client);
    close(backend);
  }

  // Holds or trickles `answer` until Release(); false if the client went
  // away meanwhile (or the front stops).
  bool Withhold(int client, const Message& answer, bool trickle) {
    std::unique_lock<std::mutex> lock(mu_);
    const int released = released_;
    ++holding_;
    bool open = true;
    if (trickle) {
      std::string head = WithoutBodyHeaders(answer.head);
      lock.unlock();
      open =
          SendAll(client, head.substr(0, head.size() - 2) + "Transfer-Encoding: chunked\r\n\r\n");
      lock.lock();
    }
    while (open && !stopping_ && released_ == released) {
      if (trickle) {
        cv_.wait_for(lock, std::chrono::milliseconds(100));
        if (stopping_ || released_ != released) break;
        lock.unlock();
        open = SendAll(client, "1\r\n \r\n");  // JSON may begin with white space
        lock.lock();
      } else {
        // A client that closes its end is seen on the next wait.
        cv_.wait_for(lock, std::chrono::milliseconds(100));
        char probe = 0;
        if (recv(client, &probe, 1, MSG_PEEK | MSG_DONTWAIT) == 0) open = false;
      }
    }
    --holding_;
    if (!open || stopping_) return false;
    lock.unlock();
    if (trickle) {
      std::string rest;
      if (!answer.body.empty()) {
        std::ostringstream size;
        size << std::hex << answer.body.size() << "\r\n";
        rest = size.str() + answer.body + "\r\n";
      }
      return SendAll(client, rest + "0\r\n\r\n");
    }
    return SendAll(client, Whole(answer));
  }

  const int port_;
  const int backend_port_;
  int listen_fd_ = -1;
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::thread> threads_;
  std::set<int> open_fds_;
  bool stopping_ = false;
  int fail_left_ = 0;
  std::string fail_match_;
  Fault fault_ = Fault::kDrop;
  int faulted_ = 0;
  int holding_ = 0;
  int released_ = 0;
};

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_FAKES_FAULTY_FRONT_H_
