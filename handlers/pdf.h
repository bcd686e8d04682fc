// Printable HTML to PDF/A-2b with Debian's tools: headless Chromium prints
// the page (`chromium --headless --print-to-pdf`), then Ghostscript
// rewrites it as PDF/A-2b (`gs -dPDFA=2`, sRGB output intent, fonts
// embedded), the format Riksarkivet and SKR name for archived documents.
//
// Thread-safety: each call runs its own processes in its own temporary
// directory; safe to call from several threads.
#ifndef KONTOBOT_HANDLERS_PDF_H_
#define KONTOBOT_HANDLERS_PDF_H_

#include <chrono>
#include <string>
#include <vector>

namespace kontobot::handlers {

struct PdfTools {
  std::string chromium = "chromium";
  std::string ghostscript = "gs";
  // The sRGB profile for the output intent (Debian's ghostscript package).
  std::string icc_profile = "/usr/share/color/icc/ghostscript/srgb.icc";
  std::chrono::seconds timeout{120};
};

// Writes `pdf_path` (PDF/A-2b) from the HTML file `html_path`, with
// `title` as the document title. Returns an empty string on success, else
// what went wrong, for people ("chromium is not installed ...").
std::string HtmlToPdfA(const std::string& html_path, const std::string& pdf_path,
                       const std::string& title, const PdfTools& tools = {});

// Runs `argv` (no shell) with stdout and stderr to `log`; returns the exit
// status, or -1 if it could not start or ran longer than `timeout` (then
// it is killed).
int RunProgram(const std::vector<std::string>& argv, const std::string& log,
               std::chrono::seconds timeout);

}  // namespace kontobot::handlers

#endif  // KONTOBOT_HANDLERS_PDF_H_
