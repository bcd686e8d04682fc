// The social inbox's end-to-end tests' account: Region Dalarna's
// Folktandvården Facebook page as registration 1, listed, administered by
// Johan (the holder) and Sara, written straight into the database of a
// started bot (tests/e2e/social_inbox_test.cc, social_inbox_graph_test.cc,
// inbox_case_test.cc), and what those tests share.
#ifndef KONTOBOT_TESTS_E2E_INBOX_ACCOUNT_H_
#define KONTOBOT_TESTS_E2E_INBOX_ACCOUNT_H_

#include <string>

#include "tests/e2e/bot_process.h"

namespace kontobot::testing {

// What the bots of these tests are started with: the Meta app's secret and
// verify token, and the page of registration 1.
inline const std::string kAppSecret = "e2e-meta-app-secret";
inline const std::string kVerifyToken = "e2e-verify-token";
inline const std::string kPage = "111222333";

// Registration 1, listed: `org`'s Facebook page `url` of `unit`,
// administered by `admins` (JSON: [{name, email}]) and requested by
// `requester`, written straight into the bot's database.
inline void AddAccount(Bot& bot, const std::string& org, const std::string& requester,
                       const std::string& requester_name, const std::string& admins,
                       const std::string& url = "www.facebook.com/konto",
                       const std::string& unit = "Enheten") {
  SQLite::Database db(bot.db(), SQLite::OPEN_READWRITE, 10000);
  const std::string t = "'2026-03-02T09:00:00.000Z'";
  db.exec("INSERT INTO persons(id, name, org, first_seen) VALUES ('" + requester + "', '" +
          requester_name + "', '" + org + "', " + t + ")");
  db.exec(
      "INSERT INTO drafts(id, person_id, org, template_id, template_version, status, state, "
      "created_at, updated_at) VALUES (1, '" +
      requester + "', '" + org + "', '" + org + "', 1, 'submitted', '{}', " + t + ", " + t + ")");
  db.exec(
      "INSERT INTO registrations(id, person_id, org, template_id, template_version, answers, "
      "status, submitted_at) VALUES (1, '" +
      requester + "', '" + org + "', '" + org + "', 1, '{}', 'approved', " + t + ")");
  db.exec(
      "INSERT INTO accounts(registration_id, org, medium, url, unit, purpose, administrators, "
      "approvals, status, registered_at, listed_at) VALUES (1, '" +
      org + "', 'Facebook', '" + url + "', '" + unit + "', 'Information', '" + admins +
      "', '[]', 'listed', " + t + ", " + t + ")");
}

// Registration 1: Folktandvården's Facebook page, listed, administered by
// Johan (the holder) and Sara.
inline void AddDalarnaAccount(Bot& bot) {
  AddAccount(bot, "dalarna", "dal-karin", "Karin Dahl",
             "[{\"name\":\"Johan Berg\",\"email\":\"johan.berg@ltdalarna.se\"},"
             "{\"name\":\"Sara Nyström\",\"email\":\"sara.nystrom@ltdalarna.se\"}]",
             "www.facebook.com/folktandvarden", "Folktandvården");
}

// The first column of the first row `sql` gives, as text.
inline std::string One(Bot& bot, const std::string& sql) {
  SQLite::Database db(bot.db(), SQLite::OPEN_READONLY, 10000);
  return db.execAndGet(sql).getString();
}

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_E2E_INBOX_ACCOUNT_H_
