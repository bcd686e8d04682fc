// The conversation record: every message in and out, the messages table
// (migrations 0001, 0002, 0003 and 0010). A message is never deleted; an
// edit moves it to the end of its person's feed (seq) and leaves its old
// text in the audit trail.
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

// The next feed position comes from the index messages_by_seq; the marker
// is 64 random bits (migration 0010 says why).
constexpr const char* kInsertMessage = R"sql(
  INSERT INTO messages(at, person_id, channel, direction, text, buttons,
                       input, draft_id, seq, marker)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?,
          (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages), lower(hex(randomblob(8))))
)sql";

constexpr const char* kUpdateMessageContent = R"sql(
  UPDATE messages SET text = ?, buttons = ?, edited_at = ?,
  seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages) WHERE id = ?
)sql";

// The selects of whole messages, each with the columns MessageFrom reads.
constexpr const char* kSelectMessagesOfPersonAfter = R"sql(
  SELECT id, at, person_id, channel, direction, text, buttons, draft_id, edited_at, input, seq,
         marker
  FROM messages WHERE person_id = ? AND seq > ? ORDER BY seq LIMIT ?
)sql";

constexpr const char* kSelectMessage = R"sql(
  SELECT id, at, person_id, channel, direction, text, buttons, draft_id, edited_at, input, seq,
         marker
  FROM messages WHERE id = ?
)sql";

constexpr const char* kSelectMessagesOfDraft = R"sql(
  SELECT id, at, person_id, channel, direction, text, buttons, draft_id, edited_at, input, seq,
         marker
  FROM messages WHERE draft_id = ? ORDER BY id
)sql";

constexpr const char* kSelectFeedCursor = R"sql(
  SELECT COALESCE(MAX(seq), 0) FROM messages WHERE person_id = ?
)sql";

constexpr const char* kSelectLastInboundChannel = R"sql(
  SELECT channel FROM messages WHERE person_id = ? AND direction = 'in'
  ORDER BY id DESC LIMIT 1
)sql";

constexpr const char* kSelectLatestInbound = R"sql(
  SELECT id FROM messages WHERE person_id = ? AND direction = 'in'
  ORDER BY id DESC LIMIT 1
)sql";

nlohmann::json ButtonsJson(const std::vector<Button>& buttons) {
  nlohmann::json out = nlohmann::json::array();
  for (const Button& b : buttons) {
    out.push_back({{"id", b.id}, {"value", b.value}, {"label", b.label}, {"style", b.style}});
  }
  return out;
}

std::vector<Button> ButtonsFrom(const std::string& text) {
  std::vector<Button> out;
  for (const auto& b : nlohmann::json::parse(text)) {
    out.push_back({b.value("id", ""), b.value("value", ""), b.value("label", ""),
                   b.value("style", "default")});
  }
  return out;
}

// REQUIRES: `q` is one of the selects of whole messages above.
StoredMessage MessageFrom(SQLite::Statement& q) {
  StoredMessage m;
  m.id = q.getColumn(0).getInt64();
  m.at = TimeOf(q.getColumn(1));
  m.person_id = q.getColumn(2).getString();
  m.channel = q.getColumn(3).getString();
  m.direction = q.getColumn(4).getString();
  m.text = q.getColumn(5).getString();
  m.buttons = ButtonsFrom(q.getColumn(6).getString());
  m.draft_id = q.getColumn(7).isNull() ? 0 : q.getColumn(7).getInt64();
  if (!q.getColumn(8).isNull()) m.edited_at = TimeOf(q.getColumn(8));
  m.input = nlohmann::json::parse(q.getColumn(9).getString());
  m.seq = q.getColumn(10).getInt64();
  m.marker = q.getColumn(11).getString();
  return m;
}

}  // namespace

int64_t Transaction::AppendMessage(const StoredMessage& m) {
  SQLite::Statement& q = store_.Prepare(kInsertMessage);
  q.bind(1, FormatUtc(m.at));
  q.bind(2, m.person_id);
  q.bind(3, m.channel);
  q.bind(4, m.direction);
  q.bind(5, m.text);
  q.bind(6, ButtonsJson(m.buttons).dump());
  q.bind(7, m.input.dump());
  if (m.draft_id > 0) {
    q.bind(8, m.draft_id);
  } else {
    q.bind(8);
  }
  q.exec();
  return store_.db_.getLastInsertRowid();
}

void Transaction::EditMessage(int64_t id, const Reply& reply, TimePoint now) {
  auto old = LoadMessage(id);
  if (!old) return;
  SQLite::Statement& q = store_.Prepare(kUpdateMessageContent);
  q.bind(1, reply.text);
  q.bind(2, ButtonsJson(reply.buttons).dump());
  q.bind(3, FormatUtc(now));
  q.bind(4, id);
  q.exec();
  AppendAudit(now, "kontobot", "message.edited", "message:" + std::to_string(id),
              {{"old_text", old->text}, {"old_buttons", ButtonsJson(old->buttons)}});
}

std::optional<StoredMessage> Transaction::LoadMessage(int64_t id) {
  SQLite::Statement& q = store_.Prepare(kSelectMessage);
  q.bind(1, id);
  return FirstRow(q, MessageFrom);
}

std::vector<StoredMessage> Transaction::Messages(const std::string& person_id, int64_t after_seq,
                                                 int limit) {
  SQLite::Statement& q = store_.Prepare(kSelectMessagesOfPersonAfter);
  q.bind(1, person_id);
  q.bind(2, after_seq);
  q.bind(3, limit);
  return Rows(q, MessageFrom);
}

int64_t Transaction::FeedCursor(const std::string& person_id) {
  SQLite::Statement& q = store_.Prepare(kSelectFeedCursor);
  q.bind(1, person_id);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::vector<StoredMessage> Transaction::MessagesOfDraft(int64_t draft_id) {
  SQLite::Statement& q = store_.Prepare(kSelectMessagesOfDraft);
  q.bind(1, draft_id);
  return Rows(q, MessageFrom);
}

std::optional<std::string> Transaction::LastInboundChannel(const std::string& person_id) {
  SQLite::Statement& q = store_.Prepare(kSelectLastInboundChannel);
  q.bind(1, person_id);
  return FirstRow(q, FirstColumnText);
}

std::optional<int64_t> Transaction::LatestInbound(const std::string& person_id) {
  SQLite::Statement& q = store_.Prepare(kSelectLatestInbound);
  q.bind(1, person_id);
  return FirstRow(q, FirstColumnInt64);
}

}  // namespace kontobot::store
