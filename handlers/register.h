// The public register of the organisation's accounts (Dalarna and SMC
// require one on the website): GET /register (HTML, accessible, readable on
// a phone) and GET /register.json. Medium, address, unit and purpose only:
// no personal data. ?org=ID narrows to one organisation, ?lang=en switches
// language.
#ifndef KONTOBOT_HANDLERS_REGISTER_H_
#define KONTOBOT_HANDLERS_REGISTER_H_

#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/directory.h"
#include "handlers/http_server.h"
#include "store/store.h"

namespace kontobot::handlers {

// Renders a mustache template compiled into the binary (handlers/pages/).
std::string RenderPage(const std::string& name, const nlohmann::json& data);

class RegisterPages {
 public:
  RegisterPages(store::Store& store, const Directory& directory, const Catalog& catalog);
  void RegisterRoutes(HttpServer& server);

  Response Html(const Request& request) const;
  Response Json(const Request& request) const;

 private:
  // The active accounts of ?org= (all when absent), or the 404 to send.
  std::variant<std::vector<store::Account>, Response> Load(const Request& request,
                                                           std::string& org) const;

  store::Store& store_;
  const Directory& directory_;
  const Catalog& catalog_;
};

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_REGISTER_H_
