// Comparing a secret someone sent with the one we hold (a signature, a
// token) in time that does not depend on where they first differ, so the
// time of a refusal does not tell an attacker how much of a guess was right.
//
// Thread-safety: a pure function.
#ifndef KONTOBOT_HANDLERS_CONSTANT_TIME_H_
#define KONTOBOT_HANDLERS_CONSTANT_TIME_H_

#include <openssl/crypto.h>

#include <string_view>

namespace kontobot::handlers {

// True if `given` equals `secret`. Only the length shows in the time taken
// (our secrets' lengths are fixed and no secret themselves).
inline bool SameSecret(std::string_view given, std::string_view secret) {
  return given.size() == secret.size() &&
         CRYPTO_memcmp(given.data(), secret.data(), secret.size()) == 0;
}

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_CONSTANT_TIME_H_
