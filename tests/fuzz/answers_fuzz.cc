// Fuzz target: the answer validators (ParseAnswer for every question type,
// LooksLikePassword, GlobMatch), and how typed text is shown (Literal, and
// Slack's Block Kit of a message holding it), on anything a person can
// type. Input: one
// byte choosing the question (type and settings), then the answer text
// (skipped unless UTF-8, as every channel guarantees). A person answer
// that lacks contact details is completed with the same text, as the
// follow-up question's answer.
// Checks: no crash, no UB, no leak, no exception; a refusal names an
// "invalid.*" message; an accepted answer is stored as JSON and read back
// unchanged (so what was accepted is what is kept) and can be formatted
// for a summary in both languages; typed text shown Literal has no '*' and
// no line break; a message holding it becomes Slack messages that can be
// serialised, within Block Kit's limits, with no '<' in its mrkdwn.
#include <nlohmann/json.hpp>

#include "bot/answers.h"
#include "handlers/slack/slack_client.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using kontobot::QuestionType;

struct Questions {
  kontobot::Template tmpl;
  std::vector<kontobot::Step> steps;
  std::set<std::string> personal{"anna.berg@kommun.se"};

  Questions() {
    kontobot::LoginEmailRule rule;
    rule.personal_addresses = {"*.*@kommun.se"};
    rule.allowed_local_parts = {"info", "*kommunikation*", "social*"};
    rule.message = {"Använd en funktionsadress.", "Use a functional address."};
    tmpl.login_email = rule;
    auto add = [&](QuestionType type) -> kontobot::Step& {
      kontobot::Step s;
      s.id = "q" + std::to_string(steps.size());
      s.type = type;
      steps.push_back(s);
      return steps.back();
    };
    for (QuestionType t : {QuestionType::kText, QuestionType::kUrl, QuestionType::kEmail,
                           QuestionType::kNumber, QuestionType::kChoice, QuestionType::kYesNo,
                           QuestionType::kPerson, QuestionType::kPeople, QuestionType::kSchedule}) {
      add(t);
    }
    add(QuestionType::kEmail).rule = "login_email";
    kontobot::Step& range = add(QuestionType::kNumber);
    range.min = 0;
    range.max = 100;
    range.integer = true;
    kontobot::Step& other = add(QuestionType::kChoice);
    other.allow_other = true;
    kontobot::Step& optional_contact = add(QuestionType::kPeople);
    optional_contact.contact_required = false;
    optional_contact.min_count = 2;
    optional_contact.max_count = 3;
    for (kontobot::Step& s : steps) {
      if (s.type != QuestionType::kChoice) continue;
      s.options = {{"facebook", {"Facebook", "Facebook"}, {"fb", "meta"}},
                   {"instagram", {"Instagram", "Instagram"}, {"insta"}},
                   {"x", {"X (Twitter)", "X (Twitter)"}, {"twitter"}}};
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Questions kQuestions;
  if (size == 0) return 0;
  const kontobot::Step& step = kQuestions.steps[data[0] % kQuestions.steps.size()];
  const std::string input = kontobot::fuzz::AsString(data + 1, size - 1);
  // Every channel delivers text as a JSON string, which nlohmann has
  // already checked to be UTF-8: other bytes never reach the validators.
  try {
    (void)nlohmann::json(input).dump();
  } catch (const nlohmann::json::type_error&) {
    return 0;
  }
  kontobot::AnswerContext context;
  context.personal_emails = &kQuestions.personal;
  for (kontobot::Lang lang : {kontobot::Lang::kSv, kontobot::Lang::kEn}) {
    kontobot::ParsedAnswer a = kontobot::ParseAnswer(step, input, kQuestions.tmpl, lang, context);
    if (!a.ok) {
      FUZZ_CHECK(a.error_key.rfind("invalid.", 0) == 0);
      if (a.missing < 0) continue;
      // A follow-up for contact details, answered with the same text.
      auto c = kontobot::CompleteContact(step, a.partial, a.missing, input);
      if (!c) continue;
      if (!c->ok) {
        FUZZ_CHECK(c->error_key.rfind("invalid.", 0) == 0);
        continue;
      }
      a = *c;
    }
    nlohmann::json stored = nlohmann::json::parse(a.value.dump());
    FUZZ_CHECK(stored == a.value);
    kontobot::FormatAnswer(step, stored, lang);
  }
  kontobot::LooksLikePassword(input);
  const std::string shown = kontobot::Literal(input);
  FUZZ_CHECK(shown.find_first_of("*\n\r") == std::string::npos);
  kontobot::store::StoredMessage m;
  m.id = 1;
  m.text = "*Svar*\n" + shown + "\n" + input;
  m.buttons = {{"answer", "q:1", input.empty() ? "-" : input, "default"}};
  for (const nlohmann::json& part : kontobot::slack::MessageParts(m)) {
    std::string serialised;
    try {
      serialised = part.dump();
    } catch (const nlohmann::json::exception&) {
      FUZZ_CHECK(!"a Slack message that cannot be serialised");
    }
    FUZZ_CHECK(part["blocks"].size() <= 50);
    const auto& text = part["text"].get_ref<const std::string&>();
    FUZZ_CHECK(text.size() <= 3000 && text.find('<') == std::string::npos);
    for (const auto& b : part["blocks"]) {
      if (b["type"] != "section") continue;
      const auto& t = b["text"]["text"].get_ref<const std::string&>();
      FUZZ_CHECK(!t.empty() && t.size() <= 3000 && t.find('<') == std::string::npos);
    }
  }
  size_t bar = input.find('|');
  if (bar != std::string::npos) {
    std::string pattern = input.substr(0, bar);
    std::string text = input.substr(bar + 1);
    bool match = kontobot::GlobMatch(pattern, text);
    if (pattern.find('*') == std::string::npos) FUZZ_CHECK(match == (pattern == text));
    if (pattern == "*") FUZZ_CHECK(match);
  }
  return 0;
}
