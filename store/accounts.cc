// The register (förteckning) of the organisation's accounts: the accounts
// table (migration 0002).
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

// An account's organisation and registration time never change.
constexpr const char* kUpsertAccount = R"sql(
  INSERT INTO accounts(registration_id, org, medium, url, unit, purpose, administrators,
                       approvals, status, registered_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(registration_id) DO UPDATE SET medium = excluded.medium, url = excluded.url,
  unit = excluded.unit, purpose = excluded.purpose, administrators = excluded.administrators,
  approvals = excluded.approvals, status = excluded.status
)sql";

// Every active account when the bound organisation is ''.
constexpr const char* kSelectActiveAccountsOfOrg = R"sql(
  SELECT * FROM accounts WHERE status = 'active' AND (? = '' OR org = ?)
  ORDER BY org, registered_at, registration_id
)sql";

constexpr const char* kSelectAccount = R"sql(
  SELECT * FROM accounts WHERE registration_id = ?
)sql";

constexpr const char* kSelectAllAccounts = R"sql(
  SELECT * FROM accounts ORDER BY org, registered_at, registration_id
)sql";

// REQUIRES: `q` selected every column of accounts.
Account AccountFrom(SQLite::Statement& q) {
  Account a;
  a.registration_id = q.getColumn("registration_id").getInt64();
  a.org = q.getColumn("org").getString();
  a.medium = q.getColumn("medium").getString();
  a.url = q.getColumn("url").getString();
  a.unit = q.getColumn("unit").getString();
  a.purpose = q.getColumn("purpose").getString();
  a.administrators = nlohmann::json::parse(q.getColumn("administrators").getString());
  a.approvals = nlohmann::json::parse(q.getColumn("approvals").getString());
  a.status = q.getColumn("status").getString();
  a.registered_at = TimeOf(q.getColumn("registered_at"));
  return a;
}

}  // namespace

void Transaction::InsertAccount(const Account& a) {
  SQLite::Statement& q = store_.Prepare(kUpsertAccount);
  q.bind(1, a.registration_id);
  q.bind(2, a.org);
  q.bind(3, a.medium);
  q.bind(4, a.url);
  q.bind(5, a.unit);
  q.bind(6, a.purpose);
  q.bind(7, a.administrators.dump());
  q.bind(8, a.approvals.dump());
  q.bind(9, a.status);
  q.bind(10, FormatUtc(a.registered_at));
  q.exec();
}

std::vector<Account> Transaction::Accounts(const std::string& org) {
  SQLite::Statement& q = store_.Prepare(kSelectActiveAccountsOfOrg);
  q.bind(1, org);
  q.bind(2, org);
  return Rows(q, AccountFrom);
}

std::optional<Account> Transaction::LoadAccount(int64_t registration_id) {
  SQLite::Statement& q = store_.Prepare(kSelectAccount);
  q.bind(1, registration_id);
  return FirstRow(q, AccountFrom);
}

std::vector<Account> Transaction::AllAccounts() {
  return Rows(store_.Prepare(kSelectAllAccounts), AccountFrom);
}

}  // namespace kontobot::store
