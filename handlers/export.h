// Exports for public-records requests: one registration as JSON and as a
// printable HTML page (form, answers, decisions, the whole conversation,
// the audit trail), and the register as CSV and JSON (the information
// function's internal list, with administrators and approvals).
#ifndef KONTOBOT_HANDLERS_EXPORT_H_
#define KONTOBOT_HANDLERS_EXPORT_H_

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bot/conversation.h"
#include "store/store.h"

namespace kontobot::handlers {

// The whole case as JSON; nullopt if there is no registration `id`.
std::optional<nlohmann::json> RegistrationRecord(store::Transaction& tx, int64_t id,
                                                 const TemplateSet& templates,
                                                 const Directory& directory,
                                                 const Catalog& catalog);
std::string RegistrationHtml(const nlohmann::json& record, const Catalog& catalog,
                             const LocalTime& local);

nlohmann::json RegisterJson(const std::vector<store::Account>& accounts,
                            const Directory& directory);
// RFC 4180 CSV with a header row.
std::string RegisterCsv(const std::vector<store::Account>& accounts, const Directory& directory);

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_EXPORT_H_
