// Inbound platform events: the ids acknowledged (inbound_events, migration
// 0003), the queue processed behind the acknowledgement, with its parked
// events (inbound_queue, migration 0005), and the landing file's mark
// (inbound_landing, migration 0006; store/landing.h).
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

// Changes no row for an event recorded before.
constexpr const char* kInsertInboundEvent = R"sql(
  INSERT OR IGNORE INTO inbound_events(platform, event_id, received_at) VALUES (?, ?, ?)
)sql";

constexpr const char* kSelectLandingMark = R"sql(
  SELECT moved_through FROM inbound_landing WHERE id = 1
)sql";

constexpr const char* kUpdateLandingMark = R"sql(
  UPDATE inbound_landing SET moved_through = ? WHERE id = 1
)sql";

constexpr const char* kInsertQueuedEvent = R"sql(
  INSERT INTO inbound_queue(platform, event_id, payload, received_at) VALUES (?, ?, ?, ?)
)sql";

constexpr const char* kSelectReadyEvents = R"sql(
  SELECT id, platform, event_id, payload, received_at FROM inbound_queue WHERE waiting_for = ''
  ORDER BY id LIMIT ?
)sql";

constexpr const char* kDeleteQueuedEvent = R"sql(
  DELETE FROM inbound_queue WHERE id = ?
)sql";

constexpr const char* kParkQueuedEvent = R"sql(
  UPDATE inbound_queue SET waiting_for = ? WHERE id = ?
)sql";

constexpr const char* kSelectAnyEventWaitingFor = R"sql(
  SELECT 1 FROM inbound_queue WHERE platform = ? AND waiting_for = ? LIMIT 1
)sql";

// The parked events are few (the partial index inbound_queue_waiting holds
// only them); the payload is read for those alone.
constexpr const char* kSelectParkedBeforeOfUser = R"sql(
  SELECT waiting_for FROM inbound_queue
  WHERE platform = ? AND waiting_for NOT IN ('', 'failed') AND id < ?
  AND json_extract(payload, '$.user') = ? ORDER BY id LIMIT 1
)sql";

constexpr const char* kReleaseEventsWaitingFor = R"sql(
  UPDATE inbound_queue SET waiting_for = '' WHERE platform = ? AND waiting_for = ?
)sql";

constexpr const char* kFailQueuedEvent = R"sql(
  UPDATE inbound_queue SET waiting_for = 'failed', last_error = ? WHERE id = ?
)sql";

// REQUIRES: `q` is kSelectReadyEvents.
QueuedEvent QueuedEventFrom(SQLite::Statement& q) {
  QueuedEvent e;
  e.id = q.getColumn(0).getInt64();
  e.platform = q.getColumn(1).getString();
  e.event_id = q.getColumn(2).getString();
  e.payload = q.getColumn(3).getString();
  e.received_at = TimeOf(q.getColumn(4));
  return e;
}

}  // namespace

bool Transaction::FirstDelivery(const std::string& platform, const std::string& event_id,
                                TimePoint now) {
  SQLite::Statement& q = store_.Prepare(kInsertInboundEvent);
  q.bind(1, platform);
  q.bind(2, event_id);
  q.bind(3, FormatUtc(now));
  return q.exec() == 1;
}

int64_t Transaction::LandingMovedThrough() {
  SQLite::Statement& q = store_.Prepare(kSelectLandingMark);
  return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

void Transaction::SetLandingMovedThrough(int64_t id) {
  SQLite::Statement& q = store_.Prepare(kUpdateLandingMark);
  q.bind(1, id);
  q.exec();
}

bool Transaction::QueueInbound(const std::string& platform, const std::string& event_id,
                               const std::string& payload, TimePoint now) {
  if (!FirstDelivery(platform, event_id, now)) return false;
  SQLite::Statement& q = store_.Prepare(kInsertQueuedEvent);
  q.bind(1, platform);
  q.bind(2, event_id);
  q.bind(3, payload);
  q.bind(4, FormatUtc(now));
  q.exec();
  return true;
}

std::vector<QueuedEvent> Transaction::ReadyInbound(int limit) {
  SQLite::Statement& q = store_.Prepare(kSelectReadyEvents);
  q.bind(1, limit);
  return Rows(q, QueuedEventFrom);
}

void Transaction::DoneInbound(int64_t id) {
  SQLite::Statement& q = store_.Prepare(kDeleteQueuedEvent);
  q.bind(1, id);
  q.exec();
}

void Transaction::ParkInbound(int64_t id, const std::string& waiting_for) {
  SQLite::Statement& q = store_.Prepare(kParkQueuedEvent);
  q.bind(1, waiting_for);
  q.bind(2, id);
  q.exec();
}

bool Transaction::InboundWaitingFor(const std::string& platform, const std::string& waiting_for) {
  SQLite::Statement& q = store_.Prepare(kSelectAnyEventWaitingFor);
  q.bind(1, platform);
  q.bind(2, waiting_for);
  return q.executeStep();
}

std::optional<std::string> Transaction::ParkedBefore(const std::string& platform,
                                                     const std::string& user, int64_t id) {
  SQLite::Statement& q = store_.Prepare(kSelectParkedBeforeOfUser);
  q.bind(1, platform);
  q.bind(2, id);
  q.bind(3, user);
  return FirstRow(q, FirstColumnText);
}

int Transaction::ReleaseInbound(const std::string& platform, const std::string& waiting_for) {
  SQLite::Statement& q = store_.Prepare(kReleaseEventsWaitingFor);
  q.bind(1, platform);
  q.bind(2, waiting_for);
  return q.exec();
}

void Transaction::FailInbound(int64_t id, const std::string& error) {
  SQLite::Statement& q = store_.Prepare(kFailQueuedEvent);
  q.bind(1, error);
  q.bind(2, id);
  q.exec();
}

}  // namespace kontobot::store
