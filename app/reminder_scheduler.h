// The reminder scheduler: one thread that sleeps until the next timer row
// falls due (or until it is woken: a row was written that may be earlier,
// or the test clock moved) and then fires what is due through
// ConversationService::FireDueTimers, which does each batch in one
// transaction. At start it fires, once, whatever fell due while kontobot
// was down: the rows are still open in the database.
//
// Time comes from the injected Clock only. Because a Clock can jump (the
// test clock) and the wall clock can be set, the thread never sleeps longer
// than a minute without looking again.
//
// Thread-safety: Notify and Stop may be called from any thread.
#ifndef KONTOBOT_APP_REMINDER_SCHEDULER_H_
#define KONTOBOT_APP_REMINDER_SCHEDULER_H_

#include <memory>
#include <mutex>

#include <spdlog/logger.h>

#include "app/background_thread.h"
#include "app/conversation_service.h"

namespace kontobot::app {

class ReminderScheduler {
 public:
  ReminderScheduler(ConversationService& service, const Clock& clock,
                    std::shared_ptr<spdlog::logger> log);
  ~ReminderScheduler();

  void Start();
  // Wakes the scheduler to look at the next due time again.
  void Notify();
  // Stops after the batch in progress, if any.
  void Stop();

 private:
  void Loop();

  ConversationService& service_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  std::mutex mu_;
  BackgroundThread thread_{mu_, "kb-reminders", BackgroundThread::Priority::kBehind};
};

}  // namespace kontobot::app

#endif  // KONTOBOT_APP_REMINDER_SCHEDULER_H_
