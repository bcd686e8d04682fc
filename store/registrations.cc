// Registrations: the answers as submitted, one row per draft, its round
// counting resubmissions; the registrations table (migrations 0001, 0002).
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

// A resubmission replaces the answers and starts the next round.
constexpr const char* kUpsertRegistration = R"sql(
  INSERT INTO registrations(id, person_id, org, template_id, template_version,
                            answers, status, submitted_at, round)
  VALUES (?, ?, ?, ?, ?, ?, 'submitted', ?, 1)
  ON CONFLICT(id) DO UPDATE SET answers = excluded.answers, status = 'submitted',
  template_version = excluded.template_version,
  submitted_at = excluded.submitted_at, round = registrations.round + 1
  RETURNING round
)sql";

constexpr const char* kSelectRegistration = R"sql(
  SELECT * FROM registrations WHERE id = ?
)sql";

constexpr const char* kSelectRegistrations = R"sql(
  SELECT * FROM registrations ORDER BY id
)sql";

constexpr const char* kUpdateRegistration = R"sql(
  UPDATE registrations SET status = ?, answers = ? WHERE id = ?
)sql";

constexpr const char* kCountRegistrations = R"sql(
  SELECT COUNT(*) FROM registrations
)sql";

// REQUIRES: `q` selected every column of registrations.
StoredRegistration RegistrationFrom(SQLite::Statement& q) {
  StoredRegistration r;
  r.id = q.getColumn("id").getInt64();
  r.round = q.getColumn("round").getInt();
  r.person_id = q.getColumn("person_id").getString();
  r.org = q.getColumn("org").getString();
  r.template_id = q.getColumn("template_id").getString();
  r.template_version = q.getColumn("template_version").getInt();
  r.answers = nlohmann::json::parse(q.getColumn("answers").getString());
  r.status = q.getColumn("status").getString();
  r.submitted_at = TimeOf(q.getColumn("submitted_at"));
  return r;
}

}  // namespace

int Transaction::UpsertRegistration(const Draft& draft, const std::string& org, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(kUpsertRegistration);
  q.bind(1, draft.id);
  q.bind(2, draft.person_id);
  q.bind(3, org);
  q.bind(4, draft.template_id);
  q.bind(5, draft.template_version);
  q.bind(6, draft.answers.dump());
  q.bind(7, FormatUtc(now));
  q.executeStep();
  return q.getColumn(0).getInt();
}

std::optional<StoredRegistration> Transaction::LoadRegistration(int64_t id) {
  SQLite::Statement& q = store_.Prepare(kSelectRegistration);
  q.bind(1, id);
  return FirstRow(q, RegistrationFrom);
}

std::vector<StoredRegistration> Transaction::Registrations() {
  return Rows(store_.Prepare(kSelectRegistrations), RegistrationFrom);
}

void Transaction::UpdateRegistration(int64_t id, const std::string& status,
                                     const nlohmann::json& answers) {
  SQLite::Statement& q = store_.Prepare(kUpdateRegistration);
  q.bind(1, status);
  q.bind(2, answers.dump());
  q.bind(3, id);
  q.exec();
}

int64_t Transaction::CountRegistrations() {
  return store_.db_.execAndGet(kCountRegistrations).getInt64();
}

}  // namespace kontobot::store
