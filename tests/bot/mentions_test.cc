// Strategy: the neutral mention form (bot/mentions.h) round-trips and reads
// as names; the person and people answers take mentions as directory people
// with their contact details, keep what follows one as its title, and refuse
// an unknown one by its readable name; and a mention answers the follow-up
// that asks for a person's contact details (issue 15, items 2 and 3).
#include "bot/mentions.h"

#include <gtest/gtest.h>

#include "bot/answers.h"
#include "tests/bot/chat_harness.h"

namespace kontobot {
namespace {

using testing::ChatHarness;

Person Someone(const std::string& id, const std::string& name, const std::string& email,
               const std::string& phone = "") {
  Person p;
  p.id = id;
  p.name = name;
  p.email = email;
  p.phone = phone;
  p.org = "demo";
  p.unit = "Fritid";
  p.roles = {"requester"};
  return p;
}

const Directory& MentionsDir() {
  static Directory d({{"demo", {"Demo kommun", "Demo Municipality"}, "demo"}},
                     {Someone("req", "Anna Berg", "anna@demo.se"),
                      Someone("adm1", "Omar Holm", "omar.holm@demo.se", "0371-800 01"),
                      Someone("adm2", "Eva Lind", "eva.lind@demo.se")});
  return d;
}

const TemplateSet& MentionsTemplates() {
  static TemplateSet set = [] {
    TemplateSet s;
    s["demo"] = testing::TemplateFromYaml(R"(
id: demo
organisation: {sv: "Demo kommun", en: "Demo Municipality"}
form_title: {sv: "Anmälan", en: "Registration"}
steps:
  - {id: admins, type: people, min: 2, max: 5, title: {sv: Administratörer, en: Administrators}, text: {sv: "Vilka ska administrera kontot?", en: "Who will run the account?"}}
  - {id: url, type: url, title: {sv: Webbadress, en: Web address}, text: {sv: "Webbadress?", en: "Web address?"}}
approval:
  steps:
    - {id: boss, title: {sv: "Närmaste chef", en: "Line manager"}, approver: {role: narmaste_chef}}
)");
    return s;
  }();
  return set;
}

ParsedAnswer People(const std::string& input) {
  const Template& t = *MentionsTemplates().at("demo");
  AnswerContext ctx{nullptr, &MentionsDir()};
  return ParseAnswer(*t.FindStep("admins"), input, t, Lang::kSv, ctx);
}

TEST(Mentions, RoundTripInOrderAndReadAsNames) {
  std::string text =
      "Hej " + MentionOf("adm1") + " och " + UnknownMention("Kim {K}\nNilsson") + "!";
  std::vector<Mention> found = FindMentions(text);
  ASSERT_EQ(found.size(), 2U);
  EXPECT_EQ(found[0].person_id, "adm1");
  EXPECT_EQ(text.substr(found[0].begin, found[0].end - found[0].begin), MentionOf("adm1"));
  EXPECT_EQ(found[1].person_id, "");
  EXPECT_EQ(found[1].readable, "Kim K Nilsson");
  EXPECT_EQ(ReadableMentions(text, MentionsDir()), "Hej @Omar Holm och @Kim K Nilsson!");
}

TEST(Mentions, TextThatOnlyLooksLikeOneIsLeftAlone) {
  EXPECT_TRUE(FindMentions("mejla @{inte-en} eller @{person:utan-slut").empty());
  EXPECT_EQ(ReadableMentions("a@b.se", MentionsDir()), "a@b.se");
  EXPECT_EQ(UnknownMention("{}"), "@{unknown:?}");
}

TEST(MentionedPeople, AreDirectoryPeopleWithTheirContactDetailsAndTitles) {
  ParsedAnswer p = People(MentionOf("adm1") + " webbredaktör, " + MentionOf("adm2"));
  ASSERT_TRUE(p.ok) << p.error_key;
  ASSERT_EQ(p.value.size(), 2U);
  EXPECT_EQ(p.value[0]["name"], "Omar Holm");
  EXPECT_EQ(p.value[0]["email"], "omar.holm@demo.se");
  EXPECT_EQ(p.value[0]["phone"], "0371-800 01");
  EXPECT_EQ(p.value[0]["title"], "webbredaktör");
  EXPECT_EQ(p.value[1]["name"], "Eva Lind");
  EXPECT_FALSE(p.value[1].contains("title"));
}

TEST(MentionedPeople, MixWithPeopleWrittenOut) {
  ParsedAnswer p = People("Kim Ek, kim@demo.se och " + MentionOf("adm2"));
  ASSERT_TRUE(p.ok) << p.error_key;
  ASSERT_EQ(p.value.size(), 2U);
  EXPECT_EQ(p.value[0]["name"], "Kim Ek");
  EXPECT_EQ(p.value[1]["email"], "eva.lind@demo.se");
}

TEST(MentionedPeople, AnUnknownOneIsRefusedByItsReadableName) {
  ParsedAnswer p = People(MentionOf("adm1") + " " + UnknownMention("Kim Nilsson"));
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.error_key, "invalid.person_mention_unknown");
  EXPECT_NE(p.vars["name"].find("Kim Nilsson"), std::string::npos);
  EXPECT_EQ(p.vars["name"].find("@{"), std::string::npos);
}

// The bot asks for the contact details of a person named without them; the
// requester answers by mentioning that person the platform's way.
TEST(MentionedPeople, AMentionAnswersTheFollowUpForContactDetails) {
  ChatHarness chat(MentionsTemplates(), MentionsDir(), *MentionsDir().Find("req"));
  chat.Say("ny");
  chat.Say(MentionOf("adm2") + "; Omar");
  ASSERT_TRUE(chat.LastHas("Omar")) << chat.LastText();
  ASSERT_TRUE(chat.LastHas("kontaktuppgift")) << chat.LastText();
  chat.Say(MentionOf("adm1"));
  EXPECT_TRUE(chat.LastHas("Webbadress?")) << chat.LastText();
  const Draft& d = chat.draft(1);
  ASSERT_EQ(d.answers["admins"].size(), 2U) << d.answers.dump();
  EXPECT_EQ(d.answers["admins"][0]["name"], "Eva Lind");
  EXPECT_EQ(d.answers["admins"][1]["name"], "Omar Holm");
  EXPECT_EQ(d.answers["admins"][1]["email"], "omar.holm@demo.se");
}

}  // namespace
}  // namespace kontobot
