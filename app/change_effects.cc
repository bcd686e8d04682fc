// Changing a running account (ConversationService's change effects; issue
// 17 item 1): the change conversation's routing (bot/change.h); the
// confirmed edit written over the register's entry as it is in this
// transaction (ApplyEdit checks it again there; the write is a
// compare-and-set on the entry's version), with its account_changes row,
// history row and audit entry; where the template asks new administrators
// to accept (Dalarna), the edit waits for their Accept in chat instead;
// and the people the template's `change.tell` names, the administrators
// added and removed, and the person who asked are told. Every later
// reminder reads the entry (Facts, WaitsOf), so it follows the change.
#include <algorithm>

#include "app/conversation_service.h"
#include "app/turn.h"
#include "bot/answers.h"

namespace kontobot::app {
namespace {

std::string LabelWithUnit(const store::Account& a) {
  std::string label = a.medium;
  for (const std::string* part : {&a.url, &a.unit}) {
    if (!part->empty()) label += (label.empty() ? "" : ", ") + *part;
  }
  return label;
}

nlohmann::json EditJson(const AccountEdit& e) {
  return {{"account", e.account}, {"kind", e.kind},   {"remove", e.remove},  {"add", e.add},
          {"holder", e.holder},   {"value", e.value}, {"version", e.version}};
}

AccountEdit EditFrom(const nlohmann::json& j) {
  AccountEdit e;
  e.account = j.value("account", int64_t{0});
  e.kind = j.value("kind", "");
  e.remove = j.value("remove", nlohmann::json());
  e.add = j.value("add", nlohmann::json::array());
  e.holder = j.value("holder", nlohmann::json());
  e.value = j.value("value", "");
  e.version = j.value("version", int64_t{0});
  return e;
}

}  // namespace

Intent ConversationService::TypedIntent(Turn& turn, const Input& input) {
  // Outside a registration and another conversation's question only:
  // there, the text is an answer.
  if (!input.action.empty() || input.text.empty() || !turn.session.pending.empty())
    return Intent::kUnclear;
  if (turn.session.active_draft != 0) {
    for (const Draft& d : turn.tx.OpenDrafts(turn.person.id))
      if (d.id == turn.session.active_draft) return Intent::kUnclear;
  }
  return recogniser_.Recognise(input.text, TemplateOfOrg(turn.person.org)).intent;
}

std::chrono::year_month_day ConversationService::LocalToday(TimePoint now) const {
  // The organisation's local date (the reminder engine's clock; UTC without it).
  return reminders_ != nullptr
             ? reminders_->LocalDay(now)
             : std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)};
}

AccountEntry ConversationService::EntryOf(store::Transaction& tx, const store::Account& a) const {
  AccountEntry e;
  e.administrators = a.administrators.is_array() ? a.administrators : nlohmann::json::array();
  e.url = a.url;
  e.unit = a.unit;
  e.purpose = a.purpose;
  e.version = a.version;
  e.login_email = a.login_email;
  e.login_holder = a.login_holder;
  // Until first changed, the login address is the registration's answer.
  const Template* t = TemplateOfOrg(a.org);
  if (e.login_email.empty() && t != nullptr && !t->change.login_email.empty()) {
    if (auto r = tx.LoadRegistration(a.registration_id))
      e.login_email = r->answers.value(t->change.login_email, nlohmann::json("")).is_string()
                          ? r->answers.value(t->change.login_email, "")
                          : "";
  }
  return e;
}

std::vector<ChangeableAccount> ConversationService::ChangeableAccounts(store::Transaction& tx,
                                                                       const Person& person) {
  std::vector<ChangeableAccount> out;
  for (const store::Account& a : tx.AllAccounts()) {
    if (a.org != person.org || a.status == store::kAccountClosed) continue;
    const Organisation* o = directory_.FindOrganisation(a.org);
    auto t = o != nullptr ? templates_.find(o->template_id) : templates_.end();
    auto r = tx.LoadRegistration(a.registration_id);
    if (t == templates_.end() || !r) continue;
    if (!MayManageAccount(person, directory_, *t->second, r->person_id, a.administrators)) continue;
    out.push_back({a.registration_id, LabelWithUnit(a), t->first, EntryOf(tx, a)});
  }
  return out;
}

bool ConversationService::HandleChangeInput(Turn& turn, const Input& input) {
  if (input.action == "change_accept" || input.action == "change_decline") {
    DecideChange(turn, std::atoll(input.value.c_str()), input.action == "change_accept");
    return true;
  }
  const bool button = input.action == "intent" && input.value == "change_admins";
  const bool pending = !button && turn.session.pending.rfind(kChangePending, 0) == 0;
  if (pending && !input.action.empty() && !ChangeConversation::Owns(input.action)) {
    turn.session.pending.clear();  // another button: the change question is left
    return false;
  }
  if (!pending && ChangeConversation::Owns(input.action)) {
    Say(turn, {catalog_.Render(turn.session.lang, "change.gone"), {}});
    return true;
  }
  const std::chrono::year_month_day today = LocalToday(turn.now);
  ChangeTurn ct;
  if (pending) {
    ct = change_.Handle(turn.person, turn.session.lang, ChangeableAccounts(turn.tx, turn.person),
                        turn.session.pending, input, today);
  } else {
    if (!button && TypedIntent(turn, input) != Intent::kChangeAdmins) return false;
    turn.tx.AppendAudit(turn.now, turn.person.id, "intent.recognised", "person:" + turn.person.id,
                        {{"intent", "change_admins"}});
    ct = change_.Start(turn.person, turn.session.lang, TemplateOfOrg(turn.person.org),
                       ChangeableAccounts(turn.tx, turn.person), button ? "" : input.text, today);
  }
  turn.session.pending = ct.pending;
  for (const AuditEntry& a : ct.audit)
    turn.tx.AppendAudit(turn.now, turn.person.id, a.action, a.subject, a.detail);
  for (const Reply& r : ct.replies) Say(turn, r);
  if (ct.confirmed) ConfirmChange(turn, *ct.confirmed);
  return true;
}

void ConversationService::ConfirmChange(Turn& turn, const AccountEdit& edit) {
  const Lang lang = turn.session.lang;
  auto a = turn.tx.LoadAccount(edit.account);
  const Template* t = a ? TemplateOfOrg(a->org) : nullptr;
  if (!a || a->status == store::kAccountClosed || t == nullptr) {
    Say(turn, {catalog_.Render(lang, "change.gone"), {}});
    return;
  }
  // Who must give the go-ahead for a new administrator (SMC's district
  // board), when the template names someone: asked instead of the newcomer.
  const Person* approver = nullptr;
  if (!t->change.approve_added.empty() && !edit.add.empty()) {
    approver = t->change.approve_added == "superior"
                   ? directory_.Find(turn.person.superior)
                   : directory_.ResolveRole(turn.person, t->change.approve_added);
  }
  if (approver != nullptr && approver->id != turn.person.id) {
    AskApprover(turn, *a, edit, *approver);
    return;
  }
  if (!t->change.accept || edit.add.empty()) {
    store::AccountChangeRequest row;
    row.registration_id = edit.account;
    row.kind = edit.kind;
    row.detail = EditJson(edit);
    row.requested_by = turn.person.id;
    const std::string why = WriteChange(turn, edit, turn.person.id, row);
    if (!why.empty()) {
      Say(turn, {catalog_.Render(lang, why,
                                 {{"account", Literal(LabelWithUnit(*a))},
                                  {"min", std::to_string(t->change.min_administrators)}}),
                 {}});
    }
    return;
  }
  // New administrators accept first (as at registration): one change per
  // person to accept, each applied when they do.
  std::vector<std::pair<const Person*, AccountEdit>> asks;
  for (size_t i = 0; i < edit.add.size(); ++i) {
    const nlohmann::json& p = edit.add[i];
    const Person* who = directory_.FindByContact(a->org, p.value("email", ""), p.value("name", ""));
    if (who == nullptr) {  // not reachable in chat: cannot accept here
      Say(turn,
          {catalog_.Render(lang, "change.accept_unreachable",
                           {{"name", Literal(p.value("name", ""))},
                            {"contact", ContactLine(t, turn.person, directory_, catalog_, lang)}}),
           {}});
      turn.tx.AppendAudit(turn.now, turn.person.id, "change.refused",
                          "registration:" + std::to_string(edit.account),
                          {{"kind", edit.kind}, {"why", "change.accept_unreachable"}});
      return;
    }
    AccountEdit one = edit;
    one.add = nlohmann::json::array({p});
    if (i > 0) {  // the replaced one leaves with the first newcomer only
      one.kind = kAddAdmin;
      one.remove = nullptr;
    }
    asks.emplace_back(who, one);
  }
  for (const auto& [who, one] : asks) {
    const std::string id = std::to_string(AwaitAnswer(turn, *a, one, *who, false));
    const Lang l = kontobot::LanguageOf(who, &turn.tx.Languages());
    std::string statement;
    if (t->admin_acceptance && !t->admin_acceptance->statement.empty())
      statement = "\n\n" + t->admin_acceptance->statement.Get(l);
    Send(turn.tx, who->id,
         {catalog_.Render(l, "change.accept_request",
                          {{"by", turn.person.name},
                           {"account", Literal(LabelWithUnit(*a))},
                           {"what", change_.Describe(one, l)},
                           {"statement", statement}}),
          {{"change_accept", id, catalog_.Render(l, "button.admin_accept"), "primary"},
           {"change_decline", id, catalog_.Render(l, "button.admin_decline"), "default"}}},
         {}, 0, turn.now);
    Say(turn, {catalog_.Render(lang, "change.awaiting_acceptance",
                               {{"name", who->name}, {"account", Literal(LabelWithUnit(*a))}}),
               {}});
  }
}

int64_t ConversationService::AwaitAnswer(Turn& turn, const store::Account& a,
                                         const AccountEdit& edit, const Person& asked,
                                         bool approver) {
  store::AccountChangeRequest row;
  row.registration_id = edit.account;
  row.kind = edit.kind;
  row.detail = EditJson(edit);
  if (approver) row.detail["decider"] = asked.id;
  row.state = store::kChangeAwaitingAcceptance;
  row.requested_by = turn.person.id;
  row.id = turn.tx.InsertAccountChange(row, turn.now);
  ChangeHistory(turn.tx, a, "change.requested", turn.person.id, turn.now,
                {{"change", row.id},
                 {"edit", row.detail},
                 {approver ? "to_approve" : "to_accept", asked.id},
                 {"what", change_.Describe(edit, Lang::kSv)}});
  return row.id;
}

void ConversationService::AskApprover(Turn& turn, const store::Account& a, const AccountEdit& edit,
                                      const Person& approver) {
  const std::string id = std::to_string(AwaitAnswer(turn, a, edit, approver, true));
  const Lang l = kontobot::LanguageOf(&approver, &turn.tx.Languages());
  Send(turn.tx, approver.id,
       {catalog_.Render(l, "change.approve_request",
                        {{"by", turn.person.name},
                         {"account", Literal(LabelWithUnit(a))},
                         {"what", change_.Describe(edit, l)}}),
        {{"change_accept", id, catalog_.Render(l, "button.approve"), "primary"},
         {"change_decline", id, catalog_.Render(l, "button.reject"), "danger"}}},
       {}, 0, turn.now);
  Say(turn, {catalog_.Render(turn.session.lang, "change.awaiting_approval",
                             {{"name", approver.name}, {"account", Literal(LabelWithUnit(a))}}),
             {}});
}

void ConversationService::DecideChange(Turn& turn, int64_t id, bool accept) {
  const Lang lang = turn.session.lang;
  auto row = turn.tx.LoadAccountChange(id);
  auto a = row ? turn.tx.LoadAccount(row->registration_id) : std::nullopt;
  if (!row || !a) {
    Say(turn, {catalog_.Render(lang, "change.gone"), {}});
    return;
  }
  const AccountEdit edit = EditFrom(row->detail);
  const nlohmann::json newcomer = edit.add.empty() ? nlohmann::json() : edit.add.front();
  // The one asked: the approver the template names (row.detail.decider),
  // else the newcomer.
  const std::string decider = row->detail.value("decider", "");
  const Person* asked = !decider.empty()
                            ? directory_.Find(decider)
                            : directory_.FindByContact(a->org, newcomer.value("email", ""),
                                                       newcomer.value("name", ""));
  if (asked == nullptr || asked->id != turn.person.id) {  // only the one asked answers
    turn.tx.AppendAudit(turn.now, turn.person.id, "change.not_yours",
                        "registration:" + std::to_string(a->registration_id), {{"change", id}});
    Say(turn, {catalog_.Render(lang, "change.not_yours"), {}});
    return;
  }
  if (row->state != store::kChangeAwaitingAcceptance) {
    Say(turn, {catalog_.Render(lang, "change.already_decided"), {}});
    return;
  }
  const Lang requester_lang =
      kontobot::LanguageOf(directory_.Find(row->requested_by), &turn.tx.Languages());
  if (!accept) {
    if (!turn.tx.MoveAccountChange(id, store::kChangeAwaitingAcceptance, store::kChangeDeclined,
                                   turn.person.id, turn.now)) {
      Say(turn, {catalog_.Render(lang, "change.already_decided"), {}});
      return;
    }
    ChangeHistory(turn.tx, *a, "change.declined", turn.person.id, turn.now, {{"change", id}});
    Say(turn,
        {catalog_.Render(lang, "change.you_declined", {{"account", Literal(LabelWithUnit(*a))}}),
         {}});
    Send(turn.tx, row->requested_by,
         {catalog_.Render(requester_lang, "change.declined",
                          {{"name", turn.person.name}, {"account", Literal(LabelWithUnit(*a))}}),
          {}},
         {}, 0, turn.now);
    return;
  }
  const std::string why = WriteChange(turn, edit, row->requested_by, *row);
  if (!why.empty()) {
    const Template* t = TemplateOfOrg(a->org);
    Vars vars{{"account", Literal(LabelWithUnit(*a))},
              {"min", std::to_string(t != nullptr ? t->change.min_administrators : 1)}};
    Say(turn, {catalog_.Render(lang, why, vars), {}});
    Send(turn.tx, row->requested_by, {catalog_.Render(requester_lang, why, vars), {}}, {}, 0,
         turn.now);
  }
}

std::string ConversationService::WriteChange(Turn& turn, const AccountEdit& edit,
                                             const std::string& requested_by,
                                             const store::AccountChangeRequest& row) {
  auto a = turn.tx.LoadAccount(edit.account);
  const Template* t = a ? TemplateOfOrg(a->org) : nullptr;
  if (!a || a->status == store::kAccountClosed || t == nullptr) return "change.gone";
  const Step* admins = t->FindStep(t->change.administrators);
  const AccountEntry before = EntryOf(turn.tx, *a);
  AccountEntry after = before;
  // The edit on the entry as it is now, which a change confirmed meanwhile
  // may have moved on from the one the person saw.
  std::string why = ApplyEdit(t->change, admins != nullptr ? admins->max_count : 20, edit, after);
  store::Account written = *a;
  written.administrators = after.administrators;
  written.url = after.url;
  written.unit = after.unit;
  written.purpose = after.purpose;
  written.login_email = after.login_email;
  written.login_holder = after.login_holder;
  if (why.empty() && !turn.tx.UpdateAccountEntry(written, a->version)) why = "change.conflict";
  const std::string subject = "registration:" + std::to_string(edit.account);
  if (!why.empty()) {
    if (row.id != 0) {
      turn.tx.MoveAccountChange(row.id, row.state, store::kChangeRefused, turn.person.id, turn.now);
    } else {
      store::AccountChangeRequest refused = row;
      refused.state = store::kChangeRefused;
      turn.tx.InsertAccountChange(refused, turn.now);
    }
    turn.tx.AppendAudit(turn.now, turn.person.id, "change.refused", subject,
                        {{"kind", edit.kind},
                         {"why", why},
                         {"requested_by", requested_by},
                         {"version", a->version},
                         {"seen_version", edit.version}});
    log_->info("change of account {} ({}) refused: {}", edit.account, edit.kind, why);
    return why;
  }
  int64_t change_id = row.id;
  if (change_id != 0) {
    turn.tx.MoveAccountChange(row.id, row.state, store::kChangeApplied, turn.person.id, turn.now);
  } else {
    store::AccountChangeRequest applied = row;
    applied.state = store::kChangeApplied;
    change_id = turn.tx.InsertAccountChange(applied, turn.now);
  }
  auto entry_json = [](const AccountEntry& e) {
    return nlohmann::json{{"administrators", e.administrators},
                          {"login_email", e.login_email},
                          {"login_holder", e.login_holder},
                          {"url", e.url},
                          {"unit", e.unit},
                          {"purpose", e.purpose}};
  };
  const nlohmann::json detail = {
      {"change", change_id},          {"kind", edit.kind},
      {"requested_by", requested_by}, {"before", entry_json(before)},
      {"after", entry_json(after)},   {"version", a->version + 1},
      {"seen_version", edit.version}, {"what", change_.Describe(edit, Lang::kSv)}};
  turn.tx.AppendAudit(turn.now, turn.person.id, "register.changed", subject, detail);
  store::AccountChange h;
  h.registration_id = edit.account;
  h.at = turn.now;
  h.by = requested_by;
  h.event = "register.changed";
  h.from_status = h.to_status = a->status;
  h.detail = detail;
  if (turn.person.id != requested_by) h.detail["accepted_by"] = turn.person.id;
  turn.tx.AppendAccountHistory(h);
  TellChange(turn, *a, edit, requested_by, before);
  log_->info("account {} changed ({}) by {}", edit.account, edit.kind, requested_by);
  return "";
}

void ConversationService::TellChange(Turn& turn, const store::Account& a, const AccountEdit& edit,
                                     const std::string& requested_by, const AccountEntry& before) {
  const Template* t = TemplateOfOrg(a.org);
  auto lang_of = [&](const std::string& id) {
    return kontobot::LanguageOf(directory_.Find(id), &turn.tx.Languages());
  };
  std::vector<std::string> told;
  auto tell = [&](const std::string& id, const std::string& key) {
    if (id.empty() || std::find(told.begin(), told.end(), id) != told.end()) return;
    told.push_back(id);
    const Lang l = lang_of(id);
    Reply r{catalog_.Render(l, key,
                            {{"by", NameOf(requested_by)},
                             {"account", Literal(LabelWithUnit(a))},
                             {"what", change_.Describe(edit, l)}}),
            {}};
    if (id == turn.person.id) {
      Say(turn, r);
    } else {
      Send(turn.tx, id, r, {}, 0, turn.now);
    }
  };
  auto id_of = [&](const nlohmann::json& p) -> std::string {
    const Person* who =
        p.is_object() ? directory_.FindByContact(a.org, p.value("email", ""), p.value("name", ""))
                      : nullptr;
    return who != nullptr ? who->id : "";
  };
  for (const nlohmann::json& p : edit.add) tell(id_of(p), "change.you_added");
  if (edit.kind == kRemoveAdmin || edit.kind == kReplaceAdmin)
    tell(id_of(edit.remove), "change.you_removed");
  if (edit.kind == kLoginHolder) tell(id_of(edit.holder), "change.you_hold_login");
  tell(requested_by, "change.done");
  tell(turn.person.id, "change.done");
  if (t == nullptr) return;
  const Person* requester = nullptr;
  if (auto r = turn.tx.LoadRegistration(a.registration_id))
    requester = directory_.Find(r->person_id);
  for (const std::string& role : t->change.tell) {
    if (role == "superior") {
      if (requester != nullptr) tell(requester->superior, "change.told");
    } else if (role == "administrators") {
      store::Account old = a;
      old.administrators = before.administrators;
      for (const std::string& id : AdministratorIds(old)) tell(id, "change.told");
      if (auto now = turn.tx.LoadAccount(a.registration_id))
        for (const std::string& id : AdministratorIds(*now)) tell(id, "change.told");
    } else {
      for (const Person* p : directory_.WithRole(a.org, role)) tell(p->id, "change.told");
    }
  }
}

void ConversationService::ChangeHistory(store::Transaction& tx, const store::Account& a,
                                        const std::string& event, const std::string& by,
                                        TimePoint now, const nlohmann::json& detail) {
  tx.AppendAudit(now, by, event, "registration:" + std::to_string(a.registration_id), detail);
  store::AccountChange c;
  c.registration_id = a.registration_id;
  c.at = now;
  c.by = by;
  c.event = event;
  c.from_status = c.to_status = a.status;
  c.detail = detail;
  tx.AppendAccountHistory(c);
}

}  // namespace kontobot::app
