// A data race planted on purpose, for scripts/test.sh to show that its
// ThreadSanitizer stage still finds one in the bot's kind of code (a handler
// of cpprestsdk's listener) under the options it runs the bot with: its
// filters against the uninstrumented library (ignore_noninstrumented_modules
// and tests/tsan/suppressions.txt) must not hide our own races. Built in
// every build, run only there; never a test of its own.
//
// Deterministic: two requests are held in their handlers at once, each
// writing the same int before and after it sees the other arrive through a
// relaxed atomic, which orders nothing. No lock is released between the
// writes, so whatever the library did before calling the handlers, TSan has
// no happens-before between them, whatever the scheduling.
#include <cpprest/http_client.h>
#include <cpprest/http_listener.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <thread>
#include <vector>

namespace {

int unguarded = 0;            // written by both handlers without a lock: the race
std::atomic<int> arrived{0};  // relaxed only: no synchronisation

void Race(const std::string& port) {
  web::http::experimental::listener::http_listener listener("http://127.0.0.1:" + port + "/race");
  listener.support([](const web::http::http_request& request) {
    unguarded = unguarded + 1;
    arrived.fetch_add(1, std::memory_order_relaxed);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (arrived.load(std::memory_order_relaxed) < 2 && std::chrono::steady_clock::now() < until)
      std::this_thread::yield();
    unguarded = unguarded + 1;
    request.reply(web::http::status_codes::OK, "ok");
  });
  listener.open().wait();
  std::vector<std::thread> senders;
  senders.reserve(2);
  for (int t = 0; t < 2; ++t) {
    senders.emplace_back([&port] {
      web::http::client::http_client client("http://127.0.0.1:" + port);
      client.request(web::http::methods::GET, "/race").wait();
    });
  }
  for (std::thread& s : senders) s.join();
  listener.close().wait();
  std::printf("%d handlers met, %d writes\n", arrived.load(), unguarded);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Race(argc > 1 ? argv[1] : "18931");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "planted race: %s\n", e.what());
    return 1;
  }
  return 0;
}
