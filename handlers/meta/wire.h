// Meta's webhooks for Facebook Pages and Instagram professional accounts,
// on the wire (../shared/PROTOCOLS.md §14): the subscription handshake,
// the X-Hub-Signature-256 check and the delivery's envelope.
//
// A delivery is {"object":"page"|"instagram","entry":[{"id","time",
// "changes":[{"field","value"}]}]}; one POST may carry several entries and
// changes. Kept: Page `feed` changes whose value.item is "comment" (verbs
// add, edited, remove, hide, unhide) and Instagram `comments` changes.
// Everything else (other items such as reactions, other fields, Messenger's
// `messaging`, unknown verbs, unknown members anywhere) is skipped and
// counted, never an error: Meta adds fields without notice.
//
// Thread-safety: pure functions.
#ifndef KONTOBOT_HANDLERS_META_WIRE_H_
#define KONTOBOT_HANDLERS_META_WIRE_H_

#include <map>
#include <string>
#include <vector>

#include "bot/inbox.h"

namespace kontobot::meta {

// The GET handshake: the challenge to answer with 200, or "" for 403 (mode
// is not "subscribe", the token differs, or no challenge). `query` keeps
// the dots in its names ("hub.mode").
std::string Handshake(const std::map<std::string, std::string>& query,
                      const std::string& verify_token);

// "sha256=" + lowercase hex HMAC-SHA256(app secret, body).
std::string Sign(const std::string& app_secret, const std::string& body);
// True if `header` (X-Hub-Signature-256) signs exactly `body` with
// `app_secret`, compared in constant time. False for an empty secret.
bool Verify(const std::string& app_secret, const std::string& header, const std::string& body);

struct Delivery {
  bool valid = false;  // false: not JSON, or not Meta's envelope
  std::string error;   // why, when not valid
  std::vector<InboxItem> items;
  int skipped = 0;  // changes that are not comments, or unknown verbs
};

// Parses a verified delivery. Never throws.
Delivery Parse(const std::string& body);

}  // namespace kontobot::meta

#endif  // KONTOBOT_HANDLERS_META_WIRE_H_
