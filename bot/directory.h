// The directory: who works where, who manages whom, and which platform
// accounts belong to whom. Loaded from config/directory.yaml by
// config/directory_loader.h; the approval engine resolves approvers from it.
//
// Thread-safety: immutable after construction.
#ifndef KONTOBOT_BOT_DIRECTORY_H_
#define KONTOBOT_BOT_DIRECTORY_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bot/text.h"

namespace kontobot {

// A deputy who may decide in a person's place for a period (inclusive
// dates, "YYYY-MM-DD"; empty means open-ended).
struct Deputy {
  std::string id;
  std::string from;
  std::string until;
};

struct Person {
  std::string id;  // stable, e.g. "gis-anna"
  std::string name;
  std::string title;  // job title shown in the web chat
  std::string email;  // lower case
  std::string phone;
  std::string org;  // organisation id == template id
  std::string unit;
  std::vector<std::string> roles;  // e.g. "requester", "forvaltningschef"
  std::string superior;            // person id or empty
  std::vector<Deputy> deputies;
  std::optional<Lang> lang;                     // preferred language, if known
  std::map<std::string, std::string> accounts;  // platform -> user id

  bool HasRole(const std::string& role) const;
};

struct Organisation {
  std::string id;
  LocalizedText name;
  std::string template_id;
};

// The languages people chose, kept by the store (a port: bot/ reads no
// files). The engines write to each recipient in their own language through
// it, whoever caused the message.
class LanguageChoices {
 public:
  virtual ~LanguageChoices() = default;
  // The language `person_id` chose, if they ever did.
  virtual std::optional<Lang> Chosen(const std::string& person_id) const = 0;
};

// The language to write to `person` (may be null) in: their choice (when
// `choices` is given), else the directory's, else Swedish.
Lang LanguageOf(const Person* person, const LanguageChoices* choices);

class Directory {
 public:
  Directory() = default;
  Directory(std::vector<Organisation> organisations, std::vector<Person> people);

  const Person* Find(const std::string& person_id) const;
  // The person whose `platform` account id is `account`; nullptr if none.
  const Person* FindByAccount(const std::string& platform, const std::string& account) const;
  // The person with e-mail address `email`, compared without regard to
  // case; nullptr if none or if `email` is empty.
  const Person* FindByEmail(const std::string& email) const;
  const Organisation* FindOrganisation(const std::string& org_id) const;
  const std::vector<Person>& people() const { return people_; }
  const std::vector<Organisation>& organisations() const { return organisations_; }
  // The person with this e-mail address (case-insensitive) or, failing
  // that, exactly this name (case-insensitive), within `org`.
  const Person* FindByContact(const std::string& org, const std::string& email,
                              const std::string& name) const;
  // Resolves a directory role for `requester`: the first person up the
  // requester's chain of superiors who has the role; else the one person in
  // the organisation with the role in the requester's unit, or in the whole
  // organisation if there is exactly one. nullptr when nobody fits.
  const Person* ResolveRole(const Person& requester, const std::string& role) const;
  // True if `deputy` may act for `person` on `date` ("YYYY-MM-DD").
  bool IsDeputy(const Person& person, const std::string& deputy, const std::string& date) const;
  // Everyone who has `role` in `org`.
  std::vector<const Person*> WithRole(const std::string& org, const std::string& role) const;
  // Every person's e-mail address, lower case.
  const std::set<std::string>& personal_emails() const { return emails_; }

 private:
  std::vector<Organisation> organisations_;
  std::vector<Person> people_;
  std::map<std::string, size_t> by_id_;
  std::set<std::string> emails_;
};

}  // namespace kontobot

#endif  // KONTOBOT_BOT_DIRECTORY_H_
