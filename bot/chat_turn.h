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
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/conversation.h"
#include "bot/directory.h"

namespace kontobot {

// The account of `accounts` (each with `id` and `label`) with id `id`, or
// null.
template <typename AccountT>
const AccountT* FindAccount(const std::vector<AccountT>& accounts, int64_t id) {
  auto it =
      std::find_if(accounts.begin(), accounts.end(), [&](const AccountT& a) { return a.id == id; });
  return it == accounts.end() ? nullptr : &*it;
}

// The one account `text` names: its list number (1-based), or words of its
// label ("facebook", "biblioteket"); null when none or several fit.
template <typename AccountT>
const AccountT* MatchAccount(const std::vector<AccountT>& accounts, const std::string& text) {
  const std::string w = NormalizeWord(text);
  char* end = nullptr;
  const long n = std::strtol(w.c_str(), &end, 10);
  if (!w.empty() && end != nullptr && *end == '\0')
    return n >= 1 && static_cast<size_t>(n) <= accounts.size() ? &accounts[n - 1] : nullptr;
  const AccountT* found = nullptr;
  for (const AccountT& a : accounts) {
    if (w.empty() || NormalizeWord(a.label).find(w) == std::string::npos) continue;
    if (found != nullptr) return nullptr;  // more than one
    found = &a;
  }
  return found;
}

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
