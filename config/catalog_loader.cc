#include <algorithm>
#include <filesystem>

#include "config/loaders.h"

namespace kontobot::config {
namespace {

// Adds one catalogue file's keys to `texts`; errors go to `r`.
void AddFile(YamlReader& r, const YAML::Node& root, std::map<std::string, std::string>& texts) {
  if (r.errors().empty() && !IsMapNode(root)) r.Error(root, "a catalogue is a map of key: text");
  if (!r.errors().empty()) return;
  for (const auto& kv : root) {
    if (!kv.second.IsScalar()) {
      r.Error(kv.second, "'" + kv.first.Scalar() + "' must be a text");
      continue;
    }
    if (!texts.emplace(kv.first.Scalar(), kv.second.Scalar()).second) {
      r.Error(kv.first, "key '" + kv.first.Scalar() + "' is defined twice");
    }
  }
}

// Reports keys missing in one language and builds the catalogue.
void Finish(const std::string& dir, std::map<Lang, std::map<std::string, std::string>> texts,
            CatalogLoad& out) {
  for (const auto& [key, _] : texts[Lang::kSv]) {
    if (!texts[Lang::kEn].count(key))
      out.errors.push_back({dir + "/en", 0, 0, "missing key '" + key + "'"});
  }
  for (const auto& [key, _] : texts[Lang::kEn]) {
    if (!texts[Lang::kSv].count(key))
      out.errors.push_back({dir + "/sv", 0, 0, "missing key '" + key + "'"});
  }
  out.catalog = Catalog(std::move(texts));
}

}  // namespace

CatalogLoad LoadCatalogStrings(const std::string& sv, const std::string& en) {
  CatalogLoad out;
  std::map<Lang, std::map<std::string, std::string>> texts;
  for (auto [lang, text] :
       {std::pair<Lang, const std::string*>{Lang::kSv, &sv}, {Lang::kEn, &en}}) {
    YamlReader r(std::string(LangCode(lang)) + ".yaml");
    YAML::Node root = r.LoadString(*text);
    AddFile(r, root, texts[lang]);
    out.errors.insert(out.errors.end(), r.errors().begin(), r.errors().end());
  }
  Finish("catalogue", std::move(texts), out);
  return out;
}

CatalogLoad LoadCatalogDir(const std::string& dir) {
  CatalogLoad out;
  std::map<Lang, std::map<std::string, std::string>> texts;
  for (Lang lang : {Lang::kSv, Lang::kEn}) {
    std::filesystem::path sub = std::filesystem::path(dir) / std::string(LangCode(lang));
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(sub, ec)) {
      if (e.path().extension() == ".yaml") files.push_back(e.path());
    }
    if (ec || files.empty()) {
      out.errors.push_back({sub.string(), 0, 0, "no message catalogue (*.yaml) found"});
      continue;
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      YamlReader r(f.string());
      YAML::Node root = r.LoadFile();
      AddFile(r, root, texts[lang]);
      out.errors.insert(out.errors.end(), r.errors().begin(), r.errors().end());
    }
  }
  Finish(dir, std::move(texts), out);
  return out;
}

}  // namespace kontobot::config
