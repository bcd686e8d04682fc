// What the small conversations (closing an account, reporting an absence)
// share: one call's worth of work that renders catalogue texts in the
// person's language, tells command words apart, and gathers the turn's
// replies, audit entries and next pending state.
//
// `TurnT` is the conversation's result: it has `replies` (Reply), `audit`
// (AuditEntry) and `pending` (std::string).
//
// Thread-safety: one object per call, on one thread.
#ifndef KONTOBOT_BOT_CHAT_TURN_H_
#define KONTOBOT_BOT_CHAT_TURN_H_

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/conversation.h"
#include "bot/directory.h"

namespace kontobot {

template <typename TurnT>
class ChatTurn {
 protected:
  // `prefix`: the conversation's Session::pending prefix ("closing:").
  ChatTurn(const Catalog& catalog, const Person& person, Lang lang, std::string prefix)
      : catalog_(catalog), person_(person), lang_(lang), prefix_(std::move(prefix)) {}

  std::string T(const std::string& key, const Vars& vars = {}) const {
    return catalog_.Render(lang_, key, vars);
  }
  // True if `word` (normalised) is one of `command`'s words.
  bool Is(const std::string& word, const std::string& command) const {
    const auto& words = catalog_.CommandWords(command);
    return std::find(words.begin(), words.end(), word) != words.end();
  }
  void Say(std::string text, std::vector<Button> buttons = {}) {
    out_.replies.push_back({std::move(text), std::move(buttons)});
  }
  void Audit(std::string action, nlohmann::json detail) {
    out_.audit.push_back({std::move(action), "person:" + person_.id, std::move(detail)});
  }
  // The conversation asks on, at `stage`, with the state so far.
  void Keep(const std::string& stage) {
    state_["stage"] = stage;
    out_.pending = prefix_ + state_.dump();
  }
  // Reads the state from a pending value of this conversation.
  void Load(const std::string& pending) {
    state_ = nlohmann::json::parse(pending.substr(prefix_.size()), nullptr, false);
    if (!state_.is_object()) state_ = nlohmann::json::object();
  }

  const Catalog& catalog_;
  const Person& person_;
  Lang lang_;
  std::string prefix_;
  nlohmann::json state_ = nlohmann::json::object();
  TurnT out_;
};

}  // namespace kontobot

#endif  // KONTOBOT_BOT_CHAT_TURN_H_
