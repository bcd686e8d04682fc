// Absences of an account's administrators and who covers them: the
// absences table (migration 0012). A change of state is conditional on the
// state it changes from, so two decisions racing on one absence cannot both
// take effect.
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

constexpr const char* kInsertAbsence = R"sql(
  INSERT INTO absences(registration_id, person, cover, from_date, to_date, state, reported_by,
                       reported_at, changed_at)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
)sql";

constexpr const char* kSelectAbsence = R"sql(
  SELECT * FROM absences WHERE id = ?
)sql";

constexpr const char* kSelectAbsencesOf = R"sql(
  SELECT * FROM absences WHERE registration_id = ? ORDER BY id
)sql";

constexpr const char* kSelectAbsencesIn = R"sql(
  SELECT * FROM absences WHERE state = ? ORDER BY id
)sql";

constexpr const char* kChangeAbsence = R"sql(
  UPDATE absences SET state = ?3, cover = CASE WHEN ?4 = '' THEN cover ELSE ?4 END,
    changed_at = ?5
  WHERE id = ?1 AND state = ?2
)sql";

// REQUIRES: `q` selected every column of absences.
Absence AbsenceFrom(SQLite::Statement& q) {
  Absence a;
  a.id = q.getColumn("id").getInt64();
  a.account = q.getColumn("registration_id").getInt64();
  a.person = q.getColumn("person").getString();
  a.cover = q.getColumn("cover").getString();
  a.from = q.getColumn("from_date").getString();
  a.to = q.getColumn("to_date").getString();
  a.state = q.getColumn("state").getString();
  a.reported_by = q.getColumn("reported_by").getString();
  return a;
}

}  // namespace

int64_t Transaction::InsertAbsence(const Absence& a, TimePoint at) {
  SQLite::Statement& q = store_.Prepare(kInsertAbsence);
  q.bind(1, a.account);
  q.bind(2, a.person);
  q.bind(3, a.cover);
  q.bind(4, a.from);
  q.bind(5, a.to);
  q.bind(6, a.state);
  q.bind(7, a.reported_by);
  q.bind(8, FormatUtc(at));
  q.exec();
  return store_.db_.getLastInsertRowid();
}

std::optional<Absence> Transaction::LoadAbsence(int64_t id) {
  SQLite::Statement& q = store_.Prepare(kSelectAbsence);
  q.bind(1, id);
  return FirstRow(q, AbsenceFrom);
}

std::vector<Absence> Transaction::AbsencesOf(int64_t registration_id) {
  SQLite::Statement& q = store_.Prepare(kSelectAbsencesOf);
  q.bind(1, registration_id);
  return Rows(q, AbsenceFrom);
}

std::vector<Absence> Transaction::AbsencesIn(const std::string& state) {
  SQLite::Statement& q = store_.Prepare(kSelectAbsencesIn);
  q.bind(1, state);
  return Rows(q, AbsenceFrom);
}

bool Transaction::ChangeAbsence(int64_t id, const std::string& from, const std::string& to,
                                const std::string& cover, TimePoint at) {
  SQLite::Statement& q = store_.Prepare(kChangeAbsence);
  q.bind(1, id);
  q.bind(2, from);
  q.bind(3, to);
  q.bind(4, cover);
  q.bind(5, FormatUtc(at));
  return q.exec() == 1;
}

}  // namespace kontobot::store
