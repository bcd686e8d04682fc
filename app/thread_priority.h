// Names for kontobot's own threads, and the lower CPU priority of the work
// that runs behind acknowledgements.
//
// Slack wants every event acknowledged within 3 s and retries it
// otherwise, and a webhook's sender waits for its answer; processing an
// acknowledged event (the engine, the answer, delivering it) can wait. So
// the threads that process (the inbound queue's worker, the outbox sender
// and its helpers, the reminder scheduler) run kBehindBy nice steps below
// the process (nice 10 when started at 0): when the cores are busy, the
// request threads and the landing writer go first; when they are not,
// processing has all the CPU there is. Nice, not SCHED_IDLE: a busy
// machine slows processing down but never stops it. In the Slack
// benchmark at 64 connections (bench/slack_events.sh) this took the
// acknowledgements from about 11,700 to 14,300 events/s and their p99
// from about 11.8 to 9.8 ms, while processing slowed from about 7,000 to
// 6,500 events/s.
//
// A thread's name is what `top -H`, `ps -L` and /proc/PID/task/*/comm show
// (at most 15 characters); a thread it starts inherits name and nice.
#ifndef KONTOBOT_APP_THREAD_PRIORITY_H_
#define KONTOBOT_APP_THREAD_PRIORITY_H_

namespace kontobot::app {

inline constexpr int kBehindBy = 10;

// Names the calling thread.
void NameThisThread(const char* name);
// Names the calling thread and lowers its priority by kBehindBy, to 19 at
// most (a thread may always lower its own).
void RunThisThreadBehind(const char* name);

}  // namespace kontobot::app

#endif  // KONTOBOT_APP_THREAD_PRIORITY_H_
