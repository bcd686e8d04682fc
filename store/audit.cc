// The audit trail: append-only, the audit table (migration 0001).
#include <algorithm>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

constexpr const char* kInsertAudit = R"sql(
  INSERT INTO audit(at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)
)sql";

// Through the index audit_by_subject.
constexpr const char* kSelectAuditOfSubject = R"sql(
  SELECT id, at, actor, action, subject, detail FROM audit WHERE subject = ?
)sql";

// AuditByActions completes the statement: one "?" per action between the
// head and the tail.
constexpr const char* kSelectAuditByPrefixAndActionsHead =
    "SELECT id, at, actor, action, subject, detail FROM audit "
    "WHERE substr(subject, 1, ?) = ? AND action IN (";
constexpr const char* kSelectAuditByPrefixAndActionsTail = ") ORDER BY id";
// What AuditByActions runs when there is no action to look for.
constexpr const char* kSelectNothing = "SELECT 1 WHERE 0";

constexpr const char* kCountAuditOfAction = R"sql(
  SELECT COUNT(*) FROM audit WHERE action = ?
)sql";

// REQUIRES: `q` selected id, at, actor, action, subject, detail, in order.
nlohmann::json AuditEntryFrom(SQLite::Statement& q) {
  return {{"id", q.getColumn(0).getInt64()},
          {"at", q.getColumn(1).getString()},
          {"actor", q.getColumn(2).getString()},
          {"action", q.getColumn(3).getString()},
          {"subject", q.getColumn(4).getString()},
          {"detail", nlohmann::json::parse(q.getColumn(5).getString())}};
}

}  // namespace

void Transaction::AppendAudit(TimePoint at, const std::string& actor, const std::string& action,
                              const std::string& subject, const nlohmann::json& detail) {
  SQLite::Statement& q = store_.Prepare(kInsertAudit);
  q.bind(1, FormatUtc(at));
  q.bind(2, actor);
  q.bind(3, action);
  q.bind(4, subject);
  q.bind(5, detail.dump());
  q.exec();
}

std::vector<nlohmann::json> Transaction::AuditOf(const std::vector<std::string>& subjects) {
  std::vector<nlohmann::json> out;
  for (const std::string& subject : subjects) {
    SQLite::Statement& q = store_.Prepare(kSelectAuditOfSubject);
    q.bind(1, subject);
    while (q.executeStep()) out.push_back(AuditEntryFrom(q));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a["id"] < b["id"]; });
  return out;
}

std::vector<nlohmann::json> Transaction::AuditByActions(const std::string& prefix,
                                                        const std::vector<std::string>& actions) {
  // Rare (exports only), so built per call rather than cached.
  std::string sql = kSelectAuditByPrefixAndActionsHead;
  for (size_t i = 0; i < actions.size(); ++i) sql += i ? ", ?" : "?";
  sql += kSelectAuditByPrefixAndActionsTail;
  SQLite::Statement q(store_.db_, actions.empty() ? kSelectNothing : sql);
  if (!actions.empty()) {
    q.bind(1, static_cast<int>(prefix.size()));
    q.bind(2, prefix);
    for (size_t i = 0; i < actions.size(); ++i) q.bind(static_cast<int>(i) + 3, actions[i]);
  }
  return Rows(q, AuditEntryFrom);
}

int64_t Transaction::CountAudit(const std::string& action) {
  SQLite::Statement& q = store_.Prepare(kCountAuditOfAction);
  q.bind(1, action);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

}  // namespace kontobot::store
