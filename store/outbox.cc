// The outbox: calls to platform APIs, written in the same transaction as
// the change that caused them and delivered in order per lane by
// app/outbox_sender; the outbox table (migration 0003).
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

constexpr const char* kInsertOutboxItem = R"sql(
  INSERT INTO outbox(platform, kind, lane, person_id, message_id, payload, next_at, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)
)sql";

// `heads(id, platform, lane)`: the oldest pending item of every outbox lane,
// a prefix of the statements below. A skip scan over the partial index
// outbox_lanes (platform, lane, id): each step seeks the first item of the
// next lane, so the cost grows with the number of lanes, not with the items
// waiting in them. (Once MIN(id) GROUP BY, which read every pending row:
// with a backlog of 90,000 after a Slack outage it took 100 ms per call,
// under the store's lock.)
constexpr const char* kWithOutboxHeads = R"sql(
  WITH RECURSIVE heads(id, platform, lane) AS (
    SELECT id, platform, lane FROM (
      SELECT id, platform, lane FROM outbox INDEXED BY outbox_lanes
      WHERE status = 'pending' ORDER BY platform, lane, id LIMIT 1)
    UNION ALL
    SELECT n.id, n.platform, n.lane FROM heads h, outbox n WHERE n.id = COALESCE(
      (SELECT id FROM outbox INDEXED BY outbox_lanes WHERE status = 'pending'
       AND platform = h.platform AND lane > h.lane ORDER BY platform, lane, id LIMIT 1),
      (SELECT id FROM outbox INDEXED BY outbox_lanes WHERE status = 'pending'
       AND platform > h.platform ORDER BY platform, lane, id LIMIT 1)))
)sql";

constexpr const char* kSelectHeadsOfPlatform = R"sql(
  SELECT h.id FROM heads h WHERE h.platform = ? ORDER BY h.id
)sql";

constexpr const char* kSelectDueHeads = R"sql(
  SELECT o.id, o.platform, o.kind, o.lane, COALESCE(o.person_id, ''),
         COALESCE(o.message_id, 0), o.payload, o.attempts, o.next_at
  FROM outbox o WHERE o.id IN (SELECT id FROM heads) AND o.next_at <= ?
  ORDER BY o.id LIMIT ?
)sql";

constexpr const char* kSelectEarliestHeadDue = R"sql(
  SELECT MIN(o.next_at) FROM outbox o WHERE o.id IN (SELECT id FROM heads)
)sql";

constexpr const char* kSelectEarliestHeadDueAfter = R"sql(
  SELECT MIN(o.next_at) FROM outbox o WHERE o.id IN (SELECT id FROM heads)
  AND o.next_at > ?
)sql";

constexpr const char* kMarkOutboxItemSent = R"sql(
  UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?
)sql";

constexpr const char* kRescheduleOutboxItem = R"sql(
  UPDATE outbox SET next_at = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?
)sql";

constexpr const char* kMarkOutboxItemFailed = R"sql(
  UPDATE outbox SET status = 'failed', last_error = ?, attempts = attempts + 1 WHERE id = ?
)sql";

constexpr const char* kCountOutboxOfStatus = R"sql(
  SELECT COUNT(*) FROM outbox WHERE status = ?
)sql";

// `select`, one of the statements above that read `heads`, behind its CTE.
std::string FromHeads(const char* select) { return std::string(kWithOutboxHeads) + select; }

// REQUIRES: `q` is kSelectDueHeads.
OutboxItem OutboxItemFrom(SQLite::Statement& q) {
  OutboxItem i;
  i.id = q.getColumn(0).getInt64();
  i.platform = q.getColumn(1).getString();
  i.kind = q.getColumn(2).getString();
  i.lane = q.getColumn(3).getString();
  i.person_id = q.getColumn(4).getString();
  i.message_id = q.getColumn(5).getInt64();
  i.payload = nlohmann::json::parse(q.getColumn(6).getString());
  i.attempts = q.getColumn(7).getInt();
  i.next_at = TimeOf(q.getColumn(8));
  return i;
}

}  // namespace

void Transaction::Enqueue(const OutboxItem& item, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(kInsertOutboxItem);
  q.bind(1, item.platform);
  q.bind(2, item.kind);
  q.bind(3, item.lane);
  if (item.person_id.empty())
    q.bind(4);
  else
    q.bind(4, item.person_id);
  if (item.message_id > 0)
    q.bind(5, item.message_id);
  else
    q.bind(5);
  q.bind(6, item.payload.dump());
  q.bind(7, FormatUtc(now));
  q.bind(8, FormatUtc(now));
  q.exec();
}

std::vector<int64_t> Transaction::OutboxHeads(const std::string& platform) {
  SQLite::Statement& q = store_.Prepare(FromHeads(kSelectHeadsOfPlatform));
  q.bind(1, platform);
  return Rows(q, FirstColumnInt64);
}

std::vector<OutboxItem> Transaction::DueOutbox(TimePoint now, int limit) {
  // The head of each lane (its oldest pending item), if it is due.
  SQLite::Statement& q = store_.Prepare(FromHeads(kSelectDueHeads));
  q.bind(1, FormatUtc(now));
  q.bind(2, limit);
  return Rows(q, OutboxItemFrom);
}

std::optional<TimePoint> Transaction::NextOutboxDue(std::optional<TimePoint> after) {
  SQLite::Statement& q =
      store_.Prepare(FromHeads(after ? kSelectEarliestHeadDueAfter : kSelectEarliestHeadDue));
  if (after) q.bind(1, FormatUtc(*after));
  if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
  return ParseUtc(q.getColumn(0).getString());
}

void Transaction::MarkSent(int64_t id, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(kMarkOutboxItemSent);
  q.bind(1, FormatUtc(now));
  q.bind(2, id);
  q.exec();
}

void Transaction::Reschedule(int64_t id, TimePoint next_at, const std::string& error) {
  SQLite::Statement& q = store_.Prepare(kRescheduleOutboxItem);
  q.bind(1, FormatUtc(next_at));
  q.bind(2, error);
  q.bind(3, id);
  q.exec();
}

void Transaction::MarkFailed(int64_t id, const std::string& error) {
  SQLite::Statement& q = store_.Prepare(kMarkOutboxItemFailed);
  q.bind(1, error);
  q.bind(2, id);
  q.exec();
}

int64_t Transaction::CountOutbox(const std::string& status) {
  SQLite::Statement& q = store_.Prepare(kCountOutboxOfStatus);
  q.bind(1, status);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

DeliveryState Transaction::DeliveryStateOf(const OutboxItem& item) {
  return {LoadMessage(item.message_id), PlatformChannel(item.platform, item.person_id),
          PlatformMessage(item.message_id, item.platform)};
}

}  // namespace kontobot::store
