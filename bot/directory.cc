#include "bot/directory.h"

#include <algorithm>

namespace kontobot {

bool Person::HasRole(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

Lang LanguageOf(const Person* person, const LanguageChoices* choices) {
  if (person == nullptr) return Lang::kSv;
  if (choices != nullptr) {
    if (auto chosen = choices->Chosen(person->id)) return *chosen;
  }
  return person->lang.value_or(Lang::kSv);
}

Directory::Directory(std::vector<Organisation> organisations, std::vector<Person> people)
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

const Person* Directory::FindByEmail(const std::string& email) const {
  if (email.empty()) return nullptr;
  auto same = [&](const std::string& other) {
    return std::equal(
        email.begin(), email.end(), other.begin(), other.end(),
        [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); });
  };
  for (const Person& p : people_) {
    if (same(p.email)) return &p;
  }
  return nullptr;
}

const Organisation* Directory::FindOrganisation(const std::string& org_id) const {
  for (const Organisation& o : organisations_) {
    if (o.id == org_id) return &o;
  }
  return nullptr;
}

const Person* Directory::FindByContact(const std::string& org, const std::string& email,
                                       const std::string& name) const {
  std::string e = NormalizeWord(email);
  std::string n = NormalizeWord(name);
  for (const Person& p : people_) {
    if (p.org == org && !e.empty() && p.email == e) return &p;
  }
  for (const Person& p : people_) {
    if (p.org == org && !n.empty() && NormalizeWord(p.name) == n) return &p;
  }
  return nullptr;
}

const Person* Directory::ResolveRole(const Person& requester, const std::string& role) const {
  const Person* p = Find(requester.superior);
  for (int guard = 0; p != nullptr && guard < 32; ++guard) {
    if (p->HasRole(role)) return p;
    p = Find(p->superior);
  }
  std::vector<const Person*> all = WithRole(requester.org, role);
  std::vector<const Person*> same_unit;
  for (const Person* c : all) {
    if (!requester.unit.empty() && c->unit == requester.unit) same_unit.push_back(c);
  }
  if (same_unit.size() == 1) return same_unit.front();
  if (all.size() == 1) return all.front();
  return nullptr;
}

bool Directory::IsDeputy(const Person& person, const std::string& deputy,
                         const std::string& date) const {
  for (const Deputy& d : person.deputies) {
    if (d.id == deputy && (d.from.empty() || d.from <= date) &&
        (d.until.empty() || date <= d.until)) {
      return true;
    }
  }
  return false;
}

std::vector<const Person*> Directory::WithRole(const std::string& org,
                                               const std::string& role) const {
  std::vector<const Person*> out;
  for (const Person& p : people_) {
    if (p.org == org && p.HasRole(role)) out.push_back(&p);
  }
  return out;
}

}  // namespace kontobot
