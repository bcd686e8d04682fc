// Durable timers, one row per step of a wait (see bot/reminders.h): the
// timers table (migration 0004). An open row is closed once, as "fired" or
// "cancelled".
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

constexpr const char* kInsertTimer = R"sql(
  INSERT INTO timers(kind, subject, person_id, org, step, since_at, due_at, state, detail,
                     created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)
)sql";

// The selects of whole rows, each with the columns TimerFrom reads, in
// order. First the scheduler's query (the partial index timers_due serves
// it: store_test's TheSchedulersQueryUsesTheDueIndex).
constexpr const char* kSelectDueTimers = R"sql(
  SELECT id, kind, subject, person_id, org, step, since_at, due_at, state, detail
  FROM timers WHERE state = 'open' AND due_at <= ? ORDER BY due_at, id LIMIT ?
)sql";

constexpr const char* kSelectTimer = R"sql(
  SELECT id, kind, subject, person_id, org, step, since_at, due_at, state, detail
  FROM timers WHERE id = ?
)sql";

constexpr const char* kSelectOpenTimerOfSubject = R"sql(
  SELECT id, kind, subject, person_id, org, step, since_at, due_at, state, detail
  FROM timers WHERE subject = ? AND state = 'open' ORDER BY id DESC LIMIT 1
)sql";

constexpr const char* kSelectOpenTimersOfPerson = R"sql(
  SELECT id, kind, subject, person_id, org, step, since_at, due_at, state, detail
  FROM timers WHERE person_id = ? AND state = 'open' ORDER BY since_at, id
)sql";

constexpr const char* kSelectOpenTimersOfOrg = R"sql(
  SELECT id, kind, subject, person_id, org, step, since_at, due_at, state, detail
  FROM timers WHERE org = ? AND state = 'open' ORDER BY since_at, id
)sql";

constexpr const char* kSelectNextTimerDue = R"sql(
  SELECT MIN(due_at) FROM timers WHERE state = 'open'
)sql";

constexpr const char* kCloseOpenTimer = R"sql(
  UPDATE timers SET state = ?, closed_at = ? WHERE id = ? AND state = 'open'
)sql";

constexpr const char* kCancelOpenTimersOfSubject = R"sql(
  UPDATE timers SET state = 'cancelled', closed_at = ? WHERE subject = ? AND state = 'open'
)sql";

// The account's duties, inactivity watch and public-comment waits (each
// carries the account in its detail).
constexpr const char* kCancelOpenTimersOfAccount = R"sql(
  UPDATE timers SET state = 'cancelled', closed_at = ?
  WHERE state = 'open' AND json_extract(detail, '$.account') = ?
)sql";

constexpr const char* kUpdateOpenTimer = R"sql(
  UPDATE timers SET due_at = ?, since_at = ?, detail = ? WHERE id = ? AND state = 'open'
)sql";

constexpr const char* kCountTimersInState = R"sql(
  SELECT COUNT(*) FROM timers WHERE state = ?
)sql";

// REQUIRES: `q` is one of the selects of whole rows above.
Timer TimerFrom(SQLite::Statement& q) {
  Timer t;
  t.id = q.getColumn(0).getInt64();
  t.kind = q.getColumn(1).getString();
  t.subject = q.getColumn(2).getString();
  t.person = q.getColumn(3).getString();
  t.org = q.getColumn(4).getString();
  t.step = q.getColumn(5).getInt();
  t.since = ParseUtc(q.getColumn(6).getString()).value_or(TimePoint{});
  t.due = ParseUtc(q.getColumn(7).getString()).value_or(TimePoint{});
  t.state = q.getColumn(8).getString();
  t.detail = nlohmann::json::parse(q.getColumn(9).getString(), nullptr, false);
  if (!t.detail.is_object()) t.detail = nlohmann::json::object();
  return t;
}

}  // namespace

int64_t Transaction::InsertTimer(const Timer& t, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(kInsertTimer);
  q.bind(1, t.kind);
  q.bind(2, t.subject);
  q.bind(3, t.person);
  q.bind(4, t.org);
  q.bind(5, t.step);
  q.bind(6, FormatUtc(t.since));
  q.bind(7, FormatUtc(t.due));
  q.bind(8, t.detail.dump());
  q.bind(9, FormatUtc(now));
  q.exec();
  return store_.db_.getLastInsertRowid();
}

std::vector<Timer> Transaction::DueTimers(TimePoint now, int limit) {
  SQLite::Statement& q = store_.Prepare(kSelectDueTimers);
  q.bind(1, FormatUtc(now));
  q.bind(2, limit);
  return Rows(q, TimerFrom);
}

std::optional<TimePoint> Transaction::NextTimerDue() {
  SQLite::Statement& q = store_.Prepare(kSelectNextTimerDue);
  if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
  return ParseUtc(q.getColumn(0).getString());
}

std::optional<Timer> Transaction::LoadTimer(int64_t id) {
  SQLite::Statement& q = store_.Prepare(kSelectTimer);
  q.bind(1, id);
  return FirstRow(q, TimerFrom);
}

std::optional<Timer> Transaction::OpenTimer(const std::string& subject) {
  SQLite::Statement& q = store_.Prepare(kSelectOpenTimerOfSubject);
  q.bind(1, subject);
  return FirstRow(q, TimerFrom);
}

std::vector<Timer> Transaction::OpenTimersOf(const std::string& person) {
  SQLite::Statement& q = store_.Prepare(kSelectOpenTimersOfPerson);
  q.bind(1, person);
  return Rows(q, TimerFrom);
}

std::vector<Timer> Transaction::OpenTimersOfOrg(const std::string& org) {
  SQLite::Statement& q = store_.Prepare(kSelectOpenTimersOfOrg);
  q.bind(1, org);
  return Rows(q, TimerFrom);
}

bool Transaction::CloseTimer(int64_t id, const std::string& state, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(kCloseOpenTimer);
  q.bind(1, state);
  q.bind(2, FormatUtc(now));
  q.bind(3, id);
  return q.exec() == 1;
}

int Transaction::CancelTimers(const std::string& subject, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(kCancelOpenTimersOfSubject);
  q.bind(1, FormatUtc(now));
  q.bind(2, subject);
  return q.exec();
}

int Transaction::CancelAccountTimers(int64_t account, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(kCancelOpenTimersOfAccount);
  q.bind(1, FormatUtc(now));
  q.bind(2, account);
  return q.exec();
}

void Transaction::UpdateTimer(const Timer& t) {
  SQLite::Statement& q = store_.Prepare(kUpdateOpenTimer);
  q.bind(1, FormatUtc(t.due));
  q.bind(2, FormatUtc(t.since));
  q.bind(3, t.detail.dump());
  q.bind(4, t.id);
  q.exec();
}

int64_t Transaction::CountTimers(const std::string& state) {
  SQLite::Statement& q = store_.Prepare(kCountTimersInState);
  q.bind(1, state);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

}  // namespace kontobot::store
