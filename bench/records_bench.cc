// Public-records exports on a real SQLite file: the dossier of one case
// with a long conversation (HTML), the register of 10,000 accounts (CSV and
// JSON with history), and an e-archive package of 100 cases (without the
// PDFs, which Chromium and Ghostscript take seconds each to print); each of
// the person's messages came from Slack, and its original (about 1 KB) is
// kept and packaged (migration 0017). Prints
// the median of RUNS runs of each and the process's peak resident memory.
//
//   records_bench [MESSAGES] [ACCOUNTS] [CASES] [RUNS]   (defaults 2000 10000 100 5)
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "config/loaders.h"
#include "config/template_loader.h"
#include "handlers/archive.h"
#include "handlers/dossier.h"
#include "handlers/export.h"
#include "handlers/stockholm_time.h"
#include "store/clock_format.h"

using namespace kontobot;  // NOLINT

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <typename F>
double Time(int runs, F f) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return Median(ms);
}

long PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) try {
  int messages = argc > 1 ? std::atoi(argv[1]) : 2000;
  int accounts = argc > 2 ? std::atoi(argv[2]) : 10000;
  int cases = argc > 3 ? std::atoi(argv[3]) : 100;
  int runs = argc > 4 ? std::atoi(argv[4]) : 5;
  std::string src = KONTOBOT_SOURCE_DIR;
  auto templates = config::LoadTemplateDir(src + "/config/templates");
  auto catalog = config::LoadCatalogDir(src + "/config/messages");
  auto directory = config::LoadDirectoryFile(src + "/config/directory.yaml");
  handlers::ZoneTime local("Europe/Stockholm");
  handlers::RecordsContext ctx{templates.templates, directory.directory, catalog.catalog, local};

  std::string dir = "records_bench.data";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  store::Store store(dir + "/bench.db");
  TimePoint now = *store::ParseUtc("2026-11-23T09:00:00.000Z");
  const Person& anna = *directory.directory.Find("gis-anna");
  {
    store::Transaction tx(store);
    tx.UpsertPerson(anna, now);
    int total = std::max(accounts, cases);
    for (int64_t id = 1; id <= total; ++id) {
      Draft d;
      d.id = id;
      d.person_id = anna.id;
      d.template_id = "gislaved";
      d.template_version = 1;
      d.answers = {{"medium", {{"value", "facebook"}}},
                   {"webbadress", "https://www.facebook.com/konto" + std::to_string(id)},
                   {"verksamhet", "Fritid"},
                   {"syfte", "Information till unga"},
                   {"administratorer",
                    {{{"name", "Omar Haddad"}, {"email", "omar.haddad@gislaved.se"}},
                     {{"name", "Kalle Privat"}, {"phone", "070-123 45 67"}}}}};
      d.status = DraftStatus::kSubmitted;
      d.created = d.updated = now;
      tx.SaveDraft(d, "gislaved");
      tx.UpsertRegistration(d, "gislaved", now);
      store::Account a;
      a.registration_id = id;
      a.org = "gislaved";
      a.medium = "Facebook";
      a.url = d.answers["webbadress"];
      a.unit = "Fritid";
      a.purpose = "=Information till unga";
      a.administrators = d.answers["administratorer"];
      a.approvals = {
          {{"step", "verksamhetschef"}, {"by", "gis-per"}, {"at", store::FormatUtc(now)}}};
      a.registered_at = now;
      if (id <= accounts) {
        tx.InsertAccount(a);
        tx.AppendAudit(now, "kontobot", "register.added", "registration:" + std::to_string(id), {});
        // The register's history is its own table since 0011.
        store::AccountChange added;
        added.registration_id = id;
        added.at = now;
        added.by = "kontobot";
        added.event = "register.added";
        added.to_status = a.status;
        tx.AppendAccountHistory(added);
      }
      int n = id == 1 ? messages : 20;
      for (int i = 0; i < n; ++i) {
        store::StoredMessage m;
        m.at = now + std::chrono::seconds(i);
        m.person_id = anna.id;
        m.channel = "slack";
        m.direction = i % 2 ? "out" : "in";
        m.text = i % 2 ? "*Steg 3 av 19 – Webbadress*\nVilken är webbadressen?\n• Tips: "
                         "www.facebook.com/sidans-namn, ring 070-123 45 67"
                       : "Kalle Privat, kalle@example.com, 19821105-9954";
        m.draft_id = id;
        int64_t mid = tx.AppendMessage(m);
        // Each of the person's messages came from Slack and is kept as it
        // arrived (about 1 KB, as a Slack event envelope is).
        if (m.direction == "in") {
          nlohmann::json body = {
              {"token", "XXYYZZ"},
              {"team_id", "T0KOMMUN"},
              {"api_app_id", "A0KONTOBOT"},
              {"event",
               {{"type", "message"},
                {"channel", "DUGISANNA1"},
                {"channel_type", "im"},
                {"user", "UGISANNA1"},
                {"text", m.text},
                {"ts", "1795428000." + std::to_string(100000 + i)},
                {"blocks",
                 {{{"type", "rich_text"},
                   {"block_id", "b" + std::to_string(i)},
                   {"elements",
                    {{{"type", "rich_text_section"},
                      {"elements", {{{"type", "text"}, {"text", m.text}}}}}}}}}}}},
              {"type", "event_callback"},
              {"event_id", "Ev" + std::to_string(id) + "x" + std::to_string(i)},
              {"event_time", 1795428000},
              {"authorizations",
               {{{"team_id", "T0KOMMUN"}, {"user_id", "UKONTOBOT"}, {"is_bot", true}}}},
              {"event_context", "4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMEtPTU1VTiJ9"}};
          tx.KeepOriginal(mid, {"slack",
                                m.at,
                                "application/json",
                                {{"x-slack-request-timestamp", "1795428000"},
                                 {"x-slack-signature", "v0=" + std::string(64, 'a')}},
                                body.dump()});
        }
      }
    }
    tx.Commit();
  }

  double dossier = Time(runs, [&] {
    store::Transaction tx(store);
    handlers::DossierOptions o;
    o.now = now;
    o.masked = true;
    std::string html = handlers::DossierHtml(*handlers::DossierModel(tx, 1, ctx, o));
    if (html.empty()) std::abort();
  });
  double reg = Time(runs, [&] {
    store::Transaction tx(store);
    auto all = tx.AllAccounts();
    auto diary = tx.Diaries();
    auto history = handlers::RegisterHistory(tx, ctx, all);
    std::string csv = handlers::RegisterCsv(all, diary, ctx);
    std::string hcsv = handlers::RegisterHistoryCsv(history, ctx);
    std::string js = handlers::RegisterJson(all, diary, std::move(history), ctx, now).dump(2);
    if (csv.empty() || js.empty()) std::abort();
  });
  {
    store::Transaction tx(store);
    auto t0 = std::chrono::steady_clock::now();
    auto all = tx.AllAccounts();
    auto t1 = std::chrono::steady_clock::now();
    auto history = handlers::RegisterHistory(tx, ctx, all);
    auto t2 = std::chrono::steady_clock::now();
    std::string csv = handlers::RegisterCsv(all, {}, ctx);
    auto t3 = std::chrono::steady_clock::now();
    auto js = handlers::RegisterJson(all, {}, std::move(history), ctx, now);
    auto t4 = std::chrono::steady_clock::now();
    std::string text = js.dump(2);
    auto t5 = std::chrono::steady_clock::now();
    auto ms = [](auto a, auto b) {
      return std::chrono::duration<double, std::milli>(b - a).count();
    };
    std::cout << "  register parts: load " << ms(t0, t1) << " ms, history " << ms(t1, t2)
              << " ms, CSV " << ms(t2, t3) << " ms, JSON " << ms(t3, t4) << " ms, dump "
              << ms(t4, t5) << " ms\n";
  }
  std::vector<int64_t> ids;
  for (int64_t id = 1; id <= cases; ++id) ids.push_back(id);
  int n = 0;
  double archive = Time(runs, [&] {
    handlers::ExportDir out(dir + "/sip-" + std::to_string(++n));
    handlers::WriteArchive(store, ids, ctx, {"gis-info", now, false}, out);
    out.Commit();
  });
  std::cout << "dossier of one case, " << messages << " messages, masked HTML: " << dossier
            << " ms\n"
            << "register of " << accounts << " accounts, CSV + JSON + history: " << reg << " ms\n"
            << "archive package of " << cases << " cases (no PDF): " << archive << " ms\n"
            << "peak resident memory: " << PeakRssMb() << " MB\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "records_bench: " << e.what() << "\n";
  return 1;
}
