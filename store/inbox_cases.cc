// The social inbox's handling cases: inbox_cases and inbox_case_tasks
// (migration 0015). A task moves from open once, conditionally, so of two
// presses one wins.
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

constexpr const char* kInsertCase = R"sql(
  INSERT INTO inbox_cases(item_id, registration_id, reason, lists, state, opened_by, opened_at)
  VALUES (?1, NULLIF(?2, 0), ?3, ?4, 'open', ?5, ?6)
  ON CONFLICT(item_id) DO NOTHING
)sql";

constexpr const char* kInsertTask = R"sql(
  INSERT INTO inbox_case_tasks(case_id, position, task_id, kind, confirmed_by, report_to, state,
    done_by, done_at)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, CASE WHEN ?7 = 'open' THEN NULL ELSE ?9 END)
)sql";

constexpr const char* kSelectCase = "SELECT * FROM inbox_cases WHERE id = ?";
constexpr const char* kCaseOfItem = "SELECT * FROM inbox_cases WHERE item_id = ?";
constexpr const char* kSelectTasks = R"sql(
  SELECT * FROM inbox_case_tasks WHERE case_id = ? ORDER BY position
)sql";

constexpr const char* kFinishTask = R"sql(
  UPDATE inbox_case_tasks SET state = ?3, done_by = ?4, done_at = ?5
  WHERE case_id = ?1 AND position = ?2 AND state = 'open'
)sql";

constexpr const char* kSetDiary = "UPDATE inbox_cases SET diarienummer = ?2 WHERE id = ?1";
constexpr const char* kSetCaseNotices = "UPDATE inbox_cases SET notices = ?2 WHERE id = ?1";
constexpr const char* kClose = R"sql(
  UPDATE inbox_cases SET state = 'closed', closed_at = ?2 WHERE id = ?1 AND state = 'open'
)sql";

CaseTask TaskFrom(SQLite::Statement& q) {
  CaseTask t;
  t.position = q.getColumn("position").getInt();
  t.task_id = q.getColumn("task_id").getString();
  t.kind = q.getColumn("kind").getString();
  t.confirmed_by = q.getColumn("confirmed_by").getString();
  t.report_to = q.getColumn("report_to").getString();
  t.state = q.getColumn("state").getString();
  t.done_by = q.getColumn("done_by").getString();
  return t;
}

InboxCase CaseFrom(SQLite::Statement& q) {
  InboxCase c;
  c.id = q.getColumn("id").getInt64();
  c.item_id = q.getColumn("item_id").getInt64();
  c.account =
      q.getColumn("registration_id").isNull() ? 0 : q.getColumn("registration_id").getInt64();
  c.reason = q.getColumn("reason").getString();
  nlohmann::json lists = nlohmann::json::parse(q.getColumn("lists").getString(), nullptr, false);
  if (lists.is_array())
    for (const auto& l : lists)
      if (l.is_string()) c.lists.push_back(l.get<std::string>());
  c.diarienummer = q.getColumn("diarienummer").getString();
  c.state = q.getColumn("state").getString();
  c.opened_by = q.getColumn("opened_by").getString();
  c.opened_at = TimeOf(q.getColumn("opened_at"));
  c.notices = nlohmann::json::parse(q.getColumn("notices").getString(), nullptr, false);
  if (!c.notices.is_object()) c.notices = nlohmann::json::object();
  return c;
}

}  // namespace

int64_t Transaction::InsertInboxCase(const InboxCase& c, TimePoint at) {
  SQLite::Statement& q = store_.Prepare(kInsertCase);
  q.bind(1, c.item_id);
  q.bind(2, c.account);
  q.bind(3, c.reason);
  q.bind(4, nlohmann::json(c.lists).dump());
  q.bind(5, c.opened_by);
  q.bind(6, FormatUtc(at));
  if (q.exec() == 0) return 0;
  const int64_t id = store_.db_.getLastInsertRowid();
  for (const CaseTask& t : c.tasks) {
    SQLite::Statement& i = store_.Prepare(kInsertTask);
    i.bind(1, id);
    i.bind(2, t.position);
    i.bind(3, t.task_id);
    i.bind(4, t.kind);
    i.bind(5, t.confirmed_by);
    i.bind(6, t.report_to);
    i.bind(7, t.state);
    i.bind(8, t.done_by);
    i.bind(9, FormatUtc(at));
    i.exec();
  }
  return id;
}

std::optional<InboxCase> Transaction::LoadInboxCase(int64_t id) {
  SQLite::Statement& q = store_.Prepare(kSelectCase);
  q.bind(1, id);
  std::optional<InboxCase> c = FirstRow(q, CaseFrom);
  if (!c) return c;
  SQLite::Statement& t = store_.Prepare(kSelectTasks);
  t.bind(1, c->id);
  c->tasks = Rows(t, TaskFrom);
  return c;
}

std::optional<InboxCase> Transaction::InboxCaseOfItem(int64_t item_id) {
  SQLite::Statement& q = store_.Prepare(kCaseOfItem);
  q.bind(1, item_id);
  std::optional<int64_t> id =
      FirstRow(q, [](SQLite::Statement& s) { return s.getColumn("id").getInt64(); });
  if (!id) return std::nullopt;
  return LoadInboxCase(*id);
}

bool Transaction::FinishInboxCaseTask(int64_t id, int position, const std::string& state,
                                      const std::string& by, TimePoint at) {
  SQLite::Statement& q = store_.Prepare(kFinishTask);
  q.bind(1, id);
  q.bind(2, position);
  q.bind(3, state);
  q.bind(4, by);
  q.bind(5, FormatUtc(at));
  return q.exec() > 0;
}

void Transaction::SetInboxCaseDiarienummer(int64_t id, const std::string& number) {
  SQLite::Statement& q = store_.Prepare(kSetDiary);
  q.bind(1, id);
  q.bind(2, number);
  q.exec();
}

void Transaction::SetInboxCaseNotices(int64_t id, const nlohmann::json& notices) {
  SQLite::Statement& q = store_.Prepare(kSetCaseNotices);
  q.bind(1, id);
  q.bind(2, notices.dump());
  q.exec();
}

bool Transaction::CloseInboxCase(int64_t id, TimePoint at) {
  SQLite::Statement& q = store_.Prepare(kClose);
  q.bind(1, id);
  q.bind(2, FormatUtc(at));
  return q.exec() > 0;
}

}  // namespace kontobot::store
