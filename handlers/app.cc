#include "handlers/app.h"

#include <sys/resource.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "bot/conversation.h"
#include "config/loaders.h"
#include "config/template_loader.h"
#include "handlers/conversation_service.h"
#include "handlers/export.h"
#include "handlers/http_server.h"
#include "handlers/inbound_queue.h"
#include "handlers/matrix/matrix_adapter.h"
#include "handlers/outbox_sender.h"
#include "handlers/register.h"
#include "handlers/reminder_scheduler.h"
#include "handlers/slack/slack_adapter.h"
#include "handlers/stockholm_time.h"
#include "handlers/test_clock.h"
#include "handlers/webchat/webchat.h"
#include "store/store.h"

namespace kontobot::handlers {
namespace {

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

int CheckTemplates(const config::Options& o) {
  int bad = 0;
  for (const std::string& file : o.args) {
    auto load = config::LoadTemplateFile(file);
    for (const auto& e : load.errors) std::cout << e.ToString() << "\n";
    if (load.errors.empty()) {
      size_t questions = 0;
      for (const Step& s : load.tmpl->steps) questions += s.IsQuestion() ? 1 : 0;
      std::cout << file << ": ok – " << load.tmpl->id << ", " << questions << " questions, "
                << load.tmpl->steps.size() - questions << " checklist items, "
                << load.tmpl->approval.size() << " approval steps\n";
    } else {
      ++bad;
    }
  }
  return bad == 0 ? 0 : 1;
}

struct Config {
  config::TemplateSetLoad templates;
  config::CatalogLoad catalog;
  config::DirectoryLoad directory;
};

// Loads templates, catalogue and directory; logs every error.
std::optional<Config> LoadConfig(const config::Options& o, spdlog::logger& log) {
  Config c{config::LoadTemplateDir(o.templates), config::LoadCatalogDir(o.messages),
           config::LoadDirectoryFile(o.directory)};
  bool failed = false;
  for (const auto* errors : {&c.templates.errors, &c.catalog.errors, &c.directory.errors}) {
    for (const auto& e : *errors) log.error("{}", e.ToString());
    failed |= !errors->empty();
  }
  if (failed) {
    log.error("configuration has errors; not starting");
    return std::nullopt;
  }
  return c;
}

bool WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  return static_cast<bool>(out);
}

int Export(const config::Options& o) {
  auto log = spdlog::stderr_color_mt("kontobot");
  auto cfg = LoadConfig(o, *log);
  if (!cfg) return 1;
  store::Store store(o.db);
  ZoneTime local_time("Europe/Stockholm");
  std::filesystem::create_directories(o.out);
  store::Transaction tx(store);
  std::vector<std::string> written;
  if (o.args[0] == "registration") {
    int64_t id = std::stoll(o.args[1]);
    auto rec = RegistrationRecord(tx, id, cfg->templates.templates, cfg->directory.directory,
                                  cfg->catalog.catalog);
    if (!rec) {
      std::cerr << "kontobot: there is no registration " << id << "\n";
      return 1;
    }
    std::string base = o.out + "/registration-" + std::to_string(id);
    if (!WriteFile(base + ".json", rec->dump(2)) ||
        !WriteFile(base + ".html", RegistrationHtml(*rec, cfg->catalog.catalog, local_time))) {
      std::cerr << "kontobot: cannot write to " << o.out << "\n";
      return 1;
    }
    written = {base + ".json", base + ".html"};
  } else {
    auto accounts = tx.Accounts();
    std::string base = o.out + "/register";
    if (!WriteFile(base + ".csv", RegisterCsv(accounts, cfg->directory.directory)) ||
        !WriteFile(base + ".json", RegisterJson(accounts, cfg->directory.directory).dump(2))) {
      std::cerr << "kontobot: cannot write to " << o.out << "\n";
      return 1;
    }
    written = {base + ".csv", base + ".json"};
  }
  for (const auto& f : written) std::cout << f << "\n";
  return 0;
}

int Serve(const config::Options& o) {
  auto log = spdlog::stderr_color_mt("kontobot");
  log->set_level(spdlog::level::from_str(o.log_level));
  auto cfg = LoadConfig(o, *log);
  if (!cfg) return 1;
  auto& templates = cfg->templates;
  auto& catalog = cfg->catalog;
  auto& directory = cfg->directory;
  for (const Organisation& org : directory.directory.organisations()) {
    if (!templates.templates.count(org.template_id)) {
      log->warn("organisation {} has no template '{}'", org.id, org.template_id);
    }
  }

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Every connection, honest or idle, costs a file descriptor, and
  // cpprestsdk never closes idle ones: take all the descriptors the system
  // allows rather than the default 1024 (see README, "Connections").
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  InitializeThreadPool(o.threads);
  auto store = std::make_unique<store::Store>(o.db);
  // The test clock only in --test-clock mode (options.cc allows it on
  // loopback only); the system clock otherwise.
  SystemClock system_clock;
  AdjustableClock test_clock;
  if (!o.test_clock_now.empty()) {
    auto start = ParseRfc3339(o.test_clock_now);
    if (!start) {
      log->error("--test-clock-now must be like 2026-12-24T09:00:00+01:00");
      return 1;
    }
    test_clock.Set(*start);
  }
  const Clock& clock = o.test_clock ? static_cast<const Clock&>(test_clock) : system_clock;
  ZoneTime local_time("Europe/Stockholm");
  SwedishCalendar calendar;
  Reminders reminders(templates.templates, catalog.catalog, directory.directory, local_time,
                      calendar);
  ConversationEngine engine(templates.templates, catalog.catalog, directory.directory);
  CaseEngine cases(templates.templates, catalog.catalog, directory.directory, local_time);
  ConversationService service(*store, engine, cases, templates.templates, directory.directory,
                              catalog.catalog, clock, log);
  WebChat webchat(service, directory.directory, catalog.catalog);

  HttpServer server(o.listen_host, o.listen_port, o.max_body, log);
  int schema = store->SchemaVersion();
  server.Route("GET", "/healthz", [schema](const Request&) {
    return Response::Json(200, nlohmann::json{{"status", "ok"}, {"schema", schema}}.dump());
  });
  if (o.webchat) webchat.RegisterRoutes(server);
  RegisterPages pages(*store, directory.directory, catalog.catalog);
  pages.RegisterRoutes(server);
  OutboxSender outbox(*store, clock, log);
  InboundQueue inbound(*store, clock, log);
  std::unique_ptr<slack::Adapter> slack_adapter;
  if (!o.slack_signing_secret.empty()) {
    slack_adapter = std::make_unique<slack::Adapter>(
        slack::Settings{o.slack_signing_secret, o.slack_bot_token, o.slack_api_base,
                        o.slack_bot_user},
        service, *store, inbound, directory.directory, catalog.catalog, clock, log);
    slack_adapter->SetSignatureClock(system_clock);
    slack_adapter->RegisterRoutes(server);
    slack_adapter->OnCommit([&outbox] { outbox.Notify(); });
    service.EnableOutboxPlatform("slack");
    outbox.Handle("slack",
                  [&](const store::OutboxItem& item) { return slack_adapter->Deliver(item); });
    inbound.Handle("slack", [&](store::Transaction& tx, const store::QueuedEvent& e) {
      return slack_adapter->Process(tx, e);
    });
  }
  std::unique_ptr<matrix::Adapter> matrix_adapter;
  if (!o.matrix_homeserver.empty()) {
    matrix_adapter = std::make_unique<matrix::Adapter>(
        matrix::Settings{o.matrix_homeserver, o.matrix_server_name, o.matrix_as_token,
                         o.matrix_hs_token, o.matrix_localpart},
        service, *store, directory.directory, catalog.catalog, clock, log);
    matrix_adapter->RegisterRoutes(server);
    matrix_adapter->OnCommit([&outbox] { outbox.Notify(); });
    service.EnableOutboxPlatform("matrix");
    outbox.Handle("matrix",
                  [&](const store::OutboxItem& item) { return matrix_adapter->Deliver(item); });
  }
  service.OnCommit([&outbox] { outbox.Notify(); });
  ReminderScheduler scheduler(service, clock, log);
  service.EnableReminders(reminders, [&scheduler] { scheduler.Notify(); });
  if (o.test_clock) {
    log->info("--test-clock: POST /test/clock can move this bot's clock (tests only)");
    RegisterTestClock(server, test_clock, [&] {
      scheduler.Notify();
      outbox.Notify();
    });
  }
  inbound.OnCommit([&outbox] { outbox.Notify(); });
  outbox.Start();
  scheduler.Start();
  try {
    server.Start();
  } catch (const std::exception& e) {
    log->error("{}", e.what());
    return 1;
  }
  inbound.Start();  // resumes what was acknowledged before a restart
  log->info(
      "kontobot listening on http://{}:{}/ (database {}, {} templates, {} people, {} threads{})",
      o.listen_host, o.listen_port, o.db, templates.templates.size(),
      directory.directory.people().size(), o.threads,
      std::string(slack_adapter ? ", Slack" : "") + (matrix_adapter ? ", Matrix" : ""));

  int sig = 0;
  sigwait(&signals, &sig);
  log->info("signal {} received; draining requests", sig);
  if (!server.Stop(std::chrono::seconds(10))) log->warn("some requests were still running");
  scheduler.Stop();
  inbound.Stop();
  outbox.Stop();
  store.reset();
  log->info("stopped");
  return 0;
}

}  // namespace

int Run(const config::Options& o) {
  if (o.command == "version") {
    std::cout << "kontobot 0.1.0\n";
    return 0;
  }
  if (o.command == "check-template") return CheckTemplates(o);
  if (o.command == "export") return Export(o);
  if (o.command == "matrix-registration") {
    matrix::Settings m{o.matrix_homeserver, o.matrix_server_name, matrix::NewToken(),
                       matrix::NewToken(), o.matrix_localpart};
    std::cout << matrix::RegistrationYaml(m, o.matrix_url);
    std::cerr << "# kontobot settings to match (keep the tokens secret):\n"
              << "KONTOBOT_MATRIX_HOMESERVER=https://matrix." << m.server_name << "\n"
              << "KONTOBOT_MATRIX_SERVER_NAME=" << m.server_name << "\n"
              << "KONTOBOT_MATRIX_AS_TOKEN=" << m.as_token << "\n"
              << "KONTOBOT_MATRIX_HS_TOKEN=" << m.hs_token << "\n";
    return 0;
  }
  return Serve(o);
}

}  // namespace kontobot::handlers
