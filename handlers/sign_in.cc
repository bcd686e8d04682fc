#include "handlers/sign_in.h"

#include <algorithm>

namespace kontobot::handlers {
namespace {

// The longest e-mail address SMTP carries (RFC 5321's path limit less the
// angle brackets); ids are shorter.
constexpr size_t kMaxIdentity = 254;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

SignIn::SignIn(std::string header, std::vector<config::AddressRange> trusted,
               const Directory& directory, std::shared_ptr<spdlog::logger> log)
    : header_(Lower(std::move(header))),
      trusted_(std::move(trusted)),
      directory_(directory),
      log_(std::move(log)) {}

SignInResult SignIn::Check(const Request& request) const {
  SignInResult out;
  auto it = request.headers.find(header_);
  // The value is logged only once it is known to be one plain token: what
  // an untrusted client sends must not write lines of its own into the log.
  auto refuse = [&](const char* reason, const std::string& shown = "") {
    out.refusal = reason;
    log_->warn("sign-in refused ({}): {} {} from {}{}", reason, request.method, request.path,
               request.remote.empty() ? "an unknown address" : request.remote,
               it == request.headers.end() ? ""
               : shown.empty()             ? " with " + header_ + " given"
                                           : " with " + header_ + ": " + shown);
    return out;
  };
  const bool trusted = std::any_of(trusted_.begin(), trusted_.end(), [&](const auto& range) {
    return range.Contains(request.remote);
  });
  if (!trusted) return refuse("untrusted_peer");
  if (it == request.headers.end()) return refuse("no_identity");
  const std::string& value = it->second;
  if (value.find(',') != std::string::npos) return refuse("several_identities");
  if (value.empty() || value.size() > kMaxIdentity ||
      std::any_of(value.begin(), value.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f;
      })) {
    return refuse("bad_identity");
  }
  const std::string wanted = Lower(value);
  for (const Person& p : directory_.people()) {
    if (Lower(p.id) == wanted || (!p.email.empty() && p.email == wanted)) {
      out.person = &p;
      return out;
    }
  }
  return refuse("unknown_identity", value);
}

}  // namespace kontobot::handlers
