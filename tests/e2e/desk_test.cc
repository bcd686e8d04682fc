// Strategy: the real binary with sign-in on, spoken to over plain sockets
// as tests/e2e/sign_in_test.cc does (127.0.0.1 plays the reverse proxy
// and names the person in X-Remote-User), with cases written straight into
// its database: Gislaved's listed account (registration 1, its unit holding
// markup), two Gislaved cases waiting for approval (2, and 4 overdue: its
// wait is escalated) with a private person named as administrator, and a
// Dalarna case (3). The desk shows Jonas (Gislaved's information function)
// his own organisation only, refuses everyone else, and sets a
// diarienummer only from its own form: a missing or wrong token or another
// site's request changes nothing. The demo (no sign-in) picks the person
// with ?person=, as the web chat's demo does.
#include <regex>

#include <gtest/gtest.h>

#include "tests/e2e/bot_process.h"
#include "tests/e2e/inbox_account.h"
#include "tests/e2e/raw_http.h"

namespace {

using namespace kontobot::testing;  // NOLINT
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kPublic = "kontobot.kommun.example";
constexpr const char* kForm = "application/x-www-form-urlencoded";
const Headers kJonas{{"X-Remote-User", "jonas.falk@gislaved.se"}};

// Registrations 2 to 4 as described above, and the account's markup.
void AddCases(Bot& bot) {
  AddAccount(bot, "gislaved", "gis-anna", "Anna Berg",
             R"([{"name":"Omar Haddad","email":"omar.haddad@gislaved.se"}])",
             "www.facebook.com/fritid", "Fritid <script>alert(1)</script>");
  SQLite::Database db(bot.db(), SQLite::OPEN_READWRITE, 10000);
  const std::string t = "'2026-03-02T09:00:00.000Z'";
  auto add = [&](int id, const std::string& org, const std::string& person) {
    const std::string sid = std::to_string(id);
    db.exec(
        "INSERT INTO drafts(id, person_id, org, template_id, template_version, status, state, "
        "created_at, updated_at) VALUES (" +
        sid + ", '" + person + "', '" + org + "', '" + org + "', 1, 'submitted', '{}', " + t +
        ", " + t + ")");
    db.exec(
        "INSERT INTO registrations(id, person_id, org, template_id, template_version, answers, "
        "status, submitted_at) VALUES (" +
        sid + ", '" + person + "', '" + org + "', '" + org + "', 1, '{}', 'pending_approval', " +
        t + ")");
    db.exec(
        "INSERT INTO tasks(id, registration_id, round, kind, step_id, stage, assignee, status, "
        "created_at) VALUES (" +
        sid + "0, " + sid + ", 1, 'approval', 'verksamhetschef', 1, 'gis-per', 'open', " + t + ")");
  };
  add(2, "gislaved", "gis-anna");
  add(3, "dalarna", "dal-karin");
  add(4, "gislaved", "gis-anna");
  db.exec(
      "INSERT INTO tasks(id, registration_id, round, kind, step_id, stage, assignee, status, "
      "detail, created_at) VALUES (21, 2, 1, 'admin', '0', 1, 'gis-anna', 'open', "
      "'{\"name\":\"Ville Privatsson\",\"email\":\"ville@example.org\"}', " +
      t + ")");
  // Escalated (step 2) and due long after the test: overdue, and nothing
  // for the scheduler to do.
  db.exec(
      "INSERT INTO timers(kind, subject, person_id, org, step, since_at, due_at, state, "
      "created_at) VALUES ('approval', 'task:40', 'gis-per', 'gislaved', 2, " +
      t + ", '2099-01-01T00:00:00.000Z', 'open', " + t + ")");
}

// The form token on a case page, "" (and a failure) when there is none.
std::string TokenIn(const std::string& page) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(page, m, std::regex(R"re(name="token" value="([0-9a-f]+)")re")))
      << page;
  return m.size() > 1 ? m[1].str() : "";
}

class Desk : public ::testing::Test {
 protected:
  Desk() : bot_(TempDb()) {}
  void SetUp() override {
    bot_.Start({"--auth-header", "X-Remote-User", "--trusted-proxies", "127.0.0.1", "--public-host",
                kPublic});
    AddCases(bot_);
  }

  std::string Send(const std::string& method, const std::string& path, Headers headers,
                   const std::string& body = "") {
    headers.insert(headers.begin(), {"Host", kPublic});
    return RawExchange(bot_.port(), RawRequest(method, path, headers, body));
  }
  std::string Get(const std::string& path, const Headers& who = kJonas) {
    return Send("GET", path, who);
  }
  // The form token on case `id`'s page.
  std::string Token(int id) { return TokenIn(RawBody(Get("/desk/case/" + std::to_string(id)))); }
  int64_t Diaries() { return bot_.Count("case_diary"); }
  int64_t DiaryAudits() {
    return std::stoll(One(bot_, "SELECT COUNT(*) FROM audit WHERE action = 'diary.set'"));
  }

  Bot bot_;
};

TEST_F(Desk, ShowsTheOwnOrganisationOnlyWithOverdueCasesFirst) {
  std::string answer = Get("/desk");
  ASSERT_EQ(RawStatus(answer), 200) << answer.substr(0, 600);
  std::string page = RawBody(answer);
  EXPECT_TRUE(Has(page, "<html lang=\"sv\">"));
  EXPECT_TRUE(Has(page, "name=\"viewport\""));
  EXPECT_TRUE(Has(page, "Informationsfunktionens skrivbord"));
  // The register, with the markup in the account's unit escaped.
  EXPECT_TRUE(Has(page, "www.facebook.com/fritid"));
  EXPECT_TRUE(Has(page, "Fritid &lt;script&gt;alert(1)&lt;/script&gt;")) << page;
  EXPECT_FALSE(Has(page, "<script>"));
  EXPECT_TRUE(Has(page, "Omar Haddad"));
  EXPECT_TRUE(Has(page, "Aktivt"));
  // The open cases with what they wait for, the overdue one first.
  size_t four = page.find("/desk/case/4\"");
  size_t two = page.find("/desk/case/2\"");
  ASSERT_NE(four, std::string::npos) << page;
  ASSERT_NE(two, std::string::npos) << page;
  EXPECT_LT(four, two);
  EXPECT_TRUE(Has(page, "Verksamhetens chef: Per Ek"));
  EXPECT_TRUE(Has(page, "försenat"));
  // Not Dalarna's case.
  EXPECT_FALSE(Has(page, "/desk/case/3\"")) << page;
  EXPECT_FALSE(Has(page, "pending_approval"));
}

TEST_F(Desk, ShowsTheInboxAndTheClosingsAndChangesInProgress) {
  {
    SQLite::Database db(bot_.db(), SQLite::OPEN_READWRITE, 10000);
    const std::string t = "'2026-03-03T09:00:00.000Z'";
    db.exec(
        "INSERT INTO inbox_items(source, external_id, page_id, registration_id, kind, "
        "thread_id, parent_id, author_id, author_name, text, shown, permalink, created_at, "
        "received_at, state, flagged, raw, changed_at) VALUES ('facebook', 'c1', '111', 1, "
        "'comment', 'p1', 'p1', 'a1', 'Ville Allmän', 'Mitt nummer är 19811218-9876', "
        "'Mitt nummer är [personnummer]', '', " +
        t + ", " + t + ", 'open', 1, '{}', " + t + ")");
    db.exec(
        "INSERT INTO account_changes(id, registration_id, kind, state, requested_by, "
        "requested_at, changed_at) VALUES (1, 1, 'add_admin', 'awaiting_acceptance', "
        "'gis-anna', " +
        t + ", " + t + ")");
    db.exec(
        "INSERT INTO tasks(id, registration_id, round, kind, step_id, stage, assignee, status, "
        "created_at) VALUES (50, 1, 1, 'closing', 'skarmdump_fore_avslut', 1, 'gis-info', "
        "'open', " +
        t + ")");
    db.exec("INSERT INTO account_history(registration_id, at, by, event, to_status) VALUES (1, " +
            t + ", 'kontobot', 'register.added', 'approved')");
  }
  std::string page = RawBody(Get("/desk"));
  // The register's history in words, in local time.
  EXPECT_TRUE(
      Has(page,
          "2026-03-03 10:00: Kontot Facebook, www.facebook.com/fritid fördes in i förteckningen."))
      << page;
  EXPECT_TRUE(Has(page, "Mitt nummer är [personnummer]")) << page;
  EXPECT_FALSE(Has(page, "19811218-9876"));
  EXPECT_TRUE(Has(page, "Kontot stängs"));
  EXPECT_TRUE(Has(page, "Jonas Falk: Ta en skärmdump av kontot innan det avslutas."));
  EXPECT_TRUE(Has(page, "Ny administratör, begärt av Anna Berg"));
  EXPECT_FALSE(Has(page, "add_admin"));
}

TEST_F(Desk, RefusesThoseWithoutTheRoleAndThoseNotSignedIn) {
  for (const char* who : {"gis-anna", "omar.haddad@gislaved.se", "gis-per"}) {
    SCOPED_TRACE(who);
    std::string answer = Get("/desk", {{"X-Remote-User", who}});
    EXPECT_EQ(RawStatus(answer), 403) << answer.substr(0, 400);
    EXPECT_TRUE(Has(RawBody(answer), "Bara för informationsfunktionen"));
    EXPECT_FALSE(Has(RawBody(answer), "www.facebook.com/fritid"));
    EXPECT_EQ(RawStatus(Get("/desk/case/2", {{"X-Remote-User", who}})), 403);
  }
  for (const char* path : {"/desk", "/desk/case/2", "/desk/case/2/dossier"})
    EXPECT_EQ(RawStatus(Get(path, {})), 401) << path;
  // A signed-in person cannot name another.
  EXPECT_EQ(RawStatus(Get("/desk?person=dal-lena")), 403);
}

TEST_F(Desk, AnUnknownCaseOrAnotherOrganisationsIsNotFound) {
  for (const char* path : {"/desk/case/999", "/desk/case/3", "/desk/case/3/dossier",
                           "/desk/case/abc", "/desk/case/-1", "/desk/case/2/other"}) {
    SCOPED_TRACE(path);
    std::string answer = Get(path);
    EXPECT_EQ(RawStatus(answer), 404) << answer.substr(0, 400);
    EXPECT_FALSE(Has(RawBody(answer), "Karin")) << answer;
  }
  // Nor may its diary be kept from here.
  std::string token = Token(2);
  std::string answer = Send("POST", "/desk/case/3/diary", {kJonas[0], {"Content-Type", kForm}},
                            "token=" + token + "&number=KS+1");
  EXPECT_EQ(RawStatus(answer), 404);
  EXPECT_EQ(Diaries(), 0);
}

TEST_F(Desk, SetsTheDiarienummerOnlyFromItsOwnForm) {
  // Under Referrer-Policy: no-referrer a browser posts the page's own form
  // with "Origin: null", which the check below refuses (found in chromium).
  EXPECT_TRUE(Has(Get("/desk/case/2"), "Referrer-Policy: same-origin"));
  const std::string token = Token(2);
  ASSERT_FALSE(token.empty());
  const std::string body = "token=" + token + "&number=KS+2026%2F0042+%3Cb%3E";
  struct Case {
    const char* what;
    Headers headers;
    std::string body;
    int status;
  };
  const std::vector<Case> refused{
      {"no token", {{"Content-Type", kForm}}, "number=KS+1", 403},
      {"a wrong token",
       {{"Content-Type", kForm}},
       "token=" + std::string(64, '0') + "&number=KS",
       403},
      {"another site's page",
       {{"Content-Type", kForm}, {"Origin", "https://evil.example"}},
       body,
       403},
      {"an opaque origin", {{"Content-Type", kForm}, {"Origin", "null"}}, body, 403},
      {"another site, by Sec-Fetch-Site",
       {{"Content-Type", kForm}, {"Sec-Fetch-Site", "cross-site"}},
       body,
       403},
      {"not a form", {{"Content-Type", "text/plain"}}, body, 415},
  };
  for (const Case& c : refused) {
    SCOPED_TRACE(c.what);
    Headers h = c.headers;
    h.insert(h.begin(), kJonas[0]);
    std::string answer = Send("POST", "/desk/case/2/diary", h, c.body);
    EXPECT_EQ(RawStatus(answer), c.status) << answer.substr(0, 400);
  }
  EXPECT_EQ(Diaries(), 0);
  EXPECT_EQ(DiaryAudits(), 0);

  std::string answer = Send("POST", "/desk/case/2/diary",
                            {kJonas[0],
                             {"Content-Type", kForm},
                             {"Origin", std::string("https://") + kPublic},
                             {"Sec-Fetch-Site", "same-origin"}},
                            body);
  ASSERT_EQ(RawStatus(answer), 303) << answer;
  EXPECT_TRUE(Has(answer, "Location: /desk/case/2")) << answer;
  EXPECT_EQ(One(bot_, "SELECT diarienummer FROM case_diary WHERE registration_id = 2"),
            "KS 2026/0042 <b>");
  EXPECT_EQ(DiaryAudits(), 1);
  EXPECT_EQ(One(bot_,
                "SELECT json_extract(detail, '$.channel') FROM audit "
                "WHERE action = 'diary.set'"),
            "desk");
  EXPECT_EQ(One(bot_, "SELECT actor FROM audit WHERE action = 'diary.set'"), "gis-info");
  std::string page = RawBody(Get("/desk/case/2"));
  EXPECT_TRUE(Has(page, "KS 2026/0042 &lt;b&gt;")) << page;
  EXPECT_FALSE(Has(page, "<b>"));
  // An invalid number changes nothing.
  answer = Send("POST", "/desk/case/2/diary", {kJonas[0], {"Content-Type", kForm}},
                "token=" + token + "&number=+++");
  EXPECT_EQ(RawStatus(answer), 400);
  EXPECT_EQ(DiaryAudits(), 1);
}

TEST_F(Desk, SpeaksEnglishWhenAsked) {
  std::string page = RawBody(Get("/desk?lang=en"));
  EXPECT_TRUE(Has(page, "<html lang=\"en\">"));
  EXPECT_TRUE(Has(page, "Open cases"));
  EXPECT_TRUE(Has(page, "Head of the operation: Per Ek")) << page;
  EXPECT_TRUE(Has(page, "/desk/case/2?lang=en"));
  std::string refused = RawBody(Get("/desk/case/999?lang=en"));
  EXPECT_TRUE(Has(refused, "No such case"));
}

TEST_F(Desk, TheMaskedDossierHidesAPrivatePerson) {
  std::string complete = Get("/desk/case/2/dossier");
  ASSERT_EQ(RawStatus(complete), 200) << complete.substr(0, 400);
  EXPECT_TRUE(Has(RawBody(complete), "Ville Privatsson"));
  std::string masked = Get("/desk/case/2/dossier?masked=1");
  ASSERT_EQ(RawStatus(masked), 200) << masked.substr(0, 400);
  EXPECT_FALSE(Has(RawBody(masked), "Ville Privatsson")) << RawBody(masked);
  EXPECT_FALSE(Has(RawBody(masked), "ville@example.org"));
}

TEST(DeskDemo, PicksThePersonByQueryAndSaysItIsADemo) {
  Bot bot(TempDb());
  bot.Start();
  AddCases(bot);
  const std::string host = "127.0.0.1:" + std::to_string(bot.port());
  auto get = [&](const std::string& path) {
    return RawExchange(bot.port(), RawRequest("GET", path, {{"Host", host}}));
  };
  std::string picker = get("/desk");
  ASSERT_EQ(RawStatus(picker), 200) << picker.substr(0, 400);
  EXPECT_TRUE(Has(picker, "Demo"));
  EXPECT_TRUE(Has(picker, "/desk?person=gis-info"));
  EXPECT_FALSE(Has(picker, "person=gis-anna"));

  std::string desk = get("/desk?person=gis-info");
  ASSERT_EQ(RawStatus(desk), 200);
  EXPECT_TRUE(Has(desk, "Demo – ingen inloggning"));
  EXPECT_TRUE(Has(desk, "/desk/case/2?person=gis-info"));
  EXPECT_EQ(RawStatus(get("/desk?person=gis-anna")), 403);
  EXPECT_EQ(RawStatus(get("/desk?person=nobody")), 404);
  // Greta's language in the directory is English.
  EXPECT_TRUE(Has(get("/desk?person=sll-kom"), "<html lang=\"en\">"));
  EXPECT_EQ(RawStatus(get("/desk?person=dal-lena")), 200);
  EXPECT_EQ(RawStatus(get("/desk/case/2?person=dal-lena")), 404);

  std::string page = RawBody(get("/desk/case/2?person=gis-info"));
  const std::string token = TokenIn(page);
  ASSERT_FALSE(token.empty());
  auto post = [&](const std::string& body) {
    return RawExchange(bot.port(), RawRequest("POST", "/desk/case/2/diary",
                                              {{"Host", host}, {"Content-Type", kForm}}, body));
  };
  // Gislaved's token does not make Lena of Dalarna Jonas, nor Jonas Lena.
  EXPECT_EQ(RawStatus(post("person=dal-lena&token=" + token + "&number=KS+9")), 403);
  EXPECT_EQ(RawStatus(post("token=" + token + "&number=KS+9")), 403);
  EXPECT_EQ(bot.Count("case_diary"), 0);
  std::string answer = post("person=gis-info&token=" + token + "&number=KS+9");
  EXPECT_EQ(RawStatus(answer), 303) << answer;
  EXPECT_TRUE(Has(answer, "Location: /desk/case/2?person=gis-info"));
  EXPECT_EQ(bot.Count("case_diary"), 1);
}

}  // namespace
