// Strategy: masking and chat rendering as the dossier uses them: a private
// person named in a form is masked by name and every contact detail, in
// any case; staff and the organisation's addresses stay; identity numbers,
// other addresses and phone numbers are masked wherever they appear. Chat
// markup renders like the web chat and nothing a person typed becomes
// markup.
#include "bot/masking.h"

#include <gtest/gtest.h>

#include "bot/chat_markup.h"

namespace kontobot {
namespace {

Masker Make() {
  return Masker({{"[P1]", "Kalle Privatsson", {"kalle.p@example.com", "070-123 45 67"}}},
                {"per.ek@gislaved.se", "@gislaved.se", "036-12 34 56"}, {"[E]", "[T]", "[PNR]"},
                std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::month{5},
                                            std::chrono::day{4}});
}

TEST(Masking, PrivatePersonMaskedByNameAndContactsInAnyCase) {
  Masker m = Make();
  EXPECT_EQ(m.Mask("KALLE PRIVATSSON, Kalle.P@Example.com, 0701234567 och 070-123 45 67"),
            "[P1], [E], [T] och [T]");
  EXPECT_EQ(m.Mask("Kalle Privatssons bror"), "Kalle Privatssons bror")
      << "whole words only: another word is not the name";
}

TEST(Masking, StaffAndOrganisationAddressesStay) {
  Masker m = Make();
  EXPECT_EQ(m.Mask("Per Ek, per.ek@gislaved.se, 036-12 34 56, fritid@gislaved.se"),
            "Per Ek, per.ek@gislaved.se, 036-12 34 56, fritid@gislaved.se");
}

TEST(Masking, IdentityNumbersOtherAddressesAndPhonesAnywhere) {
  Masker m = Make();
  EXPECT_EQ(m.Mask("pnr 19821105-9954; mejla x.y@hotmail.se eller ring +46 70 987 65 43."),
            "pnr [PNR]; mejla [E] eller ring [T].");
  EXPECT_EQ(m.Mask("Möte 2026-11-23 kl 10, 4 timmar, ärende 12345678"),
            "Möte 2026-11-23 kl 10, 4 timmar, ärende 12345678")
      << "dates and other numbers are not phone numbers";
}

TEST(Masking, FoldCaseKeepsOffsetsForSwedishLetters) {
  EXPECT_EQ(FoldCase("ÅSA ÖBERG Élise"), "åsa öberg élise");
  EXPECT_EQ(FoldCase("ÅSA").size(), std::string("ÅSA").size());
}

TEST(ChatMarkup, RendersLikeTheWebChatAndEscapesEverythingElse) {
  EXPECT_EQ(ChatHtml("*Steg 1 av 3*\n• ett\n• två\n\n1. a", true),
            "<p dir=\"auto\"><strong>Steg 1 av 3</strong></p><ul><li dir=\"auto\">ett</li>"
            "<li dir=\"auto\">två</li></ul><ol><li dir=\"auto\" value=\"1\">a</li></ol>");
  EXPECT_EQ(ChatHtml("*inte fet* <script>", false), "<p dir=\"auto\">*inte fet* &lt;script&gt;</p>")
      << "a person's own text is not formatted";
  EXPECT_EQ(ChatHtml("se www.x.se.", false),
            "<p dir=\"auto\">se <a href=\"https://www.x.se\">www.x.se</a>.</p>");
  EXPECT_EQ(ChatHtml("a\x01\x1b"
                     "b\x7f",
                     false),
            "<p dir=\"auto\">ab</p>");
  EXPECT_EQ(EscapeXml("\xC2\x85x\xff\"'&"), "x\xEF\xBF\xBD&quot;&#39;&amp;")
      << "C1 controls dropped, invalid UTF-8 replaced";
  EXPECT_EQ(ChatHtml("\xD7\xA2\xD7\x91\xD7\xA8\xD7\x99\xD7\xAA", false),
            "<p dir=\"auto\">\xD7\xA2\xD7\x91\xD7\xA8\xD7\x99\xD7\xAA</p>")
      << "right-to-left text gets its direction from its letters";
}

}  // namespace
}  // namespace kontobot
