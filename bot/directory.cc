#include "bot/directory.h"

#include <algorithm>

namespace kontobot {

bool Person::HasRole(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

Directory::Directory(std::vector<Organisation> organisations,
                     std::vector<Person> people)
    : organisations_(std::move(organisations)), people_(std::move(people)) {
  for (size_t i = 0; i < people_.size(); ++i) {
    by_id_[people_[i].id] = i;
    if (!people_[i].email.empty()) emails_.insert(people_[i].email);
  }
}

const Person* Directory::Find(const std::string& person_id) const {
  auto it = by_id_.find(person_id);
  return it == by_id_.end() ? nullptr : &people_[it->second];
}

const Person* Directory::FindByAccount(const std::string& platform,
                                       const std::string& account) const {
  for (const Person& p : people_) {
    auto it = p.accounts.find(platform);
    if (it != p.accounts.end() && it->second == account) return &p;
  }
  return nullptr;
}

const Organisation* Directory::FindOrganisation(const std::string& org_id) const {
  for (const Organisation& o : organisations_) {
    if (o.id == org_id) return &o;
  }
  return nullptr;
}

}  // namespace kontobot
