// Slack request signing (v0): HMAC-SHA256 of "v0:" + timestamp + ":" + the
// raw body, keyed with the app's signing secret, sent as
// X-Slack-Signature: v0=<lowercase hex>. Checked over the exact bytes
// received, before anything is parsed, in constant time; a timestamp more
// than five minutes from now is refused (replays).
#ifndef KONTOBOT_HANDLERS_SLACK_SIGNATURE_H_
#define KONTOBOT_HANDLERS_SLACK_SIGNATURE_H_

#include <cstdint>
#include <string>

namespace kontobot::slack {

enum class SignatureCheck { kValid, kMissing, kStale, kMismatch };

// "v0=" + hex HMAC-SHA256(secret, "v0:" + timestamp + ":" + body).
std::string Sign(const std::string& secret, const std::string& timestamp, const std::string& body);

// Checks the two headers against `body`; `now` is Unix seconds.
SignatureCheck Verify(const std::string& secret, const std::string& timestamp_header,
                      const std::string& signature_header, const std::string& body, int64_t now);

}  // namespace kontobot::slack

#endif  // KONTOBOT_HANDLERS_SLACK_SIGNATURE_H_
