#include "handlers/record_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <openssl/evp.h>

#include "bot/chat_markup.h"

namespace kontobot::handlers {
namespace fs = std::filesystem;

namespace {

std::string Hex(const unsigned char* d, unsigned n) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += kHex[d[i] >> 4];
    out += kHex[d[i] & 15];
  }
  return out;
}

void SyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

ExportDir::ExportDir(std::string path) : path_(std::move(path)) {
  while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
  std::error_code ec;
  if (path_.empty()) throw std::runtime_error("no export directory given (--out)");
  if (fs::exists(path_, ec)) {
    throw std::runtime_error(path_ +
                             " already exists: an export writes a new directory; "
                             "choose another --out or move the old one away");
  }
  fs::path parent = fs::absolute(path_, ec).parent_path();
  if (!fs::is_directory(parent, ec)) {
    throw std::runtime_error("cannot write " + path_ + ": " + parent.string() +
                             " is not a directory");
  }
  tmp_ =
      (parent / ("." + fs::path(path_).filename().string() + ".tmp-" + std::to_string(::getpid())))
          .string();
  fs::remove_all(tmp_, ec);
  if (!fs::create_directory(tmp_, ec)) {
    throw std::runtime_error("cannot write in " + parent.string() + ": " + ec.message());
  }
}

ExportDir::~ExportDir() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(tmp_, ec);
}

std::string ExportDir::PathOf(const std::string& name) const { return tmp_ + "/" + name; }

void ExportDir::Write(const std::string& name, std::string_view content) {
  fs::path p = PathOf(name);
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + (fs::path(path_) / name).string());
  files_.push_back({name, content.size(), Sha256Hex(content)});
}

void ExportDir::Add(const std::string& name) {
  uint64_t size = 0;
  std::string sha = Sha256File(PathOf(name), &size);
  files_.push_back({name, size, sha});
}

void ExportDir::Commit() {
  // Every file's data on disk before the directory's name appears.
  for (const File& f : files_) SyncPath(PathOf(f.name));
  for (const auto& e : fs::recursive_directory_iterator(tmp_)) {
    if (e.is_directory()) SyncPath(e.path().string());
  }
  SyncPath(tmp_);
  // rename(2) refuses to replace a non-empty directory and replaces an
  // empty one; check again so an empty directory made meanwhile is not lost.
  std::error_code ec;
  if (fs::exists(path_, ec)) throw std::runtime_error(path_ + " appeared while exporting");
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    throw std::runtime_error("cannot create " + path_ + ": " + std::strerror(errno));
  }
  committed_ = true;
  SyncPath(fs::absolute(path_).parent_path().string());
}

nlohmann::json ExportDir::FilesJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const File& f : files_)
    out.push_back({{"name", f.name}, {"size", f.size}, {"sha256", f.sha256}});
  return out;
}

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned n = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &n, EVP_sha256(), nullptr);
  return Hex(md.data(), n);
}

std::string Sha256File(const std::string& path, uint64_t* size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 16);
  uint64_t total = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize got = in.gcount();
    if (got <= 0) break;
    EVP_DigestUpdate(ctx, buf.data(), static_cast<size_t>(got));
    total += static_cast<uint64_t>(got);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned n = 0;
  EVP_DigestFinal_ex(ctx, md.data(), &n);
  EVP_MD_CTX_free(ctx);
  if (size != nullptr) *size = total;
  return Hex(md.data(), n);
}

std::string LocalRfc3339(const LocalTime& local, TimePoint t) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t);
  auto lm = local.ToLocal(t);  // local wall time to the minute
  long offset = (lm.time_since_epoch() - floor<minutes>(secs).time_since_epoch()).count();
  auto ls = local_seconds(lm.time_since_epoch()) + (secs - floor<minutes>(secs));
  auto day = floor<days>(ls);
  year_month_day ymd{day};
  hh_mm_ss hms{ls - day};
  std::array<char, 128> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02ld:%02ld:%02ld%c%02ld:%02ld",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<long>(hms.hours().count()),
                static_cast<long>(hms.minutes().count()), static_cast<long>(hms.seconds().count()),
                offset < 0 ? '-' : '+', std::labs(offset) / 60, std::labs(offset) % 60);
  return buf.data();
}

std::string CsvCell(std::string_view value) {
  std::string v = CleanText(value);
  // CleanText drops CR and other controls except tab and LF; a cell that
  // began with a CR now begins with what followed, so check the original too.
  bool formula =
      !value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos;
  if (!v.empty() && std::string_view("=+-@\t").find(v.front()) != std::string_view::npos)
    formula = true;
  if (formula) v.insert(v.begin(), '\'');
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvRow(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    out += CsvCell(cells[i]);
  }
  return out + "\r\n";
}

}  // namespace kontobot::handlers
