// Loaders for the message catalogues (config/messages/<lang>/*.yaml) and the
// directory (config/directory.yaml). Errors carry file:line:column.
#ifndef KONTOBOT_CONFIG_LOADERS_H_
#define KONTOBOT_CONFIG_LOADERS_H_

#include <string>
#include <vector>

#include "bot/directory.h"
#include "bot/text.h"
#include "config/yaml_loader.h"

namespace kontobot::config {

struct CatalogLoad {
  Catalog catalog;
  std::vector<LoadError> errors;
};

// Reads `dir`/sv/*.yaml and `dir`/en/*.yaml: flat maps of key -> text.
// Reports keys present in Swedish but missing in English, and vice versa.
CatalogLoad LoadCatalogDir(const std::string& dir);
// The same from one file's text per language (for tests and fuzzing).
CatalogLoad LoadCatalogStrings(const std::string& sv, const std::string& en);

struct DirectoryLoad {
  Directory directory;
  std::vector<LoadError> errors;
};

DirectoryLoad LoadDirectoryFile(const std::string& path);
DirectoryLoad LoadDirectoryString(const std::string& text, const std::string& name);

}  // namespace kontobot::config

#endif  // KONTOBOT_CONFIG_LOADERS_H_
