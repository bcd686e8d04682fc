// Fuzz target: the message catalogues (config/messages/<lang>/*.yaml),
// one file per language read by LoadCatalogStrings, the same code as
// LoadCatalogDir. Input: the Swedish file, a line "---8<---", the English
// file. Checks: no crash, no UB, no leak, no exception escaping the loader
// or the mustache rendering of any key (a text is a mustache template
// written by a person); command words are read from any text.
#include "config/loaders.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = kontobot::fuzz::AsString(data, size);
  const std::string cut = "\n---8<---\n";
  size_t at = input.find(cut);
  std::string sv = input.substr(0, at);
  std::string en = at == std::string::npos ? "" : input.substr(at + cut.size());
  auto load = kontobot::config::LoadCatalogStrings(sv, en);
  const kontobot::Vars vars{{"name", "Anna"}, {"n", "3"}, {"step", "{{n}}"}};
  for (kontobot::Lang lang : {kontobot::Lang::kSv, kontobot::Lang::kEn}) {
    for (const auto& [key, text] : load.catalog.WithPrefix(lang, "")) {
      load.catalog.Render(lang, key, vars);
      if (key.rfind("command.", 0) == 0) load.catalog.CommandWords(key.substr(8));
    }
  }
  return 0;
}
