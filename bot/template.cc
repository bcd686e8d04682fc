#include "bot/template.h"

#include <algorithm>
#include <array>
#include <utility>

namespace kontobot {
namespace {

constexpr std::array<std::pair<QuestionType, std::string_view>, 9> kTypeNames{{
    {QuestionType::kText, "text"},
    {QuestionType::kUrl, "url"},
    {QuestionType::kEmail, "email"},
    {QuestionType::kNumber, "number"},
    {QuestionType::kChoice, "choice"},
    {QuestionType::kYesNo, "yes_no"},
    {QuestionType::kPerson, "person"},
    {QuestionType::kPeople, "people"},
    {QuestionType::kSchedule, "schedule"},
}};

// The comparable scalar of an answer: a choice's value, else the answer.
nlohmann::json Comparable(const nlohmann::json& answer) {
  if (answer.is_object() && answer.contains("value")) return answer["value"];
  return answer;
}

}  // namespace

std::optional<QuestionType> ParseQuestionType(std::string_view name) {
  for (const auto& [type, n] : kTypeNames) {
    if (n == name) return type;
  }
  return std::nullopt;
}

std::string_view QuestionTypeName(QuestionType type) {
  for (const auto& [t, n] : kTypeNames) {
    if (t == type) return n;
  }
  return "?";
}

bool Condition::Holds(const nlohmann::json& answers) const {
  switch (op) {
    case Op::kAll:
      return std::all_of(children.begin(), children.end(),
                         [&](const Condition& c) { return c.Holds(answers); });
    case Op::kAny:
      return std::any_of(children.begin(), children.end(),
                         [&](const Condition& c) { return c.Holds(answers); });
    default:
      break;
  }
  auto it = answers.find(question);
  bool present = it != answers.end() && !it->is_null();
  if (op == Op::kAnswered) return present == answered;
  if (!present) return op == Op::kNotEquals;
  nlohmann::json v = Comparable(*it);
  bool in = std::find(values.begin(), values.end(), v) != values.end();
  return op == Op::kNotEquals ? !in : in;
}

const std::string& Step::Label(Lang lang) const {
  return title.empty() ? text.Get(lang) : title.Get(lang);
}

const Step* Template::FindStep(const std::string& step_id) const {
  int i = IndexOf(step_id);
  return i < 0 ? nullptr : &steps[static_cast<size_t>(i)];
}

int Template::IndexOf(const std::string& step_id) const {
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].id == step_id) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace kontobot
