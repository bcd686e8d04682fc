#include "handlers/register.h"

#include <map>
#include <string_view>

#include <kainjow/mustache.hpp>

#include "store/clock_format.h"

namespace kontobot::pages {
extern const std::map<std::string, std::string_view> kTemplates;
}  // namespace kontobot::pages

namespace kontobot::handlers {
namespace {

kainjow::mustache::data ToData(const nlohmann::json& j) {
  using kainjow::mustache::data;
  if (j.is_object()) {
    data d{data::type::object};
    for (const auto& [k, v] : j.items()) d.set(k, ToData(v));
    return d;
  }
  if (j.is_array()) {
    data list{data::type::list};
    for (const auto& v : j) list.push_back(ToData(v));
    return list;
  }
  if (j.is_boolean())
    return j.get<bool>() ? data{data::type::bool_true} : data{data::type::bool_false};
  if (j.is_string()) return data{j.get<std::string>()};
  if (j.is_null()) return data{std::string()};
  return data{j.dump()};
}

}  // namespace

std::string RenderPage(const std::string& name, const nlohmann::json& data) {
  kainjow::mustache::mustache m{std::string(pages::kTemplates.at(name))};
  return m.render(ToData(data));  // {{x}} is HTML-escaped
}

RegisterPages::RegisterPages(store::Store& store, const Directory& directory,
                             const Catalog& catalog)
    : store_(store), directory_(directory), catalog_(catalog) {}

void RegisterPages::RegisterRoutes(HttpServer& server) {
  server.Route("GET", "/register", [this](const Request& r) { return Html(r); });
  server.Route("GET", "/register.json", [this](const Request& r) { return Json(r); });
}

std::variant<std::vector<store::Account>, Response> RegisterPages::Load(const Request& request,
                                                                        std::string& org) const {
  org = request.query.count("org") ? request.query.at("org") : "";
  if (!org.empty() && directory_.FindOrganisation(org) == nullptr) {
    return Response::Error(404, "unknown_organisation", "No organisation '" + org + "'");
  }
  store::Transaction tx(store_);
  return tx.Accounts(org);
}

Response RegisterPages::Json(const Request& request) const {
  std::string org;
  auto loaded = Load(request, org);
  if (auto* error = std::get_if<Response>(&loaded)) return *error;
  const auto& accounts = std::get<std::vector<store::Account>>(loaded);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : accounts) {
    const Organisation* o = directory_.FindOrganisation(a.org);
    out.push_back(
        {{"organisation", a.org},
         {"organisation_name", o ? o->name.sv : a.org},
         {"medium", a.medium},
         {"url", a.url},
         {"unit", a.unit},
         {"purpose", a.purpose},
         {"status", a.status},  // "listed" or "closed_for_posts"
         {"registered", store::FormatUtc(a.listed_at.value_or(a.registered_at)).substr(0, 10)}});
  }
  Response r = Response::Json(200, nlohmann::json{{"accounts", out}}.dump(2));
  r.headers["Access-Control-Allow-Origin"] = "*";  // public data, for the organisation's website
  return r;
}

Response RegisterPages::Html(const Request& request) const {
  Lang lang = Lang::kSv;
  if (auto l = request.query.find("lang"); l != request.query.end()) {
    auto parsed = ParseLang(l->second);
    if (!parsed) return Response::Error(400, "bad_lang", "lang must be sv or en");
    lang = *parsed;
  }
  std::string org;
  auto loaded = Load(request, org);
  if (auto* error = std::get_if<Response>(&loaded)) return *error;
  const auto& accounts = std::get<std::vector<store::Account>>(loaded);
  auto t = [&](const std::string& key) { return catalog_.Render(lang, key); };
  nlohmann::json orgs = nlohmann::json::array();
  for (const Organisation& o : directory_.organisations()) {
    if (!org.empty() && o.id != org) continue;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : accounts) {
      if (a.org != o.id) continue;
      list.push_back(
          {{"medium", a.medium},
           {"url", a.url},
           {"unit", a.unit},
           {"purpose", a.purpose},
           {"since", store::FormatUtc(a.listed_at.value_or(a.registered_at)).substr(0, 10)},
           {"note", a.status == store::kAccountClosedForPosts
                        ? nlohmann::json(t("register.closed_for_posts"))
                        : nlohmann::json(false)},
           {"h_medium", t("register.h_medium")},
           {"h_url", t("register.h_url")},
           {"h_unit", t("register.h_unit")},
           {"h_purpose", t("register.h_purpose")},
           {"h_since", t("register.h_since")}});
    }
    orgs.push_back(
        {{"id", o.id},
         {"name", o.name.Get(lang)},
         {"accounts", list},
         {"has_accounts", !list.empty()},
         {"caption", catalog_.Render(lang, "register.caption", {{"org", o.name.Get(lang)}})},
         {"h_medium", t("register.h_medium")},
         {"h_url", t("register.h_url")},
         {"h_unit", t("register.h_unit")},
         {"h_purpose", t("register.h_purpose")},
         {"h_since", t("register.h_since")},
         {"none", t("register.none")}});
  }
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = RenderPage("register.html.mustache", {{"lang", LangCode(lang)},
                                                 {"title", t("register.title")},
                                                 {"lead", t("register.lead")},
                                                 {"footer", t("register.footer")},
                                                 {"organisations", orgs}});
  r.headers["Content-Security-Policy"] =
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *";
  return r;
}

}  // namespace kontobot::handlers
