// The composition root: builds the store, the engines and the HTTP edges
// from Options and runs a subcommand. main() only parses options and calls
// Run.
//
// App is one serving kontobot: the store, the engines, the HTTP server with
// every enabled edge (web chat, register pages, Slack, Matrix) and the
// outbox sender. `kontobot serve` runs one until a stop signal; tests run
// one inside the test process (tests/store/fault_injection_test.cc).
//
// Thread-safety: Start and Stop are called from one thread; the HTTP
// handlers run on cpprestsdk's thread pool.
#ifndef KONTOBOT_HANDLERS_APP_H_
#define KONTOBOT_HANDLERS_APP_H_

#include <chrono>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "app/conversation_service.h"
#include "config/options.h"
#include "store/store.h"

namespace kontobot::handlers {

// Runs options.command; returns the process exit code.
int Run(const config::Options& options);

class App {
 public:
  // What a test may change about an App; the composition stays the same.
  struct TestSettings {
    // A registered SQLite VFS to open the database through (empty:
    // SQLite's default); tests/store/fault_injection_test.cc passes one
    // that injects I/O errors.
    std::string db_vfs;
    // False: timers are still written with the changes that cause them but
    // never fired, so no background transaction interleaves with the
    // requests a test counts the writes of.
    bool reminder_scheduler = true;
  };

  // Loads the configuration named in `options` and opens the database.
  // Returns nullptr, with the reasons logged, if the configuration has
  // errors. Throws if the database cannot be opened.
  static std::unique_ptr<App> Create(const config::Options& options,
                                     const std::shared_ptr<spdlog::logger>& log,
                                     const TestSettings& test);
  static std::unique_ptr<App> Create(const config::Options& options,
                                     const std::shared_ptr<spdlog::logger>& log) {
    return Create(options, log, TestSettings{});
  }
  ~App();  // stops if still running

  // Starts the outbox sender (if a platform delivers through it), the
  // reminder scheduler and the HTTP server. Throws std::runtime_error if the address is taken.
  void Start();
  // Stops accepting requests, waits up to `drain` for those in flight, then
  // stops the outbox sender. Returns false if some requests were still
  // running when the time ran out.
  bool Stop(std::chrono::milliseconds drain);

  // The conversation service and the store, for edges composed outside
  // (the social inbox reports comments to Service()) and for tests.
  app::ConversationService& Service();
  store::Store& Store();

  struct Parts;  // what App composes (app.cc)

 private:
  explicit App(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_APP_H_
