// `kontobot export registration|register|archive` and `kontobot diary`:
// the command line of handlers/export.h. Reads happen in one transaction
// that is closed before anything slow (printing a PDF) runs, so a serving
// kontobot on the same database is not held up; the release is recorded in
// a second transaction once the files are in place.
#include <filesystem>
#include <iostream>
#include <optional>

#include "app/diary_keeping.h"
#include "bot/chat_markup.h"
#include "bot/diary.h"
#include "bot/text.h"
#include "handlers/archive.h"
#include "handlers/dossier.h"
#include "handlers/export.h"
#include "handlers/pdf.h"
#include "handlers/record_files.h"
#include "handlers/stockholm_time.h"

namespace kontobot::handlers {
namespace {

// A message for people on stderr, exit code 1.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int64_t ParseId(const std::string& text) {
  if (text.empty() || text.size() > 15 || text.find_first_not_of("0123456789") != std::string::npos)
    throw Failure("'" + text + "' is not a registration number");
  return std::stoll(text);
}

const Person& Registrar(const config::Options& o, const Directory& directory) {
  if (o.by.empty())
    throw Failure("--by is required: the person id (in the directory) of who does this");
  const Person* p = directory.Find(o.by);
  if (p == nullptr) throw Failure("--by '" + o.by + "' is not a person in the directory");
  return *p;
}

// "2026-11-23" as a calendar date; nullopt for anything else.
std::optional<std::chrono::year_month_day> ParseDate(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (d[i] < '0' || d[i] > '9') return std::nullopt;
  std::chrono::year_month_day ymd{
      std::chrono::year{std::stoi(d.substr(0, 4))},
      std::chrono::month{static_cast<unsigned>(std::stoi(d.substr(5, 2)))},
      std::chrono::day{static_cast<unsigned>(std::stoi(d.substr(8, 2)))}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

class Command {
 public:
  Command(const config::Options& o, const TemplateSet& templates, const Directory& directory,
          const Catalog& catalog, std::ostream& out)
      : o_(o),
        directory_(directory),
        ctx_{templates, directory, catalog, local_, ParseLang(o.lang).value_or(Lang::kSv)},
        out_(out) {
    if (!ParseLang(o.lang)) throw Failure("--lang must be sv or en");
    if (!std::filesystem::exists(o.db))
      throw Failure("there is no database at " + o.db + " (see --db)");
    store_ = std::make_unique<store::Store>(o.db);
  }

  int Run() {
    if (o_.command == "dispose") return Dispose();
    const std::string& what = o_.command == "diary" ? o_.command : o_.args.at(0);
    if (what == "registration") return Registration();
    if (what == "register") return Register();
    if (what == "archive") return Archive();
    if (what == "diary") return Diary();
    throw Failure("unknown export '" + what + "'");
  }

 private:
  TimePoint Now() const { return std::chrono::system_clock::now(); }
  std::string OutDir(const std::string& fallback) const {
    return o_.out.empty() ? fallback : o_.out;
  }

  int Registration() {
    int64_t id = ParseId(o_.args.at(1));
    const Person& registrar = Registrar(o_, directory_);
    if (o_.to.empty())
      throw Failure("--to is required: to whom the records are released (\"anonym\" is allowed)");
    std::string version = o_.masked ? "masked" : "complete";
    TimePoint now = Now();
    std::optional<nlohmann::json> model, record;
    {
      store::Transaction tx(*store_);
      model = DossierModel(tx, id, ctx_, {o_.masked, o_.events, registrar.id, o_.to, now});
      if (!model) throw Failure("there is no registration " + std::to_string(id));
      if (!o_.masked) record = RegistrationRecord(tx, id, ctx_);
    }  // read only: rolled back, the database's lock released before printing
    std::string base = "registration-" + std::to_string(id) + (o_.masked ? "-masked" : "");
    ExportDir dir(OutDir(base));
    dir.Write(base + ".html", DossierHtml(*model));
    if (record) dir.Write(base + ".json", record->dump(2));
    if (o_.pdf) {
      std::string error = HtmlToPdfA(dir.PathOf(base + ".html"), dir.PathOf(base + ".pdf"),
                                     (*model)["title"].get<std::string>());
      if (!error.empty()) throw Failure("no PDF: " + error + " (or leave it out with --pdf=false)");
      dir.Add(base + ".pdf");
    }
    dir.Commit();
    try {
      store::Transaction tx(*store_);
      store::Release r;
      r.registration_id = id;
      r.released_at = now;
      r.released_by = registrar.id;
      r.recipient = CleanText(o_.to);
      r.version = version;
      r.lang = std::string(LangCode(ctx_.lang));
      r.files = dir.FilesJson();
      int64_t release = tx.InsertRelease(r);
      tx.AppendAudit(now, registrar.id, "record.released", "registration:" + std::to_string(id),
                     {{"release", release},
                      {"recipient", r.recipient},
                      {"version", version},
                      {"lang", r.lang},
                      {"files", r.files}});
      tx.Commit();
    } catch (...) {
      // Not recorded, so not handed out: take the files back.
      std::error_code ec;
      std::filesystem::remove_all(dir.path(), ec);
      throw;
    }
    Print(dir);
    return 0;
  }

  int Register() {
    std::vector<store::Account> accounts;
    std::map<int64_t, store::DiaryEntry> diary;
    std::vector<nlohmann::json> history;
    std::vector<store::Disposal> disposals;
    {
      store::Transaction tx(*store_);
      accounts = tx.AllAccounts();
      diary = tx.Diaries();
      history = RegisterHistory(tx, ctx_, accounts);
      disposals = tx.Disposals();
    }
    ExportDir dir(OutDir("register"));
    dir.Write("register.csv", RegisterCsv(accounts, diary, ctx_));
    dir.Write("register-history.csv", RegisterHistoryCsv(history, ctx_));
    dir.Write("disposals.csv", DisposalsCsv(disposals, ctx_));
    dir.Write("register.json",
              RegisterJson(accounts, diary, std::move(history), ctx_, Now()).dump(2));
    dir.Commit();
    Print(dir);
    return 0;
  }

  int Archive() {
    const Person& registrar = Registrar(o_, directory_);
    std::vector<int64_t> ids;
    for (size_t i = 1; i < o_.args.size(); ++i) ids.push_back(ParseId(o_.args[i]));
    TimePoint now = Now();
    ArchiveSettings settings{registrar.id, now, o_.pdf};
    std::string out = OutDir("archive-" + local_.Date(now));
    ExportDir dir(out);
    std::vector<int64_t> written = WriteArchive(*store_, ids, ctx_, settings, dir);
    dir.Commit();
    try {
      store::Transaction tx(*store_);
      for (int64_t id : written) {
        tx.AppendAudit(now, registrar.id, "archive.transferred",
                       "registration:" + std::to_string(id),
                       {{"package", std::filesystem::path(dir.path()).filename().string()}});
      }
      tx.Commit();
    } catch (...) {
      std::error_code ec;
      std::filesystem::remove_all(dir.path(), ec);
      throw;
    }
    Print(dir);
    return 0;
  }

  int Diary() {
    int64_t id = ParseId(o_.args.at(0));
    std::optional<std::string> cleaned = CleanDiaryNumber(o_.args.at(1));
    if (!cleaned) throw Failure("a diarienummer has 1 to 100 characters");
    const std::string& number = *cleaned;
    const Person& registrar = Registrar(o_, directory_);
    TimePoint now = Now();
    std::string date = o_.date.empty() ? local_.Date(now) : o_.date;
    if (!ParseDate(date))
      throw Failure("--date must be a date like 2026-11-23, not '" + date + "'");
    store::Transaction tx(*store_);
    app::DiaryWrite written =
        app::SetDiaryNumber(tx, registrar, id, number, date, now, "command_line");
    if (written.outcome == app::DiaryWrite::Outcome::kUnknownCase)
      throw Failure("there is no registration " + std::to_string(id));
    if (written.outcome == app::DiaryWrite::Outcome::kNotAllowed) {
      throw Failure(registrar.name +
                    " is not the information function of the case's organisation; "
                    "only they keep its diary");
    }
    tx.Commit();
    out_ << "registration " << id << ": " << number << " (" << date << ")\n";
    return 0;
  }

  // Gallring of the originals: the disposal is recorded (what, under which
  // decision, by whom, when) in the transaction that removes them.
  int Dispose() {
    const Person& registrar = Registrar(o_, directory_);
    if (!KeepsDiaryOf(registrar, registrar.org)) {
      throw Failure(registrar.name +
                    " is not an information function; only they dispose of records");
    }
    std::string decision = CleanText(o_.decision);
    if (Trim(decision).empty()) {
      throw Failure(
          "--decision is required: the disposal decision (gallringsbeslut) this follows, "
          "e.g. \"KS 2026/14 § 3\"");
    }
    std::optional<std::chrono::year_month_day> day = ParseDate(o_.before);
    if (!day) throw Failure("--before must be a date like 2026-06-01, not '" + o_.before + "'");
    TimePoint now = Now();
    if (o_.before > local_.Date(now))
      throw Failure("--before " + o_.before + " is after today; nothing can have arrived then");
    TimePoint cutoff = local_.FromLocal(std::chrono::local_time<std::chrono::minutes>{
        std::chrono::local_days{*day}.time_since_epoch()});
    store::Transaction tx(*store_);
    store::Disposal d;
    d.at = now;
    d.by = registrar.id;
    d.what = "message_originals";
    d.before = o_.before;
    d.decision = decision;
    int64_t count = tx.DisposeOriginals(cutoff, d);
    tx.AppendAudit(now, registrar.id, "records.disposed", "message_originals",
                   {{"before", o_.before}, {"decision", decision}, {"count", count}});
    tx.Commit();
    out_ << "disposed of " << count << " original" << (count == 1 ? "" : "s") << " received before "
         << o_.before << " (" << decision << ")\n";
    return 0;
  }

  void Print(const ExportDir& dir) {
    for (const auto& f : dir.files()) out_ << dir.path() << "/" << f.name << "\n";
  }

  const config::Options& o_;
  const Directory& directory_;
  ZoneTime local_{"Europe/Stockholm"};
  RecordsContext ctx_;
  std::ostream& out_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace

int RunExport(const config::Options& options, const TemplateSet& templates,
              const Directory& directory, const Catalog& catalog, std::ostream& out,
              std::ostream& err) {
  try {
    return Command(options, templates, directory, catalog, out).Run();
  } catch (const std::exception& e) {
    err << "kontobot: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace kontobot::handlers
