// HMAC-SHA256 for the webhook signatures kontobot checks (Slack's v0, Meta's
// X-Hub-Signature-256, Standard Webhooks' v1) and the encodings they are
// sent in. One keyed OpenSSL context is kept per secret and copied for each
// message: OpenSSL 3 looks the digest up and keys the HMAC on every
// one-shot call, which was most of the cost of verifying a request.
//
// Thread-safety: all functions may be called from any thread. Keying
// allocates OpenSSL state of the calling thread, which a request thread
// never frees (cpprestsdk's threads outlive main), so each adapter signs
// once on the main thread at start.
#ifndef KONTOBOT_HANDLERS_HMAC_H_
#define KONTOBOT_HANDLERS_HMAC_H_

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace kontobot::handlers {

// The raw 32-byte HMAC-SHA256 of the concatenation of `parts`, keyed with
// `key`. Throws std::runtime_error if OpenSSL cannot make a context.
std::string HmacSha256(std::string_view key, std::initializer_list<std::string_view> parts);

// Lowercase hex of `bytes`.
std::string Hex(std::string_view bytes);
// Standard base64 (with padding) of `bytes`.
std::string Base64(std::string_view bytes);
// The bytes of standard base64 `text`; nullopt if it is not base64.
std::optional<std::string> FromBase64(std::string_view text);

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_HMAC_H_
