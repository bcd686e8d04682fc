// Fuzz target: the directory file (config/directory.yaml) read by
// LoadDirectoryString, the same code as LoadDirectoryFile. Checks: no
// crash, no UB, no leak, no exception escaping the loader; when the file
// loads without errors, every person is found by id and by each of their
// accounts, and role resolution and deputy checks terminate (superiors and
// deputies may form cycles in a file).
#include "config/loaders.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto load = kontobot::config::LoadDirectoryString(kontobot::fuzz::AsString(data, size), "d.yaml");
  if (!load.errors.empty()) return 0;
  const kontobot::Directory& d = load.directory;
  for (const kontobot::Person& p : d.people()) {
    const kontobot::Person* found = d.Find(p.id);
    FUZZ_CHECK(found != nullptr && found->id == p.id);
    for (const auto& [platform, account] : p.accounts) {
      FUZZ_CHECK(d.FindByAccount(platform, account) != nullptr);
    }
    for (const std::string& role : p.roles) d.ResolveRole(p, role);
    d.ResolveRole(p, "forvaltningschef");
    for (const kontobot::Deputy& dep : p.deputies) d.IsDeputy(p, dep.id, "2026-11-23");
    d.FindByContact(p.org, p.email, p.name);
  }
  return 0;
}
