// What the store's own files (store/*.cc) share and nothing else uses: the
// Transaction methods live in one file per table family, and these helpers
// are the little they have in common. Not part of the store's interface;
// include it from store/*.cc only.
#ifndef KONTOBOT_STORE_INTERNAL_H_
#define KONTOBOT_STORE_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "bot/conversation.h"
#include "store/clock_format.h"

namespace kontobot::store {

// A timestamp column as FormatUtc wrote it; the epoch for anything else
// (NULL included), so that one odd row never fails a whole read.
inline TimePoint TimeOf(const SQLite::Column& c) {
  return ParseUtc(c.getString()).value_or(TimePoint{});
}

// What `read` (a function of a statement standing on a row: DraftFrom,
// FirstColumnInt64, ...) makes of a row.
template <typename Read>
using RowOf = std::invoke_result_t<Read&, SQLite::Statement&>;

// Every row `q` gives, each read by `read`.
template <typename Read>
std::vector<RowOf<Read>> Rows(SQLite::Statement& q, Read read) {
  std::vector<RowOf<Read>> out;
  while (q.executeStep()) out.push_back(read(q));
  return out;
}

// The first row `q` gives, read by `read`; nullopt if it gives none.
template <typename Read>
std::optional<RowOf<Read>> FirstRow(SQLite::Statement& q, Read read) {
  if (!q.executeStep()) return std::nullopt;
  return read(q);
}

// Readers for Rows and FirstRow of statements that select one column.
inline int64_t FirstColumnInt64(SQLite::Statement& q) { return q.getColumn(0).getInt64(); }
inline std::string FirstColumnText(SQLite::Statement& q) { return q.getColumn(0).getString(); }

}  // namespace kontobot::store

#endif  // KONTOBOT_STORE_INTERNAL_H_
