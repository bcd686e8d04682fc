#include "config/options.h"

#include <fstream>
#include <sstream>
#include <thread>

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace kontobot::config {
namespace {

constexpr const char* kUsage =
    "kontobot – social-media account governance in chat\n"
    "\n"
    "Usage: kontobot COMMAND [options]\n"
    "\n"
    "Commands:\n"
    "  serve                  start the bot: the web chat, the register and the\n"
    "                         chat-platform endpoints, on --listen\n"
    "  check-template FILE... validate checklist templates; prints every error as\n"
    "                         FILE:LINE:COLUMN: message and exits 1 if any\n"
    "  export registration ID --by PERSON --to RECIPIENT [--masked] [--lang en]\n"
    "                         release one case: the dossier as HTML and PDF/A (and\n"
    "                         JSON unless masked) in a new directory --out; recorded\n"
    "  export register        write register.csv, register.json and\n"
    "                         register-history.csv in a new directory --out\n"
    "  export archive [ID...] --by PERSON   an e-archive package (E-ARK SIP / FGS)\n"
    "                         of the cases (all when none given) in a new --out\n"
    "  diary ID NUMBER --by PERSON [--date YYYY-MM-DD]\n"
    "                         register a case in the diary with its diarienummer\n"
    "  dispose originals --before YYYY-MM-DD --decision TEXT --by PERSON\n"
    "                         dispose of (gallra) the chat platforms' originals that\n"
    "                         arrived before the date, under the decision; recorded\n"
    "  matrix-registration    print a Matrix Application Service registration (new\n"
    "                         tokens) for the homeserver, and the matching settings\n"
    "  mattermost-setup       print the Mattermost slash-command and interactivity\n"
    "                         settings to paste, with a new action secret\n"
    "  version                print the version\n"
    "\n"
    "Every option can also be set in the file given by --config (INI: key = value)\n"
    "or as an environment variable: --max-body is KONTOBOT_MAX_BODY.\n"
    "\n";

std::string EnvToOption(const std::string& name) {
  const std::string prefix = "KONTOBOT_";
  if (name.compare(0, prefix.size(), prefix) != 0) return "";
  std::string out;
  for (char c : name.substr(prefix.size())) {
    out.push_back(c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

// Reads --trusted-proxies into `o` and checks the sign-in options together;
// returns the error to print, or "".
std::string CheckSignIn(Options& o, const std::string& trusted_proxies) {
  if (o.auth_header.empty()) {
    return "--trusted-proxies does nothing without --auth-header (the header that names the "
           "signed-in person)";
  }
  // A header name is a token; '_' is refused too, since a proxy may treat
  // X_Remote_User and X-Remote-User as one header (nginx drops it).
  if (o.auth_header.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != std::string::npos) {
    return "--auth-header must be a header name of letters, digits and '-', e.g. X-Remote-User, "
           "not '" +
           o.auth_header + "'";
  }
  std::string bad;
  auto ranges = ParseAddressRanges(trusted_proxies, bad);
  if (!ranges) {
    return "--trusted-proxies: '" + bad +
           "' is not an address or CIDR range (such as 127.0.0.1, ::1 or 10.1.2.0/24)";
  }
  if (ranges->empty()) {
    return "--auth-header needs --trusted-proxies: the addresses of the reverse proxy that signs "
           "people in (e.g. 127.0.0.1 when it runs on this machine); the header is believed from "
           "them only";
  }
  for (const AddressRange& r : *ranges) {
    if (r.prefix() == 0) {
      return "--trusted-proxies " + r.text() +
             " would trust every address: anyone who reaches the bot could sign in as anyone. "
             "Give the reverse proxy's own addresses";
    }
  }
  if (o.public_host.empty()) {
    return "--auth-header needs --public-host: the HOST[:PORT] at which people reach the web chat "
           "through the reverse proxy, e.g. kontobot.kommun.example";
  }
  o.trusted_proxies = std::move(*ranges);
  return "";
}

}  // namespace

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

bool ValidAuthority(const std::string& authority) {
  std::string host = authority;
  const size_t colon = authority.rfind(':');
  const size_t bracket = authority.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    const std::string port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
      return false;
    }
  }
  if (host.empty()) return false;
  if (host.front() == '[') {
    return host.size() > 2 && host.back() == ']' &&
           host.find_first_not_of("0123456789abcdefABCDEF:.", 1) == host.size() - 1;
  }
  return host.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
         std::string::npos;
}

bool ParseListen(const std::string& text, std::string& host, uint16_t& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= text.size()) return false;
  host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return false;
    host = host.substr(1, host.size() - 2);
  }
  std::string p = text.substr(colon + 1);
  if (p.find_first_not_of("0123456789") != std::string::npos || p.size() > 5) return false;
  unsigned long v = std::stoul(p);
  if (v > 65535) return false;
  port = static_cast<uint16_t>(v);
  return !host.empty();
}

ParseResult ParseOptions(int argc, const char* const* argv,
                         const std::map<std::string, std::string>& env) {
  ParseResult result;
  Options& o = result.options;
  std::string listen, config_file, max_body, trusted_proxies;
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")("config", po::value(&config_file),
                                                 "read options from this INI file")(
      "listen", po::value(&listen)->default_value("127.0.0.1:8080"),
      "HOST:PORT to serve HTTP on (the web chat is at http://HOST:PORT/)")(
      "db", po::value(&o.db)->default_value(o.db), "SQLite database file (created if missing)")(
      "templates", po::value(&o.templates)->default_value(o.templates),
      "directory of checklist templates (*.yaml)")(
      "messages", po::value(&o.messages)->default_value(o.messages),
      "directory of message catalogues (sv/, en/)")(
      "directory", po::value(&o.directory)->default_value(o.directory),
      "the directory of people, units and managers (YAML)")(
      "threads", po::value(&o.threads)->default_value(0),
      "HTTP worker threads; 0 = one per core (at least 2)")(
      "max-body", po::value(&o.max_body)->default_value(o.max_body),
      "largest request body accepted, in bytes; larger ones get 413")(
      "webchat", po::value(&o.webchat)->default_value(true),
      "serve the built-in web chat at / (on/off); without --auth-header it is a demo in which "
      "people pick who they are, so it needs a loopback --listen")(
      "public-host", po::value(&o.public_host),
      "HOST[:PORT] at which a reverse proxy that signs people in serves the web chat "
      "(its Host and Origin are then accepted too)")(
      "auth-header", po::value(&o.auth_header),
      "sign-in: the request header in which the reverse proxy names the signed-in person (a "
      "directory id or e-mail), e.g. X-Remote-User; off when not given")(
      "trusted-proxies", po::value(&trusted_proxies),
      "sign-in: the reverse proxy's addresses or CIDR ranges, separated by commas, e.g. "
      "127.0.0.1,::1; --auth-header is believed from these only")(
      "out", po::value(&o.out), "export: the new directory to write (must not exist)")(
      "by", po::value(&o.by), "export, diary: your person id in the directory")(
      "to", po::value(&o.to), "export registration: to whom the records are released")(
      "masked", po::bool_switch(&o.masked),
      "export registration: mask private persons' personal data")(
      "lang", po::value(&o.lang)->default_value(o.lang), "export: sv or en")(
      "events", po::value(&o.events)->default_value(true),
      "export registration: include the event log (true/false)")(
      "pdf", po::value(&o.pdf)->default_value(true),
      "export registration, archive: also print the dossier as PDF/A (true/false)")(
      "date", po::value(&o.date), "diary: the registration date, YYYY-MM-DD (default today)")(
      "before", po::value(&o.before),
      "dispose: what arrived before this date (YYYY-MM-DD, Swedish time) is disposed of")(
      "decision", po::value(&o.decision),
      "dispose: the disposal decision (gallringsbeslut) followed, e.g. \"KS 2026/14 § 3\"")(
      "slack-signing-secret", po::value(&o.slack_signing_secret),
      "Slack app's signing secret (Basic Information); enables /slack/events and "
      "/slack/interactivity")("slack-bot-token", po::value(&o.slack_bot_token),
                              "Slack bot token, xoxb-… (OAuth & Permissions)")(
      "slack-api-base", po::value(&o.slack_api_base)->default_value(o.slack_api_base),
      "Slack Web API base URL (tests point it at a local fake)")(
      "slack-bot-user", po::value(&o.slack_bot_user),
      "the bot's own Slack user id, U… (its messages are ignored)")(
      "matrix-homeserver", po::value(&o.matrix_homeserver),
      "Matrix homeserver's Client-Server API base URL, e.g. https://matrix.kommun.example; enables "
      "Matrix")("matrix-server-name", po::value(&o.matrix_server_name),
                "the homeserver's server name, e.g. kommun.example")(
      "matrix-as-token", po::value(&o.matrix_as_token), "as_token from the registration")(
      "matrix-hs-token", po::value(&o.matrix_hs_token), "hs_token from the registration")(
      "matrix-localpart", po::value(&o.matrix_localpart)->default_value(o.matrix_localpart),
      "the bot's user localpart (@kontobot:server)")(
      "matrix-url", po::value(&o.matrix_url)->default_value(o.matrix_url),
      "matrix-registration: the URL at which the homeserver reaches kontobot")(
      "meta-app-secret", po::value(&o.meta_app_secret),
      "the Meta app's App Secret (App settings > Basic); with --meta-verify-token enables "
      "/hooks/meta for Facebook Page and Instagram comments")(
      "meta-verify-token", po::value(&o.meta_verify_token),
      "the verify token you typed in the Meta app's webhook settings (a different secret "
      "from the app secret)")(
      "meta-page-token", po::value(&o.meta_page_tokens)->composing(),
      "PAGE_ID=TOKEN: a Page access token, so administrators get a Reply button for that "
      "page's comments (repeatable)")("graph-api-base",
                                      po::value(&o.graph_api_base)->default_value(o.graph_api_base),
                                      "Meta Graph API base URL (tests point it at a local fake)")(
      "inbox-secret", po::value(&o.inbox_secret),
      "whsec_<base64>: the Standard Webhooks secret of the generic source; enables /hooks/inbox")(
      "mattermost-url", po::value(&o.mattermost_url),
      "Mattermost server URL, e.g. https://chat.kommun.example; enables Mattermost")(
      "mattermost-bot-token", po::value(&o.mattermost_bot_token),
      "the Mattermost bot account's access token (System Console > Integrations > Bot "
      "Accounts)")("mattermost-slash-token", po::value(&o.mattermost_slash_token),
                   "the /kontobot slash command's token; enables /mattermost/command")(
      "mattermost-action-secret", po::value(&o.mattermost_action_secret),
      "a secret of at least 32 characters that signs kontobot's buttons and dialogs "
      "(mattermost-setup makes one)")(
      "mattermost-callback-url",
      po::value(&o.mattermost_callback_url)->default_value(o.mattermost_callback_url),
      "the URL at which the Mattermost server reaches kontobot (buttons, dialogs, the slash "
      "command)")(
      "api-timeout", po::value(&o.api_timeout)->default_value(o.api_timeout),
      "seconds a call to Slack's or Matrix's API may take, answer included; then it is given "
      "up and retried")(
      "outbox-stall-after", po::value(&o.outbox_stall_after)->default_value(o.outbox_stall_after),
      "seconds after which a delivery still running is a stall (/healthz answers 503)")(
      "test-clock", po::bool_switch(&o.test_clock),
      "TESTS ONLY: let POST /test/clock move the bot's clock; refused unless --listen is a "
      "loopback address")("test-clock-now", po::value(&o.test_clock_now),
                          "TESTS ONLY: with --test-clock, start the clock at this instant, e.g. "
                          "2026-12-24T09:00:00+01:00")(
      "log-level", po::value(&o.log_level)->default_value(o.log_level),
      "trace, debug, info, warn, error");
  po::options_description hidden;
  hidden.add_options()("command", po::value(&o.command))("args", po::value(&o.args)->multitoken());
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("command", 1).add("args", -1);

  std::ostringstream help;
  help << kUsage << opts;
  try {
    po::variables_map vm;
    po::store(
        po::command_line_parser(argc, const_cast<char**>(argv)).options(all).positional(pos).run(),
        vm);
    // The environment: only KONTOBOT_* names, and an unknown one is an error
    // (a typo in a deployment must not be ignored silently).
    std::vector<std::string> env_args;
    for (const auto& [name, value] : env) {
      std::string opt = EnvToOption(name);
      if (opt.empty()) continue;
      if (opts.find_nothrow(opt, false) == nullptr || opt == "help") {
        result.error = "unknown environment variable " + name + " (see kontobot --help)";
        return result;
      }
      env_args.push_back("--" + opt);
      env_args.back().append("=").append(value);
    }
    po::store(po::command_line_parser(env_args).options(opts).run(), vm);
    if (vm.count("config")) {
      std::ifstream in(vm["config"].as<std::string>());
      if (!in) {
        result.error = "cannot read config file " + vm["config"].as<std::string>();
        return result;
      }
      po::store(po::parse_config_file(in, opts, false), vm);
    }
    po::notify(vm);
    if (vm.count("help") || o.command.empty() || o.command == "help") {
      result.help = help.str();
      return result;
    }
  } catch (const po::error& e) {
    result.error = std::string(e.what()) + " (see kontobot --help)";
    return result;
  }

  if (o.command != "serve" && o.command != "check-template" && o.command != "version" &&
      o.command != "export" && o.command != "diary" && o.command != "dispose" &&
      o.command != "matrix-registration" && o.command != "mattermost-setup") {
    result.error = "unknown command '" + o.command +
                   "' (serve, check-template, export, diary, dispose, matrix-registration, "
                   "mattermost-setup, version)";
    return result;
  }
  if (o.command == "export") {
    bool registration = o.args.size() == 2 && o.args[0] == "registration" &&
                        o.args[1].find_first_not_of("0123456789") == std::string::npos;
    bool whole_register = o.args.size() == 1 && o.args[0] == "register";
    bool archive = !o.args.empty() && o.args[0] == "archive";
    if (!registration && !whole_register && !archive) {
      result.error = "export takes 'registration ID', 'register' or 'archive [ID...]'";
      return result;
    }
  }
  if (o.command == "diary" && o.args.size() != 2) {
    result.error = "diary takes ID and NUMBER (quote a number with spaces: \"KS 2026/123\")";
    return result;
  }
  if (o.command == "dispose" && (o.args.size() != 1 || o.args[0] != "originals")) {
    result.error = "dispose takes 'originals' (the chat platforms' messages as they arrived)";
    return result;
  }
  if (o.command == "check-template" && o.args.empty()) {
    result.error = "check-template needs at least one FILE";
    return result;
  }
  if (o.command != "check-template" && o.command != "export" && o.command != "diary" &&
      o.command != "dispose" && !o.args.empty()) {
    result.error = "unexpected argument '" + o.args.front() + "' for " + o.command;
    return result;
  }
  if (!ParseListen(listen, o.listen_host, o.listen_port)) {
    result.error = "--listen must be HOST:PORT, e.g. 127.0.0.1:8080, not '" + listen + "'";
    return result;
  }
  if (o.threads > 256) {
    result.error = "--threads must be between 0 and 256";
    return result;
  }
  if (o.threads == 0) o.threads = std::max(2u, std::thread::hardware_concurrency());
  if (o.max_body < 1024 || o.max_body > size_t{64} * 1024 * 1024) {
    result.error = "--max-body must be between 1024 and 67108864 bytes";
    return result;
  }
  if (o.api_timeout < 1 || o.api_timeout > 600) {
    result.error = "--api-timeout must be between 1 and 600 seconds";
    return result;
  }
  if (o.outbox_stall_after < 1) {
    result.error = "--outbox-stall-after must be at least 1 second";
    return result;
  }
  static const std::vector<std::string> kLevels{"trace", "debug", "info", "warn", "error"};
  if (std::find(kLevels.begin(), kLevels.end(), o.log_level) == kLevels.end()) {
    result.error = "--log-level must be one of trace, debug, info, warn, error";
    return result;
  }
  if (o.slack_signing_secret.empty() != o.slack_bot_token.empty()) {
    result.error = "Slack needs both --slack-signing-secret and --slack-bot-token";
    return result;
  }
  bool matrix = !o.matrix_homeserver.empty();
  if (matrix &&
      (o.matrix_server_name.empty() || o.matrix_as_token.empty() || o.matrix_hs_token.empty())) {
    result.error =
        "Matrix needs --matrix-server-name, --matrix-as-token and --matrix-hs-token with "
        "--matrix-homeserver";
    return result;
  }
  // mattermost-setup takes the URL only, to print it.
  bool mattermost = !o.mattermost_url.empty() && o.command != "mattermost-setup";
  if (mattermost && (o.mattermost_bot_token.empty() || o.mattermost_action_secret.empty())) {
    result.error =
        "Mattermost needs --mattermost-bot-token and --mattermost-action-secret with "
        "--mattermost-url";
    return result;
  }
  if (mattermost && o.mattermost_action_secret.size() < 32) {
    result.error =
        "--mattermost-action-secret must be at least 32 characters (kontobot mattermost-setup "
        "makes one)";
    return result;
  }
  if ((mattermost || o.command == "mattermost-setup") &&
      o.mattermost_callback_url.rfind("http://", 0) != 0 &&
      o.mattermost_callback_url.rfind("https://", 0) != 0) {
    result.error = "--mattermost-callback-url must start with http:// or https://";
    return result;
  }
  if (o.command == "matrix-registration" && o.matrix_server_name.empty()) {
    result.error =
        "matrix-registration needs --matrix-server-name (and --matrix-url if not 127.0.0.1:8080)";
    return result;
  }
  if (o.test_clock && !IsLoopback(o.listen_host)) {
    result.error =
        "--test-clock lets anyone who can reach the bot move its clock: it needs a "
        "loopback --listen address (127.0.0.1, ::1 or localhost), not '" +
        o.listen_host + "'";
    return result;
  }
  if (!o.test_clock_now.empty() && !o.test_clock) {
    result.error = "--test-clock-now needs --test-clock";
    return result;
  }
  if (o.meta_app_secret.empty() != o.meta_verify_token.empty()) {
    result.error = "Meta needs both --meta-app-secret and --meta-verify-token";
    return result;
  }
  for (const std::string& t : o.meta_page_tokens) {
    size_t eq = t.find('=');
    if (eq == 0 || eq == std::string::npos || eq + 1 == t.size()) {
      result.error = "--meta-page-token must be PAGE_ID=TOKEN";
      return result;
    }
  }
  if (!o.inbox_secret.empty() && o.inbox_secret.rfind("whsec_", 0) != 0) {
    result.error = "--inbox-secret must be whsec_ followed by base64, as the sender shows it";
    return result;
  }
  if (o.command == "serve" && !o.webchat && o.slack_signing_secret.empty() && !matrix &&
      !mattermost && o.meta_app_secret.empty() && o.inbox_secret.empty()) {
    result.error = "--webchat=off leaves nothing to serve: no chat platform is configured";
    return result;
  }
  if (!o.public_host.empty() && !ValidAuthority(o.public_host)) {
    result.error = "--public-host must be HOST or HOST:PORT, e.g. kontobot.kommun.example, not '" +
                   o.public_host + "'";
    return result;
  }
  if (!o.auth_header.empty() || !trusted_proxies.empty()) {
    if (std::string error = CheckSignIn(o, trusted_proxies); !error.empty()) {
      result.error = error;
      return result;
    }
  }
  if (o.command == "serve" && o.webchat && o.auth_header.empty() && !IsLoopback(o.listen_host)) {
    result.error =
        "the web chat has no sign-in: on '" + o.listen_host +
        "' anyone who reaches the bot could act as any person. Put it behind a reverse proxy "
        "that signs people in and turn sign-in on with --auth-header X-Remote-User "
        "--trusted-proxies PROXY-ADDRESS --public-host NAME (README, \"Sign-in behind nginx\"); "
        "or listen on a loopback address (--listen 127.0.0.1:" +
        std::to_string(o.listen_port) +
        ") for the demo, or turn the web chat off with --webchat=off (Slack and Matrix do not "
        "need it)";
    return result;
  }
  return result;
}

}  // namespace kontobot::config
