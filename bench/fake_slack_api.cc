// The Slack Web API stand-in for benchmarks: tests/fakes/fake_slack.h on a
// given port, answering ok until killed, keeping no record of the calls.
// Usage: fake_slack_api PORT TOKEN
#include <csignal>
#include <cstdlib>
#include <exception>
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
  fake.Start();
  std::cout << "fake Slack API on " << fake.base() << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "fake_slack_api: " << e.what() << std::endl;
  return 1;
}
