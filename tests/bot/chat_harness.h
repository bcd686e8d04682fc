// A whole-bot harness for engine tests that reads like a chat: Say("fb")
// pushes a message, and the replies come back; state is kept the way the
// store keeps it (drafts by id, the session), so tests see exactly what a
// person would across turns.
#ifndef KONTOBOT_TESTS_BOT_CHAT_HARNESS_H_
#define KONTOBOT_TESTS_BOT_CHAT_HARNESS_H_

#include <map>
#include <string>
#include <vector>

#include "bot/conversation.h"
#include "tests/test_support.h"

namespace kontobot::testing {

class ChatHarness {
 public:
  ChatHarness(const TemplateSet& templates, const Directory& directory, Person person)
      : engine_(templates, ShippedCatalog(), directory), person_(std::move(person)) {}

  const std::vector<Reply>& Say(const std::string& text) { return Run({text, "", ""}); }
  const std::vector<Reply>& Press(const std::string& action, const std::string& value = "") {
    return Run({"", action, value});
  }
  // Presses the button labelled `label` on the last reply that has it.
  const std::vector<Reply>& Click(const std::string& label) {
    // Newest first. (An index: clang-tidy 14 cannot parse std::views::reverse
    // over libstdc++ 12's ranges.)
    for (size_t i = last_.size(); i-- > 0;) {
      for (const Button& b : last_[i].buttons) {
        if (b.label == label) return Press(b.id, b.value);
      }
    }
    ADD_FAILURE() << "no button labelled " << label << " in: " << LastText();
    return last_;
  }

  std::string LastText() const {
    std::string out;
    for (const Reply& r : last_) out += (out.empty() ? "" : "\n---\n") + r.text;
    return out;
  }
  bool LastHas(const std::string& needle) const {
    return LastText().find(needle) != std::string::npos;
  }
  std::vector<std::string> LastButtons() const {
    std::vector<std::string> out;
    for (const Reply& r : last_)
      for (const Button& b : r.buttons) out.push_back(b.label);
    return out;
  }
  const Outcome& last_outcome() const { return outcome_; }
  const Session& session() const { return session_; }
  const Draft& draft(int64_t id) { return drafts_.at(id); }
  Draft& mutable_draft(int64_t id) { return drafts_.at(id); }
  const std::vector<std::string>& audit_actions() const { return audit_; }

 private:
  const std::vector<Reply>& Run(const Input& in) {
    std::vector<Draft> open;
    for (const auto& [id, d] : drafts_) {
      if (d.status == DraftStatus::kOpen) open.push_back(d);
    }
    int64_t next = drafts_.empty() ? 1 : drafts_.rbegin()->first + 1;
    outcome_ = engine_.Handle(person_, session_, open, in, next, now_);
    session_ = outcome_.session;
    for (const Draft& d : outcome_.drafts) drafts_[d.id] = d;
    for (const AuditEntry& a : outcome_.audit) audit_.push_back(a.action);
    last_ = outcome_.replies;
    return last_;
  }

  ConversationEngine engine_;
  Person person_;
  Session session_;
  std::map<int64_t, Draft> drafts_;
  std::vector<Reply> last_;
  Outcome outcome_;
  std::vector<std::string> audit_;
  TimePoint now_ = std::chrono::system_clock::from_time_t(1795428000);
};

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_BOT_CHAT_HARNESS_H_
