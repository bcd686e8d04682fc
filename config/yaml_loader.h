// Helpers for reading kontobot's YAML files with errors that point at the
// offending line: "dalarna.yaml:42:7: unknown question type 'choise'".
//
// Thread-safety: a YamlReader is used by one thread at a time.
#ifndef KONTOBOT_CONFIG_YAML_LOADER_H_
#define KONTOBOT_CONFIG_YAML_LOADER_H_

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "bot/text.h"

namespace kontobot::config {

// yaml-cpp throws when a missing key's node is asked its type; these ask
// safely.
inline bool IsSeq(const YAML::Node& n) { return n.IsDefined() && n.IsSequence(); }
inline bool IsMapNode(const YAML::Node& n) { return n.IsDefined() && n.IsMap(); }
// map[key] when `map` is a map, else an undefined node. yaml-cpp throws
// when a scalar or an invalid node is subscripted, and what a node is comes
// from the file, so the loaders never subscript without this.
inline YAML::Node Field(const YAML::Node& map, const std::string& key) {
  return IsMapNode(map) ? map[key] : YAML::Node(YAML::NodeType::Undefined);
}

struct LoadError {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
  std::string message;

  std::string ToString() const;  // "file:line:col: message"
};

// Collects errors while reading one file.
class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  // Parses the file; on a syntax error records it and returns a null node.
  YAML::Node LoadFile();
  YAML::Node LoadString(const std::string& text);

  void Error(const YAML::Node& at, const std::string& message);
  // A required scalar string field; records an error and returns "" if
  // missing or not a string.
  std::string Str(const YAML::Node& map, const char* key, bool required = true);
  bool Bool(const YAML::Node& map, const char* key, bool fallback);
  // A localized text {sv, en}; both required when `required`.
  LocalizedText Text(const YAML::Node& map, const char* key, bool required = true);
  // Reports keys of `map` that are not in `known`.
  void OnlyKeys(const YAML::Node& map, const std::vector<std::string>& known);

  const std::vector<LoadError>& errors() const { return errors_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<LoadError> errors_;
};

}  // namespace kontobot::config

#endif  // KONTOBOT_CONFIG_YAML_LOADER_H_
