#include "handlers/pdf.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace kontobot::handlers {
namespace fs = std::filesystem;

namespace {

// The title as a PostScript hex string in UTF-16BE with a byte-order mark,
// which PDF reads as Unicode: no escaping problems, å ä ö intact.
std::string PsUnicodeString(const std::string& utf8) {
  std::u16string u;
  for (size_t i = 0; i < utf8.size();) {
    auto c = static_cast<unsigned char>(utf8[i]);
    char32_t cp = 0xFFFD;
    size_t n = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 6 && i + 1 < utf8.size()) {
      cp = ((c & 0x1Fu) << 6) | (utf8[i + 1] & 0x3F);
      n = 2;
    } else if ((c >> 4) == 14 && i + 2 < utf8.size()) {
      cp = ((c & 0x0Fu) << 12) | ((utf8[i + 1] & 0x3Fu) << 6) | (utf8[i + 2] & 0x3F);
      n = 3;
    } else if ((c >> 3) == 30 && i + 3 < utf8.size()) {
      cp = ((c & 0x07u) << 18) | ((utf8[i + 1] & 0x3Fu) << 12) | ((utf8[i + 2] & 0x3Fu) << 6) |
           (utf8[i + 3] & 0x3F);
      n = 4;
    }
    i += n;
    if (cp < 0x20) continue;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      u += static_cast<char16_t>(0xD800 + (cp >> 10));
      u += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      u += static_cast<char16_t>(cp);
    }
  }
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out = "<FEFF";
  for (char16_t ch : u) {
    for (int shift : {12, 8, 4, 0}) out += kHex[(ch >> shift) & 0xF];
  }
  return out + ">";
}

std::string Tail(const std::string& log) {
  std::ifstream in(log);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  return text.size() > 600 ? text.substr(text.size() - 600) : text;
}

}  // namespace

int RunProgram(const std::vector<std::string>& argv, const std::string& log,
               std::chrono::seconds timeout) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    if (null >= 0) ::dup2(null, 0);
    ::setpgid(0, 0);  // its own group, so a timeout ends its children too
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0) return -1;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string HtmlToPdfA(const std::string& html_path, const std::string& pdf_path,
                       const std::string& title, const PdfTools& tools) {
  std::error_code ec;
  fs::path work =
      fs::temp_directory_path(ec) / ("kontobot-pdf-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(std::hash<std::string>()(pdf_path)));
  fs::remove_all(work, ec);
  fs::create_directories(work / "profile", ec);
  if (ec) return "cannot create a temporary directory: " + ec.message();
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(p, e);
    }
  } cleanup{work};

  std::string printed = (work / "printed.pdf").string();
  std::vector<std::string> chromium{tools.chromium,
                                    "--headless",
                                    "--disable-gpu",
                                    "--no-first-run",
                                    "--no-default-browser-check",
                                    "--disable-extensions",
                                    "--user-data-dir=" + (work / "profile").string(),
                                    "--no-pdf-header-footer",
                                    "--print-to-pdf=" + printed,
                                    "file://" + fs::absolute(html_path).string()};
  // Chromium refuses to run as root with its sandbox; the page is our own
  // (no scripts, nothing fetched: its Content-Security-Policy forbids it).
  if (::getuid() == 0) chromium.insert(chromium.begin() + 1, "--no-sandbox");
  std::string log = (work / "log.txt").string();
  int rc = RunProgram(chromium, log, tools.timeout);
  if (rc == 127) return tools.chromium + " is not installed (Debian package chromium)";
  if (rc != 0 || !fs::exists(printed)) {
    return "chromium could not print the page (exit " + std::to_string(rc) + "): " + Tail(log);
  }

  if (!fs::exists(tools.icc_profile)) {
    return "the sRGB profile " + tools.icc_profile + " is missing (Debian package ghostscript)";
  }
  std::string def = (work / "pdfa_def.ps").string();
  {
    std::ofstream ps(def);
    ps << "%!\n[ /Title " << PsUnicodeString(title) << " /DOCINFO pdfmark\n"
       << "/ICCProfile (" << tools.icc_profile << ") def\n"
       << "[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark\n"
       << "[{icc_PDFA} << /N 3 >> /PUT pdfmark\n"
       << "[{icc_PDFA} ICCProfile (r) file /PUT pdfmark\n"
       << "[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark\n"
       << "[{OutputIntent_PDFA} << /Type /OutputIntent /S /GTS_PDFA1 "
       << "/DestOutputProfile {icc_PDFA} /OutputConditionIdentifier (sRGB) >> /PUT pdfmark\n"
       << "[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark\n";
    if (!ps) return "cannot write " + def;
  }
  std::vector<std::string> gs{tools.ghostscript,
                              "-dPDFA=2",
                              "-dBATCH",
                              "-dNOPAUSE",
                              "-dQUIET",
                              "-dNOOUTERSAVE",
                              "-dPDFACompatibilityPolicy=1",
                              "-sColorConversionStrategy=RGB",
                              "-sDEVICE=pdfwrite",
                              "--permit-file-read=" + tools.icc_profile,
                              "-sOutputFile=" + pdf_path,
                              def,
                              printed};
  rc = RunProgram(gs, log, tools.timeout);
  if (rc == 127) return tools.ghostscript + " is not installed (Debian package ghostscript)";
  if (rc != 0 || !fs::exists(pdf_path)) {
    return "ghostscript could not write PDF/A (exit " + std::to_string(rc) + "): " + Tail(log);
  }
  return "";
}

}  // namespace kontobot::handlers
