// Strategy: drive the engine through a small template that has one of
// everything (advice, required and optional questions, a choice that turns
// a later question on) with the ChatHarness, and assert on what the person
// sees and on the draft state the store would write.
#include "bot/conversation.h"

#include <gtest/gtest.h>

#include "tests/bot/chat_harness.h"

namespace kontobot {
namespace {

using testing::ChatHarness;

const TemplateSet& Templates() {
  static TemplateSet set = [] {
    TemplateSet s;
    s["demo"] = testing::TemplateFromYaml(R"(
id: demo
organisation: {sv: "Demo kommun", en: "Demo Municipality"}
form_title: {sv: "Anmälan", en: "Registration"}
intro: {sv: "Välkommen till blanketten.", en: "Welcome to the form."}
steps:
  - id: think
    kind: advice
    title: {sv: "Tänk efter före", en: "Think first"}
    items:
      - {sv: "Vad är syftet?", en: "What is the purpose?"}
  - id: medium
    type: choice
    title: {sv: "Medium", en: "Medium"}
    text: {sv: "Vilket socialt medium?", en: "Which social medium?"}
    help: {sv: "Exempel: Facebook", en: "Example: Facebook"}
    options:
      - {value: facebook, label: {sv: Facebook, en: Facebook}, synonyms: [fb]}
      - {value: instagram, label: {sv: Instagram, en: Instagram}}
  - id: group_name
    type: text
    title: {sv: "Gruppnamn", en: "Group name"}
    text: {sv: "Vad heter gruppen?", en: "What is the group called?"}
    when: {question: medium, equals: facebook}
  - id: url
    type: url
    title: {sv: "Webbadress", en: "Web address"}
    text: {sv: "Webbadress?", en: "Web address?"}
  - id: other
    type: text
    required: false
    title: {sv: "Övrigt", en: "Other"}
    text: {sv: "Övrigt?", en: "Anything else?"}
approval:
  steps:
    - {id: boss, title: {sv: "Närmaste chef", en: "Line manager"}, approver: {role: narmaste_chef}}
)");
    return s;
  }();
  return set;
}

Person MakePerson() {
  Person p;
  p.id = "p1";
  p.name = "Anna Berg";
  p.email = "anna@demo.se";
  p.org = "demo";
  p.unit = "Fritid";
  p.roles = {"requester"};
  return p;
}

const Directory& Dir() {
  static Directory d({{"demo", {"Demo kommun", "Demo Municipality"}, "demo"}}, {MakePerson()});
  return d;
}

ChatHarness NewChat() { return {Templates(), Dir(), *Dir().Find("p1")}; }

// Walks to the summary: ack, fb, group, url, skip.
void FillAll(ChatHarness& chat) {
  chat.Say("ny");
  chat.Say("ok");
  chat.Say("fb");
  chat.Say("Fritidsgruppen");
  chat.Say("www.facebook.com/fritid");
  chat.Say("hoppa över");
}

TEST(Conversation, GreetingOffersToRegister) {
  ChatHarness chat = NewChat();
  chat.Say("hej");
  EXPECT_TRUE(chat.LastHas("Hej Anna Berg"));
  EXPECT_EQ(chat.LastButtons().front(), "Anmäl nytt konto");
}

TEST(Conversation, StartsWithIntroAndFirstAdvice) {
  ChatHarness chat = NewChat();
  chat.Say("hej");
  chat.Click("Anmäl nytt konto");
  EXPECT_TRUE(chat.LastHas("Ny anmälan nr 1: Anmälan"));
  EXPECT_TRUE(chat.LastHas("Välkommen till blanketten."));
  EXPECT_TRUE(chat.LastHas("Steg 1 av 4 – Tänk efter före"));
  EXPECT_TRUE(chat.LastHas("• Vad är syftet?"));
  EXPECT_EQ(chat.session().active_draft, 1);
  EXPECT_EQ(chat.draft(1).cursor, "think");
}

TEST(Conversation, AdviceMustBeAcknowledgedNotAnswered) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("Facebook");
  EXPECT_TRUE(chat.LastHas("checklista att ta del av"));
  EXPECT_EQ(chat.draft(1).cursor, "think");
  chat.Click("Jag har tagit del");
  EXPECT_EQ(chat.draft(1).cursor, "medium");
  EXPECT_TRUE(chat.LastHas("Vilket socialt medium?"));
  EXPECT_TRUE(chat.LastHas("Tips: Exempel: Facebook"));
}

TEST(Conversation, ChoiceOffersButtonsAndSynonyms) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("ok");
  auto buttons = chat.LastButtons();
  EXPECT_NE(std::find(buttons.begin(), buttons.end(), "Instagram"), buttons.end());
  chat.Say("fb");
  EXPECT_EQ(chat.draft(1).answers["medium"]["value"], "facebook");
}

TEST(Conversation, InvalidAnswerExplainsAndStays) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("ok");
  chat.Say("Myspace");
  EXPECT_TRUE(chat.LastHas("Välj ett av alternativen: Facebook, Instagram."));
  EXPECT_EQ(chat.draft(1).cursor, "medium");
}

TEST(Conversation, ConditionalQuestionAskedOnlyWhenItApplies) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("ok");
  chat.Say("instagram");
  EXPECT_EQ(chat.draft(1).cursor, "url");
  EXPECT_TRUE(chat.LastHas("Steg 3 av 4"));
}

TEST(Conversation, BackReturnsToPreviousStepShowingTheAnswer) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("ok");
  chat.Say("fb");
  chat.Say("tillbaka");
  EXPECT_EQ(chat.draft(1).cursor, "medium");
  EXPECT_TRUE(chat.LastHas("Nuvarande svar: Facebook"));
  chat.Click("Behåll svaret");
  EXPECT_EQ(chat.draft(1).cursor, "group_name");
}

TEST(Conversation, ChangingAnAnswerDropsAnswersThatNoLongerApply) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("ok");
  chat.Say("fb");
  chat.Say("Fritidsgruppen");
  chat.Say("back");
  chat.Say("back");
  chat.Say("instagram");
  EXPECT_FALSE(chat.draft(1).answers.contains("group_name"));
  EXPECT_EQ(chat.draft(1).cursor, "url");
}

TEST(Conversation, SkipOnlyForOptionalQuestions) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("ok");
  chat.Say("hoppa över");
  EXPECT_TRUE(chat.LastHas("måste besvaras"));
  EXPECT_EQ(chat.draft(1).cursor, "medium");
  chat.Say("fb");
  chat.Say("G");
  chat.Say("www.x.se");
  chat.Say("skip");
  EXPECT_TRUE(chat.draft(1).answers["other"].is_null());
  EXPECT_EQ(chat.draft(1).cursor, "");
}

TEST(Conversation, SummaryListsAnswersAndSubmitsOnlyOnConfirmation) {
  ChatHarness chat = NewChat();
  FillAll(chat);
  EXPECT_TRUE(chat.LastHas("Sammanfattning av anmälan nr 1"));
  EXPECT_TRUE(chat.LastHas("1. Medium: Facebook"));
  EXPECT_TRUE(chat.LastHas("3. Webbadress: https://www.facebook.com/fritid"));
  EXPECT_TRUE(chat.LastHas("4. Övrigt: (inget svar)"));
  EXPECT_EQ(chat.draft(1).status, DraftStatus::kOpen);
  chat.Say("något annat");
  EXPECT_EQ(chat.draft(1).status, DraftStatus::kOpen);
  chat.Click("Skicka in");
  EXPECT_EQ(chat.draft(1).status, DraftStatus::kSubmitted);
  EXPECT_EQ(chat.last_outcome().submitted, std::vector<int64_t>{1});
  EXPECT_TRUE(chat.LastHas("Anmälan nr 1 är inskickad"));
  EXPECT_TRUE(chat.LastHas("godkännande: Närmaste chef"));
  EXPECT_EQ(chat.session().active_draft, 0);
}

TEST(Conversation, EditByNumberFromSummaryReturnsToSummary) {
  ChatHarness chat = NewChat();
  FillAll(chat);
  chat.Say("3");
  EXPECT_EQ(chat.draft(1).cursor, "url");
  chat.Say("www.facebook.com/ny");
  EXPECT_EQ(chat.draft(1).cursor, "");
  EXPECT_TRUE(chat.LastHas("3. Webbadress: https://www.facebook.com/ny"));
}

TEST(Conversation, EditThatTurnsOnAQuestionAsksItBeforeSummary) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("ok");
  chat.Say("instagram");
  chat.Say("www.instagram.com/x");
  chat.Say("skip");
  chat.Say("ändra 1");
  chat.Say("fb");
  EXPECT_EQ(chat.draft(1).cursor, "group_name");
  chat.Say("Gruppen");
  EXPECT_EQ(chat.draft(1).cursor, "");
  EXPECT_TRUE(chat.LastHas("2. Gruppnamn: Gruppen"));
}

TEST(Conversation, SubmitRefusedWhileStepsRemain) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Press("submit", "1");
  EXPECT_EQ(chat.draft(1).status, DraftStatus::kOpen);
  EXPECT_TRUE(chat.LastHas("inte färdig"));
}

TEST(Conversation, CancelAsksForConfirmation) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("avbryt");
  EXPECT_EQ(chat.draft(1).status, DraftStatus::kOpen);
  chat.Click("Nej, fortsätt");
  EXPECT_EQ(chat.draft(1).status, DraftStatus::kOpen);
  chat.Say("avbryt");
  chat.Say("ja");
  EXPECT_EQ(chat.draft(1).status, DraftStatus::kCancelled);
  EXPECT_EQ(chat.session().active_draft, 0);
}

TEST(Conversation, StatusAndHelpDoNotLoseThePlace) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("ok");
  chat.Say("status");
  EXPECT_TRUE(chat.LastHas("Du fyller i anmälan nr 1"));
  EXPECT_TRUE(chat.LastHas("1 av 4 steg klara"));
  chat.Say("hjälp");
  EXPECT_TRUE(chat.LastHas("Så här fungerar det"));
  EXPECT_TRUE(chat.LastHas("Exempel: Facebook"));
  EXPECT_EQ(chat.draft(1).cursor, "medium");
}

TEST(Conversation, SwitchesLanguageBothWays) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("english");
  EXPECT_EQ(chat.session().lang, Lang::kEn);
  EXPECT_TRUE(chat.LastHas("I will write in English"));
  EXPECT_TRUE(chat.LastHas("Think first"));
  chat.Say("ok");
  chat.Say("Myspace");
  EXPECT_TRUE(chat.LastHas("Choose one of: Facebook, Instagram."));
  chat.Say("svenska");
  EXPECT_EQ(chat.session().lang, Lang::kSv);
}

TEST(Conversation, PasswordIsRefusedAndFlaggedForRedaction) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("ok");
  chat.Say("fb");
  chat.Say("Hemligt2024");
  EXPECT_TRUE(chat.last_outcome().redact_input);
  EXPECT_TRUE(chat.LastHas("ser ut som ett lösenord"));
  EXPECT_FALSE(chat.draft(1).answers.contains("group_name"));
  EXPECT_EQ(chat.LastText().find("Hemligt2024"), std::string::npos);
}

TEST(Conversation, SeveralDraftsCanBeListedAndResumed) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("ok");
  chat.Say("ny");
  EXPECT_EQ(chat.session().active_draft, 2);
  chat.Say("utkast");
  EXPECT_TRUE(chat.LastHas("Nr 1"));
  EXPECT_TRUE(chat.LastHas("Nr 2"));
  chat.Click("Fortsätt nr 1");
  EXPECT_EQ(chat.session().active_draft, 1);
  EXPECT_EQ(chat.draft(1).cursor, "medium");
  chat.Say("fortsätt 2");
  EXPECT_EQ(chat.session().active_draft, 2);
}

TEST(Conversation, StaleButtonChangesNothing) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("ok");
  chat.Say("fb");
  chat.Press("answer", "medium:instagram");
  EXPECT_TRUE(chat.LastHas("gäller ett tidigare steg"));
  EXPECT_EQ(chat.draft(1).answers["medium"]["value"], "facebook");
}

TEST(Conversation, EveryStateChangeIsAudited) {
  ChatHarness chat = NewChat();
  FillAll(chat);
  chat.Say("skicka");
  const auto& a = chat.audit_actions();
  for (const char* action : {"draft.created", "advice.acknowledged", "answer.recorded",
                             "answer.skipped", "draft.submitted"}) {
    EXPECT_NE(std::find(a.begin(), a.end(), action), a.end()) << action;
  }
}

TEST(Conversation, ResumesDaysLaterFromTheSavedState) {
  ChatHarness chat = NewChat();
  chat.Say("ny");
  chat.Say("ok");
  // The state survives a round trip through its JSON form (the store).
  Draft& d = chat.mutable_draft(1);
  Draft copy;
  copy.LoadState(nlohmann::json::parse(d.StateJson().dump()));
  EXPECT_EQ(copy.cursor, "medium");
  EXPECT_EQ(copy.acknowledged, std::vector<std::string>{"think"});
  chat.Say("hej");
  EXPECT_TRUE(chat.LastHas("Välkommen tillbaka"));
  EXPECT_TRUE(chat.LastHas("Vilket socialt medium?"));
}

}  // namespace
}  // namespace kontobot
