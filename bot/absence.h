// Absence cover: an account's administrator away for a period, and the
// administrator who covers for them (issue 17, item 2).
//
// Dalarna: "Minst en ytterligare person ska utses som kan sköta
// kommunikationen vid kontoansvarigs frånvaro"; Trosa, "Vid frånvaro": "Vid
// längre frånvaro ... bör det stängas ner för inlägg alternativt helt även
// för läsning". An absence is reported by the administrator, the cover
// accepts it in chat, and while it is in force the account's duties and
// public-comment reminders go to the cover instead of the absent person
// (Reminders, from the absences read when a row fires: the end of the
// period needs no timer to give the person their reminders back).
//
// Plain values and pure functions; no I/O.
#ifndef KONTOBOT_BOT_ABSENCE_H_
#define KONTOBOT_BOT_ABSENCE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/conversation.h"
#include "bot/directory.h"
#include "bot/template.h"

namespace kontobot {

// The states of an absence (table absences, migration 0012).
inline constexpr const char* kAbsenceRequested = "requested";  // the cover is asked
inline constexpr const char* kAbsenceInForce = "in_force";     // accepted: covered
inline constexpr const char* kAbsenceDeclined = "declined";    // the cover said no
inline constexpr const char* kAbsenceCancelled = "cancelled";
inline constexpr const char* kAbsenceEnded = "ended";  // its period is over
// Nobody could cover: the organisation's absence rule was put to the
// administrators instead.
inline constexpr const char* kAbsenceUncovered = "uncovered";

// One absence of one administrator from one account.
struct Absence {
  int64_t id = 0;
  int64_t account = 0;  // the account's registration id
  std::string person;   // the absent administrator (person id)
  std::string cover;    // who covers (person id); "" until chosen
  std::string from;     // first day away, local date "YYYY-MM-DD"
  std::string to;       // last day away (inclusive), local date
  std::string state = kAbsenceRequested;
  std::string reported_by;  // person id
};

// "2027-01-04".
std::string IsoDate(std::chrono::year_month_day day);

// True when `a` is accepted and `local_date` ("YYYY-MM-DD") is inside its
// period.
bool InForce(const Absence& a, const std::string& local_date);

// `people` with everyone absent on `local_date` replaced by their cover
// (from the in-force absences among `absences`), in order, each person
// once: a cover who already is one of `people` is not added twice.
std::vector<std::string> WithCovers(const std::vector<std::string>& people,
                                    const std::vector<Absence>& absences,
                                    const std::string& local_date);

// --- reporting an absence: the conversation ---------------------------------
//
// "frånvaro", "jag är föräldraledig från 1 mars till 31 augusti", "semester
// 6-24 juli", "I'll be away 1–14 July" (bot/intent.h, Intent::kAbsence)
// start it: which account (when the person administers several: one,
// several or all), the period (from and to, both required; from not in the
// past, to after from, at most kMaxAbsenceDays), whom to ask to cover (the
// account's other administrators, by button or list number; or nobody),
// then a summary to confirm. The confirmed request is returned; the caller
// records it and asks the cover (app/absence_effects.cc). Anyone who
// administers no account is told so, and whom to contact.
//
// Like the other engines this is a pure function of (person, state, input,
// today): the state lives in Session::pending as kAbsencePending + JSON.

// Session.pending values owned by the absence conversation start with this.
inline constexpr const char* kAbsencePending = "absence:";
// The longest absence reported in one go (about 18 months: a parental leave).
inline constexpr int kMaxAbsenceDays = 550;

// An account the person administers.
struct AbsenceAccount {
  int64_t id = 0;           // its registration
  std::string label;        // "Facebook, https://…", as typed
  std::string template_id;  // its organisation's template
  // Its other administrators reachable in chat (person ids), in the
  // register's order: who may cover.
  std::vector<std::string> others;
};

// A period as people write it, from `text` on local date `today`: "1 mars
// till 31 augusti", "6-24 juli", "1–14 July", "1/3 - 31/8", "2027-03-01 till
// och med 2027-03-31", "från 1 mars 2027 t.o.m. 31 augusti". A day without a
// year is its next occurrence from `today` (the end's: from the start);
// a first day without a month takes the last day's ("6-24 juli"). Month
// names are the catalogue's (time.months), Swedish or English, or their
// first three letters. nullopt when `text` names fewer than two days or an
// impossible one. Not validated against `today` (ValidatePeriod).
struct Period {
  std::string from;  // "YYYY-MM-DD"
  std::string to;
};
std::optional<Period> ParsePeriod(const std::string& text, std::chrono::year_month_day today,
                                  const Catalog& catalog);
// "" when `p` may be reported on `today`, else the catalogue key that says
// why: absence.period_past, absence.period_order, absence.period_too_long.
std::string ValidatePeriod(const Period& p, std::chrono::year_month_day today);

// What the person confirmed.
struct AbsenceRequest {
  std::vector<int64_t> accounts;
  Period period;
  std::string cover;  // person id; "" when nobody can cover
};

struct AbsenceTurn {
  std::vector<Reply> replies;
  std::string pending;  // the session's pending value next ("" when done)
  std::optional<AbsenceRequest> confirmed;
  std::vector<AuditEntry> audit;
};

class AbsenceConversation {
 public:
  AbsenceConversation(const Catalog& catalog, const Directory& directory);

  // Starts asking. `accounts`: those `person` administers, in the order
  // they are listed; `tmpl`: their organisation's template (for whom to
  // contact when there are none; may be null); `text`: what they wrote,
  // which may already name the period; `today`: the local date.
  AbsenceTurn Start(const Person& person, Lang lang, const Template* tmpl,
                    const std::vector<AbsenceAccount>& accounts, const std::string& text,
                    std::chrono::year_month_day today) const;

  // The next message or button ("absence_account", "absence_cover",
  // "absence_confirm", "absence_abort") while `pending` starts with
  // kAbsencePending.
  AbsenceTurn Handle(const Person& person, Lang lang, const std::vector<AbsenceAccount>& accounts,
                     const std::string& pending, const Input& input,
                     std::chrono::year_month_day today) const;

  // True for the buttons this conversation owns.
  static bool Owns(const std::string& action);

  // "1 mars 2027" in `lang`, from "2027-03-01" (catalogue time.months).
  std::string HumanDay(const std::string& iso, Lang lang) const;

 private:
  class Run;
  const Catalog& catalog_;
  const Directory& directory_;
};

}  // namespace kontobot

#endif  // KONTOBOT_BOT_ABSENCE_H_
