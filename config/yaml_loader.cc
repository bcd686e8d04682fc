#include "config/yaml_loader.h"

#include <algorithm>

namespace kontobot::config {

std::string LoadError::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  return out + ": " + message;
}

YAML::Node YamlReader::LoadFile() {
  try {
    return YAML::LoadFile(file_);
  } catch (const YAML::BadFile&) {
    errors_.push_back({file_, 0, 0, "cannot read file"});
  } catch (const YAML::Exception& e) {
    errors_.push_back({file_, e.mark.line + 1, e.mark.column + 1, e.msg});
  }
  return {};
}

YAML::Node YamlReader::LoadString(const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    errors_.push_back({file_, e.mark.line + 1, e.mark.column + 1, e.msg});
  }
  return {};
}

void YamlReader::Error(const YAML::Node& at, const std::string& message) {
  YAML::Mark m = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
  if (m.is_null()) {
    errors_.push_back({file_, 0, 0, message});
  } else {
    errors_.push_back({file_, m.line + 1, m.column + 1, message});
  }
}

std::string YamlReader::Str(const YAML::Node& map, const char* key, bool required) {
  YAML::Node v = Field(map, key);
  if (!v.IsDefined() || v.IsNull()) {
    if (required) Error(map, std::string("missing '") + key + "'");
    return "";
  }
  if (!v.IsScalar()) {
    Error(v, std::string("'") + key + "' must be a text");
    return "";
  }
  return v.Scalar();
}

bool YamlReader::Bool(const YAML::Node& map, const char* key, bool fallback) {
  YAML::Node v = Field(map, key);
  if (!v.IsDefined() || v.IsNull()) return fallback;
  bool out = fallback;
  if (!v.IsScalar() || !YAML::convert<bool>::decode(v, out)) {
    Error(v, std::string("'") + key + "' must be true or false");
  }
  return out;
}

LocalizedText YamlReader::Text(const YAML::Node& map, const char* key, bool required) {
  YAML::Node v = Field(map, key);
  LocalizedText out;
  if (!v.IsDefined() || v.IsNull()) {
    if (required) Error(map, std::string("missing '") + key + "' (a text with sv and en)");
    return out;
  }
  if (!v.IsMap()) {
    Error(v, std::string("'") + key + "' must have 'sv' and 'en' texts");
    return out;
  }
  OnlyKeys(v, {"sv", "en"});
  out.sv = Str(v, "sv");
  out.en = Str(v, "en");
  return out;
}

void YamlReader::OnlyKeys(const YAML::Node& map, const std::vector<std::string>& known) {
  if (!IsMapNode(map)) return;
  for (const auto& kv : map) {
    std::string k = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      Error(kv.first, "unknown field '" + k + "'");
    }
  }
}

}  // namespace kontobot::config
