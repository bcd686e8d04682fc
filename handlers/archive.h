// The e-archive package: `kontobot export archive` writes a submission
// information package in Riksarkivet's adopted formats, FGS Paketstruktur
// 2.0 (E-ARK CSIP 2.1.0 + SIP 2.1.0) with the cases described per FGS
// Ärendehantering (E-ARK CITS ERMS 2.1): METS.xml at the root,
// metadata/descriptive/erms.xml, metadata/preservation/premis.xml, and per
// case under representations/rep1/data/ its canonical JSON, its messages as
// they were stored, and the dossier as HTML and PDF/A. Every file is listed
// in METS.xml with its size and SHA-256.
//
// Thread-safety: WriteArchive opens its own transactions on `store`.
#ifndef KONTOBOT_HANDLERS_ARCHIVE_H_
#define KONTOBOT_HANDLERS_ARCHIVE_H_

#include <string>
#include <vector>

#include "handlers/export.h"
#include "handlers/record_files.h"

namespace kontobot::handlers {

struct ArchiveSettings {
  std::string transferred_by;  // person id
  TimePoint now{};
  bool pdf = true;  // the dossier as PDF/A too (needs chromium and gs)
};

// Writes the package for cases `ids` (every registration when empty) into
// `dir` (not committed). Returns the cases written. Throws
// std::runtime_error with a message for people (an unknown case, a PDF
// that could not be made).
std::vector<int64_t> WriteArchive(store::Store& store, const std::vector<int64_t>& ids,
                                  const RecordsContext& ctx, const ArchiveSettings& settings,
                                  ExportDir& dir);

// Checks a package against its METS.xml: every file and metadata file
// listed is there with the size and SHA-256 recorded. Returns the problems
// (empty when the package is intact).
std::vector<std::string> VerifyArchive(const std::string& package);

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_ARCHIVE_H_
