#include "bot/inbox.h"

#include <array>
#include <utility>

#include "bot/identity_number.h"

namespace kontobot {

namespace {

constexpr std::array<std::pair<InboxVerb, std::string_view>, 5> kVerbs{{
    {InboxVerb::kAdd, "add"},
    {InboxVerb::kEdit, "edited"},
    {InboxVerb::kRemove, "remove"},
    {InboxVerb::kHide, "hide"},
    {InboxVerb::kUnhide, "unhide"},
}};

}  // namespace

std::string_view VerbName(InboxVerb verb) {
  for (const auto& [v, name] : kVerbs)
    if (v == verb) return name;
  return "add";
}

bool ParseVerb(std::string_view name, InboxVerb* verb) {
  for (const auto& [v, n] : kVerbs) {
    if (n == name) {
      *verb = v;
      return true;
    }
  }
  return false;
}

nlohmann::json ToJson(const InboxItem& item) {
  return {{"source", item.source},           {"page_id", item.page_id},
          {"external_id", item.external_id}, {"thread_id", item.thread_id},
          {"parent_id", item.parent_id},     {"kind", item.kind},
          {"verb", VerbName(item.verb)},     {"author_id", item.author_id},
          {"author_name", item.author_name}, {"text", item.text},
          {"permalink", item.permalink},     {"created_at", item.created_at},
          {"dedupe_key", item.dedupe_key}};
}

InboxItem InboxItemFromJson(const nlohmann::json& j) {
  InboxItem item;
  item.source = j.value("source", "");
  item.page_id = j.value("page_id", "");
  item.external_id = j.value("external_id", "");
  item.thread_id = j.value("thread_id", "");
  item.parent_id = j.value("parent_id", "");
  item.kind = j.value("kind", "comment");
  ParseVerb(j.value("verb", "add"), &item.verb);
  item.author_id = j.value("author_id", "");
  item.author_name = j.value("author_name", "");
  item.text = j.value("text", "");
  item.permalink = j.value("permalink", "");
  item.created_at = j.value("created_at", int64_t{0});
  item.dedupe_key = j.value("dedupe_key", "");
  return item;
}

std::string MaskIdentityNumbers(std::string_view text, std::chrono::year_month_day reference) {
  std::string out;
  size_t at = 0;
  for (const IdentityNumber& n : FindIdentityNumbers(text, reference)) {
    out.append(text.substr(at, n.begin - at));
    out.append(n.twelve.substr(0, 8)).append("-XXXX");
    at = n.end;
  }
  out.append(text.substr(at));
  return out;
}

bool HoldsIdentityNumber(std::string_view text, std::chrono::year_month_day reference) {
  return !FindIdentityNumbers(text, reference).empty();
}

}  // namespace kontobot
