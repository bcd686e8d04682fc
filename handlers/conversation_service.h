// Runs one conversational turn as one transaction: load the person's state,
// let the engine decide, write drafts, registrations, the session, every
// message in and out and the audit entries, then commit. Any platform
// adapter (web chat now; Slack, Matrix later) calls this and answers its
// platform only after Handle returns.
//
// Thread-safety: safe to call concurrently; the store serializes
// transactions.
#ifndef KONTOBOT_HANDLERS_CONVERSATION_SERVICE_H_
#define KONTOBOT_HANDLERS_CONVERSATION_SERVICE_H_

#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "bot/conversation.h"
#include "store/store.h"

namespace kontobot::handlers {

class ConversationService {
 public:
  // All references must outlive the service.
  ConversationService(store::Store& store, const ConversationEngine& engine,
                      const Catalog& catalog, const Clock& clock,
                      std::shared_ptr<spdlog::logger> log);

  // Handles `input` from `person` on `channel`. `echo` is what the person's
  // own message shows in the transcript (their text, or the pressed
  // button's label). Returns the stored messages: the echo, then the
  // replies. Throws if the store fails; then nothing was written.
  std::vector<store::StoredMessage> Handle(const Person& person, const std::string& channel,
                                           const Input& input, const std::string& echo);

  // The person's transcript after message `after_id`.
  std::vector<store::StoredMessage> Transcript(const std::string& person_id, int64_t after_id,
                                               int limit);

  // The welcome shown before a person's first message (not stored).
  Reply Welcome(const Person& person);

 private:
  store::Store& store_;
  const ConversationEngine& engine_;
  const Catalog& catalog_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_CONVERSATION_SERVICE_H_
