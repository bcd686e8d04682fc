#include "bot/absence.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "bot/chat_turn.h"
#include "bot/closing.h"
#include "bot/text.h"

namespace kontobot {

std::string IsoDate(std::chrono::year_month_day day) {
  // "2027-03-01"; bot/ formats without <cstdio> (tests/bot_purity.cmake).
  auto padded = [](int value, size_t width) {
    std::string digits = std::to_string(value);
    return std::string(digits.size() < width ? width - digits.size() : 0, '0') + digits;
  };
  return padded(static_cast<int>(day.year()), 4) + "-" +
         padded(static_cast<int>(static_cast<unsigned>(day.month())), 2) + "-" +
         padded(static_cast<int>(static_cast<unsigned>(day.day())), 2);
}

bool InForce(const Absence& a, const std::string& local_date) {
  return a.state == kAbsenceInForce && !a.cover.empty() && a.from <= local_date &&
         local_date <= a.to;  // ISO dates compare as strings
}

std::vector<std::string> WithCovers(const std::vector<std::string>& people,
                                    const std::vector<Absence>& absences,
                                    const std::string& local_date) {
  std::vector<std::string> out;
  auto add = [&](const std::string& id) {
    if (!id.empty() && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  };
  for (const std::string& p : people) {
    auto covered = std::find_if(absences.begin(), absences.end(), [&](const Absence& a) {
      return a.person == p && InForce(a, local_date);
    });
    add(covered == absences.end() ? p : covered->cover);
  }
  return out;
}

}  // namespace kontobot

namespace kontobot {
namespace {

using std::chrono::days;
using std::chrono::local_days;
using std::chrono::year_month_day;

// A day as written, before its year and month are settled (0: not given).
struct Written {
  unsigned day = 0;
  unsigned month = 0;
  int year = 0;
};

// The position (1-based) of `word` in the catalogue's month names of
// either language, or of their first three letters or more; 0 if none.
unsigned MonthOf(const std::string& word, const Catalog& catalog) {
  if (word.size() < 3) return 0;
  for (Lang lang : {Lang::kSv, Lang::kEn}) {
    std::string list = NormalizeWord(catalog.Render(lang, "time.months"));
    unsigned i = 1;
    for (size_t start = 0; start <= list.size(); ++i) {
      size_t bar = list.find('|', start);
      std::string item = list.substr(start, bar == std::string::npos ? bar : bar - start);
      if (item.rfind(word, 0) == 0) return i;
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
  }
  return 0;
}

// The next day `w` names on or after `from` (its year when given).
std::optional<local_days> Settle(const Written& w, local_days from) {
  const year_month_day f{from};
  int year = w.year != 0 ? w.year : static_cast<int>(f.year());
  year_month_day d{std::chrono::year(year), std::chrono::month(w.month), std::chrono::day(w.day)};
  if (!d.ok()) return std::nullopt;
  if (w.year == 0 && local_days{d} < from) {
    d = year_month_day{std::chrono::year(year + 1), d.month(), d.day()};
    if (!d.ok()) return std::nullopt;
  }
  return local_days{d};
}

}  // namespace

std::optional<Period> ParsePeriod(const std::string& text, year_month_day today,
                                  const Catalog& catalog) {
  std::string s = NormalizeWord(text);
  for (const char* dash : {"\u2013", "\u2014"}) {  // en and em dash
    for (size_t at; (at = s.find(dash)) != std::string::npos;) s.replace(at, 3, " - ");
  }
  // ISO; d/m(/y); a day, optionally with a month name and a year.
  static const std::regex kDay(
      R"((\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})/(\d{1,2})(?:[/-](\d{4}))?|(\d{1,2})(?:st|nd|rd|th|:e|:a|\.)?(?: ([a-zåäöé]+)\.?(?: (\d{4}))?)?)");
  std::vector<Written> found;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), kDay); it != std::sregex_iterator();
       ++it) {
    const std::smatch& m = *it;
    // Only whole numbers: not the "20" of a lone "2027".
    const size_t begin = m.position(0), end = begin + m.length(0);
    if ((begin > 0 && std::isdigit(static_cast<unsigned char>(s[begin - 1]))) ||
        (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end]))))
      continue;
    Written w;
    if (m[1].matched) {
      w = {static_cast<unsigned>(std::stoi(m[3])), static_cast<unsigned>(std::stoi(m[2])),
           std::stoi(m[1])};
    } else if (m[4].matched) {
      w = {static_cast<unsigned>(std::stoi(m[4])), static_cast<unsigned>(std::stoi(m[5])),
           m[6].matched ? std::stoi(m[6]) : 0};
    } else {
      w.day = static_cast<unsigned>(std::stoi(m[7]));
      w.month = m[8].matched ? MonthOf(m[8], catalog) : 0;
      if (w.month != 0 && m[9].matched) w.year = std::stoi(m[9]);
    }
    if (w.day == 0 || w.day > 31) continue;
    found.push_back(w);
    if (found.size() == 2) break;
  }
  if (found.size() < 2 || found[1].month == 0) return std::nullopt;
  if (found[0].month == 0) {  // "6-24 juli"
    found[0].month = found[1].month;
    found[0].year = found[1].year;
  }
  const local_days base{today};
  auto from = Settle(found[0], base);
  if (!from) return std::nullopt;
  auto to = Settle(found[1], *from);
  if (!to) return std::nullopt;
  return Period{IsoDate(year_month_day{*from}), IsoDate(year_month_day{*to})};
}

std::string ValidatePeriod(const Period& p, year_month_day today) {
  if (p.from < IsoDate(today)) return "absence.period_past";
  if (p.to <= p.from) return "absence.period_order";
  auto day = [](const std::string& iso) {
    return local_days{year_month_day{std::chrono::year(std::stoi(iso.substr(0, 4))),
                                     std::chrono::month(std::stoul(iso.substr(5, 2))),
                                     std::chrono::day(std::stoul(iso.substr(8, 2)))}};
  };
  if (day(p.to) - day(p.from) > days(kMaxAbsenceDays)) return "absence.period_too_long";
  return "";
}

AbsenceConversation::AbsenceConversation(const Catalog& catalog, const Directory& directory)
    : catalog_(catalog), directory_(directory) {}

bool AbsenceConversation::Owns(const std::string& action) {
  return action == "absence_account" || action == "absence_cover" || action == "absence_confirm" ||
         action == "absence_abort";
}

std::string AbsenceConversation::HumanDay(const std::string& iso, Lang lang) const {
  if (iso.size() != 10) return iso;
  const unsigned month = static_cast<unsigned>(std::stoul(iso.substr(5, 2)));
  std::string list = catalog_.Render(lang, "time.months");
  std::string name;
  size_t start = 0;
  for (unsigned i = 1; i < month && start != std::string::npos; ++i) {
    start = list.find('|', start);
    if (start != std::string::npos) ++start;
  }
  if (start != std::string::npos) name = list.substr(start, list.find('|', start) - start);
  return catalog_.Render(lang, "absence.day",
                         {{"day", std::to_string(std::stoul(iso.substr(8, 2)))},
                          {"month", name},
                          {"year", iso.substr(0, 4)}});
}

// One call's worth of work. The state: {"stage": "account" | "period" |
// "cover" | "confirm", "accounts": [ids], "from", "to", "cover"}.
class AbsenceConversation::Run : public ChatTurn<AbsenceTurn> {
 public:
  Run(const AbsenceConversation& e, const Person& person, Lang lang,
      const std::vector<AbsenceAccount>& accounts, year_month_day today)
      : ChatTurn(e.catalog_, person, lang, kAbsencePending),
        e_(e),
        accounts_(accounts),
        today_(today) {}

  AbsenceTurn Start(const Template* tmpl, const std::string& text) {
    Audit("absence.asked", {});
    if (accounts_.empty()) {
      std::string answer =
          T("absence.not_admin",
            {{"contact", ContactLine(tmpl, person_, e_.directory_, e_.catalog_, lang_)}});
      // The organisation's own rule, as the template quotes it.
      if (tmpl != nullptr) {
        const nlohmann::json rule = tmpl->reminders.value("absence", nlohmann::json::object())
                                        .value("text", nlohmann::json::object());
        const std::string said = rule.value(std::string(LangCode(lang_)), rule.value("sv", ""));
        if (!said.empty())
          answer += "\n\n" + T("intent.organisation_rule",
                               {{"org", tmpl->organisation.Get(lang_)}, {"rule", said}});
      }
      Say(answer);
      return std::move(out_);
    }
    if (auto p = ParsePeriod(text, today_, e_.catalog_); p && ValidatePeriod(*p, today_).empty()) {
      state_["from"] = p->from;
      state_["to"] = p->to;
    }
    if (accounts_.size() == 1) return Chosen({accounts_.front().id});
    return AskAccount("");
  }

  AbsenceTurn Handle(const std::string& pending, const Input& input) {
    Load(pending);
    const std::string stage = state_.value("stage", "account");
    const std::string w = NormalizeWord(input.text);
    if (input.action == "absence_abort" || (input.action.empty() && Is(w, "cancel"))) {
      Audit("absence.aborted", {});
      Say(T("absence.aborted"));
      return std::move(out_);
    }
    if (stage == "account") {
      std::vector<int64_t> ids;
      if (input.action == "absence_account") {
        ids = input.value == "all" ? AllIds() : Ids(input.value);
      } else if (input.action.empty()) {
        ids = Match(input.text);
      }
      if (ids.empty()) return AskAccount(T("absence.unknown_account"));
      return Chosen(ids);
    }
    std::vector<int64_t> ids = Chosen();
    if (ids.empty()) {  // no longer theirs
      Say(T("absence.gone"));
      return std::move(out_);
    }
    if (stage == "period") {
      auto p = input.action.empty() ? ParsePeriod(input.text, today_, e_.catalog_) : std::nullopt;
      if (!p) return AskPeriod(T("absence.period_unclear"));
      if (std::string why = ValidatePeriod(*p, today_); !why.empty())
        return AskPeriod(T(why, {{"from", e_.HumanDay(p->from, lang_)},
                                 {"to", e_.HumanDay(p->to, lang_)},
                                 {"max", std::to_string(kMaxAbsenceDays)}}));
      state_["from"] = p->from;
      state_["to"] = p->to;
      return AskCover("");
    }
    if (stage == "cover") {
      const std::vector<std::string> c = Candidates();
      std::optional<std::string> cover;
      if (input.action == "absence_cover") {
        if (input.value.empty() || std::find(c.begin(), c.end(), input.value) != c.end())
          cover = input.value;
      } else if (input.action.empty()) {
        cover = MatchCover(w, c);
      }
      if (!cover) return AskCover(T("absence.unknown_cover"));
      state_["cover"] = *cover;
      return Summary();
    }
    // confirm
    if (input.action == "absence_confirm" || (input.action.empty() && Is(w, "yes"))) {
      AbsenceRequest r;
      r.accounts = ids;
      r.period = {state_.value("from", ""), state_.value("to", "")};
      r.cover = state_.value("cover", "");
      Audit("absence.confirmed",
            {{"accounts", ids}, {"from", r.period.from}, {"to", r.period.to}, {"cover", r.cover}});
      out_.confirmed = r;
      return std::move(out_);
    }
    if (input.action.empty() && Is(w, "no")) {
      Audit("absence.aborted", {});
      Say(T("absence.aborted"));
      return std::move(out_);
    }
    return Summary();
  }

 private:
  Button Abort() const { return {"absence_abort", "", T("button.absence_abort"), "default"}; }
  std::string Name(const std::string& id) const {
    const Person* p = e_.directory_.Find(id);
    return p != nullptr ? p->name : id;
  }

  const AbsenceAccount* Find(int64_t id) const {
    auto it = std::find_if(accounts_.begin(), accounts_.end(),
                           [&](const AbsenceAccount& a) { return a.id == id; });
    return it == accounts_.end() ? nullptr : &*it;
  }
  std::vector<int64_t> AllIds() const {
    std::vector<int64_t> out;
    for (const AbsenceAccount& a : accounts_) out.push_back(a.id);
    return out;
  }
  // Ids ("3,7") of accounts still the person's.
  std::vector<int64_t> Ids(const std::string& csv) const {
    std::vector<int64_t> out;
    std::stringstream in(csv);
    for (std::string part; std::getline(in, part, ',');) {
      if (const AbsenceAccount* a = Find(std::atoll(part.c_str()))) out.push_back(a->id);
    }
    return out;
  }
  // The accounts chosen earlier that are still the person's.
  std::vector<int64_t> Chosen() const {
    std::vector<int64_t> out;
    for (const auto& id : state_.value("accounts", nlohmann::json::array())) {
      if (id.is_number_integer() && Find(id.get<int64_t>()) != nullptr)
        out.push_back(id.get<int64_t>());
    }
    return out;
  }
  // "alla"/"all"; list numbers ("1", "1, 3", "1 och 3"); or words of one
  // account's label ("facebook").
  std::vector<int64_t> Match(const std::string& text) const {
    const std::string w = NormalizeWord(text);
    if (Is(w, "absence_all")) return AllIds();
    static const std::regex kNumbers(R"(^\s*\d+(\s*(,|och|and|&|\s)\s*\d+)*\s*$)");
    if (std::regex_match(w, kNumbers)) {
      std::vector<int64_t> out;
      static const std::regex kNumber(R"(\d+)");
      for (auto it = std::sregex_iterator(w.begin(), w.end(), kNumber);
           it != std::sregex_iterator(); ++it) {
        const long n = std::stol(it->str());
        if (n < 1 || static_cast<size_t>(n) > accounts_.size()) return {};
        if (std::find(out.begin(), out.end(), accounts_[n - 1].id) == out.end())
          out.push_back(accounts_[n - 1].id);
      }
      return out;
    }
    const AbsenceAccount* found = nullptr;
    for (const AbsenceAccount& a : accounts_) {
      if (w.empty() || NormalizeWord(a.label).find(w) == std::string::npos) continue;
      if (found != nullptr) return {};  // more than one
      found = &a;
    }
    if (found == nullptr) return {};
    return {found->id};
  }
  // Who may cover: the other administrators of every chosen account.
  std::vector<std::string> Candidates() const {
    std::vector<std::string> out;
    bool first = true;
    for (int64_t id : Chosen()) {
      const AbsenceAccount* a = Find(id);
      if (first) {
        out = a->others;
        first = false;
        continue;
      }
      std::erase_if(out, [&](const std::string& p) {
        return std::find(a->others.begin(), a->others.end(), p) == a->others.end();
      });
    }
    return out;
  }
  // A list number, a word of a candidate's name, or "ingen"/"nobody".
  std::optional<std::string> MatchCover(const std::string& w,
                                        const std::vector<std::string>& c) const {
    if (Is(w, "absence_nobody")) return "";
    char* end = nullptr;
    const long n = std::strtol(w.c_str(), &end, 10);
    if (!w.empty() && end != nullptr && *end == '\0') {
      if (n >= 1 && static_cast<size_t>(n) <= c.size()) return c[n - 1];
      return std::nullopt;
    }
    std::optional<std::string> found;
    for (const std::string& id : c) {
      if (w.empty() || NormalizeWord(Name(id)).find(w) == std::string::npos) continue;
      if (found) return std::nullopt;
      found = id;
    }
    return found;
  }
  std::string Labels(const std::vector<int64_t>& ids) const {
    std::string out;
    for (int64_t id : ids) out += "\n• " + Literal(Find(id)->label);
    return out;
  }

  AbsenceTurn AskAccount(const std::string& before) {
    std::string text = before.empty() ? T("absence.which_account") : before;
    std::vector<Button> buttons;
    for (size_t i = 0; i < accounts_.size(); ++i) {
      text += T("absence.account_line",
                {{"n", std::to_string(i + 1)}, {"account", Literal(accounts_[i].label)}});
      buttons.push_back({"absence_account", std::to_string(accounts_[i].id),
                         T("button.absence_account", {{"n", std::to_string(i + 1)}}), "default"});
    }
    buttons.push_back({"absence_account", "all", T("button.absence_all"), "default"});
    buttons.push_back(Abort());
    Say(text, buttons);
    Keep("account");
    return std::move(out_);
  }

  AbsenceTurn Chosen(const std::vector<int64_t>& ids) {
    state_["accounts"] = ids;
    if (state_.contains("from")) return AskCover("");
    return AskPeriod("");
  }

  AbsenceTurn AskPeriod(const std::string& before) {
    Say((before.empty() ? "" : before + "\n\n") +
            T("absence.ask_period", {{"accounts", Labels(Chosen())}}),
        {Abort()});
    Keep("period");
    return std::move(out_);
  }

  AbsenceTurn AskCover(const std::string& before) {
    const std::vector<std::string> c = Candidates();
    if (c.empty()) {  // nobody else administers it: the organisation's rule
      state_["cover"] = "";
      return Summary();
    }
    std::string text = (before.empty() ? "" : before + "\n\n") + T("absence.ask_cover");
    std::vector<Button> buttons;
    for (size_t i = 0; i < c.size(); ++i) {
      text += T("absence.account_line", {{"n", std::to_string(i + 1)}, {"account", Name(c[i])}});
      buttons.push_back({"absence_cover", c[i], Name(c[i]), "default"});
    }
    buttons.push_back({"absence_cover", "", T("button.absence_nobody"), "default"});
    buttons.push_back(Abort());
    Say(text, buttons);
    Keep("cover");
    return std::move(out_);
  }

  AbsenceTurn Summary() {
    const std::string cover = state_.value("cover", "");
    Say(T("absence.summary",
          {{"accounts", Labels(Chosen())},
           {"from", e_.HumanDay(state_.value("from", ""), lang_)},
           {"to", e_.HumanDay(state_.value("to", ""), lang_)},
           {"cover", cover.empty() ? T("absence.summary_nobody")
                                   : T("absence.summary_cover", {{"name", Name(cover)}})}}),
        {{"absence_confirm", "", T("button.absence_confirm"), "primary"}, Abort()});
    Keep("confirm");
    return std::move(out_);
  }

  const AbsenceConversation& e_;
  const std::vector<AbsenceAccount>& accounts_;
  year_month_day today_;
};

AbsenceTurn AbsenceConversation::Start(const Person& person, Lang lang, const Template* tmpl,
                                       const std::vector<AbsenceAccount>& accounts,
                                       const std::string& text, year_month_day today) const {
  return Run(*this, person, lang, accounts, today).Start(tmpl, text);
}

AbsenceTurn AbsenceConversation::Handle(const Person& person, Lang lang,
                                        const std::vector<AbsenceAccount>& accounts,
                                        const std::string& pending, const Input& input,
                                        year_month_day today) const {
  return Run(*this, person, lang, accounts, today).Handle(pending, input);
}

}  // namespace kontobot
