// An organisation's checklist template: the questions and advisory items of
// its form, in order, plus its approval chain, start-up steps and reminder
// policy. Templates are data (config/templates/*.yaml, see SCHEMA.md there);
// config/template_loader.h builds them, and nothing in bot/ reads files.
//
// Thread-safety: immutable once built; share freely across threads.
#ifndef KONTOBOT_BOT_TEMPLATE_H_
#define KONTOBOT_BOT_TEMPLATE_H_

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/text.h"

namespace kontobot {

enum class StepKind { kQuestion, kAdvice };

enum class QuestionType {
  kText,
  kUrl,
  kEmail,
  kNumber,
  kChoice,
  kYesNo,
  kPerson,
  kPeople,
  kSchedule,
};

// "text", "url", ... as written in templates.
std::optional<QuestionType> ParseQuestionType(std::string_view name);
std::string_view QuestionTypeName(QuestionType type);

struct ChoiceOption {
  std::string value;  // stable machine value
  LocalizedText label;
  std::vector<std::string> synonyms;  // normalized (NormalizeWord)
};

// A condition on earlier answers. Answers are JSON values as produced by
// answers.h: choice -> {"value": ...}, yes_no -> bool, others as documented.
struct Condition {
  enum class Op { kEquals, kNotEquals, kIn, kAnswered, kAll, kAny };
  Op op = Op::kEquals;
  std::string question;
  std::vector<nlohmann::json> values;  // kEquals/kNotEquals: one; kIn: many
  bool answered = true;                // kAnswered
  std::vector<Condition> children;     // kAll/kAny

  // True when the condition holds on `answers` (question id -> answer).
  bool Holds(const nlohmann::json& answers) const;
};

struct Step {
  std::string id;
  StepKind kind = StepKind::kQuestion;
  QuestionType type = QuestionType::kText;
  LocalizedText title;  // advice: heading; question: short label in summaries
  LocalizedText text;
  LocalizedText help;
  // An example answer in the organisation's own terms ("www.facebook.com/
  // gislavedskommun"), shown in the format hint; the catalogue's neutral
  // example when empty.
  LocalizedText example;
  std::vector<LocalizedText> items;  // advice bullet points
  bool required = true;
  std::optional<Condition> when;

  // choice
  std::vector<ChoiceOption> options;
  bool allow_other = false;
  // number
  std::optional<double> min;
  std::optional<double> max;
  bool integer = false;
  LocalizedText unit;
  // text
  size_t min_length = 1;
  size_t max_length = 2000;
  // people
  size_t min_count = 1;
  size_t max_count = 20;
  // person, people
  bool contact_required = true;
  // email
  std::string rule;  // "login_email" or empty

  bool IsQuestion() const { return kind == StepKind::kQuestion; }
  // The short label: title if given, else the question text.
  const std::string& Label(Lang lang) const;
};

// Which login addresses are personal, and so refused. Personal means the
// address of a person: a directory person's address, or one that has the
// organisation's personal-address pattern ("*.*@gislaved.se": first
// name.last name) and is not one of the functional names. Any other
// address, such as fritidsgardarna@gislaved.se, is functional and allowed.
struct LoginEmailRule {
  std::vector<std::string> personal_addresses;   // globs on the whole address, lower case
  std::vector<std::string> allowed_local_parts;  // functional local parts (globs), lower case
  LocalizedText message;
};

struct ApproverSpec {
  std::string role;  // directory role, e.g. "forvaltningschef"
  std::string of;    // "", or "superior"
  bool named_by_requester = false;
};

struct ApprovalStep {
  std::string id;
  LocalizedText title;
  LocalizedText statement;
  ApproverSpec approver;
  std::optional<Condition> when;
  std::vector<ApprovalStep> parallel;  // non-empty: a group decided together
};

struct AdminAcceptance {
  std::string question;  // the people question naming the administrators
  size_t min_accepting = 0;
  LocalizedText statement;
};

// A copy of the approved registration, to a role resolved like an
// approver's: `of: superior` is the requester's own superior ("en kopia
// lämnas till din chef"), otherwise the first up the requester's chain of
// superiors with the role, else the one person with it.
struct Notification {
  std::string role;
  LocalizedText text;
  std::string of;  // "", or "superior"
};

struct StartupStep {
  std::string id;
  LocalizedText text;
  std::string confirmed_by;  // "requester" or a directory role
  // Confirming this step means the account now exists: it is listed in the
  // public register then (a template without such a step lists the account
  // when it is approved).
  bool creates_account = false;
  // "page_id": the step asks for the account's page or profile id (digits;
  // Facebook Page id, Instagram professional account id) and, given it,
  // links the page to the account as "sida" does (issue 18). "" for a
  // step confirmed with a button only.
  std::string asks;
  // Asked only when this holds on the registration's answers.
  std::optional<Condition> when;
};

// One step of closing an account (the template's `closing:` block): a task
// for `confirmed_by` ("requester": whoever asked for the closing;
// "superior": their manager; else a directory role resolved from them),
// and the people told when the closing starts (same vocabulary).
struct ClosingStep {
  std::string id;
  LocalizedText text;
  std::string confirmed_by;
  std::vector<std::string> tell;
};

// How the organisation closes an account. `modes`: "closed" (taken down)
// and, where the seed allows it, "closed_for_posts" (kept as an
// information page, no incoming posts); the first is the default.
struct ClosingPolicy {
  std::vector<std::string> modes{"closed"};
  std::vector<ClosingStep> steps;
};

// How a running account is changed (the template's `change:` block): its
// administrators (add, remove, replace), the person holding its login, its
// login address and the facts in the register (address, purpose, unit), in
// chat (bot/change.h). The loader fills the defaults.
struct ChangePolicy {
  // The people question whose answer the register holds as the account's
  // administrators (default: approval.administrators' question, else the
  // first people question).
  std::string administrators;
  // The e-mail question asking for the login address, whose rule (`rule:
  // login_email`) a new address must pass as at registration; "" when the
  // form asks none (the address is then checked as an e-mail address only).
  std::string login_email;
  // Removing administrators below this is refused (default: the
  // administrators question's `min`).
  size_t min_administrators = 1;
  // New administrators accept the assignment in chat before the change
  // takes effect (default: true where approval.administrators asks the
  // registration's administrators to accept).
  bool accept = false;
  // Who gives the go-ahead before a new administrator takes effect: ""
  // (nobody), "superior" (the requester's manager) or a directory role
  // resolved in the account's organisation. SMC: "såvida distriktsstyrelsen
  // gett klartecken till administratör". Where it is set, the approver is
  // asked instead of the newcomer accepting.
  std::string approve_added;
  // Who is told of every change made: a directory role (resolved in the
  // account's organisation), "superior" (the requester's manager) or
  // "administrators" (the account's administrators before and after).
  std::vector<std::string> tell;
  // The seed's sentence, shown in the change's summary; none if empty.
  LocalizedText rule;
};

// The organisation's working time (the template's `calendar:` block): office
// hours as minutes after local midnight, [open, close), and its own closed
// days on top of the Swedish public holidays. The reminder engine builds a
// SwedishCalendar from it.
struct CalendarSettings {
  int open_minute = 8 * 60;
  int close_minute = 17 * 60;
  std::vector<std::chrono::year_month_day> closed_days;
};

// The social inbox's rules (the template's `inbox:` block, issue 18).
//
// A flagged item (a valid identity number on arrival, a word-list hit, or
// an administrator's Flagga) starts a handling case whose tasks are the
// seed's routine, in its order: the copy saved (kontobot keeps the
// original; done at once), removed or hidden, registered (diarieföring,
// with the registrar's number), reported (Dalarna: the security officer).
struct InboxCaseTaskSpec {
  std::string id;
  // "copy", "remove", "register" or "report".
  std::string kind;
  LocalizedText text;
  // Who confirms it: "administrator" (the account's administrators) or a
  // directory role resolved in the account's organisation.
  std::string confirmed_by = "administrator";
  // report: the directory role reported to, named in the task's text.
  std::string report_to;
  // The flag reasons it applies to ("identity_number", "word_list",
  // "flag"); empty: every flag.
  std::vector<std::string> when;
};

// A list of words for offensive or unlawful content. A hit flags the item
// for a person's judgement and never removes anything by itself. Entries
// are words or phrases matched on word boundaries, case- and
// diacritic-insensitively (bot/word_lists.h); a trailing '*' matches any
// ending ("hot*": hotar, hotet).
struct WordList {
  std::string id;
  LocalizedText title;
  std::vector<std::string> words;
};

struct InboxPolicy {
  std::vector<InboxCaseTaskSpec> case_tasks;
  std::vector<WordList> word_lists;
  // Shown with every flag, word-list hit or not (SMC: criticism is not
  // removed for being criticism); none if empty.
  LocalizedText flag_rule;
};

struct Template {
  std::string id;
  int version = 1;
  LocalizedText organisation;
  LocalizedText form_title;
  LocalizedText intro;
  std::string source;
  std::vector<Step> steps;
  std::optional<LoginEmailRule> login_email;
  std::vector<ApprovalStep> approval;
  std::optional<AdminAcceptance> admin_acceptance;
  std::vector<Notification> notify;
  std::vector<StartupStep> startup_steps;
  // How an account is closed; none: kontobot closes it on confirmation.
  ClosingPolicy closing;
  // How a running account is changed.
  ChangePolicy change;
  // The organisation's own rules for lifecycle requests kontobot does not
  // handle as a workflow yet (the `lifecycle:` block): "change_admins",
  // "absence" -> the seed's sentence. Said with whom to contact.
  std::map<std::string, LocalizedText> lifecycle_rules;
  // Ready replies to public comments (the `public_replies:` block), by
  // name: "secure_channel" (Dalarna 5: a health-care question asked in
  // public is broken off and moved to a secure channel). Offered as a
  // button on the social inbox's items of the organisation's accounts.
  std::map<std::string, LocalizedText> public_replies;
  // Whom a person is sent to for what kontobot does not handle (changing
  // administrators, absence) and who is told when an account closes: a
  // directory role and how to call it ("informationsfunktionen", "SMC:s
  // kansli"). Also may start any account's closing.
  std::string contact_role = "informationsfunktion";
  LocalizedText contact_title;
  // The organisation's rule for login details, added when a password is
  // refused ("lämnas till informationsfunktionen för förvar"); none if empty.
  LocalizedText password_advice;
  // register field ("medium", "url", "unit", "purpose") -> question id.
  std::map<std::string, std::string> register_fields;
  // The reminder policy, validated by the loader and executed by the
  // reminder engine; kept as data here.
  nlohmann::json reminders = nlohmann::json::object();
  // Defaults (08:00-17:00, no extra closed days) when the block is absent.
  CalendarSettings calendar;
  // The social inbox's handling case and word lists; none when absent.
  InboxPolicy inbox;

  // nullptr when no step has that id.
  const Step* FindStep(const std::string& id) const;
  int IndexOf(const std::string& id) const;  // -1 when absent
};

using TemplateSet = std::map<std::string, std::shared_ptr<const Template>>;

}  // namespace kontobot

#endif  // KONTOBOT_BOT_TEMPLATE_H_
