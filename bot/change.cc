#include "bot/change.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "bot/answers.h"
#include "bot/chat_turn.h"
#include "bot/identity_number.h"
#include "bot/intent.h"

namespace kontobot {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool IsAdminKind(const std::string& kind) {
  return kind == kAddAdmin || kind == kRemoveAdmin || kind == kReplaceAdmin;
}

}  // namespace

bool SamePerson(const nlohmann::json& a, const nlohmann::json& b) {
  if (!a.is_object() || !b.is_object()) return false;
  const std::string ea = Lower(a.value("email", "")), eb = Lower(b.value("email", ""));
  if (!ea.empty() && !eb.empty()) return ea == eb;
  return NormalizeWord(a.value("name", "")) == NormalizeWord(b.value("name", "")) &&
         !NormalizeWord(a.value("name", "")).empty();
}

std::string PersonLine(const nlohmann::json& p) {
  if (!p.is_object()) return "";
  std::string contact = p.value("email", "");
  if (contact.empty()) contact = p.value("phone", "");
  return p.value("name", "") + (contact.empty() ? "" : ", " + contact);
}

std::string ApplyEdit(const ChangePolicy& policy, size_t max_admins, const AccountEdit& edit,
                      AccountEntry& entry) {
  if (!IsAdminKind(edit.kind)) {
    if (edit.kind == kLoginHolder) entry.login_holder = edit.holder;
    if (edit.kind == kLoginEmail) entry.login_email = edit.value;
    if (edit.kind == "url") entry.url = edit.value;
    if (edit.kind == "purpose") entry.purpose = edit.value;
    if (edit.kind == "unit") entry.unit = edit.value;
    return "";
  }
  nlohmann::json admins =
      entry.administrators.is_array() ? entry.administrators : nlohmann::json::array();
  if (edit.kind != kAddAdmin) {
    auto it = std::find_if(admins.begin(), admins.end(),
                           [&](const nlohmann::json& a) { return SamePerson(a, edit.remove); });
    if (it == admins.end()) return "change.not_admin";
    admins.erase(it);
  }
  if (edit.kind != kRemoveAdmin) {
    for (const nlohmann::json& p : edit.add) {
      if (std::any_of(admins.begin(), admins.end(),
                      [&](const nlohmann::json& a) { return SamePerson(a, p); }))
        return "change.already_admin";
      admins.push_back(p);
    }
  }
  if (admins.size() < policy.min_administrators) return "change.below_minimum";
  if (admins.size() > max_admins) return "change.too_many";
  entry.administrators = std::move(admins);
  return "";
}

ChangeConversation::ChangeConversation(const TemplateSet& templates, const Catalog& catalog,
                                       const Directory& directory)
    : templates_(templates), catalog_(catalog), directory_(directory) {}

bool ChangeConversation::Owns(const std::string& action) {
  return action == "change_account" || action == "change_kind" || action == "change_pick" ||
         action == "change_confirm" || action == "change_abort";
}

std::string ChangeConversation::Describe(const AccountEdit& edit, Lang lang) const {
  std::string people;
  for (const nlohmann::json& p : edit.add) people += (people.empty() ? "" : "; ") + PersonLine(p);
  return catalog_.Render(lang, "change.what." + edit.kind,
                         {{"remove", Literal(PersonLine(edit.remove))},
                          {"add", Literal(people)},
                          {"holder", Literal(PersonLine(edit.holder))},
                          {"value", Literal(edit.value)}});
}

// One call's worth of work. The state: {"stage": "account" | "kind" |
// "pick" | "person" | "value" | "confirm", "account", "kind", "remove",
// "add", "holder", "value", "version"}.
class ChangeConversation::Run : public ChatTurn<ChangeTurn> {
 public:
  Run(const ChangeConversation& e, const Person& person, Lang lang,
      const std::vector<ChangeableAccount>& accounts, std::chrono::year_month_day today)
      : ChatTurn(e.catalog_, person, lang, kChangePending),
        e_(e),
        accounts_(accounts),
        today_(today) {}

  ChangeTurn Start(const Template* tmpl, const std::string& text) {
    Audit("change.asked", {});
    if (accounts_.empty()) {
      std::string answer =
          T("change.nobody",
            {{"contact", ContactLine(tmpl, person_, e_.directory_, e_.catalog_, lang_)}});
      if (tmpl != nullptr && !tmpl->change.rule.empty())
        answer += "\n\n" + T("intent.organisation_rule", {{"org", tmpl->organisation.Get(lang_)},
                                                          {"rule", tmpl->change.rule.Get(lang_)}});
      Say(answer);
      return std::move(out_);
    }
    if (std::string kind = KindIn(text); !kind.empty()) state_["kind"] = kind;
    if (accounts_.size() == 1) return Chosen(accounts_.front());
    return AskAccount("");
  }

  ChangeTurn Handle(const std::string& pending, const Input& input) {
    Load(pending);
    const std::string stage = state_.value("stage", "account");
    const std::string w = NormalizeWord(input.text);
    if (input.action == "change_abort" || (input.action.empty() && Is(w, "cancel"))) {
      Audit("change.aborted", {{"account", state_.value("account", int64_t{0})}});
      Say(T("change.aborted"));
      return std::move(out_);
    }
    if (stage == "account") {
      const ChangeableAccount* a = nullptr;
      if (input.action == "change_account") {
        a = Find(std::atoll(input.value.c_str()));
      } else if (input.action.empty()) {
        a = Match(input.text);
      }
      if (a == nullptr) return AskAccount(T("change.unknown_account"));
      return Chosen(*a);
    }
    const ChangeableAccount* a = Find(state_.value("account", int64_t{0}));
    if (a == nullptr) {  // closed meanwhile, or no longer theirs
      Say(T("change.gone"));
      return std::move(out_);
    }
    if (stage == "kind") {
      std::string kind;
      if (input.action == "change_kind") kind = input.value;
      if (input.action.empty()) kind = KindByNumberOrWords(*a, w, input.text);
      const std::vector<std::string> kinds = Kinds(*a);
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
        return AskKind(*a, T("change.unknown_kind"));
      state_["kind"] = kind;
      return Next(*a);
    }
    const std::string kind = state_.value("kind", "");
    if (stage == "pick") {
      const nlohmann::json& admins = a->entry.administrators;
      long n = 0;
      if (input.action == "change_pick") n = std::atol(input.value.c_str()) + 1;
      if (input.action.empty()) n = PickByNumberOrName(admins, w);
      if (n < 1 || static_cast<size_t>(n) > admins.size())
        return AskPick(*a, T("change.unknown_admin"));
      state_["remove"] = admins[n - 1];
      if (kind == kRemoveAdmin) return Summary(*a);
      return AskPerson(*a, "");
    }
    if (stage == "confirm" && input.action == "change_confirm") return Confirm(*a);
    if (!input.action.empty()) return Reask(*a, stage);
    if (stage == "person") return TakePerson(*a, input.text);
    if (stage == "value") return TakeValue(*a, input.text);
    // confirm
    if (Is(w, "yes")) return Confirm(*a);
    if (Is(w, "no")) {
      Audit("change.aborted", {{"account", a->id}});
      Say(T("change.aborted"));
      return std::move(out_);
    }
    return Summary(*a);
  }

 private:
  // The summary's "yes". The edit is checked against the entry where it
  // is written (ApplyEdit, in the transaction that writes it), which a
  // change confirmed meanwhile may have moved on.
  ChangeTurn Confirm(const ChangeableAccount& a) {
    AccountEdit edit = Edit(a);
    Audit("change.confirmed", {{"account", a.id}, {"kind", edit.kind}});
    out_.confirmed = edit;
    return std::move(out_);
  }

  Button Abort() const { return {"change_abort", "", T("button.change_abort"), "default"}; }

  const ChangeableAccount* Find(int64_t id) const { return FindAccount(accounts_, id); }
  const ChangeableAccount* Match(const std::string& text) const {
    return MatchAccount(accounts_, text);
  }
  const Template* TemplateOf(const ChangeableAccount& a) const {
    auto it = e_.templates_.find(a.template_id);
    return it == e_.templates_.end() ? nullptr : it->second.get();
  }
  const ChangePolicy& Policy(const ChangeableAccount& a) const {
    static const ChangePolicy kNone;
    const Template* t = TemplateOf(a);
    return t != nullptr ? t->change : kNone;
  }
  const Step* AdminStep(const ChangeableAccount& a) const {
    const Template* t = TemplateOf(a);
    return t != nullptr ? t->FindStep(t->change.administrators) : nullptr;
  }
  size_t MaxAdmins(const ChangeableAccount& a) const {
    const Step* s = AdminStep(a);
    return s != nullptr ? s->max_count : 20;
  }
  // The register fields the template maps to a question, as kinds.
  std::vector<std::string> Kinds(const ChangeableAccount& a) const {
    std::vector<std::string> out{kAddAdmin, kRemoveAdmin, kReplaceAdmin, kLoginHolder, kLoginEmail};
    if (const Template* t = TemplateOf(a)) {
      for (const char* field : {"url", "purpose", "unit"}) {
        auto it = t->register_fields.find(field);
        if (it != t->register_fields.end() && !it->second.empty()) out.emplace_back(field);
      }
    }
    return out;
  }
  // What `text` says is to change ("ny inloggningsadress"): the first kind
  // whose catalogue words (change.words.<kind>) it contains, or "".
  std::string KindIn(const std::string& text) const {
    const std::string words = Spaced(text);
    for (const char* kind : {kLoginEmail, kLoginHolder, "url", "purpose", "unit", kRemoveAdmin,
                             kAddAdmin, kReplaceAdmin}) {
      const std::string list = T(std::string("change.words.") + kind);
      for (size_t start = 0; start <= list.size();) {
        const size_t bar = list.find('|', start);
        const std::string item =
            Spaced(list.substr(start, bar == std::string::npos ? bar : bar - start));
        if (item != " " && words.find(item) != std::string::npos) return kind;
        if (bar == std::string::npos) break;
        start = bar + 1;
      }
    }
    return "";
  }
  // " word word ": folded and split as the intent matching does, so an
  // entry matches whole words only.
  static std::string Spaced(const std::string& text) {
    std::string out = " ";
    for (const std::string& w : IntentRecogniser::Words(text)) out += w + " ";
    return out;
  }
  std::string KindByNumberOrWords(const ChangeableAccount& a, const std::string& w,
                                  const std::string& text) const {
    const std::vector<std::string> kinds = Kinds(a);
    char* end = nullptr;
    const long n = std::strtol(w.c_str(), &end, 10);
    if (!w.empty() && end != nullptr && *end == '\0')
      return n >= 1 && static_cast<size_t>(n) <= kinds.size() ? kinds[n - 1] : "";
    return KindIn(text);
  }
  static long PickByNumberOrName(const nlohmann::json& admins, const std::string& w) {
    char* end = nullptr;
    const long n = std::strtol(w.c_str(), &end, 10);
    if (!w.empty() && end != nullptr && *end == '\0') return n;
    long found = 0;
    for (size_t i = 0; i < admins.size(); ++i) {
      const std::string name = NormalizeWord(admins[i].value("name", ""));
      const std::string email = NormalizeWord(admins[i].value("email", ""));
      if (w.empty() || (name.find(w) == std::string::npos && email != w)) continue;
      if (found != 0) return 0;  // more than one
      found = static_cast<long>(i) + 1;
    }
    return found;
  }

  AccountEdit Edit(const ChangeableAccount& a) const {
    AccountEdit edit;
    edit.account = a.id;
    edit.kind = state_.value("kind", "");
    edit.remove = state_.value("remove", nlohmann::json());
    edit.add = state_.value("add", nlohmann::json::array());
    edit.holder = state_.value("holder", nlohmann::json());
    edit.value = state_.value("value", "");
    edit.version = a.entry.version;
    return edit;
  }

  void Refuse(const ChangeableAccount& a, const std::string& why) {
    Audit("change.refused", {{"account", a.id}, {"kind", state_.value("kind", "")}, {"why", why}});
    Say(T(why, {{"account", Literal(a.label)},
                {"min", std::to_string(Policy(a).min_administrators)},
                {"max", std::to_string(MaxAdmins(a))},
                {"count", std::to_string(a.entry.administrators.size())}}));
  }

  ChangeTurn AskAccount(const std::string& before) {
    std::string text = before.empty() ? T("change.which_account") : before;
    std::vector<Button> buttons;
    for (size_t i = 0; i < accounts_.size(); ++i) {
      text +=
          T("change.line", {{"n", std::to_string(i + 1)}, {"item", Literal(accounts_[i].label)}});
      buttons.push_back({"change_account", std::to_string(accounts_[i].id),
                         T("button.change_account", {{"n", std::to_string(i + 1)}}), "default"});
    }
    buttons.push_back(Abort());
    Say(text, buttons);
    Keep("account");
    return std::move(out_);
  }

  ChangeTurn Chosen(const ChangeableAccount& a) {
    state_["account"] = a.id;
    const std::vector<std::string> kinds = Kinds(a);
    if (std::find(kinds.begin(), kinds.end(), state_.value("kind", "")) == kinds.end())
      return AskKind(a, "");
    return Next(a);
  }

  ChangeTurn AskKind(const ChangeableAccount& a, const std::string& before) {
    std::string text = (before.empty() ? "" : before + "\n\n") +
                       T("change.which_kind", {{"account", Literal(a.label)}});
    std::vector<Button> buttons;
    const std::vector<std::string> kinds = Kinds(a);
    for (size_t i = 0; i < kinds.size(); ++i) {
      text +=
          T("change.line", {{"n", std::to_string(i + 1)}, {"item", T("change.kind." + kinds[i])}});
      buttons.push_back({"change_kind", kinds[i], T("change.kind." + kinds[i]), "default"});
    }
    buttons.push_back(Abort());
    Say(text, buttons);
    Keep("kind");
    return std::move(out_);
  }

  // The question the kind asks first.
  ChangeTurn Next(const ChangeableAccount& a) {
    const std::string kind = state_.value("kind", "");
    if (kind == kRemoveAdmin && a.entry.administrators.size() <= Policy(a).min_administrators) {
      // Nobody can be removed: refused at once, with the reason.
      Refuse(a, "change.below_minimum");
      return std::move(out_);
    }
    if (kind == kRemoveAdmin || kind == kReplaceAdmin) return AskPick(a, "");
    if (kind == kAddAdmin || kind == kLoginHolder) return AskPerson(a, "");
    return AskValue(a, "");
  }

  ChangeTurn AskPick(const ChangeableAccount& a, const std::string& before) {
    std::string text = (before.empty() ? "" : before + "\n\n") +
                       T("change.which_admin." + state_.value("kind", kRemoveAdmin),
                         {{"account", Literal(a.label)}});
    std::vector<Button> buttons;
    for (size_t i = 0; i < a.entry.administrators.size(); ++i) {
      const nlohmann::json& p = a.entry.administrators[i];
      text += T("change.line", {{"n", std::to_string(i + 1)}, {"item", Literal(PersonLine(p))}});
      buttons.push_back(
          {"change_pick", std::to_string(i), Literal(p.value("name", "")), "default"});
    }
    buttons.push_back(Abort());
    Say(text, buttons);
    Keep("pick");
    return std::move(out_);
  }

  ChangeTurn AskPerson(const ChangeableAccount& a, const std::string& before) {
    const std::string kind = state_.value("kind", "");
    Say((before.empty() ? "" : before + "\n\n") +
            T("change.ask_person." + kind,
              {{"account", Literal(a.label)},
               {"remove", Literal(PersonLine(state_.value("remove", nlohmann::json())))}}),
        {Abort()});
    Keep("person");
    return std::move(out_);
  }

  // The step a typed person is read with: the administrators question
  // (its contact rule), or for the login holder one person with contact.
  Step PersonStep(const ChangeableAccount& a) const {
    Step s;
    if (const Step* admins = AdminStep(a)) s = *admins;
    s.kind = StepKind::kQuestion;
    s.contact_required = true;
    if (state_.value("kind", "") == kLoginHolder) {
      s.type = QuestionType::kPerson;
    } else {
      s.type = QuestionType::kPeople;
      s.min_count = 1;
    }
    return s;
  }

  ChangeTurn TakePerson(const ChangeableAccount& a, const std::string& text) {
    const Template* t = TemplateOf(a);
    const Step s = PersonStep(a);
    if (t == nullptr) return AskPerson(a, T("change.gone"));
    AnswerContext ctx{&e_.directory_.personal_emails(), &e_.directory_};
    ParsedAnswer p = ParseAnswer(s, text, *t, lang_, ctx);
    if (!p.ok) {
      // The contact follow-up of the registration is one question here:
      // the whole line again, with the address.
      Vars vars = p.vars;
      return AskPerson(a, T(p.error_key, vars));
    }
    const std::string kind = state_.value("kind", "");
    if (kind == kLoginHolder) {
      state_["holder"] = p.value;
      return Summary(a);
    }
    state_["add"] = p.value;
    // Checked now, so the person can say someone else (and again at the
    // confirmation, against the entry then).
    AccountEntry check = a.entry;
    if (std::string why = ApplyEdit(Policy(a), MaxAdmins(a), Edit(a), check);
        why == "change.already_admin" || why == "change.too_many") {
      state_.erase("add");
      return AskPerson(a, T(why, {{"max", std::to_string(MaxAdmins(a))}}));
    }
    return Summary(a);
  }

  ChangeTurn AskValue(const ChangeableAccount& a, const std::string& before) {
    const std::string kind = state_.value("kind", "");
    std::string current = kind == kLoginEmail ? a.entry.login_email
                          : kind == "url"     ? a.entry.url
                          : kind == "purpose" ? a.entry.purpose
                                              : a.entry.unit;
    Say((before.empty() ? "" : before + "\n\n") +
            T("change.ask_value." + kind,
              {{"account", Literal(a.label)},
               {"current", current.empty() ? T("change.unknown_value") : Literal(current)}}),
        {Abort()});
    Keep("value");
    return std::move(out_);
  }

  ChangeTurn TakeValue(const ChangeableAccount& a, const std::string& text) {
    const Template* t = TemplateOf(a);
    if (t == nullptr) return AskValue(a, T("change.gone"));
    const std::string kind = state_.value("kind", "");
    const Step* s = nullptr;
    Step email;
    if (kind == kLoginEmail) {
      // The organisation's login rule, exactly as at registration.
      s = t->FindStep(t->change.login_email);
      if (s == nullptr) {
        email.kind = StepKind::kQuestion;
        email.type = QuestionType::kEmail;
        s = &email;
      }
    } else {
      auto it = t->register_fields.find(kind);
      s = it != t->register_fields.end() ? t->FindStep(it->second) : nullptr;
    }
    if (s == nullptr) return AskValue(a, T("change.gone"));
    if (!FindIdentityNumbers(text, today_).empty()) return AskValue(a, T("change.identity_number"));
    AnswerContext ctx{&e_.directory_.personal_emails(), &e_.directory_};
    ParsedAnswer p = ParseAnswer(*s, text, *t, lang_, ctx);
    if (!p.ok) return AskValue(a, T(p.error_key, p.vars));
    state_["value"] = FormatAnswer(*s, p.value, Lang::kSv);  // as the register holds it
    return Summary(a);
  }

  ChangeTurn Reask(const ChangeableAccount& a, const std::string& stage) {
    if (stage == "person") return AskPerson(a, "");
    if (stage == "value") return AskValue(a, "");
    return Summary(a);
  }

  ChangeTurn Summary(const ChangeableAccount& a) {
    const AccountEdit edit = Edit(a);
    const ChangePolicy& policy = Policy(a);
    std::string after;
    if (policy.accept && !edit.add.empty()) after += "\n" + T("change.summary_accept");
    std::string told;
    for (const std::string& role : policy.tell) {
      told += (told.empty() ? "" : ", ") +
              (role == "superior" || role == "administrators"
                   ? T("change.tell." + role)
                   : ContactLine(TemplateOf(a), person_, e_.directory_, e_.catalog_, lang_));
    }
    if (!told.empty()) after += "\n" + T("change.summary_told", {{"told", told}});
    if (!policy.rule.empty()) after += "\n\n" + policy.rule.Get(lang_);
    Say(T("change.summary",
          {{"account", Literal(a.label)}, {"what", e_.Describe(edit, lang_)}, {"after", after}}),
        {{"change_confirm", std::to_string(a.id), T("button.change_confirm"), "primary"}, Abort()});
    Keep("confirm");
    return std::move(out_);
  }

  const ChangeConversation& e_;
  const std::vector<ChangeableAccount>& accounts_;
  std::chrono::year_month_day today_;
};

ChangeTurn ChangeConversation::Start(const Person& person, Lang lang, const Template* tmpl,
                                     const std::vector<ChangeableAccount>& accounts,
                                     const std::string& text,
                                     std::chrono::year_month_day today) const {
  return Run(*this, person, lang, accounts, today).Start(tmpl, text);
}

ChangeTurn ChangeConversation::Handle(const Person& person, Lang lang,
                                      const std::vector<ChangeableAccount>& accounts,
                                      const std::string& pending, const Input& input,
                                      std::chrono::year_month_day today) const {
  return Run(*this, person, lang, accounts, today).Handle(pending, input);
}

}  // namespace kontobot
