// Reading Slack's inbound payloads: the Events API's JSON body and the
// interactivity endpoint's form-encoded payload=. Pure functions over the
// bytes received (after the signature check), so the adapter and the fuzz
// targets (tests/fuzz/slack_*_fuzz.cc) run the same code.
//
// Every field is read defensively: a field of the wrong JSON type reads as
// absent, never as an exception. A Slack request that made the handler
// throw would be answered 500, which Slack retries, again and again.
//
// Thread-safety: free functions without shared state.
#ifndef KONTOBOT_HANDLERS_SLACK_PAYLOADS_H_
#define KONTOBOT_HANDLERS_SLACK_PAYLOADS_H_

#include <cstdint>
#include <string>

namespace kontobot::slack {

// What an Events API request asks of us.
struct EventRequest {
  enum class Kind {
    kInvalid,    // answer 400 with error_code and error
    kChallenge,  // url_verification: answer with `challenge`
    kIgnore,     // acknowledge and do nothing
    kMessage,    // a person wrote to us (a DM or a mention)
  };
  Kind kind = Kind::kInvalid;
  std::string error_code;
  std::string error;
  std::string challenge;
  // kMessage: the event's id (for exactly-once), who wrote where, and the
  // text as Slack sent it (its markup, <@U…> mentions included), with only
  // our own mention taken out.
  std::string event_id;
  std::string user;
  std::string channel;
  std::string text;
  std::string ts;  // the message's ts (a mention is answered in its thread)
  // An app_mention in a channel, not a DM.
  bool in_channel = false;
  // A message_changed event of a person's DM message: `text` is the new
  // text, `edit_of` the ts of the message edited.
  std::string edit_of;
};

// `bot_user` (may be empty) is our own user id: its messages are ignored
// and its mention taken out of a mention's text. When it is empty, the
// envelope's bot authorization (authorizations[].user_id with is_bot) is
// taken for it.
EventRequest ParseEventRequest(const std::string& body, const std::string& bot_user);

// A button press read from the interactivity endpoint.
struct Interaction {
  enum class Kind {
    kInvalid,  // answer 400 with error_code and error
    kIgnore,   // another payload type (view_submission, ...): acknowledge
    kButton,   // block_actions
  };
  Kind kind = Kind::kInvalid;
  std::string error_code;
  std::string error;
  std::string action;      // the button id, without the ":<n>" uniquifier
  std::string action_id;   // as sent
  std::string value;       // "" for a button without a value ("-")
  std::string user;        // Slack user id
  std::string channel;     // may be empty
  std::string key;         // trigger_id:action_ts, for exactly-once
  std::string echo;        // the button's label, as the person's words
  int64_t message_id = 0;  // our message the button is on (block_id "kb:<id>…"), 0 if unknown
  std::string marker;      // the marker in "kb:<id>.<marker>", "" if none
};

// `form` is the raw request body, application/x-www-form-urlencoded.
Interaction ParseInteraction(const std::string& form);

}  // namespace kontobot::slack

#endif  // KONTOBOT_HANDLERS_SLACK_PAYLOADS_H_
