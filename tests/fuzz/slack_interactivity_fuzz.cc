// Fuzz target: the form-encoded body of Slack's interactivity endpoint
// (payload=<JSON> with block_actions, view_submission, ...), read by
// ParseInteraction exactly as Adapter::Interactivity reads it. Checks: no
// crash, no UB, no leak, no exception escaping; a button's action is its
// action_id up to the last ':' and "-" never reaches the engine as a value;
// and percent-decoding round-trips: any bytes, percent-encoded as a form
// value, decode back to themselves.
#include <string>
#include <string_view>

#include "handlers/http_server.h"
#include "handlers/slack/payloads.h"
#include "tests/fuzz/fuzz_util.h"

using kontobot::slack::Interaction;

namespace {

std::string FormEncode(const std::string& s) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string form = kontobot::fuzz::AsString(data, size);
  Interaction a = kontobot::slack::ParseInteraction(form);
  switch (a.kind) {
    case Interaction::Kind::kInvalid:
      FUZZ_CHECK(!a.error_code.empty() && !a.error.empty());
      break;
    case Interaction::Kind::kButton:
      FUZZ_CHECK(a.action_id.compare(0, a.action.size(), a.action) == 0);
      FUZZ_CHECK(a.value != "-");
      break;
    case Interaction::Kind::kIgnore:
      break;
  }
  auto decoded = kontobot::handlers::ParseQuery("payload=" + FormEncode(form) + "&x=1");
  FUZZ_CHECK(decoded.size() == 2 && decoded["payload"] == form);
  return 0;
}
