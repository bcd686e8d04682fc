#include "bot/account_rights.h"

#include <algorithm>
#include <set>

namespace kontobot {

bool MayManageAccount(const Person& person, const Directory& directory, const Template& tmpl,
                      const std::string& requester, const nlohmann::json& administrators) {
  if (person.id == requester) return true;
  const Person* owner = directory.Find(requester);
  if (owner != nullptr && owner->org != person.org) return false;
  if (person.HasRole(tmpl.contact_role)) return true;
  // The requester's managers, up the chain (a loop in the directory ends).
  std::set<std::string> seen;
  for (const Person* up = owner ? directory.Find(owner->superior) : nullptr;
       up != nullptr && seen.insert(up->id).second; up = directory.Find(up->superior)) {
    if (up->id == person.id) return true;
  }
  if (!administrators.is_array()) return false;
  return std::any_of(administrators.begin(), administrators.end(), [&](const nlohmann::json& a) {
    if (!a.is_object()) return false;
    const Person* p =
        directory.FindByContact(person.org, a.value("email", ""), a.value("name", ""));
    return p != nullptr && p->id == person.id;
  });
}

std::string ContactLine(const Template* tmpl, const Person& person, const Directory& directory,
                        const Catalog& catalog, Lang lang) {
  std::string title = tmpl != nullptr && !tmpl->contact_title.empty()
                          ? tmpl->contact_title.Get(lang)
                          : catalog.Render(lang, "intent.contact_unknown");
  const Person* who =
      directory.ResolveRole(person, tmpl != nullptr ? tmpl->contact_role : "informationsfunktion");
  if (who == nullptr) return title;
  return catalog.Render(lang, "intent.contact_person",
                        {{"title", title},
                         {"name", who->name},
                         {"contact", !who->email.empty() ? who->email : who->phone}});
}

}  // namespace kontobot
