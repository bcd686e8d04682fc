// Typed answers: parsing and validating what a person typed for a question,
// and formatting a stored answer for summaries.
//
// An invalid answer is an expected outcome, not an error: Parse returns a
// ParsedAnswer whose `error_key` names a catalogue message ("invalid.url")
// and whose `vars` fill it in. Stored answer shapes (JSON):
//   text, url, email  -> string
//   number            -> number
//   choice            -> {"value": "facebook"} or {"value": "other", "text": "..."}
//   yes_no            -> bool
//   person            -> {"name": ..., "title"?: ..., "email"?: ..., "phone"?: ...}
//                        ("Emma Falk, SO-lärare, emma@x.se": the title apart)
//   people            -> [person, ...]
//                        (a mention, bot/mentions.h, is that directory
//                        person with their e-mail and phone)
//   schedule          -> {"text": original, "always"?: true,
//                         "slots": [{"days": [1..7], "from"?: "08:00", "to"?: "17:00"}]}
//
// Thread-safety: free functions without shared state.
#ifndef KONTOBOT_BOT_ANSWERS_H_
#define KONTOBOT_BOT_ANSWERS_H_

#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bot/directory.h"
#include "bot/template.h"
#include "bot/text.h"

namespace kontobot {

struct ParsedAnswer {
  bool ok = false;
  nlohmann::json value;
  std::string error_key;  // catalogue key when !ok
  Vars vars;
  // A person or people answer whose person `missing` (0 for a person
  // question) lacks the contact details the question requires
  // ("invalid.person_contact"): the answer as read so far. The engine asks
  // for the details and completes it with CompleteContact.
  nlohmann::json partial;
  int missing = -1;
};

// What the validators may know beyond the template.
struct AnswerContext {
  // E-mail addresses of people in the directory (lower case): a login
  // address that is one of these is personal.
  const std::set<std::string>* personal_emails = nullptr;
  // Resolves the people mentioned the platform's way (bot/mentions.h) in
  // person and people answers; without it a mention reads as its name.
  const Directory* directory = nullptr;
};

// Parses `input` as an answer to question `step` of `tmpl`.
// REQUIRES: step.IsQuestion().
ParsedAnswer ParseAnswer(const Step& step, std::string_view input, const Template& tmpl, Lang lang,
                         const AnswerContext& context = {});

// Completes `partial`, the answer to `step` read so far (see
// ParsedAnswer::partial), with `input`, the answer to the follow-up
// question asking for person `missing`'s contact details: an e-mail address
// or phone number, with or without the name (a name given replaces the one
// asked about: the answer belongs to the question asked). Returns the
// whole answer as ParseAnswer would: ok, or another person still lacking
// details (partial and missing set), or invalid (partial and missing kept
// while the follow-up still stands). nullopt when `input` is several people
// (one per line or with ';'): a new answer to the question, not to the
// follow-up.
std::optional<ParsedAnswer> CompleteContact(const Step& step, const nlohmann::json& partial,
                                            int missing, std::string_view input);

// The answer as one line of text in `lang` (people and schedules joined).
std::string FormatAnswer(const Step& step, const nlohmann::json& value, Lang lang);

// True when `input` looks like a password or a "password: x" line. Such
// input is never stored, echoed or logged (the seeds make the information
// function the keeper of logins, and a chat transcript is a public record).
bool LooksLikePassword(std::string_view input);
// Stands in for a password-like input where even a queue must not keep it
// (a platform event stored before it is processed): LooksLikePassword is
// true of it, so it is refused like the original, and it holds no secret.
inline constexpr std::string_view kPasswordStandIn = "password: (not kept)";

// Glob match with '*' only, on already-normalized strings.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace kontobot

#endif  // KONTOBOT_BOT_ANSWERS_H_
