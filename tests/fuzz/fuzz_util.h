// Helpers shared by the fuzz targets: a property check that aborts (so
// libFuzzer and the corpus replay both report it as a crash, with the
// input kept), and splitting one input into several fields.
#ifndef KONTOBOT_TESTS_FUZZ_FUZZ_UTIL_H_
#define KONTOBOT_TESTS_FUZZ_FUZZ_UTIL_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

// Aborts with the failed condition when a property does not hold.
#define FUZZ_CHECK(...)                                                                       \
  do {                                                                                        \
    if (!(__VA_ARGS__)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #__VA_ARGS__); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)

namespace kontobot::fuzz {

inline std::string AsString(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The first `n - 1` lines of `input` and then the rest (which may hold
// more newlines): seed files stay readable text.
inline std::vector<std::string> SplitLines(const std::string& input, size_t n) {
  std::vector<std::string> out;
  size_t start = 0;
  while (out.size() + 1 < n) {
    size_t nl = input.find('\n', start);
    if (nl == std::string::npos) break;
    out.push_back(input.substr(start, nl - start));
    start = nl + 1;
  }
  out.push_back(start <= input.size() ? input.substr(start) : "");
  while (out.size() < n) out.emplace_back();
  return out;
}

}  // namespace kontobot::fuzz

#endif  // KONTOBOT_TESTS_FUZZ_FUZZ_UTIL_H_
