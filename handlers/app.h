// The composition root: builds the store, the engine and the HTTP edges
// from Options and runs a subcommand. main() only parses options and calls
// Run.
#ifndef KONTOBOT_HANDLERS_APP_H_
#define KONTOBOT_HANDLERS_APP_H_

#include "config/options.h"

namespace kontobot::handlers {

// Runs options.command; returns the process exit code.
int Run(const config::Options& options);

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_APP_H_
