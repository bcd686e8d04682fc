// The social inbox: accounts' page ids (account_pages) and the items that
// arrive for them with their later changes (inbox_items, inbox_changes;
// migration 0014).
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

constexpr const char* kSetPage = R"sql(
  INSERT INTO account_pages(page_id, registration_id, set_by, set_at) VALUES (?1, ?2, ?3, ?4)
  ON CONFLICT(page_id) DO UPDATE SET registration_id = ?2, set_by = ?3, set_at = ?4
)sql";

constexpr const char* kAccountOfPage = R"sql(
  SELECT registration_id FROM account_pages WHERE page_id = ?
)sql";

constexpr const char* kPagesOf = R"sql(
  SELECT page_id FROM account_pages WHERE registration_id = ? ORDER BY page_id
)sql";

constexpr const char* kInsertItem = R"sql(
  INSERT INTO inbox_items(source, external_id, page_id, registration_id, kind, thread_id,
    parent_id, author_id, author_name, text, shown, permalink, created_at, received_at, state,
    flagged, raw, changed_at)
  VALUES (?1, ?2, ?3, NULLIF(?4, 0), ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
          ?14)
  ON CONFLICT(source, external_id) DO NOTHING
)sql";

constexpr const char* kSelectItem = R"sql(
  SELECT * FROM inbox_items WHERE id = ?
)sql";

constexpr const char* kFindItem = R"sql(
  SELECT * FROM inbox_items WHERE source = ? AND external_id = ?
)sql";

constexpr const char* kCommentActionPending = R"sql(
  SELECT EXISTS(SELECT 1 FROM outbox WHERE platform = 'inbox' AND kind = ?2
                AND status = 'pending' AND json_extract(payload, '$.item') = ?1)
)sql";

constexpr const char* kSetState = R"sql(
  UPDATE inbox_items SET state = ?2, changed_by = ?3, changed_at = ?4
  WHERE id = ?1 AND state <> ?2
)sql";

constexpr const char* kAppendChange = R"sql(
  INSERT INTO inbox_changes(item_id, verb, text, raw, at) VALUES (?, ?, ?, ?, ?)
)sql";

constexpr const char* kSetShown = R"sql(
  UPDATE inbox_items SET shown = ?2, changed_at = ?3, changed_by = 'platform' WHERE id = ?1
)sql";

constexpr const char* kSetNotices = R"sql(
  UPDATE inbox_items SET notices = ?2 WHERE id = ?1
)sql";

constexpr const char* kOpenSince = R"sql(
  SELECT * FROM inbox_items
  WHERE registration_id = ?1 AND id < ?2 AND state = 'open' AND received_at >= ?3
  ORDER BY id DESC LIMIT 1
)sql";

constexpr const char* kItemsOf = R"sql(
  SELECT * FROM inbox_items WHERE registration_id = ? ORDER BY id
)sql";

constexpr const char* kUnassigned = R"sql(
  SELECT * FROM inbox_items WHERE registration_id IS NULL ORDER BY id DESC LIMIT ?
)sql";

// REQUIRES: `q` selected every column of inbox_items.
StoredInboxItem ItemFrom(SQLite::Statement& q) {
  StoredInboxItem s;
  s.id = q.getColumn("id").getInt64();
  InboxItem& i = s.item;
  i.source = q.getColumn("source").getString();
  i.external_id = q.getColumn("external_id").getString();
  i.page_id = q.getColumn("page_id").getString();
  i.kind = q.getColumn("kind").getString();
  i.thread_id = q.getColumn("thread_id").getString();
  i.parent_id = q.getColumn("parent_id").getString();
  i.author_id = q.getColumn("author_id").getString();
  i.author_name = q.getColumn("author_name").getString();
  i.text = q.getColumn("text").getString();
  i.permalink = q.getColumn("permalink").getString();
  i.created_at = std::chrono::duration_cast<std::chrono::seconds>(
                     TimeOf(q.getColumn("created_at")).time_since_epoch())
                     .count();
  s.account =
      q.getColumn("registration_id").isNull() ? 0 : q.getColumn("registration_id").getInt64();
  s.shown = q.getColumn("shown").getString();
  s.state = q.getColumn("state").getString();
  s.flagged = q.getColumn("flagged").getInt() != 0;
  s.raw = q.getColumn("raw").getString();
  s.received_at = TimeOf(q.getColumn("received_at"));
  s.notices = nlohmann::json::parse(q.getColumn("notices").getString(), nullptr, false);
  if (!s.notices.is_object()) s.notices = nlohmann::json::object();
  return s;
}

}  // namespace

void Transaction::SetAccountPage(const std::string& page_id, int64_t registration_id,
                                 const std::string& by, TimePoint at) {
  SQLite::Statement& q = store_.Prepare(kSetPage);
  q.bind(1, page_id);
  q.bind(2, registration_id);
  q.bind(3, by);
  q.bind(4, FormatUtc(at));
  q.exec();
}

std::optional<int64_t> Transaction::AccountOfPage(const std::string& page_id) {
  SQLite::Statement& q = store_.Prepare(kAccountOfPage);
  q.bind(1, page_id);
  return FirstRow(q, FirstColumnInt64);
}

std::vector<std::string> Transaction::PagesOf(int64_t registration_id) {
  SQLite::Statement& q = store_.Prepare(kPagesOf);
  q.bind(1, registration_id);
  return Rows(q, FirstColumnText);
}

int64_t Transaction::InsertInboxItem(const StoredInboxItem& s, TimePoint at) {
  SQLite::Statement& q = store_.Prepare(kInsertItem);
  const InboxItem& i = s.item;
  q.bind(1, i.source);
  q.bind(2, i.external_id);
  q.bind(3, i.page_id);
  q.bind(4, s.account);
  q.bind(5, i.kind);
  q.bind(6, i.thread_id);
  q.bind(7, i.parent_id);
  q.bind(8, i.author_id);
  q.bind(9, i.author_name);
  q.bind(10, i.text);
  q.bind(11, s.shown);
  q.bind(12, i.permalink);
  q.bind(13, FormatUtc(TimePoint{std::chrono::seconds(i.created_at)}));
  q.bind(14, FormatUtc(at));
  q.bind(15, s.state);
  q.bind(16, s.flagged ? 1 : 0);
  q.bind(17, s.raw);
  if (q.exec() == 0) return 0;
  return store_.db_.getLastInsertRowid();
}

std::optional<StoredInboxItem> Transaction::LoadInboxItem(int64_t id) {
  SQLite::Statement& q = store_.Prepare(kSelectItem);
  q.bind(1, id);
  return FirstRow(q, ItemFrom);
}

std::optional<StoredInboxItem> Transaction::FindInboxItem(const std::string& source,
                                                          const std::string& external_id) {
  SQLite::Statement& q = store_.Prepare(kFindItem);
  q.bind(1, source);
  q.bind(2, external_id);
  return FirstRow(q, ItemFrom);
}

bool Transaction::CommentActionPending(int64_t id, const std::string& kind) {
  SQLite::Statement& q = store_.Prepare(kCommentActionPending);
  q.bind(1, id);
  q.bind(2, kind);
  return q.executeStep() && q.getColumn(0).getInt() != 0;
}

bool Transaction::SetInboxState(int64_t id, const std::string& state, const std::string& by,
                                TimePoint at) {
  SQLite::Statement& q = store_.Prepare(kSetState);
  q.bind(1, id);
  q.bind(2, state);
  q.bind(3, by);
  q.bind(4, FormatUtc(at));
  return q.exec() > 0;
}

void Transaction::AppendInboxChange(int64_t id, const std::string& verb, const std::string& text,
                                    const std::string& shown, const std::string& raw,
                                    TimePoint at) {
  SQLite::Statement& q = store_.Prepare(kAppendChange);
  q.bind(1, id);
  q.bind(2, verb);
  q.bind(3, text);
  q.bind(4, raw);
  q.bind(5, FormatUtc(at));
  q.exec();
  if (verb != "edited") return;
  SQLite::Statement& u = store_.Prepare(kSetShown);
  u.bind(1, id);
  u.bind(2, shown);
  u.bind(3, FormatUtc(at));
  u.exec();
}

void Transaction::SetInboxNotices(int64_t id, const nlohmann::json& notices) {
  SQLite::Statement& q = store_.Prepare(kSetNotices);
  q.bind(1, id);
  q.bind(2, notices.dump());
  q.exec();
}

std::optional<StoredInboxItem> Transaction::OpenInboxItemSince(int64_t account, int64_t before,
                                                               TimePoint since) {
  SQLite::Statement& q = store_.Prepare(kOpenSince);
  q.bind(1, account);
  q.bind(2, before);
  q.bind(3, FormatUtc(since));
  return FirstRow(q, ItemFrom);
}

std::vector<StoredInboxItem> Transaction::InboxItemsOf(int64_t registration_id) {
  SQLite::Statement& q = store_.Prepare(kItemsOf);
  q.bind(1, registration_id);
  return Rows(q, ItemFrom);
}

std::vector<StoredInboxItem> Transaction::UnassignedInboxItems(int limit) {
  SQLite::Statement& q = store_.Prepare(kUnassigned);
  q.bind(1, limit);
  return Rows(q, ItemFrom);
}

}  // namespace kontobot::store
