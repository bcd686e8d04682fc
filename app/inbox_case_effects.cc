// The social inbox's handling cases (issue 18): a flagged item (a valid
// identity number on arrival, a word-list hit, an administrator's Flagga)
// starts its organisation's routine as a case with tasks (bot/inbox_case.h,
// the template's `inbox.case`): the copy saved (done at once: the original
// is the record), removed or hidden (the administrator's button, Dölj, or
// the platform's webhook), registered (the registrar's number given in
// chat: "diarienummer K3 KS 2026/0042"), reported (the reporter confirms).
// Everyone concerned sees one message per case, rewritten as tasks are
// done, saying what is left; the text shown is always the masked one.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/conversation_service.h"
#include "app/turn.h"
#include "bot/inbox_case.h"
#include "bot/text.h"
#include "bot/word_lists.h"

namespace kontobot::app {

namespace {

std::string CaseRef(int64_t id) { return "K" + std::to_string(id); }

// "3:1" -> case 3, task 1; false if malformed.
bool ParseTaskValue(const std::string& value, int64_t* id, int* position) {
  const size_t colon = value.find(':');
  if (colon == std::string::npos) return false;
  *id = std::atoll(value.substr(0, colon).c_str());
  *position = std::atoi(value.substr(colon + 1).c_str());
  return *id > 0 && *position >= 0;
}

}  // namespace

std::vector<std::string> ConversationService::InboxCasePeople(store::Transaction& tx,
                                                              const store::InboxCase& c) {
  std::vector<std::string> people;
  auto add = [&](const std::string& id) {
    if (std::find(people.begin(), people.end(), id) == people.end()) people.push_back(id);
  };
  auto a = c.account != 0 ? tx.LoadAccount(c.account) : std::nullopt;
  if (!a) return people;
  for (const std::string& id : AdministratorIds(*a)) add(id);
  for (const Person* p : InformationFunction(a->org)) add(p->id);
  for (const CaseTask& task : c.tasks) {
    if (task.confirmed_by == "administrator") continue;
    for (const Person* p : directory_.WithRole(a->org, task.confirmed_by)) add(p->id);
  }
  return people;
}

bool ConversationService::MayConfirmInboxCaseTask(store::Transaction& tx, const store::InboxCase& c,
                                                  const CaseTask& task, const Person& person) {
  auto a = c.account != 0 ? tx.LoadAccount(c.account) : std::nullopt;
  if (!a || person.org != a->org) return false;
  // The information function watches over every case of its organisation.
  if (person.HasRole(InformationRoleOf(a->org))) return true;
  if (task.confirmed_by == "administrator") {
    const std::vector<std::string> admins = AdministratorIds(*a);
    return std::find(admins.begin(), admins.end(), person.id) != admins.end();
  }
  return person.HasRole(task.confirmed_by);
}

Reply ConversationService::InboxCaseMessage(store::Transaction& tx, const store::InboxCase& c,
                                            const Person* to, Lang lang) {
  auto item = tx.LoadInboxItem(c.item_id);
  auto a = c.account != 0 ? tx.LoadAccount(c.account) : std::nullopt;
  const Template* t = a ? TemplateOfOrg(a->org) : nullptr;
  const std::string ref = CaseRef(c.id);
  std::string tasks;
  std::vector<Button> buttons;
  for (const CaseTask& task : c.tasks) {
    std::string text = task.task_id;
    if (t != nullptr) {
      for (const InboxCaseTaskSpec& s : t->inbox.case_tasks)
        if (s.id == task.task_id) text = s.text.Get(lang);
    }
    if (!task.report_to.empty() && a) {
      std::string names;
      for (const Person* p : directory_.WithRole(a->org, task.report_to))
        names +=
            (names.empty() ? "" : ", ") + p->name + (p->title.empty() ? "" : " (" + p->title + ")");
      if (!names.empty())
        text += " " + catalog_.Render(lang, "inbox_case.report_to", {{"people", Literal(names)}});
    }
    const std::string who = task.done_by == "kontobot" || task.done_by == "platform"
                                ? catalog_.Render(lang, "inbox_case.by." + task.done_by)
                                : NameOf(task.done_by);
    tasks += "\n" + catalog_.Render(lang, "inbox_case.task." + task.state,
                                    {{"text", Literal(text)}, {"who", Literal(who)}});
    if (task.state != "open" || to == nullptr || !MayConfirmInboxCaseTask(tx, c, task, *to))
      continue;
    const std::string value = std::to_string(c.id) + ":" + std::to_string(task.position);
    const Vars kind{{"kind", catalog_.Render(lang, "inbox_case.kind." + task.kind)}};
    if (task.kind != "register")
      buttons.push_back(
          {"icase_done", value, catalog_.Render(lang, "button.icase_done", kind), "primary"});
    buttons.push_back(
        {"icase_skip", value, catalog_.Render(lang, "button.icase_skip", kind), "default"});
  }
  std::string lists;
  if (t != nullptr) {
    for (const std::string& id : c.lists) {
      for (const WordList& l : t->inbox.word_lists)
        if (l.id == id) lists += (lists.empty() ? "" : ", ") + l.title.Get(lang);
    }
  }
  std::vector<std::string> kinds;
  for (const std::string& k : RemainingKinds(c.tasks))
    kinds.push_back(catalog_.Render(lang, "inbox_case.kind." + k));
  std::string remaining;
  for (const std::string& k : kinds) remaining += (remaining.empty() ? "" : ", ") + k;
  std::string text =
      catalog_.Render(lang, "inbox_case.message",
                      {{"case", ref},
                       {"reason", catalog_.Render(lang, "inbox_case.reason." + c.reason)},
                       {"account", Literal(a ? a->Label() : "")},
                       {"text", Literal(item ? item->shown : "")},
                       {"link", Literal(item ? item->item.permalink : "")},
                       {"tasks", tasks}});
  if (!lists.empty())
    text += "\n\n" + catalog_.Render(lang, "inbox_case.lists", {{"lists", Literal(lists)}});
  if (t != nullptr && !t->inbox.flag_rule.empty())
    text += "\n\n" + catalog_.Render(lang, "inbox_case.rule",
                                     {{"rule", Literal(t->inbox.flag_rule.Get(lang))}});
  if (!c.diarienummer.empty())
    text += "\n" +
            catalog_.Render(lang, "inbox_case.diarienummer", {{"number", Literal(c.diarienummer)}});
  if (c.state == "closed" || kinds.empty()) {
    text += "\n\n" + catalog_.Render(lang, "inbox_case.closed");
  } else {
    text += "\n\n" + catalog_.Render(lang, "inbox_case.remaining", {{"kinds", remaining}});
    const bool registers = std::any_of(c.tasks.begin(), c.tasks.end(), [](const CaseTask& k) {
      return k.kind == "register" && k.state == "open";
    });
    if (registers)
      text += "\n" + catalog_.Render(lang, "inbox_case.register_hint", {{"case", ref}});
  }
  return {text, buttons};
}

void ConversationService::ShowInboxCase(store::Transaction& tx, int64_t case_id, TimePoint now) {
  std::optional<store::InboxCase> c = tx.LoadInboxCase(case_id);
  if (!c) return;
  nlohmann::json notices = c->notices;
  for (const std::string& to : InboxCasePeople(tx, *c)) {
    const Person* p = directory_.Find(to);
    const Lang lang = kontobot::LanguageOf(p, &tx.Languages());
    Reply r = InboxCaseMessage(tx, *c, p, lang);
    std::optional<store::StoredMessage> shown;
    if (notices.contains(to) && notices[to].is_number_integer())
      shown = tx.LoadMessage(notices[to].get<int64_t>());
    if (shown && shown->person_id == to) {
      tx.EditMessage(shown->id, r, now);
      if (auto edited = tx.LoadMessage(shown->id)) Dispatch(tx, *edited, true, now);
    } else {
      notices[to] = Send(tx, to, r, {}, 0, now).id;
    }
  }
  tx.SetInboxCaseNotices(case_id, notices);
}

void ConversationService::InboxCaseHistory(store::Transaction& tx, const store::InboxCase& c,
                                           const std::string& event, const std::string& by,
                                           TimePoint now, nlohmann::json detail) {
  detail["case"] = CaseRef(c.id);
  detail["item"] = c.item_id;
  tx.AppendAudit(now, by, event, "inbox_case:" + std::to_string(c.id), detail);
  if (c.account == 0) return;
  store::AccountChange h;
  h.registration_id = c.account;
  h.at = now;
  h.by = by;
  h.event = event;
  h.detail = detail;
  tx.AppendAccountHistory(h);
}

int64_t ConversationService::OpenInboxCase(store::Transaction& tx,
                                           const store::StoredInboxItem& item,
                                           std::string_view reason,
                                           const std::vector<std::string>& lists,
                                           const std::string& by, TimePoint now) {
  if (item.account == 0) return 0;  // an unknown page: the information function is told
  if (tx.InboxCaseOfItem(item.id)) return 0;
  auto a = tx.LoadAccount(item.account);
  const Template* t = a ? TemplateOfOrg(a->org) : nullptr;
  if (t == nullptr) return 0;
  store::InboxCase c;
  c.item_id = item.id;
  c.account = item.account;
  c.reason = std::string(reason);
  c.lists = lists;
  c.opened_by = by;
  c.tasks = NewCaseTasks(CaseTasksFor(t->inbox, reason));
  if (c.tasks.empty()) return 0;  // the template prescribes no handling
  c.id = tx.InsertInboxCase(c, now);
  if (c.id == 0) return 0;
  nlohmann::json tasks = nlohmann::json::array();
  for (const CaseTask& task : c.tasks) tasks.push_back(task.task_id);
  InboxCaseHistory(tx, c, "inbox_case.opened", by, now,
                   {{"reason", c.reason}, {"lists", lists}, {"tasks", tasks}});
  for (const CaseTask& task : c.tasks) {
    if (task.state == "done")  // the copy: the original is the record
      InboxCaseHistory(tx, c, "inbox_case.task_done", "kontobot", now,
                       {{"task", task.task_id}, {"kind", task.kind}, {"state", task.state}});
  }
  log_->info("inbox: case {} opened for item {} ({})", CaseRef(c.id), item.id, c.reason);
  ShowInboxCase(tx, c.id, now);
  return c.id;
}

void ConversationService::FlagArrivedInboxItem(store::Transaction& tx,
                                               const store::StoredInboxItem& item,
                                               const store::Account& a, TimePoint now) {
  const Template* t = TemplateOfOrg(a.org);
  if (t == nullptr || item.state != "open") return;
  if (item.flagged) {
    OpenInboxCase(tx, item, kFlagIdentityNumber, {}, "kontobot", now);
    return;
  }
  std::vector<std::string> lists;
  for (const WordHit& hit : MatchWordLists(item.item.text, t->inbox.word_lists))
    lists.push_back(hit.list);
  if (!lists.empty()) OpenInboxCase(tx, item, kFlagWordList, lists, "kontobot", now);
}

bool ConversationService::FinishInboxCaseTask(store::Transaction& tx, store::InboxCase& c,
                                              int position, const std::string& state,
                                              const std::string& by, TimePoint now) {
  if (c.state != "open" || position < 0 || position >= static_cast<int>(c.tasks.size()))
    return false;
  if (!tx.FinishInboxCaseTask(c.id, position, state, by, now)) return false;
  CaseTask& task = c.tasks[static_cast<size_t>(position)];
  task.state = state;
  task.done_by = by;
  InboxCaseHistory(tx, c, "inbox_case.task_done", by, now,
                   {{"task", task.task_id}, {"kind", task.kind}, {"state", state}});
  if (CaseComplete(c.tasks) && tx.CloseInboxCase(c.id, now)) {
    c.state = "closed";
    InboxCaseHistory(tx, c, "inbox_case.closed", by, now, {{"diarienummer", c.diarienummer}});
  }
  ShowInboxCase(tx, c.id, now);
  return true;
}

bool ConversationService::CompleteInboxCaseTask(store::Transaction& tx, int64_t item_id,
                                                const std::string& kind, const std::string& by,
                                                TimePoint now) {
  std::optional<store::InboxCase> c = tx.InboxCaseOfItem(item_id);
  if (!c || c->state != "open") return false;
  CaseTask* task = OpenTaskOfKind(c->tasks, kind);
  if (task == nullptr) return false;
  return FinishInboxCaseTask(tx, *c, task->position, "done", by, now);
}

bool ConversationService::HandleInboxCaseInput(Turn& turn, const Input& input) {
  const Lang lang = turn.session.lang;
  auto say = [&](const std::string& key, const Vars& vars = {}) {
    Say(turn, {catalog_.Render(lang, key, vars), {}});
  };
  if (input.action.empty()) {
    // "diarienummer K3 KS 2026/0042": the registrar's number for case 3.
    if (turn.session.active_draft != 0) return false;
    const std::vector<std::string> words = SpaceSeparated(input.text);
    const auto& command = catalog_.CommandWords("diary");
    if (words.size() < 2 || (words[1][0] != 'K' && words[1][0] != 'k') ||
        std::find(command.begin(), command.end(), NormalizeWord(words[0])) == command.end())
      return false;
    const int64_t id = std::atoll(words[1].c_str() + 1);
    if (id <= 0) return false;  // not a case reference: the registration's diarienummer
    std::optional<store::InboxCase> c = turn.tx.LoadInboxCase(id);
    CaseTask* task = c ? OpenTaskOfKind(c->tasks, "register") : nullptr;
    if (!c || task == nullptr) {
      say(c && c->state == "open" ? "inbox_case.no_register" : "inbox_case.unknown",
          {{"case", CaseRef(id)}});
      return true;
    }
    if (!MayConfirmInboxCaseTask(turn.tx, *c, *task, turn.person)) {
      say("inbox_case.not_allowed", {{"case", CaseRef(id)}});
      return true;
    }
    std::string number;
    for (size_t i = 2; i < words.size(); ++i) number += (number.empty() ? "" : " ") + words[i];
    if (number.empty()) {
      say("inbox_case.diary_usage", {{"case", CaseRef(id)}});
      return true;
    }
    turn.tx.SetInboxCaseDiarienummer(c->id, number);
    c->diarienummer = number;
    InboxCaseHistory(turn.tx, *c, "inbox_case.diarienummer", turn.person.id, turn.now,
                     {{"diarienummer", number}});
    FinishInboxCaseTask(turn.tx, *c, task->position, "done", turn.person.id, turn.now);
    say(c->state == "closed" ? "inbox_case.diary_set_closed" : "inbox_case.diary_set",
        {{"case", CaseRef(id)}, {"number", Literal(number)}});
    return true;
  }
  if (input.action != "icase_done" && input.action != "icase_skip") return false;
  int64_t id = 0;
  int position = 0;
  std::optional<store::InboxCase> c;
  if (ParseTaskValue(input.value, &id, &position)) c = turn.tx.LoadInboxCase(id);
  if (!c || position >= static_cast<int>(c->tasks.size())) {
    say("inbox_case.unknown", {{"case", CaseRef(id)}});
    return true;
  }
  const CaseTask task = c->tasks[static_cast<size_t>(position)];
  if (!MayConfirmInboxCaseTask(turn.tx, *c, task, turn.person)) {
    say("inbox_case.not_allowed", {{"case", CaseRef(id)}});
    return true;
  }
  const std::string state = input.action == "icase_done" ? "done" : "skipped";
  if (!FinishInboxCaseTask(turn.tx, *c, position, state, turn.person.id, turn.now)) {
    say("inbox_case.already", {{"case", CaseRef(id)}});
    return true;
  }
  // Done with the comment itself: nothing to answer any more.
  if (task.kind == "remove" && state == "done") {
    if (auto item = turn.tx.LoadInboxItem(c->item_id); item && item->state == "open") {
      turn.tx.SetInboxState(item->id, "hidden", turn.person.id, turn.now);
      if (item->account != 0)
        EndReplyWait(turn.tx, item->account, std::to_string(item->id), turn.now);
    }
  }
  std::string remaining;
  for (const std::string& k : RemainingKinds(c->tasks))
    remaining += (remaining.empty() ? "" : ", ") + catalog_.Render(lang, "inbox_case.kind." + k);
  say(remaining.empty() ? "inbox_case.recorded_closed" : "inbox_case.recorded",
      {{"case", CaseRef(id)},
       {"kind", catalog_.Render(lang, "inbox_case.kind." + task.kind)},
       {"kinds", remaining}});
  return true;
}

}  // namespace kontobot::app
