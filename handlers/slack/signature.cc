#include "handlers/slack/signature.h"

#include <charconv>

#include "handlers/constant_time.h"
#include "handlers/hmac.h"

namespace kontobot::slack {

std::string Sign(const std::string& secret, const std::string& timestamp, const std::string& body) {
  return "v0=" + handlers::Hex(handlers::HmacSha256(secret, {"v0:", timestamp, ":", body}));
}

SignatureCheck Verify(const std::string& secret, const std::string& timestamp_header,
                      const std::string& signature_header, const std::string& body, int64_t now) {
  if (timestamp_header.empty() || signature_header.empty()) return SignatureCheck::kMissing;
  int64_t ts = 0;
  auto [p, ec] = std::from_chars(timestamp_header.data(),
                                 timestamp_header.data() + timestamp_header.size(), ts);
  if (ec != std::errc() || p != timestamp_header.data() + timestamp_header.size())
    return SignatureCheck::kMismatch;
  // Compared without subtracting the two: the timestamp is any 64-bit number
  // a client cares to send, and now - ts overflows for the most negative.
  constexpr int64_t kMaxAge = int64_t{60} * 5;
  if (ts < now - kMaxAge || ts > now + kMaxAge) return SignatureCheck::kStale;
  std::string expected = Sign(secret, timestamp_header, body);
  if (!handlers::SameSecret(signature_header, expected)) return SignatureCheck::kMismatch;
  return SignatureCheck::kValid;
}

}  // namespace kontobot::slack
