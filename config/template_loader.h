// Reads checklist templates (config/templates/*.yaml, format in SCHEMA.md
// beside them) into bot::Template, checking every rule the engine relies on
// and reporting each violation with its file, line and column.
#ifndef KONTOBOT_CONFIG_TEMPLATE_LOADER_H_
#define KONTOBOT_CONFIG_TEMPLATE_LOADER_H_

#include <memory>
#include <string>
#include <vector>

#include "bot/template.h"
#include "config/yaml_loader.h"

namespace kontobot::config {

struct TemplateLoad {
  std::shared_ptr<const Template> tmpl;  // null when there were errors
  std::vector<LoadError> errors;
};

// Loads and validates one template file.
TemplateLoad LoadTemplateFile(const std::string& path);
// Same, from text (for tests and fuzzing); `name` is used in errors.
TemplateLoad LoadTemplateString(const std::string& text, const std::string& name);

struct TemplateSetLoad {
  TemplateSet templates;
  std::vector<LoadError> errors;
};

// Loads every *.yaml file in `dir`. Ids must be unique across files.
TemplateSetLoad LoadTemplateDir(const std::string& dir);

// Parses a reminder duration: "1 working day", "4 working hours", "2 weeks",
// "6 months", "10 days". Returns false for anything else.
bool IsValidDuration(const std::string& text);

}  // namespace kontobot::config

#endif  // KONTOBOT_CONFIG_TEMPLATE_LOADER_H_
