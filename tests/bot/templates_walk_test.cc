// Strategy: for every shipped organisation template, a requester from the
// demo directory walks the whole form through the engine, answering each
// question with a valid answer of its type (and acknowledging every
// checklist item), then submits. This fails if a template asks something
// the validators cannot accept, if a condition strands the walk, or if an
// organisation's form lost its questions.
#include <gtest/gtest.h>

#include "bot/answers.h"
#include "tests/bot/chat_harness.h"

namespace kontobot {
namespace {

using testing::ChatHarness;
using testing::ShippedDirectory;
using testing::ShippedTemplates;

std::string ValidAnswer(const Step& s) {
  switch (s.type) {
    case QuestionType::kText:
      return "Ett exempelsvar som beskriver saken";
    case QuestionType::kUrl:
      return "www.example.se/konto";
    case QuestionType::kEmail:
      return "sociala.medier@example.org";
    case QuestionType::kNumber:
      return std::to_string(static_cast<int>(s.min.value_or(1) + 1));
    case QuestionType::kChoice:
      return s.options.front().label.sv;
    case QuestionType::kYesNo:
      return "ja";
    case QuestionType::kPerson:
      return "Anna Berg, anna@example.org";
    case QuestionType::kPeople: {
      std::string out;
      for (size_t i = 0; i < std::max<size_t>(s.min_count, 1); ++i) {
        out += "Person Nummer" + std::string(1, static_cast<char>('a' + i)) + ", p" +
               std::to_string(i) + "@example.org\n";
      }
      return out;
    }
    case QuestionType::kSchedule:
      return "vardagar 8-17";
  }
  return "";
}

const Person& RequesterOf(const std::string& org) {
  for (const Person& p : ShippedDirectory().people()) {
    if (p.org == org && p.HasRole("requester")) return p;
  }
  ADD_FAILURE() << "no requester for " << org;
  return ShippedDirectory().people().front();
}

// Walks the form; returns the number of questions answered.
int Walk(ChatHarness& chat, const Template& t, int64_t draft = 1,
         const std::map<std::string, std::string>& overrides = {}) {
  chat.Say("ny");
  int answered = 0;
  for (int guard = 0; guard < 200; ++guard) {
    const Draft& d = chat.draft(draft);
    if (d.cursor.empty()) return answered;
    const Step* s = t.FindStep(d.cursor);
    if (!s->IsQuestion()) {
      chat.Say("ok");
      continue;
    }
    auto o = overrides.find(s->id);
    chat.Say(o != overrides.end() ? o->second : ValidAnswer(*s));
    EXPECT_TRUE(chat.draft(draft).answers.contains(s->id))
        << t.id << ": answer to " << s->id << " refused: " << chat.LastText();
    if (!chat.draft(draft).answers.contains(s->id)) return answered;
    ++answered;
  }
  ADD_FAILURE() << t.id << ": the walk did not reach the summary";
  return answered;
}

class EveryOrganisation : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryOrganisation, WalksTheWholeFormAndSubmits) {
  const std::string org = GetParam();
  const Template& t = *ShippedTemplates().at(org);
  ChatHarness chat(ShippedTemplates(), ShippedDirectory(), RequesterOf(org));
  int answered = Walk(chat, t);
  EXPECT_GE(answered, 6) << "a registration form has at least medium, address, unit, purpose, "
                            "target group and administrators";
  EXPECT_TRUE(chat.LastHas("Sammanfattning av anmälan nr 1"));
  chat.Say("skicka");
  EXPECT_EQ(chat.draft(1).status, DraftStatus::kSubmitted) << chat.LastText();
  EXPECT_TRUE(chat.LastHas("godkännande"));
}

TEST_P(EveryOrganisation, HasEveryTextInBothLanguages) {
  const Template& t = *ShippedTemplates().at(GetParam());
  for (const Step& s : t.steps) {
    EXPECT_FALSE(s.text.sv.empty() && s.IsQuestion()) << s.id;
    EXPECT_FALSE(s.text.sv.empty() == false && s.text.en.empty()) << s.id;
    for (const LocalizedText& i : s.items) EXPECT_FALSE(i.en.empty()) << s.id;
    for (const ChoiceOption& o : s.options) EXPECT_FALSE(o.label.en.empty()) << s.id;
  }
}

TEST_P(EveryOrganisation, AsksForAdministratorsAndTheMedium) {
  const Template& t = *ShippedTemplates().at(GetParam());
  bool people = false, medium = false, url = false;
  for (const Step& s : t.steps) {
    people |= s.type == QuestionType::kPeople && s.IsQuestion();
    medium |= s.type == QuestionType::kChoice && s.IsQuestion() &&
              std::any_of(s.options.begin(), s.options.end(),
                          [](const ChoiceOption& o) { return o.value == "facebook"; });
    url |= s.type == QuestionType::kUrl && s.IsQuestion();
  }
  EXPECT_TRUE(people);
  EXPECT_TRUE(medium);
  EXPECT_TRUE(url);
}

INSTANTIATE_TEST_SUITE_P(Shipped, EveryOrganisation,
                         ::testing::Values("dalarna", "gislaved", "sll", "smc", "trosa"));

TEST(Dalarna, OpenForumGoesToForvaltningschefClosedToVerksamhetschef) {
  const Template& t = *ShippedTemplates().at("dalarna");
  {
    ChatHarness chat(ShippedTemplates(), ShippedDirectory(), RequesterOf("dalarna"));
    Walk(chat, t, 1, {{"forum", "open"}});
    chat.Say("skicka");
    EXPECT_TRUE(chat.LastHas("Förvaltningschef")) << chat.LastText();
    EXPECT_FALSE(chat.LastHas("Verksamhetschef"));
  }
  {
    ChatHarness chat(ShippedTemplates(), ShippedDirectory(), RequesterOf("dalarna"));
    Walk(chat, t, 1, {{"forum", "closed"}});
    chat.Say("skicka");
    EXPECT_TRUE(chat.LastHas("Verksamhetschef")) << chat.LastText();
    EXPECT_FALSE(chat.LastHas("Förvaltningschef"));
  }
}

TEST(Dalarna, RequiresAtLeastTwoAdministrators) {
  const Step* s = ShippedTemplates().at("dalarna")->FindStep("administratorer");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->min_count, 2u);
}

}  // namespace
}  // namespace kontobot
