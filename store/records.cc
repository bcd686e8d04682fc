// Public records: each case's diary entry (diarienummer) and the release
// log; the case_diary and releases tables (migration 0008).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

// Replaces the case's entry; the caller writes the old one to the audit trail.
constexpr const char* kUpsertDiary = R"sql(
  INSERT INTO case_diary(registration_id, diarienummer, registered_on, set_by, set_at)
  VALUES (?, ?, ?, ?, ?) ON CONFLICT(registration_id) DO UPDATE SET
  diarienummer = excluded.diarienummer, registered_on = excluded.registered_on,
  set_by = excluded.set_by, set_at = excluded.set_at
)sql";

constexpr const char* kSelectDiary = R"sql(
  SELECT * FROM case_diary WHERE registration_id = ?
)sql";

constexpr const char* kSelectDiaries = R"sql(
  SELECT * FROM case_diary
)sql";

constexpr const char* kInsertRelease = R"sql(
  INSERT INTO releases(registration_id, released_at, released_by, recipient, version, lang,
                       files)
  VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id
)sql";

constexpr const char* kSelectReleasesOfRegistration = R"sql(
  SELECT * FROM releases WHERE registration_id = ? ORDER BY id
)sql";

// REQUIRES: `q` selected every column of case_diary.
DiaryEntry DiaryFrom(SQLite::Statement& q) {
  DiaryEntry e;
  e.registration_id = q.getColumn("registration_id").getInt64();
  e.diarienummer = q.getColumn("diarienummer").getString();
  e.registered_on = q.getColumn("registered_on").getString();
  e.set_by = q.getColumn("set_by").getString();
  e.set_at = TimeOf(q.getColumn("set_at"));
  return e;
}

// REQUIRES: `q` selected every column of releases.
Release ReleaseFrom(SQLite::Statement& q) {
  Release r;
  r.id = q.getColumn("id").getInt64();
  r.registration_id = q.getColumn("registration_id").getInt64();
  r.released_at = TimeOf(q.getColumn("released_at"));
  r.released_by = q.getColumn("released_by").getString();
  r.recipient = q.getColumn("recipient").getString();
  r.version = q.getColumn("version").getString();
  r.lang = q.getColumn("lang").getString();
  r.files = nlohmann::json::parse(q.getColumn("files").getString());
  return r;
}

}  // namespace

void Transaction::SetDiary(const DiaryEntry& e) {
  SQLite::Statement& q = store_.Prepare(kUpsertDiary);
  q.bind(1, e.registration_id);
  q.bind(2, e.diarienummer);
  q.bind(3, e.registered_on);
  q.bind(4, e.set_by);
  q.bind(5, FormatUtc(e.set_at));
  q.exec();
}

std::optional<DiaryEntry> Transaction::Diary(int64_t registration_id) {
  SQLite::Statement& q = store_.Prepare(kSelectDiary);
  q.bind(1, registration_id);
  return FirstRow(q, DiaryFrom);
}

std::map<int64_t, DiaryEntry> Transaction::Diaries() {
  SQLite::Statement& q = store_.Prepare(kSelectDiaries);
  std::map<int64_t, DiaryEntry> out;
  while (q.executeStep()) {
    DiaryEntry e = DiaryFrom(q);
    out.emplace(e.registration_id, std::move(e));
  }
  return out;
}

int64_t Transaction::InsertRelease(const Release& r) {
  SQLite::Statement& q = store_.Prepare(kInsertRelease);
  q.bind(1, r.registration_id);
  q.bind(2, FormatUtc(r.released_at));
  q.bind(3, r.released_by);
  q.bind(4, r.recipient);
  q.bind(5, r.version);
  q.bind(6, r.lang);
  q.bind(7, r.files.dump());
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::vector<Release> Transaction::ReleasesOf(int64_t registration_id) {
  SQLite::Statement& q = store_.Prepare(kSelectReleasesOfRegistration);
  q.bind(1, registration_id);
  return Rows(q, ReleaseFrom);
}

}  // namespace kontobot::store
