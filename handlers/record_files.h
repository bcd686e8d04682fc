// What every records export shares: an export directory that appears
// whole or not at all, SHA-256 of what is written, local times with their
// offset, and CSV cells a spreadsheet cannot take for a formula.
//
// Thread-safety: an ExportDir belongs to one thread; the functions are pure.
#ifndef KONTOBOT_HANDLERS_RECORD_FILES_H_
#define KONTOBOT_HANDLERS_RECORD_FILES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/conversation.h"

namespace kontobot::handlers {

// A new directory `path`, written under a temporary name beside it and
// renamed into place by Commit(), so a reader never sees a half-written
// export and a failure leaves nothing behind.
class ExportDir {
 public:
  // Throws std::runtime_error with a message for people if `path` exists
  // or its parent cannot be written.
  explicit ExportDir(std::string path);
  ExportDir(const ExportDir&) = delete;
  ExportDir& operator=(const ExportDir&) = delete;
  ~ExportDir();  // removes the temporary directory unless committed

  // Writes `name` (may contain '/': subdirectories are created) and
  // records its size and SHA-256. Throws std::runtime_error on failure.
  void Write(const std::string& name, std::string_view content);
  // The temporary path of `name`, for a program that writes it itself
  // (then call Add).
  std::string PathOf(const std::string& name) const;
  // Records a file written through PathOf. Throws if it is missing.
  void Add(const std::string& name);
  // Renames the directory into place (and syncs it). Throws on failure.
  void Commit();

  struct File {
    std::string name;
    uint64_t size = 0;
    std::string sha256;
  };
  const std::vector<File>& files() const { return files_; }
  const std::string& path() const { return path_; }
  // [{"name", "size", "sha256"}]
  nlohmann::json FilesJson() const;

 private:
  std::string path_;
  std::string tmp_;
  bool committed_ = false;
  std::vector<File> files_;
};

// Lower-case hex SHA-256.
std::string Sha256Hex(std::string_view data);
// SHA-256 of a file's content; throws std::runtime_error if unreadable.
std::string Sha256File(const std::string& path, uint64_t* size = nullptr);

// RFC 3339 in local time with its offset: "2026-11-23T10:14:05+01:00".
std::string LocalRfc3339(const LocalTime& local, TimePoint t);

// One RFC 4180 CSV cell. A value a spreadsheet would read as a formula
// (first character =, +, -, @, tab or carriage return) gets a leading
// apostrophe, as OWASP's "CSV Injection" advises; the cell is quoted when
// it holds a comma, quote or line break (quotes doubled).
std::string CsvCell(std::string_view value);
// Cells joined by commas, ending in CRLF.
std::string CsvRow(const std::vector<std::string>& cells);

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_RECORD_FILES_H_
