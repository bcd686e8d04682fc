#include "app/thread_priority.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace kontobot::app {

void NameThisThread(const char* name) { pthread_setname_np(pthread_self(), name); }

void RunThisThreadBehind(const char* name) {
  NameThisThread(name);
  // On Linux the nice value belongs to the thread, named by its id.
  auto self = static_cast<id_t>(gettid());
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, self);  // -1 is a value as well
  if (errno == 0) setpriority(PRIO_PROCESS, self, std::min(nice + kBehindBy, 19));
}

}  // namespace kontobot::app
