// The reminder engine: what to do when a deadline falls due.
//
// Every wait (an approval or an administrator's acceptance not yet given, a
// draft left unfinished, an account's periodic duty) is a chain of Timer
// rows, one per step: the open row is the next thing to happen. When a row
// falls due, Fire decides - from the row, the facts about the wait read at
// that moment, the organisation's policy (the template's `reminders:` block,
// see config/templates/SCHEMA.md) and `now` - whom to nudge, whom to
// escalate to, and the next row, all in working time on the Swedish
// calendar of the wait's organisation (its office hours and own closed days,
// the template's `calendar:` block). It sends nothing and reads nothing: handlers/ marks the row
// fired and writes the messages and the next row in one transaction, which
// is what makes each step happen exactly once.
//
// Rules (documented for users in README "Reminders"):
//  - Nudges are sent only in office hours: a row that falls due outside
//    them is deferred to the next opening.
//  - A wait is nudged first after `nudge_after`, then again every
//    `nudge_after` (at most kMaxNudges times); at `escalate_after` after the
//    wait began it is escalated once to `escalate_to` (the assignee's
//    superior, the requester, the information function or any role).
//  - "Noterat" (acknowledge) stops further nudges to the person for this
//    wait, but not the escalation: the person has seen it, but the
//    organisation still needs the decision.
//  - Snooze moves the next step, escalation included, to the opening of the
//    chosen working day: the person has taken responsibility for a date.
//  - Periodic duties (snapshot, yearly review, archiving, inactivity) exist
//    only where the organisation's template has a block for them, in its
//    own words: nothing is imposed that a seed does not ask for. A duty
//    first asks the account's administrators (or, with `to: ROLE`, the
//    holders of that role; with `per: organisation`, once for the whole
//    organisation); if not confirmed within `due_within` they are nudged and
//    the `escalate_to` roles told.
//  - Start-up steps (after approval) are waits like any other: nudged and
//    escalated by the `startup` policy.
//  - A follow-up of the goals (`follow_up`) asks the administrators once,
//    `after` the account's start, how the goals they gave went; their
//    answer is typed in chat and kept with the case.
//
// Thread-safety: const methods; the per-organisation calendars are built at
// construction and never change. The borrowed templates, catalogue,
// directory, LocalTime and default calendar must outlive the engine.
#ifndef KONTOBOT_BOT_REMINDERS_H_
#define KONTOBOT_BOT_REMINDERS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/absence.h"
#include "bot/calendar.h"
#include "bot/conversation.h"
#include "bot/directory.h"
#include "bot/template.h"

namespace kontobot {

// One step of a wait (a row of the timers table).
struct Timer {
  int64_t id = 0;
  std::string kind;     // approval, admin, name_approver, draft_idle, snapshot, ...
  std::string subject;  // "task:12", "draft:7", "snapshot:3:2027-01-01"
  std::string person;   // whom the wait is on
  std::string org;      // template id whose policy applies
  int step = 1;
  TimePoint since{};  // when the wait began
  TimePoint due{};
  std::string state = "open";  // open, fired, cancelled
  // {"nudges": n, "escalated": bool, "acknowledged": bool, "asked": bool}
  nlohmann::json detail = nlohmann::json::object();
};

// A duration as templates write it: "3 working days", "4 working hours",
// "30 minutes", "2 weeks", "6 months".
struct Duration {
  enum class Unit { kWorkingMinutes, kMinutes, kDays, kMonths };
  int64_t amount = 0;
  Unit unit = Unit::kWorkingMinutes;
};
std::optional<Duration> ParseDuration(const std::string& text);

// One kind of wait's policy, from the template or the defaults.
struct WaitPolicy {
  std::optional<Duration> nudge_after;
  std::optional<Duration> escalate_after;
  std::optional<Duration> due_within;  // duties: the time to confirm
  std::optional<Duration> after;       // inactivity: the period
  std::vector<std::string> escalate_to;
  std::vector<std::string> at;        // duties: "MM-DD" dates
  LocalizedText text;                 // duties: the organisation's own words
  LocalizedText title;                // duties: what it is called ("Överföring till papper")
  std::string to = "administrators";  // duties: "administrators" or a directory role
  bool per_organisation = false;      // duties: one for the organisation, not per account
  std::vector<std::string> goals;     // follow_up: the questions whose answers it recalls
};

// True for the periodic duties of an account or organisation.
bool IsDuty(const std::string& kind);
// The subject of a duty: "snapshot:7:2027-01-01" (account 7), or
// "yearly_review:org-smc:2027-01-15" (the organisation's).
std::string DutySubject(const std::string& kind, const std::string& scope, const std::string& date);
// The scope of a duty subject: "7", "org-smc".
std::string DutyScope(const std::string& subject);

// The policy key of a timer kind ("admin" -> "admin_acceptance").
std::string PolicyKey(const std::string& kind);
// The policy of `kind` in `tmpl` (may be null); the defaults from the seeds
// when the template has no block for it. nullopt: no reminders of that kind.
std::optional<WaitPolicy> PolicyFor(const Template* tmpl, const std::string& kind);

// What the caller read about the wait at firing time.
struct WaitFacts {
  bool open = false;      // false: resolved meanwhile; nothing is sent
  std::string assignee;   // task waits: the person to act; drafts: the requester
  std::string requester;  // the case's requester
  int64_t registration = 0;
  int64_t task_id = 0;
  int64_t draft_id = 0;
  std::string task_kind;  // "approval", "admin", "name_approver"
  std::string form;       // the form's title
  std::string account;    // duties: "Facebook, www.facebook.com/x"
  // duties: the administrators as named in the register
  nlohmann::json administrators = nlohmann::json::array();
  // organisation duties: each account of the organisation in the register,
  // {"Facebook, www.facebook.com/x", "Rune Ask, rune.ask@smc.se; ..."}
  std::vector<std::pair<std::string, std::string>> inventory;
  // The account's absences (bot/absence.h): while one is in force, at the
  // firing's local date, its cover is asked instead of the absent person.
  std::vector<Absence> absences;
  // follow_up: the registration's answers (question id -> answer)
  nlohmann::json answers = nlohmann::json::object();
  // The languages people chose (borrowed; may be null): each recipient is
  // written to in their own.
  const LanguageChoices* languages = nullptr;
};

// A message to send.
struct Nudge {
  std::string person;
  Reply reply;
  std::vector<int64_t> task_ids;  // so a decision rewrites it
  int64_t draft_id = 0;
  // A duty's or a public comment's message, about the account `group`
  // ("Facebook, www.facebook.com/x"): gathered with the person's others of
  // the same moment into one digest (Reminders::Gather). Waits on a task
  // (an approval, a start-up step) come on their own: their message is
  // rewritten when the task is decided.
  bool gather = false;
  std::string group;
};

struct Firing {
  enum class Result { kResolved, kDeferred, kFired };
  Result result = Result::kFired;
  TimePoint deferred_to{};  // kDeferred: the row's new due time
  std::vector<Nudge> messages;
  std::vector<Timer> next;  // rows to insert
  std::vector<AuditEntry> audit;
};

class Reminders {
 public:
  static constexpr int kMaxNudges = 5;

  // `calendar` serves organisations without a template; each template's
  // organisation gets a calendar built from its `calendar` settings.
  Reminders(const TemplateSet& templates, const Catalog& catalog, const Directory& directory,
            const LocalTime& local_time, const SwedishCalendar& calendar);

  // The first row of a new wait, or nullopt when the policy sets none.
  std::optional<Timer> Start(const std::string& kind, const std::string& subject,
                             const std::string& person, const std::string& org,
                             TimePoint since) const;
  // The periodic duties of an account entered in the register at `now`.
  std::vector<Timer> AccountDuties(int64_t account, const std::string& org, TimePoint now) const;
  // The organisation's own periodic duties (`per: organisation`) as of
  // `now`: the caller inserts each whose subject has no open row yet.
  std::vector<Timer> OrganisationDuties(const std::string& org, TimePoint now) const;
  // The row `t` fell due at `now`.
  Firing Fire(const Timer& t, const WaitFacts& facts, TimePoint now) const;
  // What the rows fired together (at one office opening) say: a person's
  // gatherable messages, when there are two or more, become one digest,
  // grouped by account, each item numbered and its buttons labelled with
  // its number ("2 · Klart"); snoozes are kept to "Nästa vecka" per item.
  // Everything else is returned as it was, in order.
  std::vector<Nudge> Gather(std::vector<Nudge> nudges, const LanguageChoices* languages) const;

  // "Noterat": `open` is the wait's open row; returns it changed, or
  // nullopt when nothing is left to happen (the row is then cancelled).
  std::optional<Timer> Acknowledge(Timer open) const;
  // Snooze until the opening of a working day: `choice` "1" (next working
  // day), "3" (in three working days), "week" (the first working day of
  // next week) or a chosen day (below). nullopt for an unknown choice or a
  // day out of range.
  // A chosen day, "date:2026-12-03", from tomorrow to kMaxSnoozeDays ahead;
  // a day the organisation is closed moves to its next working day.
  std::optional<Timer> Snooze(Timer open, const std::string& choice, TimePoint now) const;
  static constexpr int kMaxSnoozeDays = 31;
  // A typed snooze: "påminn mig fredag", "påminn mig 3/12", "snooze 3
  // december", "remind me next week" (command words and day names from the
  // catalogue, Swedish and English alike). The choice for Snooze; "" when
  // the words after the command name no day; nullopt when `text` is not a
  // snooze command.
  std::optional<std::string> TypedSnooze(const std::string& text, TimePoint now) const;
  // The last day Snooze accepts at `now`, as "3 december" in `lang`.
  std::string LastSnoozeDay(TimePoint now, Lang lang) const;

  // `base` plus `d`, working durations on organisation `org`'s calendar in
  // local time.
  TimePoint Add(const std::string& org, TimePoint base, const Duration& d) const;
  // The first instant at or after `t` when organisation `org` is open.
  TimePoint NextOpen(const std::string& org, TimePoint t) const;

  // Lines for "status": the person's open waits (`open` are their open
  // rows), overdue ones marked.
  std::string WaitingText(const std::vector<Timer>& open, Lang lang, TimePoint now) const;
  // The organisation's overdue waits, for the information function.
  std::string OverdueText(const std::vector<Timer>& open, Lang lang, TimePoint now) const;
  // What the wait is about: "godkännandet av anmälan nr 12" (keys wait.*).
  std::string What(const Timer& t, Lang lang) const;
  // "måndag 23 november 2026 kl. 10.14" (catalogue keys time.*).
  std::string HumanTime(TimePoint t, Lang lang) const;
  // "1 december 2026" (catalogue keys time.*).
  std::string HumanDate(TimePoint t, Lang lang) const;
  // `t`'s local date on the Europe/Stockholm clock, "2027-01-04" (what an
  // absence's period is compared with).
  std::string LocalDate(TimePoint t) const;
  std::chrono::year_month_day LocalDay(TimePoint t) const;
  // The local midnight starting day `iso` ("2027-01-31") plus `plus_days`.
  TimePoint StartOfDay(const std::string& iso, int plus_days = 0) const;
  // True when a row shows its wait to be overdue at `now`.
  static bool Overdue(const Timer& t, TimePoint now);

 private:
  // The template whose policy applies to organisation `org` (may be null).
  const Template* TemplateOf(const std::string& org) const;
  // The working-time calendar of organisation `org`: its template's, else
  // the default one.
  const SwedishCalendar& CalendarOf(const std::string& org) const;
  std::string T(Lang lang, const std::string& key, const Vars& vars = {}) const;
  // Item `index` (1-based) of a catalogue list such as time.months.
  std::string Item(Lang lang, const std::string& key, unsigned index) const;
  Lang LangOf(const std::string& person, const WaitFacts& f) const;
  std::string Name(const std::string& person) const;
  std::string Line(const Timer& t, Lang lang, TimePoint now) const;
  std::vector<Button> Buttons(const Timer& t, const WaitFacts& f, Lang lang) const;
  std::vector<std::string> EscalationTargets(const Timer& t, const WaitPolicy& p,
                                             const WaitFacts& f) const;
  // The account's administrators reachable in chat, an absent one replaced
  // by their cover on `now`'s local date; the information function when
  // there are none.
  std::vector<std::string> Administrators(const Timer& t, const WaitFacts& f, TimePoint now) const;
  Firing FireDuty(const Timer& t, const WaitPolicy& p, const WaitFacts& f, TimePoint now) const;
  // "Målen ni angav: ..." for a follow-up, from the answers its policy names.
  std::string GoalsGiven(const Timer& t, const WaitPolicy& p, const WaitFacts& f, Lang lang) const;
  // Who is asked to do a duty: the administrators, or the holders of `to`.
  std::vector<std::string> DutyRecipients(const Timer& t, const WaitPolicy& p, const WaitFacts& f,
                                          TimePoint now) const;
  // A periodic duty's row for `scope` on the next of its dates after `now`.
  std::optional<Timer> NextDuty(const std::string& kind, const std::string& scope,
                                const std::string& org, TimePoint now) const;
  Firing FireReply(const Timer& t, const WaitPolicy& p, const WaitFacts& f, TimePoint now) const;
  // The next date of a yearly "MM-DD" list strictly after `now`'s local
  // date, as the local midnight instant.
  std::optional<TimePoint> NextAt(const std::vector<std::string>& at, TimePoint now) const;

  const TemplateSet& templates_;
  const Catalog& catalog_;
  const Directory& directory_;
  const LocalTime& local_time_;
  const SwedishCalendar& calendar_;
  std::map<std::string, SwedishCalendar> calendars_;  // template id -> its calendar
};

}  // namespace kontobot

#endif  // KONTOBOT_BOT_REMINDERS_H_
