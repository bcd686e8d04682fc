// kontobot's command line: a subcommand plus options, each settable as a
// flag, in a config file (--config, INI syntax "key = value") or as an
// environment variable KONTOBOT_<NAME> (e.g. KONTOBOT_LISTEN). Flags win
// over the environment, which wins over the file.
#ifndef KONTOBOT_CONFIG_OPTIONS_H_
#define KONTOBOT_CONFIG_OPTIONS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/address_range.h"

namespace kontobot::config {

struct Options {
  std::string command;            // "serve", "check-template", "version", "help"
  std::vector<std::string> args;  // the subcommand's arguments
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  std::string db = "kontobot.db";
  std::string templates = "config/templates";
  std::string messages = "config/messages";
  std::string directory = "config/directory.yaml";
  std::string log_level = "info";
  unsigned threads = 0;                 // 0: one per core, at least 2
  size_t max_body = size_t{64} * 1024;  // bytes
  bool webchat = true;
  // The name (HOST or HOST:PORT) at which people reach the web chat through
  // a reverse proxy that signs them in; "" when only the loopback names of
  // --listen are used (see WebChatAuthorities).
  std::string public_host;
  // Sign-in behind a reverse proxy (handlers/sign_in.h): the request header
  // that names the signed-in person; "" = off, and the web chat is then a
  // demo in which people pick who they are, on loopback only.
  std::string auth_header;
  // The proxies whose auth_header is believed; never empty with it.
  std::vector<AddressRange> trusted_proxies;
  // export and diary (handlers/export.h)
  std::string out;          // the new directory to write; "" = named after the export
  std::string by;           // who exports or registers (a directory person id)
  std::string to;           // to whom records are released
  bool masked = false;      // the dossier with personal data masked
  std::string lang = "sv";  // the exports' language
  bool events = true;       // the dossier's event log
  bool pdf = true;          // the dossier as PDF/A too
  std::string date;         // diary: the registration date (default today)
  std::string before;       // dispose: what arrived before this local date goes
  std::string decision;     // dispose: the disposal decision (gallringsbeslut) followed
  std::string slack_signing_secret;
  std::string slack_bot_token;
  std::string slack_api_base = "https://slack.com/api";
  std::string slack_bot_user;
  std::string matrix_homeserver;  // enables Matrix with the two tokens
  std::string matrix_server_name;
  std::string matrix_as_token;
  std::string matrix_hs_token;
  std::string matrix_localpart = "kontobot";
  // Mattermost (handlers/mattermost/): the server's URL enables it, with
  // the bot's token and the secret that signs our buttons; the slash
  // command's token turns on /mattermost/command; the callback URL is where
  // the server reaches kontobot (buttons and dialogs).
  std::string mattermost_url;
  std::string mattermost_bot_token;
  std::string mattermost_slash_token;
  std::string mattermost_action_secret;
  std::string mattermost_callback_url = "http://127.0.0.1:8080";
  // The social inbox (handlers/inbox/): Meta's webhook for Facebook Pages
  // and Instagram (/hooks/meta: the app secret enables it, with the verify
  // token of the subscription handshake), the generic Standard Webhooks
  // source (/hooks/inbox: its whsec_ secret enables it), the Graph API's
  // base URL and page tokens ("PAGE_ID=TOKEN") for replying and hiding.
  std::string meta_verify_token;
  std::string meta_app_secret;
  std::string inbox_secret;
  std::string graph_api_base = "https://graph.facebook.com/v19.0";
  std::vector<std::string> meta_page_tokens;
  // Seconds a platform API call may take (handlers/api_call.h), and after
  // which a delivery still running is a stall (app/outbox_sender.h).
  unsigned api_timeout = 10;
  unsigned outbox_stall_after = 60;
  // Test only: the clock can be moved by POST /test/clock (loopback only).
  bool test_clock = false;
  std::string test_clock_now;  // with --test-clock: start at this instant
  std::string matrix_url =
      "http://127.0.0.1:8080";  // matrix-registration: where the homeserver reaches us
};

struct ParseResult {
  Options options;
  std::string error;  // non-empty: print it and exit 2
  std::string help;   // non-empty: print it and exit 0
};

// Parses argv and the environment (`env` as NAME -> value, normally from
// environ). Never exits; the caller decides.
ParseResult ParseOptions(int argc, const char* const* argv,
                         const std::map<std::string, std::string>& env);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopback(const std::string& host);

// True for a bare authority as a Host header carries it: a DNS name or IPv4
// address, or an IPv6 address in brackets, with an optional :PORT; no
// scheme, path or user.
bool ValidAuthority(const std::string& authority);

// "HOST:PORT" or "[v6]:PORT". Returns false on malformed input.
bool ParseListen(const std::string& text, std::string& host, uint16_t& port);

}  // namespace kontobot::config

#endif  // KONTOBOT_CONFIG_OPTIONS_H_
