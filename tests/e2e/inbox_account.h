// The social inbox's end-to-end tests' account: Region Dalarna's
// Folktandvården Facebook page as registration 1, listed, administered by
// Johan (the holder) and Sara, written straight into the database of a
// started bot (tests/e2e/social_inbox_test.cc, social_inbox_graph_test.cc).
#ifndef KONTOBOT_TESTS_E2E_INBOX_ACCOUNT_H_
#define KONTOBOT_TESTS_E2E_INBOX_ACCOUNT_H_

#include <string>

#include "tests/e2e/bot_process.h"

namespace kontobot::testing {

// Registration 1: Folktandvården's Facebook page, listed, administered by
// Johan (the holder) and Sara.
inline void AddDalarnaAccount(Bot& bot) {
  SQLite::Database db(bot.db(), SQLite::OPEN_READWRITE, 10000);
  const std::string t = "'2026-03-02T09:00:00.000Z'";
  db.exec(
      "INSERT INTO persons(id, name, org, first_seen) VALUES ('dal-karin', 'Karin Dahl', "
      "'dalarna', " +
      t + ")");
  db.exec(
      "INSERT INTO drafts(id, person_id, org, template_id, template_version, status, state, "
      "created_at, updated_at) VALUES (1, 'dal-karin', 'dalarna', 'dalarna', 1, 'submitted', "
      "'{}', " +
      t + ", " + t + ")");
  db.exec(
      "INSERT INTO registrations(id, person_id, org, template_id, template_version, answers, "
      "status, submitted_at) VALUES (1, 'dal-karin', 'dalarna', 'dalarna', 1, '{}', "
      "'approved', " +
      t + ")");
  db.exec(
      "INSERT INTO accounts(registration_id, org, medium, url, unit, purpose, administrators, "
      "approvals, status, registered_at, listed_at) VALUES (1, 'dalarna', 'Facebook', "
      "'www.facebook.com/folktandvarden', 'Folktandvården', 'Information', "
      "'[{\"name\":\"Johan Berg\",\"email\":\"johan.berg@ltdalarna.se\"},"
      "{\"name\":\"Sara Nyström\",\"email\":\"sara.nystrom@ltdalarna.se\"}]', '[]', 'listed', " +
      t + ", " + t + ")");
}

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_E2E_INBOX_ACCOUNT_H_
