// Matrix transactions already answered, with a digest of their content,
// remembered for a week: the matrix_transactions table (migration 0009).
#include <chrono>
#include <optional>
#include <string>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

constexpr const char* kSelectMatrixTransactionDigest = R"sql(
  SELECT digest FROM matrix_transactions WHERE txn_id = ?
)sql";

constexpr const char* kForgetMatrixTransactionsBefore = R"sql(
  DELETE FROM matrix_transactions WHERE received_at < ?
)sql";

constexpr const char* kUpsertMatrixTransaction = R"sql(
  INSERT OR REPLACE INTO matrix_transactions(txn_id, digest, received_at) VALUES (?, ?, ?)
)sql";

constexpr auto kRememberedFor = std::chrono::hours(24 * 7);

}  // namespace

std::optional<std::string> Transaction::MatrixTransactionDigest(const std::string& txn_id) {
  SQLite::Statement& q = store_.Prepare(kSelectMatrixTransactionDigest);
  q.bind(1, txn_id);
  return FirstRow(q, FirstColumnText);
}

void Transaction::RecordMatrixTransaction(const std::string& txn_id, const std::string& digest,
                                          TimePoint now) {
  SQLite::Statement& forget = store_.Prepare(kForgetMatrixTransactionsBefore);
  forget.bind(1, FormatUtc(now - kRememberedFor));
  forget.exec();
  SQLite::Statement& q = store_.Prepare(kUpsertMatrixTransaction);
  q.bind(1, txn_id);
  q.bind(2, digest);
  q.bind(3, FormatUtc(now));
  q.exec();
}

}  // namespace kontobot::store
