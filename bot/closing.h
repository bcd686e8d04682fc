// The conversation that asks for an account to be closed.
//
// "avsluta kontot", "stäng kontot", "lägga ner sidan", "close the account"
// (bot/intent.h) or the inactivity nudge's "Stäng kontot" button start it:
// which account (when the person may close several: by list number or by
// name), the reason, where the organisation's template allows it the choice
// between closing the account entirely and closing it for incoming posts
// (SMC: "stängas för inkommande inlägg och enbart användas som
// informationssida"), then a summary to confirm. A confirmed request is
// returned; CaseEngine::StartClosing turns it into the template's closing
// steps, in the transaction that records the confirmation.
//
// Who may ask: MayManageAccount (bot/account_rights.h). Anyone else is
// told who can, and whom to contact.
//
// Like the other engines this is a pure function of (person, state, input):
// the state lives in Session::pending as kClosingPending + JSON.
//
// Thread-safety: const methods, no state; the borrowed templates, catalogue
// and directory must outlive the object.
#ifndef KONTOBOT_BOT_CLOSING_H_
#define KONTOBOT_BOT_CLOSING_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/account_rights.h"
#include "bot/approval.h"
#include "bot/conversation.h"
#include "bot/directory.h"
#include "bot/template.h"

namespace kontobot {

// Session.pending values owned by the closing conversation start with this.
inline constexpr const char* kClosingPending = "closing:";

// An account in the register that a closing may be asked for.
struct ClosableAccount {
  int64_t id = 0;           // its registration
  std::string label;        // "Facebook, https://…, Biblioteket", as typed
  std::string template_id;  // its organisation's template
};

struct ClosingTurn {
  std::vector<Reply> replies;
  std::string pending;  // the session's pending value next ("" when done)
  // The person confirmed: close `account` as `request` says.
  std::optional<std::pair<int64_t, ClosingRequest>> confirmed;
  std::vector<AuditEntry> audit;
};

class ClosingConversation {
 public:
  ClosingConversation(const TemplateSet& templates, const Catalog& catalog,
                      const Directory& directory);

  // Starts asking. `accounts`: those `person` may close (MayManageAccount), in the
  // order they are listed; `tmpl`: the person's organisation's template
  // (for whom to contact when there are none; may be null).
  // `account` and `reason`, when given, are not asked (the inactivity
  // nudge's button: that account, "inaktivt").
  ClosingTurn Start(const Person& person, Lang lang, const Template* tmpl,
                    const std::vector<ClosableAccount>& accounts, int64_t account = 0,
                    const std::string& reason = "") const;

  // The next message or button ("closing_account", "closing_mode",
  // "closing_confirm", "closing_abort") while `pending` starts with
  // kClosingPending.
  ClosingTurn Handle(const Person& person, Lang lang, const std::vector<ClosableAccount>& accounts,
                     const std::string& pending, const Input& input) const;

  // True for the buttons this conversation owns.
  static bool Owns(const std::string& action);

 private:
  class Run;
  const TemplateSet& templates_;
  const Catalog& catalog_;
  const Directory& directory_;
};

}  // namespace kontobot

#endif  // KONTOBOT_BOT_CLOSING_H_
