// The reminder scheduler's cost with many open timers: a real SQLite file
// (the store, its migrations and its WAL, as in production) filled with N
// open timer rows due over the next two years, then
//   - insertion: rows per second in transactions of 10,000 (the durable
//     commit included), and the cost of one timer written in its own
//     transaction (as the service does when a task opens);
//   - the scheduler's query: DueTimers(now, 200) with ~nothing due and with
//     200 due, and NextTimerDue(), each the median of several runs;
//   - memory: the process's resident set (VmRSS) after the queries.
//
// Usage: timers_bench [N=1000000] [FILE=timers_bench.db] [RUNS=15]
// The file is deleted first. Prints one line per figure.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
using kontobot::TimePoint;
using kontobot::Timer;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

Timer Row(int64_t i, TimePoint due) {
  Timer t;
  t.kind = "approval";
  t.subject = "task:" + std::to_string(i);
  t.person = "person-" + std::to_string(i % 5000);
  t.org = "org-" + std::to_string(i % 50);
  t.since = due - std::chrono::hours(24);
  t.due = due;
  t.detail = {{"nudges", 0}, {"escalated", false}, {"registration", i}};
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n = argc > 1 ? std::stoll(argv[1]) : 1000000;
  std::string path = argc > 2 ? argv[2] : "timers_bench.db";
  int runs = argc > 3 ? std::stoi(argv[3]) : 15;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);

  kontobot::store::Store store(path);
  TimePoint now = std::chrono::system_clock::now();
  std::mt19937_64 rng(42);
  // Due from one minute to two years ahead: nothing is due "now".
  std::uniform_int_distribution<int64_t> minutes_ahead(1, int64_t{2} * 365 * 24 * 60);

  auto start = Clock::now();
  constexpr int64_t kBatch = 10000;
  for (int64_t i = 0; i < n; i += kBatch) {
    kontobot::store::Transaction tx(store);
    for (int64_t j = i; j < std::min(n, i + kBatch); ++j)
      tx.InsertTimer(Row(j, now + std::chrono::minutes(minutes_ahead(rng))), now);
    tx.Commit();
  }
  double fill_s = Ms(Clock::now() - start) / 1000;
  std::printf("insert: %lld open timers in %.1f s (%.0f rows/s in transactions of %lld)\n",
              static_cast<long long>(n), fill_s, static_cast<double>(n) / fill_s,
              static_cast<long long>(kBatch));

  std::vector<double> single;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Clock::now();
    kontobot::store::Transaction tx(store);
    tx.InsertTimer(Row(n + r, now + std::chrono::hours(1)), now);
    tx.Commit();
    single.push_back(Ms(Clock::now() - t0));
  }
  std::printf("insert: one timer in its own durable transaction: median %.3f ms\n", Median(single));

  auto measure = [&](const char* what, TimePoint at) {
    std::vector<double> times;
    size_t found = 0;
    for (int r = 0; r < runs; ++r) {
      auto t0 = Clock::now();
      kontobot::store::Transaction tx(store);
      found = tx.DueTimers(at, 200).size();
      auto next = tx.NextTimerDue();
      times.push_back(Ms(Clock::now() - t0));
      if (!next) std::abort();
    }
    std::printf("due: %s: %zu rows, median %.3f ms (DueTimers(now, 200) + NextTimerDue)\n", what,
                found, Median(times));
  };
  measure("nothing due", now);
  measure("200 due of many", now + std::chrono::hours(24 * 30));

  std::printf("memory: VmRSS %ld KB; database %.0f MB (+ WAL %.0f MB)\n", RssKb(),
              static_cast<double>(std::filesystem::file_size(path)) / 1e6,
              std::filesystem::exists(path + "-wal")
                  ? static_cast<double>(std::filesystem::file_size(path + "-wal")) / 1e6
                  : 0.0);
  return 0;
}
