// The Slack Web API stand-in for benchmarks: tests/fakes/fake_slack.h on a
// given port, answering ok until killed, keeping no record of the calls.
// With POSTS_FILE, each post stored is written there as "<channel> <ns>"
// (wall-clock time), for the delivery figures (bench/delivery.py).
// Usage: fake_slack_api PORT TOKEN [POSTS_FILE]
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>

#include "tests/fakes/fake_slack.h"

int main(int argc, char** argv) try {
  if (argc < 3) return 2;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  kontobot::testing::FakeSlack fake(std::atoi(argv[1]), argv[2]);
  fake.KeepNothing();
  std::ofstream posts;
  if (argc > 3) {
    posts.open(argv[3], std::ios::app);
    // Called one post at a time (see OnPost); flushed per line so that a
    // reader sees every post that has been answered.
    fake.OnPost([&posts](const std::string& channel) {
      posts << channel << ' '
            << std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count()
            << std::endl;
    });
  }
  fake.Start();
  std::cout << "fake Slack API on " << fake.base() << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "fake_slack_api: " << e.what() << std::endl;
  return 1;
}
