#include "handlers/mattermost/setup.h"

#include <openssl/rand.h>

#include <array>
#include <sstream>
#include <stdexcept>

namespace kontobot::mattermost {

std::string NewSecret() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("OpenSSL has no random bytes");
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

std::string SetupText(const std::string& server_url, const std::string& callback_url,
                      const std::string& secret) {
  std::string base = callback_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string server = server_url.empty() ? "https://chat.kommun.example" : server_url;
  std::ostringstream out;
  out << "# Mattermost settings for kontobot (README, \"Mattermost\").\n"
      << "#\n"
      << "# System Console > Integrations > Integration Management:\n"
      << "#   Enable Slash Commands: true\n"
      << "#   Enable Personal Access Tokens: true   (the bot's token is one)\n"
      << "# System Console > Integrations > Bot Accounts:\n"
      << "#   Enable Bot Account Creation: true\n"
      << "# System Console > Environment > Developer (only if kontobot's address is\n"
      << "# private, e.g. 10.x or a name that resolves to one):\n"
      << "#   Allow untrusted internal connections to: the host of " << base << "\n"
      << "#\n"
      << "# Integrations > Slash Commands > Add Slash Command (in any team):\n"
      << "#   Title:              kontobot\n"
      << "#   Command Trigger Word: kontobot\n"
      << "#   Request URL:        " << base << kCommandPath << "\n"
      << "#   Request Method:     POST\n"
      << "#   Autocomplete:       on, hint: [text]\n"
      << "# then copy its Token into KONTOBOT_MATTERMOST_SLASH_TOKEN below.\n"
      << "#\n"
      << "# Buttons and dialogs call (nothing to configure; the server must reach it):\n"
      << "#   " << base << kActionPath << "\n"
      << "#   " << base << kDialogPath << "\n"
      << "#\n"
      << "# kontobot's settings (keep the tokens and the secret out of shell history):\n"
      << "KONTOBOT_MATTERMOST_URL=" << server << "\n"
      << "KONTOBOT_MATTERMOST_BOT_TOKEN=<the bot account's access token>\n"
      << "KONTOBOT_MATTERMOST_SLASH_TOKEN=<the slash command's token>\n"
      << "KONTOBOT_MATTERMOST_ACTION_SECRET=" << secret << "\n"
      << "KONTOBOT_MATTERMOST_CALLBACK_URL=" << base << "\n";
  return out.str();
}

}  // namespace kontobot::mattermost
