#include "handlers/app.h"

#include <csignal>
#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "bot/conversation.h"
#include "config/loaders.h"
#include "config/template_loader.h"
#include "handlers/conversation_service.h"
#include "handlers/http_server.h"
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

int Serve(const config::Options& o) {
  auto log = spdlog::stderr_color_mt("kontobot");
  log->set_level(spdlog::level::from_str(o.log_level));

  auto templates = config::LoadTemplateDir(o.templates);
  auto catalog = config::LoadCatalogDir(o.messages);
  auto directory = config::LoadDirectoryFile(o.directory);
  bool failed = false;
  for (const auto* errors : {&templates.errors, &catalog.errors, &directory.errors}) {
    for (const auto& e : *errors) log->error("{}", e.ToString());
    failed |= !errors->empty();
  }
  if (failed) {
    log->error("configuration has errors; not starting");
    return 1;
  }
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

  InitializeThreadPool(o.threads);
  auto store = std::make_unique<store::Store>(o.db);
  SystemClock clock;
  ConversationEngine engine(templates.templates, catalog.catalog, directory.directory);
  ConversationService service(*store, engine, catalog.catalog, clock, log);
  WebChat webchat(service, directory.directory, catalog.catalog);

  HttpServer server(o.listen_host, o.listen_port, o.max_body, log);
  int schema = store->SchemaVersion();
  server.Route("GET", "/healthz", [schema](const Request&) {
    return Response::Json(200, nlohmann::json{{"status", "ok"}, {"schema", schema}}.dump());
  });
  if (o.webchat) webchat.RegisterRoutes(server);
  try {
    server.Start();
  } catch (const std::exception& e) {
    log->error("{}", e.what());
    return 1;
  }
  log->info("kontobot listening on http://{}:{}/ (database {}, {} templates, {} people, {} threads)",
            o.listen_host, o.listen_port, o.db, templates.templates.size(),
            directory.directory.people().size(), o.threads);

  int sig = 0;
  sigwait(&signals, &sig);
  log->info("signal {} received; draining requests", sig);
  if (!server.Stop(std::chrono::seconds(10))) log->warn("some requests were still running");
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
  return Serve(o);
}

}  // namespace kontobot::handlers
