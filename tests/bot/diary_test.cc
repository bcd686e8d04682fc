// Strategy: the diary command as the information function types it (case,
// spacing, "nr", a colon), the shapes that are not one, and the number's
// cleaning, against the shipped catalogue's words in both languages.
#include "bot/diary.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace kontobot {
namespace {

std::optional<DiaryCommand> Parse(const std::string& text) {
  return ParseDiaryCommand(text, testing::ShippedCatalog());
}

TEST(DiaryCommand, ReadsTheCaseAndTheNumberAsTyped) {
  auto c = Parse("diarienummer 12 KS 2026/0042");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->registration_id, 12);
  EXPECT_EQ(c->number, "KS 2026/0042");
  c = Parse("  Diarienummer   nr 7:  Dnr ks-2026.1 ");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->registration_id, 7);
  EXPECT_EQ(c->number, "Dnr ks-2026.1 ") << "the number as typed; CleanDiaryNumber trims";
  c = Parse("dnr #3 RS 2026/15");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->registration_id, 3);
  EXPECT_EQ(c->number, "RS 2026/15");
  c = Parse("Case   number 4 KS 1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->registration_id, 4);
  EXPECT_EQ(c->number, "KS 1");
}

TEST(DiaryCommand, WithoutANumberAsksForTheOneSet) {
  auto c = Parse("diarienummer 12");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->registration_id, 12);
  EXPECT_EQ(c->number, "");
}

TEST(DiaryCommand, AMissingOrMalformedCaseIsACommandWithoutOne) {
  for (const char* text : {"diarienummer", "diarienummer KS 2026/1", "dnr 12abc KS"}) {
    auto c = Parse(text);
    ASSERT_TRUE(c) << text;
    EXPECT_EQ(c->registration_id, 0) << text;
  }
}

TEST(DiaryCommand, OtherTextIsNotOne) {
  for (const char* text : {"", "status", "diarienummerX 12 KS", "mitt diarienummer 12 KS", "dn 1"})
    EXPECT_FALSE(Parse(text)) << text;
}

TEST(DiaryNumber, IsCleanedAndBounded) {
  EXPECT_EQ(CleanDiaryNumber("  KS\t2026/0042\n"), "KS 2026/0042");
  EXPECT_EQ(CleanDiaryNumber("KS\x01 1"), "KS 1");
  EXPECT_FALSE(CleanDiaryNumber("   "));
  EXPECT_FALSE(CleanDiaryNumber(std::string(101, 'x')));
  EXPECT_TRUE(CleanDiaryNumber(std::string(100, 'x')));
}

TEST(DiaryKeeper, IsTheInformationFunctionOfTheCasesOrganisation) {
  Person info;
  info.org = "gislaved";
  info.roles = {"informationsfunktion"};
  Person requester = info;
  requester.roles = {"requester"};
  EXPECT_TRUE(KeepsDiaryOf(info, "gislaved"));
  EXPECT_FALSE(KeepsDiaryOf(info, "trosa"));
  EXPECT_FALSE(KeepsDiaryOf(requester, "gislaved"));
}

}  // namespace
}  // namespace kontobot
