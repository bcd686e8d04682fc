// Sign-in by a trusted header: a reverse proxy in front of kontobot signs
// people in against the organisation's identity provider (SAML or OIDC) and
// names the person in one request header (--auth-header) on every request
// it passes on. Off by default (the web chat is then a loopback demo).
//
// A request is signed in only when all of these hold:
//   - it comes straight from a --trusted-proxies address (the TCP peer, not
//     a forwarded-for header, which a client can write itself);
//   - it carries the header exactly once: cpprestsdk's listener folds
//     repeated copies into one value joined by ", ", so a value with a
//     comma is taken for several copies and refused (a proxy that forwards
//     the client's own copy next to its own would otherwise let the first
//     one win). Header names are compared case-insensitively, so
//     x-remote-user is the same header; X_Remote_User is not;
//   - the value, at most 254 bytes of printable ASCII, is a directory
//     person's id or e-mail address, compared case-insensitively.
// Anything else is a refusal with a reason, which the caller answers with
// 401 and which Check logs; it never falls back to picking a person.
//
// The listener folds an empty copy followed by another into the other (it
// keeps no empty value): the proxy must remove every copy the client sent
// (config/nginx/kontobot.conf does), which is what makes that harmless.
//
// Thread-safety: immutable after construction; Check may run concurrently.
#ifndef KONTOBOT_HANDLERS_SIGN_IN_H_
#define KONTOBOT_HANDLERS_SIGN_IN_H_

#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "bot/directory.h"
#include "config/address_range.h"
#include "handlers/http_server.h"

namespace kontobot::handlers {

struct SignInResult {
  const Person* person = nullptr;  // set when signed in
  // When not signed in, why: "untrusted_peer", "no_identity",
  // "several_identities", "bad_identity" or "unknown_identity".
  std::string refusal;
};

class SignIn {
 public:
  // Off when `header` is empty. `directory` must outlive the SignIn.
  SignIn(std::string header, std::vector<config::AddressRange> trusted, const Directory& directory,
         std::shared_ptr<spdlog::logger> log);

  bool enabled() const { return !header_.empty(); }

  // Who signed `request` in. REQUIRES: enabled(). Logs every refusal (at
  // warn, with the peer address and the reason).
  SignInResult Check(const Request& request) const;

 private:
  std::string header_;  // lower case, as Request::headers keys are
  std::vector<config::AddressRange> trusted_;
  const Directory& directory_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_SIGN_IN_H_
