// Tasks (approvals, administrator and start-up tasks) and the messages that
// carry their buttons: the tasks and task_messages tables (migration 0002).
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

constexpr const char* kSelectNextTaskId = R"sql(
  SELECT COALESCE(MAX(id), 0) + 1 FROM tasks
)sql";

// Only the decision (and its detail) changes once a task is written.
constexpr const char* kUpsertTask = R"sql(
  INSERT INTO tasks(id, registration_id, round, kind, step_id, stage, assignee, status,
                    decided_by, decided_at, reason, detail, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET status = excluded.status, decided_by = excluded.decided_by,
  decided_at = excluded.decided_at, reason = excluded.reason, detail = excluded.detail
)sql";

constexpr const char* kSelectTasksOfRegistration = R"sql(
  SELECT * FROM tasks WHERE registration_id = ? ORDER BY id
)sql";

constexpr const char* kSelectTask = R"sql(
  SELECT * FROM tasks WHERE id = ?
)sql";

constexpr const char* kInsertTaskMessage = R"sql(
  INSERT OR IGNORE INTO task_messages(task_id, message_id) VALUES (?, ?)
)sql";

constexpr const char* kSelectMessagesOfTask = R"sql(
  SELECT message_id FROM task_messages WHERE task_id = ? ORDER BY message_id
)sql";

constexpr const char* kSelectTaskMessage = R"sql(
  SELECT 1 FROM task_messages WHERE task_id = ? AND message_id = ?
)sql";

constexpr const char* kSelectTaskOfMessage = R"sql(
  SELECT task_id FROM task_messages WHERE message_id = ? LIMIT 1
)sql";

constexpr const char* kSelectLatestOpenApproval = R"sql(
  SELECT id FROM tasks WHERE assignee = ? AND kind = 'approval' AND status = 'open'
  ORDER BY id DESC LIMIT 1
)sql";

// REQUIRES: `q` selected every column of tasks.
Task TaskFrom(SQLite::Statement& q) {
  Task t;
  t.id = q.getColumn("id").getInt64();
  t.registration_id = q.getColumn("registration_id").getInt64();
  t.round = q.getColumn("round").getInt();
  t.kind = ParseTaskKind(q.getColumn("kind").getString()).value_or(TaskKind::kApproval);
  t.step_id = q.getColumn("step_id").getString();
  t.stage = q.getColumn("stage").getInt();
  t.assignee = q.getColumn("assignee").getString();
  t.status = ParseTaskStatus(q.getColumn("status").getString()).value_or(TaskStatus::kOpen);
  t.decided_by = q.getColumn("decided_by").isNull() ? "" : q.getColumn("decided_by").getString();
  if (!q.getColumn("decided_at").isNull()) t.decided_at = TimeOf(q.getColumn("decided_at"));
  t.reason = q.getColumn("reason").getString();
  t.detail = nlohmann::json::parse(q.getColumn("detail").getString());
  t.created = TimeOf(q.getColumn("created_at"));
  return t;
}

}  // namespace

int64_t Transaction::NextTaskId() {
  SQLite::Statement& q = store_.Prepare(kSelectNextTaskId);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

void Transaction::SaveTask(const Task& t) {
  SQLite::Statement& q = store_.Prepare(kUpsertTask);
  q.bind(1, t.id);
  q.bind(2, t.registration_id);
  q.bind(3, t.round);
  q.bind(4, std::string(TaskKindName(t.kind)));
  q.bind(5, t.step_id);
  q.bind(6, t.stage);
  q.bind(7, t.assignee);
  q.bind(8, std::string(TaskStatusName(t.status)));
  if (t.decided_by.empty())
    q.bind(9);
  else
    q.bind(9, t.decided_by);
  if (t.decided_at)
    q.bind(10, FormatUtc(*t.decided_at));
  else
    q.bind(10);
  q.bind(11, t.reason);
  q.bind(12, t.detail.dump());
  q.bind(13, FormatUtc(t.created));
  q.exec();
}

std::vector<Task> Transaction::TasksOf(int64_t registration_id) {
  SQLite::Statement& q = store_.Prepare(kSelectTasksOfRegistration);
  q.bind(1, registration_id);
  return Rows(q, TaskFrom);
}

std::optional<Task> Transaction::LoadTask(int64_t id) {
  SQLite::Statement& q = store_.Prepare(kSelectTask);
  q.bind(1, id);
  return FirstRow(q, TaskFrom);
}

void Transaction::LinkTaskMessage(int64_t task_id, int64_t message_id) {
  SQLite::Statement& q = store_.Prepare(kInsertTaskMessage);
  q.bind(1, task_id);
  q.bind(2, message_id);
  q.exec();
}

std::vector<int64_t> Transaction::TaskMessages(int64_t task_id) {
  SQLite::Statement& q = store_.Prepare(kSelectMessagesOfTask);
  q.bind(1, task_id);
  return Rows(q, FirstColumnInt64);
}

bool Transaction::MessageCarriesTask(int64_t message_id, int64_t task_id) {
  SQLite::Statement& q = store_.Prepare(kSelectTaskMessage);
  q.bind(1, task_id);
  q.bind(2, message_id);
  return q.executeStep();
}

std::optional<int64_t> Transaction::TaskOfMessage(int64_t message_id) {
  SQLite::Statement& q = store_.Prepare(kSelectTaskOfMessage);
  q.bind(1, message_id);
  return FirstRow(q, FirstColumnInt64);
}

std::optional<int64_t> Transaction::LatestOpenApproval(const std::string& person) {
  SQLite::Statement& q = store_.Prepare(kSelectLatestOpenApproval);
  q.bind(1, person);
  return FirstRow(q, FirstColumnInt64);
}

}  // namespace kontobot::store
