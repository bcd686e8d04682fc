// The information function's desk: server-rendered pages at /desk for the
// people with the informationsfunktion role (issue 20, item 4).
//
//   GET  /desk                    the organisation's open cases and what each
//                                 waits for (overdue first), the social
//                                 inbox's open items and handling cases, the
//                                 closings and changes in progress, and the
//                                 register with every account
//   GET  /desk/case/N             case N in brief: its state, what it waits
//                                 for, its diarienummer and a form to set it
//   GET  /desk/case/N/dossier[?masked=1]  its dossier (handlers/dossier.h),
//                                 complete or masked
//   POST /desk/case/N/diary       sets the diarienummer (form fields token,
//                                 number; person in the demo), then 303 back
//
// Who: as in the web chat (handlers/webchat/webchat.h). With sign-in, the
// signed-in person (401 otherwise); in the loopback demo, the person named
// by ?person= (a form field on POST), and /desk without one lists the
// information functions to pick from. Anyone without the role gets 403.
// The desk shows the person's own organisation only: another
// organisation's case is a 404, like one that does not exist.
//
// A decision made on the desk is a record like one made in chat: the
// diarienummer goes through app::SetDiaryNumber, the function the chat
// command and `kontobot diary` use, in one transaction with its audit row.
//
// Cross-site requests: every route passes WebChatRefusal (Host, Origin,
// and for the POST Sec-Fetch-Site as for the web chat's reads); the POST
// must also carry a token, an HMAC of the person's id under a secret drawn
// at start, so a form on another site cannot forge one. Anything wrong is
// a 403 page and changes nothing.
//
// Every word on the pages comes from the catalogue (desk.*, and records.*
// for the words exports already use); pages follow the person's language
// (?lang= overrides). Data is rendered with {{ }} only, so it is escaped.
//
// Thread-safety: immutable after construction; handlers run concurrently,
// each in its own transaction.
#ifndef KONTOBOT_HANDLERS_DESK_DESK_H_
#define KONTOBOT_HANDLERS_DESK_DESK_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/directory.h"
#include "bot/template.h"
#include "handlers/http_server.h"
#include "handlers/sign_in.h"
#include "store/store.h"

namespace kontobot::handlers {

class Desk {
 public:
  // All references must outlive the Desk. `authorities` as for the web chat
  // (WebChatAuthorities). `sign_in` may be off (the demo).
  Desk(store::Store& store, const TemplateSet& templates, const Directory& directory,
       const Catalog& catalog, const LocalTime& local, const Clock& clock,
       std::vector<std::string> authorities, const SignIn& sign_in);

  void RegisterRoutes(HttpServer& server);

  // The form token for `person_id`: what a POST must carry.
  std::string Token(const std::string& person_id) const;

 private:
  struct Visitor;  // who asks, in which language
  Response Overview(const Visitor& v) const;
  Response Case(const Visitor& v, int64_t id) const;
  Response Dossier(const Visitor& v, int64_t id, bool masked) const;
  Response SetDiary(const Visitor& v, int64_t id,
                    const std::map<std::string, std::string>& form) const;
  Response Picker(Lang lang) const;
  // A page of its own for a refusal: `status` with catalogue text `key`.
  Response Refusal(int status, Lang lang, const std::string& key) const;
  Response Page(const std::string& name, nlohmann::json data, Lang lang) const;
  // Handles one desk request: who asks, the cross-site checks, the role.
  Response Serve(const Request& request, bool write) const;

  store::Store& store_;
  const TemplateSet& templates_;
  const Directory& directory_;
  const Catalog& catalog_;
  const LocalTime& local_;
  const Clock& clock_;
  const std::vector<std::string> authorities_;
  const SignIn& sign_in_;
  const std::string secret_;  // keys the form tokens; drawn at start
};

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_DESK_DESK_H_
