#include "handlers/app.h"

#include <sys/resource.h>
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "app/conversation_service.h"
#include "app/inbound_queue.h"
#include "app/outbox_sender.h"
#include "app/reminder_scheduler.h"
#include "bot/conversation.h"
#include "config/loaders.h"
#include "config/template_loader.h"
#include "handlers/desk/desk.h"
#include "handlers/export.h"
#include "handlers/http_server.h"
#include "handlers/inbox/inbox_adapter.h"
#include "handlers/matrix/matrix_adapter.h"
#include "handlers/mattermost/mattermost_adapter.h"
#include "handlers/mattermost/setup.h"
#include "handlers/register.h"
#include "handlers/sign_in.h"
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

int Export(const config::Options& o) {
  auto log = spdlog::stderr_color_mt("kontobot");
  auto cfg = LoadConfig(o, *log);
  if (!cfg) return 1;
  return RunExport(o, cfg->templates.templates, cfg->directory.directory, cfg->catalog.catalog,
                   std::cout, std::cerr);
}

int Serve(const config::Options& o) {
  auto log = spdlog::stderr_color_mt("kontobot");
  log->set_level(spdlog::level::from_str(o.log_level));

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // A write past a file-size limit (ulimit -f) must fail like one to a full
  // disk, which the store survives, rather than kill the process.
  std::signal(SIGXFSZ, SIG_IGN);

  // Every connection, honest or idle, costs a file descriptor, and
  // cpprestsdk never closes idle ones: take all the descriptors the system
  // allows rather than the default 1024 (see README, "Connections").
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  InitializeThreadPool(o.threads);
  auto app = App::Create(o, log);
  if (!app) return 1;
  try {
    app->Start();
  } catch (const std::exception& e) {
    log->error("{}", e.what());
    return 1;
  }

  int sig = 0;
  sigwait(&signals, &sig);
  log->info("signal {} received; draining requests", sig);
  if (!app->Stop(std::chrono::seconds(10))) log->warn("some requests were still running");
  app.reset();
  log->info("stopped");
  return 0;
}

}  // namespace

struct App::Parts {
  Parts(const config::Options& o, Config c, std::shared_ptr<spdlog::logger> l,
        const TestSettings& t)
      : options(o),
        test(t),
        log(std::move(l)),
        cfg(std::move(c)),
        clock(o.test_clock ? static_cast<const Clock&>(test_clock)
                           : static_cast<const Clock&>(system_clock)),
        store(std::make_unique<store::Store>(o.db, t.db_vfs)),
        reminders(cfg.templates.templates, cfg.catalog.catalog, cfg.directory.directory, local_time,
                  calendar),
        engine(cfg.templates.templates, cfg.catalog.catalog, cfg.directory.directory),
        cases(cfg.templates.templates, cfg.catalog.catalog, cfg.directory.directory, local_time),
        service(*store, engine, cases, cfg.templates.templates, cfg.directory.directory,
                cfg.catalog.catalog, clock, log),
        sign_in(o.auth_header, o.trusted_proxies, cfg.directory.directory, log),
        webchat(service, cfg.directory.directory, cfg.catalog.catalog,
                WebChatAuthorities(o.listen_host, o.listen_port, o.public_host), sign_in),
        desk(*store, cfg.templates.templates, cfg.directory.directory, cfg.catalog.catalog,
             local_time, clock, WebChatAuthorities(o.listen_host, o.listen_port, o.public_host),
             sign_in),
        pages(*store, cfg.directory.directory, cfg.catalog.catalog),
        outbox(*store, cfg.directory.directory, clock, log),
        scheduler(service, clock, log),
        inbound(*store, clock, log),
        server(o.listen_host, o.listen_port, o.max_body, log) {}

  config::Options options;
  TestSettings test;
  std::shared_ptr<spdlog::logger> log;
  Config cfg;  // the engines and edges below hold references into it
  // The test clock only in --test-clock mode (options.cc allows it on
  // loopback only); the system clock otherwise.
  SystemClock system_clock;
  AdjustableClock test_clock;
  const Clock& clock;
  std::unique_ptr<store::Store> store;
  ZoneTime local_time{"Europe/Stockholm"};
  SwedishCalendar calendar;
  Reminders reminders;
  ConversationEngine engine;
  CaseEngine cases;
  app::ConversationService service;
  SignIn sign_in;
  WebChat webchat;
  Desk desk;
  RegisterPages pages;
  std::vector<std::unique_ptr<PlatformEdge>> platforms;
  // Destroyed first: the sender's thread and the server's handlers use
  // everything above.
  app::OutboxSender outbox;
  app::ReminderScheduler scheduler;
  app::InboundQueue inbound;
  HttpServer server;
  bool running = false;
};

namespace {

std::unique_ptr<PlatformEdge> MakeSlack(App::Parts& p, const std::shared_ptr<spdlog::logger>& log) {
  const config::Options& o = p.options;
  auto slack = std::make_unique<slack::Adapter>(
      slack::Settings{o.slack_signing_secret, o.slack_bot_token, o.slack_api_base, o.slack_bot_user,
                      std::chrono::seconds(o.api_timeout)},
      p.service, p.inbound, p.cfg.directory.directory, p.cfg.catalog.catalog, p.clock, log);
  // Slack's five-minute replay window is checked against real time, also
  // under --test-clock.
  slack->SetSignatureClock(p.system_clock);
  return slack;
}

std::unique_ptr<PlatformEdge> MakeMatrix(App::Parts& p,
                                         const std::shared_ptr<spdlog::logger>& log) {
  const config::Options& o = p.options;
  return std::make_unique<matrix::Adapter>(
      matrix::Settings{o.matrix_homeserver, o.matrix_server_name, o.matrix_as_token,
                       o.matrix_hs_token, o.matrix_localpart, std::chrono::seconds(o.api_timeout)},
      p.service, p.inbound, p.cfg.directory.directory, p.cfg.catalog.catalog, p.clock, log);
}

std::unique_ptr<PlatformEdge> MakeMattermost(App::Parts& p,
                                             const std::shared_ptr<spdlog::logger>& log) {
  const config::Options& o = p.options;
  return std::make_unique<mattermost::Adapter>(
      mattermost::Settings{o.mattermost_url, o.mattermost_bot_token, o.mattermost_slash_token,
                           o.mattermost_action_secret, o.mattermost_callback_url,
                           std::chrono::seconds(o.api_timeout)},
      p.service, p.inbound, p.cfg.directory.directory, p.cfg.catalog.catalog, p.clock, log);
}

std::unique_ptr<PlatformEdge> MakeInbox(App::Parts& p, const std::shared_ptr<spdlog::logger>& log) {
  const config::Options& o = p.options;
  inbox::Settings s{o.meta_verify_token,
                    o.meta_app_secret,
                    o.inbox_secret,
                    o.graph_api_base,
                    {},
                    std::chrono::seconds(o.api_timeout)};
  for (const std::string& t : o.meta_page_tokens) {
    size_t eq = t.find('=');
    s.page_tokens[t.substr(0, eq)] = t.substr(eq + 1);
  }
  auto edge =
      std::make_unique<inbox::Adapter>(std::move(s), p.service, p.inbound, p.system_clock, log);
  return edge;
}

}  // namespace

std::unique_ptr<App> App::Create(const config::Options& o,
                                 const std::shared_ptr<spdlog::logger>& log,
                                 const TestSettings& test) {
  auto cfg = LoadConfig(o, *log);
  if (!cfg) return nullptr;
  for (const Organisation& org : cfg->directory.directory.organisations()) {
    if (!cfg->templates.templates.count(org.template_id)) {
      log->warn("organisation {} has no template '{}'", org.id, org.template_id);
    }
  }
  auto p = std::make_unique<Parts>(o, std::move(*cfg), log, test);
  if (!o.test_clock_now.empty()) {
    auto start = ParseRfc3339(o.test_clock_now);
    if (!start) {
      log->error("--test-clock-now must be like 2026-12-24T09:00:00+01:00");
      return nullptr;
    }
    p->test_clock.Set(*start);
  }

  int schema = p->store->SchemaVersion();
  // A stalled outbox sender (app/outbox_sender.h) makes the bot
  // unhealthy: it accepts messages but answers none.
  p->outbox.SetStallAfter(std::chrono::seconds(o.outbox_stall_after));
  p->server.Route("GET", "/healthz", [schema, outbox = &p->outbox](const Request&) {
    app::OutboxSender::Health h = outbox->Check();
    nlohmann::json body{{"status", h.stalled ? "stalled" : "ok"},
                        {"schema", schema},
                        {"outbox",
                         {{"stalled", h.stalled},
                          {"in_flight", h.in_flight},
                          {"longest_ms", h.longest.count()},
                          {"late_ms", h.late.count()}}}};
    return Response::Json(h.stalled ? 503 : 200, body.dump());
  });
  // The desk goes with the web chat: its demo, too, is for loopback only
  // (config/options.cc).
  if (o.webchat) {
    p->webchat.RegisterRoutes(p->server);
    p->desk.RegisterRoutes(p->server);
  }
  if (p->sign_in.enabled()) {
    std::string proxies;
    for (const auto& r : o.trusted_proxies) proxies += (proxies.empty() ? "" : ", ") + r.text();
    log->info("sign-in: the web chat believes {} from {} only", o.auth_header, proxies);
  }
  p->pages.RegisterRoutes(p->server);
  Parts* parts = p.get();
  // The platforms, one line each; every one is wired to the core the same
  // way below (app/platform.h).
  if (!o.slack_signing_secret.empty()) p->platforms.push_back(MakeSlack(*p, log));
  if (!o.matrix_homeserver.empty()) p->platforms.push_back(MakeMatrix(*p, log));
  if (!o.mattermost_url.empty()) p->platforms.push_back(MakeMattermost(*p, log));
  if (!o.meta_app_secret.empty() || !o.inbox_secret.empty())
    p->platforms.push_back(MakeInbox(*p, log));
  for (const auto& platform : p->platforms) {
    PlatformEdge* edge = platform.get();
    edge->RegisterRoutes(p->server);
    p->service.EnableOutboxPlatform(edge->name());
    // A platform that can look its users up answers the core's look-up
    // rows; the core writes the answers (app/platform.h, UserLookup).
    // A platform that acts on public comments (the social inbox's replies
    // and hides) makes the calls; the core writes what they mean.
    auto* lookup = dynamic_cast<app::UserLookup*>(edge);
    auto* comments = dynamic_cast<app::CommentActions*>(edge);
    p->outbox.Handle(edge->name(), [edge, lookup, comments, parts](
                                       const store::OutboxItem& item,
                                       const app::DeliveryContext& context) {
      if (lookup != nullptr && app::ConversationService::IsUserLookup(item))
        return parts->service.DeliverLookUp(*lookup, item, [parts] { parts->inbound.Notify(); });
      if (comments != nullptr && app::ConversationService::IsCommentAction(item))
        return parts->service.DeliverCommentAction(*comments, item);
      return edge->Deliver(item, context);
    });
    if (auto* queued = dynamic_cast<app::QueuedEvents*>(edge)) {
      p->inbound.Handle(edge->name(),
                        [queued](store::Transaction& tx, const store::QueuedEvent& e) {
                          return queued->Process(tx, e);
                        });
    }
  }
  p->service.OnCommit([parts] { parts->outbox.Notify(); });
  // A batch may have started waits (the social inbox's answer times).
  p->inbound.OnCommit([parts] {
    parts->outbox.Notify();
    parts->scheduler.Notify();
  });
  p->service.EnableReminders(p->reminders, [parts] { parts->scheduler.Notify(); });
  if (o.test_clock) {
    log->info("--test-clock: POST /test/clock can move this bot's clock (tests only)");
    RegisterTestClock(p->server, p->test_clock, [parts] {
      parts->scheduler.Notify();
      parts->outbox.Notify();
    });
  }
  return std::unique_ptr<App>(new App(std::move(p)));
}

App::App(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

app::ConversationService& App::Service() { return parts_->service; }
store::Store& App::Store() { return *parts_->store; }

App::~App() {
  if (parts_->running) Stop(std::chrono::seconds(10));
}

void App::Start() {
  Parts& p = *parts_;
  // Only the platforms deliver through the outbox; a bot without one has
  // nothing to send and need not poll the database.
  if (!p.platforms.empty()) p.outbox.Start();
  // Only platforms queue their events; the queue resumes what was acknowledged
  // before a restart. It starts before the listener, so that a /healthz
  // answer means the landing file exists: an event can land the moment
  // anyone can reach the bot, and a test (or an operator's script) that
  // waits for /healthz and then looks into the landing file finds it.
  if (std::any_of(p.platforms.begin(), p.platforms.end(), [](const auto& platform) {
        return dynamic_cast<const app::QueuedEvents*>(platform.get()) != nullptr;
      }))
    p.inbound.Start();
  p.server.Start();
  // Platforms with connections of their own (Mattermost's WebSocket).
  for (const auto& platform : p.platforms) platform->Start();
  if (p.test.reminder_scheduler) p.scheduler.Start();
  p.running = true;
  const config::Options& o = p.options;
  p.log->info(
      "kontobot listening on http://{}:{}/ (database {}, {} templates, {} people, {} threads{})",
      o.listen_host, o.listen_port, o.db, p.cfg.templates.templates.size(),
      p.cfg.directory.directory.people().size(), o.threads, [&p] {
        std::string names;
        for (const auto& platform : p.platforms) names += ", " + platform->name();
        return names;
      }());
}

bool App::Stop(std::chrono::milliseconds drain) {
  Parts& p = *parts_;
  bool drained = p.server.Stop(drain);
  for (const auto& platform : p.platforms) platform->Stop();  // before the queue they feed
  p.scheduler.Stop();
  p.inbound.Stop();
  p.outbox.Stop();
  p.running = false;
  return drained;
}

int Run(const config::Options& o) {
  if (o.command == "version") {
    std::cout << "kontobot 0.1.0\n";
    return 0;
  }
  if (o.command == "check-template") return CheckTemplates(o);
  if (o.command == "export" || o.command == "diary" || o.command == "dispose") return Export(o);
  if (o.command == "mattermost-setup") {
    std::cout << mattermost::SetupText(o.mattermost_url, o.mattermost_callback_url,
                                       mattermost::NewSecret());
    return 0;
  }
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
