// Strategy: the word lists match whole words on folded text (case and
// diacritics, Swedish å ä ö kept as letters), prefixes and phrases, and
// say which list matched; the handling case takes the template's tasks for
// the flag's reason in order, does the copy at once and is complete when
// no task is open. Pure: lists and policies are built here, not loaded.
#include <gtest/gtest.h>

#include "bot/inbox_case.h"
#include "bot/word_lists.h"

namespace kontobot {
namespace {

std::vector<WordList> Lists() {
  return {{"hot", {"hot", "threats"}, {"döda dig", "spränga", "slå ihjäl"}},
          {"pahopp", {"personliga påhopp", "personal attacks"}, {"idiot*", "pucko"}},
          {"hets", {"hets", "agitation"}, {"sieg heil", "blatte*"}}};
}

std::vector<std::string> ListsHit(std::string_view text) {
  std::vector<std::string> ids;
  for (const WordHit& h : MatchWordLists(text, Lists())) ids.push_back(h.list);
  return ids;
}

TEST(WordLists, MatchesWholeWordsOnly) {
  EXPECT_EQ(ListsHit("Ni är puckon"), std::vector<std::string>{});
  EXPECT_EQ(ListsHit("Ni är pucko."), std::vector<std::string>{"pahopp"});
  EXPECT_EQ(ListsHit("Vi ska spränga!"), std::vector<std::string>{"hot"});
  EXPECT_EQ(ListsHit("sprängämne"), std::vector<std::string>{});
}

TEST(WordLists, IgnoresCaseAndForeignDiacriticsButKeepsSwedishLetters) {
  EXPECT_EQ(ListsHit("JAG SKA SPRÄNGA"), std::vector<std::string>{"hot"});
  EXPECT_EQ(ListsHit("Pücko"), std::vector<std::string>{"pahopp"});
  EXPECT_EQ(ListsHit("Ídiot"), std::vector<std::string>{"pahopp"});
  // "spranga" is not "spränga": ä is a letter of its own.
  EXPECT_EQ(ListsHit("spranga"), std::vector<std::string>{});
  EXPECT_EQ(FoldForMatching("ÅÄÖ Éé Øæ"), "åäö ee öä");
}

TEST(WordLists, PrefixEntriesMatchAnyEnding) {
  EXPECT_EQ(ListsHit("idioterna på kansliet"), std::vector<std::string>{"pahopp"});
  EXPECT_EQ(ListsHit("en idiot"), std::vector<std::string>{"pahopp"});
  EXPECT_EQ(ListsHit("idio"), std::vector<std::string>{});
}

TEST(WordLists, PhrasesMatchTheirWordsInARowAcrossPunctuationAndCase) {
  EXPECT_EQ(ListsHit("Jag ska DÖDA, dig!"), std::vector<std::string>{"hot"});
  EXPECT_EQ(ListsHit("döda inte dig"), std::vector<std::string>{});
  EXPECT_EQ(ListsHit("«Sieg Heil»"), std::vector<std::string>{"hets"});
}

TEST(WordLists, SaysEveryListThatMatchesOnceInTheListsOrder) {
  std::vector<WordHit> hits = MatchWordLists("idiot, pucko, sieg heil och spränga", Lists());
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].list, "hot");
  EXPECT_EQ(hits[0].entry, "spränga");
  EXPECT_EQ(hits[1].list, "pahopp");
  EXPECT_EQ(hits[1].entry, "idiot*");
  EXPECT_EQ(hits[2].list, "hets");
}

TEST(WordLists, CriticismWithoutListedWordsIsNoHit) {
  EXPECT_TRUE(MatchWordLists("SMC sköter det här dåligt och borde skämmas", Lists()).empty());
  EXPECT_TRUE(MatchWordLists("", Lists()).empty());
}

InboxPolicy Dalarna() {
  InboxPolicy p;
  p.case_tasks = {
      {"spara", "copy", {}, "administrator", "", {}},
      {"ta_bort", "remove", {}, "administrator", "", {}},
      {"registrera", "register", {}, "informationsfunktion", "", {"identity_number", "flag"}},
      {"rapportera", "report", {}, "administrator", "sakerhetsansvarig", {"word_list", "flag"}}};
  return p;
}

std::vector<std::string> Kinds(const std::vector<InboxCaseTaskSpec>& specs) {
  std::vector<std::string> kinds;
  kinds.reserve(specs.size());
  for (const auto& s : specs) kinds.push_back(s.kind);
  return kinds;
}

TEST(InboxCase, TakesTheTemplatesTasksForTheReasonInOrder) {
  EXPECT_EQ(Kinds(CaseTasksFor(Dalarna(), kFlagIdentityNumber)),
            (std::vector<std::string>{"copy", "remove", "register"}));
  EXPECT_EQ(Kinds(CaseTasksFor(Dalarna(), kFlagWordList)),
            (std::vector<std::string>{"copy", "remove", "report"}));
  EXPECT_EQ(Kinds(CaseTasksFor(Dalarna(), kFlagManual)),
            (std::vector<std::string>{"copy", "remove", "register", "report"}));
  EXPECT_TRUE(CaseTasksFor(InboxPolicy{}, kFlagManual).empty());
}

TEST(InboxCase, TheCopyIsDoneAtOnceAndTheRestLeft) {
  std::vector<CaseTask> tasks = NewCaseTasks(CaseTasksFor(Dalarna(), kFlagIdentityNumber));
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].state, "done");
  EXPECT_EQ(tasks[0].done_by, "kontobot");
  EXPECT_EQ(tasks[2].position, 2);
  EXPECT_EQ(RemainingKinds(tasks), (std::vector<std::string>{"remove", "register"}));
  EXPECT_FALSE(CaseComplete(tasks));
}

TEST(InboxCase, IsCompleteWhenNoTaskIsOpenDoneOrSkipped) {
  std::vector<CaseTask> tasks = NewCaseTasks(CaseTasksFor(Dalarna(), kFlagWordList));
  CaseTask* remove = OpenTaskOfKind(tasks, "remove");
  ASSERT_NE(remove, nullptr);
  remove->state = "skipped";  // a person judged it may stay
  EXPECT_EQ(OpenTaskOfKind(tasks, "remove"), nullptr);
  EXPECT_EQ(RemainingKinds(tasks), std::vector<std::string>{"report"});
  OpenTaskOfKind(tasks, "report")->state = "done";
  EXPECT_TRUE(CaseComplete(tasks));
  EXPECT_TRUE(RemainingKinds(tasks).empty());
}

}  // namespace
}  // namespace kontobot
