// Counts a fake server's request handlers while they run, so that Stop()
// can wait for the last one. Closing a cpprestsdk listener ends its
// connections but not a handler already dispatched on the library's pool:
// one still reading the body of a request whose sender (the bot) was just
// killed returned after the fake was gone, and the test program crashed at
// the end of a test (SlackTest.RegistrationAndApprovalHappenInSlack, once
// in a CI run under load). The read fails once its connection is closed,
// so the wait ends.
//
// Thread-safety: every member may be called from any thread.
#ifndef KONTOBOT_TESTS_FAKES_IN_FLIGHT_H_
#define KONTOBOT_TESTS_FAKES_IN_FLIGHT_H_

#include <condition_variable>
#include <mutex>

namespace kontobot::testing {

class InFlight {
 public:
  // Held by a handler for as long as it runs.
  class Guard {
   public:
    explicit Guard(InFlight& in_flight) : in_flight_(in_flight) {
      std::lock_guard<std::mutex> lock(in_flight_.mu_);
      ++in_flight_.running_;
    }
    ~Guard() {
      std::lock_guard<std::mutex> lock(in_flight_.mu_);
      if (--in_flight_.running_ == 0) in_flight_.none_.notify_all();
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    InFlight& in_flight_;
  };

  // Returns once no Guard is held; call after closing the listener.
  void WaitForNone() {
    std::unique_lock<std::mutex> lock(mu_);
    none_.wait(lock, [this] { return running_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable none_;
  int running_ = 0;
};

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_FAKES_IN_FLIGHT_H_
