// Who may act on an account in the register (ask to change it, ask to
// close it), and whom to contact about an organisation's accounts.
//
// The seeds name the same people for every change of a running account:
// its administrators, the person who registered it, that person's managers
// (Gislaved step 8: "kontakta din chef"; up the directory's chain of
// superiors) and the organisation's contact role (the information function,
// SMC's kansli), which keeps the register. Anyone else is told who can.
//
// Pure functions; no I/O.
#ifndef KONTOBOT_BOT_ACCOUNT_RIGHTS_H_
#define KONTOBOT_BOT_ACCOUNT_RIGHTS_H_

#include <string>

#include <nlohmann/json.hpp>

#include "bot/directory.h"
#include "bot/template.h"
#include "bot/text.h"

namespace kontobot {

// True if `person` may ask to change or close an account registered by
// `requester` (a person id) with `administrators` (the register's people
// answers) in the organisation of `tmpl`.
bool MayManageAccount(const Person& person, const Directory& directory, const Template& tmpl,
                      const std::string& requester, const nlohmann::json& administrators);

// Whom to contact about `tmpl`'s accounts: "Eva Lind på
// informationsfunktionen (eva.lind@…)", from the template's contact role
// resolved from `person` in the directory; the role's title alone when
// nobody has it. `tmpl` may be null.
std::string ContactLine(const Template* tmpl, const Person& person, const Directory& directory,
                        const Catalog& catalog, Lang lang);

}  // namespace kontobot

#endif  // KONTOBOT_BOT_ACCOUNT_RIGHTS_H_
