// The state of one ConversationService::Handle call, shared by the files
// the service is written in: conversation_service.cc (routing a message or
// button to the engine that owns it, and the one Outbound path every
// message of kontobot's is written through), case_effects.cc (what a case
// decision changes) and reminder_effects.cc (timers, nudges and the
// reminder words). Internal to app/.
#ifndef KONTOBOT_APP_TURN_H_
#define KONTOBOT_APP_TURN_H_

#include <string>
#include <vector>

#include "app/conversation_service.h"

namespace kontobot::app {

// The state of one Handle call.
struct ConversationService::Turn {
  store::Transaction& tx;
  const Person& person;
  Session& session;
  std::string channel;
  TimePoint now;
  std::vector<store::StoredMessage> mine;  // stored for `person`, returned
};

}  // namespace kontobot::app

#endif  // KONTOBOT_APP_TURN_H_
