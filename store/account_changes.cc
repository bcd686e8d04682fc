// Changes of a running account asked for in chat: the account_changes table
// (migration 0013). A change of state is conditional on the state it
// changes from, so two answers racing on one change cannot both take
// effect; the entry itself is written by UpdateAccountEntry (accounts.cc).
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

constexpr const char* kInsertChange = R"sql(
  INSERT INTO account_changes(registration_id, kind, detail, state, requested_by, requested_at,
                              changed_at)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
)sql";

constexpr const char* kSelectChange = R"sql(
  SELECT * FROM account_changes WHERE id = ?
)sql";

constexpr const char* kSelectAwaitingChanges = R"sql(
  SELECT account_changes.* FROM account_changes
  JOIN accounts ON accounts.registration_id = account_changes.registration_id
  WHERE accounts.org = ?1 AND account_changes.state = 'awaiting_acceptance'
  ORDER BY account_changes.id
)sql";

constexpr const char* kMoveChange = R"sql(
  UPDATE account_changes SET state = ?3, decided_by = ?4, changed_at = ?5
  WHERE id = ?1 AND state = ?2
)sql";

// REQUIRES: `q` selected every column of account_changes.
AccountChangeRequest ChangeRequestFrom(SQLite::Statement& q) {
  AccountChangeRequest c;
  c.id = q.getColumn("id").getInt64();
  c.registration_id = q.getColumn("registration_id").getInt64();
  c.kind = q.getColumn("kind").getString();
  c.detail = nlohmann::json::parse(q.getColumn("detail").getString());
  c.state = q.getColumn("state").getString();
  c.requested_by = q.getColumn("requested_by").getString();
  c.decided_by = q.getColumn("decided_by").getString();
  return c;
}

}  // namespace

int64_t Transaction::InsertAccountChange(const AccountChangeRequest& c, TimePoint at) {
  SQLite::Statement& q = store_.Prepare(kInsertChange);
  q.bind(1, c.registration_id);
  q.bind(2, c.kind);
  q.bind(3, c.detail.dump());
  q.bind(4, c.state);
  q.bind(5, c.requested_by);
  q.bind(6, FormatUtc(at));
  q.exec();
  return store_.db_.getLastInsertRowid();
}

std::optional<AccountChangeRequest> Transaction::LoadAccountChange(int64_t id) {
  SQLite::Statement& q = store_.Prepare(kSelectChange);
  q.bind(1, id);
  return FirstRow(q, ChangeRequestFrom);
}

std::vector<AccountChangeRequest> Transaction::AwaitingAccountChanges(const std::string& org) {
  SQLite::Statement& q = store_.Prepare(kSelectAwaitingChanges);
  q.bind(1, org);
  return Rows(q, ChangeRequestFrom);
}

bool Transaction::MoveAccountChange(int64_t id, const std::string& from, const std::string& to,
                                    const std::string& by, TimePoint at) {
  SQLite::Statement& q = store_.Prepare(kMoveChange);
  q.bind(1, id);
  q.bind(2, from);
  q.bind(3, to);
  q.bind(4, by);
  q.bind(5, FormatUtc(at));
  return q.exec() == 1;
}

}  // namespace kontobot::store
