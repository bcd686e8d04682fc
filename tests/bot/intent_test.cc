// Strategy: the recogniser against the shipped catalogue's word lists and
// the shipped templates, with the sentences people were seen to open with
// (issue 15) and the ways they vary them: the other language, inflected
// forms, no diacritics, misspellings, compounds. Each lifecycle sentence
// must land on its own intent and never on "register"; what says nothing
// must stay unclear.
#include "bot/intent.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace kontobot::testing {
namespace {

class IntentTest : public ::testing::Test {
 protected:
  Understood Read(const std::string& text, const std::string& org = "gislaved") {
    return recogniser_.Recognise(text, ShippedTemplates().at(org).get());
  }
  IntentRecogniser recogniser_{ShippedCatalog()};
};

TEST_F(IntentTest, TheObservedOpeningSentencesAreRegistrationsWithMediumAndUnit) {
  Understood a = Read("Hej! Jag vill starta ett Facebook-konto för biblioteket");
  EXPECT_EQ(a.intent, Intent::kRegister);
  EXPECT_EQ(a.medium, "facebook");
  EXPECT_EQ(a.unit, "Biblioteket");

  Understood b = Read("vi vill skapa en Instagram för fritidsgårdarna", "sll");
  EXPECT_EQ(b.intent, Intent::kRegister);
  EXPECT_EQ(b.medium, "instagram");
  EXPECT_EQ(b.unit, "Fritidsgårdarna");

  Understood c = Read("I want to open a YouTube channel", "trosa");
  EXPECT_EQ(c.intent, Intent::kRegister);
  EXPECT_EQ(c.medium, "youtube");
  EXPECT_EQ(c.unit, "");
}

TEST_F(IntentTest, InflectionsDiacriticsMisspellingsAndCompoundsAreUnderstood) {
  for (const char* text : {"vi oppnar en facebooksida for skolan", "Jag vill registera ett konto",
                           "Kan jag skapa ett nytt Instagramkonto?", "jag vill ha en instagarm",
                           "We are setting up a LinkedIn page for the library",
                           "Vi ska starta upp en sida på TikTok", "I'd like to create an acount"}) {
    EXPECT_EQ(Read(text).intent, Intent::kRegister) << text;
  }
  EXPECT_EQ(Read("vi oppnar en facebooksida for skolan").medium, "facebook");
  EXPECT_EQ(Read("vi oppnar en facebooksida for skolan").unit, "Skolan");
  EXPECT_EQ(Read("jag vill ha en instagarm").medium, "instagram");
  EXPECT_EQ(Read("Starta ett konto på X (Twitter)").medium, "twitter");
  // Naming the administrators to come does not make it a change of them.
  EXPECT_EQ(Read("Jag vill skapa ett nytt konto med två administratörer").intent,
            Intent::kRegister);
}

TEST_F(IntentTest, TheUnitStopsWhereTheSentenceDoesAndIsNotAPurpose) {
  EXPECT_EQ(Read("Jag vill starta ett konto för att nå unga").unit, "");
  EXPECT_EQ(Read("Jag vill starta ett konto för vår fritidsgård, och det brådskar").unit,
            "Fritidsgård");
  EXPECT_EQ(Read("I want to create a page for the youth centre and the library").unit,
            "Youth centre");
  EXPECT_EQ(Read("Vi vill starta ett konto för Facebook").unit, "");
}

TEST_F(IntentTest, LifecycleSentencesLandOnTheirOwnIntentNeverOnRegister) {
  EXPECT_EQ(Read("Jag blir föräldraledig – vad gör jag med kontot?").intent, Intent::kAbsence);
  EXPECT_EQ(Read("I'm going on parental leave, who watches our page?").intent, Intent::kAbsence);
  EXPECT_EQ(Read("Jag ska ha semester i juli").intent, Intent::kAbsence);
  EXPECT_EQ(Read("Vi behöver byta administratörer på Facebook-sidan").intent,
            Intent::kChangeAdmins);
  EXPECT_EQ(Read("ta bort Lisa som admin").intent, Intent::kChangeAdmins);
  EXPECT_EQ(Read("Jag vill lägga till en ny administratör").intent, Intent::kChangeAdmins);
  EXPECT_EQ(Read("We need to add another administrator").intent, Intent::kChangeAdmins);
  EXPECT_EQ(Read("Vi vill stänga vårt Instagramkonto").intent, Intent::kCloseAccount);
  EXPECT_EQ(Read("Kan vi lägga ner sidan?").intent, Intent::kCloseAccount);
  EXPECT_EQ(Read("Please delete our YouTube channel").intent, Intent::kCloseAccount);
  // No medium is proposed for something that is not a registration.
  EXPECT_EQ(Read("Vi vill stänga vårt Instagramkonto").medium, "");
}

TEST_F(IntentTest, TheLifecycleRequestsOfIssue17AreUnderstoodInBothLanguages) {
  for (const char* text :
       {"avsluta kontot", "stäng kontot", "Kan vi lägga ner sidan?", "ta bort kontot",
        "Jag vill avsluta vårt Facebookkonto", "close the account", "We want to shut down our page",
        "Please delete the account"}) {
    EXPECT_EQ(Read(text).intent, Intent::kCloseAccount) << text;
  }
  for (const char* text : {"Jag vill byta administratör", "byta inloggning",
                           "Vi har bytt inloggningsuppgifter till sidan",
                           "I want to change the administrator", "change the login"}) {
    EXPECT_EQ(Read(text).intent, Intent::kChangeAdmins) << text;
  }
  for (const char* text :
       {"frånvaro", "Jag blir föräldraledig – vad gör jag med kontot?",
        "jag blir sjukskriven, vad gör jag med kontot?",
        "Jag går på semester – vad gör jag med kontot?", "jag blir foraldraledig",
        "I'm going on holiday, what about the page?", "I will be on sick leave"}) {
    EXPECT_EQ(Read(text).intent, Intent::kAbsence) << text;
  }
}

TEST_F(IntentTest, ChangesOfAnAccountPeopleWriteReachTheChangeConversation) {
  for (const char* text :
       {"Jag vill byta administratör", "lägg till Per som admin", "ta bort Kim som administratör",
        "ny inloggningsadress", "byt kontaktperson", "Vi vill ändra webbadressen",
        "add Per as an administrator", "remove Kim as admin", "new login address",
        "change the contact person"}) {
    EXPECT_EQ(Read(text).intent, Intent::kChangeAdmins) << text;
  }
  EXPECT_EQ(Read("Vi vill starta ett nytt Facebook-konto för biblioteket").intent,
            Intent::kRegister)
      << "a new account is a registration, not a change";
}

TEST_F(IntentTest, ComingBackEarlyEndsTheAbsenceRatherThanReportingOne) {
  for (const char* text : {"avbryt min frånvaro", "Jag är tillbaka", "jag är tillbaka nu!",
                           "I'm back", "cancel my absence"}) {
    EXPECT_EQ(Read(text).intent, Intent::kEndAbsence) << text;
  }
  EXPECT_EQ(Read("frånvaro").intent, Intent::kAbsence);
}

TEST_F(IntentTest, WhatSaysNothingIsUnclear) {
  for (const char* text :
       {"Vad är klockan?", "tack", "Hur mår du", "Facebook", "kontot", "I opened the door"}) {
    EXPECT_EQ(Read(text).intent, Intent::kUnclear) << text;
  }
}

TEST_F(IntentTest, WordsAreFoldedAndSplitAsTheMatchingDoes) {
  EXPECT_EQ(IntentRecogniser::Words("Öppna ett FACEBOOK-konto för Åsa & Ève!"),
            (std::vector<std::string>{"oppna", "ett", "facebook", "konto", "for", "asa", "eve"}));
}

TEST(UpperFirst, RaisesTheFirstLetterOnlyAndSkipsSymbolsBeforeIt) {
  EXPECT_EQ(UpperFirst("ögonblicksbilden"), "Ögonblicksbilden");
  EXPECT_EQ(UpperFirst("⚠️ the snapshot"), "⚠️ The snapshot");
  EXPECT_EQ(UpperFirst("• åtgärden"), "• Åtgärden");
  EXPECT_EQ(UpperFirst("łódź office"), "łódź office");
  EXPECT_EQ(UpperFirst("12 may"), "12 may");
  EXPECT_EQ(UpperFirst(""), "");
}

TEST_F(IntentTest, IntentNamesRoundTrip) {
  for (Intent i : {Intent::kRegister, Intent::kChangeAdmins, Intent::kAbsence, Intent::kEndAbsence,
                   Intent::kCloseAccount}) {
    EXPECT_EQ(ParseIntent(IntentName(i)), i);
  }
  EXPECT_EQ(ParseIntent("nonsense"), std::nullopt);
}

}  // namespace
}  // namespace kontobot::testing
