// The case dossier: one registration as a document a registrar can hand
// out as it is (printable HTML; PDF/A through handlers/pdf.h). It holds
// the case in brief with its diarienummer, the form as submitted in every
// round (what a rejection was about included), each decision with who,
// when in local time and why, the administrators' acceptances, the
// start-up steps, the periodic duties done, the conversation as people saw
// it (chat markup rendered), earlier releases and, unless left out, the
// event log as sentences.
//
// Every word a person reads comes from the message catalogue
// (config/messages/*/records.yaml) or the organisation's template; no
// internal key, status word, role id or person id is shown. A masked
// dossier replaces private persons' names and contact details and every
// personal identity number (bot/masking.h), in every section.
//
// The dossier is a list of sections, each built by one function from the
// loaded case (kSections in dossier.cc). A new kind of event (changes,
// absences, closing, the social inbox) adds a builder and its catalogue
// sentences; the page template renders any section of the four shapes
// (fields, table, sentences, conversation).
//
// Thread-safety: pure functions of their arguments (reads go through the
// caller's transaction).
#ifndef KONTOBOT_HANDLERS_DOSSIER_H_
#define KONTOBOT_HANDLERS_DOSSIER_H_

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "handlers/export.h"
#include "store/store.h"

namespace kontobot::handlers {

struct DossierOptions {
  bool masked = false;
  bool events = true;  // include the event log
  // The release this copy is made for (shown in its footer); empty when
  // the dossier is not handed out (the archive's copy).
  std::string released_by;  // person id
  std::string recipient;
  TimePoint now{};
};

// The dossier's model (sections of plain text and escaped HTML), or
// nullopt if there is no registration `id`.
std::optional<nlohmann::json> DossierModel(store::Transaction& tx, int64_t id,
                                           const RecordsContext& ctx,
                                           const DossierOptions& options);

// The printable page (handlers/pages/dossier.html.mustache).
std::string DossierHtml(const nlohmann::json& model);

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_DOSSIER_H_
