#include "bot/closing.h"

#include <algorithm>
#include <cstdlib>

#include "bot/chat_turn.h"

namespace kontobot {

ClosingConversation::ClosingConversation(const TemplateSet& templates, const Catalog& catalog,
                                         const Directory& directory)
    : templates_(templates), catalog_(catalog), directory_(directory) {}

bool ClosingConversation::Owns(const std::string& action) {
  return action == "closing_account" || action == "closing_mode" || action == "closing_confirm" ||
         action == "closing_abort";
}

// One call's worth of work. The state: {"stage": "account" | "reason" |
// "mode" | "confirm", "account", "reason", "mode"}.
class ClosingConversation::Run : public ChatTurn<ClosingTurn> {
 public:
  Run(const ClosingConversation& e, const Person& person, Lang lang,
      const std::vector<ClosableAccount>& accounts)
      : ChatTurn(e.catalog_, person, lang, kClosingPending), e_(e), accounts_(accounts) {}

  ClosingTurn Start(const Template* tmpl, int64_t account, const std::string& reason) {
    Audit("closing.asked", {{"account", account}});
    if (accounts_.empty()) {
      Say(T("closing.nobody",
            {{"contact", ContactLine(tmpl, person_, e_.directory_, e_.catalog_, lang_)}}));
      return std::move(out_);
    }
    if (account != 0 && Find(account) == nullptr) {
      Say(T("closing.not_yours",
            {{"contact", ContactLine(tmpl, person_, e_.directory_, e_.catalog_, lang_)}}));
      return std::move(out_);
    }
    state_["reason"] = reason;
    if (account != 0) return Chosen(*Find(account));
    if (accounts_.size() == 1) return Chosen(accounts_.front());
    return AskAccount("");
  }

  ClosingTurn Handle(const std::string& pending, const Input& input) {
    Load(pending);
    const std::string stage = state_.value("stage", "account");
    const std::string w = NormalizeWord(input.text);
    if (input.action == "closing_abort" || (input.action.empty() && Is(w, "cancel"))) {
      Audit("closing.aborted", {{"account", state_.value("account", int64_t{0})}});
      Say(T("closing.aborted"));
      return std::move(out_);
    }
    if (stage == "account") {
      const ClosableAccount* a = nullptr;
      if (input.action == "closing_account") {
        a = Find(std::atoll(input.value.c_str()));
      } else if (input.action.empty()) {
        a = Match(input.text);
      }
      if (a == nullptr) return AskAccount(T("closing.unknown_account"));
      return Chosen(*a);
    }
    const ClosableAccount* a = Find(state_.value("account", int64_t{0}));
    if (a == nullptr) {  // closed meanwhile, or no longer theirs
      Say(T("closing.gone"));
      return std::move(out_);
    }
    if (stage == "reason") {
      std::string reason = Trim(input.text);
      if (!input.action.empty() || reason.empty()) return AskReason(*a, T("closing.reason_needed"));
      state_["reason"] = reason;
      return AfterReason(*a);
    }
    if (stage == "mode") {
      std::string mode;
      if (input.action == "closing_mode") mode = input.value;
      if (input.action.empty() && (w == "1" || Is(w, "closing_closed"))) mode = "closed";
      if (input.action.empty() && (w == "2" || Is(w, "closing_closed_for_posts")))
        mode = "closed_for_posts";
      const auto& modes = Modes(*a);
      if (std::find(modes.begin(), modes.end(), mode) == modes.end()) return AskMode(*a);
      state_["mode"] = mode;
      return Summary(*a);
    }
    // confirm
    if (input.action == "closing_confirm" || (input.action.empty() && Is(w, "yes"))) {
      ClosingRequest request{state_.value("mode", "closed"), state_.value("reason", "")};
      out_.confirmed = {a->id, request};
      Audit("closing.confirmed",
            {{"account", a->id}, {"mode", request.mode}, {"reason", request.reason}});
      return std::move(out_);
    }
    if (input.action.empty() && Is(w, "no")) {
      Audit("closing.aborted", {{"account", a->id}});
      Say(T("closing.aborted"));
      return std::move(out_);
    }
    return Summary(*a);
  }

 private:
  Button Abort() const { return {"closing_abort", "", T("button.closing_abort"), "default"}; }

  const ClosableAccount* Find(int64_t id) const { return FindAccount(accounts_, id); }
  const ClosableAccount* Match(const std::string& text) const {
    return MatchAccount(accounts_, text);
  }
  const Template* TemplateOf(const ClosableAccount& a) const {
    auto it = e_.templates_.find(a.template_id);
    return it == e_.templates_.end() ? nullptr : it->second.get();
  }
  const std::vector<std::string>& Modes(const ClosableAccount& a) const {
    static const std::vector<std::string> kClosedOnly{"closed"};
    const Template* t = TemplateOf(a);
    return t != nullptr ? t->closing.modes : kClosedOnly;
  }

  ClosingTurn AskAccount(const std::string& before) {
    std::string text = before.empty() ? T("closing.which_account") : before;
    std::vector<Button> buttons;
    for (size_t i = 0; i < accounts_.size(); ++i) {
      text += T("closing.account_line",
                {{"n", std::to_string(i + 1)}, {"account", Literal(accounts_[i].label)}});
      buttons.push_back({"closing_account", std::to_string(accounts_[i].id),
                         T("button.closing_account", {{"n", std::to_string(i + 1)}}), "default"});
    }
    buttons.push_back(Abort());
    Say(text, buttons);
    Keep("account");
    return std::move(out_);
  }

  ClosingTurn Chosen(const ClosableAccount& a) {
    state_["account"] = a.id;
    if (state_.value("reason", "").empty()) return AskReason(a, "");
    return AfterReason(a);
  }

  ClosingTurn AskReason(const ClosableAccount& a, const std::string& before) {
    Say((before.empty() ? "" : before + "\n\n") +
            T("closing.ask_reason", {{"account", Literal(a.label)}}),
        {Abort()});
    Keep("reason");
    return std::move(out_);
  }

  ClosingTurn AfterReason(const ClosableAccount& a) {
    const auto& modes = Modes(a);
    if (modes.size() == 1) {
      state_["mode"] = modes.front();
      return Summary(a);
    }
    return AskMode(a);
  }

  ClosingTurn AskMode(const ClosableAccount& a) {
    std::vector<Button> buttons;
    for (const std::string& m : Modes(a))
      buttons.push_back({"closing_mode", m, T("button.closing_mode." + m), "default"});
    buttons.push_back(Abort());
    Say(T("closing.ask_mode", {{"account", Literal(a.label)}}), buttons);
    Keep("mode");
    return std::move(out_);
  }

  ClosingTurn Summary(const ClosableAccount& a) {
    std::string steps;
    if (const Template* t = TemplateOf(a)) {
      for (const ClosingStep& s : t->closing.steps) steps += "\n• " + s.text.Get(lang_);
    }
    Say(T("closing.summary", {{"account", Literal(a.label)},
                              {"reason", Literal(state_.value("reason", ""))},
                              {"mode", T("closing.mode." + state_.value("mode", "closed"))},
                              {"steps", steps}}),
        {{"closing_confirm", std::to_string(a.id), T("button.closing_confirm"), "danger"},
         Abort()});
    Keep("confirm");
    return std::move(out_);
  }

  const ClosingConversation& e_;
  const std::vector<ClosableAccount>& accounts_;
};

ClosingTurn ClosingConversation::Start(const Person& person, Lang lang, const Template* tmpl,
                                       const std::vector<ClosableAccount>& accounts,
                                       int64_t account, const std::string& reason) const {
  return Run(*this, person, lang, accounts).Start(tmpl, account, reason);
}

ClosingTurn ClosingConversation::Handle(const Person& person, Lang lang,
                                        const std::vector<ClosableAccount>& accounts,
                                        const std::string& pending, const Input& input) const {
  return Run(*this, person, lang, accounts).Handle(pending, input);
}

}  // namespace kontobot
