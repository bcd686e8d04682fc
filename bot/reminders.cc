#include "bot/reminders.h"

#include <algorithm>
#include <charconv>
#include <regex>
#include <set>

#include "bot/answers.h"
#include "bot/approval.h"

namespace kontobot {
namespace {

// "2026-12-03" as a day; nullopt unless it is a real date.
std::optional<std::chrono::local_days> ParseIsoDate(const std::string& s) {
  static const std::regex kIso(R"((\d{4})-(\d{1,2})-(\d{1,2}))");
  std::smatch m;
  if (!std::regex_match(s, m, kIso)) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(std::stoi(m[1])),
                                  std::chrono::month(static_cast<unsigned>(std::stoi(m[2]))),
                                  std::chrono::day(static_cast<unsigned>(std::stoi(m[3])))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::local_days{ymd};
}

using std::chrono::days;
using std::chrono::floor;
using std::chrono::local_days;
using std::chrono::minutes;
using std::chrono::year_month_day;

// Defaults when a template has no block for a kind of wait: the values the
// shipped templates mark "default, not in seed" (config/templates/*.yaml).
// A duty has none of its own: only its follow-up (the time to confirm, and
// whom to tell) is defaulted, under a block the template gives.
nlohmann::json DefaultPolicy(const std::string& key) {
  if (key == "draft_idle") return {{"nudge_after", "3 working days"}};
  if (key == "approval")
    return {{"nudge_after", "1 working day"},
            {"escalate_after", "3 working days"},
            {"escalate_to", "superior"}};
  if (key == "admin_acceptance")
    return {{"nudge_after", "2 working days"},
            {"escalate_after", "5 working days"},
            {"escalate_to", "requester"}};
  if (key == "startup")
    return {{"nudge_after", "3 working days"},
            {"escalate_after", "10 working days"},
            {"escalate_to", {"requester", "informationsfunktion"}}};
  if (IsDuty(key))
    return {{"due_within", "10 working days"}, {"escalate_to", "informationsfunktion"}};
  return nullptr;
}

std::vector<std::string> Strings(const nlohmann::json& v) {
  std::vector<std::string> out;
  if (v.is_string()) out.push_back(v.get<std::string>());
  if (v.is_array())
    for (const auto& s : v)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::optional<Duration> DurationField(const nlohmann::json& p, const char* key) {
  auto it = p.find(key);
  if (it == p.end() || !it->is_string()) return std::nullopt;
  return ParseDuration(it->get<std::string>());
}

}  // namespace

bool IsDuty(const std::string& kind) {
  return kind == "snapshot" || kind == "yearly_review" || kind == "archiving" ||
         kind == "inactivity" || kind == "follow_up";
}

std::string DutySubject(const std::string& kind, const std::string& scope,
                        const std::string& date) {
  return kind + ":" + scope + ":" + date;
}

std::string DutyScope(const std::string& subject) {
  size_t a = subject.find(':');
  if (a == std::string::npos) return "";
  size_t b = subject.find(':', a + 1);
  return subject.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
}

std::optional<Duration> ParseDuration(const std::string& text) {
  static const std::regex kRe(
      R"(^\s*([0-9]+)\s+(working\s+(day|days|hour|hours)|minutes?|hours?|days?|weeks?|months?|years?)\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, kRe)) return std::nullopt;
  Duration d;
  d.amount = std::stoll(m[1].str());
  std::string unit = m[2].str();
  if (unit.rfind("working", 0) == 0) {
    d.unit = Duration::Unit::kWorkingMinutes;
    // A working day is one office day (AddWorkingDays); kept as days here.
    d.amount *= unit.find("day") != std::string::npos ? -1 : 60;
  } else if (unit.rfind("minute", 0) == 0) {
    d.unit = Duration::Unit::kMinutes;
  } else if (unit.rfind("hour", 0) == 0) {
    d.unit = Duration::Unit::kMinutes;
    d.amount *= 60;
  } else if (unit.rfind("day", 0) == 0) {
    d.unit = Duration::Unit::kDays;
  } else if (unit.rfind("week", 0) == 0) {
    d.unit = Duration::Unit::kDays;
    d.amount *= 7;
  } else if (unit.rfind("month", 0) == 0) {
    d.unit = Duration::Unit::kMonths;
  } else {
    d.unit = Duration::Unit::kMonths;
    d.amount *= 12;
  }
  return d;
}

std::string PolicyKey(const std::string& kind) {
  if (kind == "admin") return "admin_acceptance";
  if (kind == "name_approver") return "approval";
  return kind;
}

std::optional<WaitPolicy> PolicyFor(const Template* tmpl, const std::string& kind) {
  std::string key = PolicyKey(kind);
  nlohmann::json p = DefaultPolicy(key);
  // A duty is the organisation's own: none without its block.
  if (IsDuty(key) && (tmpl == nullptr || !tmpl->reminders.contains(key))) return std::nullopt;
  if (tmpl != nullptr && tmpl->reminders.contains(key)) {
    nlohmann::json own = tmpl->reminders.at(key);
    // A duty block gives its schedule and words; its follow-up may be
    // left to the defaults.
    if (IsDuty(key) && p.is_object()) {
      for (auto& [k, v] : own.items()) p[k] = v;
    } else {
      p = own;
    }
  }
  if (!p.is_object()) return std::nullopt;
  WaitPolicy w;
  w.nudge_after = DurationField(p, "nudge_after");
  w.escalate_after = DurationField(p, "escalate_after");
  w.due_within = DurationField(p, "due_within");
  w.after = DurationField(p, "after");
  w.escalate_to = Strings(p.value("escalate_to", nlohmann::json()));
  w.at = Strings(p.value("at", nlohmann::json()));
  auto localized = [&](const char* field) {
    auto it = p.find(field);
    return it != p.end() && it->is_object()
               ? LocalizedText{it->value("sv", ""), it->value("en", "")}
               : LocalizedText{};
  };
  w.text = localized("text");
  w.title = localized("title");
  w.to = p.value("to", std::string("administrators"));
  w.per_organisation = p.value("per", std::string()) == "organisation";
  w.goals = Strings(p.value("goals", nlohmann::json()));
  return w;
}

Reminders::Reminders(const TemplateSet& templates, const Catalog& catalog,
                     const Directory& directory, const LocalTime& local_time,
                     const SwedishCalendar& calendar)
    : templates_(templates),
      catalog_(catalog),
      directory_(directory),
      local_time_(local_time),
      calendar_(calendar) {
  for (const auto& entry : templates_) {
    const Template* tmpl = entry.second.get();
    if (tmpl == nullptr) continue;
    const CalendarSettings& c = tmpl->calendar;
    calendars_.emplace(tmpl->id, SwedishCalendar(c.open_minute, c.close_minute,
                                                 std::set<year_month_day>(c.closed_days.begin(),
                                                                          c.closed_days.end())));
  }
}

const SwedishCalendar& Reminders::CalendarOf(const std::string& org) const {
  const Template* t = TemplateOf(org);
  auto it = t == nullptr ? calendars_.end() : calendars_.find(t->id);
  return it == calendars_.end() ? calendar_ : it->second;
}

TimePoint Reminders::Add(const std::string& org, TimePoint base, const Duration& d) const {
  const SwedishCalendar& calendar = CalendarOf(org);
  LocalMinutes local = local_time_.ToLocal(base);
  switch (d.unit) {
    case Duration::Unit::kWorkingMinutes:
      if (d.amount < 0)
        return local_time_.FromLocal(calendar.AddWorkingDays(local, static_cast<int>(-d.amount)));
      return local_time_.FromLocal(calendar.AddWorkingMinutes(local, d.amount));
    case Duration::Unit::kMinutes:
      return base + minutes(d.amount);
    case Duration::Unit::kDays:
      return local_time_.FromLocal(local + days(d.amount));
    case Duration::Unit::kMonths: {
      local_days day = floor<days>(local);
      year_month_day ymd{day};
      auto ym = std::chrono::year_month(ymd.year(), ymd.month()) + std::chrono::months(d.amount);
      auto last =
          std::chrono::year_month_day_last(ym.year(), std::chrono::month_day_last(ym.month()));
      auto dd = std::min(ymd.day(), last.day());
      return local_time_.FromLocal(local_days(ym / dd) + (local - day));
    }
  }
  return base;
}

TimePoint Reminders::NextOpen(const std::string& org, TimePoint t) const {
  return local_time_.FromLocal(CalendarOf(org).NextOpen(local_time_.ToLocal(t)));
}

std::optional<Timer> Reminders::Start(const std::string& kind, const std::string& subject,
                                      const std::string& person, const std::string& org,
                                      TimePoint since) const {
  auto p = PolicyFor(TemplateOf(org), kind);
  if (!p) return std::nullopt;
  Timer t;
  t.kind = kind;
  t.subject = subject;
  t.person = person;
  t.org = org;
  t.since = since;
  t.detail = {{"nudges", 0}, {"escalated", false}};
  if (kind == "public_reply") {  // an answer is due within the policy's time
    if (!p->due_within) return std::nullopt;
    t.due = Add(org, since, *p->due_within);
    t.detail["stage"] = 0;
    return t;
  }
  if (kind == "inactivity" || kind == "follow_up") {
    if (!p->after) return std::nullopt;
    t.due = Add(org, since, *p->after);
    t.since = t.due;  // the wait for an answer begins when the period ends
    t.detail["asked"] = false;
    // The period measured: activity confirmed (or the account started) then.
    t.detail["active_since"] = local_time_.Date(since);
    return t;
  }
  std::optional<Duration> first = p->nudge_after ? p->nudge_after : p->escalate_after;
  if (!first) return std::nullopt;
  t.due = Add(org, since, *first);
  return t;
}

std::optional<TimePoint> Reminders::NextAt(const std::vector<std::string>& at,
                                           TimePoint now) const {
  local_days today = floor<days>(local_time_.ToLocal(now));
  year_month_day ymd{today};
  std::optional<local_days> best;
  for (const std::string& md : at) {
    unsigned m = 0;
    unsigned d = 0;
    if (md.size() != 5 || md[2] != '-' ||
        std::from_chars(md.data(), md.data() + 2, m).ec != std::errc() ||
        std::from_chars(md.data() + 3, md.data() + 5, d).ec != std::errc())
      continue;
    for (int dy = 0; dy <= 1; ++dy) {
      year_month_day cand{ymd.year() + std::chrono::years(dy), std::chrono::month(m),
                          std::chrono::day(d)};
      if (!cand.ok()) continue;
      local_days day{cand};
      if (day > today && (!best || day < *best)) best = day;
    }
  }
  if (!best) return std::nullopt;
  return local_time_.FromLocal(LocalMinutes(*best));
}

std::optional<Timer> Reminders::NextDuty(const std::string& kind, const std::string& scope,
                                         const std::string& org, TimePoint now) const {
  auto p = PolicyFor(TemplateOf(org), kind);
  if (!p) return std::nullopt;
  auto at = NextAt(p->at, now);
  if (!at) return std::nullopt;
  Timer d;
  d.kind = kind;
  d.subject = DutySubject(kind, scope, local_time_.Date(*at));
  d.org = org;
  d.since = *at;
  d.due = *at;
  d.detail = {{"nudges", 0}, {"escalated", false}, {"asked", false}};
  if (scope.rfind("org-", 0) != 0) d.detail["account"] = std::stoll(scope);
  if (p->to != "administrators") d.detail["to"] = p->to;  // whose it is, for "status"
  return d;
}

std::vector<Timer> Reminders::AccountDuties(int64_t account, const std::string& org,
                                            TimePoint now) const {
  const Template* t = TemplateOf(org);
  std::vector<Timer> out;
  for (const char* kind : {"snapshot", "yearly_review", "archiving"}) {
    auto p = PolicyFor(t, kind);
    if (!p || p->per_organisation) continue;
    if (auto d = NextDuty(kind, std::to_string(account), org, now)) out.push_back(*d);
  }
  for (const char* kind : {"inactivity", "follow_up"}) {  // once `after` the start
    if (auto d = Start(kind, "", "", org, now)) {
      d->subject = DutySubject(kind, std::to_string(account), local_time_.Date(now));
      d->detail["account"] = account;
      out.push_back(*d);
    }
  }
  return out;
}

std::vector<Timer> Reminders::OrganisationDuties(const std::string& org, TimePoint now) const {
  std::vector<Timer> out;
  for (const char* kind : {"snapshot", "yearly_review", "archiving"}) {
    auto p = PolicyFor(TemplateOf(org), kind);
    if (!p || !p->per_organisation) continue;
    if (auto d = NextDuty(kind, "org-" + org, org, now)) out.push_back(*d);
  }
  return out;
}

const Template* Reminders::TemplateOf(const std::string& org) const {
  const Organisation* o = directory_.FindOrganisation(org);
  auto it = templates_.find(o && !o->template_id.empty() ? o->template_id : org);
  return it == templates_.end() ? nullptr : it->second.get();
}

std::string Reminders::T(Lang lang, const std::string& key, const Vars& vars) const {
  return catalog_.Render(lang, key, vars);
}

Lang Reminders::LangOf(const std::string& person, const WaitFacts& f) const {
  return LanguageOf(directory_.Find(person), f.languages);
}

std::string Reminders::Name(const std::string& person) const {
  const Person* p = directory_.Find(person);
  return p ? p->name : person;
}

std::string Reminders::HumanTime(TimePoint t, Lang lang) const {
  // Human time of day and date: "måndag 23 november kl. 10.14".
  LocalMinutes local = local_time_.ToLocal(t);
  local_days day = floor<days>(local);
  year_month_day ymd{day};
  std::chrono::weekday wd{day};
  auto hm = std::chrono::hh_mm_ss<minutes>(local - day);
  auto pick = [&](const std::string& key, unsigned index) { return Item(lang, key, index); };
  auto two = [](long v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  return T(lang, "time.human",
           {{"weekday", pick("time.weekdays", wd.iso_encoding())},
            {"day", std::to_string(unsigned(ymd.day()))},
            {"month", pick("time.months", unsigned(ymd.month()))},
            {"year", std::to_string(int(ymd.year()))},
            {"hh", two(hm.hours().count())},
            {"mm", two(hm.minutes().count())}});
}

std::string Reminders::HumanDate(TimePoint t, Lang lang) const {
  year_month_day ymd{floor<days>(local_time_.ToLocal(t))};
  return T(lang, "time.date",
           {{"day", std::to_string(unsigned(ymd.day()))},
            {"month", Item(lang, "time.months", unsigned(ymd.month()))},
            {"year", std::to_string(int(ymd.year()))}});
}

std::string Reminders::What(const Timer& t, Lang lang) const {
  Vars v{{"id", t.detail.contains("registration")
                    ? std::to_string(t.detail["registration"].get<int64_t>())
                    : t.subject.substr(t.subject.find(':') + 1)},
         {"account", Literal(t.detail.value("account_label", ""))},
         {"person", Name(t.person)}};
  if (t.kind == "startup") {  // the step's first sentence, in the reader's language
    const Template* tmpl = TemplateOf(t.org);
    for (const StartupStep& s : tmpl ? tmpl->startup_steps : std::vector<StartupStep>{}) {
      if (s.id != t.detail.value("startup_step", "")) continue;
      std::string text = s.text.Get(lang);
      size_t stop = text.find_first_of(".:(");
      if (stop != std::string::npos) text.erase(stop);
      while (!text.empty() && text.back() == ' ') text.pop_back();
      v["step"] = Literal(text);
    }
  }
  if (IsDuty(t.kind)) {
    // The organisation's own name for its duty, when it gives one.
    auto p = PolicyFor(TemplateOf(t.org), t.kind);
    const bool whole = DutyScope(t.subject).rfind("org-", 0) == 0;
    if (p && !p->title.empty()) {
      v["title"] = p->title.Get(lang);
      return T(lang, whole ? "wait.duty_organisation" : "wait.duty", v);
    }
    if (whole) return T(lang, "wait." + t.kind + ".organisation", v);
  }
  return T(lang, "wait." + t.kind, v);
}

std::vector<Button> Reminders::Buttons(const Timer& t, const WaitFacts& f, Lang lang) const {
  std::vector<Button> b;
  std::string task = "task:" + std::to_string(f.task_id);
  if (t.kind == "approval") {
    b = {{"approve", task, T(lang, "button.approve"), "primary"},
         {"reject", task, T(lang, "button.reject"), "danger"},
         {"ask", task, T(lang, "button.ask"), "default"}};
  } else if (t.kind == "admin") {
    b = {{"accept", task, T(lang, "button.admin_accept"), "primary"},
         {"decline", task, T(lang, "button.admin_decline"), "danger"}};
  } else if (t.kind == "startup") {
    b = {{"done", task, T(lang, "button.startup_done"), "primary"}};
  } else if (t.kind == "draft_idle") {
    b = {{"resume", std::to_string(f.draft_id),
          T(lang, "button.resume", {{"id", std::to_string(f.draft_id)}}), "primary"}};
  } else if (t.kind == "public_reply") {
    // "Noterat" would end the chain: only "answered" and the snoozes.
    b = {{"duty_done", t.subject, T(lang, "button.duty_done.public_reply"), "primary"}};
    for (const char* choice : {"1", "3", "week"}) {
      b.push_back({"remind_snooze", t.subject + "|" + choice,
                   T(lang, std::string("button.snooze_") + choice), "default"});
    }
    return b;
  } else if (t.kind == "follow_up") {
    b = {{"follow_up_answer", t.subject, T(lang, "button.follow_up_answer"), "primary"}};
  } else if (IsDuty(t.kind)) {
    b = {{"duty_done", t.subject, T(lang, "button.duty_done." + t.kind), "primary"}};
    if (t.kind == "inactivity")
      b.push_back({"duty_close", t.subject, T(lang, "button.duty_close"), "danger"});
  }
  b.push_back({"remind_ack", t.subject, T(lang, "button.remind_ack"), "default"});
  for (const char* choice : {"1", "3", "week"}) {
    b.push_back({"remind_snooze", t.subject + "|" + choice,
                 T(lang, std::string("button.snooze_") + choice), "default"});
  }
  return b;
}

std::vector<std::string> Reminders::EscalationTargets(const Timer& t, const WaitPolicy& p,
                                                      const WaitFacts& f) const {
  std::vector<std::string> out;
  auto add = [&](const std::string& id) {
    if (!id.empty() && id != t.person && std::find(out.begin(), out.end(), id) == out.end())
      out.push_back(id);
  };
  const Person* who = directory_.Find(f.assignee.empty() ? t.person : f.assignee);
  for (const std::string& target : p.escalate_to) {
    if (target == "superior") {
      if (who) add(who->superior);
    } else if (target == "requester") {
      add(f.requester);
    } else {
      for (const Person* r : directory_.WithRole(t.org, target)) add(r->id);
    }
  }
  return out;
}

std::string Reminders::LocalDate(TimePoint t) const { return IsoDate(LocalDay(t)); }

year_month_day Reminders::LocalDay(TimePoint t) const {
  return year_month_day{floor<days>(local_time_.ToLocal(t))};
}

TimePoint Reminders::StartOfDay(const std::string& iso, int plus_days) const {
  std::optional<local_days> day = ParseIsoDate(iso);
  if (!day) return TimePoint{};
  return local_time_.FromLocal(LocalMinutes(*day + days(plus_days)));
}

std::vector<std::string> Reminders::Administrators(const Timer& t, const WaitFacts& f,
                                                   TimePoint now) const {
  std::vector<std::string> out;
  for (const auto& a : f.administrators) {
    if (!a.is_object()) continue;
    const Person* p = directory_.FindByContact(t.org, a.value("email", ""), a.value("name", ""));
    if (p && std::find(out.begin(), out.end(), p->id) == out.end()) out.push_back(p->id);
  }
  if (!f.absences.empty()) {
    out = WithCovers(out, f.absences, LocalDate(now));
  }
  if (out.empty()) {  // nobody reachable in chat: the information function asks them
    for (const Person* r : directory_.WithRole(t.org, "informationsfunktion")) out.push_back(r->id);
  }
  return out;
}

Firing Reminders::Fire(const Timer& t, const WaitFacts& f, TimePoint now) const {
  Firing out;
  if (!f.open) {
    out.result = Firing::Result::kResolved;
    return out;
  }
  if (!CalendarOf(t.org).IsOpen(local_time_.ToLocal(now))) {
    out.result = Firing::Result::kDeferred;
    out.deferred_to = NextOpen(t.org, now);
    return out;
  }
  auto p = PolicyFor(TemplateOf(t.org), t.kind);
  if (!p) {
    out.result = Firing::Result::kResolved;
    return out;
  }
  if (IsDuty(t.kind)) return FireDuty(t, *p, f, now);
  if (t.kind == "public_reply") return FireReply(t, *p, f, now);

  int nudges = t.detail.value("nudges", 0);
  bool escalated = t.detail.value("escalated", false);
  bool acknowledged = t.detail.value("acknowledged", false);
  std::string subject = t.subject;
  std::optional<TimePoint> escalate_at;
  if (p->escalate_after) escalate_at = Add(t.org, t.since, *p->escalate_after);
  std::vector<int64_t> tasks;
  if (f.task_id) tasks.push_back(f.task_id);

  if (escalate_at && !escalated && now >= *escalate_at) {
    escalated = true;
    for (const std::string& to : EscalationTargets(t, *p, f)) {
      Lang lang = LangOf(to, f);
      out.messages.push_back({to,
                              {T(lang, "reminder.escalated",
                                 {{"name", Name(t.person)},
                                  {"what", What(t, lang)},
                                  {"since", HumanTime(t.since, lang)},
                                  {"todo", T(lang, "reminder.escalated_todo." + t.kind)}}),
                               {}},
                              {},
                              f.draft_id,
                              false,
                              ""});
      out.audit.push_back({"reminder.escalated", t.subject, {{"to", to}, {"step", t.step}}});
    }
  }
  if (!acknowledged) {
    Lang lang = LangOf(t.person, f);
    out.messages.push_back({t.person,
                            {T(lang, "reminder.nudge",
                               {{"what", What(t, lang)},
                                {"since", HumanTime(t.since, lang)},
                                {"todo", T(lang, "reminder.todo." + t.kind)}}),
                             Buttons(t, f, lang)},
                            tasks,
                            f.draft_id,
                            false,
                            ""});
    ++nudges;
    out.audit.push_back({"reminder.nudged", t.subject, {{"to", t.person}, {"step", t.step}}});
  }
  std::optional<TimePoint> next;
  if (!acknowledged && nudges < kMaxNudges && p->nudge_after)
    next = Add(t.org, now, *p->nudge_after);
  if (escalate_at && !escalated && (!next || *escalate_at < *next)) next = *escalate_at;
  if (next) {
    Timer n = t;
    n.id = 0;
    n.step = t.step + 1;
    n.due = std::max(*next, now);
    n.state = "open";
    n.detail["nudges"] = nudges;
    n.detail["escalated"] = escalated;
    out.next.push_back(n);
  }
  return out;
}

Firing Reminders::FireReply(const Timer& t, const WaitPolicy& p, const WaitFacts& f,
                            TimePoint now) const {
  // Stage 0: the account holder (the first administrator registered); then
  // each of `escalate_to` in turn, one `due_within` apart: "deputy_admin"
  // (the other administrators: the seeds' cover during absence) or a role.
  Firing out;
  static const std::vector<std::string> kDefaultChain{"deputy_admin", "informationsfunktion"};
  const std::vector<std::string>& chain = p.escalate_to.empty() ? kDefaultChain : p.escalate_to;
  std::vector<std::string> admins = Administrators(t, f, now);
  int stage = t.detail.value("stage", 0);
  std::vector<std::string> to;
  for (; to.empty() && stage <= static_cast<int>(chain.size()); ++stage) {
    if (stage == 0) {
      if (!admins.empty()) to.push_back(admins.front());
    } else if (chain[stage - 1] == "deputy_admin") {
      if (admins.size() > 1) to.assign(std::next(admins.begin()), admins.end());
    } else {
      for (const Person* r : directory_.WithRole(t.org, chain[stage - 1])) to.push_back(r->id);
    }
  }
  const bool escalated = stage > 1;
  for (const std::string& person : to) {
    Lang lang = LangOf(person, f);
    out.messages.push_back(
        {person,
         {T(lang, escalated ? "reminder.public_reply_escalated" : "reminder.public_reply",
            {{"account", Literal(t.detail.value("account_label", f.account))},
             {"since", HumanTime(t.since, lang)}}),
          Buttons(t, f, lang)},
         {},
         0,
         true,
         t.detail.value("account_label", f.account)});
    out.audit.push_back({escalated ? "reminder.escalated" : "reminder.nudged",
                         t.subject,
                         {{"to", person}, {"step", t.step}}});
  }
  if (stage <= static_cast<int>(chain.size()) && p.due_within) {
    Timer n = t;
    n.id = 0;
    n.step = t.step + 1;
    n.due = std::max(Add(t.org, now, *p.due_within), now);
    n.state = "open";
    n.detail["stage"] = stage;
    n.detail["escalated"] = escalated;
    out.next.push_back(n);
  }
  return out;
}

std::string Reminders::GoalsGiven(const Timer& t, const WaitPolicy& p, const WaitFacts& f,
                                  Lang lang) const {
  const Template* tmpl = TemplateOf(t.org);
  std::string out;
  for (const std::string& id : tmpl ? p.goals : std::vector<std::string>{}) {
    const Step* s = tmpl->FindStep(id);
    auto v = f.answers.find(id);
    if (s == nullptr || v == f.answers.end() || v->is_null()) continue;
    out += "\n" + T(lang, "follow_up.goal",
                    {{"label", s->Label(lang)}, {"answer", Literal(FormatAnswer(*s, *v, lang))}});
  }
  return out.empty() ? out : "\n\n" + T(lang, "follow_up.goals_heading") + out;
}

std::vector<std::string> Reminders::DutyRecipients(const Timer& t, const WaitPolicy& p,
                                                   const WaitFacts& f, TimePoint now) const {
  if (p.to == "administrators") return Administrators(t, f, now);
  std::vector<std::string> out;
  for (const Person* r : directory_.WithRole(t.org, p.to)) out.push_back(r->id);
  return out;
}

Firing Reminders::FireDuty(const Timer& t, const WaitPolicy& p, const WaitFacts& f,
                           TimePoint now) const {
  Firing out;
  bool asked = t.detail.value("asked", false);
  bool escalated = t.detail.value("escalated", false);
  bool acknowledged = t.detail.value("acknowledged", false);
  int nudges = t.detail.value("nudges", 0);
  std::vector<std::string> admins = DutyRecipients(t, p, f, now);
  Timer base = t;
  base.detail["account_label"] = f.account;
  if (!acknowledged) {
    for (const std::string& to : admins) {
      Lang lang = LangOf(to, f);
      std::string inventory;
      for (const auto& [account, people] : f.inventory) {
        inventory +=
            "\n" +
            T(lang, "duty.inventory_line",
              {{"account", Literal(account)},
               {"admins", people.empty() ? T(lang, "duty.inventory_nobody") : Literal(people)}});
      }
      std::string since = HumanTime(t.since, lang);
      if (t.detail.contains("active_since")) {  // inactivity: since the period began
        if (auto day = ParseIsoDate(t.detail.value("active_since", "")))
          since = HumanDate(local_time_.FromLocal(LocalMinutes(*day)), lang);
      }
      std::string text =
          T(lang, asked ? "duty.overdue" : "duty.ask." + t.kind,
            {{"account", Literal(f.account)}, {"since", since}, {"what", What(base, lang)}});
      if (!p.text.empty()) text += "\n\n" + p.text.Get(lang);
      text += GoalsGiven(t, p, f, lang);
      if (!inventory.empty())
        text += "\n\n" +
                T(lang, "duty.inventory", {{"count", std::to_string(f.inventory.size())}}) +
                inventory;
      const std::string own = "duty.instruction." + t.kind;
      text += "\n\n" + T(lang, catalog_.Has(lang, own) ? own : "duty.instruction");
      Timer addressed = base;
      addressed.person = to;
      out.messages.push_back({to, {text, Buttons(addressed, f, lang)}, {}, 0, true, f.account});
    }
    out.audit.push_back({asked ? "duty.nudged" : "duty.asked", t.subject, {{"to", admins}}});
    if (asked) ++nudges;
  }
  if (asked && !escalated) {
    escalated = true;
    Timer esc = base;
    esc.person = admins.empty() ? "" : admins.front();
    for (const std::string& to : EscalationTargets(esc, p, f)) {
      if (std::find(admins.begin(), admins.end(), to) != admins.end()) continue;
      Lang lang = LangOf(to, f);
      out.messages.push_back({to,
                              {UpperFirst(T(lang, "duty.escalated",
                                            {{"what", What(base, lang)},
                                             {"account", Literal(f.account)},
                                             {"since", HumanTime(t.since, lang)}})),
                               {}},
                              {},
                              0,
                              true,
                              f.account});
      out.audit.push_back({"duty.escalated", t.subject, {{"to", to}}});
    }
  }
  // The follow-up of this duty.
  if (p.due_within && !acknowledged && nudges < kMaxNudges) {
    Timer n = base;
    n.id = 0;
    n.step = t.step + 1;
    n.due = Add(t.org, now, *p.due_within);
    n.detail["asked"] = true;
    n.detail["nudges"] = nudges;
    n.detail["escalated"] = escalated;
    out.next.push_back(n);
  }
  // The next period's duty, once, when this one is first asked.
  if (!asked && t.kind != "inactivity" && t.kind != "follow_up") {
    if (auto n = NextDuty(t.kind, DutyScope(t.subject), t.org, now)) out.next.push_back(*n);
  }
  return out;
}

std::vector<Nudge> Reminders::Gather(std::vector<Nudge> nudges,
                                     const LanguageChoices* languages) const {
  std::map<std::string, std::vector<size_t>> mine;  // person -> gatherable, in order
  for (size_t i = 0; i < nudges.size(); ++i) {
    if (nudges[i].gather && nudges[i].task_ids.empty()) mine[nudges[i].person].push_back(i);
  }
  std::vector<bool> merged(nudges.size(), false);
  std::map<size_t, Nudge> digests;  // at the place of the person's first
  for (const auto& [person, items] : mine) {
    if (items.size() < 2) continue;
    const Lang lang = LanguageOf(directory_.Find(person), languages);
    // Grouped by account, in the order the accounts first appear.
    std::vector<std::string> groups;
    for (size_t i : items) {
      if (std::find(groups.begin(), groups.end(), nudges[i].group) == groups.end())
        groups.push_back(nudges[i].group);
    }
    Nudge d;
    d.person = person;
    d.reply.text = T(lang, "digest.heading", {{"count", std::to_string(items.size())}});
    int number = 0;
    for (const std::string& group : groups) {
      d.reply.text += "\n\n" + T(lang, "digest.account", {{"account", Literal(group)}});
      for (size_t i : items) {
        if (nudges[i].group != group) continue;
        const std::string n = std::to_string(++number);
        d.reply.text += "\n\n" + T(lang, "digest.item", {{"n", n}, {"text", nudges[i].reply.text}});
        for (Button b : nudges[i].reply.buttons) {
          // One snooze per item keeps the buttons few; the others can be typed.
          if (b.id == "remind_snooze" && b.value.find("|week") == std::string::npos) continue;
          b.label = T(lang, "digest.button", {{"n", n}, {"label", b.label}});
          d.reply.buttons.push_back(std::move(b));
        }
        merged[i] = true;
      }
    }
    digests.emplace(items.front(), std::move(d));
  }
  std::vector<Nudge> out;
  for (size_t i = 0; i < nudges.size(); ++i) {
    if (auto it = digests.find(i); it != digests.end()) out.push_back(std::move(it->second));
    if (!merged[i]) out.push_back(std::move(nudges[i]));
  }
  return out;
}

std::optional<Timer> Reminders::Acknowledge(Timer open) const {
  open.detail["acknowledged"] = true;
  if (open.detail.value("escalated", false)) return std::nullopt;
  auto p = PolicyFor(TemplateOf(open.org), open.kind);
  if (!p || p->escalate_to.empty()) return std::nullopt;
  if (IsDuty(open.kind))
    return open.detail.value("asked", false) ? std::optional(open) : std::nullopt;
  if (!p->escalate_after) return std::nullopt;
  open.due = std::max(open.due, Add(open.org, open.since, *p->escalate_after));
  return open;
}

std::optional<Timer> Reminders::Snooze(Timer open, const std::string& choice, TimePoint now) const {
  const SwedishCalendar& calendar = CalendarOf(open.org);
  local_days day = floor<days>(local_time_.ToLocal(now));
  int count = 0;
  if (choice == "1") {
    count = 1;
  } else if (choice == "3") {
    count = 3;
  } else if (choice == "week") {
    // To next week's Monday, then the first working day from there.
    std::chrono::weekday wd{day};
    day += days(8 - static_cast<int>(wd.iso_encoding()));
    while (!calendar.IsWorkingDay(year_month_day{day})) day += days(1);
  } else if (choice.rfind("date:", 0) == 0) {
    std::optional<local_days> chosen = ParseIsoDate(choice.substr(5));
    if (!chosen || *chosen <= day || *chosen > day + days(kMaxSnoozeDays)) return std::nullopt;
    day = *chosen;
    while (!calendar.IsWorkingDay(year_month_day{day})) day += days(1);
  } else {
    return std::nullopt;
  }
  for (int n = 0; n < count;) {
    day += days(1);
    if (calendar.IsWorkingDay(year_month_day{day})) ++n;
  }
  open.due = NextOpen(open.org, local_time_.FromLocal(LocalMinutes(day)));
  open.detail["snoozed_until"] = local_time_.Date(open.due);
  return open;
}

std::optional<std::string> Reminders::TypedSnooze(const std::string& text, TimePoint now) const {
  const std::string w = NormalizeWord(text);
  auto starts = [&](const std::string& s, const std::string& prefix) {
    return s == prefix || s.rfind(prefix + " ", 0) == 0;
  };
  size_t longest = 0;  // "påminn mig" before "påminn"
  for (const std::string& c : catalog_.CommandWords("snooze")) {
    if (starts(w, c)) longest = std::max(longest, c.size());
  }
  if (longest == 0) return std::nullopt;
  std::string rest = w.size() > longest ? w.substr(longest + 1) : "";
  // "på fredag", "until Friday"
  for (bool again = true; again;) {
    again = false;
    for (const std::string& f : catalog_.CommandWords("snooze_filler")) {
      if (rest.rfind(f + " ", 0) == 0) {
        rest = rest.substr(f.size() + 1);
        again = true;
      }
    }
  }
  auto is = [&](const char* command) {
    const auto& words = catalog_.CommandWords(command);
    return std::find(words.begin(), words.end(), rest) != words.end();
  };
  if (is("snooze_tomorrow")) return "1";
  if (is("snooze_next_week")) return "week";

  const local_days today = floor<days>(local_time_.ToLocal(now));
  const year_month_day ymd_today{today};
  auto iso = [](local_days d) {
    year_month_day ymd{d};
    auto two = [](unsigned v) { return (v < 10 ? "0" : "") + std::to_string(v); };
    return "date:" + std::to_string(static_cast<int>(ymd.year())) + "-" +
           two(static_cast<unsigned>(ymd.month())) + "-" + two(static_cast<unsigned>(ymd.day()));
  };
  // The position (1-based) of `word` in a catalogue list ("måndag|tisdag|…")
  // of either language; a month may be shortened to three letters.
  auto index_in = [&](const std::string& key, const std::string& word, bool prefix) -> unsigned {
    for (Lang lang : {Lang::kSv, Lang::kEn}) {
      std::string list = NormalizeWord(T(lang, key));
      unsigned i = 1;
      for (size_t start = 0; start <= list.size(); ++i) {
        size_t bar = list.find('|', start);
        std::string item = list.substr(start, bar == std::string::npos ? bar : bar - start);
        if (word == item || (prefix && word.size() >= 3 && item.rfind(word, 0) == 0)) return i;
        if (bar == std::string::npos) break;
        start = bar + 1;
      }
    }
    return 0;
  };
  // A weekday: the next one after today.
  if (unsigned wd = index_in("time.weekdays", rest, false); wd > 0) {
    local_days d = today + days(1);
    while (std::chrono::weekday{d}.iso_encoding() != wd) d += days(1);
    return iso(d);
  }
  if (ParseIsoDate(rest)) return iso(*ParseIsoDate(rest));
  // "3/12", "3/12 2027", "3/12-2027", "3 december", "3 dec 2027"; without a
  // year, the next such day.
  static const std::regex kNumeric(R"((\d{1,2})/(\d{1,2})(?:[ /-](\d{4}))?)");
  static const std::regex kNamed(R"((\d{1,2})\.? ([^ 0-9]+)(?: (\d{4}))?)");
  std::smatch m;
  unsigned day = 0, month = 0;
  int year = 0;
  if (std::regex_match(rest, m, kNumeric)) {
    day = static_cast<unsigned>(std::stoi(m[1]));
    month = static_cast<unsigned>(std::stoi(m[2]));
    year = m[3].matched ? std::stoi(m[3]) : 0;
  } else if (std::regex_match(rest, m, kNamed)) {
    day = static_cast<unsigned>(std::stoi(m[1]));
    month = index_in("time.months", m[2], true);
    year = m[3].matched ? std::stoi(m[3]) : 0;
  }
  if (day == 0 || month == 0) return "";
  int y = year != 0 ? year : static_cast<int>(ymd_today.year());
  year_month_day ymd{std::chrono::year(y), std::chrono::month(month), std::chrono::day(day)};
  if (!ymd.ok()) return "";
  if (year == 0 && local_days{ymd} <= today) ymd = ymd + std::chrono::years(1);
  if (!ymd.ok()) return "";
  return iso(local_days{ymd});
}

std::string Reminders::LastSnoozeDay(TimePoint now, Lang lang) const {
  year_month_day last{floor<days>(local_time_.ToLocal(now)) + days(kMaxSnoozeDays)};
  return std::to_string(unsigned(last.day())) + " " +
         Item(lang, "time.months", unsigned(last.month()));
}

std::string Reminders::Item(Lang lang, const std::string& key, unsigned index) const {
  std::string list = T(lang, key);
  for (unsigned i = 1; i < index; ++i)
    list = list.substr(std::min(list.size(), list.find('|') + 1));
  return list.substr(0, list.find('|'));
}

bool Reminders::Overdue(const Timer& t, TimePoint now) {
  if (t.detail.value("asked", true) == false) return false;  // a duty not yet asked
  return t.step > 1 || t.due <= now;
}

std::string Reminders::Line(const Timer& t, Lang lang, TimePoint now) const {
  // Each line is a sentence of its own: "• The approval of …".
  return UpperFirst(T(lang, Overdue(t, now) ? "waiting.line_overdue" : "waiting.line",
                      {{"what", What(t, lang)},
                       {"since", HumanTime(t.since, lang)},
                       {"name", Name(t.person)},
                       {"due", HumanTime(t.due, lang)}}));
}

std::string Reminders::WaitingText(const std::vector<Timer>& open, Lang lang, TimePoint now) const {
  std::string text;
  for (const Timer& t : open) {
    if (t.detail.value("asked", true) == false) continue;  // a future duty
    text += "\n" + Line(t, lang, now);
  }
  return text.empty() ? T(lang, "waiting.none") : T(lang, "waiting.header") + text;
}

std::string Reminders::OverdueText(const std::vector<Timer>& open, Lang lang, TimePoint now) const {
  std::string text;
  for (const Timer& t : open) {
    if (!Overdue(t, now)) continue;
    // A wait on nobody in particular (a duty, a public comment) is on the
    // account's administrators: the caller names them in "waiting_on".
    std::string name = !t.person.empty() ? Name(t.person)
                                         : t.detail.value("waiting_on", T(lang, "overdue.admins"));
    text +=
        "\n" + UpperFirst(T(
                   lang, "overdue.line",
                   {{"what", What(t, lang)}, {"since", HumanTime(t.since, lang)}, {"name", name}}));
  }
  return text.empty() ? T(lang, "overdue.none") : T(lang, "overdue.header") + text;
}

}  // namespace kontobot
