// The generic inbox source on the wire: Standard Webhooks 1.0
// (../shared/PROTOCOLS.md §16) for e-mail forwarders, other networks'
// bridges and an organisation's own tools.
//
// Signature: webhook-signature is a space-separated list of
// "<version>,<base64>"; a request is accepted if any "v1" entry equals
// base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<raw body>")),
// compared in constant time, where the key is the base64 part of the secret
// "whsec_<base64>". webhook-timestamp (Unix seconds) must be within five
// minutes of now either way. Checked before the body is read.
//
// Payload (kontobot's event, following the spec's type/timestamp/data):
//   {"type":"inbox.item.created","timestamp":"…","data":{"source","account_ref",
//    "external_id","thread_external_id","kind","author":{"id","display"},
//    "text","received_at","permalink","attachments":[…],"raw":{…}}}
// Unknown members are ignored; another "type" is skipped (acknowledged,
// not kept); a created item without source, account_ref or external_id is
// refused (400), as is a body that is not such JSON.
//
// Thread-safety: pure functions.
#ifndef KONTOBOT_HANDLERS_INBOX_WIRE_H_
#define KONTOBOT_HANDLERS_INBOX_WIRE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "bot/inbox.h"

namespace kontobot::inbox {

enum class SignatureCheck { kValid, kMissing, kStale, kMismatch };

// The HMAC key of secret "whsec_<base64>" (the prefix may be left out);
// nullopt if the rest is not base64.
std::optional<std::string> SecretKey(const std::string& secret);
// "v1," + base64 signature of the message with `key` (SecretKey's).
std::string Sign(const std::string& key, const std::string& id, const std::string& timestamp,
                 const std::string& body);
// Checks the three headers against `body`; `now` is Unix seconds.
SignatureCheck Verify(const std::string& key, const std::string& id, const std::string& timestamp,
                      const std::string& signatures, const std::string& body, int64_t now);

struct Event {
  enum class Kind { kInvalid, kSkip, kItem } kind = Kind::kInvalid;
  std::string error;  // kInvalid: why
  InboxItem item;     // kItem
};

// Parses a verified body; `webhook_id` becomes the item's dedupe key.
// Never throws.
Event Parse(const std::string& body, const std::string& webhook_id);

}  // namespace kontobot::inbox

#endif  // KONTOBOT_HANDLERS_INBOX_WIRE_H_
