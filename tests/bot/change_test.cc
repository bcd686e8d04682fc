// Strategy: the change conversation (bot/change.h) on its own, with the
// shipped templates, catalogue and demo directory, state threaded from turn
// to turn as the service does (Session::pending). Each kind of change is
// walked from the sentence people write to the confirmed edit; the
// refusals are pinned: removing below the template's minimum (Gislaved's
// "Minst två administratörer"), a login address against Gislaved's login
// rule, someone who may change nothing, a personal identity number in the
// register. ApplyEdit, which the service runs on the entry as it is when
// the change is written, is checked for two changes computed from the same
// entry (the second one checked against the first one's result).
#include "bot/change.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace kontobot::testing {
namespace {

nlohmann::json Admin(const std::string& name, const std::string& email) {
  return {{"name", name}, {"email", email}};
}

// Omar and Lisa administer Anna's Gislaved account, as her form named them.
ChangeableAccount Fritid(nlohmann::json admins = nlohmann::json::array(
                             {Admin("Omar Haddad", "omar.haddad@gislaved.se"),
                              Admin("Lisa Åberg", "lisa.aberg@gislaved.se")})) {
  ChangeableAccount a;
  a.id = 7;
  a.label = "Facebook, https://www.facebook.com/gislavedfritid";
  a.template_id = "gislaved";
  a.entry.administrators = std::move(admins);
  a.entry.url = "https://www.facebook.com/gislavedfritid";
  a.entry.login_email = "fritid@gislaved.se";
  a.entry.version = 3;
  return a;
}

constexpr std::chrono::year_month_day kChangeDay{std::chrono::year(2026), std::chrono::month(12),
                                                 std::chrono::day(7)};

class ChangeTest : public ::testing::Test {
 protected:
  ChangeTurn Start(const std::string& person, std::vector<ChangeableAccount> accounts,
                   const std::string& text, Lang lang = Lang::kSv) {
    accounts_ = std::move(accounts);
    lang_ = lang;
    const Person& p = Who(person);
    ChangeTurn t = conversation_.Start(p, lang_, ShippedTemplates().at(p.org).get(), accounts_,
                                       text, kChangeDay);
    pending_ = t.pending;
    return t;
  }
  ChangeTurn Say(const std::string& person, const std::string& text) {
    return Next(person, {text, "", "", Edit::kNone});
  }
  ChangeTurn Press(const std::string& person, const std::string& action,
                   const std::string& value = "") {
    return Next(person, {"", action, value, Edit::kNone});
  }
  static std::string Text(const ChangeTurn& t) {
    std::string out;
    for (const Reply& r : t.replies) out += r.text + "\n";
    return out;
  }
  static bool Offers(const ChangeTurn& t, const std::string& action, const std::string& value) {
    for (const Reply& r : t.replies) {
      for (const Button& b : r.buttons)
        if (b.id == action && b.value == value) return true;
    }
    return false;
  }
  static bool Audited(const ChangeTurn& t, const std::string& action) {
    for (const AuditEntry& a : t.audit)
      if (a.action == action) return true;
    return false;
  }

  ChangeConversation conversation_{ShippedTemplates(), ShippedCatalog(), ShippedDirectory()};
  std::vector<ChangeableAccount> accounts_;
  std::string pending_;
  Lang lang_ = Lang::kSv;

 private:
  ChangeTurn Next(const std::string& person, const Input& in) {
    ChangeTurn t = conversation_.Handle(Who(person), lang_, accounts_, pending_, in, kChangeDay);
    pending_ = t.pending;
    return t;
  }
};

TEST_F(ChangeTest, SomeoneWhoMayChangeNothingIsToldWhoCanAndWhomToContact) {
  ChangeTurn t = Start("gis-kim", {}, "Jag vill byta administratör");
  EXPECT_NE(Text(t).find("kontots administratörer"), std::string::npos) << Text(t);
  EXPECT_NE(Text(t).find("Jonas Falk på informationsfunktionen (jonas.falk@gislaved.se)"),
            std::string::npos)
      << Text(t);
  EXPECT_NE(Text(t).find("ska detta meddelas till informationsfunktionen"), std::string::npos)
      << "Gislaved's own rule: " << Text(t);
  EXPECT_EQ(t.pending, "");
  EXPECT_FALSE(t.confirmed);
}

TEST_F(ChangeTest, AddsAnAdministratorNamedWithContactDetails) {
  ChangeTurn t = Start("gis-anna", {Fritid()}, "lägg till Kim som admin");
  EXPECT_NE(Text(t).find("Vem ska bli ny administratör"), std::string::npos)
      << "the sentence said what: " << Text(t);
  t = Say("gis-anna", "Kim");
  EXPECT_EQ(t.confirmed, std::nullopt);
  EXPECT_NE(t.pending, "") << "a name without an address is asked again: " << Text(t);
  t = Say("gis-anna", "Kim Nilsson, kim.nilsson@gislaved.se");
  EXPECT_NE(Text(t).find("Ny administratör: Kim Nilsson, kim.nilsson@gislaved.se"),
            std::string::npos)
      << Text(t);
  EXPECT_NE(Text(t).find("Ändringen meddelas till: Jonas Falk på informationsfunktionen"),
            std::string::npos)
      << "Gislaved's information function is told: " << Text(t);
  EXPECT_TRUE(Offers(t, "change_confirm", "7"));
  t = Press("gis-anna", "change_confirm", "7");
  ASSERT_TRUE(t.confirmed);
  EXPECT_EQ(t.confirmed->kind, kAddAdmin);
  EXPECT_EQ(t.confirmed->account, 7);
  EXPECT_EQ(t.confirmed->version, 3);
  ASSERT_EQ(t.confirmed->add.size(), 1u);
  EXPECT_EQ(t.confirmed->add[0].value("email", ""), "kim.nilsson@gislaved.se");
  EXPECT_TRUE(Audited(t, "change.confirmed"));
  EXPECT_EQ(t.pending, "");
}

TEST_F(ChangeTest, RemovingBelowTheTemplatesMinimumIsRefusedWithTheReason) {
  ChangeTurn t = Start("gis-omar", {Fritid()}, "ta bort Lisa som administratör");
  EXPECT_NE(Text(t).find("minst 2 administratörer"), std::string::npos) << Text(t);
  EXPECT_NE(Text(t).find("byt ut administratören"), std::string::npos)
      << "says what to do instead: " << Text(t);
  EXPECT_EQ(t.pending, "");
  EXPECT_FALSE(t.confirmed);
  EXPECT_TRUE(Audited(t, "change.refused"));
}

TEST_F(ChangeTest, RemovesAnAdministratorAboveTheMinimumByName) {
  ChangeableAccount three =
      Fritid(nlohmann::json::array({Admin("Omar Haddad", "omar.haddad@gislaved.se"),
                                    Admin("Lisa Åberg", "lisa.aberg@gislaved.se"),
                                    Admin("Kim Nilsson", "kim.nilsson@gislaved.se")}));
  ChangeTurn t = Start("gis-per", {three}, "ta bort en administratör");
  EXPECT_NE(Text(t).find("Vem ska inte längre vara administratör"), std::string::npos) << Text(t);
  EXPECT_TRUE(Offers(t, "change_pick", "1"));
  t = Say("gis-per", "lisa");
  EXPECT_NE(Text(t).find("Administratören Lisa Åberg, lisa.aberg@gislaved.se tas bort"),
            std::string::npos)
      << Text(t);
  t = Say("gis-per", "ja");
  ASSERT_TRUE(t.confirmed);
  EXPECT_EQ(t.confirmed->kind, kRemoveAdmin);
  EXPECT_EQ(t.confirmed->remove.value("email", ""), "lisa.aberg@gislaved.se");
}

TEST_F(ChangeTest, ReplacesAnAdministratorChosenByButton) {
  ChangeTurn t = Start("gis-info", {Fritid()}, "Jag vill byta administratör");
  EXPECT_NE(Text(t).find("Vem ska bytas ut"), std::string::npos) << Text(t);
  t = Press("gis-info", "change_pick", "1");
  EXPECT_NE(Text(t).find("Vem ska ersätta Lisa Åberg"), std::string::npos) << Text(t);
  t = Say("gis-info", "Omar Haddad, omar.haddad@gislaved.se");
  EXPECT_NE(Text(t).find("redan administratör"), std::string::npos)
      << "someone who already is one: " << Text(t);
  t = Say("gis-info", "Kim Nilsson, kim.nilsson@gislaved.se");
  EXPECT_NE(Text(t).find("Administratören Lisa Åberg, lisa.aberg@gislaved.se ersätts av Kim "
                         "Nilsson"),
            std::string::npos)
      << Text(t);
  t = Press("gis-info", "change_confirm", "7");
  ASSERT_TRUE(t.confirmed);
  EXPECT_EQ(t.confirmed->kind, kReplaceAdmin);
  AccountEntry entry = Fritid().entry;
  EXPECT_EQ(ApplyEdit(ShippedTemplates().at("gislaved")->change, 20, *t.confirmed, entry), "");
  EXPECT_EQ(entry.administrators.size(), 2u) << "a replacement keeps the number";
  EXPECT_EQ(entry.administrators[1].value("name", ""), "Kim Nilsson");
}

TEST_F(ChangeTest, ANewLoginAddressFollowsTheOrganisationsLoginRuleAsAtRegistration) {
  ChangeTurn t = Start("gis-anna", {Fritid()}, "ny inloggningsadress");
  EXPECT_NE(Text(t).find("Nu: fritid@gislaved.se"), std::string::npos) << Text(t);
  t = Say("gis-anna", "omar.haddad@gislaved.se");
  EXPECT_NE(Text(t).find("personliga kommunala e-postkonton får inte användas"), std::string::npos)
      << "a personal municipal address is refused: " << Text(t);
  EXPECT_FALSE(t.confirmed);
  t = Say("gis-anna", "fritidsgardarna@gislaved.se");
  EXPECT_NE(Text(t).find("Ny e-postadress för inloggningen: fritidsgardarna@gislaved.se"),
            std::string::npos)
      << Text(t);
  t = Say("gis-anna", "ja");
  ASSERT_TRUE(t.confirmed);
  EXPECT_EQ(t.confirmed->kind, kLoginEmail);
  EXPECT_EQ(t.confirmed->value, "fritidsgardarna@gislaved.se");
}

TEST_F(ChangeTest, TheLoginHolderIsChangedFromByt_Kontaktperson) {
  ChangeTurn t = Start("gis-lisa", {Fritid()}, "byt kontaktperson");
  EXPECT_NE(Text(t).find("Vem ska ha inloggningen"), std::string::npos) << Text(t);
  t = Say("gis-lisa", "Lisa Åberg, lisa.aberg@gislaved.se");
  t = Say("gis-lisa", "ja");
  ASSERT_TRUE(t.confirmed);
  EXPECT_EQ(t.confirmed->kind, kLoginHolder);
  EXPECT_EQ(t.confirmed->holder.value("email", ""), "lisa.aberg@gislaved.se");
}

TEST_F(ChangeTest, TheRegistersFactsAreCheckedLikeTheFormsAnswers) {
  ChangeTurn t = Start("gis-anna", {Fritid()}, "Vi vill ändra kontot");
  EXPECT_NE(Text(t).find("Vad vill du ändra"), std::string::npos) << Text(t);
  EXPECT_TRUE(Offers(t, "change_kind", "url"));
  EXPECT_TRUE(Offers(t, "change_kind", "purpose"));
  t = Press("gis-anna", "change_kind", "url");
  t = Say("gis-anna", "inte en adress");
  EXPECT_FALSE(t.confirmed);
  EXPECT_NE(t.pending, "");
  t = Say("gis-anna", "https://www.facebook.com/gislavedsfritid");
  EXPECT_NE(Text(t).find("Ny webbadress"), std::string::npos) << Text(t);
  t = Say("gis-anna", "ja");
  ASSERT_TRUE(t.confirmed);
  EXPECT_EQ(t.confirmed->kind, "url");
  EXPECT_NE(t.confirmed->value.find("facebook.com/gislavedsfritid"), std::string::npos);
}

TEST_F(ChangeTest, APersonalIdentityNumberIsNeverTakenIntoTheRegister) {
  Start("gis-anna", {Fritid()}, "ändra syfte");
  ChangeTurn t = Say("gis-anna", "Kontakt med Kalle 19811218-9876 och andra unga");
  EXPECT_NE(Text(t).find("personnummer"), std::string::npos) << Text(t);
  EXPECT_EQ(Text(t).find("9876"), std::string::npos) << "not echoed: " << Text(t);
  EXPECT_FALSE(t.confirmed);
}

TEST_F(ChangeTest, MarkupTypedInANameIsEscapedInTheSummary) {
  Start("gis-anna", {Fritid()}, "lägg till admin");
  ChangeTurn t = Say("gis-anna", "Kim *fet* Nilsson, kim.nilsson@gislaved.se");
  EXPECT_EQ(Text(t).find("*fet*"), std::string::npos) << Text(t);
  EXPECT_NE(Text(t).find("Kim ∗fet∗ Nilsson"), std::string::npos) << Text(t);
}

TEST_F(ChangeTest, WhichAccountIsAskedWhenThePersonMayChangeSeveral) {
  ChangeableAccount other = Fritid();
  other.id = 9;
  other.label = "Instagram, https://instagram.com/gisfritid";
  ChangeTurn t = Start("gis-anna", {Fritid(), other}, "Jag vill byta administratör");
  EXPECT_TRUE(Offers(t, "change_account", "9"));
  t = Say("gis-anna", "instagram");
  EXPECT_NE(Text(t).find("Vem ska bytas ut som administratör för Instagram"), std::string::npos)
      << Text(t);
  t = Say("gis-anna", "avbryt");
  EXPECT_NE(Text(t).find("inget ändras"), std::string::npos) << Text(t);
  EXPECT_EQ(t.pending, "");
}

TEST_F(ChangeTest, EnglishIsUnderstoodAndAnswered) {
  ChangeTurn t = Start("gis-anna", {Fritid()}, "I want to add an administrator", Lang::kEn);
  EXPECT_NE(Text(t).find("Who is to be a new administrator"), std::string::npos) << Text(t);
}

TEST_F(ChangeTest, DalarnasNewAdministratorsAcceptBeforeTheChangeApplies) {
  const ChangePolicy& dal = ShippedTemplates().at("dalarna")->change;
  EXPECT_TRUE(dal.accept) << "Bilaga 3: Underskrift Administratörer";
  EXPECT_EQ(dal.min_administrators, 2u);
  const ChangePolicy& gis = ShippedTemplates().at("gislaved")->change;
  EXPECT_FALSE(gis.accept);
  EXPECT_EQ(gis.tell, std::vector<std::string>{"informationsfunktion"});
  EXPECT_EQ(gis.login_email, "inloggning_epost");
  EXPECT_EQ(ShippedTemplates().at("smc")->change.tell,
            (std::vector<std::string>{"kansli", "superior"}));
}

// --- ApplyEdit: the edit on the entry as it is when written -------------------

TEST(ApplyEdit, TwoRemovalsComputedFromOneEntryCannotTogetherGoBelowTheMinimum) {
  const ChangePolicy& policy = ShippedTemplates().at("gislaved")->change;  // min 2
  AccountEntry entry;
  entry.administrators = nlohmann::json::array({Admin("Omar Haddad", "omar.haddad@gislaved.se"),
                                                Admin("Lisa Åberg", "lisa.aberg@gislaved.se"),
                                                Admin("Kim Nilsson", "kim.nilsson@gislaved.se")});
  AccountEdit lisa{7, kRemoveAdmin, Admin("Lisa Åberg", "LISA.ABERG@gislaved.se"), {}, {}, "", 0};
  AccountEdit kim{7, kRemoveAdmin, Admin("Kim Nilsson", "kim.nilsson@gislaved.se"), {}, {}, "", 0};
  EXPECT_EQ(ApplyEdit(policy, 20, lisa, entry), "");
  EXPECT_EQ(entry.administrators.size(), 2u);
  const AccountEntry before = entry;
  EXPECT_EQ(ApplyEdit(policy, 20, kim, entry), "change.below_minimum");
  EXPECT_EQ(entry.administrators, before.administrators) << "a refused edit changes nothing";
  EXPECT_EQ(ApplyEdit(policy, 20, lisa, entry), "change.not_admin") << "removed already";
}

TEST(ApplyEdit, AddingSomeoneAlreadyThereOrBeyondTheMaximumIsRefused) {
  ChangePolicy policy;
  policy.min_administrators = 1;
  AccountEntry entry;
  entry.administrators = nlohmann::json::array({Admin("Omar Haddad", "omar.haddad@gislaved.se")});
  AccountEdit again{7, kAddAdmin, {}, {Admin("O. Haddad", "omar.haddad@gislaved.se")}, {}, "", 0};
  EXPECT_EQ(ApplyEdit(policy, 5, again, entry), "change.already_admin");
  AccountEdit two{7, kAddAdmin, {}, {Admin("A", "a@x.se"), Admin("B", "b@x.se")}, {}, "", 0};
  EXPECT_EQ(ApplyEdit(policy, 2, two, entry), "change.too_many");
  EXPECT_EQ(ApplyEdit(policy, 3, two, entry), "");
  EXPECT_EQ(entry.administrators.size(), 3u);
}

}  // namespace
}  // namespace kontobot::testing
