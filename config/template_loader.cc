#include "config/template_loader.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <regex>
#include <set>

#include "bot/reminders.h"

namespace kontobot::config {
namespace {

bool ValidId(const std::string& id) {
  static const std::regex kValidId("^[a-z0-9_-]+$");
  return std::regex_match(id, kValidId);
}

class TemplateParser {
 public:
  explicit TemplateParser(YamlReader& r) : r_(r) {}

  std::shared_ptr<Template> Parse(const YAML::Node& root) {
    auto t = std::make_shared<Template>();
    if (!IsMapNode(root)) {
      r_.Error(root, "a template must be a map with id, organisation, steps, ...");
      return nullptr;
    }
    r_.OnlyKeys(root,
                {"id", "version", "organisation", "form_title", "source", "intro", "steps", "rules",
                 "approval", "reminders", "calendar", "register", "contact", "password_advice",
                 "closing", "change", "lifecycle", "public_replies", "inbox"});
    t->id = r_.Str(root, "id");
    if (!t->id.empty() && !ValidId(t->id)) {
      r_.Error(Field(root, "id"), "id must be lower-case letters, digits, '_' or '-'");
    }
    if (Field(root, "version").IsDefined()) {
      try {
        t->version = Field(root, "version").as<int>();
      } catch (const YAML::Exception&) {
        r_.Error(Field(root, "version"), "version must be a whole number");
      }
    }
    t->organisation = r_.Text(root, "organisation");
    t->form_title = r_.Text(root, "form_title");
    t->source = r_.Str(root, "source", false);
    t->intro = r_.Text(root, "intro", false);
    t->password_advice = r_.Text(root, "password_advice", false);
    if (YAML::Node c = Field(root, "contact"); c.IsDefined()) {
      if (!IsMapNode(c)) {
        r_.Error(c, "'contact' must be a map with role and title");
      } else {
        r_.OnlyKeys(c, {"role", "title"});
        t->contact_role = r_.Str(c, "role");
        t->contact_title = r_.Text(c, "title");
      }
    }
    ParseRules(Field(root, "rules"), *t);
    ParseSteps(Field(root, "steps"), *t);
    ParseApproval(Field(root, "approval"), *t);
    ParseReminders(Field(root, "reminders"), *t);
    ParseCalendar(Field(root, "calendar"), *t);
    ParseRegister(Field(root, "register"), *t);
    ParseClosing(Field(root, "closing"), *t);
    ParseChange(Field(root, "change"), *t);
    ParseLifecycle(Field(root, "lifecycle"), *t);
    ParsePublicReplies(Field(root, "public_replies"), *t);
    ParseInbox(Field(root, "inbox"), *t);
    return t;
  }

 private:
  void ParseRules(const YAML::Node& rules, Template& t) {
    if (!rules.IsDefined() || rules.IsNull()) return;
    if (!IsMapNode(rules)) return r_.Error(rules, "'rules' must be a map");
    r_.OnlyKeys(rules, {"login_email"});
    YAML::Node le = Field(rules, "login_email");
    if (!le.IsDefined()) return;
    r_.OnlyKeys(le, {"personal_addresses", "allowed_local_parts", "message", "forbidden_domains"});
    if (Field(le, "forbidden_domains").IsDefined()) {
      // It refused every address at the domain, functional ones too.
      r_.Error(Field(le, "forbidden_domains"),
               "'forbidden_domains' is replaced by 'personal_addresses': globs of the "
               "organisation's personal addresses, e.g. [\"*.*@gislaved.se\"]");
    }
    LoginEmailRule rule;
    rule.personal_addresses = Strings(le, "personal_addresses");
    rule.allowed_local_parts = Strings(le, "allowed_local_parts");
    rule.message = r_.Text(le, "message");
    for (auto& s : rule.personal_addresses) s = NormalizeWord(s);
    for (auto& s : rule.allowed_local_parts) s = NormalizeWord(s);
    t.login_email = rule;
  }

  std::vector<std::string> Strings(const YAML::Node& map, const char* key) {
    std::vector<std::string> out;
    YAML::Node v = Field(map, key);
    if (!v.IsDefined() || v.IsNull()) return out;
    if (!IsSeq(v)) {
      r_.Error(v, std::string("'") + key + "' must be a list");
      return out;
    }
    for (const auto& item : v) {
      if (item.IsScalar()) {
        out.push_back(item.Scalar());
      } else {
        r_.Error(item, std::string("items of '") + key + "' must be texts");
      }
    }
    return out;
  }

  void ParseSteps(const YAML::Node& steps, Template& t) {
    if (!steps.IsDefined() || !steps.IsSequence() || steps.size() == 0) {
      r_.Error(steps.IsDefined() ? steps : YAML::Node(), "'steps' must be a non-empty list");
      return;
    }
    for (const auto& node : steps) {
      Step s;
      if (!IsMapNode(node)) {
        r_.Error(node, "a step must be a map");
        continue;
      }
      s.id = r_.Str(node, "id");
      if (!s.id.empty() && !ValidId(s.id)) r_.Error(Field(node, "id"), "step id must be [a-z0-9_]");
      if (t.FindStep(s.id) != nullptr)
        r_.Error(Field(node, "id"), "duplicate step id '" + s.id + "'");
      std::string kind = Field(node, "kind").IsDefined() ? r_.Str(node, "kind") : "question";
      if (kind == "advice") {
        s.kind = StepKind::kAdvice;
        r_.OnlyKeys(node, {"id", "kind", "title", "text", "items", "when"});
        s.title = r_.Text(node, "title");
        s.text = r_.Text(node, "text", false);
        YAML::Node items = Field(node, "items");
        if (items.IsDefined() && !IsSeq(items)) r_.Error(items, "'items' must be a list");
        if (IsSeq(items)) {
          for (const auto& item : items) {
            if (!IsMapNode(item)) {
              r_.Error(item, "an item must have 'sv' and 'en'");
              continue;
            }
            LocalizedText lt;
            lt.sv = r_.Str(item, "sv");
            lt.en = r_.Str(item, "en");
            s.items.push_back(lt);
          }
        }
        if (s.text.empty() && s.items.empty()) r_.Error(node, "advice needs 'text' or 'items'");
      } else if (kind == "question") {
        ParseQuestion(node, s, t);
      } else {
        r_.Error(Field(node, "kind"), "kind must be 'question' or 'advice', not '" + kind + "'");
      }
      if (Field(node, "when").IsDefined()) s.when = ParseCondition(Field(node, "when"), t);
      t.steps.push_back(std::move(s));
    }
  }

  void ParseQuestion(const YAML::Node& node, Step& s, const Template& t) {
    r_.OnlyKeys(node, {"id", "kind", "type", "title", "text", "help", "required", "when", "options",
                       "allow_other", "min", "max", "integer", "unit", "min_length", "max_length",
                       "contact", "rule", "example"});
    std::string type = r_.Str(node, "type");
    auto qt = ParseQuestionType(type);
    if (!qt && !type.empty()) {
      r_.Error(Field(node, "type"),
               "unknown question type '" + type +
                   "' (text, url, email, number, choice, yes_no, person, people, schedule)");
    }
    s.type = qt.value_or(QuestionType::kText);
    s.title = r_.Text(node, "title", false);
    s.text = r_.Text(node, "text");
    s.help = r_.Text(node, "help", false);
    s.example = r_.Text(node, "example", false);
    s.required = r_.Bool(node, "required", true);
    auto number = [&](const char* key) -> std::optional<double> {
      YAML::Node v = Field(node, key);
      if (!v.IsDefined() || v.IsNull()) return std::nullopt;
      try {
        return v.as<double>();
      } catch (const YAML::Exception&) {
        r_.Error(v, std::string("'") + key + "' must be a number");
        return std::nullopt;
      }
    };
    switch (s.type) {
      case QuestionType::kChoice: {
        s.allow_other = r_.Bool(node, "allow_other", false);
        YAML::Node opts = Field(node, "options");
        if (!IsSeq(opts) || opts.size() == 0) {
          r_.Error(opts.IsDefined() ? opts : node, "a choice needs a non-empty 'options' list");
          break;
        }
        for (const auto& o : opts) {
          r_.OnlyKeys(o, {"value", "label", "synonyms"});
          ChoiceOption opt;
          opt.value = r_.Str(o, "value");
          if (!opt.value.empty() && !ValidId(opt.value))
            r_.Error(Field(o, "value"), "option value must be [a-z0-9_]");
          if (opt.value == "other")
            r_.Error(Field(o, "value"), "'other' is reserved: use allow_other");
          for (const auto& prev : s.options) {
            if (prev.value == opt.value)
              r_.Error(Field(o, "value"), "duplicate option '" + opt.value + "'");
          }
          opt.label = r_.Text(o, "label");
          for (auto& syn : Strings(o, "synonyms")) opt.synonyms.push_back(NormalizeWord(syn));
          s.options.push_back(opt);
        }
        break;
      }
      case QuestionType::kNumber:
        s.min = number("min");
        s.max = number("max");
        s.integer = r_.Bool(node, "integer", false);
        s.unit = r_.Text(node, "unit", false);
        if (s.min && s.max && *s.min > *s.max)
          r_.Error(Field(node, "max"), "'max' is smaller than 'min'");
        break;
      case QuestionType::kPeople: {
        auto mn = number("min");
        auto mx = number("max");
        s.min_count = mn ? static_cast<size_t>(std::max(1.0, *mn)) : 1;
        s.max_count = mx ? static_cast<size_t>(*mx) : 20;
        if (s.max_count < s.min_count) r_.Error(Field(node, "max"), "'max' is smaller than 'min'");
        [[fallthrough]];
      }
      case QuestionType::kPerson: {
        std::string contact = r_.Str(node, "contact", false);
        if (!contact.empty() && contact != "required" && contact != "optional") {
          r_.Error(Field(node, "contact"), "contact must be 'required' or 'optional'");
        }
        s.contact_required = contact != "optional";
        break;
      }
      case QuestionType::kText: {
        auto mn = number("min_length");
        auto mx = number("max_length");
        if (mn) s.min_length = static_cast<size_t>(*mn);
        if (mx) s.max_length = static_cast<size_t>(*mx);
        break;
      }
      case QuestionType::kEmail:
        s.rule = r_.Str(node, "rule", false);
        if (!s.rule.empty() && s.rule != "login_email") {
          r_.Error(Field(node, "rule"), "unknown rule '" + s.rule + "' (login_email)");
        } else if (s.rule == "login_email" && !t.login_email) {
          r_.Error(Field(node, "rule"),
                   "rule login_email needs 'rules: login_email:' in the template");
        }
        break;
      default:
        break;
    }
  }

  Condition ParseCondition(const YAML::Node& node, const Template& t) {
    Condition c;
    if (!IsMapNode(node)) {
      r_.Error(node, "a condition must be a map like {question: x, equals: y}");
      return c;
    }
    if (Field(node, "all").IsDefined() || Field(node, "any").IsDefined()) {
      bool all = Field(node, "all").IsDefined();
      c.op = all ? Condition::Op::kAll : Condition::Op::kAny;
      YAML::Node list = Field(node, all ? "all" : "any");
      if (!IsSeq(list)) r_.Error(list, "'all'/'any' take a list of conditions");
      for (const auto& child : list) c.children.push_back(ParseCondition(child, t));
      return c;
    }
    r_.OnlyKeys(node, {"question", "equals", "not_equals", "in", "answered"});
    c.question = r_.Str(node, "question");
    const Step* q = t.FindStep(c.question);
    if (!c.question.empty() && (q == nullptr || !q->IsQuestion())) {
      r_.Error(Field(node, "question"),
               "condition refers to '" + c.question + "', which is not an earlier question");
    }
    auto value = [&](const YAML::Node& v) -> nlohmann::json {
      if (q != nullptr && q->type == QuestionType::kYesNo) {
        bool b = false;
        if (!YAML::convert<bool>::decode(v, b))
          r_.Error(v, "a yes_no condition compares with true or false");
        return b;
      }
      if (q != nullptr && q->type == QuestionType::kNumber) {
        try {
          return v.as<double>();
        } catch (const YAML::Exception&) {
          r_.Error(v, "expected a number");
        }
      }
      std::string s = v.IsScalar() ? v.Scalar() : "";
      if (q != nullptr && q->type == QuestionType::kChoice && s != "other" &&
          std::none_of(q->options.begin(), q->options.end(),
                       [&](const ChoiceOption& o) { return o.value == s; })) {
        r_.Error(v, "'" + s + "' is not an option of '" + q->id + "'");
      }
      return s;
    };
    if (Field(node, "equals").IsDefined()) {
      c.op = Condition::Op::kEquals;
      c.values.push_back(value(Field(node, "equals")));
    } else if (Field(node, "not_equals").IsDefined()) {
      c.op = Condition::Op::kNotEquals;
      c.values.push_back(value(Field(node, "not_equals")));
    } else if (Field(node, "in").IsDefined()) {
      c.op = Condition::Op::kIn;
      if (!IsSeq(Field(node, "in"))) r_.Error(Field(node, "in"), "'in' takes a list");
      for (const auto& v : Field(node, "in")) c.values.push_back(value(v));
    } else if (Field(node, "answered").IsDefined()) {
      c.op = Condition::Op::kAnswered;
      c.answered = r_.Bool(node, "answered", true);
    } else {
      r_.Error(node, "a condition needs equals, not_equals, in or answered");
    }
    return c;
  }

  ApprovalStep ParseApprovalStep(const YAML::Node& node, const Template& t) {
    ApprovalStep a;
    if (!IsMapNode(node)) {
      r_.Error(node, "an approval step must be a map with id, title and approver");
      return a;
    }
    if (Field(node, "parallel").IsDefined()) {
      r_.OnlyKeys(node, {"parallel", "when"});
      if (!IsSeq(Field(node, "parallel")))
        r_.Error(Field(node, "parallel"), "'parallel' takes a list of steps");
      for (const auto& child : Field(node, "parallel"))
        a.parallel.push_back(ParseApprovalStep(child, t));
    } else {
      r_.OnlyKeys(node, {"id", "title", "approver", "statement", "when"});
      a.id = r_.Str(node, "id");
      a.title = r_.Text(node, "title");
      a.statement = r_.Text(node, "statement", false);
      YAML::Node ap = Field(node, "approver");
      if (!IsMapNode(ap)) {
        r_.Error(ap.IsDefined() ? ap : node,
                 "'approver' must say {role: ...} or {named_by_requester: true}");
      } else {
        r_.OnlyKeys(ap, {"role", "of", "named_by_requester"});
        a.approver.role = r_.Str(ap, "role", false);
        a.approver.of = r_.Str(ap, "of", false);
        a.approver.named_by_requester = r_.Bool(ap, "named_by_requester", false);
        if (a.approver.role.empty() && !a.approver.named_by_requester) {
          r_.Error(ap, "approver needs a 'role' or 'named_by_requester: true'");
        }
        if (!a.approver.of.empty() && a.approver.of != "superior") {
          r_.Error(Field(ap, "of"), "'of' can only be 'superior'");
        }
      }
    }
    if (Field(node, "when").IsDefined()) a.when = ParseCondition(Field(node, "when"), t);
    return a;
  }

  void ParseApproval(const YAML::Node& node, Template& t) {
    if (!node.IsDefined() || node.IsNull()) {
      r_.Error(YAML::Node(), "missing 'approval' (who decides, per the seed)");
      return;
    }
    if (!IsMapNode(node)) return r_.Error(node, "'approval' must be a map with steps");
    r_.OnlyKeys(node, {"steps", "administrators", "notify", "startup_steps"});
    if (!IsSeq(Field(node, "steps")) || Field(node, "steps").size() == 0) {
      r_.Error(node, "'approval.steps' must be a non-empty list");
    } else {
      for (const auto& s : Field(node, "steps")) t.approval.push_back(ParseApprovalStep(s, t));
    }
    YAML::Node adm = Field(node, "administrators");
    if (adm.IsDefined() && !adm.IsNull()) {
      r_.OnlyKeys(adm, {"question", "min_accepting", "statement"});
      AdminAcceptance a;
      a.question = r_.Str(adm, "question");
      const Step* q = t.FindStep(a.question);
      if (!a.question.empty() && (q == nullptr || q->type != QuestionType::kPeople)) {
        r_.Error(Field(adm, "question"), "'" + a.question + "' is not a people question");
      }
      if (Field(adm, "min_accepting").IsDefined())
        a.min_accepting = Field(adm, "min_accepting").as<size_t>(0);
      a.statement = r_.Text(adm, "statement");
      t.admin_acceptance = a;
    }
    for (const auto& n : Field(node, "notify")) {
      if (!IsMapNode(n)) {
        r_.Error(n, "a notification must be a map with role and text");
        continue;
      }
      r_.OnlyKeys(n, {"role", "text", "of"});
      Notification note{r_.Str(n, "role"), r_.Text(n, "text", false), r_.Str(n, "of", false)};
      if (!note.of.empty() && note.of != "superior") {
        r_.Error(Field(n, "of"), "'of' can only be 'superior'");
      }
      t.notify.push_back(std::move(note));
    }
    for (const auto& n : Field(node, "startup_steps")) {
      if (!IsMapNode(n)) {
        r_.Error(n, "a startup step must be a map with id and text");
        continue;
      }
      r_.OnlyKeys(n, {"id", "text", "confirmed_by", "creates_account", "asks", "when"});
      StartupStep s;
      s.id = r_.Str(n, "id");
      s.text = r_.Text(n, "text");
      s.confirmed_by = r_.Str(n, "confirmed_by", false);
      s.creates_account = r_.Bool(n, "creates_account", false);
      s.asks = r_.Str(n, "asks", false);
      if (!s.asks.empty() && s.asks != "page_id")
        r_.Error(Field(n, "asks"), "a startup step can only ask for 'page_id'");
      if (Field(n, "when").IsDefined()) s.when = ParseCondition(Field(n, "when"), t);
      if (s.confirmed_by.empty()) s.confirmed_by = "requester";
      t.startup_steps.push_back(s);
    }
    if (std::count_if(t.startup_steps.begin(), t.startup_steps.end(),
                      [](const StartupStep& s) { return s.creates_account; }) > 1) {
      r_.Error(Field(node, "startup_steps"), "only one startup step can have creates_account");
    }
  }

  // closing: {modes: [closed, closed_for_posts], steps: [{id, text,
  // confirmed_by, tell}]}
  void ParseClosing(const YAML::Node& node, Template& t) {
    if (!node.IsDefined() || node.IsNull()) return;
    if (!IsMapNode(node)) return r_.Error(node, "'closing' must be a map with modes and steps");
    r_.OnlyKeys(node, {"modes", "steps"});
    if (Field(node, "modes").IsDefined()) {
      t.closing.modes = Strings(node, "modes");
      if (t.closing.modes.empty()) r_.Error(Field(node, "modes"), "'modes' must not be empty");
      for (const std::string& m : t.closing.modes) {
        if (m != "closed" && m != "closed_for_posts") {
          r_.Error(Field(node, "modes"), "a closing mode is 'closed' or 'closed_for_posts'");
        }
      }
    }
    for (const auto& n : Field(node, "steps")) {
      if (!IsMapNode(n)) {
        r_.Error(n, "a closing step must be a map with id, text and confirmed_by");
        continue;
      }
      r_.OnlyKeys(n, {"id", "text", "confirmed_by", "tell"});
      ClosingStep s{r_.Str(n, "id"), r_.Text(n, "text"), r_.Str(n, "confirmed_by"),
                    Strings(n, "tell")};
      t.closing.steps.push_back(std::move(s));
    }
  }

  // change: {administrators, login_email, min_administrators, accept,
  // approve_added: role, tell: [roles], rule: {sv, en}}; every key optional (defaults in
  // bot/template.h ChangePolicy).
  void ParseChange(const YAML::Node& node, Template& t) {
    ChangePolicy& c = t.change;
    if (t.admin_acceptance) c.administrators = t.admin_acceptance->question;
    for (const Step& s : t.steps) {
      if (c.administrators.empty() && s.IsQuestion() && s.type == QuestionType::kPeople)
        c.administrators = s.id;
      if (c.login_email.empty() && s.IsQuestion() && s.rule == "login_email") c.login_email = s.id;
    }
    c.accept = t.admin_acceptance.has_value();
    if (node.IsDefined() && !node.IsNull()) {
      if (!IsMapNode(node)) return r_.Error(node, "'change' must be a map");
      r_.OnlyKeys(node, {"administrators", "login_email", "min_administrators", "accept",
                         "approve_added", "tell", "rule"});
      if (Field(node, "administrators").IsDefined())
        c.administrators = r_.Str(node, "administrators");
      if (Field(node, "login_email").IsDefined())
        c.login_email = r_.Str(node, "login_email", false);
      if (Field(node, "accept").IsDefined()) {
        try {
          c.accept = Field(node, "accept").as<bool>();
        } catch (const YAML::Exception&) {
          r_.Error(Field(node, "accept"), "'accept' must be true or false");
        }
      }
      if (Field(node, "approve_added").IsDefined())
        c.approve_added = r_.Str(node, "approve_added", false);
      c.tell = Strings(node, "tell");
      c.rule = r_.Text(node, "rule", false);
    }
    const Step* admins = t.FindStep(c.administrators);
    if (c.administrators.empty() && !node.IsDefined()) {
      // A form that names no people: nobody to keep a minimum of.
    } else if (admins == nullptr || !admins->IsQuestion() ||
               admins->type != QuestionType::kPeople) {
      r_.Error(Field(node, "administrators"), "change.administrators refers to '" +
                                                  c.administrators +
                                                  "', which is not a people question");
    } else {
      c.min_administrators = admins->min_count;
    }
    const Step* login = c.login_email.empty() ? nullptr : t.FindStep(c.login_email);
    if (!c.login_email.empty() &&
        (login == nullptr || !login->IsQuestion() || login->type != QuestionType::kEmail)) {
      r_.Error(Field(node, "login_email"), "change.login_email refers to '" + c.login_email +
                                               "', which is not an e-mail question");
    }
    if (node.IsDefined() && Field(node, "min_administrators").IsDefined()) {
      try {
        c.min_administrators = Field(node, "min_administrators").as<size_t>();
      } catch (const YAML::Exception&) {
        r_.Error(Field(node, "min_administrators"), "'min_administrators' must be a whole number");
      }
    }
  }

  // inbox: {case: [{id, kind, text, confirmed_by, report_to, when}],
  // word_lists: [{id, title, words}], flag_rule: {sv, en}}
  void ParseInbox(const YAML::Node& node, Template& t) {
    if (!node.IsDefined() || node.IsNull()) return;
    if (!IsMapNode(node)) return r_.Error(node, "'inbox' must be a map");
    r_.OnlyKeys(node, {"case", "word_lists", "flag_rule"});
    t.inbox.flag_rule = r_.Text(node, "flag_rule", false);
    static const std::vector<std::string> kKinds{"copy", "remove", "register", "report"};
    static const std::vector<std::string> kReasons{"identity_number", "word_list", "flag"};
    for (const auto& n : Field(node, "case")) {
      if (!IsMapNode(n)) {
        r_.Error(n, "a case task must be a map with id, kind and text");
        continue;
      }
      r_.OnlyKeys(n, {"id", "kind", "text", "confirmed_by", "report_to", "when"});
      InboxCaseTaskSpec task;
      task.id = r_.Str(n, "id");
      task.kind = r_.Str(n, "kind");
      task.text = r_.Text(n, "text");
      if (Field(n, "confirmed_by").IsDefined()) task.confirmed_by = r_.Str(n, "confirmed_by");
      task.report_to = r_.Str(n, "report_to", false);
      task.when = Strings(n, "when");
      if (std::find(kKinds.begin(), kKinds.end(), task.kind) == kKinds.end())
        r_.Error(Field(n, "kind"), "a case task's kind is copy, remove, register or report");
      for (const std::string& w : task.when) {
        if (std::find(kReasons.begin(), kReasons.end(), w) == kReasons.end())
          r_.Error(Field(n, "when"), "'when' lists identity_number, word_list or flag");
      }
      t.inbox.case_tasks.push_back(std::move(task));
    }
    for (const auto& n : Field(node, "word_lists")) {
      if (!IsMapNode(n)) {
        r_.Error(n, "a word list must be a map with id, title and words");
        continue;
      }
      r_.OnlyKeys(n, {"id", "title", "words"});
      WordList list{r_.Str(n, "id"), r_.Text(n, "title"), Strings(n, "words")};
      if (list.words.empty()) r_.Error(n, "a word list needs at least one word");
      t.inbox.word_lists.push_back(std::move(list));
    }
  }

  // lifecycle: {change_admins: {sv, en}, absence: {sv, en}}
  void ParseLifecycle(const YAML::Node& node, Template& t) {
    if (!node.IsDefined() || node.IsNull()) return;
    if (!IsMapNode(node)) return r_.Error(node, "'lifecycle' must be a map");
    r_.OnlyKeys(node, {"change_admins", "absence"});
    for (const char* key : {"change_admins", "absence"}) {
      if (Field(node, key).IsDefined()) t.lifecycle_rules[key] = r_.Text(node, key);
    }
  }

  // Ready texts an administrator may publish as the reply to a public
  // comment with one press (the social inbox), by name.
  void ParsePublicReplies(const YAML::Node& node, Template& t) {
    if (!node.IsDefined() || node.IsNull()) return;
    if (!IsMapNode(node)) return r_.Error(node, "'public_replies' must be a map");
    r_.OnlyKeys(node, {"secure_channel"});
    if (Field(node, "secure_channel").IsDefined())
      t.public_replies["secure_channel"] = r_.Text(node, "secure_channel");
  }

  void ParseRegister(const YAML::Node& node, Template& t) {
    if (!node.IsDefined() || node.IsNull()) return;
    if (!IsMapNode(node)) return r_.Error(node, "'register' must be a map");
    r_.OnlyKeys(node, {"medium", "url", "unit", "purpose"});
    for (const char* field : {"medium", "url", "unit", "purpose"}) {
      std::string id = r_.Str(node, field);
      const Step* s = t.FindStep(id);
      if (!id.empty() && (s == nullptr || !s->IsQuestion())) {
        r_.Error(Field(node, field), "register." + std::string(field) + " refers to '" + id +
                                         "', which is not a question");
      }
      t.register_fields[field] = id;
    }
  }

  // "HH:MM" as minutes after midnight; "24:00" is allowed as a closing time.
  static std::optional<int> ParseClock(const std::string& text) {
    static const std::regex kClock(R"(^([0-9]{2}):([0-9]{2})$)");
    std::smatch m;
    if (!std::regex_match(text, m, kClock)) return std::nullopt;
    int h = std::stoi(m[1].str());
    int min = std::stoi(m[2].str());
    if (min > 59 || h > 24 || (h == 24 && min != 0)) return std::nullopt;
    return h * 60 + min;
  }

  // "YYYY-MM-DD", a real date.
  static std::optional<std::chrono::year_month_day> ParseDate(const std::string& text) {
    static const std::regex kDate(R"(^([0-9]{4})-([0-9]{2})-([0-9]{2})$)");
    std::smatch m;
    if (!std::regex_match(text, m, kDate)) return std::nullopt;
    std::chrono::year_month_day d{std::chrono::year(std::stoi(m[1].str())),
                                  std::chrono::month(std::stoul(m[2].str())),
                                  std::chrono::day(std::stoul(m[3].str()))};
    if (!d.ok()) return std::nullopt;
    return d;
  }

  void ParseCalendar(const YAML::Node& node, Template& t) {
    if (!node.IsDefined() || node.IsNull()) return;
    if (!IsMapNode(node)) return r_.Error(node, "'calendar' must be a map");
    r_.OnlyKeys(node, {"office_hours", "closed_days"});
    YAML::Node hours = Field(node, "office_hours");
    if (hours.IsDefined() && !hours.IsNull()) {
      static const std::regex kHours(R"(^\s*([0-9:]+)\s*-\s*([0-9:]+)\s*$)");
      std::smatch m;
      std::string text = hours.IsScalar() ? hours.Scalar() : "";
      std::optional<int> open;
      std::optional<int> close;
      if (std::regex_match(text, m, kHours)) {
        open = ParseClock(m[1].str());
        close = ParseClock(m[2].str());
      }
      if (!open || !close) {
        r_.Error(hours, "office_hours must be like \"08:00-17:00\", not '" + text + "'");
      } else if (*open >= *close) {
        r_.Error(hours, "office_hours '" + text + "' must open before it closes");
      } else {
        t.calendar.open_minute = *open;
        t.calendar.close_minute = *close;
      }
    }
    YAML::Node closed = Field(node, "closed_days");
    if (!closed.IsDefined() || closed.IsNull()) return;
    if (!IsSeq(closed)) return r_.Error(closed, "'closed_days' must be a list of dates");
    for (const auto& item : closed) {
      std::string day = item.IsScalar() ? item.Scalar() : "";
      if (auto d = ParseDate(day)) {
        t.calendar.closed_days.push_back(*d);
      } else {
        r_.Error(item, "closed day '" + day + "' is not a date like 2026-12-28");
      }
    }
  }

  void ParseReminders(const YAML::Node& node, Template& t) {
    if (!node.IsDefined() || node.IsNull()) return;
    if (!IsMapNode(node)) return r_.Error(node, "'reminders' must be a map");
    r_.OnlyKeys(
        node, {"draft_idle", "approval", "admin_acceptance", "public_reply", "startup", "snapshot",
               "yearly_review", "archiving", "inactivity", "follow_up", "absence"});
    static const std::set<std::string> kDurations{"nudge_after", "escalate_after", "due_within",
                                                  "after"};
    for (const auto& kv : node) {
      nlohmann::json policy = nlohmann::json::object();
      if (!IsMapNode(kv.second)) {
        r_.Error(kv.second, "a reminder policy must be a map");
        continue;
      }
      for (const auto& field : kv.second) {
        std::string key = field.first.Scalar();
        if (kDurations.count(key) && !field.second.IsNull()) {
          if (!IsValidDuration(field.second.Scalar())) {
            r_.Error(field.second, "'" + field.second.Scalar() +
                                       "' is not a duration like '1 working day' or '6 months'");
          }
          policy[key] = field.second.Scalar();
        } else if (field.second.IsScalar()) {
          policy[key] = field.second.Scalar();
        } else if (field.second.IsSequence()) {
          for (const auto& v : field.second) policy[key].push_back(v.IsScalar() ? v.Scalar() : "");
        } else if (field.second.IsMap()) {
          policy[key] = {{"sv", Field(field.second, "sv").as<std::string>("")},
                         {"en", Field(field.second, "en").as<std::string>("")}};
        }
      }
      if (IsDuty(kv.first.Scalar())) CheckDuty(kv.first.Scalar(), kv.second, policy, t);
      if (kv.first.Scalar() == "absence") {
        r_.OnlyKeys(kv.second, {"text", "when_uncovered"});
        const YAML::Node choices = Field(kv.second, "when_uncovered");
        for (const auto& v :
             choices.IsSequence() ? choices : YAML::Node(YAML::NodeType::Sequence)) {
          const std::string choice = v.IsScalar() ? v.Scalar() : "";
          if (choice != "closed_for_posts" && choice != "closed" && choice != "appoint")
            r_.Error(v, "'when_uncovered' choices are closed_for_posts, closed and appoint");
        }
      }
      t.reminders[kv.first.Scalar()] = policy;
    }
  }

  // A periodic duty is the organisation's own: its words, its dates (or,
  // for inactivity, its period), whom it asks and for what.
  void CheckDuty(const std::string& kind, const YAML::Node& node, const nlohmann::json& policy,
                 const Template& t) {
    r_.OnlyKeys(
        node, {"at", "after", "due_within", "escalate_to", "text", "title", "to", "per", "goals"});
    for (const auto& goal : policy.value("goals", nlohmann::json::array())) {
      const Step* s = goal.is_string() ? t.FindStep(goal.get<std::string>()) : nullptr;
      if (s == nullptr || !s->IsQuestion())
        r_.Error(Field(node, "goals"), "'goals' names questions of the template");
    }
    auto localized = [&](const char* field, bool required) {
      const nlohmann::json* v = policy.contains(field) ? &policy.at(field) : nullptr;
      if (v == nullptr) {
        if (required) r_.Error(node, "duty '" + kind + "' needs '" + field + "' ({sv, en})");
        return;
      }
      if (!v->is_object() || v->value("sv", "").empty() || v->value("en", "").empty())
        r_.Error(Field(node, field), "'" + std::string(field) + "' needs both sv and en");
    };
    localized("text", true);
    localized("title", false);
    if (kind == "inactivity" || kind == "follow_up") {
      if (!policy.contains("after")) r_.Error(node, "duty '" + kind + "' needs 'after'");
    } else if (!policy.contains("at")) {
      r_.Error(node, "duty '" + kind + "' needs 'at' (dates like \"01-15\")");
    }
    static const std::regex kMonthDay("^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$");
    nlohmann::json at = policy.value("at", nlohmann::json::array());
    for (const auto& d : at.is_array() ? at : nlohmann::json::array({at})) {
      if (!d.is_string() || !std::regex_match(d.get<std::string>(), kMonthDay))
        r_.Error(Field(node, "at"), "'at' takes dates like \"01-15\" (month-day)");
    }
    std::string per = policy.value("per", std::string("account"));
    if (per != "account" && per != "organisation")
      r_.Error(Field(node, "per"), "'per' is 'account' or 'organisation'");
    if (per == "organisation" && (kind == "inactivity" || kind == "follow_up"))
      r_.Error(Field(node, "per"), kind + " is per account");
    if (per == "organisation" &&
        policy.value("to", std::string("administrators")) == "administrators")
      r_.Error(node, "a duty 'per: organisation' names its role with 'to'");
  }

  YamlReader& r_;
};

TemplateLoad Finish(YamlReader& reader, const YAML::Node& root) {
  TemplateLoad out;
  std::shared_ptr<Template> t;
  if (reader.errors().empty()) t = TemplateParser(reader).Parse(root);
  out.errors = reader.errors();
  if (out.errors.empty()) out.tmpl = t;
  return out;
}

}  // namespace

bool IsValidDuration(const std::string& text) {
  static const std::regex kDuration(
      R"(^\s*[0-9]+\s+(working\s+(day|days|hour|hours)|minutes?|hours?|days?|weeks?|months?|years?)\s*$)");
  return std::regex_match(text, kDuration);
}

TemplateLoad LoadTemplateFile(const std::string& path) {
  YamlReader reader(path);
  YAML::Node root = reader.LoadFile();
  return Finish(reader, root);
}

TemplateLoad LoadTemplateString(const std::string& text, const std::string& name) {
  YamlReader reader(name);
  YAML::Node root = reader.LoadString(text);
  return Finish(reader, root);
}

TemplateSetLoad LoadTemplateDir(const std::string& dir) {
  TemplateSetLoad out;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  if (ec) {
    out.errors.push_back({dir, 0, 0, "cannot read template directory: " + ec.message()});
    return out;
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    TemplateLoad one = LoadTemplateFile(f.string());
    out.errors.insert(out.errors.end(), one.errors.begin(), one.errors.end());
    if (!one.tmpl) continue;
    if (out.templates.count(one.tmpl->id)) {
      out.errors.push_back({f.string(), 0, 0, "template id '" + one.tmpl->id + "' is used twice"});
      continue;
    }
    out.templates[one.tmpl->id] = one.tmpl;
  }
  if (files.empty()) out.errors.push_back({dir, 0, 0, "no *.yaml templates found"});
  return out;
}

}  // namespace kontobot::config
