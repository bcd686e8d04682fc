// Strategy: the reminder engine alone, with the shipped templates,
// catalogue and directory, the real Europe/Stockholm LocalTime and the
// Swedish calendar, and instants written out by hand: each kind of wait is
// fired step by step as the scheduler would (the row that Fire returns is
// the next one fired), so nudges, escalations, office-hours deferral,
// snooze, "Noterat", DST weeks and the periodic duties are pinned to the
// minute.
#include "bot/reminders.h"

#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "handlers/stockholm_time.h"
#include "store/clock_format.h"
#include "tests/test_support.h"

namespace kontobot {
namespace {

using testing::ShippedCatalog;
using testing::ShippedDirectory;
using testing::ShippedTemplates;

TimePoint Utc(const std::string& iso) {
  auto t = store::ParseUtc(iso);
  EXPECT_TRUE(t) << iso;
  return t.value_or(TimePoint{});
}

class RemindersTest : public ::testing::Test {
 protected:
  handlers::ZoneTime local_{"Europe/Stockholm"};
  SwedishCalendar calendar_;
  Reminders r_{ShippedTemplates(), ShippedCatalog(), ShippedDirectory(), local_, calendar_};

  WaitFacts ApprovalFacts() {
    WaitFacts f;
    f.open = true;
    f.assignee = "gis-per";
    f.requester = "gis-anna";
    f.registration = 7;
    f.task_id = 12;
    f.draft_id = 7;
    return f;
  }
  // Dalarna: Johan is to accept administering Karin's account.
  static WaitFacts AdminFacts() {
    WaitFacts f;
    f.open = true;
    f.assignee = "dal-johan";
    f.requester = "dal-karin";
    f.task_id = 20;
    return f;
  }
  Timer ApprovalTimer(TimePoint since) {
    auto t = r_.Start("approval", "task:12", "gis-per", "gislaved", since);
    EXPECT_TRUE(t);
    t->detail["registration"] = 7;
    return *t;
  }
};

std::vector<std::string> Ids(const Reply& r) {
  std::vector<std::string> out;
  for (const Button& b : r.buttons) out.push_back(b.id);
  return out;
}

TEST(Durations, ParseAsTemplatesWriteThem) {
  auto d = ParseDuration("3 working days");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->unit, Duration::Unit::kWorkingMinutes);
  EXPECT_EQ(d->amount, -3);  // whole working days
  d = ParseDuration("4 working hours");
  EXPECT_EQ(d->amount, 240);
  d = ParseDuration("2 weeks");
  EXPECT_EQ(d->unit, Duration::Unit::kDays);
  EXPECT_EQ(d->amount, 14);
  d = ParseDuration("6 months");
  EXPECT_EQ(d->unit, Duration::Unit::kMonths);
  EXPECT_EQ(d->amount, 6);
  EXPECT_FALSE(ParseDuration("soon"));
  EXPECT_FALSE(ParseDuration("3 workingdays"));
}

TEST(Policies, TemplatesOverrideTheDefaultsFromTheSeeds) {
  const auto& t = ShippedTemplates();
  // SMC: a weekly nudge and nobody to escalate to.
  auto smc = PolicyFor(t.at("smc").get(), "approval");
  ASSERT_TRUE(smc);
  EXPECT_EQ(smc->nudge_after->amount, 7);
  EXPECT_FALSE(smc->escalate_after);
  // Gislaved: its own snapshot text, the default escalation.
  auto snap = PolicyFor(t.at("gislaved").get(), "snapshot");
  ASSERT_TRUE(snap);
  EXPECT_NE(snap->text.sv.find("pdf/a"), std::string::npos);
  EXPECT_EQ(snap->at, (std::vector<std::string>{"01-01", "07-01"}));
  EXPECT_EQ(snap->escalate_to, std::vector<std::string>{"informationsfunktion"});
  // No template: every default.
  auto admin = PolicyFor(nullptr, "admin");
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->escalate_to, std::vector<std::string>{"requester"});
  EXPECT_FALSE(PolicyFor(nullptr, "unknown"));
}

TEST_F(RemindersTest, AnApprovalIsNudgedAfterOneWorkingDayAndEscalatedAfterThree) {
  // Monday 23 November 2026, 09:00 (08:00Z).
  Timer t = ApprovalTimer(Utc("2026-11-23T08:00:00.000Z"));
  EXPECT_EQ(store::FormatUtc(t.due), "2026-11-24T08:00:00.000Z");  // Tuesday 09:00

  Firing f = r_.Fire(t, ApprovalFacts(), t.due);
  ASSERT_EQ(f.result, Firing::Result::kFired);
  ASSERT_EQ(f.messages.size(), 1u);
  EXPECT_EQ(f.messages[0].person, "gis-per");
  EXPECT_EQ(f.messages[0].task_ids, std::vector<int64_t>{12});
  const std::string& text = f.messages[0].reply.text;
  EXPECT_NE(text.find("godkännandet av anmälan nr 7"), std::string::npos) << text;
  EXPECT_NE(text.find("sedan måndag 23 november 2026 kl. 09.00"), std::string::npos) << text;
  EXPECT_EQ(Ids(f.messages[0].reply),
            (std::vector<std::string>{"approve", "reject", "ask", "remind_ack", "remind_snooze",
                                      "remind_snooze", "remind_snooze"}));
  ASSERT_EQ(f.next.size(), 1u);
  EXPECT_EQ(f.next[0].step, 2);
  EXPECT_EQ(store::FormatUtc(f.next[0].due), "2026-11-25T08:00:00.000Z");  // Wednesday

  Firing wed = r_.Fire(f.next[0], ApprovalFacts(), f.next[0].due);
  ASSERT_EQ(wed.messages.size(), 1u);
  EXPECT_EQ(store::FormatUtc(wed.next[0].due), "2026-11-26T08:00:00.000Z");  // Thursday

  Firing thu = r_.Fire(wed.next[0], ApprovalFacts(), wed.next[0].due);
  ASSERT_EQ(thu.messages.size(), 2u);
  EXPECT_EQ(thu.messages[0].person, "gis-eva");  // Per's superior
  EXPECT_NE(thu.messages[0].reply.text.find("Per Ek har ännu inte hanterat"), std::string::npos);
  EXPECT_EQ(thu.messages[1].person, "gis-per");
  EXPECT_TRUE(thu.next[0].detail["escalated"].get<bool>());

  // Later steps nudge but never escalate again, and stop at kMaxNudges.
  Timer step = thu.next[0];
  int fired = 3;
  while (true) {
    Firing more = r_.Fire(step, ApprovalFacts(), step.due);
    for (const Nudge& n : more.messages) EXPECT_EQ(n.person, "gis-per");
    ++fired;
    if (more.next.empty()) break;
    step = more.next[0];
    ASSERT_LT(fired, 20);
  }
  EXPECT_EQ(fired, Reminders::kMaxNudges);
}

TEST_F(RemindersTest, AResolvedWaitSendsNothing) {
  Timer t = ApprovalTimer(Utc("2026-11-23T08:00:00.000Z"));
  WaitFacts f = ApprovalFacts();
  f.open = false;
  Firing out = r_.Fire(t, f, t.due);
  EXPECT_EQ(out.result, Firing::Result::kResolved);
  EXPECT_TRUE(out.messages.empty());
  EXPECT_TRUE(out.next.empty());
}

TEST_F(RemindersTest, OutsideOfficeHoursTheNudgeWaitsForTheNextOpening) {
  Timer t = ApprovalTimer(Utc("2026-11-23T08:00:00.000Z"));
  struct Case {
    const char* now;
    const char* opening;
  };
  for (const Case& c : {Case{"2026-11-24T19:00:00.000Z", "2026-11-25T07:00:00.000Z"},  // evening
                        Case{"2026-11-25T06:30:00.000Z", "2026-11-25T07:00:00.000Z"},  // 07:30
                        Case{"2026-11-28T09:00:00.000Z", "2026-11-30T07:00:00.000Z"},  // Saturday
                        // Julafton 2026 (Thursday) to Monday 28 December.
                        Case{"2026-12-24T09:00:00.000Z", "2026-12-28T07:00:00.000Z"}}) {
    Firing f = r_.Fire(t, ApprovalFacts(), Utc(c.now));
    EXPECT_EQ(f.result, Firing::Result::kDeferred) << c.now;
    EXPECT_EQ(store::FormatUtc(f.deferred_to), c.opening) << c.now;
    EXPECT_TRUE(f.messages.empty());
  }
}

TEST_F(RemindersTest, AnOrganisationsOwnCalendarMovesOnlyItsOwnNudges) {
  // Gislaved with office hours 09:00-16:00 and Wednesday 25 November 2026
  // closed, as its template's `calendar:` block would say.
  using namespace std::chrono_literals;
  TemplateSet templates = ShippedTemplates();
  auto gislaved = std::make_shared<Template>(*templates.at("gislaved"));
  gislaved->calendar.open_minute = 9 * 60;
  gislaved->calendar.close_minute = 16 * 60;
  gislaved->calendar.closed_days = {2026y / 11 / 25};
  templates["gislaved"] = gislaved;
  Reminders r{templates, ShippedCatalog(), ShippedDirectory(), local_, calendar_};

  // An approval asked Tuesday 10:00 is nudged one working day later: not on
  // the closed Wednesday but Thursday 10:00.
  auto t = r.Start("approval", "task:12", "gis-per", "gislaved", Utc("2026-11-24T09:00:00.000Z"));
  ASSERT_TRUE(t);
  EXPECT_EQ(store::FormatUtc(t->due), "2026-11-26T09:00:00.000Z");
  // A row that falls due on the closed day waits for Thursday's opening, 09:00.
  Firing closed = r.Fire(*t, ApprovalFacts(), Utc("2026-11-25T10:00:00.000Z"));
  EXPECT_EQ(closed.result, Firing::Result::kDeferred);
  EXPECT_EQ(store::FormatUtc(closed.deferred_to), "2026-11-26T08:00:00.000Z");
  EXPECT_TRUE(closed.messages.empty());
  // Monday 16:30 is after Gislaved's closing: deferred to Tuesday 09:00,
  // not to the default 08:00.
  Firing late = r.Fire(*t, ApprovalFacts(), Utc("2026-11-23T15:30:00.000Z"));
  EXPECT_EQ(late.result, Firing::Result::kDeferred);
  EXPECT_EQ(store::FormatUtc(late.deferred_to), "2026-11-24T08:00:00.000Z");
  // Tuesday 08:30 is before it opens.
  EXPECT_EQ(store::FormatUtc(r.NextOpen("gislaved", Utc("2026-11-24T07:30:00.000Z"))),
            "2026-11-24T08:00:00.000Z");
  // Thursday 15:30 is within its hours: the nudge goes out.
  EXPECT_EQ(r.Fire(*t, ApprovalFacts(), Utc("2026-11-26T14:30:00.000Z")).result,
            Firing::Result::kFired);

  // Dalarna keeps the default calendar: Wednesday is a working day, 16:30 is
  // open and 08:00 is the opening.
  auto d = r.Start("admin", "task:20", "dal-johan", "dalarna", Utc("2026-11-23T08:00:00.000Z"));
  ASSERT_TRUE(d);
  EXPECT_EQ(store::FormatUtc(d->due), "2026-11-25T08:00:00.000Z");  // two working days
  WaitFacts f = AdminFacts();
  Firing open = r.Fire(*d, f, Utc("2026-11-25T15:30:00.000Z"));
  EXPECT_EQ(open.result, Firing::Result::kFired);
  EXPECT_EQ(open.messages.size(), 1u);
  EXPECT_EQ(store::FormatUtc(r.NextOpen("dalarna", Utc("2026-11-23T15:30:00.000Z"))),
            "2026-11-23T15:30:00.000Z");
  EXPECT_EQ(store::FormatUtc(r.NextOpen("dalarna", Utc("2026-11-24T06:30:00.000Z"))),
            "2026-11-24T07:00:00.000Z");
}

TEST_F(RemindersTest, AdministratorAcceptanceEscalatesToTheRequester) {
  auto t = r_.Start("admin", "task:20", "dal-johan", "dalarna", Utc("2026-11-23T08:00:00.000Z"));
  ASSERT_TRUE(t);
  EXPECT_EQ(store::FormatUtc(t->due), "2026-11-25T08:00:00.000Z");  // two working days
  WaitFacts f = AdminFacts();
  Firing first = r_.Fire(*t, f, t->due);
  ASSERT_EQ(first.messages.size(), 1u);
  EXPECT_EQ(Ids(first.messages[0].reply)[0], "accept");
  // The escalation is at five working days: Monday 30 November 09:00.
  Firing second = r_.Fire(first.next[0], f, first.next[0].due);
  EXPECT_EQ(store::FormatUtc(second.next[0].due), "2026-11-30T08:00:00.000Z");
  Firing third = r_.Fire(second.next[0], f, second.next[0].due);
  ASSERT_EQ(third.messages.size(), 2u);
  EXPECT_EQ(third.messages[0].person, "dal-karin");
}

TEST_F(RemindersTest, AnIdleDraftNudgesItsRequesterWithAResumeButton) {
  auto t = r_.Start("draft_idle", "draft:5", "gis-anna", "gislaved",
                    Utc("2026-11-20T14:00:00.000Z"));  // Friday 15:00
  ASSERT_TRUE(t);
  EXPECT_EQ(store::FormatUtc(t->due), "2026-11-25T14:00:00.000Z");  // Wednesday 15:00
  WaitFacts f;
  f.open = true;
  f.assignee = f.requester = "gis-anna";
  f.draft_id = 5;
  Firing out = r_.Fire(*t, f, t->due);
  ASSERT_EQ(out.messages.size(), 1u);
  EXPECT_EQ(out.messages[0].reply.buttons[0].id, "resume");
  EXPECT_EQ(out.messages[0].reply.buttons[0].value, "5");
}

TEST_F(RemindersTest, SnoozeMovesToTheOpeningOfTheChosenWorkingDay) {
  Timer t = ApprovalTimer(Utc("2026-11-23T08:00:00.000Z"));
  // From Friday 27 November: next working day is Monday 30.
  auto s = r_.Snooze(t, "1", Utc("2026-11-27T10:00:00.000Z"));
  ASSERT_TRUE(s);
  EXPECT_EQ(store::FormatUtc(s->due), "2026-11-30T07:00:00.000Z");
  s = r_.Snooze(t, "3", Utc("2026-11-27T10:00:00.000Z"));
  EXPECT_EQ(store::FormatUtc(s->due), "2026-12-02T07:00:00.000Z");
  // Next week from Wednesday 25 November: Monday 30 November.
  s = r_.Snooze(t, "week", Utc("2026-11-25T10:00:00.000Z"));
  EXPECT_EQ(store::FormatUtc(s->due), "2026-11-30T07:00:00.000Z");
  // Next week from Maundy Thursday 2027 (25 March): Easter Monday is a
  // holiday, so Tuesday 30 March, in summer time (08:00 CEST = 06:00Z).
  s = r_.Snooze(t, "week", Utc("2027-03-25T10:00:00.000Z"));
  EXPECT_EQ(store::FormatUtc(s->due), "2027-03-30T06:00:00.000Z");
  EXPECT_FALSE(r_.Snooze(t, "someday", Utc("2026-11-25T10:00:00.000Z")));
}

TEST_F(RemindersTest, SnoozeToAChosenDayMovesClosedDaysToTheNextWorkingDay) {
  Timer t = ApprovalTimer(Utc("2026-11-23T08:00:00.000Z"));
  const TimePoint monday = Utc("2026-11-23T10:00:00.000Z");
  auto s = r_.Snooze(t, "date:2026-11-27", monday);
  ASSERT_TRUE(s);
  EXPECT_EQ(store::FormatUtc(s->due), "2026-11-27T07:00:00.000Z");  // Friday 08:00
  // Julafton, juldagen, annandag jul, then a Sunday: Monday 28 December.
  s = r_.Snooze(t, "date:2026-12-24", monday);
  ASSERT_TRUE(s);
  EXPECT_EQ(store::FormatUtc(s->due), "2026-12-28T07:00:00.000Z");
  EXPECT_FALSE(r_.Snooze(t, "date:2026-11-23", monday)) << "today";
  EXPECT_FALSE(r_.Snooze(t, "date:2026-11-20", monday)) << "the past";
  EXPECT_TRUE(r_.Snooze(t, "date:2026-12-24", monday)) << "31 days ahead";
  EXPECT_FALSE(r_.Snooze(t, "date:2026-12-25", monday)) << "more than 31 days ahead";
  EXPECT_FALSE(r_.Snooze(t, "date:2026-02-30", monday));
  EXPECT_EQ(r_.LastSnoozeDay(monday, Lang::kSv), "24 december");
}

TEST_F(RemindersTest, ATypedSnoozeNamesItsDayInSwedishOrEnglish) {
  const TimePoint monday = Utc("2026-11-23T10:00:00.000Z");  // Monday 23 November
  auto typed = [&](const std::string& text) { return r_.TypedSnooze(text, monday); };
  EXPECT_EQ(typed("påminn mig fredag"), "date:2026-11-27");
  EXPECT_EQ(typed("Påminn mig på Fredag."), "date:2026-11-27");
  EXPECT_EQ(typed("remind me on Friday"), "date:2026-11-27");
  EXPECT_EQ(typed("snooze måndag"), "date:2026-11-30") << "the next Monday, not today";
  EXPECT_EQ(typed("påminn mig 3/12"), "date:2026-12-03");
  EXPECT_EQ(typed("påminn mig den 3 december"), "date:2026-12-03");
  EXPECT_EQ(typed("påminn 3 dec"), "date:2026-12-03");
  EXPECT_EQ(typed("remind me 3 December 2026"), "date:2026-12-03");
  EXPECT_EQ(typed("påminn mig 2026-12-03"), "date:2026-12-03");
  EXPECT_EQ(typed("påminn mig 1/1"), "date:2027-01-01") << "the next 1 January";
  EXPECT_EQ(typed("påminn mig i morgon"), "1");
  EXPECT_EQ(typed("remind me tomorrow"), "1");
  EXPECT_EQ(typed("påminn mig nästa vecka"), "week");
  EXPECT_EQ(typed("påminn mig sen"), "") << "a day is missing: the service explains";
  EXPECT_EQ(typed("påminn mig 31/2"), "");
  EXPECT_EQ(typed("påminn"), "");
  EXPECT_FALSE(typed("hej"));
  EXPECT_FALSE(typed("påminnelse")) << "a word that only starts like the command";
  EXPECT_FALSE(typed("fredag"));
}

TEST_F(RemindersTest, NotedStopsTheNudgesButNotTheEscalation) {
  Timer t = ApprovalTimer(Utc("2026-11-23T08:00:00.000Z"));
  Firing first = r_.Fire(t, ApprovalFacts(), t.due);
  auto acked = r_.Acknowledge(first.next[0]);
  ASSERT_TRUE(acked);
  EXPECT_EQ(store::FormatUtc(acked->due), "2026-11-26T08:00:00.000Z");  // the escalation
  Firing esc = r_.Fire(*acked, ApprovalFacts(), acked->due);
  ASSERT_EQ(esc.messages.size(), 1u);
  EXPECT_EQ(esc.messages[0].person, "gis-eva");
  EXPECT_TRUE(esc.next.empty());
  // Without an escalation to come, "Noterat" ends the wait's reminders.
  auto smc = r_.Start("approval", "task:30", "smc-board", "smc", Utc("2026-11-23T08:00:00.000Z"));
  EXPECT_FALSE(r_.Acknowledge(*smc));
}

TEST_F(RemindersTest, DaylightSavingWeeksKeepLocalOfficeHours) {
  // Friday 27 March 2026 09:00 CET; clocks go forward on Sunday 29 March.
  Timer spring = ApprovalTimer(Utc("2026-03-27T08:00:00.000Z"));
  EXPECT_EQ(store::FormatUtc(spring.due), "2026-03-30T07:00:00.000Z");  // Monday 09:00 CEST
  // Friday 23 October 2026 09:00 CEST; clocks go back on Sunday 25 October.
  Timer autumn = ApprovalTimer(Utc("2026-10-23T07:00:00.000Z"));
  EXPECT_EQ(store::FormatUtc(autumn.due), "2026-10-26T08:00:00.000Z");  // Monday 09:00 CET
  Firing f = r_.Fire(autumn, ApprovalFacts(), autumn.due);
  EXPECT_NE(f.messages[0].reply.text.find("sedan fredag 23 oktober 2026 kl. 09.00"),
            std::string::npos)
      << f.messages[0].reply.text;
}

TEST_F(RemindersTest,
       ACommentAwaitingReplyGoesToTheHolderThenTheDeputiesThenTheInformationFunction) {
  // Dalarna: "inom det närmaste dygnet på vardagar"; Johan holds the
  // account, Sara is the second administrator (cover during absence).
  const TimePoint friday = Utc("2026-11-27T14:00:00.000Z");  // Friday 15:00
  auto t = r_.Start("public_reply", "reply:9:c1", "", "dalarna", friday);
  ASSERT_TRUE(t);
  EXPECT_EQ(store::FormatUtc(t->due), "2026-11-30T14:00:00.000Z");  // one working day: Monday
  t->detail["account_label"] = "Facebook, www.facebook.com/folktandvarden";
  WaitFacts f;
  f.open = true;
  f.administrators = {{{"name", "Johan Berg"}, {"email", "johan.berg@ltdalarna.se"}},
                      {{"name", "Sara Nyström"}, {"email", "sara.nystrom@ltdalarna.se"}}};

  Firing holder = r_.Fire(*t, f, t->due);
  ASSERT_EQ(holder.messages.size(), 1u);
  EXPECT_EQ(holder.messages[0].person, "dal-johan");
  EXPECT_NE(holder.messages[0].reply.text.find("Facebook, www.facebook.com/folktandvarden"),
            std::string::npos);
  EXPECT_NE(holder.messages[0].reply.text.find("sedan fredag 27 november 2026 kl. 15.00"),
            std::string::npos)
      << holder.messages[0].reply.text;
  EXPECT_EQ(holder.messages[0].reply.buttons[0].id, "duty_done");
  EXPECT_EQ(holder.messages[0].reply.buttons[0].value, "reply:9:c1");
  for (const Button& b : holder.messages[0].reply.buttons)
    EXPECT_NE(b.id, "remind_ack") << "Noterat would end the chain";
  ASSERT_EQ(holder.next.size(), 1u);
  EXPECT_EQ(store::FormatUtc(holder.next[0].due), "2026-12-01T14:00:00.000Z");

  Firing deputy = r_.Fire(holder.next[0], f, holder.next[0].due);
  ASSERT_EQ(deputy.messages.size(), 1u);
  EXPECT_EQ(deputy.messages[0].person, "dal-sara");
  EXPECT_NE(deputy.messages[0].reply.text.find("kontoansvarig har inte svarat"), std::string::npos);
  ASSERT_EQ(deputy.next.size(), 1u);

  Firing info = r_.Fire(deputy.next[0], f, deputy.next[0].due);
  ASSERT_EQ(info.messages.size(), 1u);
  EXPECT_EQ(info.messages[0].person, "dal-lena");
  EXPECT_TRUE(info.next.empty()) << "the end of the chain";

  // An account with one administrator: no deputy, straight to the
  // information function.
  f.administrators = {{{"name", "Johan Berg"}, {"email", "johan.berg@ltdalarna.se"}}};
  Firing alone = r_.Fire(holder.next[0], f, holder.next[0].due);
  ASSERT_EQ(alone.messages.size(), 1u);
  EXPECT_EQ(alone.messages[0].person, "dal-lena");
  EXPECT_TRUE(alone.next.empty());
  // Answered meanwhile: nothing.
  f.open = false;
  EXPECT_EQ(r_.Fire(*t, f, t->due).result, Firing::Result::kResolved);
  // Organisations whose seed sets no answer time get no such reminders.
  EXPECT_FALSE(r_.Start("public_reply", "reply:7:c1", "", "gislaved", friday));
}

TEST_F(RemindersTest, EachOrganisationGetsTheDutiesItsSeedAsksForAndNoOthers) {
  const TimePoint now = Utc("2026-11-23T10:00:00.000Z");
  auto kinds = [&](const std::string& org) {
    std::vector<std::string> out;
    for (const Timer& t : r_.AccountDuties(7, org, now)) out.push_back(t.subject);
    for (const Timer& t : r_.OrganisationDuties(org, now)) out.push_back(t.subject);
    return out;
  };
  // Gislaved and Dalarna: the half-yearly snapshot, and the goals followed
  // up once ("Glöm inte att efter ett tag följa upp insatserna"; "Mät och
  // utvärdera"); no yearly review, no inactivity check.
  EXPECT_EQ(kinds("gislaved"),
            (std::vector<std::string>{"snapshot:7:2027-01-01", "follow_up:7:2026-11-23"}));
  EXPECT_EQ(kinds("dalarna"),
            (std::vector<std::string>{"snapshot:7:2027-01-01", "follow_up:7:2026-11-23"}));
  // Trosa: the transfer to paper, having no electronic final archive.
  EXPECT_EQ(kinds("trosa"), std::vector<std::string>{"archiving:7:2027-01-15"});
  // SMC: inactive pages per account; the internal list reviewed once a
  // year for the whole organisation, by the kansli.
  EXPECT_EQ(kinds("smc"), (std::vector<std::string>{"inactivity:7:2026-11-23",
                                                    "yearly_review:org-smc:2027-01-15"}));
  // SLL: what is decided with the county archive, none by default.
  EXPECT_TRUE(kinds("sll").empty());
  EXPECT_FALSE(PolicyFor(nullptr, "snapshot"));
}

TEST_F(RemindersTest, EachDutySpeaksInItsOwnOrganisationsWords) {
  WaitFacts f;
  f.open = true;
  f.account = "Facebook, www.facebook.com/x";
  auto ask = [&](const std::string& org, const nlohmann::json& admin) {
    f.administrators = nlohmann::json::array({admin});
    std::vector<Timer> duties = r_.AccountDuties(7, org, Utc("2026-11-23T10:00:00.000Z"));
    EXPECT_FALSE(duties.empty());
    Firing fired = r_.Fire(duties[0], f, Utc("2027-01-18T09:00:00.000Z"));
    EXPECT_EQ(fired.messages.size(), 1u) << org;
    return fired.messages.empty() ? std::string() : fired.messages[0].reply.text;
  };
  std::string dalarna =
      ask("dalarna", {{"name", "Sara Nyström"}, {"email", "sara.nystrom@ltdalarna.se"}});
  EXPECT_NE(dalarna.find("pdf-format"), std::string::npos) << dalarna;
  // The message contradicted Dalarna's own sentence with Gislaved's PDF/A
  // to the archivist.
  EXPECT_EQ(dalarna.find("pdf/a"), std::string::npos) << dalarna;
  EXPECT_EQ(dalarna.find("arkivarie"), std::string::npos) << dalarna;
  std::string gislaved =
      ask("gislaved", {{"name", "Omar Haddad"}, {"email", "omar.haddad@gislaved.se"}});
  EXPECT_NE(gislaved.find("pdf/a"), std::string::npos) << gislaved;
  EXPECT_NE(gislaved.find("arkivarie"), std::string::npos) << gislaved;
  std::string trosa = ask("trosa", {{"name", "Emma Falk"}, {"email", "emma.falk@trosa.se"}});
  EXPECT_NE(trosa.find("åldringsbeständigt papper"), std::string::npos) << trosa;
  EXPECT_EQ(trosa.find("pdf"), std::string::npos) << trosa;
  EXPECT_NE(trosa.find("Dags för överföringen till åldringsbeständigt papper för kontot"),
            std::string::npos)
      << trosa;
}

// Issue 17, item 2 (absence): Dalarna's "Minst en ytterligare person ska
// utses som kan sköta kommunikationen vid kontoansvarigs frånvaro". While
// Sara's absence is in force, Johan (her cover) is asked in her place, once;
// when it is over she is asked again, with nothing to "return" but the
// date the row fires on.
TEST_F(RemindersTest, DuringAnAbsenceTheCoverIsAskedAndAfterItTheAbsentPersonAgain) {
  WaitFacts f;
  f.open = true;
  f.account = "Facebook, www.facebook.com/folktandvarden";
  f.administrators = {{{"name", "Sara Nyström"}, {"email", "sara.nystrom@ltdalarna.se"}},
                      {{"name", "Johan Berg"}, {"email", "johan.berg@ltdalarna.se"}}};
  Absence away;
  away.id = 1;
  away.account = 9;
  away.person = "dal-sara";
  away.cover = "dal-johan";
  away.from = "2027-01-01";
  away.to = "2027-01-31";
  away.state = kAbsenceInForce;
  f.absences = {away};
  std::vector<Timer> duties = r_.AccountDuties(9, "dalarna", Utc("2026-11-23T10:00:00.000Z"));
  ASSERT_FALSE(duties.empty());
  ASSERT_EQ(duties[0].subject, "snapshot:9:2027-01-01");
  auto recipients = [](const Firing& fired) {
    std::vector<std::string> out;
    for (const Nudge& n : fired.messages) out.push_back(n.person);
    return out;
  };
  // Monday 4 January 2027, 09:00: the first working day of the period.
  Firing during = r_.Fire(duties[0], f, Utc("2027-01-04T08:00:00.000Z"));
  EXPECT_EQ(recipients(during), std::vector<std::string>{"dal-johan"}) << "not Sara, not twice";
  // The last day of the period is still hers to be covered.
  Firing last_day = r_.Fire(duties[0], f, Utc("2027-01-29T08:00:00.000Z"));
  EXPECT_EQ(recipients(last_day), std::vector<std::string>{"dal-johan"});
  // Monday 1 February: the period is over, both are asked again.
  Firing after = r_.Fire(duties[0], f, Utc("2027-02-01T08:00:00.000Z"));
  EXPECT_EQ(recipients(after), (std::vector<std::string>{"dal-sara", "dal-johan"}));
  // An absence only asked for (not yet accepted), or declined, changes
  // nothing.
  for (const char* state : {kAbsenceRequested, kAbsenceDeclined, kAbsenceCancelled}) {
    f.absences[0].state = state;
    EXPECT_EQ(recipients(r_.Fire(duties[0], f, Utc("2027-01-04T08:00:00.000Z"))),
              (std::vector<std::string>{"dal-sara", "dal-johan"}))
        << state;
  }

  // A public comment: the holder (first administrator) is away, so the
  // cover gets it at once, and the escalation skips the deputy stage (the
  // cover is the only one left) for the information function.
  f.absences[0].state = kAbsenceInForce;
  auto t = r_.Start("public_reply", "reply:9:c1", "", "dalarna", Utc("2027-01-04T09:00:00.000Z"));
  ASSERT_TRUE(t);
  Firing holder = r_.Fire(*t, f, t->due);
  EXPECT_EQ(recipients(holder), std::vector<std::string>{"dal-johan"});
  ASSERT_EQ(holder.next.size(), 1u);
  EXPECT_EQ(recipients(r_.Fire(holder.next[0], f, holder.next[0].due)),
            std::vector<std::string>{"dal-lena"});
  // After the period Sara holds it again.
  auto later =
      r_.Start("public_reply", "reply:9:c2", "", "dalarna", Utc("2027-02-01T09:00:00.000Z"));
  ASSERT_TRUE(later);
  EXPECT_EQ(recipients(r_.Fire(*later, f, later->due)), std::vector<std::string>{"dal-sara"});
}

// Issue 17: a Dalarna administrator with two accounts got nine separate
// messages on one morning. What falls due together for one person is one
// digest, grouped by account, each item with its own numbered buttons; a
// wait on a task (rewritten when decided) still comes on its own.
TEST_F(RemindersTest, WhatFallsDueTogetherIsOneDigestPerPerson) {
  WaitFacts f;
  f.open = true;
  f.administrators = {{{"name", "Sara Nyström"}, {"email", "sara.nystrom@ltdalarna.se"}}};
  std::vector<Nudge> all;
  const TimePoint monday = Utc("2027-01-04T08:00:00.000Z");
  for (int64_t account : {7, 8}) {
    f.account = account == 7 ? "Facebook, www.facebook.com/folktandvarden"
                             : "Instagram, www.instagram.com/folktandvarden";
    Timer duty = r_.AccountDuties(account, "dalarna", Utc("2026-11-23T10:00:00.000Z")).at(0);
    Firing fired = r_.Fire(duty, f, monday);
    all.insert(all.end(), fired.messages.begin(), fired.messages.end());
  }
  Firing approval =
      r_.Fire(ApprovalTimer(Utc("2027-01-01T08:00:00.000Z")), ApprovalFacts(), monday);
  all.insert(all.end(), approval.messages.begin(), approval.messages.end());
  ASSERT_EQ(all.size(), 3u);

  std::vector<Nudge> sent = r_.Gather(all, nullptr);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].person, "dal-sara");
  EXPECT_EQ(sent[1].person, "gis-per");
  EXPECT_EQ(sent[1].task_ids, std::vector<int64_t>{12}) << "the approval nudge stays apart";
  const std::string& text = sent[0].reply.text;
  EXPECT_EQ(text.rfind("🗓️ *2 saker väntar på dig i dag*", 0), 0u) << text;
  size_t first = text.find("*Facebook, www.facebook.com/folktandvarden*");
  size_t second = text.find("*Instagram, www.instagram.com/folktandvarden*");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(second, std::string::npos) << text;
  EXPECT_LT(first, text.find("*1.* 📸 Dags för skärmdumparna för kontot Facebook"));
  EXPECT_LT(second, text.find("*2.* 📸 Dags för skärmdumparna för kontot Instagram"));
  std::vector<std::string> labels;
  for (const Button& b : sent[0].reply.buttons) labels.push_back(b.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"1 · Klart – sparad och skickad", "1 · Noterat",
                                              "1 · Nästa vecka", "2 · Klart – sparad och skickad",
                                              "2 · Noterat", "2 · Nästa vecka"}));
  EXPECT_EQ(sent[0].reply.buttons[3].value, "snapshot:8:2027-01-01");
  // One item alone is sent as it is.
  std::vector<Nudge> one = r_.Gather({all[0]}, nullptr);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].reply.text, all[0].reply.text);
}

// Issue 17: Gislaved's "Glöm inte att efter ett tag följa upp insatserna.
// Mät effekten och stäm av mot målen": asked once, half a year on, with the
// goals the form gave.
TEST_F(RemindersTest, TheGoalsAreFollowedUpOnceWithTheGoalsGiven) {
  std::vector<Timer> duties = r_.AccountDuties(7, "gislaved", Utc("2026-11-23T10:00:00.000Z"));
  ASSERT_EQ(duties.size(), 2u);
  const Timer& follow_up = duties[1];
  EXPECT_EQ(follow_up.kind, "follow_up");
  EXPECT_EQ(store::FormatUtc(follow_up.due), "2027-05-23T09:00:00.000Z");
  WaitFacts f;
  f.open = true;
  f.account = "Facebook, www.facebook.com/gislavedfritid";
  f.administrators = {{{"name", "Omar Haddad"}, {"email", "omar.haddad@gislaved.se"}}};
  f.answers = {{"mal", "200 följare på ett halvår"}, {"malgrupp", "Unga 13-18 år"}};
  Firing fired = r_.Fire(follow_up, f, Utc("2027-05-24T07:00:00.000Z"));
  ASSERT_EQ(fired.messages.size(), 1u);
  const std::string& text = fired.messages[0].reply.text;
  EXPECT_NE(text.find("🎯 Dags att följa upp kontot Facebook"), std::string::npos) << text;
  EXPECT_NE(text.find("Mät effekten och stäm av mot målen."), std::string::npos) << text;
  EXPECT_NE(text.find("• Mål: 200 följare på ett halvår"), std::string::npos) << text;
  EXPECT_EQ(text.find("Unga 13-18"), std::string::npos) << "only the goals the policy names";
  EXPECT_EQ(fired.messages[0].reply.buttons[0].id, "follow_up_answer");
  // Followed up (a nudge if not answered), but never a second time.
  ASSERT_EQ(fired.next.size(), 1u);
  EXPECT_EQ(fired.next[0].subject, follow_up.subject);
  EXPECT_TRUE(fired.next[0].detail.value("asked", false));
  EXPECT_TRUE(r_.AccountDuties(7, "smc", follow_up.due).size() == 1u)
      << "SMC's seed asks for no follow-up";
}

TEST_F(RemindersTest, SmcsKansliReviewsTheWholeListOnceAYear) {
  std::vector<Timer> duties = r_.OrganisationDuties("smc", Utc("2026-11-23T10:00:00.000Z"));
  ASSERT_EQ(duties.size(), 1u);
  EXPECT_EQ(duties[0].detail.value("to", ""), "kansli");
  WaitFacts f;
  f.open = true;
  f.inventory = {
      {"Facebook, www.facebook.com/smcsmaland", "Rune Ask, rune.ask@smc-smaland.example"},
      {"Instagram, *x*", ""}};
  Firing fired = r_.Fire(duties[0], f, Utc("2027-01-15T09:00:00.000Z"));
  ASSERT_EQ(fired.messages.size(), 1u);
  EXPECT_EQ(fired.messages[0].person, "smc-kansli");  // not each account's administrators
  const std::string& text = fired.messages[0].reply.text;
  EXPECT_NE(text.find("den årliga översynen av den interna förteckningen över konton"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("• Facebook, www.facebook.com/smcsmaland – administratörer: Rune Ask"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("administratörer: ingen angiven"), std::string::npos) << text;
  EXPECT_EQ(text.find("*x*"), std::string::npos) << "typed markup is made literal: " << text;
  EXPECT_EQ(text.find("skriv *ny*"), std::string::npos) << text;
  EXPECT_EQ(fired.messages[0].reply.buttons[0].id, "duty_done");
  // The next year's review, for the organisation again.
  ASSERT_EQ(fired.next.size(), 2u);
  EXPECT_EQ(fired.next[1].subject, "yearly_review:org-smc:2028-01-15");
}

TEST_F(RemindersTest, InactivityIsCountedFromTheAccountsStart) {
  // Registered on 1 December 2026: asked on 1 June 2027 about the time
  // since 1 December 2026 (it said "sedan 1 juni 2027").
  std::vector<Timer> duties = r_.AccountDuties(9, "smc", Utc("2026-12-01T10:00:00.000Z"));
  ASSERT_FALSE(duties.empty());
  ASSERT_EQ(duties[0].kind, "inactivity");
  EXPECT_EQ(store::FormatUtc(duties[0].due), "2027-06-01T09:00:00.000Z");  // 11.00, summer time
  WaitFacts f;
  f.open = true;
  f.account = "Facebook, www.facebook.com/smc";
  f.administrators = {{{"name", "Rune Ask"}, {"email", "rune.ask@smc-smaland.example"}}};
  Firing fired = r_.Fire(duties[0], f, duties[0].due);
  ASSERT_EQ(fired.messages.size(), 1u);
  const std::string& text = fired.messages[0].reply.text;
  EXPECT_NE(text.find("sedan 1 december 2026."), std::string::npos) << text;
  EXPECT_EQ(text.find("juni 2027"), std::string::npos) << text;
}

TEST_F(RemindersTest, AStartUpStepIsChasedAndEscalated) {
  // Gislaved: the login deposited with the information function, which
  // confirms it; chased after three working days, escalated to the
  // requester after ten.
  auto t = r_.Start("startup", "task:30", "gis-info", "gislaved", Utc("2026-11-23T08:00:00.000Z"));
  ASSERT_TRUE(t);
  t->detail["registration"] = 7;
  t->detail["startup_step"] = "lamna_inloggningsuppgifter";
  EXPECT_EQ(store::FormatUtc(t->due), "2026-11-26T08:00:00.000Z");
  WaitFacts f;
  f.open = true;
  f.assignee = "gis-info";
  f.requester = "gis-anna";
  f.task_id = 30;
  f.task_kind = "startup";
  Firing nudge = r_.Fire(*t, f, t->due);
  ASSERT_EQ(nudge.messages.size(), 1u);
  EXPECT_EQ(nudge.messages[0].person, "gis-info");
  EXPECT_EQ(nudge.messages[0].task_ids, std::vector<int64_t>{30});
  const std::string& text = nudge.messages[0].reply.text;
  EXPECT_NE(text.find("uppstartssteget ”Efter att aktiviteten har startats ska "
                      "inloggningsuppgifterna lämnas till informationsfunktionen för förvar” i "
                      "anmälan nr 7"),
            std::string::npos)
      << text;
  EXPECT_EQ(Ids(nudge.messages[0].reply)[0], "done");
  EXPECT_EQ(nudge.messages[0].reply.buttons[0].value, "task:30");
  Timer next = nudge.next.at(0);
  while (!next.detail.value("escalated", false)) {
    Firing step = r_.Fire(next, f, next.due);
    bool escalated = false;
    for (const Nudge& n : step.messages) escalated |= n.person == "gis-anna";
    if (escalated) {
      EXPECT_EQ(store::FormatUtc(next.due), "2026-12-07T08:00:00.000Z");  // ten working days
      break;
    }
    ASSERT_FALSE(step.next.empty());
    next = step.next[0];
  }
  // In "status", in the reader's language.
  std::string status = r_.WaitingText({*t}, Lang::kEn, t->due);
  EXPECT_NE(status.find("• ⚠️ The start-up step “Once the activity has started, the login "
                        "details must be deposited with the communications function for "
                        "safekeeping” of registration no. 7"),
            std::string::npos)
      << status;
}

TEST_F(RemindersTest, AYearlySnapshotIsAskedFollowedUpAndEscalated) {
  std::vector<Timer> duties = r_.AccountDuties(7, "gislaved", Utc("2026-11-23T10:00:00.000Z"));
  ASSERT_EQ(duties.size(), 2u);
  EXPECT_EQ(duties[0].subject, "snapshot:7:2027-01-01");
  EXPECT_EQ(store::FormatUtc(duties[0].due), "2026-12-31T23:00:00.000Z");  // local midnight

  WaitFacts f;
  f.open = true;
  f.account = "Facebook, www.facebook.com/gislavedfritid";
  f.administrators = {{{"name", "Omar Haddad"}, {"email", "omar.haddad@gislaved.se"}}};
  // New Year's Day is a holiday, then a weekend: asked on Monday 4 January.
  Firing night = r_.Fire(duties[0], f, duties[0].due);
  ASSERT_EQ(night.result, Firing::Result::kDeferred);
  EXPECT_EQ(store::FormatUtc(night.deferred_to), "2027-01-04T07:00:00.000Z");
  Timer snap = duties[0];
  snap.due = night.deferred_to;
  Firing ask = r_.Fire(snap, f, snap.due);
  ASSERT_EQ(ask.messages.size(), 1u);
  EXPECT_EQ(ask.messages[0].person, "gis-omar");
  EXPECT_NE(ask.messages[0].reply.text.find("pdf/a"), std::string::npos);
  EXPECT_EQ(ask.messages[0].reply.buttons[0].id, "duty_done");
  EXPECT_EQ(ask.messages[0].reply.buttons[0].value, "snapshot:7:2027-01-01");
  ASSERT_EQ(ask.next.size(), 2u);  // the follow-up, and July's snapshot
  EXPECT_EQ(ask.next[0].subject, "snapshot:7:2027-01-01");
  // Ten working days (trettondedag jul excluded): the close of Monday 18
  // January, which defers to the opening on Tuesday.
  EXPECT_EQ(store::FormatUtc(ask.next[0].due), "2027-01-18T16:00:00.000Z");
  EXPECT_EQ(ask.next[1].subject, "snapshot:7:2027-07-01");
  EXPECT_EQ(r_.Fire(ask.next[0], f, ask.next[0].due).result, Firing::Result::kDeferred);

  // Not confirmed in time: nudged again, and the information function told.
  Firing overdue = r_.Fire(ask.next[0], f, Utc("2027-01-19T07:00:00.000Z"));
  ASSERT_EQ(overdue.messages.size(), 2u);
  EXPECT_EQ(overdue.messages[0].person, "gis-omar");
  EXPECT_EQ(overdue.messages[1].person, "gis-info");
  EXPECT_NE(overdue.messages[1].reply.text.find("har inte bekräftats"), std::string::npos);
  EXPECT_EQ(overdue.messages[1].reply.text.rfind("⚠️ Ögonblicksbilden", 0), 0u)
      << "a sentence begins with a capital: " << overdue.messages[1].reply.text;
  EXPECT_TRUE(Reminders::Overdue(overdue.next[0], overdue.next[0].due));
}

TEST_F(RemindersTest, StatusLinesMarkWhatIsOverdue) {
  Timer t = ApprovalTimer(Utc("2026-11-23T08:00:00.000Z"));
  std::string before = r_.WaitingText({t}, Lang::kSv, Utc("2026-11-23T09:00:00.000Z"));
  // Issue 15: each line is a sentence and begins with a capital.
  EXPECT_NE(before.find("• Godkännandet av anmälan nr 7 – sedan"), std::string::npos) << before;
  EXPECT_EQ(before.find("försenad"), std::string::npos);
  std::string after = r_.WaitingText({t}, Lang::kEn, Utc("2026-11-24T09:00:00.000Z"));
  EXPECT_NE(after.find("overdue, since Monday 23 November 2026 at 09:00"), std::string::npos)
      << after;
  EXPECT_NE(after.find("• ⚠️ The approval of registration no. 7"), std::string::npos)
      << after;
  EXPECT_NE(r_.WaitingText({}, Lang::kSv, t.due).find("Inget väntar"), std::string::npos);
  std::string org = r_.OverdueText({t}, Lang::kSv, Utc("2026-11-24T09:00:00.000Z"));
  EXPECT_NE(org.find("väntar på Per Ek"), std::string::npos) << org;
  // Issue 15: a wait on nobody in particular showed "väntar på  sedan".
  Timer duty = t;
  duty.person.clear();
  EXPECT_NE(r_.OverdueText({duty}, Lang::kSv, Utc("2026-11-24T09:00:00.000Z"))
                .find("väntar på kontots administratörer sedan"),
            std::string::npos);
  duty.detail["waiting_on"] = "Omar Haddad, Lisa Åberg";
  EXPECT_NE(r_.OverdueText({duty}, Lang::kEn, Utc("2026-11-24T09:00:00.000Z"))
                .find("waiting for Omar Haddad, Lisa Åberg since"),
            std::string::npos);
}

}  // namespace
}  // namespace kontobot
