#include "handlers/slack/signature.h"

#include <array>
#include <charconv>
#include <string_view>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace kontobot::slack {

std::string Sign(const std::string& secret, const std::string& timestamp, const std::string& body) {
  std::string base = "v0:" + timestamp + ":" + body;
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(base.data()), base.size(), mac.data(), &len);
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out = "v0=";
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 0xF]);
  }
  return out;
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
  constexpr int64_t kMaxAge = 60 * 5;
  if (ts < now - kMaxAge || ts > now + kMaxAge) return SignatureCheck::kStale;
  std::string expected = Sign(secret, timestamp_header, body);
  if (expected.size() != signature_header.size() ||
      CRYPTO_memcmp(expected.data(), signature_header.data(), expected.size()) != 0) {
    return SignatureCheck::kMismatch;
  }
  return SignatureCheck::kValid;
}

}  // namespace kontobot::slack
