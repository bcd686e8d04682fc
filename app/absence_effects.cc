// Absence cover (ConversationService's absence effects; issue 17 item 2):
// the absence conversation's routing (bot/absence.h), the confirmed report
// recorded (one absences row per account) and the cover asked with buttons
// only they may press; their answer; another cover, or nobody; and when
// nobody can cover, the organisation's rule (the template's
// `reminders.absence.when_uncovered`) put to the account's administrators,
// the first choice recorded and the information function told. Whom the
// account's reminders go to during the period is decided when they fire
// (Facts, bot/reminders.h); the period's start and end are entered in the
// account's history by two timer rows (absence_start, absence_end).
#include <algorithm>
#include <sstream>

#include "app/conversation_service.h"
#include "app/turn.h"

namespace kontobot::app {
namespace {

std::string Join(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

std::vector<int64_t> Split(const std::string& csv) {
  std::vector<int64_t> out;
  std::stringstream in(csv);
  for (std::string part; std::getline(in, part, ',');) {
    if (int64_t id = std::atoll(part.c_str()); id > 0) out.push_back(id);
  }
  return out;
}

}  // namespace

std::vector<std::string> ConversationService::AdministratorIds(const store::Account& a) const {
  std::vector<std::string> ids;
  for (const auto& admin : a.administrators) {
    if (!admin.is_object()) continue;
    const Person* p =
        directory_.FindByContact(a.org, admin.value("email", ""), admin.value("name", ""));
    if (p != nullptr && std::find(ids.begin(), ids.end(), p->id) == ids.end()) ids.push_back(p->id);
  }
  return ids;
}

const Template* ConversationService::TemplateOfOrg(const std::string& org) const {
  const Organisation* o = directory_.FindOrganisation(org);
  auto t = o != nullptr ? templates_.find(o->template_id) : templates_.end();
  return t != templates_.end() ? t->second.get() : nullptr;
}

std::string ConversationService::InformationRoleOf(const std::string& org) const {
  const Template* t = TemplateOfOrg(org);
  return t != nullptr ? t->contact_role : "informationsfunktion";
}

std::vector<const Person*> ConversationService::InformationFunction(const std::string& org) const {
  return directory_.WithRole(org, InformationRoleOf(org));
}

std::vector<AbsenceAccount> ConversationService::AdministeredAccounts(store::Transaction& tx,
                                                                      const Person& person) {
  std::vector<AbsenceAccount> out;
  for (const store::Account& a : tx.AllAccounts()) {
    if (a.org != person.org || !store::AccountIsOpen(a.status)) continue;
    std::vector<std::string> ids = AdministratorIds(a);
    auto me = std::find(ids.begin(), ids.end(), person.id);
    if (me == ids.end()) continue;
    ids.erase(me);
    const Organisation* o = directory_.FindOrganisation(a.org);
    out.push_back({a.registration_id, a.Label(), o != nullptr ? o->template_id : "", ids});
  }
  return out;
}

bool ConversationService::HandleAbsenceInput(Turn& turn, const Input& input) {
  const bool button = input.action == "intent" && input.value == "absence";
  const bool pending = !button && turn.session.pending.rfind(kAbsencePending, 0) == 0;
  const std::chrono::year_month_day today = LocalToday(turn.now);
  if (input.action == "absence_accept" || input.action == "absence_decline") {
    DecideCover(turn, Split(input.value), input.action == "absence_accept");
    return true;
  }
  if (input.action == "absence_recover") {
    PickCover(turn, input.value);
    return true;
  }
  if (input.action == "absence_rule") {
    ChooseAbsenceRule(turn, input.value);
    return true;
  }
  if (pending && !input.action.empty() && !AbsenceConversation::Owns(input.action)) {
    turn.session.pending.clear();  // another button: the absence question is left
    return false;
  }
  if (!pending && AbsenceConversation::Owns(input.action)) {
    Say(turn, {catalog_.Render(turn.session.lang, "absence.gone"), {}});
    return true;
  }
  AbsenceTurn at;
  if (pending) {
    at = absence_.Handle(turn.person, turn.session.lang, AdministeredAccounts(turn.tx, turn.person),
                         turn.session.pending, input, today);
  } else {
    const Intent intent = button ? Intent::kAbsence : TypedIntent(turn, input);
    if (intent == Intent::kEndAbsence) {
      turn.tx.AppendAudit(turn.now, turn.person.id, "intent.recognised", "person:" + turn.person.id,
                          {{"intent", "end_absence"}});
      EndAbsence(turn, today);
      return true;
    }
    if (intent != Intent::kAbsence) return false;
    turn.tx.AppendAudit(turn.now, turn.person.id, "intent.recognised", "person:" + turn.person.id,
                        {{"intent", "absence"}});
    at =
        absence_.Start(turn.person, turn.session.lang, TemplateOfOrg(turn.person.org),
                       AdministeredAccounts(turn.tx, turn.person), button ? "" : input.text, today);
  }
  turn.session.pending = at.pending;
  for (const AuditEntry& a : at.audit)
    turn.tx.AppendAudit(turn.now, turn.person.id, a.action, a.subject, a.detail);
  for (const Reply& r : at.replies) Say(turn, r);
  if (at.confirmed) ConfirmAbsence(turn, *at.confirmed);
  return true;
}

void ConversationService::AbsenceHistory(store::Transaction& tx, const Absence& a,
                                         const std::string& event, const std::string& by,
                                         TimePoint now, nlohmann::json detail) {
  detail["absence"] = a.id;
  detail["person"] = a.person;
  detail["cover"] = a.cover;
  detail["from"] = a.from;
  detail["to"] = a.to;
  store::Account account;
  account.registration_id = a.account;
  account.status.clear();  // no account: no status in the history row
  if (auto loaded = tx.LoadAccount(a.account)) account = *loaded;
  ChangeHistory(tx, account, event, by, now, detail);
}

void ConversationService::ConfirmAbsence(Turn& turn, const AbsenceRequest& request) {
  std::vector<int64_t> ids;
  for (int64_t account : request.accounts) {
    Absence a;
    a.account = account;
    a.person = turn.person.id;
    a.cover = request.cover;
    a.from = request.period.from;
    a.to = request.period.to;
    a.state = request.cover.empty() ? kAbsenceUncovered : kAbsenceRequested;
    a.reported_by = turn.person.id;
    a.id = turn.tx.InsertAbsence(a, turn.now);
    AbsenceHistory(turn.tx, a, "absence.reported", turn.person.id, turn.now);
    ids.push_back(a.id);
  }
  log_->info("absence of {} reported for {} account(s)", turn.person.id, ids.size());
  if (request.cover.empty()) {
    PutAbsenceRule(turn, ids);
  } else {
    AskCover(turn, ids);
  }
}

// The accounts of `absences` as one line, and their first absence (for the
// period and the people); nullopt when none is left.
std::optional<std::pair<Absence, std::string>> ConversationService::AbsenceGroup(
    store::Transaction& tx, const std::vector<int64_t>& absences) {
  std::optional<Absence> first;
  std::string labels;
  for (int64_t id : absences) {
    auto a = tx.LoadAbsence(id);
    if (!a) continue;
    if (!first) first = a;
    if (auto account = tx.LoadAccount(a->account))
      labels += (labels.empty() ? "" : "; ") + account->Label();
  }
  if (!first) return std::nullopt;
  return std::make_pair(*first, labels);
}

std::string ConversationService::NameOf(const std::string& person) const {
  const Person* p = directory_.Find(person);
  return p != nullptr ? p->name : person;
}

void ConversationService::AskCover(Turn& turn, const std::vector<int64_t>& absences) {
  auto group = AbsenceGroup(turn.tx, absences);
  if (!group) return;
  const Absence& a = group->first;
  const Lang lang = kontobot::LanguageOf(directory_.Find(a.cover), &turn.tx.Languages());
  std::string rule;
  if (const Template* t = TemplateOfOrg(OrgOf(a.person))) {
    const nlohmann::json text = t->reminders.value("absence", nlohmann::json::object())
                                    .value("text", nlohmann::json::object());
    const std::string said = text.value(std::string(LangCode(lang)), text.value("sv", ""));
    if (!said.empty()) rule = "\n\n" + said;
  }
  const std::string value = Join(absences);
  Send(turn.tx, a.cover,
       {catalog_.Render(lang, "absence.cover_request",
                        {{"absent", NameOf(a.person)},
                         {"from", absence_.HumanDay(a.from, lang)},
                         {"to", absence_.HumanDay(a.to, lang)},
                         {"account", Literal(group->second)},
                         {"rule", rule}}),
        {{"absence_accept", value, catalog_.Render(lang, "button.absence_accept"), "primary"},
         {"absence_decline", value, catalog_.Render(lang, "button.absence_decline"), "default"}}},
       {}, 0, turn.now);
  const Lang mine = turn.session.lang;
  Say(turn, {catalog_.Render(mine, "absence.cover_asked",
                             {{"cover", NameOf(a.cover)},
                              {"account", Literal(group->second)},
                              {"from", absence_.HumanDay(a.from, mine)},
                              {"to", absence_.HumanDay(a.to, mine)}}),
             {}});
}

void ConversationService::DecideCover(Turn& turn, const std::vector<int64_t>& absences,
                                      bool accept) {
  const Lang lang = turn.session.lang;
  auto group = AbsenceGroup(turn.tx, absences);
  if (!group) {
    Say(turn, {catalog_.Render(lang, "absence.gone"), {}});
    return;
  }
  const Absence& a = group->first;
  if (a.cover != turn.person.id) {  // only the one asked may answer
    turn.tx.AppendAudit(turn.now, turn.person.id, "absence.refused",
                        "registration:" + std::to_string(a.account),
                        {{"absence", a.id}, {"cover", a.cover}});
    Say(turn,
        {catalog_.Render(lang, "absence.not_your_request", {{"cover", NameOf(a.cover)}}), {}});
    return;
  }
  const std::string to = accept ? kAbsenceInForce : kAbsenceDeclined;
  std::vector<Absence> changed;
  for (int64_t id : absences) {
    auto one = turn.tx.LoadAbsence(id);
    if (!one || one->cover != turn.person.id) continue;
    if (!turn.tx.ChangeAbsence(id, kAbsenceRequested, to, "", turn.now)) continue;
    one->state = to;
    AbsenceHistory(turn.tx, *one, accept ? "absence.accepted" : "absence.declined", turn.person.id,
                   turn.now);
    changed.push_back(*one);
  }
  if (changed.empty()) {  // answered already (another click, another device)
    Say(turn, {catalog_.Render(lang, "absence.already_decided"), {}});
    return;
  }
  auto vars = [&](Lang l) {
    return Vars{{"absent", NameOf(a.person)},
                {"cover", NameOf(a.cover)},
                {"account", Literal(group->second)},
                {"from", absence_.HumanDay(a.from, l)},
                {"to", absence_.HumanDay(a.to, l)}};
  };
  auto lang_of = [&](const std::string& id) {
    return kontobot::LanguageOf(directory_.Find(id), &turn.tx.Languages());
  };
  if (!accept) {
    Say(turn, {catalog_.Render(lang, "absence.declined_cover", vars(lang)), {}});
    OfferOtherCover(turn, changed);
    return;
  }
  if (reminders_ != nullptr) {  // the period's start and end, in the history
    for (const Absence& one : changed) {
      for (const auto& [kind, day] :
           {std::pair<std::string, std::string>{"absence_start", one.from},
            std::pair<std::string, std::string>{"absence_end", one.to}}) {
        Timer t;
        t.kind = kind;
        t.subject = kind + ":" + std::to_string(one.id);
        t.org = OrgOf(one.person);
        t.since = turn.now;
        t.due = reminders_->StartOfDay(day, kind == "absence_end" ? 1 : 0);
        t.detail["absence"] = one.id;
        t.detail["account"] = one.account;
        turn.tx.InsertTimer(t, turn.now);
      }
    }
  }
  Say(turn, {catalog_.Render(lang, "absence.accepted_cover", vars(lang)), {}});
  const Lang absent_lang = lang_of(a.person);
  Send(turn.tx, a.person,
       {catalog_.Render(absent_lang, "absence.accepted_absent", vars(absent_lang)), {}}, {}, 0,
       turn.now);
  for (const Person* info : InformationFunction(OrgOf(a.person))) {
    if (info->id == a.person || info->id == a.cover) continue;
    const Lang l = lang_of(info->id);
    Send(turn.tx, info->id, {catalog_.Render(l, "absence.accepted_info", vars(l)), {}}, {}, 0,
         turn.now);
  }
  log_->info("absence {} of {} covered by {}", a.id, a.person, a.cover);
}

void ConversationService::OfferOtherCover(Turn& turn, const std::vector<Absence>& declined) {
  const Absence& a = declined.front();
  // Who has not been asked for this absence yet: the other administrators
  // of every account, less everyone who declined.
  std::vector<std::string> left;
  bool first = true;
  for (const Absence& one : declined) {
    auto account = turn.tx.LoadAccount(one.account);
    std::vector<std::string> ids =
        account ? AdministratorIds(*account) : std::vector<std::string>{};
    std::erase(ids, one.person);
    for (const Absence& earlier : turn.tx.AbsencesOf(one.account)) {
      if (earlier.person == one.person && earlier.from == one.from && earlier.to == one.to &&
          earlier.state == kAbsenceDeclined)
        std::erase(ids, earlier.cover);
    }
    if (first) {
      left = ids;
      first = false;
    } else {
      std::erase_if(left, [&](const std::string& p) {
        return std::find(ids.begin(), ids.end(), p) == ids.end();
      });
    }
  }
  std::vector<int64_t> ids;
  ids.reserve(declined.size());
  for (const Absence& one : declined) ids.push_back(one.id);
  if (left.empty()) {  // nobody else: the organisation's rule
    std::vector<int64_t> uncovered;
    for (Absence one : declined) {
      one.cover.clear();
      one.state = kAbsenceUncovered;
      one.id = turn.tx.InsertAbsence(one, turn.now);
      AbsenceHistory(turn.tx, one, "absence.uncovered", "kontobot", turn.now);
      uncovered.push_back(one.id);
    }
    PutAbsenceRule(turn, uncovered);
    return;
  }
  const Lang lang = kontobot::LanguageOf(directory_.Find(a.person), &turn.tx.Languages());
  auto group = AbsenceGroup(turn.tx, ids);
  std::vector<Button> buttons;
  buttons.reserve(left.size() + 1);
  for (const std::string& p : left)
    buttons.push_back({"absence_recover", Join(ids).append("|").append(p), NameOf(p), "default"});
  buttons.push_back({"absence_recover", Join(ids) + "|",
                     catalog_.Render(lang, "button.absence_nobody"), "default"});
  Send(turn.tx, a.person,
       {catalog_.Render(lang, "absence.declined_pick",
                        {{"cover", NameOf(a.cover)},
                         {"account", Literal(group ? group->second : "")},
                         {"from", absence_.HumanDay(a.from, lang)},
                         {"to", absence_.HumanDay(a.to, lang)}}),
        buttons},
       {}, 0, turn.now);
}

void ConversationService::PickCover(Turn& turn, const std::string& value) {
  const size_t bar = value.find('|');
  const std::vector<int64_t> declined = Split(value.substr(0, bar));
  const std::string cover = bar == std::string::npos ? "" : value.substr(bar + 1);
  std::vector<int64_t> fresh;
  for (int64_t id : declined) {
    auto a = turn.tx.LoadAbsence(id);
    // Only the absent person picks, once per declined request (the
    // detail's "next" is not kept: a second pick finds the row moved on).
    if (!a || a->person != turn.person.id) continue;
    if (!turn.tx.ChangeAbsence(id, kAbsenceDeclined, kAbsenceCancelled, "", turn.now)) continue;
    Absence next = *a;
    next.cover = cover;
    next.state = cover.empty() ? kAbsenceUncovered : kAbsenceRequested;
    next.id = turn.tx.InsertAbsence(next, turn.now);
    AbsenceHistory(turn.tx, next, cover.empty() ? "absence.uncovered" : "absence.reported",
                   turn.person.id, turn.now);
    fresh.push_back(next.id);
  }
  if (fresh.empty()) {
    Say(turn, {catalog_.Render(turn.session.lang, "absence.gone"), {}});
    return;
  }
  if (cover.empty()) {
    PutAbsenceRule(turn, fresh);
  } else {
    AskCover(turn, fresh);
  }
}

void ConversationService::PutAbsenceRule(Turn& turn, const std::vector<int64_t>& absences) {
  auto group = AbsenceGroup(turn.tx, absences);
  if (!group) return;
  const Absence& a = group->first;
  const Template* t = TemplateOfOrg(OrgOf(a.person));
  const nlohmann::json block =
      t != nullptr ? t->reminders.value("absence", nlohmann::json::object()) : nlohmann::json{};
  std::vector<std::string> choices;
  for (const auto& c : block.value("when_uncovered", nlohmann::json::array()))
    if (c.is_string()) choices.push_back(c.get<std::string>());
  if (choices.empty()) choices.emplace_back("appoint");  // a rule of no template: ask for a cover
  // The administrators of the accounts, the absent person among them.
  std::vector<std::string> to{a.person};
  for (int64_t id : absences) {
    auto one = turn.tx.LoadAbsence(id);
    auto account = one ? turn.tx.LoadAccount(one->account) : std::nullopt;
    for (const std::string& p : account ? AdministratorIds(*account) : std::vector<std::string>{})
      if (std::find(to.begin(), to.end(), p) == to.end()) to.push_back(p);
  }
  const std::string value = Join(absences);
  for (const std::string& p : to) {
    const Lang lang = kontobot::LanguageOf(directory_.Find(p), &turn.tx.Languages());
    const nlohmann::json text = block.value("text", nlohmann::json::object());
    std::vector<Button> buttons;
    buttons.reserve(choices.size());
    for (const std::string& c : choices)
      buttons.push_back({"absence_rule", std::string(value).append("|").append(c),
                         catalog_.Render(lang, "button.absence_rule." + c), "default"});
    Reply r{
        catalog_.Render(lang, "absence.rule_task",
                        {{"absent", NameOf(a.person)},
                         {"from", absence_.HumanDay(a.from, lang)},
                         {"to", absence_.HumanDay(a.to, lang)},
                         {"account", Literal(group->second)},
                         {"org", t != nullptr ? t->organisation.Get(lang) : ""},
                         {"rule", text.value(std::string(LangCode(lang)), text.value("sv", ""))}}),
        buttons};
    if (p == turn.person.id) {
      Say(turn, r);
    } else {
      Send(turn.tx, p, r, {}, 0, turn.now);
    }
  }
  turn.tx.AppendAudit(turn.now, "kontobot", "absence.rule_put",
                      "registration:" + std::to_string(a.account),
                      {{"absences", absences}, {"choices", choices}, {"to", to}});
}

void ConversationService::ChooseAbsenceRule(Turn& turn, const std::string& value) {
  const Lang lang = turn.session.lang;
  const size_t bar = value.find('|');
  const std::vector<int64_t> absences = Split(value.substr(0, bar));
  const std::string choice = bar == std::string::npos ? "" : value.substr(bar + 1);
  auto group = AbsenceGroup(turn.tx, absences);
  if (!group || (choice != "closed" && choice != "closed_for_posts" && choice != "appoint")) {
    Say(turn, {catalog_.Render(lang, "absence.gone"), {}});
    return;
  }
  const Absence& a = group->first;
  std::vector<Absence> decided;
  for (int64_t id : absences) {
    auto one = turn.tx.LoadAbsence(id);
    if (!one) continue;
    auto account = turn.tx.LoadAccount(one->account);
    std::vector<std::string> admins =
        account ? AdministratorIds(*account) : std::vector<std::string>{};
    if (one->person != turn.person.id &&
        std::find(admins.begin(), admins.end(), turn.person.id) == admins.end())
      continue;  // not theirs to decide
    // The first choice decides: the row leaves "uncovered" once.
    if (!turn.tx.ChangeAbsence(id, kAbsenceUncovered, kAbsenceEnded, "", turn.now)) continue;
    AbsenceHistory(turn.tx, *one, "absence.rule_chosen", turn.person.id, turn.now,
                   {{"outcome", choice}});
    decided.push_back(*one);
  }
  if (decided.empty()) {
    std::string by, outcome;
    for (const store::AccountChange& c : turn.tx.AccountHistoryOf(a.account)) {  // who decided
      if (c.event == "absence.rule_chosen" && c.detail.value("absence", int64_t{0}) == a.id) {
        by = NameOf(c.by);
        outcome = catalog_.Render(lang, "absence.rule_outcome." + c.detail.value("outcome", ""));
      }
    }
    Say(turn, {by.empty() ? catalog_.Render(lang, "absence.gone")
                          : catalog_.Render(lang, "absence.rule_already",
                                            {{"by", by}, {"outcome", outcome}}),
               {}});
    return;
  }
  Say(turn,
      {catalog_.Render(lang, "absence.rule_recorded",
                       {{"outcome", catalog_.Render(lang, "absence.rule_outcome." + choice)}}),
       {}});
  for (const Person* info : InformationFunction(OrgOf(a.person))) {
    const Lang l = kontobot::LanguageOf(info, &turn.tx.Languages());
    Vars vars{{"absent", NameOf(a.person)},
              {"from", absence_.HumanDay(a.from, l)},
              {"to", absence_.HumanDay(a.to, l)},
              {"account", Literal(group->second)},
              {"by", turn.person.name},
              {"outcome", catalog_.Render(l, "absence.rule_outcome." + choice)}};
    std::string text = catalog_.Render(l, "absence.rule_info", vars);
    if (choice == "appoint") text += "\n\n" + catalog_.Render(l, "absence.rule_appoint_info", vars);
    if (info->id == turn.person.id) {
      Say(turn, {text, {}});
    } else {
      Send(turn.tx, info->id, {text, {}}, {}, 0, turn.now);
    }
  }
  // Trosa: "bör det stängas ner för inlägg alternativt helt även för
  // läsning": the closing case starts with the chosen mode.
  if (choice != "appoint") {
    for (const Absence& one : decided) {
      ConfirmClosing(turn, one.account,
                     {choice, catalog_.Render(lang, "absence.closing_reason",
                                              {{"from", absence_.HumanDay(one.from, lang)},
                                               {"to", absence_.HumanDay(one.to, lang)}})});
    }
  }
  log_->info("absence {}: nobody covers; {} chose {}", a.id, turn.person.id, choice);
}

void ConversationService::EndAbsence(Turn& turn, std::chrono::year_month_day today) {
  const Lang lang = turn.session.lang;
  const std::string date = IsoDate(today);
  std::vector<Absence> ended;
  for (const char* state : {kAbsenceRequested, kAbsenceInForce}) {
    for (Absence a : turn.tx.AbsencesIn(state)) {
      if (a.person != turn.person.id || a.to < date) continue;
      // Not begun: called off. Begun: it ends today, and the reminders go
      // to the person again at once (InForce reads the state).
      const bool begun = a.state == kAbsenceInForce && a.from <= date;
      const std::string to = begun ? kAbsenceEnded : kAbsenceCancelled;
      if (!turn.tx.ChangeAbsence(a.id, a.state, to, "", turn.now)) continue;
      a.state = to;
      AbsenceHistory(turn.tx, a, begun ? "absence.ended_early" : "absence.cancelled",
                     turn.person.id, turn.now, {{"on", date}});
      ended.push_back(a);
    }
  }
  if (ended.empty()) {
    Say(turn, {catalog_.Render(lang, "absence.none_to_end"), {}});
    return;
  }
  std::string accounts;
  std::vector<std::string> covers;
  for (const Absence& a : ended) {
    if (auto account = turn.tx.LoadAccount(a.account))
      accounts += (accounts.empty() ? "" : "; ") + account->Label();
    if (!a.cover.empty() && std::find(covers.begin(), covers.end(), a.cover) == covers.end())
      covers.push_back(a.cover);
  }
  std::string told;
  for (const std::string& c : covers) told += (told.empty() ? "" : ", ") + NameOf(c);
  Say(turn, {catalog_.Render(lang, covers.empty() ? "absence.ended" : "absence.ended_told",
                             {{"account", Literal(accounts)}, {"cover", told}}),
             {}});
  for (const std::string& c : covers) {
    const Lang l = kontobot::LanguageOf(directory_.Find(c), &turn.tx.Languages());
    Send(turn.tx, c,
         {catalog_.Render(l, "absence.ended_cover",
                          {{"absent", turn.person.name}, {"account", Literal(accounts)}}),
          {}},
         {}, 0, turn.now);
  }
  log_->info("{} ended {} absence(s) early", turn.person.id, ended.size());
}

void ConversationService::FireAbsenceTimer(store::Transaction& tx, const Timer& t, TimePoint now) {
  auto a = tx.LoadAbsence(t.detail.value("absence", int64_t{0}));
  tx.CloseTimer(t.id, a && a->state == kAbsenceInForce ? "fired" : "cancelled", now);
  if (!a || a->state != kAbsenceInForce) return;  // cancelled meanwhile
  if (t.kind == "absence_start") {
    AbsenceHistory(tx, *a, "absence.started", "kontobot", now);
    return;
  }
  if (tx.ChangeAbsence(a->id, kAbsenceInForce, kAbsenceEnded, "", now)) {
    a->state = kAbsenceEnded;
    AbsenceHistory(tx, *a, "absence.ended", "kontobot", now);
  }
}

}  // namespace kontobot::app
