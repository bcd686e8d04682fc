#include "handlers/archive.h"

#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <stdexcept>

#include "bot/chat_markup.h"
#include "handlers/dossier.h"
#include "handlers/pdf.h"

namespace kontobot::handlers {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string X(const std::string& s) { return EscapeXml(s); }

// A random (version 4) UUID, for ERMS system identifiers and METS ids.
std::string NewUuid() {
  std::array<unsigned char, 16> b{};
  RAND_bytes(b.data(), static_cast<int>(b.size()));
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 15];
  }
  return out;
}

std::string MimeOf(const std::string& name) {
  auto ends = [&](const char* e) {
    return name.size() >= std::strlen(e) &&
           name.compare(name.size() - std::strlen(e), std::string::npos, e) == 0;
  };
  if (ends(".json")) return "application/json";
  if (ends(".html")) return "text/html";
  if (ends(".pdf")) return "application/pdf";
  if (ends(".xml")) return "text/xml";
  if (ends(".form")) return "application/x-www-form-urlencoded";
  return "application/octet-stream";
}

// One case's records in ERMS: a caseFile aggregation with a record per
// file handed over, titled in words (`titles`, by file).
std::string CaseErms(const json& rec, const std::vector<std::string>& files,
                     const std::map<std::string, std::string>& titles, const RecordsContext& ctx) {
  std::string out =
      "    <aggregation systemIdentifier=\"" + NewUuid() + "\" aggregationType=\"caseFile\">\n";
  out += "      <objectId>registration-" + std::to_string(rec["registration"].get<int64_t>()) +
         "</objectId>\n";
  if (!rec["diary"].is_null()) {
    out += "      <identification identificationType=\"diarienummer\">" +
           X(rec["diary"]["diarienummer"].get<std::string>()) + "</identification>\n";
  }
  out += "      <title>" +
         X(ctx.T("records.dossier.title",
                 {{"id", std::to_string(rec["registration"].get<int64_t>())},
                  {"form", rec["template"]["form_title"].get<std::string>()}})) +
         "</title>\n";
  out += "      <agents>\n        <agent agentType=\"creator\"><name>" +
         X(rec["requester_name"].get<std::string>()) + "</name></agent>\n";
  for (const auto& t : rec["tasks"]) {
    if (t["kind"] == "approval" && t["status"] == "approved") {
      out += "        <agent agentType=\"authorising_person\"><name>" +
             X(t["decided_by_name"].get<std::string>()) + "</name></agent>\n";
    }
  }
  out += "      </agents>\n      <dates>\n        <date dateType=\"created\">" +
         X(rec["submitted_at"].get<std::string>()) + "</date>\n";
  if (!rec["diary"].is_null()) {
    out += "        <date dateType=\"registration\">" +
           X(rec["diary"]["registered_on"].get<std::string>()) + "</date>\n";
  }
  out += "      </dates>\n";
  for (const std::string& f : files) {
    const char* type = f.find("dossier") != std::string::npos       ? "dossier"
                       : f.find("/originals/") != std::string::npos ? "original"
                                                                    : "data";
    out += "      <record systemIdentifier=\"" + NewUuid() + "\" recordType=\"" + type + "\">\n";
    out += "        <objectId>" + X(fs::path(f).filename().string()) + "</objectId>\n";
    auto title = titles.find(f);
    out += "        <title>" +
           X(title != titles.end() ? title->second : fs::path(f).filename().string()) +
           "</title>\n";
    out += "        <additionalInformation><appendix name=\"" + X(fs::path(f).filename().string()) +
           "\" path=\"" + X(f) + "\" fileFormat=\"" + MimeOf(f) + "\"/></additionalInformation>\n";
    out += "      </record>\n";
  }
  out += "    </aggregation>\n";
  return out;
}

}  // namespace

std::vector<int64_t> WriteArchive(store::Store& store, const std::vector<int64_t>& ids,
                                  const RecordsContext& ctx, const ArchiveSettings& settings,
                                  ExportDir& dir) {
  std::vector<int64_t> cases = ids;
  std::vector<json> records;
  std::vector<json> dossiers;
  {
    store::Transaction tx(store);
    if (cases.empty()) {
      for (const auto& r : tx.Registrations()) cases.push_back(r.id);
    }
    for (int64_t id : cases) {
      auto rec = RegistrationRecord(tx, id, ctx);
      if (!rec) throw std::runtime_error("there is no registration " + std::to_string(id));
      DossierOptions o;
      o.now = settings.now;
      records.push_back(std::move(*rec));
      dossiers.push_back(*DossierModel(tx, id, ctx, o));
    }
  }
  if (cases.empty()) throw std::runtime_error("there are no registrations to archive");

  const std::string objid = fs::path(dir.path()).filename().string();
  const std::string created = LocalRfc3339(ctx.local, settings.now);
  std::string erms_cases;
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string base = "representations/rep1/data/registration-" + std::to_string(cases[i]) + "/";
    std::vector<std::string> files{base + "record.json", base + "messages.json",
                                   base + "dossier.html"};
    std::map<std::string, std::string> titles{
        {base + "record.json", ctx.T("records.archive.file.record")},
        {base + "messages.json", ctx.T("records.archive.file.messages")},
        {base + "dossier.html", ctx.T("records.archive.file.dossier_html")},
        {base + "dossier.pdf", ctx.T("records.archive.file.dossier_pdf")}};
    // Each chat platform's message as it arrived, byte for byte, in a file
    // of its own (its checksum is the package's); the record names it.
    for (json& m : records[i]["conversation"]) {
      if (!m["original"].is_object()) continue;
      json& o = m["original"];
      const bool form = o["content_type"] == "application/x-www-form-urlencoded";
      std::string name = base + "originals/message-" + std::to_string(m["id"].get<int64_t>()) +
                         (form ? ".form" : ".json");
      dir.Write(name, o["body"].get<std::string>());
      files.push_back(name);
      std::string when = o.value("received_at", "").substr(0, 16);
      if (when.size() > 10) when[10] = ' ';
      titles[name] = ctx.T(
          "records.archive.file.original",
          {{"platform", ctx.T("records.platform." + o.value("platform", ""))}, {"when", when}});
      o["file"] = name.substr(base.size());
      o.erase("body");
    }
    dir.Write(base + "record.json", records[i].dump(2));
    // The messages as they were stored, each with its metadata.
    dir.Write(base + "messages.json", records[i]["conversation"].dump(2));
    dir.Write(base + "dossier.html", DossierHtml(dossiers[i]));
    if (settings.pdf) {
      std::string error =
          HtmlToPdfA(dir.PathOf(base + "dossier.html"), dir.PathOf(base + "dossier.pdf"),
                     dossiers[i]["title"].get<std::string>());
      if (!error.empty()) throw std::runtime_error("no PDF: " + error + " (or --pdf=false)");
      dir.Add(base + "dossier.pdf");
      files.push_back(base + "dossier.pdf");
    }
    erms_cases += CaseErms(records[i], files, titles, ctx);
  }
  const size_t data_files = dir.files().size();

  std::string erms =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<erms xmlns=\"https://DILCIS.eu/XML/ERMS\">\n"
      "  <control>\n"
      "    <identification identificationType=\"packageId\">" +
      X(objid) +
      "</identification>\n"
      "    <maintenanceInformation><maintenanceStatus value=\"new\"/></maintenanceInformation>\n"
      "  </control>\n"
      "  <aggregations>\n" +
      erms_cases + "  </aggregations>\n</erms>\n";
  dir.Write("metadata/descriptive/erms.xml", erms);

  std::string premis =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<premis xmlns=\"http://www.loc.gov/premis/v3\" version=\"3.0\">\n";
  for (size_t i = 0; i < data_files; ++i) {
    const auto& f = dir.files()[i];
    premis +=
        "  <object xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"file\">\n"
        "    <objectIdentifier><objectIdentifierType>local</objectIdentifierType>"
        "<objectIdentifierValue>" +
        X(f.name) +
        "</objectIdentifierValue></objectIdentifier>\n"
        "    <objectCharacteristics><compositionLevel>0</compositionLevel><fixity>"
        "<messageDigestAlgorithm>SHA-256</messageDigestAlgorithm><messageDigest>" +
        f.sha256 + "</messageDigest></fixity><size>" + std::to_string(f.size) +
        "</size><format><formatDesignation><formatName>" + MimeOf(f.name) +
        "</formatName></formatDesignation></format></objectCharacteristics>\n  </object>\n";
  }
  premis +=
      "  <event>\n    <eventIdentifier><eventIdentifierType>local</eventIdentifierType>"
      "<eventIdentifierValue>transfer-" +
      X(objid) +
      "</eventIdentifierValue></eventIdentifier>\n"
      "    <eventType>transfer</eventType>\n    <eventDateTime>" +
      created +
      "</eventDateTime>\n    <linkingAgentIdentifier><linkingAgentIdentifierType>local"
      "</linkingAgentIdentifierType><linkingAgentIdentifierValue>" +
      X(ctx.NameOf(settings.transferred_by)) +
      "</linkingAgentIdentifierValue></linkingAgentIdentifier>\n  </event>\n</premis>\n";
  dir.Write("metadata/preservation/premis.xml", premis);

  auto file_attrs = [&](const ExportDir::File& f) {
    std::string out = R"(MIMETYPE=")" + MimeOf(f.name);
    out += R"(" SIZE=")" + std::to_string(f.size);
    out += R"(" CREATED=")" + created;
    out += R"(" CHECKSUM=")" + f.sha256;
    out += R"(" CHECKSUMTYPE="SHA-256")";
    return out;
  };
  const auto& all = dir.files();
  const ExportDir::File& erms_file = all[data_files];
  const ExportDir::File& premis_file = all[data_files + 1];
  std::string mets =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<mets:mets xmlns:mets=\"http://www.loc.gov/METS/\" "
      "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
      "xmlns:csip=\"https://DILCIS.eu/XML/METS/CSIPExtensionMETS\" "
      "xmlns:sip=\"https://DILCIS.eu/XML/METS/SIPExtensionMETS\" "
      "OBJID=\"" +
      X(objid) + "\" LABEL=\"" + X(ctx.T("records.archive.label")) +
      "\" TYPE=\"Mixed\" csip:CONTENTINFORMATIONTYPE=\"citserms_v2_1\" "
      "PROFILE=\"https://earksip.dilcis.eu/profile/E-ARK-SIP.xml\">\n"
      "  <mets:metsHdr CREATEDATE=\"" +
      created +
      "\" RECORDSTATUS=\"NEW\" csip:OAISPACKAGETYPE=\"SIP\">\n"
      "    <mets:agent ROLE=\"CREATOR\" TYPE=\"OTHER\" OTHERTYPE=\"SOFTWARE\">\n"
      "      <mets:name>kontobot</mets:name>\n"
      "      <mets:note csip:NOTETYPE=\"SOFTWARE VERSION\">0.1.0</mets:note>\n"
      "    </mets:agent>\n"
      "    <mets:agent ROLE=\"CREATOR\" TYPE=\"INDIVIDUAL\">\n"
      "      <mets:name>" +
      X(ctx.NameOf(settings.transferred_by)) +
      "</mets:name>\n"
      "    </mets:agent>\n"
      "  </mets:metsHdr>\n"
      "  <mets:dmdSec ID=\"dmd-erms\" CREATED=\"" +
      created +
      "\">\n"
      "    <mets:mdRef LOCTYPE=\"URL\" MDTYPE=\"OTHER\" OTHERMDTYPE=\"ERMS\" xlink:type=\"simple\" "
      "xlink:href=\"metadata/descriptive/erms.xml\" " +
      file_attrs(erms_file) +
      "/>\n"
      "  </mets:dmdSec>\n"
      "  <mets:amdSec>\n"
      "    <mets:digiprovMD ID=\"digiprov-premis\" CREATED=\"" +
      created +
      "\">\n"
      "      <mets:mdRef LOCTYPE=\"URL\" MDTYPE=\"PREMIS\" xlink:type=\"simple\" "
      "xlink:href=\"metadata/preservation/premis.xml\" " +
      file_attrs(premis_file) +
      "/>\n"
      "    </mets:digiprovMD>\n"
      "  </mets:amdSec>\n"
      "  <mets:fileSec ID=\"file-sec\">\n"
      "    <mets:fileGrp ID=\"fg-rep1\" USE=\"Representations/rep1\">\n";
  for (size_t i = 0; i < data_files; ++i) {
    mets += "      <mets:file ID=\"file-" + std::to_string(i + 1) + "\" " + file_attrs(all[i]) +
            ">\n        <mets:FLocat LOCTYPE=\"URL\" xlink:type=\"simple\" xlink:href=\"" +
            X(all[i].name) + "\"/>\n      </mets:file>\n";
  }
  mets +=
      "    </mets:fileGrp>\n"
      "  </mets:fileSec>\n"
      "  <mets:structMap ID=\"struct-csip\" TYPE=\"PHYSICAL\" LABEL=\"CSIP\">\n"
      "    <mets:div ID=\"div-root\" LABEL=\"" +
      X(objid) +
      "\">\n"
      "      <mets:div ID=\"div-metadata\" LABEL=\"Metadata\" DMDID=\"dmd-erms\" "
      "ADMID=\"digiprov-premis\"/>\n"
      "      <mets:div ID=\"div-rep1\" LABEL=\"Representations/rep1\">\n"
      "        <mets:fptr FILEID=\"fg-rep1\"/>\n"
      "      </mets:div>\n"
      "    </mets:div>\n"
      "  </mets:structMap>\n"
      "</mets:mets>\n";
  dir.Write("METS.xml", mets);
  return cases;
}

std::vector<std::string> VerifyArchive(const std::string& package) {
  std::vector<std::string> problems;
  std::ifstream in(package + "/METS.xml", std::ios::binary);
  if (!in) return {"no METS.xml in " + package};
  std::string mets((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Every file and metadata reference: its href, size and checksum.
  std::regex ref(
      R"re(<mets:(?:file|mdRef)\b[^>]*?SIZE="(\d+)"[^>]*?CHECKSUM="([0-9a-f]{64})"[^>]*?>(?:\s*<mets:FLocat[^>]*?xlink:href="([^"]+)")?)re");
  std::regex href(R"re(xlink:href="([^"]+)")re");
  size_t checked = 0;
  for (auto it = std::sregex_iterator(mets.begin(), mets.end(), ref); it != std::sregex_iterator();
       ++it) {
    std::string whole = (*it)[0];
    std::smatch h;
    if (!std::regex_search(whole, h, href)) continue;
    std::string name = h[1];
    uint64_t size = 0;
    std::string sha;
    try {
      std::string path = package;
      path += '/';
      path += name;
      sha = Sha256File(path, &size);
    } catch (const std::exception&) {
      problems.push_back(name);
      problems.back() += " is missing";
      continue;
    }
    if (sha != (*it)[2].str()) {
      problems.push_back(name);
      problems.back() += ": SHA-256 does not match";
    }
    if (std::to_string(size) != (*it)[1].str()) {
      problems.push_back(name);
      problems.back() += ": size does not match";
    }
    ++checked;
  }
  if (checked == 0) problems.emplace_back("METS.xml lists no files");
  return problems;
}

}  // namespace kontobot::handlers
