#include "bot/conversation.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <utility>

#include "bot/answers.h"
#include "bot/closing.h"
#include "bot/mentions.h"

namespace kontobot {

std::string_view DraftStatusName(DraftStatus status) {
  switch (status) {
    case DraftStatus::kOpen:
      return "open";
    case DraftStatus::kSubmitted:
      return "submitted";
    case DraftStatus::kCancelled:
      return "cancelled";
  }
  return "open";
}

std::optional<DraftStatus> ParseDraftStatus(std::string_view name) {
  for (DraftStatus s : {DraftStatus::kOpen, DraftStatus::kSubmitted, DraftStatus::kCancelled}) {
    if (DraftStatusName(s) == name) return s;
  }
  return std::nullopt;
}

nlohmann::json Draft::StateJson() const {
  return {{"answers", answers},
          {"acknowledged", acknowledged},
          {"cursor", cursor},
          {"history", history},
          {"return_to_summary", return_to_summary},
          {"proposals", proposals},
          {"followup", followup},
          {"last_answer", last_answer}};
}

void Draft::LoadState(const nlohmann::json& state) {
  answers = state.value("answers", nlohmann::json::object());
  acknowledged = state.value("acknowledged", std::vector<std::string>{});
  cursor = state.value("cursor", "");
  history = state.value("history", std::vector<std::string>{});
  return_to_summary = state.value("return_to_summary", false);
  proposals = state.value("proposals", nlohmann::json::object());
  followup = state.value("followup", nlohmann::json::object());
  last_answer = state.value("last_answer", "");
}

namespace {

std::optional<int64_t> ParseId(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

// "ändra 3" -> {"ändra", "3"}; "3" -> {"", "3"}.
std::pair<std::string, std::string> SplitTrailingNumber(const std::string& w) {
  size_t i = w.size();
  while (i > 0 && std::isdigit(static_cast<unsigned char>(w[i - 1]))) --i;
  if (i == w.size()) return {w, ""};
  return {Trim(w.substr(0, i)), w.substr(i)};
}

}  // namespace

// One input's worth of work: holds the state being changed and the outcome
// being built.
class ConversationEngine::Turn {
 public:
  Turn(const ConversationEngine& engine, const Person& person, const Session& session,
       std::vector<Draft> drafts, int64_t next_id, TimePoint now)
      : e_(engine), person_(person), drafts_(std::move(drafts)), next_id_(next_id), now_(now) {
    out_.session = session;
    if (Active() == nullptr) out_.session.active_draft = 0;
  }

  Outcome Run(const Input& in) {
    // What the person's previous message answered: only this input can
    // correct it, by editing that message.
    std::string answered;
    if (Draft* d = Active(); d != nullptr && !d->last_answer.empty()) {
      answered = std::exchange(d->last_answer, "");
      Touch(*d);
    }
    if (!in.action.empty()) {
      OnAction(in.action, in.value);
    } else if (LooksLikePassword(in.text)) {
      out_.redact_input = true;
      Audit("input.redacted", Subject(), {{"reason", "password"}});
      Say(e_.PasswordRefused(person_, lang()));
      if (Active()) AskCurrent();
    } else if (in.edit == Edit::kOlder) {
      Audit("input.edit_ignored", Subject());
      AskCurrent(T("edit.older"));
    } else if (in.edit == Edit::kLatest && !answered.empty()) {
      Correct(answered, in.text);
    } else {
      // Also the edit of a latest message that answered nothing (refused,
      // or a command): read as what the person says now.
      OnText(in.text);
    }
    for (Draft& d : drafts_) {
      // A follow-up question stands only while its step is being asked.
      if (!d.followup.empty() && d.followup.value("step", "") != d.cursor) {
        d.followup = nlohmann::json::object();
        Touch(d);
      }
      if (changed_.count(d.id)) {
        d.updated = now_;
        out_.drafts.push_back(d);
      }
    }
    return std::move(out_);
  }

 private:
  Lang lang() const { return out_.session.lang; }
  std::string T(const std::string& key, const Vars& vars = {}) const {
    return e_.catalog_.Render(lang(), key, vars);
  }
  void Say(std::string text, std::vector<Button> buttons = {}) {
    out_.replies.push_back({std::move(text), std::move(buttons)});
  }
  Button B(const std::string& id, const std::string& value, const std::string& label_key,
           const std::string& style = "default") const {
    return {id, value, T(label_key), style};
  }
  void Audit(std::string action, std::string subject,
             nlohmann::json detail = nlohmann::json::object()) {
    out_.audit.push_back({std::move(action), std::move(subject), std::move(detail)});
  }
  std::string Subject() const {
    return Active() ? "draft:" + std::to_string(Active()->id) : "person:" + person_.id;
  }

  Draft* Find(int64_t id) {
    for (Draft& d : drafts_) {
      if (d.id == id && d.status == DraftStatus::kOpen) return &d;
    }
    return nullptr;
  }
  Draft* Active() { return Find(out_.session.active_draft); }
  const Draft* Active() const {
    for (const Draft& d : drafts_) {
      if (d.id == out_.session.active_draft && d.status == DraftStatus::kOpen) return &d;
    }
    return nullptr;
  }
  const Template* TemplateOf(const Draft& d) const {
    auto it = e_.templates_.find(d.template_id);
    return it == e_.templates_.end() ? nullptr : it->second.get();
  }
  void Touch(Draft& d) { changed_.insert(d.id); }
  size_t OpenCount() const {
    return static_cast<size_t>(std::count_if(drafts_.begin(), drafts_.end(), [](const Draft& d) {
      return d.status == DraftStatus::kOpen;
    }));
  }

  // --- the draft's shape -------------------------------------------------

  static bool Applies(const Step& s, const Draft& d) { return !s.when || s.when->Holds(d.answers); }
  static bool Done(const Step& s, const Draft& d) {
    if (s.IsQuestion()) return d.answers.contains(s.id);
    return std::find(d.acknowledged.begin(), d.acknowledged.end(), s.id) != d.acknowledged.end();
  }
  // Drops answers to steps whose condition no longer holds. Repeats, since
  // dropping one answer can turn off a later condition.
  static void Prune(const Template& t, Draft& d) {
    bool again = true;
    while (again) {
      again = false;
      for (const Step& s : t.steps) {
        if (!Applies(s, d) && s.IsQuestion() && d.answers.contains(s.id)) {
          d.answers.erase(s.id);
          again = true;
        }
      }
    }
  }
  static std::string NextPending(const Template& t, const Draft& d) {
    for (const Step& s : t.steps) {
      if (Applies(s, d) && !Done(s, d)) return s.id;
    }
    return "";
  }
  static std::vector<const Step*> Applicable(const Template& t, const Draft& d) {
    std::vector<const Step*> out;
    for (const Step& s : t.steps) {
      if (Applies(s, d)) out.push_back(&s);
    }
    return out;
  }

  // --- asking --------------------------------------------------------------

  void AskCurrent(const std::string& prefix = "") {
    Draft* d = Active();
    if (d == nullptr) {
      Say(prefix.empty() ? e_.Welcome(person_, lang(), OpenCount()).text : prefix,
          e_.Welcome(person_, lang(), OpenCount()).buttons);
      return;
    }
    const Template* t = TemplateOf(*d);
    const Step* s = t ? t->FindStep(d->cursor) : nullptr;
    if (s == nullptr) {
      ShowSummary(*d, prefix);
      return;
    }
    auto steps = Applicable(*t, *d);
    size_t pos = 1 + static_cast<size_t>(std::find(steps.begin(), steps.end(), s) - steps.begin());
    Vars v{{"n", std::to_string(pos)},
           {"total", std::to_string(steps.size())},
           {"label", s->Label(lang())},
           {"text", s->text.Get(lang())},
           {"title", s->title.Get(lang())}};
    std::string text = prefix.empty() ? "" : prefix + "\n\n";
    std::vector<Button> buttons;
    if (!s->IsQuestion()) {
      text += T("advice.heading", v);
      if (!s->text.empty()) text += "\n" + s->text.Get(lang());
      for (const LocalizedText& item : s->items) text += "\n• " + item.Get(lang());
      text += "\n\n" + T("advice.ack_hint");
      buttons.push_back(B("ack", s->id, "button.ack", "primary"));
    } else {
      text += T(s->title.empty() ? "question.heading_untitled" : "question.heading", v) + "\n" +
              s->text.Get(lang());
      if (!s->help.empty()) text += "\n" + T("question.help", {{"help", s->help.Get(lang())}});
      // The format hint, unless the template's own help already shows an
      // example; formats people get wrong (lists, times) always get it.
      bool format_matters = s->type == QuestionType::kPeople || s->type == QuestionType::kPerson ||
                            s->type == QuestionType::kSchedule || s->rule == "login_email";
      std::string hint = s->help.empty() || format_matters ? TypeHint(*s) : "";
      if (!hint.empty()) text += "\n" + hint;
      if (d->answers.contains(s->id) && !d->answers[s->id].is_null()) {
        text += "\n" + T("question.current_answer",
                         {{"answer", Literal(FormatAnswer(*s, d->answers[s->id], lang()))}});
      } else if (d->proposals.contains(s->id)) {
        std::string answer = Literal(FormatAnswer(*s, d->proposals[s->id], lang()));
        text += "\n" + T("proposal.offer", {{"answer", answer}});
        buttons.push_back(
            {"proposal", s->id, T("button.proposal", {{"answer", answer}}), "primary"});
      }
      AnswerButtons(*s, *d, buttons);
    }
    if (!d->history.empty()) buttons.push_back(B("back", "", "button.back"));
    Say(text, buttons);
    out_.replies.back().input = InputOf(*s);
  }

  static nlohmann::json InputOf(const Step& s) {
    if (!s.IsQuestion()) return {{"step", s.id}, {"kind", "advice"}};
    nlohmann::json in{{"step", s.id},
                      {"kind", "question"},
                      {"type", QuestionTypeName(s.type)},
                      {"required", s.required}};
    if (s.type == QuestionType::kPeople) in["min"] = s.min_count;
    if (s.min) in["min"] = *s.min;
    if (s.max) in["max"] = *s.max;
    return in;
  }

  std::string TypeHint(const Step& s) const {
    Vars v{{"min", std::to_string(s.min_count)}, {"max", std::to_string(s.max_count)}};
    switch (s.type) {
      case QuestionType::kPeople:
        return T("hint.people", v);
      case QuestionType::kPerson:
        return T("hint.person");
      case QuestionType::kSchedule:
        return T("hint.schedule");
      case QuestionType::kUrl:
        return T("hint.url", {{"example", Example(s, "hint.url_example")}});
      case QuestionType::kEmail:
        return s.rule == "login_email"
                   ? T("hint.login_email")
                   : T("hint.email", {{"example", Example(s, "hint.email_example")}});
      case QuestionType::kNumber: {
        if (s.min && s.max) {
          auto fmt = [](double x) { return std::to_string(static_cast<long long>(x)); };
          return T("hint.number_range",
                   {{"min", fmt(*s.min)}, {"max", fmt(*s.max)}, {"unit", s.unit.Get(lang())}});
        }
        return "";
      }
      case QuestionType::kChoice:
        return s.allow_other ? T("hint.choice_other") : "";
      default:
        return "";
    }
  }

  // The step's own example, or the catalogue's neutral one.
  std::string Example(const Step& s, const std::string& fallback_key) const {
    return s.example.empty() ? T(fallback_key) : s.example.Get(lang());
  }

  void AnswerButtons(const Step& s, const Draft& d, std::vector<Button>& buttons) const {
    if (s.type == QuestionType::kChoice && s.options.size() <= 12) {
      for (const ChoiceOption& o : s.options) {
        buttons.push_back({"answer", s.id + ":" + o.value, o.label.Get(lang()), "default"});
      }
    } else if (s.type == QuestionType::kYesNo) {
      buttons.push_back({"answer", s.id + ":ja", T("button.yes"), "default"});
      buttons.push_back({"answer", s.id + ":nej", T("button.no"), "default"});
    }
    if (d.answers.contains(s.id)) buttons.push_back(B("keep", s.id, "button.keep", "primary"));
    if (!s.required) buttons.push_back(B("skip", s.id, "button.skip"));
  }

  void ShowSummary(Draft& d, const std::string& prefix = "") {
    const Template* t = TemplateOf(d);
    std::string text = prefix.empty() ? "" : prefix + "\n\n";
    text +=
        T("summary.heading", {{"id", std::to_string(d.id)}, {"form", t->form_title.Get(lang())}});
    AppendNumbered(text, e_.SummaryLines(d, lang()));
    size_t advice = 0;
    for (const Step* s : Applicable(*t, d)) advice += s->IsQuestion() ? 0 : 1;
    if (advice > 0) text += "\n\n" + T("summary.advice_done", {{"count", std::to_string(advice)}});
    text += "\n\n" + T("summary.instructions");
    Say(text, {B("submit", std::to_string(d.id), "button.submit", "primary"),
               B("edit_menu", std::to_string(d.id), "button.edit"),
               B("cancel", std::to_string(d.id), "button.cancel", "danger")});
  }

  // --- moving --------------------------------------------------------------

  // After an answer or acknowledgement: the next pending step, or back to
  // the summary when editing and nothing new became pending.
  void Advance(Draft& d, const std::string& prefix = "") {
    const Template* t = TemplateOf(d);
    Prune(*t, d);
    if (!d.cursor.empty()) d.history.push_back(d.cursor);
    d.cursor = NextPending(*t, d);
    if (d.cursor.empty()) d.return_to_summary = false;
    Touch(d);
    AskCurrent(prefix);
  }

  void GoBack() {
    Draft* d = Active();
    if (d == nullptr || d->history.empty()) {
      AskCurrent(T("back.nothing"));
      return;
    }
    const Template* t = TemplateOf(*d);
    // Skip history entries that no longer apply (their condition changed).
    while (!d->history.empty()) {
      std::string prev = d->history.back();
      d->history.pop_back();
      const Step* s = t->FindStep(prev);
      if (s != nullptr && Applies(*s, *d)) {
        d->cursor = prev;
        Touch(*d);
        AskCurrent();
        return;
      }
    }
    AskCurrent(T("back.nothing"));
  }

  // The template of the person's organisation, or null.
  const Template* OrgTemplate() const {
    const Organisation* org = e_.directory_.FindOrganisation(person_.org);
    auto it = e_.templates_.find(org ? org->template_id : person_.org);
    return it == e_.templates_.end() ? nullptr : it->second.get();
  }

  // Starts a registration; `understood`, when given, is what the person's
  // opening sentence said, proposed as answers they confirm.
  void StartNew(const Understood* understood = nullptr) {
    const Organisation* org = e_.directory_.FindOrganisation(person_.org);
    if (OrgTemplate() == nullptr) {
      Say(T("error.no_template", {{"org", org ? org->name.Get(lang()) : person_.org}}));
      return;
    }
    const Template& t = *OrgTemplate();
    Draft d;
    d.id = next_id_;
    d.person_id = person_.id;
    d.template_id = t.id;
    d.template_version = t.version;
    d.created = now_;
    d.cursor = NextPending(t, d);
    std::string noted;
    if (understood != nullptr) noted = Propose(t, *understood, d);
    drafts_.push_back(d);
    Touch(drafts_.back());
    out_.session.active_draft = d.id;
    out_.session.pending.clear();
    Audit("draft.created", "draft:" + std::to_string(d.id),
          {{"template", t.id}, {"version", t.version}});
    std::string intro = T("draft.started", {{"id", std::to_string(d.id)},
                                            {"form", t.form_title.Get(lang())},
                                            {"org", t.organisation.Get(lang())}});
    if (!t.intro.empty()) intro += "\n\n" + t.intro.Get(lang());
    intro += "\n\n" + T("draft.commands");
    if (!noted.empty()) intro += "\n\n" + T("intent.understood", {{"what", noted}});
    AskCurrent(intro);
  }

  // Records what the sentence said as proposals on `d`, each checked as an
  // answer to its question; returns them as text ("Facebook, Biblioteket").
  std::string Propose(const Template& t, const Understood& u, Draft& d) const {
    std::string noted;
    for (const auto& [field, said] : {std::pair{"medium", u.medium}, std::pair{"unit", u.unit}}) {
      auto it = t.register_fields.find(field);
      const Step* s = it == t.register_fields.end() ? nullptr : t.FindStep(it->second);
      if (said.empty() || s == nullptr || !s->IsQuestion()) continue;
      ParsedAnswer p = ParseAnswer(*s, said, t, lang());
      if (!p.ok || (s->type == QuestionType::kChoice && p.value.value("value", "") == "other")) {
        continue;
      }
      d.proposals[s->id] = p.value;
      noted += (noted.empty() ? "" : ", ") + FormatAnswer(*s, p.value, lang());
    }
    return noted;
  }

  void AcceptProposal(Draft& d, const Step& s) {
    d.answers[s.id] = d.proposals[s.id];
    d.proposals.erase(s.id);
    Audit("answer.recorded", "draft:" + std::to_string(d.id),
          {{"step", s.id}, {"value", d.answers[s.id]}, {"from", "proposal"}});
    AdvanceAfterEdit(d, "");
  }

  // --- what the person wants, outside a registration -----------------------

  void Understand(const std::string& text) {
    const Template* t = OrgTemplate();
    Understood u = e_.recogniser_.Recognise(text, t);
    Audit("intent.recognised", Subject(),
          {{"intent", IntentName(u.intent)}, {"medium", u.medium}, {"unit", u.unit}});
    if (u.intent == Intent::kRegister) return StartNew(&u);
    if (u.intent == Intent::kUnclear) return Say(T("welcome.unknown_input"), CapabilityButtons());
    NotYet(u.intent);
  }

  // Everything the bot can do, as buttons: what an unclear message gets.
  std::vector<Button> CapabilityButtons() const {
    std::vector<Button> buttons{B("new", "", "button.new", "primary")};
    for (Intent i : {Intent::kChangeAdmins, Intent::kAbsence, Intent::kCloseAccount}) {
      std::string name(IntentName(i));
      buttons.push_back(B("intent", name, "button.intent." + name));
    }
    if (OpenCount() > 0) buttons.push_back(B("drafts", "", "button.drafts"));
    buttons.push_back(B("help", "", "button.help"));
    return buttons;
  }

  // An account-lifecycle request kontobot cannot handle yet: say so, and
  // whom to contact (the organisation's information function, from the
  // directory), with the organisation's own rule when its template has one.
  void NotYet(Intent intent) {
    const Template* t = OrgTemplate();
    const std::string name(IntentName(intent));
    std::string text =
        T("intent.not_yet." + name,
          {{"contact", ContactLine(t, person_, e_.directory_, e_.catalog_, lang())}});
    std::string said;
    if (t != nullptr) {
      // The template's `lifecycle:` rule; for an absence, else the one its
      // reminder policy states.
      auto rule = t->lifecycle_rules.find(name);
      if (rule != t->lifecycle_rules.end()) {
        said = rule->second.Get(lang());
      } else if (intent == Intent::kAbsence) {
        const nlohmann::json r = t->reminders.value("absence", nlohmann::json::object())
                                     .value("text", nlohmann::json::object());
        said = r.value(std::string(LangCode(lang())), r.value("sv", ""));
      }
    }
    if (!said.empty()) {
      text += "\n\n" +
              T("intent.organisation_rule", {{"org", t->organisation.Get(lang())}, {"rule", said}});
    }
    Say(text, e_.Welcome(person_, lang(), OpenCount()).buttons);
  }

  void Resume(int64_t id) {
    if (Find(id) == nullptr) {
      Say(T("drafts.not_found", {{"id", std::to_string(id)}}));
      ListDrafts();
      return;
    }
    out_.session.active_draft = id;
    out_.session.pending.clear();
    AskCurrent(T("drafts.resumed", {{"id", std::to_string(id)}}));
  }

  void ListDrafts() {
    std::vector<Button> buttons;
    std::string text;
    for (const Draft& d : drafts_) {
      if (d.status != DraftStatus::kOpen) continue;
      const Template* t = TemplateOf(d);
      text += "\n• " + T("drafts.line", {{"id", std::to_string(d.id)},
                                         {"form", t ? t->form_title.Get(lang()) : d.template_id},
                                         {"progress", Progress(d)}});
      buttons.push_back({"resume", std::to_string(d.id),
                         T("button.resume", {{"id", std::to_string(d.id)}}), "default"});
    }
    if (buttons.empty()) {
      Say(T("drafts.none"), {B("new", "", "button.new", "primary")});
      return;
    }
    buttons.push_back(B("new", "", "button.new", "primary"));
    Say(T("drafts.heading") + text, buttons);
  }

  std::string Progress(const Draft& d) const {
    const Template* t = TemplateOf(d);
    if (t == nullptr) return "";
    size_t done = 0, total = 0;
    for (const Step* s : Applicable(*t, d)) {
      ++total;
      done += Done(*s, d) ? 1 : 0;
    }
    return T("progress", {{"done", std::to_string(done)}, {"total", std::to_string(total)}});
  }

  void Status() {
    const Draft* d = Active();
    std::string text;
    if (d != nullptr) {
      const Template* t = TemplateOf(*d);
      const Step* s = t->FindStep(d->cursor);
      text = T("status.active", {{"id", std::to_string(d->id)},
                                 {"form", t->form_title.Get(lang())},
                                 {"progress", Progress(*d)},
                                 {"current", s ? s->Label(lang()) : T("status.at_summary")}});
    } else {
      text = T("status.no_active");
    }
    size_t others = OpenCount() - (d ? 1 : 0);
    if (others > 0) text += "\n" + T("status.other_drafts", {{"count", std::to_string(others)}});
    std::vector<Button> buttons;
    if (d != nullptr) buttons.push_back(B("continue", "", "button.continue", "primary"));
    if (OpenCount() > 0) buttons.push_back(B("drafts", "", "button.drafts"));
    buttons.push_back(B("new", "", "button.new"));
    Say(text, buttons);
  }

  void Help() {
    std::string text = T("help.text");
    // The information function's own commands (the service handles them).
    if (person_.HasRole("informationsfunktion")) text += "\n\n" + T("help.information_function");
    const Draft* d = Active();
    if (d != nullptr) {
      const Step* s = TemplateOf(*d)->FindStep(d->cursor);
      if (s != nullptr && !s->help.empty()) {
        text = T("help.current", {{"label", s->Label(lang())}, {"help", s->help.Get(lang())}}) +
               "\n\n" + text;
      }
    }
    Say(text);
    if (d != nullptr) AskCurrent();
  }

  void AskCancel(int64_t id) {
    if (Find(id) == nullptr) {
      AskCurrent(T("cancel.nothing"));
      return;
    }
    out_.session.pending = "confirm_cancel";
    Say(T("cancel.confirm", {{"id", std::to_string(id)}}),
        {B("cancel_confirm", std::to_string(id), "button.cancel_confirm", "danger"),
         B("cancel_abort", std::to_string(id), "button.cancel_abort", "primary")});
  }

  void Cancel(int64_t id) {
    Draft* d = Find(id);
    out_.session.pending.clear();
    if (d == nullptr) {
      AskCurrent(T("cancel.nothing"));
      return;
    }
    d->status = DraftStatus::kCancelled;
    Touch(*d);
    Audit("draft.cancelled", "draft:" + std::to_string(id));
    if (out_.session.active_draft == id) out_.session.active_draft = 0;
    Say(T("cancel.done", {{"id", std::to_string(id)}}),
        e_.Welcome(person_, lang(), OpenCount()).buttons);
  }

  void Submit(int64_t id) {
    Draft* d = Find(id);
    if (d == nullptr) {
      Say(T("submit.not_open", {{"id", std::to_string(id)}}));
      return;
    }
    const Template* t = TemplateOf(*d);
    Prune(*t, *d);
    std::string pending = NextPending(*t, *d);
    if (!pending.empty() || !d->cursor.empty()) {
      out_.session.active_draft = id;
      if (!pending.empty()) d->cursor = pending;
      Touch(*d);
      AskCurrent(T("submit.incomplete"));
      return;
    }
    d->status = DraftStatus::kSubmitted;
    Touch(*d);
    out_.submitted.push_back(id);
    if (out_.session.active_draft == id) out_.session.active_draft = 0;
    Audit("draft.submitted", "draft:" + std::to_string(id),
          {{"template", t->id}, {"version", t->version}, {"answers", d->answers}});
    std::string chain;
    for (const ApprovalStep& a : t->approval) {
      if (a.when && !a.when->Holds(d->answers)) continue;
      std::string title = a.title.Get(lang());
      for (const ApprovalStep& p : a.parallel) {
        if (!p.when || p.when->Holds(d->answers)) {
          title += (title.empty() ? "" : " + ") + p.title.Get(lang());
        }
      }
      if (!title.empty()) chain += (chain.empty() ? "" : T("submit.then")) + title;
    }
    std::string text = T("submit.done", {{"id", std::to_string(id)}});
    if (!chain.empty()) text += "\n" + T("submit.next", {{"chain", chain}});
    Say(text, {B("new", "", "button.new")});
  }

  void SetLang(Lang lang) {
    out_.session.lang = lang;
    out_.language_chosen = lang;
    Audit("session.language", "person:" + person_.id, {{"lang", LangCode(lang)}});
    AskCurrent(T("lang.switched"));
  }

  // --- answering -------------------------------------------------------------

  // The answer to a contact-details follow-up as CompleteContact reads it:
  // text without mentions as it is; a lone mention of a directory person
  // (the person asked about, named the platform's way) as that person's
  // name and directory contact details. nullopt for anything else with a
  // mention: a new answer to the question, which reads mentions itself
  // (and refuses an unknown one by its readable name).
  std::optional<std::string> FollowupReply(const std::string& text) const {
    std::vector<Mention> mentions = FindMentions(text);
    if (mentions.empty()) return text;
    const Mention& m = mentions.front();
    if (mentions.size() != 1 || !Trim(text.substr(0, m.begin)).empty() ||
        !Trim(text.substr(m.end)).empty()) {
      return std::nullopt;
    }
    const Person* p = m.person_id.empty() ? nullptr : e_.directory_.Find(m.person_id);
    if (p == nullptr) return std::nullopt;
    std::string reply = p->name;
    for (const std::string* detail : {&p->email, &p->phone}) {
      if (!detail->empty()) reply += ", " + *detail;
    }
    return reply;
  }

  void Answer(Draft& d, const Step& s, const std::string& text) {
    const Template* t = TemplateOf(d);
    AnswerContext ctx{&e_.directory_.personal_emails(), &e_.directory_};
    // The answer to a follow-up question belongs to that question.
    std::optional<ParsedAnswer> completed;
    if (d.followup.value("step", "") == s.id) {
      std::optional<std::string> reply = FollowupReply(text);
      if (reply) {
        completed =
            CompleteContact(s, d.followup["partial"], d.followup.value("missing", -1), *reply);
      }
    }
    ParsedAnswer p = completed ? *completed : ParseAnswer(s, text, *t, lang(), ctx);
    if (!d.followup.empty() || p.missing >= 0) {
      d.followup =
          p.missing >= 0
              ? nlohmann::json{{"step", s.id}, {"partial", p.partial}, {"missing", p.missing}}
              : nlohmann::json::object();
      Touch(d);
    }
    if (!p.ok) {
      Audit("answer.invalid", "draft:" + std::to_string(d.id),
            {{"step", s.id}, {"error", p.error_key}});
      std::string msg = T(p.error_key, p.vars);
      std::string hint = TypeHint(s);
      if (!hint.empty() && p.error_key != "invalid.login_email" && p.missing < 0) {
        msg += "\n" + hint;
      }
      std::vector<Button> buttons;
      AnswerButtons(s, d, buttons);
      if (!d.history.empty()) buttons.push_back(B("back", "", "button.back"));
      Say(msg, buttons);
      out_.replies.back().input = InputOf(s);
      return;
    }
    d.answers[s.id] = p.value;
    d.last_answer = s.id;
    d.proposals.erase(s.id);
    Audit("answer.recorded", "draft:" + std::to_string(d.id), {{"step", s.id}, {"value", p.value}});
    std::string ack;
    if (s.type == QuestionType::kSchedule || s.type == QuestionType::kPeople ||
        (s.type == QuestionType::kChoice && p.value.value("value", "") == "other")) {
      ack = T("answer.understood", {{"answer", Literal(FormatAnswer(s, p.value, lang()))}});
    }
    AdvanceAfterEdit(d, ack);
  }

  // The person edited their latest message, the answer to `step_id`: the
  // new text replaces that answer (or, refused, leaves it as it was), and
  // the question being asked is asked again.
  void Correct(const std::string& step_id, const std::string& raw) {
    Draft* d = Active();
    const Template* t = TemplateOf(*d);
    const Step* s = t->FindStep(step_id);
    if (s == nullptr || !s->IsQuestion()) return OnText(raw);
    AnswerContext ctx{&e_.directory_.personal_emails(), &e_.directory_};
    ParsedAnswer p = ParseAnswer(*s, raw, *t, lang(), ctx);
    Vars title{{"title", s->title.Get(lang())}};
    if (!p.ok) {
      Audit("answer.invalid", "draft:" + std::to_string(d->id),
            {{"step", s->id}, {"error", p.error_key}, {"edit", true}});
      AskCurrent(T(p.error_key, p.vars) + "\n" + T("edit.kept", title));
      return;
    }
    d->answers[s->id] = p.value;
    d->last_answer = s->id;
    Audit("answer.corrected", "draft:" + std::to_string(d->id),
          {{"step", s->id}, {"value", p.value}});
    // The new answer may change which questions apply.
    Prune(*t, *d);
    const Step* current = t->FindStep(d->cursor);
    if (current != nullptr && !Applies(*current, *d)) d->cursor = NextPending(*t, *d);
    Touch(*d);
    title["answer"] = Literal(FormatAnswer(*s, p.value, lang()));
    AskCurrent(T("edit.corrected", title));
  }

  void AdvanceAfterEdit(Draft& d, const std::string& prefix) {
    if (d.return_to_summary) {
      const Template* t = TemplateOf(d);
      Prune(*t, d);
      std::string next = NextPending(*t, d);
      d.cursor = next;
      if (next.empty()) d.return_to_summary = false;
      Touch(d);
      AskCurrent(prefix);
      return;
    }
    Advance(d, prefix);
  }

  void Acknowledge(Draft& d, const Step& s) {
    if (!Done(s, d)) d.acknowledged.push_back(s.id);
    Audit("advice.acknowledged", "draft:" + std::to_string(d.id), {{"step", s.id}});
    AdvanceAfterEdit(d, "");
  }

  void Skip(Draft& d, const Step& s) {
    if (s.required) {
      std::vector<Button> buttons;
      AnswerButtons(s, d, buttons);
      Say(T("skip.required"), buttons);
      return;
    }
    d.answers[s.id] = nullptr;
    Audit("answer.skipped", "draft:" + std::to_string(d.id), {{"step", s.id}});
    AdvanceAfterEdit(d, "");
  }

  void EditMenu(Draft& d) {
    std::string text = T("edit.menu");
    std::vector<Button> buttons;
    int n = 0;
    for (const Step* s : Applicable(*TemplateOf(d), d)) {
      if (!s->IsQuestion()) continue;
      ++n;
      buttons.push_back({"edit", s->id, std::to_string(n) + ". " + s->Label(lang()), "default"});
    }
    Say(text, buttons);
  }

  void Edit(Draft& d, const std::string& step_id) {
    const Step* s = TemplateOf(d)->FindStep(step_id);
    if (s == nullptr || !Applies(*s, d)) {
      AskCurrent(T("edit.unknown"));
      return;
    }
    if (d.cursor != step_id) d.history.push_back(d.cursor.empty() ? step_id : d.cursor);
    d.cursor = step_id;
    d.return_to_summary = true;
    Touch(d);
    AskCurrent();
  }

  void EditNumber(Draft& d, int n) {
    int i = 0;
    for (const Step* s : Applicable(*TemplateOf(d), d)) {
      if (s->IsQuestion() && ++i == n) {
        Edit(d, s->id);
        return;
      }
    }
    AskCurrent(T("edit.out_of_range", {{"max", std::to_string(i)}}));
  }

  // --- dispatch ----------------------------------------------------------------

  bool Is(const std::string& word, const std::string& command) const {
    const auto& words = e_.catalog_.CommandWords(command);
    return std::find(words.begin(), words.end(), word) != words.end();
  }

  void OnAction(const std::string& action, const std::string& value) {
    Audit("button.pressed", Subject(), {{"action", action}, {"value", value}});
    Draft* d = Active();
    auto id = ParseId(value);
    if (action == "new") return StartNew();
    if (action == "drafts") return ListDrafts();
    if (action == "help") return Help();
    if (action == "status") return Status();
    if (action == "continue") return AskCurrent();
    if (action == "resume" && id) return Resume(*id);
    if (action == "submit" && id) return Submit(*id);
    if (action == "cancel" && id) return AskCancel(*id);
    if (action == "cancel_confirm" && id) return Cancel(*id);
    if (action == "cancel_abort") {
      out_.session.pending.clear();
      return AskCurrent();
    }
    if (action == "lang") {
      if (auto l = ParseLang(value)) return SetLang(*l);
    }
    if (action == "back") return GoBack();
    if (action == "intent") {
      if (auto intent = ParseIntent(value)) {
        return *intent == Intent::kRegister ? StartNew() : NotYet(*intent);
      }
    }
    if (action == "edit_menu" && id && Find(*id)) {
      out_.session.active_draft = *id;
      return EditMenu(*Find(*id));
    }
    if (d == nullptr) return Stale();
    // Step-bound buttons only count for the step being asked now.
    std::string step_id = value.substr(0, value.find(':'));
    const Step* s = TemplateOf(*d)->FindStep(step_id);
    if (action == "edit" && s != nullptr) return Edit(*d, s->id);
    if (s == nullptr || d->cursor != step_id) return Stale();
    if (action == "ack" && !s->IsQuestion()) return Acknowledge(*d, *s);
    if (action == "skip") return Skip(*d, *s);
    if (action == "keep" && d->answers.contains(s->id)) return AdvanceAfterEdit(*d, "");
    if (action == "proposal" && s->IsQuestion() && d->proposals.contains(s->id)) {
      return AcceptProposal(*d, *s);
    }
    if (action == "answer" && s->IsQuestion() && value.find(':') != std::string::npos) {
      return Answer(*d, *s, value.substr(value.find(':') + 1));
    }
    Stale();
  }

  void Stale() { AskCurrent(T("button.stale")); }

  // `raw` may mention people (bot/mentions.h): only an answer naming
  // people reads them as such; commands and intents read their names.
  void OnText(const std::string& raw) {
    const std::string text = ReadableMentions(raw, e_.directory_);
    std::string w = NormalizeWord(text);
    Draft* d = Active();
    auto [head, number] = SplitTrailingNumber(w);
    const int64_t n = number.empty() ? 0 : ParseId(number).value_or(0);

    if (out_.session.pending == "confirm_cancel" && d != nullptr) {
      if (Is(w, "yes") || Is(w, "cancel")) return Cancel(d->id);
      out_.session.pending.clear();
      if (Is(w, "no")) return AskCurrent();
    }
    if (w == "english" || w == "engelska") return SetLang(Lang::kEn);
    if (w == "svenska" || w == "swedish") return SetLang(Lang::kSv);
    if (Is(w, "help")) return Help();
    if (Is(w, "status")) return Status();
    if (Is(w, "new")) return StartNew();
    if (Is(w, "drafts")) return ListDrafts();
    if (Is(w, "greeting") || Is(w, "menu")) {
      if (d == nullptr)
        return Say(e_.Welcome(person_, lang(), OpenCount()).text,
                   e_.Welcome(person_, lang(), OpenCount()).buttons);
      return AskCurrent(T("welcome.back", {{"name", person_.name}, {"id", std::to_string(d->id)}}));
    }
    if (n > 0 && Is(head, "resume")) return Resume(n);
    if (d == nullptr) {
      if (Is(w, "yes")) return StartNew();
      return Understand(text);
    }
    if (Is(w, "cancel")) return AskCancel(d->id);
    if (Is(w, "back")) return GoBack();
    if (Is(w, "summary")) {
      if (d->cursor.empty()) return ShowSummary(*d);
      return AskCurrent(T("summary.not_yet"));
    }
    const Template* t = TemplateOf(*d);
    const Step* s = t->FindStep(d->cursor);
    if (s == nullptr) {  // at the summary
      if (Is(w, "submit")) return Submit(d->id);
      if (n > 0 && (head.empty() || Is(head, "edit"))) return EditNumber(*d, static_cast<int>(n));
      if (Is(w, "edit")) return EditMenu(*d);
      return ShowSummary(*d, T("summary.unknown_input"));
    }
    if (Is(w, "skip")) return Skip(*d, *s);
    if (!s->IsQuestion()) {
      if (Is(w, "ack") || Is(w, "yes")) return Acknowledge(*d, *s);
      return AskCurrent(T("advice.ack_needed"));
    }
    if (Is(w, "keep") && d->answers.contains(s->id)) return AdvanceAfterEdit(*d, "");
    if (d->proposals.contains(s->id) && !d->answers.contains(s->id) &&
        s->type != QuestionType::kYesNo && Is(w, "yes")) {
      return AcceptProposal(*d, *s);
    }
    Answer(*d, *s, raw);
  }

  const ConversationEngine& e_;
  const Person& person_;
  std::vector<Draft> drafts_;
  int64_t next_id_;
  TimePoint now_;
  Outcome out_;
  std::set<int64_t> changed_;
};

ConversationEngine::ConversationEngine(const TemplateSet& templates, const Catalog& catalog,
                                       const Directory& directory)
    : templates_(templates), catalog_(catalog), directory_(directory), recogniser_(catalog) {}

Outcome ConversationEngine::Handle(const Person& person, const Session& session,
                                   std::vector<Draft> drafts, const Input& input,
                                   int64_t next_draft_id, TimePoint now) const {
  return Turn(*this, person, session, std::move(drafts), next_draft_id, now).Run(input);
}

std::string ConversationEngine::PasswordRefused(const Person& person, Lang lang) const {
  std::string text = catalog_.Render(lang, "password.refused");
  const Organisation* org = directory_.FindOrganisation(person.org);
  auto it = templates_.find(org ? org->template_id : person.org);
  if (it != templates_.end() && !it->second->password_advice.empty()) {
    text += " " + it->second->password_advice.Get(lang);
  }
  return text;
}

Reply ConversationEngine::Welcome(const Person& person, Lang lang, size_t open_drafts) const {
  const Organisation* org = directory_.FindOrganisation(person.org);
  Vars v{{"name", person.name},
         {"org", org ? org->name.Get(lang) : person.org},
         {"drafts", std::to_string(open_drafts)}};
  std::string text = catalog_.Render(lang, "welcome.text", v);
  std::vector<Button> buttons{{"new", "", catalog_.Render(lang, "button.new"), "primary"}};
  if (open_drafts > 0) {
    text += "\n" + catalog_.Render(lang, "welcome.drafts", v);
    buttons.push_back({"drafts", "", catalog_.Render(lang, "button.drafts"), "default"});
  }
  buttons.push_back({"help", "", catalog_.Render(lang, "button.help"), "default"});
  buttons.push_back({"lang", lang == Lang::kSv ? "en" : "sv",
                     catalog_.Render(lang, "button.other_lang"), "default"});
  return {text, buttons};
}

void AppendNumbered(std::string& text,
                    const std::vector<std::pair<std::string, std::string>>& lines) {
  int n = 0;
  for (const auto& [label, answer] : lines) {
    text.append("\n")
        .append(std::to_string(++n))
        .append(". ")
        .append(label)
        .append(": ")
        .append(answer);
  }
}

std::vector<std::pair<std::string, std::string>> SummaryLines(const Template& tmpl,
                                                              const nlohmann::json& answers,
                                                              const Catalog& catalog, Lang lang) {
  std::vector<std::pair<std::string, std::string>> lines;
  for (const Step& s : tmpl.steps) {
    if (!s.IsQuestion() || (s.when && !s.when->Holds(answers))) continue;
    auto a = answers.find(s.id);
    std::string value = (a == answers.end() || a->is_null())
                            ? catalog.Render(lang, "summary.no_answer")
                            : Literal(FormatAnswer(s, *a, lang));
    lines.emplace_back(s.Label(lang), value);
  }
  return lines;
}

std::vector<std::pair<std::string, std::string>> ConversationEngine::SummaryLines(
    const Draft& draft, Lang lang) const {
  auto it = templates_.find(draft.template_id);
  if (it == templates_.end()) return {};
  return kontobot::SummaryLines(*it->second, draft.answers, catalog_, lang);
}

}  // namespace kontobot
