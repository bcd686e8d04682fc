#include "handlers/archive.h"

#include <stdexcept>

namespace kontobot::handlers {

std::vector<int64_t> WriteArchive(store::Store&, const std::vector<int64_t>&, const RecordsContext&,
                                  const ArchiveSettings&, ExportDir&) {
  throw std::runtime_error("the archive package is not built yet");
}

}  // namespace kontobot::handlers
