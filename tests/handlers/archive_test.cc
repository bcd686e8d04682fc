// Strategy: an e-archive package of two cases written from a real store
// file with the shipped configuration, then read back as the archive would:
// the XML files are well-formed (xmllint), METS.xml lists every file with
// its size and SHA-256 and references the ERMS and PREMIS metadata, and a
// package whose file was changed after packaging fails the check.
#include "handlers/archive.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/loaders.h"
#include "config/template_loader.h"
#include "handlers/stockholm_time.h"
#include "store/clock_format.h"
#include "tests/test_support.h"

namespace kontobot::handlers {
namespace {

class ArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/archive_test";
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<store::Store>(dir_ + "/kontobot.db");
    TimePoint now = *store::ParseUtc("2026-11-23T09:14:05.000Z");
    store::Transaction tx(*store_);
    const Person& anna = *directory_.directory.Find("gis-anna");
    tx.UpsertPerson(anna, now);
    for (int64_t id : {1, 2}) {
      Draft d;
      d.id = id;
      d.person_id = anna.id;
      d.template_id = "gislaved";
      d.template_version = 1;
      d.answers["medium"] = {{"value", "facebook"}};
      d.answers["syfte"] = "Ungdomar & <fritid>";
      d.status = DraftStatus::kSubmitted;
      d.created = d.updated = now;
      tx.SaveDraft(d, "gislaved");
      tx.UpsertRegistration(d, "gislaved", now);
      store::StoredMessage m;
      m.at = now;
      m.person_id = anna.id;
      m.channel = "webchat";
      m.direction = "in";
      m.text = "hej \x01 *du*";
      m.draft_id = id;
      tx.AppendMessage(m);
    }
    tx.SetDiary({1, "KS 2026/7", "2026-11-23", "gis-info", now});
    tx.Commit();
  }

  std::string Package() {
    std::string out = dir_ + "/sip-1";
    ExportDir dir(out);
    RecordsContext ctx{templates_.templates, directory_.directory, testing::ShippedCatalog(),
                       local_};
    auto cases =
        WriteArchive(*store_, {}, ctx, {"gis-info", std::chrono::system_clock::now(), false}, dir);
    EXPECT_EQ(cases.size(), 2u);
    dir.Commit();
    return out;
  }

  std::string dir_;
  config::TemplateSetLoad templates_ =
      config::LoadTemplateDir(testing::SourcePath("config/templates"));
  config::DirectoryLoad directory_ =
      config::LoadDirectoryFile(testing::SourcePath("config/directory.yaml"));
  ZoneTime local_{"Europe/Stockholm"};
  std::unique_ptr<store::Store> store_;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(ArchiveTest, PackageHasTheCsipLayoutAndWellFormedMetadata) {
  std::string p = Package();
  for (const char* f :
       {"METS.xml", "metadata/descriptive/erms.xml", "metadata/preservation/premis.xml",
        "representations/rep1/data/registration-1/record.json",
        "representations/rep1/data/registration-1/messages.json",
        "representations/rep1/data/registration-2/dossier.html"}) {
    EXPECT_TRUE(std::filesystem::exists(p + "/" + f)) << f;
  }
  for (const char* f :
       {"METS.xml", "metadata/descriptive/erms.xml", "metadata/preservation/premis.xml"}) {
    std::string cmd = "xmllint --noout " + p + "/" + f + " 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << f;
  }
  std::string mets = Slurp(p + "/METS.xml");
  EXPECT_NE(mets.find("csip:CONTENTINFORMATIONTYPE=\"citserms_v2_1\""), std::string::npos);
  EXPECT_NE(mets.find("csip:OAISPACKAGETYPE=\"SIP\""), std::string::npos);
  EXPECT_NE(mets.find("OBJID=\"sip-1\""), std::string::npos);
  EXPECT_NE(mets.find("LABEL=\"CSIP\""), std::string::npos);
  EXPECT_NE(mets.find("CHECKSUMTYPE=\"SHA-256\""), std::string::npos);
  std::string erms = Slurp(p + "/metadata/descriptive/erms.xml");
  EXPECT_NE(erms.find("aggregationType=\"caseFile\""), std::string::npos);
  EXPECT_NE(erms.find(">KS 2026/7</identification>"), std::string::npos) << "the diarienummer";
  EXPECT_TRUE(VerifyArchive(p).empty());
}

TEST_F(ArchiveTest, AChangedPackagedFileIsCaughtByItsChecksum) {
  std::string p = Package();
  ASSERT_TRUE(VerifyArchive(p).empty());
  std::string f = p + "/representations/rep1/data/registration-2/record.json";
  std::string text = Slurp(f);
  text[text.size() / 2] = text[text.size() / 2] == 'a' ? 'b' : 'a';  // same size, one byte
  std::ofstream(f, std::ios::binary | std::ios::trunc) << text;
  auto problems = VerifyArchive(p);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("registration-2/record.json: SHA-256 does not match"),
            std::string::npos)
      << problems[0];
  std::ofstream(p + "/metadata/descriptive/erms.xml", std::ios::app) << "\n";
  EXPECT_EQ(VerifyArchive(p).size(), 3u) << "metadata files are covered too (checksum and size)";
}

}  // namespace
}  // namespace kontobot::handlers
