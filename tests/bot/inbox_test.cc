// Strategy: the inbox finds and masks identity numbers with the rules of
// SWEDISH-RECORDS.md §1 (its test numbers), in running text, and an item
// survives its trip through the inbound queue's JSON unchanged.
#include <gtest/gtest.h>

#include "bot/inbox.h"
#include "bot/text.h"

namespace kontobot {
namespace {

using std::chrono::year_month_day;
constexpr year_month_day kInboxRef{std::chrono::year{2026}, std::chrono::month{5},
                                   std::chrono::day{4}};

TEST(InboxMasking, ShowsValidNumbersAsDateAndXs) {
  EXPECT_EQ(MaskIdentityNumbers("Mitt pnr är 821105-9954, ring mig", kInboxRef),
            "Mitt pnr är 19821105-XXXX, ring mig");
  EXPECT_EQ(MaskIdentityNumbers("19821105-9954", kInboxRef), "19821105-XXXX");
  EXPECT_EQ(MaskIdentityNumbers("090527+1474", kInboxRef), "19090527-XXXX");
  EXPECT_EQ(MaskIdentityNumbers("a 18791221+9990 b", kInboxRef), "a 18791221-XXXX b");
  EXPECT_EQ(MaskIdentityNumbers("samordning 19570574-9959.", kInboxRef),
            "samordning 19570574-XXXX.");
  EXPECT_EQ(MaskIdentityNumbers("001209-9891", kInboxRef), "20001209-XXXX");
}

TEST(InboxMasking, LeavesInvalidNumbersAndOtherDigitsAlone) {
  for (const char* text : {"20150916-0006", "19870704-9996", "20121120-9941", "19390182-9913",
                           "20121075-9984", "ordernummer 1234567890", "tel 070-123 45 67"}) {
    EXPECT_FALSE(HoldsIdentityNumber(text, kInboxRef)) << text;
    EXPECT_EQ(MaskIdentityNumbers(text, kInboxRef), text);
  }
  EXPECT_TRUE(HoldsIdentityNumber("x 19901211-9948 y", kInboxRef));
  EXPECT_TRUE(HoldsIdentityNumber("x 199012119948", kInboxRef));
}

TEST(InboxItem, RoundTripsThroughJson) {
  InboxItem item;
  item.source = "facebook";
  item.page_id = "1234";
  item.external_id = "1234_99";
  item.parent_id = "1234_1";
  item.verb = InboxVerb::kHide;
  item.author_id = "55";
  item.author_name = "Åsa";
  item.text = "hej";
  item.created_at = 1775000000;
  item.dedupe_key = "k";
  InboxItem back = InboxItemFromJson(ToJson(item));
  EXPECT_EQ(ToJson(back), ToJson(item));
  EXPECT_EQ(back.verb, InboxVerb::kHide);
  EXPECT_FALSE(back.FromAccount());
  back.author_id = "1234";
  EXPECT_TRUE(back.FromAccount());
}

TEST(SpaceSeparated, SplitsAtRunsOfSpacesKeepingTheWordsAsTyped) {
  EXPECT_EQ(SpaceSeparated("  diarienummer K3   KS 2026/0042 "),
            (std::vector<std::string>{"diarienummer", "K3", "KS", "2026/0042"}));
  EXPECT_TRUE(SpaceSeparated("   ").empty());
}

}  // namespace
}  // namespace kontobot
