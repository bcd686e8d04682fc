#include "bot/mentions.h"

namespace kontobot {
namespace {

constexpr std::string_view kPerson = "@{person:";
constexpr std::string_view kUnknown = "@{unknown:";

}  // namespace

std::string MentionOf(const std::string& person_id) {
  return std::string(kPerson) + person_id + "}";
}

std::string UnknownMention(std::string_view readable) {
  std::string name;
  for (char c : readable) {
    if (c == '{' || c == '}') continue;
    name += c == '\n' || c == '\r' || c == '\t' ? ' ' : c;
  }
  name = Trim(name);
  return std::string(kUnknown) + (name.empty() ? "?" : name) + "}";
}

std::vector<Mention> FindMentions(std::string_view text) {
  std::vector<Mention> out;
  size_t at = 0;
  while ((at = text.find("@{", at)) != std::string_view::npos) {
    std::string_view rest = text.substr(at);
    bool person = rest.substr(0, kPerson.size()) == kPerson;
    bool unknown = rest.substr(0, kUnknown.size()) == kUnknown;
    size_t close = text.find('}', at);
    if ((!person && !unknown) || close == std::string_view::npos) {
      at += 2;
      continue;
    }
    size_t start = at + (person ? kPerson.size() : kUnknown.size());
    Mention m;
    m.begin = at;
    m.end = close + 1;
    std::string inner(text.substr(start, close - start));
    (person ? m.person_id : m.readable) = inner;
    out.push_back(std::move(m));
    at = close + 1;
  }
  return out;
}

std::string ReadableMentions(std::string_view text, const Directory& directory) {
  std::string out;
  size_t from = 0;
  for (const Mention& m : FindMentions(text)) {
    out.append(text.substr(from, m.begin - from));
    const Person* p = m.person_id.empty() ? nullptr : directory.Find(m.person_id);
    out += "@" + (p != nullptr ? p->name : m.person_id.empty() ? m.readable : m.person_id);
    from = m.end;
  }
  out.append(text.substr(from));
  return out;
}

}  // namespace kontobot
