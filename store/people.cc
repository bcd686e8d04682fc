// People and their sessions: the persons and sessions tables (migrations
// 0001 and 0007).
#include <optional>
#include <string>

#include "store/clock_format.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

constexpr const char* kUpsertPerson = R"sql(
  INSERT INTO persons(id, name, org, first_seen) VALUES (?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET name = excluded.name, org = excluded.org
)sql";

constexpr const char* kSelectSession = R"sql(
  SELECT lang, active_draft, pending FROM sessions WHERE person_id = ?
)sql";

constexpr const char* kSelectChosenLanguage = R"sql(
  SELECT lang FROM persons WHERE id = ?
)sql";

constexpr const char* kUpdateChosenLanguage = R"sql(
  UPDATE persons SET lang = ? WHERE id = ?
)sql";

constexpr const char* kUpsertSession = R"sql(
  INSERT INTO sessions(person_id, lang, active_draft, pending, updated_at)
  VALUES (?, ?, ?, ?, ?) ON CONFLICT(person_id) DO UPDATE SET
  lang = excluded.lang, active_draft = excluded.active_draft,
  pending = excluded.pending, updated_at = excluded.updated_at
)sql";

}  // namespace

void Transaction::UpsertPerson(const Person& person, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(kUpsertPerson);
  q.bind(1, person.id);
  q.bind(2, person.name);
  q.bind(3, person.org);
  q.bind(4, FormatUtc(now));
  q.exec();
}

Session Transaction::LoadSession(const Person& person) {
  SQLite::Statement& q = store_.Prepare(kSelectSession);
  q.bind(1, person.id);
  Session s;
  s.lang = person.lang.value_or(Lang::kSv);
  if (q.executeStep()) {
    s.lang = ParseLang(q.getColumn(0).getString()).value_or(Lang::kSv);
    s.active_draft = q.getColumn(1).isNull() ? 0 : q.getColumn(1).getInt64();
    s.pending = q.getColumn(2).getString();
  }
  if (auto chosen = ChosenLanguage(person.id)) s.lang = *chosen;
  return s;
}

std::optional<Lang> Transaction::ChosenLanguage(const std::string& person_id) {
  SQLite::Statement& q = store_.Prepare(kSelectChosenLanguage);
  q.bind(1, person_id);
  if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
  return ParseLang(q.getColumn(0).getString());
}

void Transaction::SetChosenLanguage(const std::string& person_id, Lang lang) {
  SQLite::Statement& q = store_.Prepare(kUpdateChosenLanguage);
  q.bind(1, std::string(LangCode(lang)));
  q.bind(2, person_id);
  q.exec();
}

void Transaction::SaveSession(const std::string& person_id, const Session& session, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(kUpsertSession);
  q.bind(1, person_id);
  q.bind(2, std::string(LangCode(session.lang)));
  if (session.active_draft > 0) {
    q.bind(3, session.active_draft);
  } else {
    q.bind(3);
  }
  q.bind(4, session.pending);
  q.bind(5, FormatUtc(now));
  q.exec();
}

}  // namespace kontobot::store
