#include "bot/approval.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <deque>
#include <map>
#include <set>

#include "bot/answers.h"

namespace kontobot {
namespace {

constexpr auto kKinds = std::to_array<std::pair<TaskKind, std::string_view>>(
    {{TaskKind::kApproval, "approval"},
     {TaskKind::kAdmin, "admin"},
     {TaskKind::kStartup, "startup"},
     {TaskKind::kNameApprover, "name_approver"},
     {TaskKind::kClosing, "closing"}});
constexpr auto kStatuses =
    std::to_array<std::pair<TaskStatus, std::string_view>>({{TaskStatus::kOpen, "open"},
                                                            {TaskStatus::kApproved, "approved"},
                                                            {TaskStatus::kRejected, "rejected"},
                                                            {TaskStatus::kAccepted, "accepted"},
                                                            {TaskStatus::kDeclined, "declined"},
                                                            {TaskStatus::kDone, "done"},
                                                            {TaskStatus::kCancelled, "cancelled"}});

}  // namespace

std::string_view TaskKindName(TaskKind kind) {
  for (const auto& [k, n] : kKinds)
    if (k == kind) return n;
  return "approval";
}
std::optional<TaskKind> ParseTaskKind(std::string_view name) {
  for (const auto& [k, n] : kKinds)
    if (n == name) return k;
  return std::nullopt;
}
std::string_view TaskStatusName(TaskStatus status) {
  for (const auto& [s, n] : kStatuses)
    if (s == status) return n;
  return "open";
}
std::optional<TaskStatus> ParseTaskStatus(std::string_view name) {
  for (const auto& [s, n] : kStatuses)
    if (n == name) return s;
  return std::nullopt;
}

bool CaseEngine::Owns(const std::string& action) {
  return action == "approve" || action == "reject" || action == "ask" || action == "accept" ||
         action == "decline" || action == "done" || action == "page_id";
}

int64_t CaseEngine::TaskOf(const std::string& value) {
  size_t colon = value.rfind(':');
  std::string_view digits =
      colon == std::string::npos ? value : std::string_view(value).substr(colon + 1);
  int64_t id = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  return ec == std::errc() && p == digits.data() + digits.size() ? id : 0;
}

CaseEngine::CaseEngine(const TemplateSet& templates, const Catalog& catalog,
                       const Directory& directory, const LocalTime& local_time)
    : templates_(templates), catalog_(catalog), directory_(directory), local_time_(local_time) {}

std::string CaseEngine::RequestText(const Case& c, const Task& task, Lang lang) const {
  const Template& t = *templates_.at(c.template_id);
  const Person* requester = directory_.Find(c.requester);
  const ApprovalStep* step = nullptr;
  for (const ApprovalStep& a : t.approval) {
    if (a.id == task.step_id) step = &a;
    for (const ApprovalStep& p : a.parallel)
      if (p.id == task.step_id) step = &p;
  }
  Vars v{{"id", std::to_string(c.id)},
         {"form", t.form_title.Get(lang)},
         {"requester", requester ? requester->name : c.requester},
         {"unit", requester ? requester->unit : ""},
         {"role", step ? step->title.Get(lang) : task.step_id}};
  std::string text = catalog_.Render(lang, "approval.request", v);
  AppendNumbered(text, SummaryLines(t, c.answers, catalog_, lang));
  if (step && !step->statement.empty()) {
    text += "\n\n" +
            catalog_.Render(lang, "approval.statement", {{"statement", step->statement.Get(lang)}});
  }
  return text;
}

// One call's worth of work.
class CaseEngine::Run {
 public:
  Run(const CaseEngine& e, const Case& c, TimePoint now, int64_t& next_id)
      : e_(e),
        c_(c),
        t_(*e.templates_.at(c.template_id)),
        now_(now),
        next_id_(next_id),
        requester_(e.directory_.Find(c.requester)) {}

  CaseOutcome Submitted() {
    for (const Task& task : c_.tasks) {
      if (task.round < c_.round && task.status == TaskStatus::kOpen) {
        Task copy = task;
        copy.status = TaskStatus::kCancelled;
        Save(copy);
        Rewrite(copy);
      }
    }
    Audit("case.submitted", {{"round", c_.round}});
    StartStage(0);
    return std::move(out_);
  }

  CaseOutcome Act(const Person& actor, const std::string& action, int64_t task_id,
                  const std::string& text, const std::string& pending) {
    actor_ = &actor;
    Task* task = Find(task_id);
    if (action == "text") return OnText(pending, task, text);
    if (task == nullptr) {
      Reply(T(LangOf(actor_), "case.unknown_task"));
      return std::move(out_);
    }
    if (!MayDecide(*task, actor)) {
      Audit("decision.refused", {{"task", task->id}, {"action", action}, {"by", actor.id}});
      const Person* assignee = e_.directory_.Find(task->assignee);
      Reply(T(LangOf(actor_), "case.not_yours",
              {{"name", assignee ? assignee->name : task->assignee}}));
      return std::move(out_);
    }
    if (task->status != TaskStatus::kOpen || task->round != c_.round) {
      Audit("decision.repeated", {{"task", task->id}, {"action", action}, {"by", actor.id}});
      Reply(T(LangOf(actor_), "case.already_decided",
              {{"decision", DecisionLine(*task, LangOf(actor_))}}));
      return std::move(out_);
    }
    Lang lang = LangOf(actor_);
    if (task->kind == TaskKind::kApproval) {
      if (action == "approve") return Approve(*task);
      if (action == "reject") {
        out_.pending[actor.id] =
            std::string(kCasePending) + "reject_reason:" + std::to_string(task->id);
        Reply(T(lang, "case.reject_reason", {{"id", std::to_string(c_.id)}}),
              {{"case_abort", "task:" + std::to_string(task->id), T(lang, "button.case_abort"),
                "default"}});
        return std::move(out_);
      }
      if (action == "ask") {
        out_.pending[actor.id] = std::string(kCasePending) + "ask:" + std::to_string(task->id);
        Reply(T(lang, "case.ask_prompt", {{"name", RequesterName()}}),
              {{"case_abort", "task:" + std::to_string(task->id), T(lang, "button.case_abort"),
                "default"}});
        return std::move(out_);
      }
    }
    if (task->kind == TaskKind::kAdmin && (action == "accept" || action == "decline")) {
      return AdminDecision(*task, action == "accept");
    }
    // A step that asks for the page's id is done only with the id: its
    // reminder's generic "done" asks for it too.
    bool asks_page_id = false;
    for (const StartupStep& s : t_.startup_steps)
      asks_page_id |= s.id == task->step_id && s.asks == "page_id";
    if (task->kind == TaskKind::kStartup &&
        (action == "page_id" || (action == "done" && asks_page_id))) {
      if (task->status != TaskStatus::kOpen) {
        Reply(T(lang, "startup.recorded"));
        return std::move(out_);
      }
      out_.pending[actor.id] = std::string(kCasePending) + "page_id:" + std::to_string(task->id);
      Reply(T(lang, "startup.page_id_prompt"), {{"case_abort", "task:" + std::to_string(task->id),
                                                 T(lang, "button.case_abort"), "default"}});
      return std::move(out_);
    }
    if (task->kind == TaskKind::kStartup && action == "done") {
      task->status = TaskStatus::kDone;
      Decide(*task);
      Audit("startup.done", {{"task", task->id}, {"step", task->step_id}});
      Reply(T(lang, "startup.recorded"));
      for (const StartupStep& s : t_.startup_steps) {
        if (s.id == task->step_id && s.creates_account) out_.list_account = true;
      }
      return std::move(out_);
    }
    if (task->kind == TaskKind::kClosing && action == "done") return ClosingStepDone(*task);
    Reply(T(lang, "case.unknown_task"));
    return std::move(out_);
  }

 private:
  std::string T(Lang lang, const std::string& key, const Vars& vars = {}) const {
    return e_.catalog_.Render(lang, key, vars);
  }
  void Reply(std::string text, std::vector<Button> buttons = {}) {
    out_.replies.push_back({std::move(text), std::move(buttons)});
  }
  void Audit(std::string action, nlohmann::json detail) {
    out_.audit.push_back(
        {std::move(action), "registration:" + std::to_string(c_.id), std::move(detail)});
  }
  Lang LangOf(const Person* p) const { return LanguageOf(p, c_.languages); }
  std::string RequesterName() const { return requester_ ? requester_->name : c_.requester; }
  Lang RequesterLang() const { return LangOf(requester_); }

  Task* Find(int64_t id) {
    for (Task& t : tasks_)
      if (t.id == id) return &t;
    for (const Task& t : c_.tasks) {
      if (t.id == id) {
        tasks_.push_back(t);
        return &tasks_.back();
      }
    }
    return nullptr;
  }
  // All tasks of the current round, with this call's changes applied.
  std::vector<Task> Current() const {
    std::vector<Task> all;
    for (const Task& t : c_.tasks) {
      auto changed =
          std::find_if(tasks_.begin(), tasks_.end(), [&](const Task& x) { return x.id == t.id; });
      all.push_back(changed != tasks_.end() ? *changed : t);
    }
    for (const Task& t : tasks_) {
      if (std::none_of(c_.tasks.begin(), c_.tasks.end(),
                       [&](const Task& x) { return x.id == t.id; })) {
        all.push_back(t);
      }
    }
    all.erase(
        std::remove_if(all.begin(), all.end(), [&](const Task& t) { return t.round != c_.round; }),
        all.end());
    return all;
  }
  void Save(const Task& task) {
    auto it = std::find_if(out_.tasks.begin(), out_.tasks.end(),
                           [&](const Task& t) { return t.id == task.id; });
    if (it != out_.tasks.end()) {
      *it = task;
    } else {
      out_.tasks.push_back(task);
    }
    auto mine =
        std::find_if(tasks_.begin(), tasks_.end(), [&](const Task& t) { return t.id == task.id; });
    if (mine != tasks_.end()) {
      *mine = task;
    } else {
      tasks_.push_back(task);
    }
  }
  Task NewTask(TaskKind kind, const std::string& step, int stage, const std::string& assignee) {
    Task t;
    t.id = next_id_++;
    t.registration_id = c_.id;
    t.round = c_.round;
    t.kind = kind;
    t.step_id = step;
    t.stage = stage;
    t.assignee = assignee;
    t.created = now_;
    return t;
  }

  bool MayDecide(const Task& task, const Person& actor) const {
    if (actor.id == task.assignee) return true;
    const Person* assignee = e_.directory_.Find(task.assignee);
    return assignee && e_.directory_.IsDeputy(*assignee, actor.id, e_.local_time_.Date(now_));
  }

  std::string DecisionLine(const Task& task, Lang lang) const {
    const Person* by = e_.directory_.Find(task.decided_by);
    const Person* assignee = e_.directory_.Find(task.assignee);
    std::string who = by ? by->name : task.decided_by;
    if (by && assignee && by->id != assignee->id) {
      who = T(lang, "decision.deputy", {{"name", by->name}, {"for", assignee->name}});
    }
    Vars v{{"who", who},
           {"when", task.decided_at ? e_.local_time_.Format(*task.decided_at) : ""},
           {"reason", Literal(task.reason)}};
    return T(lang, "decision." + std::string(TaskStatusName(task.status)), v);
  }

  // Rewrites the task's messages: the original text plus the decision, no
  // buttons left on a closed question.
  void Rewrite(const Task& task) {
    const Person* assignee = e_.directory_.Find(task.assignee);
    Lang lang = LangOf(assignee);
    std::string base;
    switch (task.kind) {
      case TaskKind::kApproval:
        base = e_.RequestText(c_, task, lang);
        break;
      case TaskKind::kAdmin:
        base = AdminText(task, lang);
        break;
      case TaskKind::kStartup:
        base = StartupText(task, lang);
        break;
      case TaskKind::kNameApprover:
        base = T(lang, "approval.name_prompt", {{"role", StepTitle(task.step_id, lang)}});
        break;
      case TaskKind::kClosing:
        base = ClosingText(task, lang);
        break;
    }
    out_.rewrites.push_back({task.id, {base + "\n\n" + DecisionLine(task, lang), {}}});
  }

  void Decide(Task& task) {
    task.decided_by = actor_ ? actor_->id : "";
    task.decided_at = now_;
    Save(task);
    Rewrite(task);
  }

  // --- the approval chain ----------------------------------------------------

  std::vector<std::vector<const ApprovalStep*>> Stages() const {
    std::vector<std::vector<const ApprovalStep*>> stages;
    for (const ApprovalStep& a : t_.approval) {
      if (a.when && !a.when->Holds(c_.answers)) continue;
      std::vector<const ApprovalStep*> group;
      if (a.parallel.empty()) {
        group.push_back(&a);
      } else {
        for (const ApprovalStep& p : a.parallel) {
          if (!p.when || p.when->Holds(c_.answers)) group.push_back(&p);
        }
      }
      if (!group.empty()) stages.push_back(group);
    }
    return stages;
  }

  const ApprovalStep* StepById(const std::string& id) const {
    for (const auto& stage : Stages())
      for (const ApprovalStep* s : stage)
        if (s->id == id) return s;
    return nullptr;
  }
  std::string StepTitle(const std::string& id, Lang lang) const {
    const ApprovalStep* s = StepById(id);
    return s ? s->title.Get(lang) : id;
  }

  // Whom a role stands for, for this requester: their own superior for
  // `of: superior`, else the first up their chain of superiors with the
  // role, else the one person with it (Directory::ResolveRole). Approvers
  // and copies are resolved alike.
  const Person* Resolve(const std::string& role, const std::string& of) const {
    if (requester_ == nullptr) return nullptr;
    return of == "superior" ? e_.directory_.Find(requester_->superior)
                            : e_.directory_.ResolveRole(*requester_, role);
  }

  void StartStage(size_t stage) {
    auto stages = Stages();
    if (stage >= stages.size()) return StartAdmins();
    out_.status = kPendingApproval;
    Lang rl = RequesterLang();
    std::string deciders;  // "Per Ek (Verksamhetens chef)", by name
    for (const ApprovalStep* step : stages[stage]) {
      const Person* approver = step->approver.named_by_requester
                                   ? nullptr
                                   : Resolve(step->approver.role, step->approver.of);
      if (approver == nullptr) {
        AskRequesterToName(*step, static_cast<int>(stage));
      } else {
        SendApproval(NewTask(TaskKind::kApproval, step->id, static_cast<int>(stage), approver->id));
        deciders +=
            (deciders.empty() ? "" : T(rl, "case.deciders_and")) +
            T(rl, "case.decider", {{"name", approver->name}, {"role", step->title.Get(rl)}});
      }
    }
    if (!deciders.empty()) {
      out_.messages.push_back(
          {c_.requester,
           {T(rl, "case.deciders", {{"id", std::to_string(c_.id)}, {"deciders", deciders}}), {}},
           {}});
    }
  }

  void SendApproval(Task task) {
    Save(task);
    const Person* approver = e_.directory_.Find(task.assignee);
    Lang lang = LangOf(approver);
    std::string value = "task:" + std::to_string(task.id);
    std::vector<Button> buttons{{"approve", value, T(lang, "button.approve"), "primary"},
                                {"reject", value, T(lang, "button.reject"), "danger"},
                                {"ask", value, T(lang, "button.ask"), "default"}};
    out_.messages.push_back({task.assignee, {e_.RequestText(c_, task, lang), buttons}, {task.id}});
    // A valid deputy gets the same request and may decide in their place.
    std::string today = e_.local_time_.Date(now_);
    for (const Deputy& d : approver->deputies) {
      if (!e_.directory_.IsDeputy(*approver, d.id, today)) continue;
      const Person* deputy = e_.directory_.Find(d.id);
      Lang dl = LangOf(deputy);
      std::vector<Button> db{{"approve", value, T(dl, "button.approve"), "primary"},
                             {"reject", value, T(dl, "button.reject"), "danger"},
                             {"ask", value, T(dl, "button.ask"), "default"}};
      out_.messages.push_back({d.id,
                               {T(dl, "approval.as_deputy", {{"name", approver->name}}) + "\n\n" +
                                    e_.RequestText(c_, task, dl),
                                db},
                               {task.id}});
    }
    Audit("approval.requested",
          {{"task", task.id}, {"step", task.step_id}, {"approver", task.assignee}});
  }

  void AskRequesterToName(const ApprovalStep& step, int stage) {
    Task task = NewTask(TaskKind::kNameApprover, step.id, stage, c_.requester);
    Save(task);
    out_.pending[c_.requester] =
        std::string(kCasePending) + "name_approver:" + std::to_string(task.id);
    Lang lang = RequesterLang();
    out_.messages.push_back(
        {c_.requester,
         {T(lang, "approval.name_prompt", {{"role", step.title.Get(lang)}}), {}},
         {task.id}});
    Audit("approver.unknown", {{"task", task.id}, {"step", step.id}});
  }

  CaseOutcome Approve(Task& task) {
    task.status = TaskStatus::kApproved;
    Decide(task);
    Audit("approval.approved", {{"task", task.id}, {"step", task.step_id}, {"by", actor_->id}});
    Reply(T(LangOf(actor_), "case.approved_reply", {{"id", std::to_string(c_.id)}}));
    Lang rl = RequesterLang();
    out_.messages.push_back({c_.requester,
                             {T(rl, "case.step_approved",
                                {{"id", std::to_string(c_.id)},
                                 {"decision", DecisionLine(task, rl)},
                                 {"role", StepTitle(task.step_id, rl)}}),
                              {}},
                             {}});
    AdvanceIfStageDone(task.stage);
    return std::move(out_);
  }

  void AdvanceIfStageDone(int stage) {
    bool open = false;
    for (const Task& t : Current()) {
      if ((t.kind == TaskKind::kApproval || t.kind == TaskKind::kNameApprover) &&
          t.stage == stage && t.status == TaskStatus::kOpen) {
        open = true;
      }
    }
    if (!open) StartStage(static_cast<size_t>(stage) + 1);
  }

  // --- administrators ----------------------------------------------------------

  std::string AdminText(const Task& task, Lang lang) const {
    const nlohmann::json& p = task.detail;
    Vars v{{"id", std::to_string(c_.id)},
           {"form", t_.form_title.Get(lang)},
           {"requester", RequesterName()},
           {"admin", Literal(p.value("name", ""))},
           {"statement", t_.admin_acceptance ? t_.admin_acceptance->statement.Get(lang) : ""},
           {"account", AccountLine(lang)}};
    return T(lang, p.value("external", false) ? "admin.request_external" : "admin.request", v);
  }

  std::string AccountLine(Lang lang) const {
    std::string out;
    for (const char* field : {"medium", "url", "unit"}) {
      auto it = t_.register_fields.find(field);
      if (it == t_.register_fields.end()) continue;
      const Step* s = t_.FindStep(it->second);
      auto a = c_.answers.find(it->second);
      if (s && a != c_.answers.end() && !a->is_null())
        out += (out.empty() ? "" : ", ") + Literal(FormatAnswer(*s, *a, lang));
    }
    return out;
  }

  void StartAdmins() {
    if (!t_.admin_acceptance) return Finalize();
    const nlohmann::json admins =
        c_.answers.value(t_.admin_acceptance->question, nlohmann::json::array());
    if (!admins.is_array() || admins.empty()) return Finalize();
    out_.status = kPendingAdmins;
    for (size_t i = 0; i < admins.size(); ++i) SendAdmin(admins[i], i);
  }

  void SendAdmin(const nlohmann::json& admin, size_t index) {
    const Person* p = requester_
                          ? e_.directory_.FindByContact(requester_->org, admin.value("email", ""),
                                                        admin.value("name", ""))
                          : nullptr;
    nlohmann::json detail = admin;
    detail["index"] = index;
    const Person* assignee = p;
    if (p == nullptr) {
      // Not in the directory, so not reachable in chat: the information
      // function confirms the acceptance, as with the paper form's signature.
      detail["external"] = true;
      assignee =
          requester_ ? e_.directory_.ResolveRole(*requester_, "informationsfunktion") : nullptr;
    }
    if (assignee == nullptr) assignee = requester_;
    Task task =
        NewTask(TaskKind::kAdmin, std::to_string(index), 0, assignee ? assignee->id : c_.requester);
    task.detail = detail;
    Save(task);
    Lang lang = LangOf(assignee);
    std::string value = "task:" + std::to_string(task.id);
    bool external = detail.value("external", false);
    out_.messages.push_back(
        {task.assignee,
         {AdminText(task, lang),
          {{"accept", value, T(lang, external ? "button.admin_accepted" : "button.admin_accept"),
            "primary"},
           {"decline", value, T(lang, external ? "button.admin_declined" : "button.admin_decline"),
            "danger"}}},
         {task.id}});
    Audit("admin.requested",
          {{"task", task.id}, {"admin", admin.value("name", "")}, {"assignee", task.assignee}});
  }

  CaseOutcome AdminDecision(Task& task, bool accepted) {
    task.status = accepted ? TaskStatus::kAccepted : TaskStatus::kDeclined;
    Decide(task);
    std::string name = task.detail.value("name", "");
    Audit(accepted ? "admin.accepted" : "admin.declined",
          {{"task", task.id}, {"admin", name}, {"by", actor_->id}});
    Reply(T(LangOf(actor_), accepted ? "admin.accepted_reply" : "admin.declined_reply"));
    if (!accepted) {
      out_.pending[c_.requester] =
          std::string(kCasePending) + "replace_admin:" + std::to_string(task.id);
      Lang rl = RequesterLang();
      out_.messages.push_back({c_.requester,
                               {T(rl, "admin.declined_tell_requester",
                                  {{"id", std::to_string(c_.id)}, {"admin", Literal(name)}}),
                                {}},
                               {}});
      return std::move(out_);
    }
    size_t accepted_count = 0;
    bool open = false;
    for (const Task& t : Current()) {
      if (t.kind != TaskKind::kAdmin) continue;
      accepted_count += t.status == TaskStatus::kAccepted ? 1 : 0;
      open |= t.status == TaskStatus::kOpen;
    }
    if (!open && accepted_count >= t_.admin_acceptance->min_accepting) Finalize();
    return std::move(out_);
  }

  // --- approved ----------------------------------------------------------------

  std::string StartupText(const Task& task, Lang lang) const {
    for (const StartupStep& s : t_.startup_steps) {
      if (s.id == task.step_id) {
        return T(lang, "startup.request",
                 {{"id", std::to_string(c_.id)},
                  {"account", AccountLine(lang)},
                  {"text", s.text.Get(lang)}});
      }
    }
    return task.step_id;
  }

  void Finalize() {
    out_.status = kApproved;
    out_.register_account = true;
    Audit("case.approved", {{"round", c_.round}});
    Lang rl = RequesterLang();
    std::string steps;
    for (const StartupStep& s : t_.startup_steps)
      if (!s.when || s.when->Holds(c_.answers)) steps += "\n• " + s.text.Get(rl);
    out_.messages.push_back(
        {c_.requester,
         {T(rl, "case.approved", {{"id", std::to_string(c_.id)}, {"account", AccountLine(rl)}}) +
              (steps.empty() ? "" : "\n\n" + T(rl, "startup.heading") + steps),
          {}},
         {}});
    for (const Notification& n : t_.notify) {
      const Person* to = Resolve(n.role, n.of);
      if (to == nullptr) {
        CopyUnresolved(n);
        continue;
      }
      Lang lang = LangOf(to);
      std::string text = T(lang, "copy.heading",
                           {{"id", std::to_string(c_.id)},
                            {"form", t_.form_title.Get(lang)},
                            {"requester", RequesterName()}});
      if (!n.text.empty()) text += "\n" + n.text.Get(lang);
      AppendNumbered(text, SummaryLines(t_, c_.answers, e_.catalog_, lang));
      text += "\n\n" + T(lang, "copy.decisions") + Decisions(lang);
      out_.messages.push_back({to->id, {text, {}}, {}});
      Audit("copy.sent", {{"role", n.role}, {"to", to->id}});
    }
    TellNamed();
    int index = 0;
    for (const StartupStep& s : t_.startup_steps) {
      if (s.when && !s.when->Holds(c_.answers)) continue;
      const Person* who = s.confirmed_by == "requester" || requester_ == nullptr
                              ? requester_
                              : e_.directory_.ResolveRole(*requester_, s.confirmed_by);
      if (who == nullptr) who = requester_;
      Task task = NewTask(TaskKind::kStartup, s.id, index++, who ? who->id : c_.requester);
      Save(task);
      Lang lang = LangOf(who);
      if (s.asks == "page_id") {
        out_.messages.push_back({task.assignee,
                                 {StartupText(task, lang) + "\n" + T(lang, "startup.page_id_hint"),
                                  {{"page_id", "task:" + std::to_string(task.id),
                                    T(lang, "button.startup_page_id"), "primary"}}},
                                 {task.id}});
        continue;
      }
      SendDoneTask(task, StartupText(task, lang), T(lang, "button.startup_done"));
    }
  }

  // Sends `task` to its assignee as `text` with a "done" button labelled
  // `label`; the message is tied to the task (rewritten when it is done).
  void SendDoneTask(const Task& task, std::string text, std::string label) {
    out_.messages.push_back(
        {task.assignee,
         {std::move(text),
          {{"done", "task:" + std::to_string(task.id), std::move(label), "primary"}}},
         {task.id}});
  }

  // --- closing the account -------------------------------------------------

 public:
  CaseOutcome StartClosing(const Person& actor, const ClosingRequest& request) {
    actor_ = &actor;
    const int64_t closing = next_id_;  // the first task's id names the closing
    nlohmann::json detail{{"closing", closing},
                          {"mode", request.mode},
                          {"reason", request.reason},
                          {"requested_by", actor.id}};
    Audit("closing.started", detail);
    std::string steps;
    std::set<std::string> told;
    int index = 0;
    for (const ClosingStep& s : t_.closing.steps) {
      const Person* who = ClosingPerson(s.confirmed_by, actor);
      if (who == nullptr) who = &actor;
      Task task = NewTask(TaskKind::kClosing, s.id, index++, who->id);
      task.detail = detail;
      Save(task);
      Lang lang = LangOf(who);
      SendDoneTask(task, ClosingText(task, lang), T(lang, "button.closing_done"));
      steps += T(LangOf(actor_), "closing.step_line",
                 {{"text", s.text.Get(LangOf(actor_))}, {"who", who->name}});
      for (const std::string& role : s.tell) {
        const Person* p = ClosingPerson(role, actor);
        if (p == nullptr || p->id == actor.id || !told.insert(p->id).second) continue;
        Lang pl = LangOf(p);
        out_.messages.push_back({p->id, {T(pl, "closing.told", ClosingVars(task, pl)), {}}, {}});
        Audit("closing.told", {{"closing", closing}, {"to", p->id}, {"role", role}});
      }
    }
    if (t_.closing.steps.empty()) {
      Reply(T(LangOf(actor_), "closing.started_no_steps",
              {{"account", AccountLine(LangOf(actor_))}}));
      Closed(detail);
    } else {
      Reply(T(LangOf(actor_), "closing.started", {{"account", AccountLine(LangOf(actor_))}}) +
            steps);
    }
    return std::move(out_);
  }

 private:
  // "requester": whoever asked for the closing; "superior": their manager;
  // else a directory role, resolved from them.
  const Person* ClosingPerson(const std::string& who, const Person& asker) const {
    if (who == "requester") return &asker;
    if (who == "superior") return e_.directory_.Find(asker.superior);
    return e_.directory_.ResolveRole(asker, who);
  }

  Vars ClosingVars(const Task& task, Lang lang) const {
    const Person* by = e_.directory_.Find(task.detail.value("requested_by", ""));
    return {{"id", std::to_string(c_.id)},
            {"account", AccountLine(lang)},
            {"requester", by ? by->name : task.detail.value("requested_by", "")},
            {"reason", Literal(task.detail.value("reason", ""))},
            {"mode", T(lang, "closing.mode." + task.detail.value("mode", "closed"))}};
  }

  std::string ClosingText(const Task& task, Lang lang) const {
    Vars v = ClosingVars(task, lang);
    for (const ClosingStep& s : t_.closing.steps) {
      if (s.id == task.step_id) v["text"] = s.text.Get(lang);
    }
    return T(lang, "closing.request", v);
  }

  CaseOutcome ClosingStepDone(Task& task) {
    task.status = TaskStatus::kDone;
    Decide(task);
    Audit(
        "closing.step_done",
        {{"task", task.id}, {"step", task.step_id}, {"closing", task.detail.value("closing", 0)}});
    Reply(T(LangOf(actor_), "closing.step_recorded"));
    const int64_t closing = task.detail.value("closing", int64_t{0});
    std::vector<Task> all = Current();
    bool complete = std::all_of(all.begin(), all.end(), [&](const Task& t) {
      return t.kind != TaskKind::kClosing || t.detail.value("closing", int64_t{0}) != closing ||
             t.status == TaskStatus::kDone;
    });
    if (complete) Closed(task.detail);
    return std::move(out_);
  }

  // Every step is done: the account changes state, and the asker and the
  // organisation's contact (the keeper of the register) are told.
  void Closed(const nlohmann::json& detail) {
    AccountClosed closed{detail.value("mode", "closed"), detail.value("reason", ""),
                         detail.value("requested_by", "")};
    out_.close_account = closed;
    Audit("closing.completed", detail);
    const Person* asker = e_.directory_.Find(closed.requested_by);
    std::set<std::string> to;
    if (asker != nullptr) to.insert(asker->id);
    const Person* from = asker != nullptr ? asker : requester_;
    const Person* contact = from ? e_.directory_.ResolveRole(*from, t_.contact_role) : nullptr;
    if (contact != nullptr) to.insert(contact->id);
    for (const std::string& id : to) {
      const Person* p = e_.directory_.Find(id);
      Lang lang = LangOf(p);
      out_.messages.push_back({id,
                               {T(lang, "closing.completed",
                                  {{"id", std::to_string(c_.id)},
                                   {"account", AccountLine(lang)},
                                   {"state", T(lang, "closing.state." + closed.mode)},
                                   {"when", e_.local_time_.Format(now_)},
                                   {"reason", Literal(closed.reason)},
                                   {"requester", asker ? asker->name : closed.requested_by}}),
                                {}},
                               {}});
    }
  }

  // Nobody fits a copy's role: the copy is not dropped silently. The
  // requester (who can hand it over) and the information function (who
  // keeps the directory) are told, and the case records it.
  void CopyUnresolved(const Notification& n) {
    Audit("copy.unresolved", {{"role", n.role}, {"of", n.of}});
    auto role = [&](Lang lang) {
      std::string key = "webchat.role." + n.role;
      return e_.catalog_.Has(lang, key) || e_.catalog_.Has(Lang::kSv, key) ? T(lang, key) : n.role;
    };
    Lang rl = RequesterLang();
    out_.messages.push_back(
        {c_.requester,
         {T(rl, "copy.unresolved_requester", {{"id", std::to_string(c_.id)}, {"role", role(rl)}}),
          {}},
         {}});
    const Person* info =
        requester_ ? e_.directory_.ResolveRole(*requester_, "informationsfunktion") : nullptr;
    if (info == nullptr || info->id == c_.requester) return;
    Lang il = LangOf(info);
    out_.messages.push_back(
        {info->id,
         {T(il, "copy.unresolved_info",
            {{"id", std::to_string(c_.id)}, {"role", role(il)}, {"requester", RequesterName()}}),
          {}},
         {}});
    Audit("copy.unresolved_told", {{"role", n.role}, {"to", {c_.requester, info->id}}});
  }

  // Everyone the form names (administrators, the people running it day to
  // day, ...) hears, once it is approved, what they were named for and by
  // whom: each once, whatever the number of questions. Administrators
  // asked to accept the assignment already know: that request was the
  // message.
  void TellNamed() {
    if (requester_ == nullptr) return;
    std::map<std::string, std::vector<const Step*>> named;  // person id -> steps
    for (const Step& s : t_.steps) {
      if (s.type != QuestionType::kPerson && s.type != QuestionType::kPeople) continue;
      if ((s.when && !s.when->Holds(c_.answers)) ||
          (t_.admin_acceptance && s.id == t_.admin_acceptance->question)) {
        continue;
      }
      auto a = c_.answers.find(s.id);
      if (a == c_.answers.end() || a->is_null()) continue;
      const nlohmann::json list = a->is_array() ? *a : nlohmann::json::array({*a});
      for (const auto& p : list) {
        if (!p.is_object()) continue;
        const Person* who =
            e_.directory_.FindByContact(requester_->org, p.value("email", ""), p.value("name", ""));
        if (who == nullptr || who->id == c_.requester) continue;
        auto& steps = named[who->id];
        if (std::find(steps.begin(), steps.end(), &s) == steps.end()) steps.push_back(&s);
      }
    }
    for (const auto& [id, steps] : named) {
      Lang lang = LangOf(e_.directory_.Find(id));
      std::string what;
      for (const Step* s : steps) {
        what += (what.empty() ? "" : T(lang, "case.deciders_and")) + "”" + s->Label(lang) + "”";
      }
      out_.messages.push_back({id,
                               {T(lang, "named.notice",
                                  {{"id", std::to_string(c_.id)},
                                   {"requester", RequesterName()},
                                   {"what", what},
                                   {"account", AccountLine(lang)}}),
                                {}},
                               {}});
      nlohmann::json step_ids = nlohmann::json::array();
      for (const Step* s : steps) step_ids.push_back(s->id);
      Audit("named.told", {{"to", id}, {"steps", step_ids}});
    }
  }

  std::string Decisions(Lang lang) const {
    std::string out;
    for (const Task& t : Current()) {
      if (t.kind == TaskKind::kApproval || t.kind == TaskKind::kAdmin) {
        std::string what =
            t.kind == TaskKind::kApproval
                ? StepTitle(t.step_id, lang)
                : T(lang, "admin.label", {{"name", Literal(t.detail.value("name", ""))}});
        out += "\n• " + what + ": " + DecisionLine(t, lang);
      }
    }
    return out;
  }

  // --- typed follow-ups ----------------------------------------------------------

  CaseOutcome OnText(const std::string& pending, Task* task, const std::string& text) {
    Lang lang = LangOf(actor_);
    std::string kind = pending.substr(std::string(kCasePending).size());
    kind = kind.substr(0, kind.find(':'));
    out_.pending[actor_->id] = "";
    if (task == nullptr) {
      Reply(T(lang, "case.unknown_task"));
      return std::move(out_);
    }
    std::string trimmed = Trim(text);
    if (kind == "reject_reason") {
      if (trimmed.empty()) return KeepPending(pending, "case.reject_reason_empty");
      if (task->status != TaskStatus::kOpen || !MayDecide(*task, *actor_)) {
        Reply(T(lang, "case.already_decided", {{"decision", DecisionLine(*task, lang)}}));
        return std::move(out_);
      }
      return Reject(*task, trimmed);
    }
    if (kind == "ask") {
      out_.pending[c_.requester] = std::string(kCasePending) + "answer:" + std::to_string(task->id);
      Lang rl = RequesterLang();
      out_.messages.push_back({c_.requester,
                               {T(rl, "case.question",
                                  {{"name", actor_->name},
                                   {"id", std::to_string(c_.id)},
                                   {"question", Literal(trimmed)}}),
                                {}},
                               {}});
      Audit("question.asked", {{"task", task->id}, {"by", actor_->id}, {"question", trimmed}});
      Reply(T(lang, "case.question_sent", {{"name", RequesterName()}}));
      return std::move(out_);
    }
    if (kind == "answer") {
      const Person* asker = e_.directory_.Find(task->assignee);
      Lang al = LangOf(asker);
      out_.messages.push_back({task->assignee,
                               {T(al, "case.answer",
                                  {{"name", actor_->name},
                                   {"id", std::to_string(c_.id)},
                                   {"answer", Literal(trimmed)}}),
                                {}},
                               {}});
      Audit("question.answered", {{"task", task->id}, {"by", actor_->id}, {"answer", trimmed}});
      Reply(T(lang, "case.answer_sent", {{"name", asker ? asker->name : task->assignee}}));
      return std::move(out_);
    }
    if (kind == "page_id") return PageId(*task, trimmed, pending);
    if (kind == "name_approver") return NameApprover(*task, trimmed, pending);
    if (kind == "replace_admin") return ReplaceAdmin(*task, trimmed, pending);
    Reply(T(lang, "case.unknown_task"));
    return std::move(out_);
  }

  // The start-up step's page or profile id: digits (spaces ignored), as
  // Meta's Page and Instagram ids are.
  CaseOutcome PageId(Task& task, const std::string& text, const std::string& pending) {
    Lang lang = LangOf(actor_);
    if (task.status != TaskStatus::kOpen) {
      Reply(T(lang, "startup.recorded"));
      return std::move(out_);
    }
    std::string digits;
    for (char ch : text) {
      if (ch == ' ') continue;
      if (ch < '0' || ch > '9') return KeepPending(pending, "startup.page_id_invalid");
      digits.push_back(ch);
    }
    if (digits.size() < 5 || digits.size() > 30)
      return KeepPending(pending, "startup.page_id_invalid");
    task.status = TaskStatus::kDone;
    Decide(task);
    Audit("startup.done", {{"task", task.id}, {"step", task.step_id}, {"page", digits}});
    out_.page_id = digits;
    Reply(T(lang, "startup.page_id_recorded", {{"page", digits}, {"id", std::to_string(c_.id)}}));
    for (const StartupStep& s : t_.startup_steps) {
      if (s.id == task.step_id && s.creates_account) out_.list_account = true;
    }
    return std::move(out_);
  }

  CaseOutcome KeepPending(const std::string& pending, const std::string& key,
                          const Vars& vars = {}) {
    out_.pending[actor_->id] = pending;
    Reply(T(LangOf(actor_), key, vars));
    return std::move(out_);
  }

  CaseOutcome Reject(Task& task, const std::string& reason) {
    task.status = TaskStatus::kRejected;
    task.reason = reason;
    Decide(task);
    for (Task t : Current()) {
      if (t.status == TaskStatus::kOpen && t.id != task.id) {
        t.status = TaskStatus::kCancelled;
        Save(t);
        Rewrite(t);
      }
    }
    out_.status = kRejected;
    out_.reopen_draft = true;
    Audit("approval.rejected",
          {{"task", task.id}, {"step", task.step_id}, {"by", actor_->id}, {"reason", reason}});
    Reply(T(LangOf(actor_), "case.rejected_reply", {{"id", std::to_string(c_.id)}}));
    Lang rl = RequesterLang();
    out_.messages.push_back(
        {c_.requester,
         {T(rl, "case.rejected",
            {{"id", std::to_string(c_.id)}, {"decision", DecisionLine(task, rl)}}),
          {{"resume", std::to_string(c_.id), T(rl, "button.amend"), "primary"}}},
         {}});
    return std::move(out_);
  }

  CaseOutcome NameApprover(Task& task, const std::string& text, const std::string& pending) {
    bool email = text.find('@') != std::string::npos;
    const Person* named = requester_ ? e_.directory_.FindByContact(
                                           requester_->org, email ? text : "", email ? "" : text)
                                     : nullptr;
    if (named == nullptr)
      return KeepPending(pending, "approval.name_not_found", {{"text", Literal(text)}});
    task.status = TaskStatus::kDone;
    task.detail["named"] = named->id;
    Decide(task);
    Audit("approver.named",
          {{"task", task.id}, {"step", task.step_id}, {"by", actor_->id}, {"named", named->id}});
    Reply(T(LangOf(actor_), "approval.named", {{"name", named->name}}));
    SendApproval(NewTask(TaskKind::kApproval, task.step_id, task.stage, named->id));
    return std::move(out_);
  }

  CaseOutcome ReplaceAdmin(Task& declined, const std::string& text, const std::string& pending) {
    Step person_step;
    person_step.type = QuestionType::kPerson;
    // After "Ange en kontaktuppgift för X", the answer is X's contact
    // details: the name given before is kept with the declined task.
    std::optional<ParsedAnswer> completed;
    if (declined.detail.contains("replacement")) {
      completed = CompleteContact(person_step, declined.detail["replacement"], 0, text);
    }
    ParsedAnswer p = completed ? *completed : ParseAnswer(person_step, text, t_, LangOf(actor_));
    if (p.missing >= 0 || declined.detail.contains("replacement")) {
      if (p.missing >= 0) {
        declined.detail["replacement"] = p.partial;
      } else {
        declined.detail.erase("replacement");
      }
      Save(declined);
    }
    if (!p.ok) return KeepPending(pending, p.error_key, p.vars);
    nlohmann::json answers = c_.answers;
    size_t index = declined.detail.value("index", 0);
    nlohmann::json& list = answers[t_.admin_acceptance->question];
    if (list.is_array() && index < list.size()) list[index] = p.value;
    out_.answers = answers;
    Audit("admin.replaced", {{"task", declined.id},
                             {"old", declined.detail.value("name", "")},
                             {"new", p.value.value("name", "")},
                             {"by", actor_->id}});
    Reply(T(LangOf(actor_), "admin.replacement_sent",
            {{"name", Literal(p.value.value("name", ""))}}));
    SendAdmin(p.value, index);
    return std::move(out_);
  }

  const CaseEngine& e_;
  const Case& c_;
  const Template& t_;
  TimePoint now_;
  int64_t& next_id_;
  const Person* requester_;
  const Person* actor_ = nullptr;
  // Tasks touched by this call. A deque: Find hands out references that
  // must stay valid while Save adds more (a vector's growth moved them).
  std::deque<Task> tasks_;
  CaseOutcome out_;
};

CaseOutcome CaseEngine::Submitted(const Case& c, TimePoint now, int64_t& next_task_id) const {
  return Run(*this, c, now, next_task_id).Submitted();
}

CaseOutcome CaseEngine::StartClosing(const Case& c, const Person& actor,
                                     const ClosingRequest& request, TimePoint now,
                                     int64_t& next_task_id) const {
  return Run(*this, c, now, next_task_id).StartClosing(actor, request);
}

CaseOutcome CaseEngine::Act(const Case& c, const Person& actor, const std::string& action,
                            int64_t task_id, const std::string& text, const std::string& pending,
                            TimePoint now, int64_t& next_task_id) const {
  return Run(*this, c, now, next_task_id).Act(actor, action, task_id, text, pending);
}

}  // namespace kontobot
