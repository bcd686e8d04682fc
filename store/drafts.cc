// Drafts: a person's registration while they fill it in, the drafts table
// (migration 0001).
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

constexpr const char* kSelectOpenDraftsOfPerson = R"sql(
  SELECT * FROM drafts WHERE person_id = ? AND status = 'open' ORDER BY id
)sql";

constexpr const char* kSelectDraft = R"sql(
  SELECT * FROM drafts WHERE id = ?
)sql";

constexpr const char* kSelectNextDraftId = R"sql(
  SELECT COALESCE(MAX(id), 0) + 1 FROM drafts
)sql";

// A draft's person, organisation, template and creation never change.
constexpr const char* kUpsertDraft = R"sql(
  INSERT INTO drafts(id, person_id, org, template_id, template_version, status, state,
                     created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET
  status = excluded.status, state = excluded.state, updated_at = excluded.updated_at
)sql";

// REQUIRES: `q` selected every column of drafts.
Draft DraftFrom(SQLite::Statement& q) {
  Draft d;
  d.id = q.getColumn("id").getInt64();
  d.person_id = q.getColumn("person_id").getString();
  d.template_id = q.getColumn("template_id").getString();
  d.template_version = q.getColumn("template_version").getInt();
  d.status = ParseDraftStatus(q.getColumn("status").getString()).value_or(DraftStatus::kOpen);
  d.LoadState(nlohmann::json::parse(q.getColumn("state").getString()));
  d.created = TimeOf(q.getColumn("created_at"));
  d.updated = TimeOf(q.getColumn("updated_at"));
  return d;
}

}  // namespace

std::vector<Draft> Transaction::OpenDrafts(const std::string& person_id) {
  SQLite::Statement& q = store_.Prepare(kSelectOpenDraftsOfPerson);
  q.bind(1, person_id);
  return Rows(q, DraftFrom);
}

std::optional<Draft> Transaction::LoadDraft(int64_t id) {
  SQLite::Statement& q = store_.Prepare(kSelectDraft);
  q.bind(1, id);
  return FirstRow(q, DraftFrom);
}

int64_t Transaction::NextDraftId() {
  SQLite::Statement& q = store_.Prepare(kSelectNextDraftId);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

void Transaction::SaveDraft(const Draft& draft, const std::string& org) {
  SQLite::Statement& q = store_.Prepare(kUpsertDraft);
  q.bind(1, draft.id);
  q.bind(2, draft.person_id);
  q.bind(3, org);
  q.bind(4, draft.template_id);
  q.bind(5, draft.template_version);
  q.bind(6, std::string(DraftStatusName(draft.status)));
  q.bind(7, draft.StateJson().dump());
  q.bind(8, FormatUtc(draft.created));
  q.bind(9, FormatUtc(draft.updated));
  q.exec();
}

}  // namespace kontobot::store
