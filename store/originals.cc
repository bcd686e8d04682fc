// The chat platforms' originals (message_originals, migration 0017) and
// their recorded disposals (disposals).
#include <map>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

constexpr const char* kInsertOriginal = R"sql(
  INSERT OR IGNORE INTO message_originals(message_id, platform, received_at, content_type,
                                          headers, body)
  VALUES (?, ?, ?, ?, ?, ?)
)sql";

constexpr const char* kSelectOriginalsOfDraft = R"sql(
  SELECT o.* FROM message_originals o JOIN messages m ON m.id = o.message_id
  WHERE m.draft_id = ? ORDER BY o.message_id
)sql";

constexpr const char* kDeleteOriginalsBefore = R"sql(
  DELETE FROM message_originals WHERE received_at < ?
)sql";

constexpr const char* kInsertDisposal = R"sql(
  INSERT INTO disposals(at, by, what, before, decision, count) VALUES (?, ?, ?, ?, ?, ?)
)sql";

constexpr const char* kSelectDisposals = R"sql(
  SELECT * FROM disposals ORDER BY id
)sql";

// REQUIRES: `q` selected every column of message_originals.
Original OriginalFrom(SQLite::Statement& q) {
  Original o;
  o.platform = q.getColumn("platform").getString();
  o.received_at = TimeOf(q.getColumn("received_at"));
  o.content_type = q.getColumn("content_type").getString();
  o.headers = nlohmann::json::parse(q.getColumn("headers").getString());
  o.body = q.getColumn("body").getString();
  return o;
}

// REQUIRES: `q` selected every column of disposals.
Disposal DisposalFrom(SQLite::Statement& q) {
  Disposal d;
  d.id = q.getColumn("id").getInt64();
  d.at = TimeOf(q.getColumn("at"));
  d.by = q.getColumn("by").getString();
  d.what = q.getColumn("what").getString();
  d.before = q.getColumn("before").getString();
  d.decision = q.getColumn("decision").getString();
  d.count = q.getColumn("count").getInt64();
  return d;
}

}  // namespace

void Transaction::KeepOriginal(int64_t message_id, const Original& original) {
  SQLite::Statement& q = store_.Prepare(kInsertOriginal);
  q.bind(1, message_id);
  q.bind(2, original.platform);
  q.bind(3, FormatUtc(original.received_at));
  q.bind(4, original.content_type);
  q.bind(5, original.headers.dump());
  q.bind(6, original.body);
  q.exec();
}

std::map<int64_t, Original> Transaction::OriginalsOfDraft(int64_t draft_id) {
  SQLite::Statement& q = store_.Prepare(kSelectOriginalsOfDraft);
  q.bind(1, draft_id);
  std::map<int64_t, Original> out;
  while (q.executeStep()) out.emplace(q.getColumn("message_id").getInt64(), OriginalFrom(q));
  return out;
}

int64_t Transaction::DisposeOriginals(TimePoint received_before, Disposal d) {
  // The removal and its record commit together or not at all.
  SQLite::Statement& remove = store_.Prepare(kDeleteOriginalsBefore);
  remove.bind(1, FormatUtc(received_before));
  d.count = remove.exec();
  SQLite::Statement& record = store_.Prepare(kInsertDisposal);
  record.bind(1, FormatUtc(d.at));
  record.bind(2, d.by);
  record.bind(3, d.what);
  record.bind(4, d.before);
  record.bind(5, d.decision);
  record.bind(6, d.count);
  record.exec();
  return d.count;
}

std::vector<Disposal> Transaction::Disposals() {
  SQLite::Statement& q = store_.Prepare(kSelectDisposals);
  return Rows(q, DisposalFrom);
}

}  // namespace kontobot::store
