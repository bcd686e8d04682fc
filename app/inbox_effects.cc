// The social inbox's effects (issue 18): an arriving item is stored as the
// record, flagged when it holds an identity number, shown (masked) to the
// account's administrators with buttons, and its answer wait started; the
// administrators' buttons and the information function's "sida" command.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "app/conversation_service.h"
#include "app/turn.h"
#include "bot/absence.h"
#include "bot/answers.h"
#include "bot/inbox.h"
#include "bot/inbox_case.h"
#include "bot/text.h"

namespace kontobot::app {

namespace {

// Items of one account arriving within this time of each other share a
// message.
constexpr std::chrono::minutes kGatherWindow{2};
// At most this many items share a message: a burst of hundreds would
// otherwise make one message nobody can read (and rewrite it, growing,
// for every item: quadratic work). The next item starts a new message,
// and later ones gather into that.
constexpr long kGatherMax = 5;

std::chrono::year_month_day DateOf(TimePoint t) {
  return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(t)};
}

// The session's pending question while a reply is written: the item asked
// about, then the item and the text shown back for confirmation.
constexpr std::string_view kReplyAsked = "inbox_reply:";
constexpr std::string_view kReplyShown = "inbox_confirm:";
constexpr const char* kSecureChannel = "secure_channel";

// The catalogue's name of why a comment action was given up.
const char* FailureName(CommentActions::Failure f) {
  switch (f) {
    case CommentActions::Failure::kNoToken:
      return "no_token";
    case CommentActions::Failure::kTokenExpired:
      return "token_expired";
    case CommentActions::Failure::kGone:
      return "gone";
    case CommentActions::Failure::kNotAllowed:
      return "not_allowed";
    default:
      return "refused";
  }
}

// The outbox row of a reply or hide (`kind`) of `item`, asked for by
// `by`; one lane per page, so a page's actions keep their order.
store::OutboxItem CommentActionRow(const char* kind, const store::StoredInboxItem& item,
                                   const std::string& by, const std::string& message) {
  store::OutboxItem row;
  row.platform = "inbox";
  row.kind = kind;
  row.lane = "page:" + item.item.page_id;
  row.payload = {{"item", item.id},
                 {"source", item.item.source},
                 {"page", item.item.page_id},
                 {"comment", item.item.external_id},
                 {"by", by}};
  if (!message.empty()) row.payload["message"] = message;
  return row;
}

// The state an item moves to on a platform's change; "" for none.
std::string StateAfter(InboxVerb verb) {
  switch (verb) {
    case InboxVerb::kRemove:
      return "removed";
    case InboxVerb::kHide:
      return "hidden";
    case InboxVerb::kUnhide:
      return "open";
    default:
      return "";
  }
}

}  // namespace

void ConversationService::InboxArrived(store::Transaction& tx, const InboxItem& item,
                                       const std::string& raw) {
  const TimePoint now = clock_.Now();
  const std::chrono::year_month_day today = DateOf(now);
  const std::string shown = MaskIdentityNumbers(item.text, today);
  const bool flagged = HoldsIdentityNumber(item.text, today);
  std::optional<store::StoredInboxItem> known = tx.FindInboxItem(item.source, item.external_id);
  if (known && item.verb == InboxVerb::kAdd) return;  // seen before (another delivery)
  if (known) {
    // A later change: kept with its own bytes; the first text stays the
    // record of what was published.
    tx.AppendInboxChange(known->id, std::string(VerbName(item.verb)), item.text, shown, raw, now);
    const std::string state = StateAfter(item.verb);
    if (!state.empty() && known->state != "reply") {
      tx.SetInboxState(known->id, state, "platform", now);
      // Gone from public view: nothing to answer any more.
      if (state != "open" && known->account != 0)
        EndReplyWait(tx, known->account, std::to_string(known->id), now);
      // Removed or hidden on the platform: the case's task is done.
      if (state != "open") CompleteInboxCaseTask(tx, known->id, "remove", "platform", now);
    }
    tx.AppendAudit(now, "kontobot", "inbox.changed", "inbox:" + std::to_string(known->id),
                   {{"verb", VerbName(item.verb)}, {"flagged", flagged}});
    return;
  }
  store::StoredInboxItem s;
  s.item = item;
  s.account = tx.AccountOfPage(item.page_id).value_or(0);
  s.shown = shown;
  s.flagged = flagged;
  s.raw = raw;
  s.state = item.FromAccount() ? "reply" : std::string("open");
  if (item.verb != InboxVerb::kAdd && item.verb != InboxVerb::kEdit)
    s.state = StateAfter(item.verb);
  const int64_t id = tx.InsertInboxItem(s, now);
  if (id == 0) return;
  const std::string subject = "inbox:" + std::to_string(id);
  // Never the text in the audit trail or the log: it may hold a number.
  tx.AppendAudit(now, "kontobot", "inbox.received", subject,
                 {{"source", item.source},
                  {"page", item.page_id},
                  {"account", s.account},
                  {"flagged", flagged},
                  {"state", s.state}});
  log_->info("inbox: {} item {} on page {} (account {}){}", item.source, id, item.page_id,
             s.account, flagged ? ", flagged: holds an identity number" : "");

  if (s.state == "reply") {
    // The organisation answered on the platform: the comment it answers
    // (the parent) has its answer.
    auto parent = tx.FindInboxItem(item.source, item.parent_id);
    if (parent && parent->state == "open" &&
        tx.SetInboxState(parent->id, "answered", "platform", now)) {
      if (parent->account != 0) EndReplyWait(tx, parent->account, std::to_string(parent->id), now);
      tx.AppendAudit(now, "kontobot", "inbox.answered", "inbox:" + std::to_string(parent->id),
                     {{"by", "platform"}, {"reply", subject}});
    }
    return;
  }
  if (s.state != "open") return;  // removed or hidden before we heard of it

  const std::string when = cases_.local_time().Format(
      item.created_at != 0 ? TimePoint{std::chrono::seconds(item.created_at)} : now);
  auto vars = [&](const std::string& account_label) {
    return Vars{{"account", Literal(account_label)},
                {"author", Literal(item.author_name.empty() ? item.author_id : item.author_name)},
                {"time", when},
                {"text", Literal(shown)},
                {"link", Literal(item.permalink)},
                {"page", Literal(item.page_id)},
                {"source", Literal(item.source)}};
  };
  auto a = s.account != 0 ? tx.LoadAccount(s.account) : std::nullopt;
  if (!a) {
    // Nobody's account: every information function sees it, and can
    // name the page's account ("sida 12 <page id>").
    for (const Organisation& org : directory_.organisations()) {
      for (const Person* info : InformationFunction(org.id)) {
        const Lang lang = kontobot::LanguageOf(info, &tx.Languages());
        Send(tx, info->id, {catalog_.Render(lang, "inbox.unknown_page", vars("")), {}}, {}, 0, now);
      }
    }
    return;
  }
  const std::string label = a->Label();
  std::vector<std::string> admins = AdministratorIds(*a);
  if (reminders_ != nullptr)
    admins = WithCovers(admins, tx.AbsencesOf(a->registration_id), reminders_->LocalDate(now));
  const std::string value = std::to_string(id);
  const bool can_reply =
      std::find(reply_pages_.begin(), reply_pages_.end(), item.page_id) != reply_pages_.end();
  // The template's ready reply for a conversation that must move to a
  // secure channel (Dalarna 5), where kontobot can reply.
  const Template* tmpl = TemplateOfOrg(a->org);
  const bool secure_reply = can_reply && tmpl != nullptr &&
                            tmpl->public_replies.count(kSecureChannel) > 0 &&
                            !tmpl->public_replies.at(kSecureChannel).sv.empty();
  // Items of one account arriving together (a burst, one delivery with
  // several changes) are gathered: each administrator's message about
  // the account's newest open item from the last few minutes is rewritten
  // to hold this one too, with numbered buttons.
  std::optional<store::StoredInboxItem> head =
      tx.OpenInboxItemSince(a->registration_id, id, now - kGatherWindow);
  nlohmann::json notices = nlohmann::json::object();
  for (const std::string& to : admins) {
    const Person* p = directory_.Find(to);
    const Lang lang = kontobot::LanguageOf(p, &tx.Languages());
    std::vector<Button> buttons{
        {"inbox_answered", value, catalog_.Render(lang, "button.inbox_answered"), "primary"},
        {"inbox_hide", value, catalog_.Render(lang, "button.inbox_hide"), "default"},
        {"inbox_flag", value, catalog_.Render(lang, "button.inbox_flag"), "danger"}};
    if (can_reply)
      buttons.push_back(
          {"inbox_reply", value, catalog_.Render(lang, "button.inbox_reply"), "default"});
    if (secure_reply)
      buttons.push_back({"inbox_reply_secure", value,
                         catalog_.Render(lang, "button.inbox_reply_secure"), "default"});
    std::optional<store::StoredMessage> shared;
    if (head && head->notices.contains(to) && head->notices[to].is_number_integer())
      shared = tx.LoadMessage(head->notices[to].get<int64_t>());
    const auto gathered =
        shared ? std::count_if(shared->buttons.begin(), shared->buttons.end(),
                               [](const Button& b) { return b.id == "inbox_answered"; })
               : 0;
    if (shared && shared->person_id == to && gathered < kGatherMax) {
      const auto n = 1 + gathered;
      Vars more = vars(label);
      more["n"] = std::to_string(n);
      Reply merged{
          shared->text + "\n\n" +
              catalog_.Render(lang, flagged ? "inbox.item_more_flagged" : "inbox.item_more", more),
          shared->buttons};
      for (Button& b : buttons) {
        b.label = std::to_string(n) + " · " + b.label;
        merged.buttons.push_back(std::move(b));
      }
      tx.EditMessage(shared->id, merged, now);
      if (auto edited = tx.LoadMessage(shared->id)) Dispatch(tx, *edited, true, now);
      notices[to] = shared->id;
      continue;
    }
    Reply r{catalog_.Render(lang, flagged ? "inbox.item_flagged" : "inbox.item", vars(label)),
            std::move(buttons)};
    notices[to] = Send(tx, to, r, {}, 0, now).id;
  }
  tx.SetInboxNotices(id, notices);
  StartReplyWait(tx, a->registration_id, value, now, now);
  s.id = id;                             // as stored; its account is `a`
  FlagArrivedInboxItem(tx, s, *a, now);  // an identity number or a word-list hit: a case
}

bool ConversationService::HandleInboxInput(Turn& turn, const Input& input) {
  const Lang lang = turn.session.lang;
  auto say = [&](const std::string& key, const Vars& vars = {}) {
    Say(turn, {catalog_.Render(lang, key, vars), {}});
  };
  if (input.action.empty()) {
    // "sida 12 1234567890": the information function names an account's
    // page or profile id (typed outside a draft only).
    if (turn.session.active_draft != 0) return false;
    const std::vector<std::string> words = SpaceSeparated(input.text);
    const auto& command = catalog_.CommandWords("inbox_page");
    if (words.empty() ||
        std::find(command.begin(), command.end(), NormalizeWord(words[0])) == command.end())
      return false;
    if (!turn.person.HasRole(InformationRoleOf(turn.person.org))) {
      say("inbox.page_not_allowed");
      return true;
    }
    int64_t account = 0;
    if (words.size() != 3 || (account = std::atoll(words[1].c_str())) <= 0) {
      say("inbox.page_usage");
      return true;
    }
    auto a = turn.tx.LoadAccount(account);
    if (!a || a->org != turn.person.org) {
      say("inbox.page_unknown_account", {{"id", std::to_string(account)}});
      return true;
    }
    turn.tx.SetAccountPage(words[2], account, turn.person.id, turn.now);
    turn.tx.AppendAudit(turn.now, turn.person.id, "inbox.page_set",
                        "registration:" + std::to_string(account), {{"page", words[2]}});
    say("inbox.page_set", {{"id", std::to_string(account)},
                           {"page", Literal(words[2])},
                           {"account", Literal(a->Label())}});
    return true;
  }
  if (input.action.rfind("inbox_", 0) != 0) return false;
  auto item = turn.tx.LoadInboxItem(std::atoll(input.value.c_str()));
  if (!item) {
    say("inbox.gone");
    return true;
  }
  const std::string ref = std::to_string(item->id);
  const std::string subject = "inbox:" + ref;
  auto a = item->account != 0 ? turn.tx.LoadAccount(item->account) : std::nullopt;
  const std::string label = a ? a->Label() : "";
  if (input.action == "inbox_reply") {
    say("inbox.reply_on_platform", {{"link", Literal(item->item.permalink)}});
    return true;
  }
  if (input.action == "inbox_flag") {
    turn.tx.AppendAudit(turn.now, turn.person.id, "inbox.flagged", subject, {});
    say("inbox.flag_recorded");
    // The organisation's handling case (app/inbox_case_effects.cc); where
    // the template prescribes none, the information function is told.
    if (a && (turn.tx.InboxCaseOfItem(item->id) ||
              OpenInboxCase(turn.tx, *item, kFlagManual, {}, turn.person.id, turn.now) != 0))
      return true;
    if (a) {
      for (const Person* info : InformationFunction(a->org)) {
        if (info->id == turn.person.id) continue;
        const Lang l = kontobot::LanguageOf(info, &turn.tx.Languages());
        Send(turn.tx, info->id,
             {catalog_.Render(l, "inbox.flagged_info",
                              {{"who", Literal(turn.person.name)},
                               {"account", Literal(label)},
                               {"text", Literal(item->shown)},
                               {"link", Literal(item->item.permalink)}}),
              {}},
             {}, 0, turn.now);
      }
    }
    return true;
  }
  const bool hide = input.action == "inbox_hide";
  if (!hide && input.action != "inbox_answered") return false;
  if (item->state != "open") {
    say("inbox.already", {{"state", catalog_.Render(lang, "inbox.state." + item->state)}});
    return true;
  }
  const bool via_platform = hide && std::find(reply_pages_.begin(), reply_pages_.end(),
                                              item->item.page_id) != reply_pages_.end();
  if (via_platform) {
    // Hidden through the platform (the copy is the record already): the
    // item is hidden, and its wait ends, when the platform has done it.
    turn.tx.Enqueue(CommentActionRow(kCommentHide, *item, turn.person.id, ""), turn.now);
    turn.tx.AppendAudit(turn.now, turn.person.id, "inbox.hide_queued", subject,
                        {{"by", turn.person.id}});
    say("inbox.hide_queued", {{"link", Literal(item->item.permalink)}});
    return true;
  }
  turn.tx.SetInboxState(item->id, hide ? "hidden" : "answered", turn.person.id, turn.now);
  if (item->account != 0) EndReplyWait(turn.tx, item->account, ref, turn.now);
  if (hide) CompleteInboxCaseTask(turn.tx, item->id, "remove", turn.person.id, turn.now);
  turn.tx.AppendAudit(turn.now, turn.person.id, hide ? "inbox.hidden" : "inbox.answered", subject,
                      {{"by", turn.person.id}});
  say(hide ? "inbox.hide_on_platform" : "inbox.marked_answered",
      {{"link", Literal(item->item.permalink)}});
  return true;
}

bool ConversationService::HandleInboxReply(Turn& turn, const Input& input) {
  const Lang lang = turn.session.lang;
  std::string& pending = turn.session.pending;
  const bool asked = pending.starts_with(kReplyAsked);
  const bool shown = pending.starts_with(kReplyShown);
  auto say = [&](const std::string& key, const Vars& vars = {}) {
    Say(turn, {catalog_.Render(lang, key, vars), {}});
  };
  if (input.action.empty()) {
    // The typed reply, whatever it says (a reply may well contain
    // "semester" or "sida"), or the cancel word.
    if (!asked && !shown) return false;
    const int64_t id =
        std::atoll(pending.substr(asked ? kReplyAsked.size() : kReplyShown.size()).c_str());
    const auto& cancel = catalog_.CommandWords("cancel");
    if (std::find(cancel.begin(), cancel.end(), NormalizeWord(input.text)) != cancel.end()) {
      pending.clear();
      say("inbox.reply_cancelled");
      return true;
    }
    if (LooksLikePassword(input.text)) {  // never published; the question stays open
      say("inbox.reply_password");
      return true;
    }
    const std::string text = Trim(input.text);
    if (text.empty()) {
      say("inbox.reply_empty");
      return true;
    }
    AskReplyConfirmation(turn, id, text);
    return true;
  }
  if (input.action == "inbox_reply_cancel") {
    if (asked || shown) pending.clear();
    say("inbox.reply_cancelled");
    return true;
  }
  if (input.action != "inbox_reply" && input.action != "inbox_reply_secure" &&
      input.action != "inbox_reply_send")
    return false;
  auto item = turn.tx.LoadInboxItem(std::atoll(input.value.c_str()));
  if (!item) {
    say("inbox.gone");
    return true;
  }
  const std::string ref = std::to_string(item->id);
  if (item->state != "open") {
    if (pending == std::string(kReplyAsked) + ref ||
        pending.starts_with(std::string(kReplyShown) + ref + "\n"))
      pending.clear();
    say("inbox.already", {{"state", catalog_.Render(lang, "inbox.state." + item->state)}});
    return true;
  }
  if (std::find(reply_pages_.begin(), reply_pages_.end(), item->item.page_id) ==
      reply_pages_.end()) {
    say("inbox.reply_on_platform", {{"link", Literal(item->item.permalink)}});
    return true;
  }
  // One reply at a time: another administrator's may be on its way.
  if (turn.tx.CommentActionPending(item->id, kCommentReply)) {
    say("inbox.reply_in_progress", {{"link", Literal(item->item.permalink)}});
    return true;
  }
  if (input.action == "inbox_reply") {
    pending = std::string(kReplyAsked) + ref;
    say("inbox.reply_prompt",
        {{"author",
          Literal(item->item.author_name.empty() ? item->item.author_id : item->item.author_name)},
         {"text", Literal(item->shown)},
         {"link", Literal(item->item.permalink)}});
    return true;
  }
  if (input.action == "inbox_reply_secure") {
    auto a = item->account != 0 ? turn.tx.LoadAccount(item->account) : std::nullopt;
    const Template* t = a ? TemplateOfOrg(a->org) : nullptr;
    const std::string text = t != nullptr && t->public_replies.count(kSecureChannel) > 0
                                 ? t->public_replies.at(kSecureChannel).sv
                                 : "";
    if (text.empty()) {
      say("inbox.reply_no_ready_text");
      return true;
    }
    // Published in Swedish, the organisation's public language.
    AskReplyConfirmation(turn, item->id, text);
    return true;
  }
  // inbox_reply_send: the text shown back for this item, confirmed.
  const std::string shown_prefix = std::string(kReplyShown) + ref + "\n";
  if (!pending.starts_with(shown_prefix)) {
    say("inbox.reply_nothing_to_send");
    return true;
  }
  const std::string text = pending.substr(shown_prefix.size());
  pending.clear();
  turn.tx.Enqueue(CommentActionRow(kCommentReply, *item, turn.person.id, text), turn.now);
  // The record: the text as it goes out, and who sent it.
  const std::string masked = MaskIdentityNumbers(text, DateOf(turn.now));
  turn.tx.AppendInboxChange(item->id, "reply_queued", text, masked,
                            nlohmann::json{{"by", turn.person.id}}.dump(), turn.now);
  turn.tx.AppendAudit(turn.now, turn.person.id, "inbox.reply_queued", "inbox:" + ref,
                      {{"by", turn.person.id}, {"text", masked}});
  say("inbox.reply_queued", {{"link", Literal(item->item.permalink)}});
  return true;
}

void ConversationService::AskReplyConfirmation(Turn& turn, int64_t item, const std::string& text) {
  const Lang lang = turn.session.lang;
  const std::string ref = std::to_string(item);
  turn.session.pending = std::string(kReplyShown) + ref + "\n" + text;
  Say(turn,
      {catalog_.Render(lang, "inbox.reply_confirm", {{"text", Literal(text)}}),
       {{"inbox_reply_send", ref, catalog_.Render(lang, "button.inbox_reply_send"), "primary"},
        {"inbox_reply_cancel", ref, catalog_.Render(lang, "button.inbox_reply_cancel"),
         "default"}}});
}

Delivery ConversationService::DeliverCommentAction(CommentActions& actions,
                                                   const store::OutboxItem& row) {
  const bool reply = row.kind == kCommentReply;
  const nlohmann::json& p = row.payload;
  CommentActions::Answer answer = actions.ActOnComment(
      reply ? CommentActions::Action::kReply : CommentActions::Action::kHide, p.value("source", ""),
      p.value("page", ""), p.value("comment", ""), p.value("message", ""));
  Delivery d = std::move(answer.outcome);
  if (d.result == Delivery::Result::kRetry) return d;  // nothing changes yet
  d.learned = [this, reply, payload = p, sent = d.result == Delivery::Result::kSent,
               failure = answer.failure, reply_id = answer.reply_id,
               error = d.error](store::Transaction& tx) {
    const TimePoint now = clock_.Now();
    const int64_t id = payload.value("item", int64_t{0});
    const std::string by = payload.value("by", "");
    auto item = tx.LoadInboxItem(id);
    if (!item) return;
    const std::string ref = std::to_string(id);
    const std::string subject = "inbox:" + ref;
    const Person* presser = directory_.Find(by);
    const Lang lang = kontobot::LanguageOf(presser, &tx.Languages());
    const std::string message = payload.value("message", "");
    const std::string masked = MaskIdentityNumbers(message, DateOf(now));
    if (sent) {
      // The webhook's echo of our reply may have come first and answered
      // the item already: then only the record is added.
      tx.AppendInboxChange(id, reply ? "replied" : "hidden_by_kontobot", message, masked,
                           nlohmann::json{{"by", by}, {"reply_id", reply_id}}.dump(), now);
      if (item->state == "open") tx.SetInboxState(id, reply ? "answered" : "hidden", by, now);
      // Hidden through Graph: a flagged item's handling case has its
      // removal done.
      if (!reply) CompleteInboxCaseTask(tx, id, "remove", by, now);
      if (item->account != 0) EndReplyWait(tx, item->account, ref, now);
      nlohmann::json detail{{"by", by}, {"via", "graph"}};
      if (reply) {
        detail["text"] = masked;
        detail["reply_id"] = reply_id;
      }
      tx.AppendAudit(now, by, reply ? "inbox.replied" : "inbox.hidden", subject, detail);
      if (presser != nullptr)
        Send(tx, by,
             {catalog_.Render(lang, reply ? "inbox.reply_published" : "inbox.hidden_done",
                              {{"link", Literal(item->item.permalink)}, {"text", Literal(masked)}}),
              {}},
             {}, 0, now);
      return;
    }
    const std::string why = FailureName(failure);
    tx.AppendAudit(now, "kontobot", reply ? "inbox.reply_failed" : "inbox.hide_failed", subject,
                   {{"by", by}, {"failure", why}, {"error", error}});
    if (presser != nullptr)
      Send(tx, by,
           {catalog_.Render(lang, reply ? "inbox.reply_failed" : "inbox.hide_failed",
                            {{"reason", catalog_.Render(lang, "inbox.failure." + why)},
                             {"link", Literal(item->item.permalink)},
                             {"text", Literal(masked)}}),
            {}},
           {}, 0, now);
    if (failure != CommentActions::Failure::kTokenExpired || item->account == 0) return;
    // The page's token must be renewed: the organisation's information
    // function is told, once for this failure.
    auto a = tx.LoadAccount(item->account);
    if (!a) return;
    const std::string label = a->Label();
    for (const Person* info : InformationFunction(a->org)) {
      const Lang l = kontobot::LanguageOf(info, &tx.Languages());
      Send(tx, info->id,
           {catalog_.Render(l, "inbox.token_expired",
                            {{"page", Literal(item->item.page_id)},
                             {"account", Literal(label)},
                             {"id", std::to_string(item->account)}}),
            {}},
           {}, 0, now);
    }
  };
  return d;
}

}  // namespace kontobot::app
