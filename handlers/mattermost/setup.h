// `kontobot mattermost-setup`: what a Mattermost administrator pastes into
// the System Console and into kontobot's settings, printed from the
// options given (the server's URL and where it reaches kontobot), with a
// new random action secret.
//
// Thread-safety: a pure function but for the secret's random bytes.
#ifndef KONTOBOT_HANDLERS_MATTERMOST_SETUP_H_
#define KONTOBOT_HANDLERS_MATTERMOST_SETUP_H_

#include <string>

namespace kontobot::mattermost {

// The routes kontobot answers for Mattermost, below --listen.
inline constexpr const char* kActionPath = "/mattermost/actions";
inline constexpr const char* kDialogPath = "/mattermost/dialog";
inline constexpr const char* kCommandPath = "/mattermost/command";

// 32 random bytes as 64 hex characters.
std::string NewSecret();

// The settings to paste: the slash command's, the server's and kontobot's.
// `callback_url` is where the Mattermost server reaches kontobot.
std::string SetupText(const std::string& server_url, const std::string& callback_url,
                      const std::string& secret);

}  // namespace kontobot::mattermost

#endif  // KONTOBOT_HANDLERS_MATTERMOST_SETUP_H_
