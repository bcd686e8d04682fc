// Strategy: an e-archive package of two cases written from a real store
// file with the shipped configuration, then read back as the archive would:
// the XML files are well-formed (xmllint), METS.xml lists every file with
// its size and SHA-256 and references the ERMS and PREMIS metadata, and a
// package whose file was changed after packaging fails the check; the rules
// of E-ARK CSIP that it follows are read back with XPath.
#include "handlers/archive.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

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
      int64_t message = tx.AppendMessage(m);
      if (id == 1) {  // as Slack sent it (migration 0017)
        tx.KeepOriginal(message, {"slack",
                                  now,
                                  "application/json",
                                  {{"x-slack-signature", "v0=00"}},
                                  R"({"type":"event_callback","event":{"text":"hej <du>"}})"});
      }
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

// What `xmllint --xpath` prints for `expr` on `file` (a count: "0").
std::string XPath(const std::string& file, const std::string& expr) {
  std::string cmd = "xmllint --xpath \"" + expr + "\" " + file + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 256> buf{};
  while (pipe != nullptr && std::fgets(buf.data(), buf.size(), pipe) != nullptr) out += buf.data();
  if (pipe != nullptr) ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

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

// The rules of E-ARK CSIP 2.1 that kontobot's package follows
// (SWEDISH-RECORDS.md 3.1), read from the files with XPath: every file and
// metadata reference carries MIMETYPE, SIZE, CREATED and a SHA-256
// CHECKSUM; references are simple relative URLs; every file of the
// package is referenced once; the structMap labelled CSIP ties them
// together by ids that exist; PREMIS and ERMS cover every data file.
TEST_F(ArchiveTest, EveryFileAndReferenceCarriesWhatCsipRequires) {
  std::string p = Package();
  const std::string mets = p + "/METS.xml";
  auto count = [&](const std::string& expr) { return XPath(mets, "count(" + expr + ")"); };
  const std::string refs = "//*[local-name()='file' or local-name()='mdRef']";
  EXPECT_EQ(count(refs + "[not(@MIMETYPE) or not(@SIZE) or not(@CREATED) or not(@CHECKSUM) or "
                         "not(@CHECKSUMTYPE='SHA-256') or string-length(@CHECKSUM)!=64]"),
            "0");
  const std::string locs = "//*[local-name()='FLocat' or local-name()='mdRef']";
  EXPECT_EQ(count(locs + "[not(@LOCTYPE='URL') or not(@*[local-name()='type']='simple') or "
                         "starts-with(@*[local-name()='href'], '/') or "
                         "contains(@*[local-name()='href'], '://')]"),
            "0");
  EXPECT_EQ(count("/*[local-name()='mets'][@OBJID='sip-1' and @TYPE and @PROFILE]"), "1");
  EXPECT_EQ(
      count("//*[local-name()='metsHdr'][@CREATEDATE]/*[local-name()='agent'][@ROLE='CREATOR' "
            "and @TYPE='OTHER' and @OTHERTYPE='SOFTWARE']"),
      "1");
  EXPECT_EQ(count("//*[local-name()='structMap'][@TYPE='PHYSICAL' and @LABEL='CSIP']/"
                  "*[local-name()='div'][@LABEL='sip-1']"),
            "1");
  // Every id a structMap names exists.
  EXPECT_EQ(count("//*[local-name()='fptr'][not(@FILEID = //@ID)]"), "0");
  EXPECT_EQ(count("//*[local-name()='div'][@DMDID and not(@DMDID = //@ID)]"), "0");
  EXPECT_EQ(count("//*[local-name()='div'][@ADMID and not(@ADMID = //@ID)]"), "0");

  // Every file on disk is referenced exactly once, and nothing else is.
  std::multiset<std::string> referenced;
  std::string hrefs = XPath(mets, "//@*[local-name()='href']");
  for (size_t at = hrefs.find("=\""); at != std::string::npos; at = hrefs.find("=\"", at + 1)) {
    size_t end = hrefs.find('"', at + 2);
    referenced.insert(hrefs.substr(at + 2, end - at - 2));
  }
  std::multiset<std::string> on_disk;
  size_t data_files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
    if (!e.is_regular_file()) continue;
    std::string rel = std::filesystem::relative(e.path(), p).string();
    if (rel == "METS.xml") continue;
    on_disk.insert(rel);
    if (rel.rfind("representations/", 0) == 0) ++data_files;
  }
  EXPECT_EQ(referenced, on_disk);
  EXPECT_TRUE(on_disk.count("representations/rep1/data/registration-1/originals/message-1.json"))
      << "the message as Slack sent it";
  EXPECT_EQ(Slurp(p + "/representations/rep1/data/registration-1/originals/message-1.json"),
            R"({"type":"event_callback","event":{"text":"hej <du>"}})");

  const std::string premis = p + "/metadata/preservation/premis.xml";
  EXPECT_EQ(XPath(premis, "count(//*[local-name()='object'])"), std::to_string(data_files));
  EXPECT_EQ(XPath(premis, "count(//*[local-name()='messageDigestAlgorithm'][.='SHA-256'])"),
            std::to_string(data_files));
  const std::string erms = p + "/metadata/descriptive/erms.xml";
  EXPECT_EQ(XPath(erms, "count(//*[local-name()='appendix'])"), std::to_string(data_files));
  std::string paths = XPath(erms, "//*[local-name()='appendix']/@path");
  for (size_t at = paths.find("=\""); at != std::string::npos; at = paths.find("=\"", at + 1)) {
    size_t end = paths.find('"', at + 2);
    EXPECT_TRUE(std::filesystem::exists(p + "/" + paths.substr(at + 2, end - at - 2)));
  }
  EXPECT_EQ(XPath(erms,
                  "count(//*[local-name()='record'][@recordType='original']/"
                  "*[local-name()='title'][starts-with(., 'Meddelande från Slack')])"),
            "1");
}

}  // namespace
}  // namespace kontobot::handlers
