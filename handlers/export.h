// Exports for public-records requests and for the information function:
// the register (förteckning) of accounts as CSV and JSON with its history,
// and one case as canonical JSON (everything stored about it, ids and all,
// for archives and machines). The printable dossier is handlers/dossier.h;
// the command line that writes them is RunExport below.
//
// Every time is local (Europe/Stockholm) with its offset; every person is
// named from the directory; every word meant for people comes from the
// message catalogue (config/messages/*/records.yaml).
//
// Thread-safety: pure functions of their arguments (RunExport opens the
// store itself).
#ifndef KONTOBOT_HANDLERS_EXPORT_H_
#define KONTOBOT_HANDLERS_EXPORT_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/conversation.h"
#include "config/options.h"
#include "store/store.h"

namespace kontobot::handlers {

// What the exports read besides the store.
struct RecordsContext {
  const TemplateSet& templates;
  const Directory& directory;
  const Catalog& catalog;
  const LocalTime& local;
  Lang lang = Lang::kSv;

  // A person's name from the directory; "kontobot" for the bot; the
  // catalogue's "unknown person" otherwise (never the id).
  std::string NameOf(const std::string& person_id) const;
  // An approval step's title from the case's template (the catalogue's
  // "approval step" when the template no longer has it).
  std::string StepTitle(const std::string& template_id, const std::string& step_id) const;
  std::string T(const std::string& key, const Vars& vars = {}) const {
    if (!vars.empty()) return catalog.Render(lang, key, vars);
    auto hit = fixed.find(key);
    if (hit == fixed.end()) hit = fixed.emplace(key, catalog.Render(lang, key)).first;
    return hit->second;
  }

  // Texts without variables, rendered once (a register has thousands of
  // rows saying "Aktivt"). Not thread-safe: one context per export.
  mutable std::map<std::string, std::string> fixed = {};
};

// The whole case as JSON; nullopt if there is no registration `id`.
std::optional<nlohmann::json> RegistrationRecord(store::Transaction& tx, int64_t id,
                                                 const RecordsContext& ctx);

// One change of the register as a sentence in the context's language:
// `label` names the account, `by` who made the change (both in words).
std::string HistorySentence(const RecordsContext& ctx, const store::AccountChange& c,
                            const std::string& label, const std::string& by);

// The register's changes: audit entries about accounts, as rows with a
// sentence each. `accounts` are the register's accounts as loaded (each
// entry is labelled with its account; one not among them is looked up).
std::vector<nlohmann::json> RegisterHistory(store::Transaction& tx, const RecordsContext& ctx,
                                            const std::vector<store::Account>& accounts);

// The register, every account, with administrators' contact details and
// the approvals. Field names are stable (README, "The register export").
nlohmann::json RegisterJson(const std::vector<store::Account>& accounts,
                            const std::map<int64_t, store::DiaryEntry>& diary,
                            std::vector<nlohmann::json> history, const RecordsContext& ctx,
                            TimePoint now);
// RFC 4180 CSV (UTF-8 with a byte-order mark, so spreadsheets read å, ä
// and ö) with a header row in the catalogue's language; formula-like
// cells neutralised (record_files.h, CsvCell).
std::string RegisterCsv(const std::vector<store::Account>& accounts,
                        const std::map<int64_t, store::DiaryEntry>& diary,
                        const RecordsContext& ctx);
std::string RegisterHistoryCsv(const std::vector<nlohmann::json>& history,
                               const RecordsContext& ctx);
// The disposal log: every recorded gallring (store::Disposal) as a row in
// words, CSV like the register's.
std::string DisposalsCsv(const std::vector<store::Disposal>& disposals, const RecordsContext& ctx);

// `kontobot export ...` and `kontobot diary ...` (see config/options.cc):
// prints what it wrote, returns the exit code, and writes a clear message to
// `err` on bad input.
int RunExport(const config::Options& options, const TemplateSet& templates,
              const Directory& directory, const Catalog& catalog, std::ostream& out,
              std::ostream& err);

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_EXPORT_H_
