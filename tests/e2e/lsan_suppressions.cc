// LeakSanitizer suppressions of the end-to-end test program only (the bot
// processes it starts, and every other test program, have none).
//
// The fake Slack Web API and fake homeserver run on cpprestsdk's
// http_listener in this process. When a test ends, the bot is stopped with a
// request of its to a fake sometimes still open; closing the fake's listener
// then destroys that request's task_completion_event unset, and pplx
// (/usr/include/pplx/pplxtasks.h, called from libcpprest.so) cancels the
// task and schedules its continuations as a chore on cpprestsdk's shared
// thread pool. If the process exits before a pool thread has run the chore,
// the chore and the tasks it holds are reported as leaked: cpprestsdk does
// not drain its pool at exit. Seen in the ASan stage after all tests had
// passed (SlackTest.UsersInfoRateLimitIsWaitedOut…, and
// SlackTest.RegistrationAndApprovalHappenInSlack under CPU load), with the
// direct leak allocated inside libcpprest.so (Debian ships it without
// symbols, so the frames name only the library). Memory the library
// abandons at exit, not a leak of the bot's: the bot's own processes keep
// their leak check without suppressions.
//
// LeakSanitizer calls this when the program is built with it; otherwise it
// is unused.
// NOLINTNEXTLINE(bugprone-reserved-identifier,readability-identifier-naming): LeakSanitizer's name
extern "C" const char* __lsan_default_suppressions() { return "leak:libcpprest.so\n"; }
