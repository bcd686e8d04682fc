#include "handlers/export.h"

#include "bot/answers.h"
#include "handlers/register.h"
#include "store/clock_format.h"

namespace kontobot::handlers {
namespace {

std::string PersonName(const Directory& d, const std::string& id) {
  const Person* p = d.Find(id);
  return p ? p->name : id;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::optional<nlohmann::json> RegistrationRecord(store::Transaction& tx, int64_t id,
                                                 const TemplateSet& templates,
                                                 const Directory& directory,
                                                 const Catalog& catalog) {
  auto r = tx.LoadRegistration(id);
  if (!r) return std::nullopt;
  nlohmann::json answers = nlohmann::json::array();
  auto t = templates.find(r->template_id);
  if (t != templates.end()) {
    for (const Step& s : t->second->steps) {
      if (!s.IsQuestion() || (s.when && !s.when->Holds(r->answers))) continue;
      auto a = r->answers.find(s.id);
      bool has = a != r->answers.end() && !a->is_null();
      answers.push_back({{"question", s.id},
                         {"label", s.Label(Lang::kSv)},
                         {"text_sv", s.text.sv},
                         {"answer", has ? FormatAnswer(s, *a, Lang::kSv)
                                        : catalog.Render(Lang::kSv, "summary.no_answer")},
                         {"value", has ? *a : nlohmann::json()}});
    }
  }
  nlohmann::json tasks = nlohmann::json::array();
  for (const Task& task : tx.TasksOf(id)) {
    tasks.push_back({{"id", task.id},
                     {"round", task.round},
                     {"kind", TaskKindName(task.kind)},
                     {"step", task.step_id},
                     {"assignee", task.assignee},
                     {"assignee_name", PersonName(directory, task.assignee)},
                     {"status", TaskStatusName(task.status)},
                     {"decided_by", task.decided_by},
                     {"decided_at", task.decided_at ? store::FormatUtc(*task.decided_at) : ""},
                     {"reason", task.reason},
                     {"detail", task.detail}});
  }
  nlohmann::json messages = nlohmann::json::array();
  std::vector<std::string> subjects{"draft:" + std::to_string(id),
                                    "registration:" + std::to_string(id)};
  for (const auto& m : tx.MessagesOfDraft(id)) {
    messages.push_back({{"id", m.id},
                        {"at", store::FormatUtc(m.at)},
                        {"person", m.person_id},
                        {"person_name", PersonName(directory, m.person_id)},
                        {"channel", m.channel},
                        {"direction", m.direction},
                        {"text", m.text},
                        {"edited_at", m.edited_at ? store::FormatUtc(*m.edited_at) : ""}});
    subjects.push_back("message:" + std::to_string(m.id));
  }
  const Organisation* org = directory.FindOrganisation(r->org);
  return nlohmann::json{{"registration", id},
                        {"organisation", r->org},
                        {"organisation_name", org ? org->name.sv : r->org},
                        {"template",
                         {{"id", r->template_id},
                          {"version", r->template_version},
                          {"form_title", t != templates.end() ? t->second->form_title.sv : ""},
                          {"source", t != templates.end() ? t->second->source : ""}}},
                        {"requester", r->person_id},
                        {"requester_name", PersonName(directory, r->person_id)},
                        {"status", r->status},
                        {"round", r->round},
                        {"submitted_at", store::FormatUtc(r->submitted_at)},
                        {"answers", answers},
                        {"tasks", tasks},
                        {"conversation", messages},
                        {"audit", tx.AuditOf(subjects)}};
}

std::string RegistrationHtml(const nlohmann::json& rec, const Catalog& catalog,
                             const LocalTime& local) {
  auto t = [&](const std::string& key, const Vars& v = {}) {
    return catalog.Render(Lang::kSv, key, v);
  };
  auto when = [&](const std::string& utc) {
    auto tp = store::ParseUtc(utc);
    return tp ? local.Format(*tp) : utc;
  };
  nlohmann::json answers = nlohmann::json::array();
  for (const auto& a : rec["answers"])
    answers.push_back({{"label", a["label"]}, {"text", a["answer"]}});
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& task : rec["tasks"]) {
    tasks.push_back(
        {{"step", task["kind"].get<std::string>() + ": " + task["step"].get<std::string>()},
         {"assignee", task["assignee_name"]},
         {"status", task["status"]},
         {"when", when(task["decided_at"])},
         {"reason", task["reason"]}});
  }
  nlohmann::json messages = nlohmann::json::array();
  for (const auto& m : rec["conversation"]) {
    messages.push_back({{"at", when(m["at"])},
                        {"person", m["person_name"]},
                        {"direction", m["direction"] == "in" ? "→ kontobot" : "kontobot →"},
                        {"text", m["text"]}});
  }
  nlohmann::json audit = nlohmann::json::array();
  for (const auto& a : rec["audit"])
    audit.push_back({{"at", when(a["at"])}, {"actor", a["actor"]}, {"action", a["action"]}});
  std::string id = std::to_string(rec["registration"].get<int64_t>());
  return RenderPage("registration.html.mustache", {{"lang", "sv"},
                                                   {"title", t("export.title", {{"id", id}})},
                                                   {"organisation", rec["organisation_name"]},
                                                   {"form", rec["template"]["form_title"]},
                                                   {"status_label", t("export.status")},
                                                   {"status", rec["status"]},
                                                   {"submitted_label", t("export.submitted")},
                                                   {"submitted", when(rec["submitted_at"])},
                                                   {"h_answers", t("export.answers")},
                                                   {"answers", answers},
                                                   {"h_decisions", t("export.decisions")},
                                                   {"tasks", tasks},
                                                   {"h_step", t("export.step")},
                                                   {"h_who", t("export.who")},
                                                   {"h_status", t("export.status")},
                                                   {"h_when", t("export.when")},
                                                   {"h_reason", t("export.reason")},
                                                   {"h_conversation", t("export.conversation")},
                                                   {"messages", messages},
                                                   {"h_person", t("export.person")},
                                                   {"h_direction", t("export.direction")},
                                                   {"h_text", t("export.text")},
                                                   {"h_audit", t("export.audit")},
                                                   {"audit", audit},
                                                   {"h_action", t("export.action")}});
}

nlohmann::json RegisterJson(const std::vector<store::Account>& accounts,
                            const Directory& directory) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : accounts) {
    const Organisation* o = directory.FindOrganisation(a.org);
    out.push_back({{"registration", a.registration_id},
                   {"organisation", a.org},
                   {"organisation_name", o ? o->name.sv : a.org},
                   {"medium", a.medium},
                   {"url", a.url},
                   {"unit", a.unit},
                   {"purpose", a.purpose},
                   {"administrators", a.administrators},
                   {"approvals", a.approvals},
                   {"status", a.status},
                   {"registered_at", store::FormatUtc(a.registered_at)}});
  }
  return {{"accounts", out}};
}

std::string RegisterCsv(const std::vector<store::Account>& accounts, const Directory& directory) {
  std::string out =
      "registration,organisation,medium,url,unit,purpose,administrators,approved_by,registered_"
      "at\r\n";
  for (const auto& a : accounts) {
    std::string admins, approvers;
    for (const auto& p : a.administrators) {
      admins += (admins.empty() ? "" : "; ") + p.value("name", "") +
                (p.contains("email") ? " <" + p["email"].get<std::string>() + ">" : "");
    }
    for (const auto& ap : a.approvals) {
      approvers += (approvers.empty() ? "" : "; ") + PersonName(directory, ap.value("by", "")) +
                   " " + ap.value("at", "");
    }
    for (const std::string& f : {std::to_string(a.registration_id), a.org, a.medium, a.url, a.unit,
                                 a.purpose, admins, approvers, store::FormatUtc(a.registered_at)}) {
      out += CsvField(f) + ",";
    }
    out.back() = '\r';
    out += "\n";
  }
  return out;
}

}  // namespace kontobot::handlers
