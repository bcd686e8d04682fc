// Changing a running account (issue 17 item 1): its administrators (add,
// remove, replace), the person holding its login, its login address, and
// the facts in the register (address, purpose, unit).
//
// "Jag vill byta administratör", "lägg till Per som admin", "ny
// inloggningsadress", "byt kontaktperson", "add an administrator"
// (bot/intent.h, Intent::kChangeAdmins) start the conversation: which
// account (when the person may change several), what to change (when the
// sentence does not say), the details (who leaves, who comes, the new
// address or text), each checked as at registration (the administrators
// question's contact rule, the organisation's login rule, the address
// question's URL check; a personal identity number is refused), then a
// summary with whom the template says is told, to confirm. Who may ask:
// MayManageAccount (bot/account_rights.h); anyone else is told who can.
//
// The confirmed edit is returned; ApplyEdit applies it to the register's
// entry, in the transaction that writes it (app/change_effects.cc), on the
// entry as it is then: a change confirmed after another one is checked
// again against the result (e.g. the minimum of administrators), so two
// changes confirmed at once cannot together break a rule either obeys.
//
// Like the other engines this is a pure function of (person, state, input,
// today): the state lives in Session::pending as kChangePending + JSON.
//
// Thread-safety: const methods, no state; the borrowed templates, catalogue
// and directory must outlive the object.
#ifndef KONTOBOT_BOT_CHANGE_H_
#define KONTOBOT_BOT_CHANGE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/account_rights.h"
#include "bot/conversation.h"
#include "bot/directory.h"
#include "bot/template.h"

namespace kontobot {

// Session.pending values owned by the change conversation start with this.
inline constexpr const char* kChangePending = "change:";

// What can be changed, as stored (account_changes.kind) and in buttons.
inline constexpr const char* kAddAdmin = "add_admin";
inline constexpr const char* kRemoveAdmin = "remove_admin";
inline constexpr const char* kReplaceAdmin = "replace_admin";
inline constexpr const char* kLoginHolder = "login_holder";
inline constexpr const char* kLoginEmail = "login_email";
// The register's facts: the template's register fields "url", "purpose",
// "unit" are kinds of their own.

// The register's entry of an account, as much of it as a change touches.
struct AccountEntry {
  nlohmann::json administrators = nlohmann::json::array();  // people answers
  std::string login_email;                                  // "" when not known
  nlohmann::json login_holder = nlohmann::json::object();   // person answer, {} unknown
  std::string url;
  std::string unit;
  std::string purpose;
  int64_t version = 0;  // goes up by one with every change written
};

// An account the person may change.
struct ChangeableAccount {
  int64_t id = 0;           // its registration
  std::string label;        // "Facebook, https://…, Biblioteket", as typed
  std::string template_id;  // its organisation's template
  AccountEntry entry;
};

// A confirmed change of one account.
struct AccountEdit {
  int64_t account = 0;
  std::string kind;                              // kAddAdmin, ..., "url", "purpose", "unit"
  nlohmann::json remove;                         // the administrator leaving (remove, replace)
  nlohmann::json add = nlohmann::json::array();  // administrators coming (add, replace)
  nlohmann::json holder;                         // the new login holder (login_holder)
  std::string value;                             // the new address or text
  int64_t version = 0;                           // of the entry it was computed from
};

// True when people answers `a` and `b` name the same person: the same
// e-mail address (case-insensitively), or without addresses the same name.
bool SamePerson(const nlohmann::json& a, const nlohmann::json& b);

// Applies `edit` to `entry` by `policy`: "" on success (entry changed,
// its version not), else the catalogue key saying why not, `entry`
// unchanged: change.below_minimum (fewer administrators than
// policy.min_administrators would remain), change.not_admin (the one to
// remove is no administrator any more), change.already_admin (one to add
// already is), change.too_many (more than `max_admins`).
std::string ApplyEdit(const ChangePolicy& policy, size_t max_admins, const AccountEdit& edit,
                      AccountEntry& entry);

// A person answer as one line: "Per Holm, per.holm@…" (the summary's and
// the register's form).
std::string PersonLine(const nlohmann::json& person);

struct ChangeTurn {
  std::vector<Reply> replies;
  std::string pending;  // the session's pending value next ("" when done)
  std::optional<AccountEdit> confirmed;
  std::vector<AuditEntry> audit;
};

class ChangeConversation {
 public:
  ChangeConversation(const TemplateSet& templates, const Catalog& catalog,
                     const Directory& directory);

  // Starts asking. `accounts`: those `person` may change
  // (MayManageAccount), in the order they are listed; `tmpl`: the person's
  // organisation's template (for whom to contact when there are none; may
  // be null); `text`: what they wrote, which may already say what to change
  // ("ny inloggningsadress").
  ChangeTurn Start(const Person& person, Lang lang, const Template* tmpl,
                   const std::vector<ChangeableAccount>& accounts, const std::string& text,
                   std::chrono::year_month_day today) const;

  // The next message or button ("change_account", "change_kind",
  // "change_pick", "change_confirm", "change_abort") while `pending` starts
  // with kChangePending.
  ChangeTurn Handle(const Person& person, Lang lang, const std::vector<ChangeableAccount>& accounts,
                    const std::string& pending, const Input& input,
                    std::chrono::year_month_day today) const;

  // True for the buttons this conversation owns.
  static bool Owns(const std::string& action);

  // What `edit` does, as one line in `lang` ("Lägg till administratör: Per
  // Holm, per.holm@…").
  std::string Describe(const AccountEdit& edit, Lang lang) const;

 private:
  class Run;
  const TemplateSet& templates_;
  const Catalog& catalog_;
  const Directory& directory_;
};

}  // namespace kontobot

#endif  // KONTOBOT_BOT_CHANGE_H_
