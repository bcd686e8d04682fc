// Shared test helpers: load the shipped configuration, build small
// templates from YAML text, a settable clock.
#ifndef KONTOBOT_TESTS_TEST_SUPPORT_H_
#define KONTOBOT_TESTS_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <string>

#include "bot/conversation.h"
#include "config/loaders.h"
#include "config/template_loader.h"

namespace kontobot::testing {

inline std::string SourcePath(const std::string& rel) {
  return std::string(KONTOBOT_SOURCE_DIR) + "/" + rel;
}

inline const Catalog& ShippedCatalog() {
  static const config::CatalogLoad kLoad = config::LoadCatalogDir(SourcePath("config/messages"));
  return kLoad.catalog;
}

inline const Directory& ShippedDirectory() {
  static const config::DirectoryLoad kLoad =
      config::LoadDirectoryFile(SourcePath("config/directory.yaml"));
  return kLoad.directory;
}

// The shipped directory's person `id` (who must exist).
inline const Person& Who(const std::string& id) { return *ShippedDirectory().Find(id); }

inline const TemplateSet& ShippedTemplates() {
  static const config::TemplateSetLoad kLoad =
      config::LoadTemplateDir(SourcePath("config/templates"));
  return kLoad.templates;
}

// Builds a template from YAML text; fails the test on load errors.
inline std::shared_ptr<const Template> TemplateFromYaml(const std::string& yaml) {
  auto load = config::LoadTemplateString(yaml, "test.yaml");
  for (const auto& e : load.errors) ADD_FAILURE() << e.ToString();
  return load.tmpl;
}

class FakeClock final : public Clock {
 public:
  TimePoint Now() const override { return now_; }
  void Advance(std::chrono::seconds s) { now_ += s; }

 private:
  TimePoint now_ = std::chrono::system_clock::from_time_t(1795428000);  // 2026-11-23
};

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_TEST_SUPPORT_H_
