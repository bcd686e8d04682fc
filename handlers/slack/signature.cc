#include "handlers/slack/signature.h"

#include <array>
#include <charconv>
#include <mutex>
#include <stdexcept>
#include <string_view>

#include <openssl/evp.h>
#include <openssl/params.h>

#include "handlers/constant_time.h"

namespace kontobot::slack {

namespace {

// OpenSSL 3 looks the digest up in its providers and keys the HMAC on every
// one-shot HMAC() call; that was most of the cost of verifying a request.
// One context is keyed with the secret, once, and each message gets a copy
// of it. Keying also allocates OpenSSL state of the calling thread, which a
// request thread never frees (cpprestsdk's threads outlive main): so it is
// not done per thread, and the Slack adapter signs once on the main thread
// at start. The keyed context lives as long as the process.
EVP_MAC_CTX* NewContext(const std::string& secret) {
  static std::mutex mu;
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  static EVP_MAC_CTX* keyed = nullptr;
  static std::string keyed_secret;
  std::lock_guard<std::mutex> lock(mu);
  if (keyed == nullptr || keyed_secret != secret) {
    EVP_MAC_CTX_free(keyed);
    keyed = EVP_MAC_CTX_new(mac);
    std::array<char, 7> digest{"SHA256"};
    std::array<OSSL_PARAM, 2> params{OSSL_PARAM_construct_utf8_string("digest", digest.data(), 0),
                                     OSSL_PARAM_construct_end()};
    EVP_MAC_init(keyed, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                 params.data());
    keyed_secret = secret;
  }
  return EVP_MAC_CTX_dup(keyed);
}

}  // namespace

std::string Sign(const std::string& secret, const std::string& timestamp, const std::string& body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  size_t len = 0;
  EVP_MAC_CTX* ctx = NewContext(secret);
  if (ctx == nullptr) throw std::runtime_error("OpenSSL cannot make an HMAC-SHA256 context");
  auto update = [ctx](std::string_view s) {
    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  update("v0:");
  update(timestamp);
  update(":");
  update(body);
  EVP_MAC_final(ctx, mac.data(), &len, mac.size());
  EVP_MAC_CTX_free(ctx);
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out = "v0=";
  for (size_t i = 0; i < len; ++i) {
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
  constexpr int64_t kMaxAge = int64_t{60} * 5;
  if (ts < now - kMaxAge || ts > now + kMaxAge) return SignatureCheck::kStale;
  std::string expected = Sign(secret, timestamp_header, body);
  if (!handlers::SameSecret(signature_header, expected)) return SignatureCheck::kMismatch;
  return SignatureCheck::kValid;
}

}  // namespace kontobot::slack
