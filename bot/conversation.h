// The conversation engine: one message in, a decision out.
//
// The engine is a pure function of (person, session, the person's open
// drafts, the input, now). It never reads or writes anything: the caller
// (app/conversation_service.h) loads that state inside one transaction,
// applies the Outcome (drafts, session, replies, audit entries) and commits.
// That keeps every rule testable in microseconds and every reply durable
// before it is acknowledged.
//
// A draft walks its template's steps in order. The step to ask is always the
// first applicable one that is neither answered nor acknowledged (a skipped
// optional question is answered with null), except while the person goes
// back or edits from the summary. When nothing is pending the person sees
// the summary, can edit any answer by number, and submits only by an
// explicit "submit".
//
// Thread-safety: Handle is const and keeps no state; safe to call
// concurrently. The engine borrows the templates, catalogue and directory,
// which must outlive it.
#ifndef KONTOBOT_BOT_CONVERSATION_H_
#define KONTOBOT_BOT_CONVERSATION_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/directory.h"
#include "bot/intent.h"
#include "bot/template.h"
#include "bot/text.h"

namespace kontobot {

using TimePoint = std::chrono::system_clock::time_point;

// A source of the current time. The server uses the system clock; tests
// and the --test-clock mode substitute their own.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// Formats an instant as local time for people ("2026-11-23 10:14" in
// Europe/Stockholm). A port: the tz database lives outside bot/.
class LocalTime {
 public:
  virtual ~LocalTime() = default;
  virtual std::string Format(TimePoint t) const = 0;
  // The local calendar date, "YYYY-MM-DD".
  virtual std::string Date(TimePoint t) const = 0;
  // The instant as local civil time, to the minute (for the working-time
  // calendar), and back. A local time that does not exist (the hour
  // skipped when clocks go forward) maps to the first instant after it;
  // one that occurs twice (clocks go back) to the earlier.
  virtual std::chrono::local_time<std::chrono::minutes> ToLocal(TimePoint t) const = 0;
  virtual TimePoint FromLocal(std::chrono::local_time<std::chrono::minutes> local) const = 0;
};

struct Button {
  std::string id;     // action: "new", "ack", "answer", "skip", "submit", ...
  std::string value;  // e.g. "medium:facebook" or a draft id
  std::string label;
  std::string style;  // "primary", "danger" or "default"

  friend bool operator==(const Button&, const Button&) = default;
};

struct Reply {
  std::string text;
  std::vector<Button> buttons;
  // What the reply asks for, so a client can fit its input to it (a URL
  // keyboard, a number field): {"step": id, "kind": "question"|"advice",
  // "type": "url", "required": true}. Empty when nothing is asked.
  nlohmann::json input = nlohmann::json::object();
};

enum class DraftStatus { kOpen, kSubmitted, kCancelled };
std::string_view DraftStatusName(DraftStatus status);
std::optional<DraftStatus> ParseDraftStatus(std::string_view name);

struct Draft {
  int64_t id = 0;
  std::string person_id;
  std::string template_id;
  int template_version = 0;
  DraftStatus status = DraftStatus::kOpen;
  nlohmann::json answers = nlohmann::json::object();  // step id -> answer/null
  std::vector<std::string> acknowledged;              // advice step ids
  std::string cursor;                                 // step being asked; empty = summary
  std::vector<std::string> history;                   // steps asked before, for "back"
  bool return_to_summary = false;                     // editing from the summary
  // Answers proposed from what the person said before the question was
  // asked (the medium in "jag vill starta ett Facebook-konto"): step id ->
  // answer. Shown with the question; recorded only when confirmed.
  nlohmann::json proposals = nlohmann::json::object();
  // A follow-up question asked about the answer to the step being asked
  // (contact details for a named person): {"step", "partial", "missing"},
  // see answers.h. The next message answers it. Empty when none.
  nlohmann::json followup = nlohmann::json::object();
  // The step the person's latest message answered, while it is their
  // latest: an edit of that message corrects this answer. Empty otherwise.
  std::string last_answer;
  TimePoint created{};
  TimePoint updated{};

  // The mutable part as JSON (answers, acknowledged, cursor, history...).
  nlohmann::json StateJson() const;
  // REQUIRES: `state` came from StateJson(). Unknown fields are ignored.
  void LoadState(const nlohmann::json& state);
};

struct Session {
  Lang lang = Lang::kSv;
  int64_t active_draft = 0;  // 0: none
  std::string pending;       // "confirm_cancel" while asking to confirm
};

// Whether a typed message is an edit of one the person sent before (Slack's
// message_changed, Matrix's m.replace), and of which.
enum class Edit {
  kNone,
  kLatest,  // of their latest message: `text` replaces it
  kOlder,   // of an older one: too late to take as an answer
};

// A typed message, or a button press (action non-empty).
struct Input {
  std::string text;
  std::string action;
  std::string value;
  Edit edit = Edit::kNone;
};

struct AuditEntry {
  std::string action;   // "draft.created", "answer.recorded", ...
  std::string subject;  // e.g. "draft:12"
  nlohmann::json detail = nlohmann::json::object();
};

struct Outcome {
  Session session;
  std::vector<Draft> drafts;  // created or changed; write all of them
  std::vector<Reply> replies;
  std::vector<AuditEntry> audit;
  // The input looked like a password: store "[redacted]" instead of it.
  bool redact_input = false;
  std::vector<int64_t> submitted;  // drafts submitted by this input
  // The person chose a language: keep it with them, for everything sent to
  // them from now on.
  std::optional<Lang> language_chosen;
};

// Summary lines "Label: answer" of a template's applicable questions.
std::vector<std::pair<std::string, std::string>> SummaryLines(const Template& tmpl,
                                                              const nlohmann::json& answers,
                                                              const Catalog& catalog, Lang lang);
// Appends `lines` to `text` numbered from 1, one per line: "\n1. Label: answer".
void AppendNumbered(std::string& text,
                    const std::vector<std::pair<std::string, std::string>>& lines);

class ConversationEngine {
 public:
  // All three must outlive the engine.
  ConversationEngine(const TemplateSet& templates, const Catalog& catalog,
                     const Directory& directory);

  // Decides the reply to `input` from `person`.
  // `drafts` are the person's open drafts (any order); `next_draft_id` is the
  // id a new draft would get.
  Outcome Handle(const Person& person, const Session& session, std::vector<Draft> drafts,
                 const Input& input, int64_t next_draft_id, TimePoint now) const;

  // The welcome menu shown to a person who has not written yet.
  Reply Welcome(const Person& person, Lang lang, size_t open_drafts) const;

  // What a pasted password gets: the refusal, and the organisation's own
  // rule for login details when its template has one.
  std::string PasswordRefused(const Person& person, Lang lang) const;

  // Summary lines "Label: answer" of a draft's applicable questions.
  std::vector<std::pair<std::string, std::string>> SummaryLines(const Draft& draft,
                                                                Lang lang) const;

 private:
  class Turn;
  const TemplateSet& templates_;
  const Catalog& catalog_;
  const Directory& directory_;
  IntentRecogniser recogniser_;
};

}  // namespace kontobot

#endif  // KONTOBOT_BOT_CONVERSATION_H_
