// The main() of every test binary: GoogleTest's, after giving this process a
// scratch directory of its own. ctest runs each test in a process of its own
// and several at once (-j), and the tests name their files after the test or
// the suite (archive_test/, records_case.db, ...): in one shared /tmp two
// processes of the same suite removed and rewrote each other's files, and a
// test that checks its directory holds no half-written file saw the other
// process's. ::testing::TempDir() reads TEST_TMPDIR on every call, so setting
// it here moves every test's files into the process's own directory, which
// is removed at the end when every test passed (kept for reading otherwise).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                        "/kontobot-test-" + std::to_string(::getpid()) + "-XXXXXX";
  std::string dir;
  if (::mkdtemp(pattern.data()) != nullptr) {
    dir = pattern;
    ::setenv("TEST_TMPDIR", dir.c_str(), 1);
  }
  int rc = RUN_ALL_TESTS();
  if (rc == 0 && !dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  return rc;
}
