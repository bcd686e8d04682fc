// Fuzz target: a checklist template file (YAML, config/templates/SCHEMA.md)
// read by LoadTemplateString, the same code as LoadTemplateFile. Templates
// are written by people, so any text must end in either a template or a
// list of errors with a position. Checks: no crash, no UB, no leak, no
// exception escaping the loader; errors and a template never both; a
// loaded template can be used: every condition evaluates against no
// answers and every question's validator accepts or refuses some typical
// answers without failing.
#include <nlohmann/json.hpp>

#include "bot/answers.h"
#include "config/template_loader.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto load = kontobot::config::LoadTemplateString(kontobot::fuzz::AsString(data, size), "t.yaml");
  FUZZ_CHECK(load.tmpl == nullptr || load.errors.empty());
  FUZZ_CHECK(load.tmpl != nullptr || !load.errors.empty());
  if (!load.tmpl) return 0;
  const kontobot::Template& t = *load.tmpl;
  const nlohmann::json none = nlohmann::json::object();
  for (const kontobot::Step& s : t.steps) {
    if (s.when) s.when->Holds(none);
    if (!s.IsQuestion()) continue;
    for (const char* answer : {"ja", "3", "Anna Berg, anna@kommun.se", "https://kommun.se",
                               "vardagar 8-17", "a", "facebook"}) {
      auto parsed = kontobot::ParseAnswer(s, answer, t, kontobot::Lang::kSv);
      if (parsed.ok) kontobot::FormatAnswer(s, parsed.value, kontobot::Lang::kEn);
    }
  }
  for (const kontobot::ApprovalStep& a : t.approval) {
    if (a.when) a.when->Holds(none);
  }
  return 0;
}
