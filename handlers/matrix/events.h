// Reading a Matrix Application Service transaction (the JSON body of
// PUT /_matrix/app/v1/transactions/{txnId}) into the events kontobot acts
// on. Pure functions over the bytes received, so the adapter and the fuzz
// target (tests/fuzz/matrix_transaction_fuzz.cc) run the same code.
//
// A field of the wrong JSON type reads as absent, never as an exception: a
// transaction the adapter cannot answer 200 is retried by the homeserver
// forever, and every later event waits behind it.
//
// Thread-safety: free functions without shared state.
#ifndef KONTOBOT_HANDLERS_MATRIX_EVENTS_H_
#define KONTOBOT_HANDLERS_MATRIX_EVENTS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kontobot::matrix {

// The reaction keys of the decision buttons' equivalent: what kontobot
// offers on an approval message, and what it reads back.
inline constexpr const char* kApproveKey = "\xE2\x9C\x85";  // ✅
inline constexpr const char* kRejectKey = "\xE2\x9D\x8C";   // ❌

struct Event {
  enum class Kind {
    kIgnore,     // our own events, unknown types, events without id or room
    kInvite,     // the bot is invited to `room`: join
    kEncrypted,  // an encrypted message: explain that we cannot read it
    kReaction,   // m.reaction from `sender`
    kMessage,    // m.room.message from `sender`
  };
  enum class Decision { kNone, kApprove, kReject };

  Kind kind = Kind::kIgnore;
  std::string event_id;
  std::string room;
  std::string sender;
  // kReaction: ✅ or ❌ annotating `reacts_to` (kNone for any other reaction).
  Decision decision = Decision::kNone;
  std::string reaction_key;
  std::string reacts_to;
  // kReaction: 1–10 for the keycaps 1️⃣ … 🔟 with which the bot numbers a
  // message's other buttons (0 for any other key).
  int choice = 0;
  // kMessage: the text of an m.text message (nullopt for other msgtypes),
  // and the command it starts with: "godkänn" / "avslå <reason>".
  // An HTML message's text is read from formatted_body when it has pills
  // (<a href="https://matrix.to/#/@user:server">Name</a>): each pill is
  // written as the bare user id, and `pill_names` maps it to the name the
  // pill showed.
  std::optional<std::string> text;
  Decision command = Decision::kNone;
  std::string reason;
  std::map<std::string, std::string> pill_names;
  // An edit (m.replace; its text is m.new_content's): the event it edits.
  std::string edit_of;
  // The event as it arrived, a JSON object (kept for the record with the
  // message it becomes; '' when not kept: a password-like text).
  std::string original;
};

// The text of Matrix HTML `html`: pills as bare user ids (their shown names
// into `pill_names`), line breaks kept, other tags dropped, entities read,
// a reply's quoted fallback (<mx-reply>) left out.
std::string TextOfHtml(const std::string& html, std::map<std::string, std::string>& pill_names);

// The keycap reaction the bot offers for its `n`th button (1–10).
std::string Keycap(int n);
// The number of a keycap reaction (1–10), with or without the emoji
// variation selector (clients differ); 0 for any other key.
int KeycapNumber(const std::string& key);
inline constexpr int kMaxKeycap = 10;

// The transaction's events in order; nullopt when the body is not a JSON
// object with an "events" array. `bot_user` is our own user id.
std::optional<std::vector<Event>> ParseTransaction(const std::string& body,
                                                   const std::string& bot_user);

// An event as the inbound queue keeps it until it is processed, and back
// (a round trip gives the same event).
nlohmann::json ToJson(const Event& event);
Event EventFromJson(const nlohmann::json& json);

}  // namespace kontobot::matrix

#endif  // KONTOBOT_HANDLERS_MATRIX_EVENTS_H_
