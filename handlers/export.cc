#include "handlers/export.h"

#include <iostream>
#include <set>

#include "bot/answers.h"
#include "handlers/dossier.h"
#include "handlers/record_files.h"
#include "handlers/stockholm_time.h"
#include "store/clock_format.h"

namespace kontobot::handlers {
namespace {

std::string When(const RecordsContext& ctx, const std::string& utc) {
  auto tp = store::ParseUtc(utc);
  return tp ? LocalRfc3339(ctx.local, *tp) : "";
}

// "Anna Berg, anna@x.se, 070-123 45 67": every contact detail given.
std::string AdminLine(const nlohmann::json& p) {
  if (!p.is_object()) return p.is_string() ? p.get<std::string>() : "";
  std::string out = p.value("name", "");
  for (const char* k : {"email", "phone"}) {
    std::string v = p.value(k, "");
    if (!v.empty()) out += (out.empty() ? "" : ", ") + v;
  }
  return out;
}

// An item of the social inbox as it arrived (`original`: the request's
// bytes) with its handling case, if it has one.
nlohmann::json InboxItemRecord(store::Transaction& tx, const store::StoredInboxItem& s,
                               const RecordsContext& ctx) {
  auto when = [&](TimePoint t) { return LocalRfc3339(ctx.local, t); };
  const InboxItem& i = s.item;
  nlohmann::json item = {
      {"id", s.id},
      {"source", i.source},
      {"page_id", i.page_id},
      {"external_id", i.external_id},
      {"kind", i.kind},
      {"thread_id", i.thread_id},
      {"parent_id", i.parent_id},
      {"author_id", i.author_id},
      {"author_name", i.author_name},
      {"text", i.text},
      {"permalink", i.permalink},
      {"created_at", i.created_at != 0 ? when(TimePoint{std::chrono::seconds(i.created_at)}) : ""},
      {"received_at", when(s.received_at)},
      {"state", s.state},
      {"flagged", s.flagged},
      {"original", s.raw},
      {"case", nullptr}};
  if (auto ic = tx.InboxCaseOfItem(s.id)) {
    nlohmann::json tasks = nlohmann::json::array();
    for (const CaseTask& t : ic->tasks)
      tasks.push_back({{"task", t.task_id},
                       {"kind", t.kind},
                       {"state", t.state},
                       {"done_by", t.done_by},
                       {"done_by_name", t.done_by.empty() ? "" : ctx.NameOf(t.done_by)}});
    item["case"] = {{"id", ic->id},       {"reason", ic->reason},
                    {"lists", ic->lists}, {"diarienummer", ic->diarienummer},
                    {"state", ic->state}, {"opened_at", when(ic->opened_at)},
                    {"tasks", tasks}};
  }
  return item;
}

}  // namespace

std::string RecordsContext::NameOf(const std::string& person_id) const {
  if (person_id == "kontobot") return T("records.kontobot");
  if (const Person* p = directory.Find(person_id)) return p->name;
  return T("records.unknown_person");
}

std::string RecordsContext::StepTitle(const std::string& template_id,
                                      const std::string& step_id) const {
  auto t = templates.find(template_id);
  if (t != templates.end()) {
    for (const ApprovalStep& a : t->second->approval) {
      if (a.id == step_id) return a.title.Get(lang);
      for (const ApprovalStep& p : a.parallel)
        if (p.id == step_id) return p.title.Get(lang);
    }
  }
  return T("records.unknown_step");
}

std::optional<nlohmann::json> RegistrationRecord(store::Transaction& tx, int64_t id,
                                                 const RecordsContext& ctx) {
  auto r = tx.LoadRegistration(id);
  if (!r) return std::nullopt;
  auto when = [&](TimePoint t) { return LocalRfc3339(ctx.local, t); };
  nlohmann::json answers = nlohmann::json::array();
  auto t = ctx.templates.find(r->template_id);
  if (t != ctx.templates.end()) {
    for (const Step& s : t->second->steps) {
      if (!s.IsQuestion() || (s.when && !s.when->Holds(r->answers))) continue;
      auto a = r->answers.find(s.id);
      bool has = a != r->answers.end() && !a->is_null();
      answers.push_back({{"question", s.id},
                         {"label", s.Label(ctx.lang)},
                         {"answer", has ? FormatAnswer(s, *a, ctx.lang)
                                        : ctx.catalog.Render(ctx.lang, "summary.no_answer")},
                         {"value", has ? *a : nlohmann::json()}});
    }
  }
  nlohmann::json tasks = nlohmann::json::array();
  for (const Task& task : tx.TasksOf(id)) {
    tasks.push_back(
        {{"id", task.id},
         {"round", task.round},
         {"kind", TaskKindName(task.kind)},
         {"step", task.step_id},
         {"assignee", task.assignee},
         {"assignee_name", ctx.NameOf(task.assignee)},
         {"status", TaskStatusName(task.status)},
         {"decided_by", task.decided_by},
         {"decided_by_name", task.decided_by.empty() ? "" : ctx.NameOf(task.decided_by)},
         {"decided_at", task.decided_at ? when(*task.decided_at) : ""},
         {"reason", task.reason},
         {"detail", task.detail}});
  }
  nlohmann::json messages = nlohmann::json::array();
  std::vector<std::string> subjects{"draft:" + std::to_string(id),
                                    "registration:" + std::to_string(id)};
  // A chat platform's message or press as it arrived (migration 0017).
  std::map<int64_t, store::Original> originals = tx.OriginalsOfDraft(id);
  for (const auto& m : tx.MessagesOfDraft(id)) {
    nlohmann::json buttons = nlohmann::json::array();
    for (const Button& b : m.buttons) buttons.push_back({{"action", b.id}, {"label", b.label}});
    nlohmann::json original = nullptr;
    if (auto o = originals.find(m.id); o != originals.end()) {
      original = {{"platform", o->second.platform},
                  {"received_at", when(o->second.received_at)},
                  {"content_type", o->second.content_type},
                  {"headers", o->second.headers},
                  {"body", o->second.body}};
    }
    messages.push_back({{"id", m.id},
                        {"at", when(m.at)},
                        {"person", m.person_id},
                        {"person_name", ctx.NameOf(m.person_id)},
                        {"channel", m.channel},
                        {"direction", m.direction},
                        {"text", m.text},
                        {"buttons", buttons},
                        {"edited_at", m.edited_at ? when(*m.edited_at) : ""},
                        {"original", original}});
    subjects.push_back("message:" + std::to_string(m.id));
  }
  for (const Task& task : tx.TasksOf(id)) subjects.push_back("task:" + std::to_string(task.id));
  nlohmann::json audit = nlohmann::json::array();
  for (auto& a : tx.AuditOf(subjects)) {
    a["at"] = When(ctx, a["at"].get<std::string>());
    audit.push_back(std::move(a));
  }
  nlohmann::json diary = nullptr;
  if (auto d = tx.Diary(id)) {
    diary = {{"diarienummer", d->diarienummer},
             {"registered_on", d->registered_on},
             {"set_by", d->set_by},
             {"set_by_name", ctx.NameOf(d->set_by)},
             {"set_at", when(d->set_at)}};
  }
  nlohmann::json releases = nlohmann::json::array();
  for (const store::Release& rel : tx.ReleasesOf(id)) {
    releases.push_back({{"id", rel.id},
                        {"released_at", when(rel.released_at)},
                        {"released_by", rel.released_by},
                        {"released_by_name", ctx.NameOf(rel.released_by)},
                        {"recipient", rel.recipient},
                        {"version", rel.version},
                        {"lang", rel.lang},
                        {"files", rel.files}});
  }
  // After approval: the account's history and the public's items with
  // their originals as they arrived (the masked dossier shows less).
  nlohmann::json history = nlohmann::json::array();
  nlohmann::json inbox = nlohmann::json::array();
  if (auto account = tx.LoadAccount(id)) {
    for (const store::AccountChange& c : tx.AccountHistoryOf(id)) {
      history.push_back({{"at", when(c.at)},
                         {"event", c.event},
                         {"by", c.by},
                         {"by_name", ctx.NameOf(c.by)},
                         {"from_status", c.from_status},
                         {"to_status", c.to_status},
                         {"detail", c.detail},
                         {"text", HistorySentence(ctx, c, account->Label(), ctx.NameOf(c.by))}});
    }
    for (const store::StoredInboxItem& s : tx.InboxItemsOf(id))
      inbox.push_back(InboxItemRecord(tx, s, ctx));
  }
  const Organisation* org = ctx.directory.FindOrganisation(r->org);
  return nlohmann::json{
      {"registration", id},
      {"diary", diary},
      {"organisation", r->org},
      {"organisation_name", org ? org->name.Get(ctx.lang) : r->org},
      {"template",
       {{"id", r->template_id},
        {"version", r->template_version},
        {"form_title", t != ctx.templates.end() ? t->second->form_title.Get(ctx.lang) : ""},
        {"source", t != ctx.templates.end() ? t->second->source : ""}}},
      {"requester", r->person_id},
      {"requester_name", ctx.NameOf(r->person_id)},
      {"status", r->status},
      {"round", r->round},
      {"submitted_at", when(r->submitted_at)},
      {"time_zone", "Europe/Stockholm"},
      {"answers", answers},
      {"tasks", tasks},
      {"conversation", messages},
      {"audit", audit},
      {"releases", releases},
      {"account_history", history},
      {"inbox", inbox}};
}

std::string HistorySentence(const RecordsContext& ctx, const store::AccountChange& c,
                            const std::string& label, const std::string& by) {
  const nlohmann::json& d = c.detail;
  auto str = [&](const char* field) {
    auto f = d.find(field);
    return f != d.end() && f->is_string() ? f->get<std::string>() : std::string();
  };
  auto name = [&](const char* field) {
    std::string id = str(field);
    return id.empty() ? id : ctx.NameOf(id);
  };
  // Words for the coded details, from the catalogue ("" when not there).
  auto words = [&](const std::string& prefix, const std::string& code) {
    return !code.empty() && ctx.catalog.Has(ctx.lang, prefix + code) ? ctx.T(prefix + code)
                                                                     : std::string();
  };
  std::string lists;
  if (d.contains("lists") && d["lists"].is_array()) {
    for (const auto& l : d["lists"])
      if (l.is_string()) lists += (lists.empty() ? "" : ", ") + l.get<std::string>();
  }
  std::string event = c.event;
  if (event == "inbox_case.task_done" && str("state") == "skipped")
    event = "inbox_case.task_skipped";
  const std::string key = "records.history." + event;
  Vars v{{"account", label},
         {"by", by},
         {"reason", str("reason")},
         {"what", str("what")},
         {"person", name("person")},
         {"cover", name("cover")},
         {"from", str("from")},
         {"to", str("to")},
         {"outcome", words("absence.rule_outcome.", str("outcome"))},
         {"case", str("case")},
         {"number", str("diarienummer")},
         {"task", words("records.inbox.task.", str("kind"))},
         {"flag", words("records.inbox.reason.", str("reason"))},
         {"lists", lists}};
  // An empty value is left out: a {{#section}} shows only what was given.
  std::erase_if(v, [](const auto& kv) { return kv.second.empty(); });
  return ctx.catalog.Has(ctx.lang, key) ? ctx.T(key, v) : ctx.T("records.history.other", v);
}

std::vector<nlohmann::json> RegisterHistory(store::Transaction& tx, const RecordsContext& ctx,
                                            const std::vector<store::Account>& accounts) {
  auto label_of = [](const store::Account& a) {
    return a.medium + (a.url.empty() ? "" : ", " + a.url);
  };
  std::map<int64_t, std::string> labels;
  for (const store::Account& a : accounts) labels.emplace(a.registration_id, label_of(a));
  std::map<std::string, std::string> names;  // actor -> name, rendered once
  std::vector<nlohmann::json> out;
  for (const store::AccountChange& c : tx.AccountHistory()) {
    auto known = labels.find(c.registration_id);
    if (known == labels.end()) {
      auto account = tx.LoadAccount(c.registration_id);
      known = labels.emplace(c.registration_id, account ? label_of(*account) : "").first;
    }
    const std::string& label = known->second;
    auto name = names.find(c.by);
    if (name == names.end()) name = names.emplace(c.by, ctx.NameOf(c.by)).first;
    nlohmann::json row = nlohmann::json::object();
    row["at"] = LocalRfc3339(ctx.local, c.at);
    row["registration"] = c.registration_id;
    row["account"] = label;
    row["event"] = c.event;
    row["from_status"] = c.from_status;
    row["to_status"] = c.to_status;
    row["by"] = c.by;
    row["by_name"] = name->second;
    row["text"] = HistorySentence(ctx, c, label, name->second);
    out.push_back(std::move(row));
  }
  return out;
}

nlohmann::json RegisterJson(const std::vector<store::Account>& accounts,
                            const std::map<int64_t, store::DiaryEntry>& diary,
                            std::vector<nlohmann::json> history, const RecordsContext& ctx,
                            TimePoint now) {
  // Built by assignment and moves: an initializer list copies every value
  // it holds, and the accounts and history arrays are most of the export.
  std::map<std::string, std::string> names;  // person id -> name
  auto name_of = [&](const std::string& id) -> const std::string& {
    auto n = names.find(id);
    if (n == names.end()) n = names.emplace(id, ctx.NameOf(id)).first;
    return n->second;
  };
  std::map<std::string, std::string> status_texts;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : accounts) {
    const Organisation* o = ctx.directory.FindOrganisation(a.org);
    auto d = diary.find(a.registration_id);
    nlohmann::json admins = nlohmann::json::array();
    for (const auto& p : a.administrators) {
      if (!p.is_object()) continue;
      nlohmann::json admin = nlohmann::json::object();
      admin["name"] = p.value("name", "");
      admin["email"] = p.value("email", "");
      admin["phone"] = p.value("phone", "");
      admins.push_back(std::move(admin));
    }
    nlohmann::json approvals = nlohmann::json::array();
    for (const auto& ap : a.approvals) {
      std::string by = ap.value("by", "");
      std::string step = ap.value("step", "");
      nlohmann::json approval = nlohmann::json::object();
      approval["step_title"] = ctx.StepTitle(o ? o->template_id : a.org, step);
      approval["step"] = std::move(step);
      approval["by_name"] = name_of(by);
      approval["by"] = std::move(by);
      approval["at"] = When(ctx, ap.value("at", ""));
      approvals.push_back(std::move(approval));
    }
    auto status = status_texts.find(a.status);
    if (status == status_texts.end()) {
      status = status_texts.emplace(a.status, ctx.T("records.account_status." + a.status)).first;
    }
    nlohmann::json row = nlohmann::json::object();
    row["registration"] = a.registration_id;
    row["diarienummer"] = d != diary.end() ? d->second.diarienummer : "";
    row["diary_date"] = d != diary.end() ? d->second.registered_on : "";
    row["organisation"] = a.org;
    row["organisation_name"] = o ? o->name.Get(ctx.lang) : a.org;
    row["medium"] = a.medium;
    row["url"] = a.url;
    row["unit"] = a.unit;
    row["purpose"] = a.purpose;
    row["status"] = a.status;
    row["status_text"] = status->second;
    row["registered_at"] = LocalRfc3339(ctx.local, a.registered_at);
    row["listed_at"] = a.listed_at ? LocalRfc3339(ctx.local, *a.listed_at) : "";
    row["closed_at"] = a.closed_at ? LocalRfc3339(ctx.local, *a.closed_at) : "";
    row["close_reason"] = a.close_reason;
    row["closed_by"] = a.closed_by;
    row["closed_by_name"] = a.closed_by.empty() ? "" : name_of(a.closed_by);
    row["administrators"] = std::move(admins);
    row["approvals"] = std::move(approvals);
    out.push_back(std::move(row));
  }
  nlohmann::json result = nlohmann::json::object();
  result["format"] = "kontobot-register/1";
  result["generated_at"] = LocalRfc3339(ctx.local, now);
  result["time_zone"] = "Europe/Stockholm";
  result["accounts"] = std::move(out);
  result["history"] = nlohmann::json::array();
  for (nlohmann::json& h : history) result["history"].push_back(std::move(h));
  return result;
}

std::string RegisterCsv(const std::vector<store::Account>& accounts,
                        const std::map<int64_t, store::DiaryEntry>& diary,
                        const RecordsContext& ctx) {
  std::string out = "\xEF\xBB\xBF";
  std::vector<std::string> header;
  for (const char* col : {"diarienummer", "diary_date", "registration", "organisation", "medium",
                          "url", "unit", "purpose", "administrators", "approvals", "registered_at",
                          "status", "closed_at", "close_reason", "closed_by"}) {
    header.push_back(ctx.T(std::string("records.register.col.") + col));
  }
  out += CsvRow(header);
  for (const auto& a : accounts) {
    const Organisation* o = ctx.directory.FindOrganisation(a.org);
    const std::string tmpl = o ? o->template_id : a.org;
    std::string admins, approvals;
    for (const auto& p : a.administrators) admins += (admins.empty() ? "" : "; ") + AdminLine(p);
    for (const auto& ap : a.approvals) {
      auto at = store::ParseUtc(ap.value("at", ""));
      approvals +=
          (approvals.empty() ? "" : "; ") +
          ctx.T("records.register.approval", {{"step", ctx.StepTitle(tmpl, ap.value("step", ""))},
                                              {"name", ctx.NameOf(ap.value("by", ""))},
                                              {"when", at ? ctx.local.Format(*at) : ""}});
    }
    auto d = diary.find(a.registration_id);
    out += CsvRow({d != diary.end() ? d->second.diarienummer : "",
                   d != diary.end() ? d->second.registered_on : "",
                   std::to_string(a.registration_id), o ? o->name.Get(ctx.lang) : a.org, a.medium,
                   a.url, a.unit, a.purpose, admins, approvals, ctx.local.Format(a.registered_at),
                   ctx.T("records.account_status." + a.status),
                   a.closed_at ? ctx.local.Format(*a.closed_at) : "", a.close_reason,
                   a.closed_by.empty() ? "" : ctx.NameOf(a.closed_by)});
  }
  return out;
}

std::string RegisterHistoryCsv(const std::vector<nlohmann::json>& history,
                               const RecordsContext& ctx) {
  std::string out = "\xEF\xBB\xBF";
  std::vector<std::string> header;
  for (const char* col : {"at", "registration", "account", "event", "by"})
    header.push_back(ctx.T(std::string("records.history.col.") + col));
  out += CsvRow(header);
  for (const auto& h : history) {
    out += CsvRow({h["at"].get<std::string>(), std::to_string(h["registration"].get<int64_t>()),
                   h["account"].get<std::string>(), h["text"].get<std::string>(),
                   h["by_name"].get<std::string>()});
  }
  return out;
}

std::string DisposalsCsv(const std::vector<store::Disposal>& disposals, const RecordsContext& ctx) {
  std::string out = "\xEF\xBB\xBF";
  std::vector<std::string> header;
  for (const char* col : {"at", "by", "what", "before", "decision", "count"})
    header.push_back(ctx.T(std::string("records.disposals.col.") + col));
  out += CsvRow(header);
  for (const store::Disposal& d : disposals) {
    out +=
        CsvRow({ctx.local.Format(d.at), ctx.NameOf(d.by), ctx.T("records.disposals.what." + d.what),
                d.before, d.decision, std::to_string(d.count)});
  }
  return out;
}

}  // namespace kontobot::handlers
