// Strategy: feed broken templates and check that each mistake is reported
// with the line and column where it is, in words an organisation's editor
// understands; and that the shipped templates and catalogues load cleanly.
#include "config/template_loader.h"

#include <gtest/gtest.h>

#include "config/loaders.h"
#include "tests/test_support.h"

namespace kontobot::config {
namespace {

std::vector<std::string> Errors(const std::string& yaml) {
  std::vector<std::string> out;
  for (const auto& e : LoadTemplateString(yaml, "t.yaml").errors) out.push_back(e.ToString());
  return out;
}

bool Contains(const std::vector<std::string>& errors, const std::string& needle) {
  for (const auto& e : errors) {
    if (e.find(needle) != std::string::npos) return true;
  }
  return false;
}

constexpr const char* kHead = R"(id: t
organisation: {sv: O, en: O}
form_title: {sv: F, en: F}
approval:
  steps:
    - {id: a, title: {sv: A, en: A}, approver: {role: narmaste_chef}}
)";

TEST(TemplateLoader, ReportsUnknownTypeWithLineAndColumn) {
  auto e = Errors(std::string(kHead) +
                  "steps:\n  - id: q\n    type: choise\n    text: {sv: Q, en: Q}\n");
  ASSERT_TRUE(Contains(e, "t.yaml:9:11: unknown question type 'choise'"))
      << ::testing::PrintToString(e);
}

TEST(TemplateLoader, ReportsSyntaxErrors) {
  auto e = Errors("id: [unclosed\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].rfind("t.yaml:", 0), 0u);
}

TEST(TemplateLoader, ReportsMissingEnglishAndUnknownFields) {
  auto e = Errors(std::string(kHead) +
                  "steps:\n  - id: q\n    type: text\n    text: {sv: Q}\n    colour: red\n");
  EXPECT_TRUE(Contains(e, "missing 'en'"));
  EXPECT_TRUE(Contains(e, "unknown field 'colour'"));
}

TEST(TemplateLoader, ChecksConditionsAgainstEarlierQuestions) {
  auto e = Errors(std::string(kHead) + R"(steps:
  - {id: a, type: text, text: {sv: A, en: A}, when: {question: b, equals: x}}
  - id: b
    type: choice
    text: {sv: B, en: B}
    options: [{value: x, label: {sv: X, en: X}}]
  - {id: c, type: text, text: {sv: C, en: C}, when: {question: b, equals: y}}
)");
  EXPECT_TRUE(Contains(e, "'b', which is not an earlier question"));
  EXPECT_TRUE(Contains(e, "'y' is not an option of 'b'"));
}

TEST(TemplateLoader, ChecksDuplicatesRulesAndCounts) {
  auto e = Errors(std::string(kHead) + R"(steps:
  - {id: a, type: text, text: {sv: A, en: A}}
  - {id: a, type: email, rule: login_email, text: {sv: A, en: A}}
  - {id: p, type: people, min: 3, max: 2, text: {sv: P, en: P}}
  - {id: n, type: number, min: 5, max: 1, text: {sv: N, en: N}}
)");
  EXPECT_TRUE(Contains(e, "duplicate step id 'a'"));
  EXPECT_TRUE(Contains(e, "rule login_email needs"));
  EXPECT_TRUE(Contains(e, "'max' is smaller than 'min'"));
}

TEST(TemplateLoader, ChecksApprovalAndReminderData) {
  auto e = Errors(R"(id: t
organisation: {sv: O, en: O}
form_title: {sv: F, en: F}
steps:
  - {id: a, type: text, text: {sv: A, en: A}}
approval:
  steps:
    - {id: x, title: {sv: X, en: X}, approver: {}}
  administrators: {question: a, statement: {sv: S, en: S}}
reminders:
  approval: {nudge_after: "soon"}
)");
  EXPECT_TRUE(Contains(e, "approver needs a 'role'"));
  EXPECT_TRUE(Contains(e, "'a' is not a people question"));
  EXPECT_TRUE(Contains(e, "'soon' is not a duration"));
}

constexpr const char* kStep = "steps:\n  - {id: q, type: text, text: {sv: Q, en: Q}}\n";

// Issue 17: a periodic duty is the organisation's own, in its words, with
// its dates, and a duty for the whole organisation names whose it is.
TEST(TemplateLoader, ADutyNeedsItsOwnWordsAndSchedule) {
  auto e = Errors(std::string(kHead) + kStep + R"(reminders:
  snapshot: {due_within: "10 working days"}
  archiving: {at: ["13-01"], text: {sv: T, en: T}, per: team}
  yearly_review: {at: "01-15", per: organisation, text: {sv: T}}
  inactivity: {text: {sv: T, en: T}, per: organisation}
)");
  EXPECT_TRUE(Contains(e, "duty 'snapshot' needs 'text'")) << ::testing::PrintToString(e);
  EXPECT_TRUE(Contains(e, "duty 'snapshot' needs 'at'"));
  EXPECT_TRUE(Contains(e, "'at' takes dates like"));
  EXPECT_TRUE(Contains(e, "'per' is 'account' or 'organisation'"));
  EXPECT_TRUE(Contains(e, "'text' needs both sv and en"));
  EXPECT_TRUE(Contains(e, "a duty 'per: organisation' names its role with 'to'"));
  EXPECT_TRUE(Contains(e, "duty 'inactivity' needs 'after'"));
  EXPECT_TRUE(Contains(e, "inactivity is per account"));

  auto fine = LoadTemplateString(std::string(kHead) + kStep + R"(reminders:
  yearly_review: {at: "01-15", to: kansli, per: organisation, text: {sv: T, en: T}}
  startup: {nudge_after: "1 week", escalate_to: [requester, kansli]}
)",
                                 "t.yaml");
  EXPECT_TRUE(fine.errors.empty()) << fine.errors[0].ToString();
}

TEST(TemplateLoader, ReadsTheOrganisationsCalendarAndDefaultsWithoutIt) {
  auto with = LoadTemplateString(std::string(kHead) + kStep + R"(calendar:
  office_hours: "09:00-16:30"
  closed_days: ["2026-12-28", "2027-01-07"]
)",
                                 "t.yaml");
  ASSERT_TRUE(with.errors.empty()) << with.errors[0].ToString();
  using std::chrono::year_month_day;
  using namespace std::chrono_literals;
  EXPECT_EQ(with.tmpl->calendar.open_minute, 9 * 60);
  EXPECT_EQ(with.tmpl->calendar.close_minute, 16 * 60 + 30);
  EXPECT_EQ(with.tmpl->calendar.closed_days,
            (std::vector<year_month_day>{2026y / 12 / 28, 2027y / 1 / 7}));

  auto without = LoadTemplateString(std::string(kHead) + kStep, "t.yaml");
  ASSERT_TRUE(without.errors.empty()) << without.errors[0].ToString();
  EXPECT_EQ(without.tmpl->calendar.open_minute, 8 * 60);
  EXPECT_EQ(without.tmpl->calendar.close_minute, 17 * 60);
  EXPECT_TRUE(without.tmpl->calendar.closed_days.empty());
}

TEST(TemplateLoader, ReportsBadOfficeHoursAndClosedDaysWithTheirPosition) {
  // Lines 1-6 are kHead, 7-8 the step, 9 "calendar:".
  auto e = Errors(std::string(kHead) + kStep + R"(calendar:
  office_hours: "8-17"
  closed_days: ["2026-12-28", "2026-02-30", "28/12"]
  colour: red
)");
  EXPECT_TRUE(Contains(e, "t.yaml:10:17: office_hours must be like \"08:00-17:00\", not '8-17'"))
      << ::testing::PrintToString(e);
  EXPECT_TRUE(Contains(e, "t.yaml:11:31: closed day '2026-02-30' is not a date"))
      << ::testing::PrintToString(e);
  EXPECT_TRUE(Contains(e, "t.yaml:11:45: closed day '28/12' is not a date"))
      << ::testing::PrintToString(e);
  EXPECT_TRUE(Contains(e, "unknown field 'colour'")) << ::testing::PrintToString(e);

  auto reversed =
      Errors(std::string(kHead) + kStep + "calendar: {office_hours: \"17:00-08:00\"}\n");
  EXPECT_TRUE(
      Contains(reversed, "t.yaml:9:26: office_hours '17:00-08:00' must open before it closes"))
      << ::testing::PrintToString(reversed);
  EXPECT_TRUE(
      Contains(Errors(std::string(kHead) + kStep + "calendar: {office_hours: \"08:00-25:00\"}\n"),
               "office_hours must be like"));
  EXPECT_TRUE(Contains(Errors(std::string(kHead) + kStep + "calendar: {closed_days: 2026-12-28}\n"),
                       "'closed_days' must be a list of dates"));
  EXPECT_TRUE(Contains(Errors(std::string(kHead) + kStep + "calendar: [08:00]\n"),
                       "'calendar' must be a map"));
}

TEST(TemplateLoader, ReadsContactAdviceCopiesAndTheLoginRule) {
  auto load = LoadTemplateString(std::string(kHead) + R"(  notify:
    - {role: narmaste_chef, of: superior, text: {sv: K, en: C}}
contact: {role: kansli, title: {sv: Kansliet, en: The office}}
password_advice: {sv: Till kansliet, en: To the office}
rules:
  login_email:
    personal_addresses: ["*.*@kommun.se"]
    message: {sv: M, en: M}
steps:
  - {id: u, type: url, example: {sv: www.x.se/sv, en: www.x.se/en}, text: {sv: U, en: U}}
)",
                                 "t.yaml");
  ASSERT_TRUE(load.errors.empty()) << ::testing::PrintToString(load.errors.size());
  EXPECT_EQ(load.tmpl->notify[0].of, "superior");
  EXPECT_EQ(load.tmpl->contact_role, "kansli");
  EXPECT_EQ(load.tmpl->contact_title.en, "The office");
  EXPECT_EQ(load.tmpl->password_advice.sv, "Till kansliet");
  EXPECT_EQ(load.tmpl->login_email->personal_addresses[0], "*.*@kommun.se");
  EXPECT_EQ(load.tmpl->steps[0].example.en, "www.x.se/en");
}

// forbidden_domains refused every address at the domain, functional ones
// too (issue 15): an old template says so at once instead of going on.
TEST(TemplateLoader, ReportsTheReplacedLoginRuleAndABadCopyRecipient) {
  auto e = Errors(std::string(kHead) + R"(  notify:
    - {role: narmaste_chef, of: boss}
rules:
  login_email:
    forbidden_domains: [kommun.se]
    message: {sv: M, en: M}
steps:
  - {id: q, type: text, text: {sv: Q, en: Q}}
)");
  EXPECT_TRUE(Contains(e, "replaced by 'personal_addresses'")) << ::testing::PrintToString(e);
  EXPECT_TRUE(Contains(e, "'of' can only be 'superior'")) << ::testing::PrintToString(e);
}

TEST(TemplateLoader, DurationsInWorkingTime) {
  EXPECT_TRUE(IsValidDuration("1 working day"));
  EXPECT_TRUE(IsValidDuration("4 working hours"));
  EXPECT_TRUE(IsValidDuration("6 months"));
  EXPECT_FALSE(IsValidDuration("a while"));
}

TEST(ShippedConfiguration, AllTemplatesLoad) {
  auto load = LoadTemplateDir(testing::SourcePath("config/templates"));
  for (const auto& e : load.errors) ADD_FAILURE() << e.ToString();
  EXPECT_EQ(load.templates.size(), 5u);
}

TEST(ShippedConfiguration, OnlyDalarnaHasTheSecureChannelReply) {
  // Dalarna 5: a health-care question asked in public is broken off and
  // moved to the ordinary (secure) channels; the social inbox offers this
  // text with one press, and only to organisations whose template has it.
  auto load = LoadTemplateDir(testing::SourcePath("config/templates"));
  for (const auto& [id, t] : load.templates) {
    auto text = t->public_replies.find("secure_channel");
    if (id == "dalarna") {
      ASSERT_NE(text, t->public_replies.end());
      EXPECT_NE(text->second.sv.find("1177"), std::string::npos);
      EXPECT_FALSE(text->second.en.empty());
    } else {
      EXPECT_EQ(text, t->public_replies.end()) << id;
    }
  }
  EXPECT_TRUE(
      Contains(Errors(std::string(kHead) + "public_replies: {other: {sv: x, en: y}}\n"), "other"));
}

TEST(ShippedConfiguration, CataloguesLoadWithEveryKeyInBothLanguages) {
  auto load = LoadCatalogDir(testing::SourcePath("config/messages"));
  for (const auto& e : load.errors) ADD_FAILURE() << e.ToString();
  EXPECT_TRUE(load.catalog.Has(Lang::kEn, "welcome.text"));
}

TEST(ShippedConfiguration, DirectoryLoadsWithAPersonForEveryRole) {
  auto load = LoadDirectoryFile(testing::SourcePath("config/directory.yaml"));
  for (const auto& e : load.errors) ADD_FAILURE() << e.ToString();
  for (const Organisation& org : load.directory.organisations()) {
    bool requester = false, info = false;
    for (const Person& p : load.directory.people()) {
      if (p.org != org.id) continue;
      requester |= p.HasRole("requester");
      info |= p.HasRole("informationsfunktion");
    }
    EXPECT_TRUE(requester) << org.id;
    EXPECT_TRUE(info) << org.id;
  }
}

// Bug: SMC's "kansli" role had no web-chat label, so the person picker showed
// the raw role id. Every role the shipped directory uses needs a label.
TEST(ShippedConfiguration, EveryRoleInTheDirectoryHasAWebChatLabel) {
  auto directory = LoadDirectoryFile(testing::SourcePath("config/directory.yaml"));
  auto catalogs = LoadCatalogDir(testing::SourcePath("config/messages"));
  for (const Person& p : directory.directory.people()) {
    for (const std::string& role : p.roles) {
      EXPECT_TRUE(catalogs.catalog.Has(Lang::kSv, "webchat.role." + role)) << role;
      EXPECT_TRUE(catalogs.catalog.Has(Lang::kEn, "webchat.role." + role)) << role;
    }
  }
}

TEST(DirectoryLoader, ReportsUnknownOrganisationAndSuperior) {
  auto load = LoadDirectoryString(R"(organisations:
  - {id: o, name: {sv: O, en: O}}
people:
  - {id: a, name: A, org: x, superior: nobody}
)",
                                  "d.yaml");
  std::vector<std::string> e;
  for (const auto& err : load.errors) e.push_back(err.ToString());
  EXPECT_TRUE(Contains(e, "unknown organisation 'x'"));
  EXPECT_TRUE(Contains(e, "unknown superior 'nobody'"));
}

TEST(TemplateLoader, ReportsPlainTextWhereAMapBelongsWithItsPosition) {
  // Bug (found by fuzzing): an approval step, a rules block or a
  // notification written as plain text made yaml-cpp throw BadSubscript out
  // of the loader, so check-template and start-up died without a position.
  auto e = Errors(R"(id: t
organisation: {sv: O, en: O}
form_title: {sv: F, en: F}
rules: {login_email: gislaved.se}
steps:
  - {id: q, type: text, text: {sv: Q, en: Q}}
approval:
  steps: [chef, {parallel: [kommunikation]}]
  administrators: q
  notify: [informationsfunktion]
  startup_steps: [logga]
reminders: [approval]
register: medium
)");
  EXPECT_TRUE(Contains(e, "t.yaml:8:11: an approval step must be a map"))
      << ::testing::PrintToString(e);
  EXPECT_TRUE(Contains(e, "t.yaml:8:29: an approval step must be a map"));
  EXPECT_TRUE(Contains(e, "t.yaml:10:12: a notification must be a map"));
  EXPECT_TRUE(Contains(e, "t.yaml:11:19: a startup step must be a map"));
  EXPECT_TRUE(Contains(e, "t.yaml:12:12: 'reminders' must be a map"));
  EXPECT_TRUE(Contains(e, "t.yaml:13:11: 'register' must be a map"));
}

TEST(DirectoryLoader, ReportsPlainTextWhereAMapBelongsWithItsPosition) {
  // Bug (found by fuzzing): an organisation, person or deputy written as
  // plain text made yaml-cpp throw BadSubscript out of the loader, so
  // kontobot died at start-up instead of naming the line.
  auto load = LoadDirectoryString(R"(organisations:
  - gislaved
people:
  - anna
  - {id: a, name: A, org: x, deputies: [b]}
)",
                                  "d.yaml");
  std::vector<std::string> e;
  for (const auto& err : load.errors) e.push_back(err.ToString());
  EXPECT_TRUE(Contains(e, "d.yaml:2:5: an organisation is a map")) << ::testing::PrintToString(e);
  EXPECT_TRUE(Contains(e, "d.yaml:4:5: a person is a map"));
  EXPECT_TRUE(Contains(e, "d.yaml:5:41: a deputy is a map"));
  // A directory that is not a map at all is an error, not an exception.
  EXPECT_FALSE(LoadDirectoryString("just text", "d.yaml").errors.empty());
}

}  // namespace
}  // namespace kontobot::config
