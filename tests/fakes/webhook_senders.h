// Signed webhook senders for the social inbox's tests: what Meta and a
// Standard Webhooks source send, signed the way they sign, computed here
// with OpenSSL directly (not with kontobot's own code, so a bug there
// cannot cancel itself out).
#ifndef KONTOBOT_TESTS_FAKES_WEBHOOK_SENDERS_H_
#define KONTOBOT_TESTS_FAKES_WEBHOOK_SENDERS_H_

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kontobot::testing {

inline std::string RawHmacSha256(const std::string& key, const std::string& message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(), &len);
  return {reinterpret_cast<const char*>(mac.data()), len};
}

// Meta's X-Hub-Signature-256 of `body` with `app_secret`.
inline std::map<std::string, std::string> MetaHeaders(const std::string& app_secret,
                                                      const std::string& body) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : RawHmacSha256(app_secret, body)) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 0xF]);
  }
  return {{"X-Hub-Signature-256", "sha256=" + hex}};
}

// One Page feed comment change, as Meta delivers it.
inline nlohmann::json MetaComment(const std::string& page, const std::string& comment_id,
                                  const std::string& text, int64_t created,
                                  const std::string& verb = "add",
                                  const std::string& from_id = "5550001",
                                  const std::string& from_name = "Eva Invånare",
                                  const std::string& parent = "") {
  return {{"object", "page"},
          {"entry",
           {{{"id", page},
             {"time", created},
             {"changes",
              {{{"field", "feed"},
                {"value",
                 {{"item", "comment"},
                  {"verb", verb},
                  {"comment_id", comment_id},
                  {"post_id", page + "_100"},
                  {"parent_id", parent.empty() ? page + "_100" : parent},
                  {"from", {{"id", from_id}, {"name", from_name}}},
                  {"message", text},
                  {"created_time", created}}}}}}}}}};
}

// The Standard Webhooks headers for `body`, with the key inside the
// secret "whsec_<base64>", signed at Unix time `at`.
inline std::map<std::string, std::string> StandardWebhookHeaders(const std::string& secret,
                                                                 const std::string& id, int64_t at,
                                                                 const std::string& body) {
  std::string b64 = secret.substr(6);
  std::string key(b64.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(key.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  key.resize(static_cast<size_t>(n) - (b64.size() >= 1 && b64.back() == '=' ? 1 : 0) -
             (b64.size() >= 2 && b64[b64.size() - 2] == '=' ? 1 : 0));
  const std::string ts = std::to_string(at);
  std::string mac = RawHmacSha256(key, id + "." + ts + "." + body);
  std::string sig(4 * ((mac.size() + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(sig.data()),
                  reinterpret_cast<const unsigned char*>(mac.data()), static_cast<int>(mac.size()));
  return {{"webhook-id", id}, {"webhook-timestamp", ts}, {"webhook-signature", "v1," + sig}};
}

inline int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_FAKES_WEBHOOK_SENDERS_H_
