#include "bot/answers.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <regex>
#include <sstream>

#include "bot/mentions.h"

namespace kontobot {
namespace {

ParsedAnswer Ok(nlohmann::json value) {
  ParsedAnswer p;
  p.ok = true;
  p.value = std::move(value);
  return p;
}

ParsedAnswer Invalid(std::string key, Vars vars = {}) {
  ParsedAnswer p;
  p.error_key = std::move(key);
  p.vars = std::move(vars);
  return p;
}

std::string Lower(std::string_view s) { return NormalizeWord(s); }

// Replaces en and em dashes (UTF-8) by '-', so "8–17" reads as "8-17".
std::string AsciiDashes(std::string_view s) {
  std::string out(s);
  for (const char* dash : {"\xE2\x80\x93", "\xE2\x80\x94"}) {
    size_t pos;
    while ((pos = out.find(dash)) != std::string::npos) out.replace(pos, 3, "-");
  }
  return out;
}

std::string FormatNumber(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  std::ostringstream os;
  os << v;
  return os.str();
}

const std::regex& UrlRe() {
  static const std::regex kRe(
      R"(^(https?)://([a-z0-9\x80-\xff]([a-z0-9\x80-\xff-]*[a-z0-9\x80-\xff])?(\.[a-z0-9\x80-\xff]([a-z0-9\x80-\xff-]*[a-z0-9\x80-\xff])?)*\.[a-z\x80-\xff]{2,})(:[0-9]{1,5})?([/?#][^\s]*)?$)",
      std::regex::icase);
  return kRe;
}

ParsedAnswer ParseUrl(std::string_view input) {
  std::string s = Trim(input);
  while (!s.empty() && (s.back() == '.' || s.back() == ',')) s.pop_back();
  if (s.empty() || s.find_first_of(" \t\n") != std::string::npos) {
    return Invalid("invalid.url");
  }
  std::string lower = Lower(s);
  if (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0) {
    if (lower.find("://") != std::string::npos) return Invalid("invalid.url");
    s = "https://" + s;
  }
  size_t host_start = s.find("://") + 3;
  size_t host_end = s.find_first_of("/?#", host_start);
  std::string authority = s.substr(host_start, host_end - host_start);
  if (authority.find('@') != std::string::npos) {
    return Invalid("invalid.url_credentials");
  }
  std::smatch m;
  if (!std::regex_match(s, m, UrlRe())) return Invalid("invalid.url");
  // Scheme and host are case-insensitive: store them in lower case.
  std::string host = Lower(authority);
  std::string scheme = Lower(s.substr(0, host_start));
  return Ok(scheme + host + (host_end == std::string::npos ? "" : s.substr(host_end)));
}

const std::regex& EmailRe() {
  static const std::regex kRe(
      R"(^[a-z0-9!#$%&'*+/=?^_`{|}~\x80-\xff-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~\x80-\xff-]+)*@([a-z0-9\x80-\xff]([a-z0-9\x80-\xff-]*[a-z0-9\x80-\xff])?\.)+[a-z\x80-\xff]{2,}$)",
      std::regex::icase);
  return kRe;
}

std::optional<std::string> NormalizeEmail(std::string_view input) {
  std::string s = Trim(input);
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  if (s.rfind("mailto:", 0) == 0) s = s.substr(7);
  if (s.size() > 254 || !std::regex_match(s, EmailRe())) return std::nullopt;
  return Lower(s);
}

ParsedAnswer ParseEmail(const Step& step, std::string_view input, const Template& tmpl, Lang lang,
                        const AnswerContext& context) {
  auto email = NormalizeEmail(input);
  if (!email) return Invalid("invalid.email");
  if (step.rule == "login_email" && tmpl.login_email) {
    const LoginEmailRule& rule = *tmpl.login_email;
    std::string local = email->substr(0, email->find('@'));
    // Personal: a person's address in the directory, or one of the
    // organisation's personal pattern that is not a functional name.
    bool personal =
        context.personal_emails != nullptr && context.personal_emails->count(*email) > 0;
    bool functional = std::any_of(rule.allowed_local_parts.begin(), rule.allowed_local_parts.end(),
                                  [&](const std::string& g) { return GlobMatch(g, local); });
    for (const std::string& pattern : rule.personal_addresses) {
      if (!functional && GlobMatch(pattern, *email)) personal = true;
    }
    if (personal) {
      return Invalid("invalid.login_email",
                     {{"rule", rule.message.Get(lang)}, {"email", Literal(*email)}});
    }
  }
  return Ok(*email);
}

ParsedAnswer ParseNumber(const Step& step, std::string_view input) {
  static const std::regex kNumRe(R"((^|[^0-9])(-?[0-9]+([.,][0-9]+)?))");
  std::string s = AsciiDashes(Trim(input));
  std::vector<std::string> found;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), kNumRe); it != std::sregex_iterator();
       ++it) {
    found.push_back((*it)[2].str());
  }
  Vars range{{"min", step.min ? FormatNumber(*step.min) : ""},
             {"max", step.max ? FormatNumber(*step.max) : ""}};
  if (found.empty()) return Invalid("invalid.number", range);
  if (found.size() > 1) return Invalid("invalid.number_single", range);
  std::string n = found[0];
  std::replace(n.begin(), n.end(), ',', '.');
  double v = std::strtod(n.c_str(), nullptr);
  if (step.integer && std::floor(v) != v) return Invalid("invalid.number_integer", range);
  if ((step.min && v < *step.min) || (step.max && v > *step.max)) {
    return Invalid("invalid.number_range", range);
  }
  return Ok(v);
}

std::string OptionList(const Step& step, Lang lang) {
  std::string out;
  for (const ChoiceOption& o : step.options) {
    if (!out.empty()) out += ", ";
    out += o.label.Get(lang);
  }
  return out;
}

ParsedAnswer ParseChoice(const Step& step, std::string_view input, Lang lang) {
  std::string w = NormalizeWord(input);
  if (w.empty()) return Invalid("invalid.choice", {{"options", OptionList(step, lang)}});
  for (size_t i = 0; i < step.options.size(); ++i) {
    const ChoiceOption& o = step.options[i];
    if (w == o.value || w == NormalizeWord(o.label.sv) || w == NormalizeWord(o.label.en) ||
        w == std::to_string(i + 1) ||
        std::find(o.synonyms.begin(), o.synonyms.end(), w) != o.synonyms.end()) {
      return Ok({{"value", o.value}});
    }
  }
  if (step.allow_other) return Ok({{"value", "other"}, {"text", Trim(input)}});
  return Invalid("invalid.choice", {{"options", OptionList(step, lang)}});
}

ParsedAnswer ParseYesNo(std::string_view input) {
  std::string w = NormalizeWord(input);
  static const std::set<std::string> kYes{"ja",  "j", "japp", "jo",   "absolut",
                                          "yes", "y", "yep",  "true", "sant"};
  static const std::set<std::string> kNo{"nej", "n", "nä", "no", "nope", "false", "falskt"};
  if (kYes.count(w)) return Ok(true);
  if (kNo.count(w)) return Ok(false);
  return Invalid("invalid.yes_no");
}

// One person: "Name, e-mail, phone" in any order, or "Name <e-mail>"; the
// text beside the name ("Emma Falk, SO-lärare, emma@x.se", "Emma Falk
// (SO-lärare)") is the person's title, kept apart from the name. Contact
// details are not required here; `need_name` false also accepts contact
// details alone (the answer to "contact details for X?").
ParsedAnswer ReadPerson(std::string_view input, bool need_name) {
  static const std::regex kEmailRe(R"([^\s<>,;()]+@[^\s<>,;()]+)");
  static const std::regex kPhoneRe(R"(\+?[0-9][0-9 \-]{5,}[0-9])");
  static const std::regex kLabelRe(
      R"(\b(tel|telefon|tfn|mobil|phone|mobile|e-post|epost|e-mail|email|mail)\b[.:]?)",
      std::regex::icase);
  static const std::regex kListMarkerRe(R"(^\s*([0-9]+[.)]|[-*]|\xE2\x80\xA2)\s*)");
  std::string s = std::regex_replace(Trim(input), kListMarkerRe, "");
  nlohmann::json person = nlohmann::json::object();
  std::smatch m;
  if (std::regex_search(s, m, kEmailRe)) {
    auto email = NormalizeEmail(m.str());
    if (!email) return Invalid("invalid.person_email", {{"text", Literal(m.str())}});
    person["email"] = *email;
    s = m.prefix().str() + ", " + m.suffix().str();
  }
  if (std::regex_search(s, m, kPhoneRe)) {
    std::string digits = m.str();
    if (std::count_if(digits.begin(), digits.end(), ::isdigit) >= 7) {
      person["phone"] = Trim(digits);
      s = m.prefix().str() + ", " + m.suffix().str();
    }
  }
  s = std::regex_replace(s, kLabelRe, " ");
  // What is left, in segments between commas and brackets: the first is
  // the name, the others the title.
  std::vector<std::string> segments{""};
  for (char c : s) {
    if (c == ',' || c == '<' || c == '>' || c == '(' || c == ')' || c == ':') {
      if (!Trim(segments.back()).empty()) segments.emplace_back();
      continue;
    }
    if (c == '\t' || c == '\n') c = ' ';
    std::string& seg = segments.back();
    if (c == ' ' && (seg.empty() || seg.back() == ' ')) continue;
    seg.push_back(c);
  }
  for (std::string& seg : segments) seg = Trim(seg);
  segments.erase(std::remove(segments.begin(), segments.end(), std::string()), segments.end());
  std::string name = segments.empty() ? "" : segments.front();
  std::string title;
  for (size_t i = 1; i < segments.size(); ++i) title += (title.empty() ? "" : ", ") + segments[i];
  bool has_digit = std::any_of(name.begin(), name.end(), ::isdigit);
  if ((need_name || !name.empty()) && (Utf8Length(name) < 2 || has_digit)) {
    return Invalid("invalid.person", {{"text", Literal(Trim(input))}});
  }
  if (!name.empty()) person["name"] = name;
  if (!title.empty()) person["title"] = title;
  return Ok(person);
}

bool HasContact(const nlohmann::json& person) {
  return person.contains("email") || person.contains("phone");
}

ParsedAnswer NeedsContact(const nlohmann::json& partial, int missing,
                          const nlohmann::json& person) {
  ParsedAnswer p = Invalid("invalid.person_contact", {{"name", Literal(person.value("name", ""))}});
  p.partial = partial;
  p.missing = missing;
  return p;
}

// `s` without the separators that may stand between mentioned people
// (",", ";", "&", "+", "och", "and", "samt") at either end.
std::string StripJoiners(const std::string& s) {
  static const std::regex kLead(R"(^(\s|[,;&+]|\b(och|and|samt)\b)+)", std::regex::icase);
  static const std::regex kTail(R"((\s|[,;&+]|\b(och|and|samt)\b)+$)", std::regex::icase);
  return Trim(std::regex_replace(std::regex_replace(s, kLead, ""), kTail, ""));
}

// Reads one line that mentions people (bot/mentions.h) into `people`:
// each mention is that directory person with their contact details; the
// text after one ("@Omar, SO-lärare") is its title or other contact
// details; text before the first is a person of its own. An unknown
// mention is refused by its readable name.
ParsedAnswer ReadMentioned(std::string_view line, const std::vector<Mention>& mentions,
                           const Directory& directory, nlohmann::json& people) {
  std::string before = StripJoiners(std::string(line.substr(0, mentions.front().begin)));
  if (!before.empty()) {
    ParsedAnswer p = ReadPerson(before, true);
    if (!p.ok) return p;
    people.push_back(p.value);
  }
  for (size_t i = 0; i < mentions.size(); ++i) {
    const Mention& m = mentions[i];
    const Person* known = m.person_id.empty() ? nullptr : directory.Find(m.person_id);
    if (known == nullptr) {
      return Invalid("invalid.person_mention_unknown",
                     {{"name", Literal(m.person_id.empty() ? m.readable : m.person_id)}});
    }
    nlohmann::json person{{"name", known->name}};
    if (!known->email.empty()) person["email"] = known->email;
    if (!known->phone.empty()) person["phone"] = known->phone;
    size_t end = i + 1 < mentions.size() ? mentions[i + 1].begin : line.size();
    std::string after = StripJoiners(std::string(line.substr(m.end, end - m.end)));
    if (!after.empty()) {
      ParsedAnswer extra = ReadPerson(after, false);
      std::string title = extra.ok ? extra.value.value("name", "") : after;
      if (extra.ok && extra.value.contains("title"))
        title += (title.empty() ? "" : ", ") + extra.value["title"].get<std::string>();
      if (!title.empty()) person["title"] = title;
      for (const char* field : {"email", "phone"}) {
        if (extra.ok && extra.value.contains(field)) person[field] = extra.value[field];
      }
    }
    people.push_back(std::move(person));
  }
  return Ok(people);
}

// The people on one line: those it mentions, or one written out.
ParsedAnswer ReadLine(std::string_view line, const AnswerContext& context, nlohmann::json& people) {
  std::vector<Mention> mentions = FindMentions(line);
  if (mentions.empty() || context.directory == nullptr) {
    ParsedAnswer p = ReadPerson(line, true);
    if (p.ok) people.push_back(p.value);
    return p;
  }
  return ReadMentioned(line, mentions, *context.directory, people);
}

ParsedAnswer ParsePerson(const Step& step, std::string_view input, const AnswerContext& context) {
  nlohmann::json people = nlohmann::json::array();
  ParsedAnswer p = ReadLine(input, context, people);
  if (!p.ok) return p;
  if (people.size() != 1) return Invalid("invalid.person_one");
  p.value = people[0];
  if (step.contact_required && !HasContact(p.value)) return NeedsContact(p.value, 0, p.value);
  return p;
}

std::vector<std::string> SplitPeople(std::string_view input) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : input) {
    if (c == '\n' || c == ';') {
      if (!Trim(current).empty()) parts.push_back(Trim(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!Trim(current).empty()) parts.push_back(Trim(current));
  return parts;
}

// The checks on a whole list: contact details, duplicates, how many.
ParsedAnswer CheckPeople(const Step& step, const nlohmann::json& people) {
  for (size_t i = 0; i < people.size(); ++i) {
    if (step.contact_required && !HasContact(people[i])) {
      return NeedsContact(people, static_cast<int>(i), people[i]);
    }
  }
  std::set<std::string> seen;
  for (const auto& person : people) {
    std::string name = person.value("name", "");
    if (!seen.insert(NormalizeWord(name)).second) {
      return Invalid("invalid.people_duplicate", {{"name", Literal(name)}});
    }
  }
  Vars counts{{"min", std::to_string(step.min_count)},
              {"max", std::to_string(step.max_count)},
              {"count", std::to_string(people.size())}};
  if (people.size() < step.min_count) return Invalid("invalid.people_min", counts);
  if (people.size() > step.max_count) return Invalid("invalid.people_max", counts);
  return Ok(people);
}

ParsedAnswer ParsePeople(const Step& step, std::string_view input, const AnswerContext& context) {
  nlohmann::json people = nlohmann::json::array();
  for (const std::string& part : SplitPeople(input)) {
    ParsedAnswer p = ReadLine(part, context, people);
    if (!p.ok) return p;
  }
  return CheckPeople(step, people);
}

// The words of `rest` (what a schedule's tokens left) that mean nothing to
// the parser: not a joining word, and not inside brackets.
std::vector<std::string> UnknownScheduleWords(const std::string& rest) {
  static const std::set<std::string> kFillers{
      "och",           "samt",  "eller", "kl",      "klockan", "mellan", "från",
      "även",          "plus",  "ca",    "cirka",   "ungefär", "tider",  "tid",
      "and",           "or",    "from",  "between", "also",    "at",     "about",
      "approximately", "times", "hours", "on",      "på"};
  std::vector<std::string> out;
  std::string word;
  int depth = 0;
  auto flush = [&] {
    if (!word.empty() && depth == 0 && kFillers.count(word) == 0 &&
        std::find(out.begin(), out.end(), word) == out.end()) {
      out.push_back(word);
    }
    word.clear();
  };
  for (char c : rest) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || u >= 0x80) {
      word.push_back(c);
      continue;
    }
    flush();
    if (c == '(') ++depth;
    if (c == ')' && depth > 0) --depth;
  }
  flush();
  return out;
}

// Day names and ranges, time ranges, and the round-the-clock words.
ParsedAnswer ParseSchedule(std::string_view input) {
  static const std::string kDay =
      "måndagar|måndag|mån|tisdagar|tisdag|tis|onsdagar|onsdag|ons|torsdagar|torsdag|tors|tor|"
      "fredagar|fredag|fre|lördagar|lördag|lör|söndagar|söndag|sön|monday|mon|tuesday|tues|tue|"
      "wednesday|wed|thursday|thurs|thu|friday|fri|saturday|sat|sunday|sun";
  static const std::regex kTokenRe(
      "(dygnet runt|24/7|around the clock|all day and night)|"
      "(kontorstid|kontorstider|office hours|working hours)|"
      "\\b(vardagar|vardag|veckodagar|weekdays|weekday)\\b|"
      "\\b(helger|helgdagar|helgen|helg|weekends|weekend)\\b|"
      "\\b(dagligen|alla dagar|varje dag|daily|every day|all days)\\b|"
      "\\b(" +
      kDay + R"re()\b(\s*(-|till|to)\s*\b()re" + kDay +
      R"re()\b)?|)re"
      R"re((kl\.?\s*)?\b([0-9]{1,2})([:.]([0-9]{2}))?\s*(-|till|to)\s*)re"
      R"re(([0-9]{1,2})([:.]([0-9]{2}))?\b)re");
  auto day_index = [](const std::string& w) -> int {
    static const std::vector<std::pair<std::string, int>> kPrefixes{
        {"mån", 1}, {"mon", 1}, {"tis", 2}, {"tue", 2}, {"ons", 3}, {"wed", 3}, {"tor", 4},
        {"thu", 4}, {"fre", 5}, {"fri", 5}, {"lör", 6}, {"sat", 6}, {"sön", 7}, {"sun", 7}};
    for (const auto& [p, i] : kPrefixes) {
      if (w.rfind(p, 0) == 0) return i;
    }
    return 0;
  };
  auto hhmm = [](const std::string& h, const std::string& m) -> std::optional<std::string> {
    int hour = std::stoi(h);
    int minute = m.empty() ? 0 : std::stoi(m);
    if (hour > 24 || minute > 59 || (hour == 24 && minute != 0)) return std::nullopt;
    auto two = [](int x) {
      return std::string(1, static_cast<char>('0' + x / 10)) + static_cast<char>('0' + x % 10);
    };
    return two(hour) + ":" + two(minute);
  };

  std::string text = NormalizeWord(AsciiDashes(input));
  nlohmann::json result{{"text", Trim(input)}, {"slots", nlohmann::json::array()}};
  std::vector<int> pending_days;
  std::vector<int> last_days;
  bool any = false;
  auto flush_days = [&] {
    if (!pending_days.empty()) {
      result["slots"].push_back({{"days", pending_days}});
      last_days = pending_days;
      pending_days.clear();
    }
  };
  // What the tokens do not cover: every word there must be a known filler,
  // or part of a description in brackets; an unknown word ("skoldagar") is
  // asked about, never dropped.
  std::string rest;
  size_t covered = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kTokenRe);
       it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    rest += text.substr(covered, static_cast<size_t>(m.position(0)) - covered) + " ";
    covered = static_cast<size_t>(m.position(0) + m.length(0));
    any = true;
    if (m[1].matched) {
      result["always"] = true;
    } else if (m[2].matched) {
      flush_days();
      result["slots"].push_back({{"days", {1, 2, 3, 4, 5}}, {"from", "08:00"}, {"to", "17:00"}});
    } else if (m[3].matched) {
      pending_days.insert(pending_days.end(), {1, 2, 3, 4, 5});
    } else if (m[4].matched) {
      pending_days.insert(pending_days.end(), {6, 7});
    } else if (m[5].matched) {
      pending_days.insert(pending_days.end(), {1, 2, 3, 4, 5, 6, 7});
    } else if (m[6].matched) {
      int a = day_index(m[6].str());
      int b = m[9].matched ? day_index(m[9].str()) : a;
      for (int d = a;; d = d % 7 + 1) {
        pending_days.push_back(d);
        if (d == b) break;
      }
    } else if (m[11].matched) {
      auto from = hhmm(m[11].str(), m[13].str());
      auto to = hhmm(m[15].str(), m[17].str());
      if (!from || !to || *from == *to) return Invalid("invalid.schedule_time");
      std::vector<int> days = pending_days.empty() ? last_days : pending_days;
      if (days.empty()) days = {1, 2, 3, 4, 5, 6, 7};
      pending_days.clear();
      // A time right after a days-only slot belongs to that slot.
      auto& slots = result["slots"];
      if (!slots.empty() && !slots.back().contains("from") &&
          slots.back()["days"] == nlohmann::json(days)) {
        slots.erase(slots.size() - 1);
      }
      slots.push_back({{"days", days}, {"from", *from}, {"to", *to}});
      last_days = days;
    }
  }
  flush_days();
  if (!any) return Invalid("invalid.schedule");
  rest += text.substr(std::min(covered, text.size()));
  std::vector<std::string> unknown = UnknownScheduleWords(rest);
  if (!unknown.empty()) {
    std::string words;
    for (const std::string& w : unknown) words += (words.empty() ? "" : ", ") + w;
    return Invalid("invalid.schedule_unknown", {{"words", words}});
  }
  for (auto& slot : result["slots"]) {
    std::vector<int> d = slot["days"];
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
    slot["days"] = d;
  }
  return Ok(result);
}

std::string DaysText(const std::vector<int>& days, Lang lang) {
  static constexpr std::array<const char*, 8> kSv = {"",     "mån", "tis", "ons",
                                                     "tors", "fre", "lör", "sön"};
  static constexpr std::array<const char*, 8> kEn = {"",    "Mon", "Tue", "Wed",
                                                     "Thu", "Fri", "Sat", "Sun"};
  const auto& names = lang == Lang::kEn ? kEn : kSv;
  if (days.size() == 7) return lang == Lang::kEn ? "every day" : "alla dagar";
  std::string out;
  size_t i = 0;
  while (i < days.size()) {
    size_t j = i;
    while (j + 1 < days.size() && days[j + 1] == days[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += names[days[i]];
    if (j > i) out += std::string(j > i + 1 ? "–" : ", ") + names[days[j]];
    i = j + 1;
  }
  return out;
}

std::string PersonText(const nlohmann::json& p) {
  std::string out = p.value("name", "");
  if (p.contains("title")) out += ", " + p["title"].get<std::string>();
  std::string contact;
  if (p.contains("email")) contact = p["email"].get<std::string>();
  if (p.contains("phone")) contact += (contact.empty() ? "" : ", ") + p["phone"].get<std::string>();
  if (!contact.empty()) out += " (" + contact + ")";
  return out;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool LooksLikePassword(std::string_view input) {
  std::string s = Trim(input);
  // "lösenord: X", "password is X", "pwd=X": a keyword, then a secret-like
  // token (one with a digit, an upper-case letter or a symbol).
  static const std::regex kKeywordRe(
      R"(\b(lösenord(et)?|losenord(et)?|lösen|password|passwd|passcode|pwd|pw)\s*(:|=|är|is|blir|will be)\s*(\S+))",
      std::regex::icase);
  std::smatch m;
  if (std::regex_search(s, m, kKeywordRe)) {
    std::string token = m[5].str();
    bool secretish = std::any_of(token.begin(), token.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) ||
             std::isupper(static_cast<unsigned char>(c)) ||
             std::ispunct(static_cast<unsigned char>(c));
    });
    if (secretish || m[4].str() == ":" || m[4].str() == "=") return true;
  }
  // A lone token with upper case, lower case and digits: "Sommar2024!".
  if (s.size() < 8 || s.size() > 128 || s.find_first_of(" \t\n") != std::string::npos) {
    return false;
  }
  static const std::regex kAddressishRe(
      R"(^((https?://)?[a-z0-9-]+(\.[a-z0-9-]+)+(/.*)?|[^@]+@[^@]+\.[a-z]{2,})$)",
      std::regex::icase);
  if (std::regex_match(s, kAddressishRe)) return false;
  // Words and numbers joined by these read as a name ("Fritid-2026",
  // "Kultur_och_fritid.2026"): they are not the symbol a password has.
  auto joiner = [](unsigned char c) { return c == '-' || c == '_' || c == '.' || c == '/'; };
  bool lower = false, upper = false, digit = false, symbol = false;
  // The longest joined part that mixes letters and digits ("Hemligt2024").
  size_t mixed = 0;
  size_t part = 0;
  bool part_letter = false, part_digit = false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    lower |= std::islower(c) != 0;
    upper |= std::isupper(c) != 0;
    digit |= std::isdigit(c) != 0;
    if (joiner(c)) {
      part = 0;
      part_letter = part_digit = false;
      continue;
    }
    symbol |= std::ispunct(c) != 0;
    ++part;
    part_letter |= std::isalpha(c) != 0 || c >= 0x80;
    part_digit |= std::isdigit(c) != 0;
    if (part_letter && part_digit) mixed = std::max(mixed, part);
  }
  if (!lower || !upper || !digit) return false;
  // A symbol tips it over ("Sommar2024!"), and so does a long word of
  // letters and digits ("Hemligt2024"); a short one is often a name
  // ("Myspace2", "Kultur2026").
  return symbol || mixed >= 11;
}

ParsedAnswer ParseAnswer(const Step& step, std::string_view input, const Template& tmpl, Lang lang,
                         const AnswerContext& context) {
  // Only person and people answers resolve mentions; elsewhere they are
  // the names they stand for.
  bool people = step.type == QuestionType::kPerson || step.type == QuestionType::kPeople;
  std::string trimmed = Trim(
      people || context.directory == nullptr ? input : ReadableMentions(input, *context.directory));
  if (trimmed.empty()) return Invalid("invalid.empty");
  switch (step.type) {
    case QuestionType::kText: {
      size_t n = Utf8Length(trimmed);
      if (n < step.min_length)
        return Invalid("invalid.text_short", {{"min", std::to_string(step.min_length)}});
      if (n > step.max_length)
        return Invalid("invalid.text_long", {{"max", std::to_string(step.max_length)}});
      return Ok(trimmed);
    }
    case QuestionType::kUrl:
      return ParseUrl(trimmed);
    case QuestionType::kEmail:
      return ParseEmail(step, trimmed, tmpl, lang, context);
    case QuestionType::kNumber:
      return ParseNumber(step, trimmed);
    case QuestionType::kChoice:
      return ParseChoice(step, trimmed, lang);
    case QuestionType::kYesNo:
      return ParseYesNo(trimmed);
    case QuestionType::kPerson: {
      if (trimmed.find_first_of(";\n") != std::string::npos) return Invalid("invalid.person_one");
      return ParsePerson(step, trimmed, context);
    }
    case QuestionType::kPeople:
      return ParsePeople(step, trimmed, context);
    case QuestionType::kSchedule:
      return ParseSchedule(trimmed);
  }
  return Invalid("invalid.empty");
}

std::optional<ParsedAnswer> CompleteContact(const Step& step, const nlohmann::json& partial,
                                            int missing, std::string_view input) {
  if (SplitPeople(input).size() > 1) return std::nullopt;
  const bool list = step.type == QuestionType::kPeople;
  if ((list &&
       (!partial.is_array() || missing < 0 || static_cast<size_t>(missing) >= partial.size())) ||
      (!list && !partial.is_object())) {
    return std::nullopt;  // not a follow-up this step can have asked
  }
  nlohmann::json whole = partial;
  nlohmann::json& person = list ? whole[static_cast<size_t>(missing)] : whole;
  ParsedAnswer given = ReadPerson(input, false);
  if (!given.ok) {
    given.partial = partial;
    given.missing = missing;
    return given;
  }
  for (const char* field : {"name", "title"}) {
    if (given.value.contains(field)) person[field] = given.value[field];
  }
  if (!HasContact(given.value)) return NeedsContact(whole, missing, person);
  person.erase("email");
  person.erase("phone");
  for (const char* field : {"email", "phone"}) {
    if (given.value.contains(field)) person[field] = given.value[field];
  }
  return list ? CheckPeople(step, whole) : Ok(whole);
}

std::string FormatAnswer(const Step& step, const nlohmann::json& value, Lang lang) {
  if (value.is_null()) return "–";
  switch (step.type) {
    case QuestionType::kNumber: {
      std::string n = FormatNumber(value.get<double>());
      if (lang == Lang::kSv) std::replace(n.begin(), n.end(), '.', ',');
      std::string unit = step.unit.Get(lang);
      return unit.empty() ? n : n + " " + unit;
    }
    case QuestionType::kChoice: {
      std::string v = value.value("value", "");
      for (const ChoiceOption& o : step.options) {
        if (o.value == v) return o.label.Get(lang);
      }
      return value.value("text", v);
    }
    case QuestionType::kYesNo:
      return value.get<bool>() ? (lang == Lang::kEn ? "Yes" : "Ja")
                               : (lang == Lang::kEn ? "No" : "Nej");
    case QuestionType::kPerson:
      return PersonText(value);
    case QuestionType::kPeople: {
      std::string out;
      for (const auto& p : value) out += (out.empty() ? "" : "; ") + PersonText(p);
      return out;
    }
    case QuestionType::kSchedule: {
      if (value.value("always", false)) {
        return lang == Lang::kEn ? "around the clock" : "dygnet runt";
      }
      std::string out;
      for (const auto& slot : value["slots"]) {
        if (!out.empty()) out += ", ";
        out += DaysText(slot["days"].get<std::vector<int>>(), lang);
        if (slot.contains("from")) {
          out += " " + slot["from"].get<std::string>() + "–" + slot["to"].get<std::string>();
        }
      }
      std::string original = value.value("text", "");
      return out.empty() ? original : out + " (" + original + ")";
    }
    default:
      return value.is_string() ? value.get<std::string>() : value.dump();
  }
}

}  // namespace kontobot
