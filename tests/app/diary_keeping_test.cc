// Strategy: app::SetDiaryNumber, the write the chat command, `kontobot
// diary` and the desk share, over a real store file with one Gislaved case
// written in by SQL: it stores and audits a valid number set by the
// organisation's information function, and for anyone else, an unknown
// case or a number that is not one it writes nothing.
#include <gtest/gtest.h>

#include "app/diary_keeping.h"
#include "tests/e2e/bot_process.h"
#include "tests/test_support.h"

namespace kontobot::testing {
namespace {

using app::DiaryWrite;
using Outcome = DiaryWrite::Outcome;

class DiaryKeeping : public ::testing::Test {
 protected:
  DiaryKeeping() : store_(TempDb()) {
    const std::string t = "'2026-03-02T09:00:00.000Z'";
    store_.db().exec(
        "INSERT INTO persons(id, name, org, first_seen) VALUES ('gis-anna', 'Anna', "
        "'gislaved', " +
        t + ")");
    store_.db().exec(
        "INSERT INTO drafts(id, person_id, org, template_id, template_version, status, state, "
        "created_at, updated_at) VALUES (1, 'gis-anna', 'gislaved', 'gislaved', 1, 'submitted', "
        "'{}', " +
        t + ", " + t + ")");
    store_.db().exec(
        "INSERT INTO registrations(id, person_id, org, template_id, template_version, answers, "
        "status, submitted_at) VALUES (1, 'gis-anna', 'gislaved', 'gislaved', 1, '{}', "
        "'pending_approval', " +
        t + ")");
    info_.id = "gis-info";
    info_.org = "gislaved";
    info_.roles = {"informationsfunktion"};
  }

  DiaryWrite Set(const Person& who, int64_t id, const std::string& raw) {
    store::Transaction tx(store_);
    DiaryWrite w = app::SetDiaryNumber(tx, who, id, raw, "2026-03-03", TimePoint{}, "desk");
    tx.Commit();
    return w;
  }
  int64_t Audits() {
    store::Transaction tx(store_);
    return tx.CountAudit("diary.set");
  }

  store::Store store_;
  Person info_;
};

TEST_F(DiaryKeeping, StoresAndAuditsANumberOfItsOwnOrganisation) {
  DiaryWrite w = Set(info_, 1, "  KS 2026/0042\n");
  EXPECT_EQ(w.outcome, Outcome::kSet);
  EXPECT_EQ(w.number, "KS 2026/0042");
  EXPECT_FALSE(w.old);
  w = Set(info_, 1, "KS 2026/0043");
  ASSERT_TRUE(w.old);
  EXPECT_EQ(w.old->diarienummer, "KS 2026/0042");
  store::Transaction tx(store_);
  auto entry = tx.Diary(1);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->diarienummer, "KS 2026/0043");
  EXPECT_EQ(entry->registered_on, "2026-03-03");
  EXPECT_EQ(entry->set_by, "gis-info");
  auto audit = tx.AuditOf({"registration:1"});
  ASSERT_EQ(audit.size(), 2U);
  EXPECT_EQ(audit.back()["action"], "diary.set");
  EXPECT_EQ(audit.back()["detail"]["channel"], "desk");
  EXPECT_EQ(audit.back()["detail"]["old"], "KS 2026/0042");
}

TEST_F(DiaryKeeping, WritesNothingForAnyoneElseAnUnknownCaseOrABadNumber) {
  Person other = info_;
  other.org = "dalarna";
  Person requester = info_;
  requester.roles = {"requester"};
  EXPECT_EQ(Set(other, 1, "KS 1").outcome, Outcome::kNotAllowed);
  EXPECT_EQ(Set(requester, 1, "KS 1").outcome, Outcome::kNotAllowed);
  EXPECT_EQ(Set(info_, 2, "KS 1").outcome, Outcome::kUnknownCase);
  EXPECT_EQ(Set(info_, 1, " \n ").outcome, Outcome::kInvalid);
  EXPECT_EQ(Set(info_, 1, std::string(101, 'x')).outcome, Outcome::kInvalid);
  EXPECT_EQ(Audits(), 0);
  store::Transaction tx(store_);
  EXPECT_FALSE(tx.Diary(1));
}

}  // namespace
}  // namespace kontobot::testing
