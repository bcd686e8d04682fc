// Strategy: the case engine on its own, with a small template and directory
// built for the purpose, so each rule is pinned where the shipped data
// cannot reach it: parallel stages, an approver the directory does not know
// (named by the requester), a deputy outside their period, a press on a
// task of an earlier round, and the decision texts. State is threaded from
// outcome to outcome as the service does.
#include "bot/approval.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace kontobot {
namespace {

class FixedLocalTime final : public LocalTime {
 public:
  std::string Format(TimePoint) const override { return "2026-11-23 11:00"; }
  std::string Date(TimePoint) const override { return date; }
  std::chrono::local_time<std::chrono::minutes> ToLocal(TimePoint t) const override {
    return std::chrono::local_time<std::chrono::minutes>(
        std::chrono::duration_cast<std::chrono::minutes>(t.time_since_epoch()));
  }
  TimePoint FromLocal(std::chrono::local_time<std::chrono::minutes> l) const override {
    return TimePoint(l.time_since_epoch());
  }
  std::string date = "2026-11-23";
};

Person P(std::string id, std::string name, std::string unit, std::vector<std::string> roles,
         std::string superior = "", std::vector<Deputy> deputies = {}) {
  Person p;
  p.id = std::move(id);
  p.name = std::move(name);
  p.org = "demo";
  p.unit = std::move(unit);
  p.roles = std::move(roles);
  p.superior = std::move(superior);
  p.deputies = std::move(deputies);
  p.email = p.id + "@demo.se";
  return p;
}

const Directory& ApprovalDir() {
  static Directory d({{"demo", {"Demo", "Demo"}, "demo"}},
                     {P("req", "Rut Req", "Fritid", {"requester"}, "boss"),
                      P("boss", "Bo Boss", "Fritid", {"verksamhetschef"}, "",
                        {{"dep", "2026-11-01", "2026-11-30"}}),
                      P("dep", "Dag Dep", "Fritid", {}), P("legal", "Lo Legal", "Stab", {"jurist"}),
                      P("info", "Ines Info", "Stab", {"informationsfunktion"}),
                      P("admin", "Ada Admin", "Fritid", {"administrator"})});
  return d;
}

const TemplateSet& ApprovalTemplates() {
  static TemplateSet set = [] {
    TemplateSet s;
    s["demo"] = testing::TemplateFromYaml(R"(
id: demo
organisation: {sv: Demo, en: Demo}
form_title: {sv: Anmälan, en: Registration}
steps:
  - {id: url, type: url, title: {sv: Webbadress, en: Address}, text: {sv: U, en: U}}
  - {id: admins, type: people, min: 1, title: {sv: Administratörer, en: Administrators}, text: {sv: A, en: A}}
  - {id: syfte, type: text, required: false, title: {sv: Syfte, en: Purpose}, text: {sv: S, en: S}}
approval:
  steps:
    - parallel:
        - {id: chef, title: {sv: Chef, en: Manager}, approver: {role: verksamhetschef}}
        - {id: jurist, title: {sv: Jurist, en: Lawyer}, approver: {role: jurist}}
    - {id: styrelse, title: {sv: Styrelsen, en: The board}, approver: {role: styrelse}}
  administrators: {question: admins, min_accepting: 1, statement: {sv: "Jag godkänner uppdraget", en: "I accept"}}
  notify: [{role: informationsfunktion}]
  startup_steps: [{id: logo, text: {sv: Logotyp, en: Logo}}]
register: {medium: url, url: url, unit: url, purpose: url}
)");
    return s;
  }();
  return set;
}

class CaseTest : public ::testing::Test {
 protected:
  CaseTest() : engine_(ApprovalTemplates(), testing::ShippedCatalog(), ApprovalDir(), time_) {
    c_.id = 7;
    c_.requester = "req";
    c_.template_id = "demo";
    c_.answers = {{"url", "https://x.se"},
                  {"admins", {{{"name", "Ada Admin"}, {"email", "admin@demo.se"}}}}};
  }
  void Apply(const CaseOutcome& o) {
    for (const Task& t : o.tasks) {
      auto it = std::find_if(c_.tasks.begin(), c_.tasks.end(),
                             [&](const Task& x) { return x.id == t.id; });
      if (it != c_.tasks.end())
        *it = t;
      else
        c_.tasks.push_back(t);
    }
    if (o.status) c_.status = *o.status;
    if (o.answers) c_.answers = *o.answers;
    last_ = o;
  }
  void Submit() { Apply(engine_.Submitted(c_, now_, next_)); }
  void Act(const std::string& who, const std::string& action, int64_t task,
           const std::string& text = "", const std::string& pending = "") {
    Apply(engine_.Act(c_, *ApprovalDir().Find(who), action, task, text, pending, now_, next_));
  }
  const Task* Open(const std::string& step) const {
    for (const Task& t : c_.tasks) {
      if (t.step_id == step && t.status == TaskStatus::kOpen) return &t;
    }
    return nullptr;
  }
  // Submits, and the whole chain approves (the board's approver named by
  // the requester): the administrators are asked next.
  void ApproveEveryStage() {
    Submit();
    Act("boss", "approve", Open("chef")->id);
    Act("legal", "approve", Open("jurist")->id);
    int64_t naming = Open("styrelse")->id;
    Act("req", "text", naming, "Lo Legal", "case:name_approver:" + std::to_string(naming));
    Act("legal", "approve", Open("styrelse")->id);
  }
  std::string Replies() const {
    std::string out;
    for (const Reply& r : last_.replies) out += r.text + "\n";
    return out;
  }

  FixedLocalTime time_;
  CaseEngine engine_;
  Case c_;
  CaseOutcome last_;
  int64_t next_ = 1;
  TimePoint now_ = std::chrono::system_clock::from_time_t(1795428000);
};

TEST_F(CaseTest, ParallelStepsAreAskedTogetherAndTheNextStageWaitsForBoth) {
  Submit();
  ASSERT_NE(Open("chef"), nullptr);
  ASSERT_NE(Open("jurist"), nullptr);
  EXPECT_EQ(Open("chef")->assignee, "boss");
  EXPECT_EQ(Open("jurist")->assignee, "legal");
  Act("boss", "approve", Open("chef")->id);
  EXPECT_EQ(Open("styrelse"), nullptr) << "the board waits for the lawyer";
  Act("legal", "approve", Open("jurist")->id);
  EXPECT_NE(Open("styrelse"), nullptr);
}

TEST_F(CaseTest, UnknownApproverIsNamedByTheRequesterAndRecorded) {
  Submit();
  Act("boss", "approve", Open("chef")->id);
  Act("legal", "approve", Open("jurist")->id);
  const Task* naming = Open("styrelse");
  ASSERT_NE(naming, nullptr);
  EXPECT_EQ(naming->kind, TaskKind::kNameApprover);
  EXPECT_EQ(naming->assignee, "req");
  std::string pending = last_.pending.at("req");
  EXPECT_EQ(pending, "case:name_approver:" + std::to_string(naming->id));
  int64_t id = naming->id;
  Act("req", "text", id, "Ingen Alls", pending);
  EXPECT_NE(Replies().find("hittar ingen"), std::string::npos) << Replies();
  EXPECT_EQ(last_.pending.at("req"), pending) << "still waiting for a name";
  Act("req", "text", id, "legal@demo.se", pending);
  const Task* approval = nullptr;
  for (const Task& t : c_.tasks) {
    if (t.step_id == "styrelse" && t.kind == TaskKind::kApproval) approval = &t;
  }
  ASSERT_NE(approval, nullptr);
  EXPECT_EQ(approval->assignee, "legal");
  bool audited = std::any_of(last_.audit.begin(), last_.audit.end(), [](const AuditEntry& a) {
    return a.action == "approver.named" && a.detail["by"] == "req" && a.detail["named"] == "legal";
  });
  EXPECT_TRUE(audited);
}

TEST_F(CaseTest, DeputyOnlyWithinTheirPeriod) {
  Submit();
  int64_t chef = Open("chef")->id;
  time_.date = "2026-12-01";
  Act("dep", "approve", chef);
  EXPECT_EQ(Open("chef")->status, TaskStatus::kOpen) << "outside the period";
  EXPECT_NE(Replies().find("fattas av Bo Boss"), std::string::npos);
  time_.date = "2026-11-23";
  Act("dep", "approve", chef);
  EXPECT_EQ(Open("chef"), nullptr);
  EXPECT_EQ(c_.tasks.front().decided_by, "dep");
}

// Bug (found by AddressSanitizer): cancelling the parallel step grew the
// engine's task list and left the rejected task's reference dangling.
TEST_F(CaseTest, RejectionNeedsAReasonAndCancelsTheParallelStep) {
  Submit();
  int64_t chef = Open("chef")->id;
  Act("boss", "reject", chef);
  std::string pending = last_.pending.at("boss");
  Act("boss", "text", chef, "   ", pending);
  EXPECT_NE(Replies().find("behöver ett skäl"), std::string::npos);
  Act("boss", "text", chef, "Saknar syfte", pending);
  EXPECT_EQ(c_.status, kRejected);
  EXPECT_TRUE(last_.reopen_draft);
  EXPECT_EQ(Open("jurist"), nullptr) << "the lawyer's request is closed too";
  bool rewritten = std::any_of(last_.rewrites.begin(), last_.rewrites.end(), [&](const Rewrite& r) {
    return r.reply.buttons.empty() && r.reply.text.find("Avslagen av Bo Boss") != std::string::npos;
  });
  EXPECT_TRUE(rewritten);
}

// Bug: answers went into the approval request as typed, so a requester
// could draw a line that looks like the bot's own ("✓ Godkänd av …") or
// bold inside the request an approver decides on; and a reason, typed by
// an approver, likewise in the request rewritten with the decision.
TEST_F(CaseTest, TypedTextCannotDrawLinesOrFormattingInTheRequest) {
  const std::string fake =
      "\xE2\x9C\x93 Godk\xC3\xA4nd av Bo Boss 2026-11-23 11:00";  // ✓ Godkänd …
  c_.answers["syfte"] = "Information\n\n*" + fake + "*\n" + fake;
  c_.answers["admins"] = {{{"name", "Ada\n" + fake}, {"email", "admin@demo.se"}}};
  Submit();
  std::string request;
  for (const Outbound& o : last_.messages) {
    if (o.person == "boss") request = o.reply.text;
  }
  ASSERT_FALSE(request.empty());
  auto lines_starting = [](const std::string& text, const std::string& start) {
    int n = 0;
    for (size_t at = 0; at != std::string::npos; at = text.find('\n', at + 1)) {
      size_t b = at == 0 ? 0 : at + 1;
      n += text.compare(b, start.size(), start) == 0 ? 1 : 0;
    }
    return n;
  };
  EXPECT_EQ(lines_starting(request, "\xE2\x9C\x93"), 0) << request;
  EXPECT_EQ(request.find("*" + fake), std::string::npos) << request;
  EXPECT_NE(
      request.find("Information \xC2\xB6 \xE2\x88\x97" + fake + "\xE2\x88\x97 \xC2\xB6 " + fake),
      std::string::npos)
      << "shown, on its own line of the summary: " << request;

  int64_t chef = Open("chef")->id;
  Act("boss", "reject", chef);
  Act("boss", "text", chef, "Saknar syfte\n" + fake, last_.pending.at("boss"));
  bool rewritten = false;
  for (const Rewrite& r : last_.rewrites) {
    rewritten = true;
    EXPECT_EQ(lines_starting(r.reply.text, "\xE2\x9C\x93"), 0) << r.reply.text;
  }
  EXPECT_TRUE(rewritten);
}

TEST_F(CaseTest, TaskOfAnEarlierRoundIsAlreadyDecided) {
  Submit();
  int64_t old = Open("chef")->id;
  c_.round = 2;
  Submit();
  Act("boss", "approve", old);
  EXPECT_NE(Replies().find("redan avgjort"), std::string::npos) << Replies();
}

TEST_F(CaseTest, ApprovedCaseRegistersCopiesAndHandsOutStartupSteps) {
  ApproveEveryStage();
  EXPECT_EQ(c_.status, kPendingAdmins);
  const Task* admin = Open("0");
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(admin->assignee, "admin");
  Act("admin", "accept", admin->id);
  EXPECT_EQ(c_.status, kApproved);
  EXPECT_TRUE(last_.register_account);
  bool copy = std::any_of(last_.messages.begin(), last_.messages.end(), [](const Outbound& o) {
    return o.person == "info" && o.reply.text.find("Kopia") != std::string::npos;
  });
  EXPECT_TRUE(copy);
  ASSERT_NE(Open("logo"), nullptr);
  EXPECT_EQ(Open("logo")->assignee, "req");
}

TEST_F(CaseTest, AdministratorOutsideTheDirectoryIsConfirmedByTheInformationFunction) {
  c_.answers["admins"] = {{{"name", "Extern Person"}, {"email", "extern@annan.se"}}};
  ApproveEveryStage();
  const Task* admin = Open("0");
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(admin->assignee, "info");
  EXPECT_TRUE(admin->detail.value("external", false));
}

// Issue 15: the follow-up "Ange en kontaktuppgift för X" looped when the
// answer was the contact detail alone; so it did for a replaced
// administrator.
TEST_F(CaseTest, AReplacementAdministratorsContactDetailAnswersTheFollowUp) {
  ApproveEveryStage();
  ASSERT_NE(Open("0"), nullptr);
  int64_t declined = Open("0")->id;
  Act("admin", "decline", declined);
  std::string pending = last_.pending.at("req");
  Act("req", "text", declined, "Dag Dep", pending);
  EXPECT_NE(Replies().find("Ange en kontaktuppgift för Dag Dep"), std::string::npos) << Replies();
  Act("req", "text", declined, "dag@demo.se", last_.pending.at("req"));
  EXPECT_NE(Replies().find("Dag Dep har fått frågan"), std::string::npos) << Replies();
  EXPECT_EQ(c_.answers["admins"][0]["name"], "Dag Dep");
  EXPECT_EQ(c_.answers["admins"][0]["email"], "dag@demo.se");
}

TEST(DirectoryResolution, WalksUpTheChainThenLooksInTheUnit) {
  const Directory& d = ApprovalDir();
  EXPECT_EQ(d.ResolveRole(*d.Find("req"), "verksamhetschef")->id, "boss");
  EXPECT_EQ(d.ResolveRole(*d.Find("req"), "jurist")->id, "legal");
  EXPECT_EQ(d.ResolveRole(*d.Find("req"), "styrelse"), nullptr);
  EXPECT_TRUE(d.IsDeputy(*d.Find("boss"), "dep", "2026-11-30"));
  EXPECT_FALSE(d.IsDeputy(*d.Find("boss"), "dep", "2026-10-31"));
  EXPECT_EQ(d.FindByContact("demo", "LEGAL@demo.se", "")->id, "legal");
  EXPECT_EQ(d.FindByContact("demo", "", "lo legal")->id, "legal");
}

}  // namespace
}  // namespace kontobot
