// The register (förteckning) of the organisation's accounts: the accounts
// table (migration 0002; states, 0011) and its history (account_history,
// 0011).
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

// An account's organisation and registration time never change; its state
// changes through SetAccountStatus.
constexpr const char* kUpsertAccount = R"sql(
  INSERT INTO accounts(registration_id, org, medium, url, unit, purpose, administrators,
                       approvals, status, registered_at, listed_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(registration_id) DO UPDATE SET medium = excluded.medium, url = excluded.url,
  unit = excluded.unit, purpose = excluded.purpose, administrators = excluded.administrators,
  approvals = excluded.approvals
)sql";

constexpr const char* kUpdateAccountStatus = R"sql(
  UPDATE accounts SET status = ?2,
    listed_at = CASE WHEN ?2 = 'listed' THEN coalesce(listed_at, ?3) ELSE listed_at END,
    closed_at = CASE WHEN ?2 IN ('closed', 'closed_for_posts') THEN ?3 ELSE closed_at END,
    close_reason = CASE WHEN ?2 IN ('closed', 'closed_for_posts') THEN ?4 ELSE close_reason END,
    closed_by = CASE WHEN ?2 IN ('closed', 'closed_for_posts') THEN ?5 ELSE closed_by END
  WHERE registration_id = ?1 AND status != ?2
)sql";

// Compare-and-set on the entry's version (bot/change.h).
constexpr const char* kUpdateAccountEntry = R"sql(
  UPDATE accounts SET url = ?3, unit = ?4, purpose = ?5, administrators = ?6, login_email = ?7,
    login_holder = ?8, version = ?2 + 1
  WHERE registration_id = ?1 AND version = ?2
)sql";

constexpr const char* kInsertHistory = R"sql(
  INSERT INTO account_history(registration_id, at, by, event, from_status, to_status, detail)
  VALUES (?, ?, ?, ?, ?, ?, ?)
)sql";

constexpr const char* kSelectHistory = R"sql(
  SELECT * FROM account_history ORDER BY id
)sql";

constexpr const char* kSelectHistoryOf = R"sql(
  SELECT * FROM account_history WHERE registration_id = ? ORDER BY id
)sql";

// The public register, of every organisation when the bound one is ''.
constexpr const char* kSelectPublicAccountsOfOrg = R"sql(
  SELECT * FROM accounts WHERE status IN ('listed', 'closed_for_posts') AND (? = '' OR org = ?)
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
  if (!q.getColumn("listed_at").isNull()) a.listed_at = TimeOf(q.getColumn("listed_at"));
  if (!q.getColumn("closed_at").isNull()) a.closed_at = TimeOf(q.getColumn("closed_at"));
  a.close_reason = q.getColumn("close_reason").getString();
  a.closed_by = q.getColumn("closed_by").getString();
  a.version = q.getColumn("version").getInt64();
  a.login_email = q.getColumn("login_email").getString();
  a.login_holder = nlohmann::json::parse(q.getColumn("login_holder").getString());
  return a;
}

AccountChange ChangeFrom(SQLite::Statement& q) {
  AccountChange c;
  c.id = q.getColumn("id").getInt64();
  c.registration_id = q.getColumn("registration_id").getInt64();
  c.at = TimeOf(q.getColumn("at"));
  c.by = q.getColumn("by").getString();
  c.event = q.getColumn("event").getString();
  c.from_status = q.getColumn("from_status").getString();
  c.to_status = q.getColumn("to_status").getString();
  c.detail = nlohmann::json::parse(q.getColumn("detail").getString());
  return c;
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
  if (a.status == kAccountListed) {
    q.bind(11, FormatUtc(a.listed_at.value_or(a.registered_at)));
  } else {
    q.bind(11);
  }
  q.exec();
}

bool Transaction::SetAccountStatus(int64_t registration_id, const std::string& status, TimePoint at,
                                   const std::string& by, const std::string& reason,
                                   const nlohmann::json& detail) {
  std::optional<Account> before = LoadAccount(registration_id);
  if (!before || before->status == status) return false;
  SQLite::Statement& q = store_.Prepare(kUpdateAccountStatus);
  q.bind(1, registration_id);
  q.bind(2, status);
  q.bind(3, FormatUtc(at));
  q.bind(4, reason);
  q.bind(5, by);
  q.exec();
  AccountChange c;
  c.registration_id = registration_id;
  c.at = at;
  c.by = by;
  c.event = "register." + status;
  c.from_status = before->status;
  c.to_status = status;
  c.detail = detail;
  if (!reason.empty()) c.detail["reason"] = reason;
  AppendAccountHistory(c);
  return true;
}

bool Transaction::UpdateAccountEntry(const Account& a, int64_t expected_version) {
  SQLite::Statement& q = store_.Prepare(kUpdateAccountEntry);
  q.bind(1, a.registration_id);
  q.bind(2, expected_version);
  q.bind(3, a.url);
  q.bind(4, a.unit);
  q.bind(5, a.purpose);
  q.bind(6, a.administrators.dump());
  q.bind(7, a.login_email);
  q.bind(8, a.login_holder.dump());
  return q.exec() == 1;
}

void Transaction::AppendAccountHistory(const AccountChange& c) {
  SQLite::Statement& q = store_.Prepare(kInsertHistory);
  q.bind(1, c.registration_id);
  q.bind(2, FormatUtc(c.at));
  q.bind(3, c.by);
  q.bind(4, c.event);
  q.bind(5, c.from_status);
  q.bind(6, c.to_status);
  q.bind(7, c.detail.dump());
  q.exec();
}

std::vector<AccountChange> Transaction::AccountHistory() {
  return Rows(store_.Prepare(kSelectHistory), ChangeFrom);
}

std::vector<AccountChange> Transaction::AccountHistoryOf(int64_t registration_id) {
  SQLite::Statement& q = store_.Prepare(kSelectHistoryOf);
  q.bind(1, registration_id);
  return Rows(q, ChangeFrom);
}

std::vector<Account> Transaction::Accounts(const std::string& org) {
  SQLite::Statement& q = store_.Prepare(kSelectPublicAccountsOfOrg);
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
