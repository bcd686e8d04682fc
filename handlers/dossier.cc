#include "handlers/dossier.h"

#include <cctype>
#include <functional>
#include <set>

#include "bot/answers.h"
#include "bot/chat_markup.h"
#include "bot/masking.h"
#include "handlers/export.h"
#include "handlers/record_files.h"
#include "handlers/register.h"
#include "store/clock_format.h"

namespace kontobot::handlers {
namespace {

using nlohmann::json;

// Everything stored about one case, loaded once.
struct CaseFile {
  store::StoredRegistration reg;
  const Template* tmpl = nullptr;
  std::vector<Task> tasks;
  std::vector<store::StoredMessage> messages;
  std::vector<json> audit;   // about the draft, the registration, its tasks and duties
  std::vector<json> rounds;  // [{"at", "answers"}], one per submission
  std::optional<store::DiaryEntry> diary;
  std::vector<store::Release> releases;
  std::optional<store::Account> account;
  std::vector<store::AccountChange> history;        // the account's, after approval
  std::vector<store::StoredInboxItem> inbox;        // items for the account's pages
  std::map<int64_t, store::InboxCase> inbox_cases;  // by item id
};

// Audit actions the conversation or the form rounds already show, left out
// of the event log so that it reads as the case's story.
const std::set<std::string> kNotInEventLog{
    "message.in",     "message.out",    "button.pressed",      "answer.recorded",
    "answer.invalid", "answer.skipped", "advice.acknowledged", "session.language"};

// The account's periodic duties, by subject prefix (see bot/reminders.h).
const std::vector<std::string> kDutyKinds{"snapshot", "yearly_review", "archiving", "inactivity",
                                          "follow_up"};
const std::vector<std::string> kDutyActions{
    "duty.asked",         "duty.nudged",           "duty.escalated",   "duty.confirmed",
    "follow_up.answered", "reminder.acknowledged", "reminder.snoozed", "account.close_requested"};

class Builder {
 public:
  Builder(const CaseFile& c, const RecordsContext& ctx, const DossierOptions& o)
      : c_(c), ctx_(ctx), o_(o) {
    if (o.masked) masker_.emplace(PrivatePeople(), KeptContacts(), Labels(), Reference());
  }

  json Build() {
    json sections = json::array();
    for (const auto& [id, build] : Sections()) {
      json s = build();
      if (s.is_null()) continue;
      s["id"] = id;
      sections.push_back(std::move(s));
    }
    json model = {{"lang", std::string(LangCode(ctx_.lang))},
                  {"title", T("records.dossier.title", {{"id", Id()}, {"form", FormTitle()}})},
                  {"organisation", OrgName()},
                  {"diary", DiaryLine()},
                  {"version_note",
                   T(o_.masked ? "records.dossier.masked_note" : "records.dossier.complete_note")},
                  {"masked", o_.masked},
                  {"sections", sections},
                  {"footer", Footer()},
                  {"h_contents", T("records.dossier.contents")}};
    Finish(model);
    return model;
  }

 private:
  using Section = std::pair<std::string, std::function<json()>>;
  // The dossier's sections in order. A later kind of event adds one here.
  std::vector<Section> Sections() {
    return {{"summary", [this] { return Summary(); }},
            {"rounds", [this] { return Rounds(); }},
            {"decisions", [this] { return Decisions(); }},
            {"administrators", [this] { return Administrators(); }},
            {"startup", [this] { return Steps(TaskKind::kStartup, "records.startup.heading"); }},
            {"account_history", [this] { return AccountHistory(); }},
            {"inbox", [this] { return Inbox(); }},
            {"closing", [this] { return Steps(TaskKind::kClosing, "records.closing.heading"); }},
            {"duties", [this] { return Duties(); }},
            {"conversation", [this] { return Conversation(); }},
            {"releases", [this] { return Releases(); }},
            {"events", [this] { return o_.events ? Events() : json(); }}};
  }

  std::string T(const std::string& key, const Vars& v = {}) const { return ctx_.T(key, v); }
  std::string Id() const { return std::to_string(c_.reg.id); }
  std::string When(TimePoint t) const { return ctx_.local.Format(t); }
  std::string WhenUtc(const std::string& utc) const {
    auto t = store::ParseUtc(utc);
    return t ? When(*t) : "";
  }
  std::string FormTitle() const { return c_.tmpl ? c_.tmpl->form_title.Get(ctx_.lang) : ""; }
  std::string OrgName() const {
    const Organisation* o = ctx_.directory.FindOrganisation(c_.reg.org);
    return o ? o->name.Get(ctx_.lang) : "";
  }
  std::string Name(const std::string& id) const { return ctx_.NameOf(id); }
  std::string DiaryLine() const {
    if (!c_.diary) return T("records.dossier.no_diary");
    return T("records.dossier.diary",
             {{"number", c_.diary->diarienummer}, {"date", c_.diary->registered_on}});
  }
  std::string Footer() const {
    std::string out = T("records.dossier.generated", {{"when", When(o_.now)}});
    if (!o_.released_by.empty()) {
      out += " " + T(o_.masked ? "records.dossier.released_masked" : "records.dossier.released",
                     {{"by", Name(o_.released_by)}, {"to", o_.recipient}, {"when", When(o_.now)}});
    }
    return out;
  }

  static json Fields(const std::string& heading, json fields) {
    return {{"heading", heading}, {"is_fields", true}, {"fields", std::move(fields)}};
  }
  static json Field(const std::string& label, const std::string& value) {
    return {{"label", label}, {"value", value}};
  }
  json Table(const std::string& heading, const std::vector<std::string>& column_keys,
             json rows) const {
    json columns = json::array();
    for (const auto& k : column_keys) columns.push_back(T(k));
    bool has_rows = !rows.empty();
    return {{"heading", heading},
            {"is_table", true},
            {"columns", columns},
            {"rows", std::move(rows)},
            {"has_rows", has_rows}};
  }
  static json Row(const std::vector<std::string>& cells) {
    json out = json::array();
    for (const auto& c : cells) out.push_back({{"text", c}});
    return {{"cells", out}};
  }
  json Sentences(const std::string& heading, json sentences) const {
    return {{"heading", heading}, {"is_sentences", true}, {"sentences", std::move(sentences)}};
  }

  std::string StatusText() const {
    std::string key = "records.case_status." + c_.reg.status;
    return ctx_.catalog.Has(ctx_.lang, key) ? T(key) : T("records.case_status.other");
  }

  // --- sections

  json Summary() const {
    json f = json::array();
    f.push_back(Field(T("records.summary.diarienummer"),
                      c_.diary ? c_.diary->diarienummer : T("records.dossier.no_diary")));
    if (c_.diary) f.push_back(Field(T("records.summary.diary_date"), c_.diary->registered_on));
    f.push_back(Field(T("records.summary.registration"), Id()));
    f.push_back(Field(T("records.summary.organisation"), OrgName()));
    f.push_back(Field(T("records.summary.form"), FormTitle()));
    const Person* p = ctx_.directory.Find(c_.reg.person_id);
    f.push_back(Field(T("records.summary.requester"),
                      p ? T("records.person_with_unit", {{"name", p->name}, {"unit", p->unit}})
                        : Name(c_.reg.person_id)));
    f.push_back(Field(T("records.summary.submitted"), When(c_.reg.submitted_at)));
    f.push_back(Field(T("records.summary.rounds"), std::to_string(c_.reg.round)));
    f.push_back(Field(T("records.summary.status"), StatusText()));
    if (c_.account) {
      f.push_back(
          Field(T("records.summary.account"),
                c_.account->medium + (c_.account->url.empty() ? "" : ", " + c_.account->url)));
      f.push_back(Field(T("records.summary.registered"), When(c_.account->registered_at)));
    }
    return Fields(T("records.summary.heading"), f);
  }

  // Everything the register recorded about the account once approved:
  // changes, absences and their cover, closing, the inbox's handling cases.
  json AccountHistory() const {
    if (!c_.account || c_.history.empty()) return {};
    json sentences = json::array();
    const std::string label = c_.account->Label();
    for (const store::AccountChange& h : c_.history)
      sentences.push_back(
          {{"at", When(h.at)}, {"text", HistorySentence(ctx_, h, label, Name(h.by))}});
    return Sentences(T("records.account_history.heading"), sentences);
  }

  // The public's comments and messages on the account and what became of
  // them. Identity numbers appear masked (what kontobot showed); the
  // original is in the canonical record and the archive package.
  json Inbox() const {
    if (c_.inbox.empty()) return {};
    json rows = json::array();
    for (const store::StoredInboxItem& s : c_.inbox) {
      std::string handling;
      auto k = c_.inbox_cases.find(s.id);
      if (k != c_.inbox_cases.end()) {
        const store::InboxCase& ic = k->second;
        handling = T("records.inbox.case", {{"case", "K" + std::to_string(ic.id)},
                                            {"state", T("records.inbox.case_state." + ic.state)},
                                            {"number", ic.diarienummer}});
      }
      const std::string state_key = "records.inbox.state." + s.state;
      rows.push_back(
          Row({When(s.received_at), InboxSource(s.item), s.item.author_name, s.shown,
               ctx_.catalog.Has(ctx_.lang, state_key) ? T(state_key) : s.state, handling}));
    }
    json table =
        Table(T("records.inbox.heading"),
              {"records.inbox.col.received", "records.inbox.col.source", "records.inbox.col.author",
               "records.inbox.col.text", "records.inbox.col.state", "records.inbox.col.case"},
              std::move(rows));
    table["intro"] = T("records.inbox.note");
    return table;
  }

  // "Facebook, https://…/permalink": the platform's own name and the link.
  static std::string InboxSource(const InboxItem& i) {
    std::string source = i.source;
    if (!source.empty())
      source[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(source[0])));
    return i.permalink.empty() ? source : source + ", " + i.permalink;
  }

  std::vector<std::pair<std::string, std::string>> AnswerLines(const json& answers) const {
    std::vector<std::pair<std::string, std::string>> out;
    if (!c_.tmpl) return out;
    for (const Step& s : c_.tmpl->steps) {
      if (!s.IsQuestion() || (s.when && !s.when->Holds(answers))) continue;
      auto a = answers.find(s.id);
      bool has = a != answers.end() && !a->is_null();
      out.emplace_back(s.Label(ctx_.lang),
                       has ? FormatAnswer(s, *a, ctx_.lang)
                           : ctx_.catalog.Render(ctx_.lang, "summary.no_answer"));
    }
    return out;
  }

  json Rounds() const {
    json sections = json::array();
    std::map<std::string, std::string> previous;
    for (size_t i = 0; i < c_.rounds.size(); ++i) {
      const json& round = c_.rounds[i];
      int n = static_cast<int>(i) + 1;
      json rows = json::array();
      for (const auto& [label, value] : AnswerLines(round["answers"])) {
        bool changed = i > 0 && previous.count(label) && previous[label] != value;
        bool added = i > 0 && !previous.count(label);
        std::vector<std::string> cells{label, value};
        if (i > 0)
          cells.push_back(changed ? T("records.round.changed")
                          : added ? T("records.round.added")
                                  : "");
        rows.push_back(Row(cells));
      }
      previous.clear();
      for (const auto& [label, value] : AnswerLines(round["answers"])) previous[label] = value;
      std::vector<std::string> columns{"records.round.col.question", "records.round.col.answer"};
      if (i > 0) columns.emplace_back("records.round.col.note");
      json s = Table(T("records.round.heading",
                       {{"n", std::to_string(n)}, {"when", WhenUtc(round.value("at", ""))}}),
                     columns, rows);
      std::string outcome;
      for (const Task& t : c_.tasks) {
        if (t.round == n && t.status == TaskStatus::kRejected) {
          outcome =
              T("records.round.rejected", {{"name", Name(t.decided_by)},
                                           {"step", ctx_.StepTitle(c_.reg.template_id, t.step_id)},
                                           {"when", t.decided_at ? When(*t.decided_at) : ""},
                                           {"reason", t.reason}});
        }
      }
      if (!outcome.empty()) s["note"] = outcome;
      s["is_sub"] = true;
      sections.push_back(std::move(s));
    }
    return {{"heading", T("records.round.section")}, {"is_group", true}, {"parts", sections}};
  }

  std::string DeciderText(const Task& t) const {
    if (t.decided_by.empty()) return Name(t.assignee);
    if (t.decided_by == t.assignee) return Name(t.decided_by);
    return T("records.decision.deputy", {{"name", Name(t.decided_by)}, {"for", Name(t.assignee)}});
  }
  std::string TaskStatusText(const Task& t, const char* family) const {
    return T(std::string("records.") + family + "." + std::string(TaskStatusName(t.status)));
  }

  json Decisions() const {
    json rows = json::array();
    for (const Task& t : c_.tasks) {
      if (t.kind != TaskKind::kApproval) continue;
      rows.push_back(Row({std::to_string(t.round), ctx_.StepTitle(c_.reg.template_id, t.step_id),
                          DeciderText(t), TaskStatusText(t, "decision"),
                          t.decided_at ? When(*t.decided_at) : "", t.reason}));
    }
    json s = Table(T("records.decision.heading"),
                   {"records.decision.col.round", "records.decision.col.step",
                    "records.decision.col.who", "records.decision.col.decision",
                    "records.decision.col.when", "records.decision.col.reason"},
                   rows);
    if (rows.empty()) s["empty"] = T("records.decision.none");
    return s;
  }

  json Administrators() const {
    json rows = json::array();
    for (const Task& t : c_.tasks) {
      if (t.kind != TaskKind::kAdmin) continue;
      std::string contact;
      for (const char* k : {"email", "phone"}) {
        std::string v = t.detail.value(k, "");
        if (!v.empty()) contact += (contact.empty() ? "" : ", ") + v;
      }
      std::string by = t.decided_by.empty() ? "" : Name(t.decided_by);
      if (t.detail.value("external", false) && !by.empty())
        by = T("records.admin.confirmed_by_info", {{"name", by}});
      rows.push_back(Row({std::to_string(t.round), t.detail.value("name", ""), contact,
                          TaskStatusText(t, "admin_status"), by,
                          t.decided_at ? When(*t.decided_at) : "", t.reason}));
    }
    if (rows.empty()) return nullptr;
    return Table(T("records.admin.heading"),
                 {"records.decision.col.round", "records.admin.col.name",
                  "records.admin.col.contact", "records.admin.col.status", "records.admin.col.by",
                  "records.decision.col.when", "records.decision.col.reason"},
                 rows);
  }

  // The start-up steps, or the steps of closing the account, as a table.
  json Steps(TaskKind kind, const std::string& heading) const {
    json rows = json::array();
    for (const Task& t : c_.tasks) {
      if (t.kind != kind) continue;
      rows.push_back(Row({StepText(t), Name(t.assignee), TaskStatusText(t, "startup_status"),
                          t.decided_at ? When(*t.decided_at) : ""}));
    }
    if (rows.empty()) return nullptr;
    return Table(T(heading),
                 {"records.startup.col.step", "records.startup.col.who",
                  "records.startup.col.status", "records.decision.col.when"},
                 rows);
  }

  // A start-up or closing step's text in the template.
  std::string StepText(const Task& t) const {
    if (c_.tmpl) {
      for (const StartupStep& s : c_.tmpl->startup_steps)
        if (t.kind == TaskKind::kStartup && s.id == t.step_id) return s.text.Get(ctx_.lang);
      for (const ClosingStep& s : c_.tmpl->closing.steps)
        if (t.kind == TaskKind::kClosing && s.id == t.step_id) return s.text.Get(ctx_.lang);
    }
    return T("records.unknown_step");
  }

  // "snapshot:12:2027-01-01" -> "Ögonblicksbild 2027-01-01"
  std::string DutyName(const std::string& subject) const {
    std::string kind = subject.substr(0, subject.find(':'));
    size_t last = subject.rfind(':');
    std::string date = last == std::string::npos ? "" : subject.substr(last + 1);
    std::string key = "records.duty." + kind;
    return ctx_.catalog.Has(ctx_.lang, key) ? T(key, {{"date", date}}) : T("records.duty.other");
  }

  json Duties() const {
    json rows = json::array();
    for (const json& a : c_.audit) {
      if (a["action"] == "follow_up.answered") {  // how the goals went, in their words
        rows.push_back(
            Row({T("records.duty.follow_up_answer", {{"answer", a["detail"].value("answer", "")}}),
                 Name(a["actor"].get<std::string>()), WhenUtc(a["at"].get<std::string>())}));
      }
      if (a["action"] != "duty.confirmed") continue;
      rows.push_back(
          Row({DutyName(a["subject"].get<std::string>()), Name(a["actor"].get<std::string>()),
               WhenUtc(a["at"].get<std::string>())}));
    }
    if (rows.empty() && !c_.account) return nullptr;
    json s =
        Table(T("records.duty.heading"),
              {"records.duty.col.what", "records.duty.col.who", "records.decision.col.when"}, rows);
    if (rows.empty()) s["empty"] = T("records.duty.none");
    return s;
  }

  json Conversation() const {
    json messages = json::array();
    for (const auto& m : c_.messages) {
      bool out = m.direction == "out";
      std::string who = Name(m.person_id);
      std::string text = masker_ ? masker_->Mask(m.text) : m.text;
      json buttons = json::array();
      for (const Button& b : m.buttons) buttons.push_back({{"label", b.label}});
      json message{{"at", When(m.at)},
                   {"from_to", T(out ? "records.chat.to" : "records.chat.from", {{"name", who}})},
                   {"out", out},
                   {"html", ChatHtml(text, out)},
                   {"buttons", buttons},
                   {"has_buttons", !buttons.empty()}};
      if (m.edited_at) message["edited"] = T("records.chat.edited", {{"when", When(*m.edited_at)}});
      messages.push_back(std::move(message));
    }
    json s = {{"heading", T("records.chat.heading")},
              {"is_chat", true},
              {"messages", messages},
              {"intro", T("records.chat.intro")}};
    if (messages.empty()) s["empty"] = T("records.chat.none");
    return s;
  }

  json Releases() const {
    json rows = json::array();
    for (const store::Release& r : c_.releases) {
      rows.push_back(
          Row({When(r.released_at), Name(r.released_by), r.recipient,
               T("records.release.version." + r.version), T("records.release.lang." + r.lang)}));
    }
    if (rows.empty()) return nullptr;
    return Table(T("records.release.heading"),
                 {"records.release.col.when", "records.release.col.by", "records.release.col.to",
                  "records.release.col.version", "records.release.col.lang"},
                 rows);
  }

  std::string EventSentence(const json& a) const {
    const json& d = a["detail"];
    const std::string action = a["action"].get<std::string>();
    // A change of the running account (absences, changes) reads as in the
    // account's history.
    if (c_.account && !ctx_.catalog.Has(ctx_.lang, "records.event." + action) &&
        ctx_.catalog.Has(ctx_.lang, "records.history." + action)) {
      store::AccountChange h;
      h.event = action;
      h.detail = d;
      return HistorySentence(ctx_, h, c_.account->Label(), Name(a["actor"].get<std::string>()));
    }
    auto str = [&](const char* k) {
      return d.contains(k) && d[k].is_string() ? d[k].get<std::string>() : "";
    };
    std::string subject = a["subject"].get<std::string>();
    // The task the entry is about: named in its detail, or its subject.
    int64_t task_id = d.contains("task") && d["task"].is_number_integer() ? d["task"].get<int64_t>()
                      : subject.rfind("task:", 0) == 0 ? std::atoll(subject.c_str() + 5)
                                                       : 0;
    std::string step;
    for (const Task& t : c_.tasks) {
      if (t.id == task_id) step = TaskTitle(t);
    }
    Vars v{
        {"who", Name(a["actor"].get<std::string>())},
        {"by", str("by").empty() ? Name(a["actor"].get<std::string>()) : Name(str("by"))},
        {"step", step},
        {"approver", Name(str("approver"))},
        {"assignee", Name(str("assignee"))},
        {"named", Name(str("named"))},
        {"to", d.contains("to") && d["to"].is_string() ? Name(str("to")) : ""},
        {"admin", str("admin")},
        {"old", str("old")},
        {"new", str("new")},
        {"reason", str("reason")},
        {"page", str("page")},
        {"question", str("question")},
        {"answer", str("answer")},
        {"round", d.contains("round") ? d["round"].dump() : ""},
        {"number", str("diarienummer")},
        {"date", str("registered_on")},
        {"recipient", str("recipient")},
        {"version", str("version").empty() ? "" : T("records.release.version." + str("version"))},
        {"duty", DutyName(subject)},
        {"until", str("until").empty() ? "" : WhenUtc(str("until"))}};
    std::string key = "records.event." + a["action"].get<std::string>();
    return ctx_.catalog.Has(ctx_.lang, key) ? T(key, v) : T("records.event.other", v);
  }

  // What a task is about, in words: the approval step's title, the
  // administrator's name, the start-up step's text.
  std::string TaskTitle(const Task& t) const {
    if (t.kind == TaskKind::kAdmin) return t.detail.value("name", "");
    if (t.kind == TaskKind::kStartup || t.kind == TaskKind::kClosing) return StepText(t);
    return ctx_.StepTitle(c_.reg.template_id, t.step_id);
  }

  json Events() const {
    json sentences = json::array();
    for (const json& a : c_.audit) {
      if (kNotInEventLog.count(a["action"].get<std::string>())) continue;
      sentences.push_back(
          {{"at", WhenUtc(a["at"].get<std::string>())}, {"text", EventSentence(a)}});
    }
    return Sentences(T("records.event.heading"), sentences);
  }

  // --- masking

  std::vector<PrivatePerson> PrivatePeople() const {
    std::vector<PrivatePerson> out;
    std::set<std::string> seen;
    const Person* requester = ctx_.directory.Find(c_.reg.person_id);
    std::string org = requester ? requester->org : c_.reg.org;
    auto consider = [&](const json& p) {
      if (!p.is_object()) return;
      std::string name = p.value("name", "");
      std::string email = p.value("email", "");
      std::string phone = p.value("phone", "");
      if (ctx_.directory.FindByContact(org, email, name) != nullptr) return;  // staff
      if (!seen.insert(FoldCase(name) + "|" + FoldCase(email)).second) return;
      out.push_back({T("records.mask.person", {{"n", std::to_string(out.size() + 1)}}),
                     name,
                     {email, phone}});
    };
    auto answers = [&](const json& a) {
      if (!c_.tmpl || !a.is_object()) return;
      for (const Step& s : c_.tmpl->steps) {
        auto v = a.find(s.id);
        if (v == a.end()) continue;
        if (s.type == QuestionType::kPerson) consider(*v);
        if (s.type == QuestionType::kPeople && v->is_array())
          for (const auto& p : *v) consider(p);
      }
    };
    for (const json& r : c_.rounds) answers(r["answers"]);
    answers(c_.reg.answers);
    for (const Task& t : c_.tasks)
      if (t.kind == TaskKind::kAdmin) consider(t.detail);
    // The public writing to the account (the account's own replies are
    // the organisation's).
    for (const store::StoredInboxItem& i : c_.inbox) {
      if (i.state != "reply" && !i.item.author_name.empty())
        consider({{"name", i.item.author_name}});
    }
    return out;
  }

  // Staff contact details, and the organisations' own e-mail domains (a
  // functional address such as the account's login is not a private
  // person's; a private person named in the form is masked by name and
  // address whatever the domain).
  std::set<std::string> KeptContacts() const {
    std::set<std::string> kept;
    for (const Person& p : ctx_.directory.people()) {
      if (!p.email.empty()) kept.insert(p.email);
      if (!p.phone.empty()) kept.insert(p.phone);
      size_t at = p.email.find('@');
      if (at != std::string::npos) kept.insert(p.email.substr(at));
    }
    return kept;
  }

  MaskLabels Labels() const {
    return {T("records.mask.email"), T("records.mask.phone"), T("records.mask.identity_number")};
  }

  std::chrono::year_month_day Reference() const {
    return std::chrono::year_month_day{
        std::chrono::floor<std::chrono::days>(ctx_.local.ToLocal(c_.reg.submitted_at))};
  }

  // Every text of the model without control characters (not allowed in
  // HTML or XML, and invisible) and, in a masked dossier, masked; "html"
  // was built from cleaned, masked text already.
  void Finish(json& j) const {
    if (j.is_string()) {
      std::string clean = CleanText(j.get<std::string>());
      j = masker_ ? masker_->Mask(clean) : clean;
    } else if (j.is_array()) {
      for (auto& v : j) Finish(v);
    } else if (j.is_object()) {
      for (auto& [k, v] : j.items())
        if (k != "html") Finish(v);
    }
  }

  const CaseFile& c_;
  const RecordsContext& ctx_;
  const DossierOptions& o_;
  std::optional<Masker> masker_;
};

}  // namespace

std::optional<json> DossierModel(store::Transaction& tx, int64_t id, const RecordsContext& ctx,
                                 const DossierOptions& options) {
  auto reg = tx.LoadRegistration(id);
  if (!reg) return std::nullopt;
  CaseFile c;
  c.reg = *reg;
  auto t = ctx.templates.find(reg->template_id);
  c.tmpl = t != ctx.templates.end() ? t->second.get() : nullptr;
  c.tasks = tx.TasksOf(id);
  c.messages = tx.MessagesOfDraft(id);
  c.diary = tx.Diary(id);
  c.releases = tx.ReleasesOf(id);
  c.account = tx.LoadAccount(id);
  if (c.account) {
    c.history = tx.AccountHistoryOf(id);
    c.inbox = tx.InboxItemsOf(id);
    for (const store::StoredInboxItem& item : c.inbox) {
      if (auto ic = tx.InboxCaseOfItem(item.id)) c.inbox_cases.emplace(item.id, std::move(*ic));
    }
  }
  std::vector<std::string> subjects{"draft:" + std::to_string(id),
                                    "registration:" + std::to_string(id)};
  for (const Task& task : c.tasks) subjects.push_back("task:" + std::to_string(task.id));
  c.audit = tx.AuditOf(subjects);
  for (const std::string& kind : kDutyKinds) {
    for (auto& a : tx.AuditByActions(kind + ":" + std::to_string(id) + ":", kDutyActions))
      c.audit.push_back(std::move(a));
  }
  std::stable_sort(c.audit.begin(), c.audit.end(),
                   [](const json& a, const json& b) { return a["id"] < b["id"]; });
  for (const json& a : c.audit) {
    if (a["action"] == "draft.submitted")
      c.rounds.push_back(
          {{"at", a["at"]}, {"answers", a["detail"].value("answers", json::object())}});
  }
  // The last round as it stands (a replaced administrator changes it after
  // submission); an older database without the submissions' audit rows
  // shows that round alone.
  if (static_cast<int>(c.rounds.size()) != reg->round) c.rounds.clear();
  if (c.rounds.empty())
    c.rounds.push_back({{"at", store::FormatUtc(reg->submitted_at)}, {"answers", reg->answers}});
  c.rounds.back()["answers"] = reg->answers;
  return Builder(c, ctx, options).Build();
}

std::string DossierHtml(const json& model) { return RenderPage("dossier.html.mustache", model); }

}  // namespace kontobot::handlers
