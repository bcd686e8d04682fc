// cpprestsdk's thread pool may be sized once per process, before any of its
// objects exists. The tests of kontobot_thread_tests that compose a whole
// App each call this first; whichever runs first sizes it (ctest runs them
// one per process, the ThreadSanitizer stage all in one).
#ifndef KONTOBOT_TESTS_APP_THREAD_POOL_H_
#define KONTOBOT_TESTS_APP_THREAD_POOL_H_

#include "handlers/http_server.h"

namespace kontobot::testing {

inline void SizeThreadPoolOnce() {
  static const bool kSized = [] {
    handlers::InitializeThreadPool(2);
    return true;
  }();
  (void)kSized;
}

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_APP_THREAD_POOL_H_
