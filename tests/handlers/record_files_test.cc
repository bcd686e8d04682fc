// Strategy: the pieces every export relies on, on real files: CSV cells a
// spreadsheet cannot run (OWASP's list of formula prefixes), local times
// with their offset across daylight saving, and an export directory that
// appears whole or not at all.
#include "handlers/record_files.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "handlers/stockholm_time.h"
#include "store/clock_format.h"

namespace kontobot::handlers {
namespace {

TEST(RecordFiles, CsvCellNeutralisesEveryFormulaPrefix) {
  EXPECT_EQ(CsvCell("=1+1"), "'=1+1");
  EXPECT_EQ(CsvCell("+46 70"), "'+46 70");
  EXPECT_EQ(CsvCell("-2"), "'-2");
  EXPECT_EQ(CsvCell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvCell("\t=x"), "'\t=x");
  EXPECT_EQ(CsvCell("\r=x"), "'=x");
  EXPECT_EQ(CsvCell("=HYPERLINK(\"a\",\"b\")"), "\"'=HYPERLINK(\"\"a\"\",\"\"b\"\")\"");
  EXPECT_EQ(CsvCell("Anna, Per"), "\"Anna, Per\"");
  EXPECT_EQ(CsvCell("a=b"), "a=b");
}

TEST(RecordFiles, LocalTimeCarriesItsOffsetInWinterAndSummer) {
  ZoneTime local("Europe/Stockholm");
  EXPECT_EQ(LocalRfc3339(local, *store::ParseUtc("2026-11-23T09:14:05.000Z")),
            "2026-11-23T10:14:05+01:00");
  EXPECT_EQ(LocalRfc3339(local, *store::ParseUtc("2026-06-23T09:14:05.000Z")),
            "2026-06-23T11:14:05+02:00");
}

TEST(RecordFiles, ExportDirAppearsOnlyWhenCommitted) {
  std::string path = ::testing::TempDir() + "/record_files_dir";
  std::filesystem::remove_all(path);
  {
    ExportDir dir(path);
    dir.Write("a/b.txt", "abc");
    EXPECT_FALSE(std::filesystem::exists(path));
  }  // not committed: nothing left
  EXPECT_FALSE(std::filesystem::exists(path));
  for (const auto& e : std::filesystem::directory_iterator(::testing::TempDir()))
    EXPECT_EQ(e.path().filename().string().find("record_files_dir.tmp"), std::string::npos);
  ExportDir dir(path);
  dir.Write("a/b.txt", "abc");
  dir.Commit();
  EXPECT_TRUE(std::filesystem::exists(path + "/a/b.txt"));
  EXPECT_EQ(dir.files()[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_THROW(ExportDir again(path), std::runtime_error) << "an existing directory is refused";
}

}  // namespace
}  // namespace kontobot::handlers
