#include <regex>
#include <set>

#include "config/loaders.h"

namespace kontobot::config {
namespace {

DirectoryLoad Parse(YamlReader& r, const YAML::Node& root) {
  DirectoryLoad out;
  if (!r.errors().empty()) {
    out.errors = r.errors();
    return out;
  }
  if (!IsMapNode(root)) r.Error(root, "the directory is a map with 'organisations' and 'people'");
  r.OnlyKeys(root, {"organisations", "people"});
  std::vector<Organisation> orgs;
  std::vector<Person> people;
  std::set<std::string> org_ids, person_ids;
  for (const auto& o : Field(root, "organisations")) {
    if (!IsMapNode(o)) {
      r.Error(o, "an organisation is a map with id and name");
      continue;
    }
    r.OnlyKeys(o, {"id", "name", "template"});
    Organisation org{r.Str(o, "id"), r.Text(o, "name"), r.Str(o, "template", false)};
    if (org.template_id.empty()) org.template_id = org.id;
    if (!org_ids.insert(org.id).second)
      r.Error(Field(o, "id"), "duplicate organisation '" + org.id + "'");
    orgs.push_back(org);
  }
  std::vector<YAML::Node> person_nodes;  // beside `people`, for error positions
  for (const auto& p : Field(root, "people")) {
    if (!IsMapNode(p)) {
      r.Error(p, "a person is a map with id, name, org, ...");
      continue;
    }
    r.OnlyKeys(p, {"id", "name", "title", "email", "phone", "org", "unit", "roles", "superior",
                   "lang", "accounts", "deputies"});
    Person person;
    person.id = r.Str(p, "id");
    person.name = r.Str(p, "name");
    person.title = r.Str(p, "title", false);
    person.email = NormalizeWord(r.Str(p, "email", false));
    person.phone = r.Str(p, "phone", false);
    person.org = r.Str(p, "org");
    person.unit = r.Str(p, "unit", false);
    person.superior = r.Str(p, "superior", false);
    if (!person.org.empty() && !org_ids.count(person.org)) {
      r.Error(Field(p, "org"), "unknown organisation '" + person.org + "'");
    }
    if (IsSeq(Field(p, "roles"))) {
      for (const auto& role : Field(p, "roles")) person.roles.push_back(role.as<std::string>(""));
    }
    std::string lang = r.Str(p, "lang", false);
    if (!lang.empty()) {
      person.lang = ParseLang(lang);
      if (!person.lang) r.Error(Field(p, "lang"), "lang must be sv or en");
    }
    if (IsMapNode(Field(p, "accounts"))) {
      for (const auto& kv : Field(p, "accounts"))
        person.accounts[kv.first.Scalar()] = kv.second.as<std::string>("");
    }
    for (const auto& d : Field(p, "deputies")) {
      if (!IsMapNode(d)) {
        r.Error(d, "a deputy is a map with id, from and until");
        continue;
      }
      r.OnlyKeys(d, {"id", "from", "until"});
      Deputy deputy{r.Str(d, "id"), r.Str(d, "from", false), r.Str(d, "until", false)};
      static const std::regex kDate("^([0-9]{4}-[0-9]{2}-[0-9]{2})?$");
      if (!std::regex_match(deputy.from, kDate) || !std::regex_match(deputy.until, kDate)) {
        r.Error(d, "deputy dates are YYYY-MM-DD");
      }
      person.deputies.push_back(deputy);
    }
    if (!person_ids.insert(person.id).second)
      r.Error(Field(p, "id"), "duplicate person '" + person.id + "'");
    people.push_back(person);
    person_nodes.push_back(p);
  }
  for (size_t i = 0; i < people.size(); ++i) {
    if (!people[i].superior.empty() && !person_ids.count(people[i].superior)) {
      r.Error(Field(person_nodes[i], "superior"), "unknown superior '" + people[i].superior + "'");
    }
    for (const Deputy& d : people[i].deputies) {
      if (!person_ids.count(d.id))
        r.Error(Field(person_nodes[i], "deputies"), "unknown deputy '" + d.id + "'");
    }
  }
  out.errors = r.errors();
  out.directory = Directory(std::move(orgs), std::move(people));
  return out;
}

}  // namespace

DirectoryLoad LoadDirectoryFile(const std::string& path) {
  YamlReader r(path);
  YAML::Node root = r.LoadFile();
  return Parse(r, root);
}

DirectoryLoad LoadDirectoryString(const std::string& text, const std::string& name) {
  YamlReader r(name);
  YAML::Node root = r.LoadString(text);
  return Parse(r, root);
}

}  // namespace kontobot::config
