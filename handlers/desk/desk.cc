#include "handlers/desk/desk.h"

#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <stdexcept>
#include <string_view>

#include "app/diary_keeping.h"
#include "bot/approval.h"
#include "bot/diary.h"
#include "bot/reminders.h"
#include "handlers/constant_time.h"
#include "handlers/dossier.h"
#include "handlers/export.h"
#include "handlers/hmac.h"
#include "handlers/register.h"
#include "handlers/webchat/webchat.h"
#include "store/clock_format.h"

namespace kontobot::pages {
extern const std::map<std::string, std::string_view> kTemplates;
}  // namespace kontobot::pages

namespace kontobot::handlers {
namespace {

using nlohmann::json;

constexpr const char* kRole = "informationsfunktion";
constexpr const char* kCaseprefix = "/desk/case/";

std::string NewSecret() {
  std::string bytes(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) !=
      1)
    throw std::runtime_error("no random bytes for the desk's form tokens");
  return bytes;
}

// Percent-encodes a query value (person ids are plain, but a directory may
// hold anything).
std::string QueryValue(std::string_view v) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

std::optional<int64_t> ParseId(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

bool IsOpenCase(const std::string& status) {
  return status == kPendingApproval || status == kPendingAdmins || status == "submitted";
}

}  // namespace

struct Desk::Visitor {
  const Person* person = nullptr;
  Lang lang = Lang::kSv;
  bool demo = false;
  // What every link on the pages carries: the person in the demo and the
  // language when one was asked for.
  std::string query;
};

Desk::Desk(store::Store& store, const TemplateSet& templates, const Directory& directory,
           const Catalog& catalog, const LocalTime& local, const Clock& clock,
           std::vector<std::string> authorities, const SignIn& sign_in)
    : store_(store),
      templates_(templates),
      directory_(directory),
      catalog_(catalog),
      local_(local),
      clock_(clock),
      authorities_(std::move(authorities)),
      sign_in_(sign_in),
      secret_(NewSecret()) {
  // Keys OpenSSL's context on this (the main) thread: see handlers/hmac.h.
  Token("");
}

std::string Desk::Token(const std::string& person_id) const {
  return Hex(HmacSha256(secret_, {"desk-form\n", person_id}));
}

void Desk::RegisterRoutes(HttpServer& server) {
  server.Route("GET", "/desk", [this](const Request& r) { return Serve(r, false); });
  server.Route("GET", "/desk/desk.css", [](const Request&) {
    Response r;
    r.content_type = "text/css; charset=utf-8";
    r.body = std::string(pages::kTemplates.at("desk.css"));
    return r;
  });
  server.RoutePrefix("GET", kCaseprefix, [this](const Request& r) { return Serve(r, false); });
  server.RoutePrefix("POST", kCaseprefix, [this](const Request& r) { return Serve(r, true); });
}

Response Desk::Page(const std::string& name, json data, Lang lang) const {
  data["lang"] = std::string(LangCode(lang));
  // What every link carries (an empty string would still open a mustache
  // section, so the separators are added here).
  std::string query = data.value("query", "");
  data["qs"] = query.empty() ? "" : "?" + query;
  data["qs_amp"] = query.empty() ? "" : "&" + query;
  for (const auto& [k, v] : catalog_.WithPrefix(lang, "desk.page.")) data["t"][k.substr(10)] = v;
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = RenderPage(name, data);
  r.headers["Content-Security-Policy"] =
      "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; "
      "base-uri 'none'";
  // Not no-referrer: under it a browser sends "Origin: null" with the
  // page's own form, which the Origin check must refuse. same-origin still
  // tells no other site which case was open.
  r.headers["Referrer-Policy"] = "same-origin";
  r.headers["Cache-Control"] = "no-store";
  return r;
}

Response Desk::Refusal(int status, Lang lang, const std::string& key) const {
  Response r = Page("desk.html.mustache",
                    {{"title", catalog_.Render(lang, key + ".title")},
                     {"refusal", {{"text", catalog_.Render(lang, key + ".text")}}}},
                    lang);
  r.status = status;
  return r;
}

Response Desk::Serve(const Request& request, bool write) const {
  std::optional<Lang> asked;
  if (auto q = request.query.find("lang"); q != request.query.end()) asked = ParseLang(q->second);
  const Lang early = asked.value_or(Lang::kSv);
  // Sign-in first, as in the web chat: who may not use the desk at all
  // learns nothing from the checks below.
  const Person* signed_in = nullptr;
  if (sign_in_.enabled()) {
    signed_in = sign_in_.Check(request).person;
    if (signed_in == nullptr) return Refusal(401, early, "desk.refused.not_signed_in");
  }
  if (!WebChatRefusal(request, write ? WebChatAccess::kRead : WebChatAccess::kPage, authorities_)
           .empty())
    return Refusal(403, early, "desk.refused.cross_site");
  std::map<std::string, std::string> form;
  if (write) {
    std::string type = request.Header("content-type");
    if (Trim(type.substr(0, type.find(';'))) != "application/x-www-form-urlencoded")
      return Refusal(415, early, "desk.refused.form");
    form = ParseQuery(request.body);
  }
  const auto& fields = write ? form : request.query;

  Visitor v;
  v.demo = signed_in == nullptr;
  auto named = fields.find("person");
  if (signed_in != nullptr) {
    if (named != fields.end() && named->second != signed_in->id)
      return Refusal(403, early, "desk.refused.not_you");
    v.person = signed_in;
  } else if (named == fields.end()) {
    if (write) return Refusal(403, early, "desk.refused.token");
    return Picker(early);
  } else {
    v.person = directory_.Find(named->second);
    if (v.person == nullptr) return Refusal(404, early, "desk.refused.unknown_person");
  }
  if (!v.person->HasRole(kRole)) return Refusal(403, early, "desk.refused.no_role");
  if (asked) {
    v.lang = *asked;
  } else {
    store::Transaction tx(store_);
    v.lang = tx.ChosenLanguage(v.person->id).value_or(v.person->lang.value_or(Lang::kSv));
  }
  if (v.demo) v.query = "person=" + QueryValue(v.person->id);
  if (asked) v.query += (v.query.empty() ? "lang=" : "&lang=") + std::string(LangCode(*asked));

  if (request.path == "/desk") return Overview(v);
  // /desk/case/N, /desk/case/N/dossier, /desk/case/N/diary
  std::string_view rest =
      std::string_view(request.path).substr(std::string_view(kCaseprefix).size());
  std::string_view tail;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    tail = rest.substr(slash);
    rest = rest.substr(0, slash);
  }
  std::optional<int64_t> id = ParseId(rest);
  if (!id) return Refusal(404, v.lang, "desk.refused.unknown_case");
  if (write) {
    if (tail != "/diary") return Refusal(404, v.lang, "desk.refused.unknown_case");
    return SetDiary(v, *id, form);
  }
  if (tail.empty()) return Case(v, *id);
  if (tail == "/dossier") {
    auto m = request.query.find("masked");
    return Dossier(v, *id, m != request.query.end() && m->second == "1");
  }
  return Refusal(404, v.lang, "desk.refused.unknown_case");
}

Response Desk::Picker(Lang lang) const {
  json people = json::array();
  for (const Person& p : directory_.people()) {
    if (!p.HasRole(kRole)) continue;
    const Organisation* o = directory_.FindOrganisation(p.org);
    people.push_back(
        {{"name", p.name},
         {"title", p.title},
         {"organisation", o ? o->name.Get(lang) : std::string()},
         {"query", "person=" + QueryValue(p.id) + "&lang=" + std::string(LangCode(lang))}});
  }
  return Page(
      "desk.html.mustache",
      {{"title", catalog_.Render(lang, "desk.picker.title")},
       {"demo", true},
       {"picker", {{"intro", catalog_.Render(lang, "desk.picker.intro")}, {"people", people}}}},
      lang);
}

namespace {

// What the desk reads of one organisation, in one transaction.
class Reader {
 public:
  Reader(store::Transaction& tx, const RecordsContext& ctx, const std::string& org, TimePoint now)
      : tx_(tx), ctx_(ctx), org_(org), now_(now) {
    for (const Timer& t : tx.OpenTimersOfOrg(org)) timers_.emplace(t.subject, t);
  }

  std::string T(const std::string& key, const Vars& vars = {}) const { return ctx_.T(key, vars); }
  std::string When(TimePoint t) const { return ctx_.local.Format(t); }
  std::string Name(const std::string& id) const { return ctx_.NameOf(id); }

  const Template* TemplateOf(const std::string& id) const {
    auto it = ctx_.templates.find(id);
    return it == ctx_.templates.end() ? nullptr : it->second.get();
  }
  std::string FormTitle(const store::StoredRegistration& reg) const {
    const Template* t = TemplateOf(reg.template_id);
    return t ? t->form_title.Get(ctx_.lang) : "";
  }
  std::string StatusWords(const std::string& status) const {
    const std::string key = "records.case_status." + status;
    return ctx_.catalog.Has(ctx_.lang, key) ? T(key) : T("records.case_status.other");
  }
  std::string AccountWords(const std::string& status) const {
    const std::string key = "records.account_status." + status;
    return ctx_.catalog.Has(ctx_.lang, key) ? T(key) : T("records.case_status.other");
  }

  // A start-up or closing step's text in the case's template.
  std::string StepText(const std::string& template_id, const Task& t) const {
    if (const Template* tmpl = TemplateOf(template_id)) {
      for (const StartupStep& s : tmpl->startup_steps)
        if (t.kind == TaskKind::kStartup && s.id == t.step_id) return s.text.Get(ctx_.lang);
      for (const ClosingStep& s : tmpl->closing.steps)
        if (t.kind == TaskKind::kClosing && s.id == t.step_id) return s.text.Get(ctx_.lang);
    }
    return T("records.unknown_step");
  }

  // What an open task waits for, in words, and whether it is overdue.
  json Wait(const std::string& template_id, const Task& t) const {
    std::string text;
    switch (t.kind) {
      case TaskKind::kApproval:
        text = T("desk.wait.approval",
                 {{"step", ctx_.StepTitle(template_id, t.step_id)}, {"name", Name(t.assignee)}});
        break;
      case TaskKind::kAdmin:
        text = T("desk.wait.admin", {{"name", t.detail.value("name", Name(t.assignee))}});
        break;
      case TaskKind::kStartup:
      case TaskKind::kClosing:
        text =
            T("desk.wait.step", {{"step", StepText(template_id, t)}, {"name", Name(t.assignee)}});
        break;
      case TaskKind::kNameApprover:
        text = T("desk.wait.name_approver", {{"name", Name(t.assignee)}});
        break;
    }
    auto timer = timers_.find("task:" + std::to_string(t.id));
    bool overdue = timer != timers_.end() && Reminders::Overdue(timer->second, now_);
    return {{"text", text}, {"overdue", overdue}};
  }

  json Waits(const std::string& template_id, const std::vector<Task>& tasks, bool closing,
             bool& overdue) const {
    json out = json::array();
    for (const Task& t : tasks) {
      if (t.status != TaskStatus::kOpen || (t.kind == TaskKind::kClosing) != closing) continue;
      json w = Wait(template_id, t);
      overdue |= w["overdue"].get<bool>();
      out.push_back(std::move(w));
    }
    return out;
  }

  json OpenCases() {
    std::vector<std::pair<bool, json>> rows;
    for (const store::StoredRegistration& reg : tx_.Registrations()) {
      if (reg.org != org_) continue;
      bool overdue = false;
      json waits = Waits(reg.template_id, tx_.TasksOf(reg.id), false, overdue);
      if (!IsOpenCase(reg.status) && waits.empty()) continue;
      rows.emplace_back(overdue, json{{"id", std::to_string(reg.id)},
                                      {"form", FormTitle(reg)},
                                      {"requester", Name(reg.person_id)},
                                      {"status", StatusWords(reg.status)},
                                      {"submitted", When(reg.submitted_at)},
                                      {"overdue", overdue},
                                      {"waits", waits}});
    }
    // Overdue first; otherwise in the order the cases came in.
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.first && !b.first; });
    json out = json::array();
    for (auto& [_, row] : rows) out.push_back(std::move(row));
    return out;
  }

  json Inbox(const std::vector<store::Account>& accounts) {
    json out = json::array();
    for (const store::Account& a : accounts) {
      for (const store::StoredInboxItem& s : tx_.InboxItemsOf(a.registration_id)) {
        auto c = tx_.InboxCaseOfItem(s.id);
        bool open_case = c && c->state == "open";
        if (s.state != "open" && !open_case) continue;
        json row{{"account", a.Label()},
                 {"case_id", std::to_string(a.registration_id)},
                 {"received", When(s.received_at)},
                 // Identity numbers masked: the shown text, never the record's.
                 {"text", s.shown},
                 {"state", T("records.inbox.state." + s.state)},
                 {"flagged", s.flagged}};
        if (open_case) {
          json tasks = json::array();
          for (const CaseTask& t : c->tasks) {
            if (t.state == "open") tasks.push_back(T("records.inbox.task." + t.kind));
          }
          row["handling"] = {
              {"text", T("desk.inbox.case", {{"case", std::to_string(c->id)},
                                             {"reason", T("records.inbox.reason." + c->reason)}})},
              {"tasks", tasks}};
        }
        out.push_back(std::move(row));
      }
    }
    return out;
  }

  json InProgress(const std::vector<store::Account>& accounts) {
    json out = json::array();
    for (const store::Account& a : accounts) {
      auto reg = tx_.LoadRegistration(a.registration_id);
      bool overdue = false;
      json waits =
          Waits(reg ? reg->template_id : a.org, tx_.TasksOf(a.registration_id), true, overdue);
      if (waits.empty()) continue;
      out.push_back({{"account", a.Label()},
                     {"case_id", std::to_string(a.registration_id)},
                     {"what", T("desk.progress.closing")},
                     {"overdue", overdue},
                     {"waits", waits}});
    }
    for (const store::AccountChangeRequest& c : tx_.AwaitingAccountChanges(org_)) {
      auto a = tx_.LoadAccount(c.registration_id);
      const std::string key = "desk.change." + c.kind;
      json waits = json::array();
      waits.push_back({{"text", T("desk.progress.awaiting_acceptance")}, {"overdue", false}});
      out.push_back(
          {{"account", a ? a->Label() : ""},
           {"case_id", std::to_string(c.registration_id)},
           {"what", T("desk.progress.change",
                      {{"what", ctx_.catalog.Has(ctx_.lang, key) ? T(key) : T("desk.change.other")},
                       {"by", Name(c.requested_by)}})},
           {"overdue", false},
           {"waits", waits}});
    }
    return out;
  }

  json Register(const std::vector<store::Account>& accounts) {
    json out = json::array();
    for (const store::Account& a : accounts) {
      std::string admins;
      for (const json& p : a.administrators) {
        if (!p.is_object()) continue;
        admins += (admins.empty() ? "" : ", ") + p.value("name", "");
      }
      json history = json::array();
      for (const store::AccountChange& h : tx_.AccountHistoryOf(a.registration_id)) {
        const std::string key = "records.history." + h.event;
        Vars vars{
            {"account", a.Label()}, {"by", Name(h.by)}, {"reason", h.detail.value("reason", "")}};
        history.push_back(
            {{"when", When(h.at)},
             {"text", T(ctx_.catalog.Has(ctx_.lang, key) ? key : "records.history.other", vars)}});
      }
      out.push_back({{"id", std::to_string(a.registration_id)},
                     {"medium", a.medium},
                     {"url", a.url},
                     {"unit", a.unit},
                     {"purpose", a.purpose},
                     {"state", AccountWords(a.status)},
                     {"administrators", admins},
                     {"history", history}});
    }
    return out;
  }

 private:
  store::Transaction& tx_;
  const RecordsContext& ctx_;
  const std::string& org_;
  TimePoint now_;
  std::map<std::string, Timer> timers_;  // open, by subject
};

}  // namespace

Response Desk::Overview(const Visitor& v) const {
  RecordsContext ctx{templates_, directory_, catalog_, local_, v.lang};
  store::Transaction tx(store_);
  Reader read(tx, ctx, v.person->org, clock_.Now());
  std::vector<store::Account> accounts;
  for (store::Account& a : tx.AllAccounts()) {
    if (a.org == v.person->org) accounts.push_back(std::move(a));
  }
  const Organisation* o = directory_.FindOrganisation(v.person->org);
  json data{{"title", read.T("desk.overview.title")},
            {"organisation", o ? o->name.Get(v.lang) : ""},
            {"person", v.person->name},
            {"demo", v.demo},
            {"query", v.query},
            {"overview", json::object()}};
  json& overview = data["overview"];
  overview["cases"] = read.OpenCases();
  overview["inbox"] = read.Inbox(accounts);
  overview["progress"] = read.InProgress(accounts);
  overview["register"] = read.Register(accounts);
  // Mustache cannot ask whether a list is empty but for its rows.
  for (const char* list : {"cases", "inbox", "progress", "register"})
    overview[std::string("has_") + list] = !overview[list].empty();
  return Page("desk.html.mustache", data, v.lang);
}

Response Desk::Case(const Visitor& v, int64_t id) const {
  RecordsContext ctx{templates_, directory_, catalog_, local_, v.lang};
  store::Transaction tx(store_);
  auto reg = tx.LoadRegistration(id);
  // Another organisation's case is not this person's to know about.
  if (!reg || reg->org != v.person->org) return Refusal(404, v.lang, "desk.refused.unknown_case");
  const TimePoint now = clock_.Now();
  Reader read(tx, ctx, reg->org, now);
  const std::string sid = std::to_string(id);
  json data{
      {"title", read.T("records.dossier.title", {{"id", sid}, {"form", read.FormTitle(*reg)}})},
      {"person", v.person->name},
      {"demo", v.demo},
      {"query", v.query}};
  std::optional<store::DiaryEntry> diary = tx.Diary(id);
  bool overdue = false;
  std::vector<Task> tasks = tx.TasksOf(id);
  json waits = read.Waits(reg->template_id, tasks, false, overdue);
  json closing = read.Waits(reg->template_id, tasks, true, overdue);
  for (json& w : closing) waits.push_back(std::move(w));
  json fields = json::array();
  auto field = [&](const std::string& key, const std::string& value) {
    fields.push_back({{"label", read.T(key)}, {"value", value}});
  };
  field("records.summary.registration", sid);
  field("records.summary.diarienummer",
        diary ? diary->diarienummer : read.T("records.dossier.no_diary"));
  if (diary) field("records.summary.diary_date", diary->registered_on);
  field("records.summary.requester", read.Name(reg->person_id));
  field("records.summary.submitted", read.When(reg->submitted_at));
  field("records.summary.status", read.StatusWords(reg->status));
  if (auto account = tx.LoadAccount(id)) {
    field("records.summary.account", account->Label());
    field("desk.case.account_state", read.AccountWords(account->status));
  }
  data["case"] = {{"id", sid},
                  {"fields", fields},
                  {"has_waits", !waits.empty()},
                  {"waits", waits},
                  {"number", diary ? diary->diarienummer : ""},
                  {"token", Token(v.person->id)},
                  {"person_id", v.demo ? v.person->id : ""}};
  return Page("desk.html.mustache", data, v.lang);
}

Response Desk::Dossier(const Visitor& v, int64_t id, bool masked) const {
  RecordsContext ctx{templates_, directory_, catalog_, local_, v.lang};
  store::Transaction tx(store_);
  auto reg = tx.LoadRegistration(id);
  if (!reg || reg->org != v.person->org) return Refusal(404, v.lang, "desk.refused.unknown_case");
  auto model = DossierModel(tx, id, ctx, {masked, true, "", "", clock_.Now()});
  if (!model) return Refusal(404, v.lang, "desk.refused.unknown_case");
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = DossierHtml(*model);
  // The dossier's own page styles itself inline (it is also a file).
  r.headers["Content-Security-Policy"] =
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";
  r.headers["Referrer-Policy"] = "no-referrer";
  r.headers["Cache-Control"] = "no-store";
  return r;
}

Response Desk::SetDiary(const Visitor& v, int64_t id,
                        const std::map<std::string, std::string>& form) const {
  auto token = form.find("token");
  if (token == form.end() || !SameSecret(token->second, Token(v.person->id)))
    return Refusal(403, v.lang, "desk.refused.token");
  auto number = form.find("number");
  const TimePoint now = clock_.Now();
  store::Transaction tx(store_);
  auto reg = tx.LoadRegistration(id);
  if (!reg || reg->org != v.person->org) return Refusal(404, v.lang, "desk.refused.unknown_case");
  app::DiaryWrite written = app::SetDiaryNumber(
      tx, *v.person, id, number == form.end() ? "" : number->second, local_.Date(now), now, "desk");
  switch (written.outcome) {
    case app::DiaryWrite::Outcome::kSet:
      break;
    case app::DiaryWrite::Outcome::kInvalid:
      return Refusal(400, v.lang, "desk.refused.bad_number");
    case app::DiaryWrite::Outcome::kUnknownCase:
    case app::DiaryWrite::Outcome::kNotAllowed:
      return Refusal(404, v.lang, "desk.refused.unknown_case");
  }
  tx.Commit();
  Response r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers["Location"] =
      "/desk/case/" + std::to_string(id) + (v.query.empty() ? "" : "?") + v.query;
  return r;
}

}  // namespace kontobot::handlers
