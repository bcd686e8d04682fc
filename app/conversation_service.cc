// Routing: a message or a button goes to the engine that owns it (the
// conversation engine for drafts, the case engine for decisions, the
// diarienummer and reminder words here), and the one Outbound path every
// message of kontobot's is written through. Case effects are in
// case_effects.cc, reminder effects in reminder_effects.cc.
#include "app/conversation_service.h"

#include <algorithm>
#include <map>

#include "app/diary_keeping.h"
#include "app/turn.h"
#include "bot/answers.h"
#include "bot/diary.h"
#include "store/clock_format.h"

namespace kontobot::app {

ConversationService::ConversationService(store::Store& store, const ConversationEngine& engine,
                                         const CaseEngine& cases, const TemplateSet& templates,
                                         const Directory& directory, const Catalog& catalog,
                                         const Clock& clock, std::shared_ptr<spdlog::logger> log)
    : store_(store),
      engine_(engine),
      cases_(cases),
      templates_(templates),
      directory_(directory),
      catalog_(catalog),
      clock_(clock),
      log_(std::move(log)),
      recogniser_(catalog),
      closing_(templates, catalog, directory),
      absence_(catalog, directory),
      change_(templates, catalog, directory) {}

namespace {

store::StoredMessage Out(const std::string& person, const std::string& channel, const Reply& r,
                         TimePoint now, int64_t draft_id) {
  store::StoredMessage m;
  m.at = now;
  m.person_id = person;
  m.channel = channel;
  m.direction = "out";
  m.text = r.text;
  m.buttons = r.buttons;
  m.input = r.input;
  m.draft_id = draft_id;
  return m;
}

}  // namespace

std::string ConversationService::HomeChannel(store::Transaction& tx, const std::string& person) {
  if (auto last = tx.LastInboundChannel(person)) return *last;
  if (const Person* p = directory_.Find(person)) {
    for (const std::string& platform : outbox_platforms_) {
      if (p->accounts.count(platform)) return platform;
    }
  }
  return "webchat";
}

void ConversationService::Dispatch(store::Transaction& tx, const store::StoredMessage& m,
                                   bool update, TimePoint now) {
  if (std::find(outbox_platforms_.begin(), outbox_platforms_.end(), m.channel) ==
      outbox_platforms_.end())
    return;
  store::OutboxItem item;
  item.platform = m.channel;
  item.kind = update ? "update" : "post";
  item.lane = "person:" + m.person_id;
  item.person_id = m.person_id;
  item.message_id = m.id;
  tx.Enqueue(item, now);
}

store::StoredMessage ConversationService::Outbound(store::Transaction& tx, const std::string& to,
                                                   const std::string& channel, const Reply& reply,
                                                   const std::vector<int64_t>& task_ids,
                                                   int64_t draft_id, TimePoint now) {
  store::StoredMessage m = Out(to, channel, reply, now, draft_id);
  m.id = tx.AppendMessage(m);
  Dispatch(tx, m, false, now);
  for (int64_t task : task_ids) tx.LinkTaskMessage(task, m.id);
  tx.AppendAudit(now, "kontobot", "message.out", "message:" + std::to_string(m.id),
                 {{"channel", m.channel}, {"to", to}});
  return m;
}

store::StoredMessage ConversationService::Send(store::Transaction& tx, const std::string& to,
                                               const Reply& reply,
                                               const std::vector<int64_t>& task_ids,
                                               int64_t draft_id, TimePoint now) {
  if (const Person* p = directory_.Find(to)) tx.UpsertPerson(*p, now);
  return Outbound(tx, to, HomeChannel(tx, to), reply, task_ids, draft_id, now);
}

void ConversationService::Say(Turn& t, const Reply& reply, int64_t draft_id) {
  t.mine.push_back(Outbound(t.tx, t.person.id, t.channel, reply, {}, draft_id, t.now));
}

std::vector<store::StoredMessage> ConversationService::Handle(
    const Person& person, const std::string& channel, const Input& input, const std::string& echo,
    const std::optional<std::pair<std::string, std::string>>& dedupe) {
  store::Transaction tx(store_);
  if (dedupe && !tx.FirstDelivery(dedupe->first, dedupe->second, clock_.Now())) return {};
  std::vector<store::StoredMessage> mine = HandleIn(tx, person, channel, input, echo);
  tx.Commit();
  if (on_commit_) on_commit_();
  if (on_timers_) on_timers_();
  return mine;
}

std::optional<std::vector<store::StoredMessage>> ConversationService::Press(
    const Person& person, const std::string& channel, const Pressed& pressed,
    const std::optional<std::pair<std::string, std::string>>& dedupe) {
  store::Transaction tx(store_);
  auto mine = PressIn(tx, person, channel, pressed, dedupe);
  if (!mine) return mine;
  tx.Commit();
  if (on_commit_) on_commit_();
  if (on_timers_) on_timers_();
  return mine;
}

ConversationService::PressOutcome ConversationService::PressBy(
    const std::string& platform, const PlatformUserId& user, const std::string& reply_channel,
    const Pressed& pressed, const std::pair<std::string, std::string>& dedupe) {
  store::Transaction tx(store_);
  const Person* person = PersonOn(tx, platform, user);
  if (person == nullptr) {
    if (!tx.FirstDelivery(dedupe.first, dedupe.second, clock_.Now()))
      return PressOutcome::kUnknownPerson;
    TellUnknownIn(tx, platform, reply_channel, dedupe.second);
  } else if (!PressIn(tx, *person, platform, pressed, dedupe)) {
    return PressOutcome::kNotGenuine;
  }
  tx.Commit();
  if (on_commit_) on_commit_();
  if (on_timers_) on_timers_();
  return person == nullptr ? PressOutcome::kUnknownPerson : PressOutcome::kPressed;
}

const Person* ConversationService::PersonOn(store::Transaction& tx, const std::string& platform,
                                            const PlatformUserId& user) const {
  if (const Person* p = directory_.FindByAccount(platform, user.value())) return p;
  std::optional<std::string> email = tx.PlatformUserEmail(platform, user.value());
  return email ? directory_.FindByEmail(*email) : nullptr;
}

ConversationService::Found ConversationService::PersonOrLookUp(store::Transaction& tx,
                                                               const std::string& platform,
                                                               const PlatformUserId& user,
                                                               int64_t event_id) {
  Found found;
  found.person = directory_.FindByAccount(platform, user.value());
  if (found.person != nullptr) return found;
  found.email = tx.PlatformUserEmail(platform, user.value());
  if (found.email) {
    found.person = directory_.FindByEmail(*found.email);
    return found;
  }
  // Never asked: once for all of this user's events.
  const std::string key = "user:" + user.value();
  if (!tx.InboundWaitingFor(platform, key)) {
    store::OutboxItem item;
    item.platform = platform;
    item.kind = kUserLookup;
    item.lane = key;
    item.payload = {{"user", user.value()}};
    tx.Enqueue(item, clock_.Now());
  }
  tx.ParkInbound(event_id, key);
  found.parked = true;
  return found;
}

Delivery ConversationService::DeliverLookUp(UserLookup& lookup, const store::OutboxItem& item,
                                            std::function<void()> wake) const {
  const std::string user = item.payload.value("user", "");
  UserLookup::Answer answer = lookup.LookUpUser(PlatformUserId(user));
  Delivery d = std::move(answer.outcome);
  if (d.result == Delivery::Result::kRetry) return d;  // the events stay parked
  std::string email = std::move(answer.email);
  std::transform(email.begin(), email.end(), email.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  d.learned = [platform = item.platform, user, email, now = clock_.Now()](store::Transaction& tx) {
    tx.SetPlatformUserEmail(platform, user, email, now);
    tx.ReleaseInbound(platform, "user:" + user);
  };
  d.after_commit = std::move(wake);
  return d;
}

void ConversationService::TellUnknownIn(store::Transaction& tx, const std::string& platform,
                                        const std::string& channel, const std::string& event_key) {
  store::OutboxItem item;
  item.platform = platform;
  item.kind = "notice";
  item.lane = "channel:" + channel;
  item.payload = {{"channel", channel},
                  {"text", catalog_.Render(Lang::kSv, "error.unknown_person")}};
  tx.Enqueue(item, clock_.Now());
  tx.AppendAudit(clock_.Now(), platform, platform + ".unknown_user", "channel:" + channel,
                 {{"event", event_key}});
}

std::vector<std::pair<std::string, std::optional<TimePoint>>> ConversationService::ChannelsHeard(
    const std::string& platform) {
  store::Transaction tx(store_);
  return tx.PlatformChannelsHeard(platform);
}

std::optional<std::vector<store::StoredMessage>> ConversationService::PressIn(
    store::Transaction& tx, const Person& person, const std::string& channel,
    const Pressed& pressed, const std::optional<std::pair<std::string, std::string>>& dedupe) {
  std::optional<store::StoredMessage> message;
  if (pressed.message.value() != 0 || pressed.marker) {
    message = tx.LoadMessage(pressed.message.value());
    if (!message || message->direction != "out" ||
        (pressed.marker && message->marker != *pressed.marker))
      return std::nullopt;
  }
  std::string echo = pressed.echo;
  if (CaseEngine::Owns(pressed.action)) {
    if (!message || !tx.MessageCarriesTask(message->id, CaseEngine::TaskOf(pressed.value)))
      return std::nullopt;
    if (echo.empty()) {
      static const std::map<std::string, std::string> kLabels{
          {"approve", "button.approve"},
          {"reject", "button.reject"},
          {"ask", "button.ask"},
          {"accept", "button.admin_accept"},
          {"decline", "button.admin_decline"},
          {"done", "button.startup_done"},
          {"page_id", "button.startup_page_id"}};
      echo = catalog_.Render(kontobot::LanguageOf(&person, &tx.Languages()),
                             kLabels.at(pressed.action));
    }
  } else {
    std::vector<Button> offered;
    if (!message) {
      offered = engine_.Welcome(person, kontobot::LanguageOf(&person, &tx.Languages()), 0).buttons;
    } else if (message->person_id == person.id) {
      offered = message->buttons;
    }
    auto it = std::find_if(offered.begin(), offered.end(), [&](const Button& b) {
      return b.id == pressed.action && b.value == pressed.value;
    });
    if (it == offered.end()) return std::nullopt;
    if (echo.empty()) echo = it->label;
  }
  if (dedupe && !tx.FirstDelivery(dedupe->first, dedupe->second, clock_.Now()))
    return std::vector<store::StoredMessage>{};
  Input input;
  input.action = pressed.action;
  input.value = pressed.value;
  std::vector<store::StoredMessage> stored = HandleIn(tx, person, channel, input, echo);
  if (pressed.original) KeepOriginal(tx, stored, *pressed.original);
  return stored;
}

void ConversationService::KeepOriginal(store::Transaction& tx,
                                       const std::vector<store::StoredMessage>& stored,
                                       const store::Original& original) {
  if (!stored.empty() && stored.front().direction == "in")
    tx.KeepOriginal(stored.front().id, original);
}

std::vector<store::StoredMessage> ConversationService::HandleIn(store::Transaction& tx,
                                                                const Person& person,
                                                                const std::string& channel,
                                                                const Input& input,
                                                                const std::string& echo) {
  TimePoint now = clock_.Now();
  tx.UpsertPerson(person, now);
  Session session = tx.LoadSession(person);
  Turn turn{tx, person, session, channel, now, {}};

  bool case_text = input.action.empty() && session.pending.rfind(kCasePending, 0) == 0;
  bool escape = case_text && [&] {
    auto words = catalog_.CommandWords("cancel");
    return std::find(words.begin(), words.end(), NormalizeWord(input.text)) != words.end();
  }();
  bool redact = input.action.empty() && LooksLikePassword(input.text);

  store::StoredMessage in;
  in.at = now;
  in.person_id = person.id;
  in.channel = channel;
  in.direction = "in";
  // A password-like input is never written: not here, not in the audit
  // detail, not in the log.
  in.text = redact ? catalog_.Render(session.lang, "redacted.password") : echo;
  in.draft_id = session.active_draft;
  in.id = tx.AppendMessage(in);
  tx.AppendAudit(now, person.id, "message.in", "message:" + std::to_string(in.id),
                 {{"channel", channel}, {"action", input.action}});
  turn.mine.push_back(in);

  if (redact && case_text) {
    // Not relayed and not stored; the pending question stays open.
    Say(turn, Reply{engine_.PasswordRefused(person, session.lang), {}});
  } else if (input.action == "case_abort" || escape) {
    session.pending.clear();
    Say(turn, Reply{catalog_.Render(session.lang, "case.aborted"), {}});
  } else if (!case_text && (HandleInboxReply(turn, input) || HandleAbsenceInput(turn, input) ||
                            HandleChangeInput(turn, input) || HandleClosingInput(turn, input) ||
                            HandleInboxCaseInput(turn, input) || HandleDiaryInput(turn, input) ||
                            HandleInboxInput(turn, input) || HandleReminderInput(turn, input))) {
    // an absence (the conversation, its start, the cover's answer), a
    // change of an account (the conversation, its start, a new
    // administrator's answer), closing an account (the conversation, or its
    // start), the information function's diarienummer or page link, an
    // inbox item's button, or a reminder's button or word
  } else if (CaseEngine::Owns(input.action) || case_text) {
    int64_t task_id = CaseEngine::TaskOf(case_text ? session.pending : input.value);
    auto task = tx.LoadTask(task_id);
    Case c = LoadCase(tx, task ? task->registration_id : 0);
    int64_t next_task = tx.NextTaskId();
    CaseOutcome co = c.id == 0 ? CaseOutcome{}
                               : cases_.Act(c, person, case_text ? "text" : input.action, task_id,
                                            input.text, session.pending, now, next_task);
    if (c.id == 0) {
      session.pending.clear();
      co.replies.push_back({catalog_.Render(session.lang, "case.unknown_task"), {}});
    }
    ApplyCase(turn, c, co);
  } else {
    std::vector<Draft> drafts = tx.OpenDrafts(person.id);
    Outcome out = engine_.Handle(person, session, drafts, input, tx.NextDraftId(), now);
    out.session.pending =
        out.session.pending.rfind(kCasePending, 0) == 0 ? "" : out.session.pending;
    session = out.session;
    if (out.language_chosen) tx.SetChosenLanguage(person.id, *out.language_chosen);
    // "status": what waits for the person joins the engine's answer, in one
    // message.
    bool status =
        input.action == "status" || (input.action.empty() && [&] {
          auto words = catalog_.CommandWords("status");
          return std::find(words.begin(), words.end(), NormalizeWord(input.text)) != words.end();
        }());
    if (status && reminders_ != nullptr && !out.replies.empty()) {
      out.replies.back().text +=
          "\n\n" + reminders_->WaitingText(WaitsOf(tx, person), session.lang, now);
    }
    for (const Draft& d : out.drafts) {
      tx.SaveDraft(d, person.org);
      SyncDraftTimer(tx, d, now);
    }
    for (const AuditEntry& a : out.audit)
      tx.AppendAudit(now, person.id, a.action, a.subject, a.detail);
    for (const Reply& r : out.replies)
      Say(turn, r, session.active_draft ? session.active_draft : in.draft_id);
    for (int64_t id : out.submitted) {
      auto d = std::find_if(out.drafts.begin(), out.drafts.end(),
                            [&](const Draft& x) { return x.id == id; });
      tx.UpsertRegistration(*d, person.org, now);
      RetireSummaries(turn, id);
      Case c = LoadCase(tx, id);
      int64_t next_task = tx.NextTaskId();
      CaseOutcome co = cases_.Submitted(c, now, next_task);
      ApplyCase(turn, c, co);
      log_->info("registration {} round {} submitted by {}", id, c.round, person.id);
    }
  }
  tx.SaveSession(person.id, session, now);
  return turn.mine;
}

// --- reminders ------------------------------------------------------------------

bool ConversationService::HandleDiaryInput(Turn& turn, const Input& input) {
  // Typed words only outside a draft, as for "försenat".
  if (!input.action.empty() || turn.session.active_draft != 0) return false;
  std::optional<DiaryCommand> command = ParseDiaryCommand(input.text, catalog_);
  if (!command) return false;
  const Lang lang = turn.session.lang;
  auto say = [&](const std::string& key, const Vars& vars = {}) {
    Say(turn, {catalog_.Render(lang, key, vars), {}});
  };
  if (command->registration_id == 0) {
    say(turn.person.HasRole("informationsfunktion") ? "diary.usage" : "diary.not_allowed");
    return true;
  }
  const std::string id = std::to_string(command->registration_id);
  auto reg = turn.tx.LoadRegistration(command->registration_id);
  if (!reg || !KeepsDiaryOf(turn.person, reg->org)) {
    // A case of another organisation is not this person's to know about.
    say(turn.person.HasRole("informationsfunktion") ? "diary.unknown" : "diary.not_allowed",
        {{"id", id}});
    return true;
  }
  std::optional<store::DiaryEntry> old = turn.tx.Diary(command->registration_id);
  if (command->number.empty()) {
    if (old) {
      say("diary.current",
          {{"id", id}, {"number", Literal(old->diarienummer)}, {"date", old->registered_on}});
    } else {
      say("diary.none", {{"id", id}});
    }
    return true;
  }
  std::string date = cases_.local_time().Date(turn.now);
  DiaryWrite written = SetDiaryNumber(turn.tx, turn.person, command->registration_id,
                                      command->number, date, turn.now, "chat");
  if (written.outcome == DiaryWrite::Outcome::kInvalid) {
    say("diary.invalid");
    return true;
  }
  const std::string& number = written.number;
  Vars vars{{"id", id}, {"number", Literal(number)}, {"date", date}};
  if (old && old->diarienummer != number) {
    vars["old"] = Literal(old->diarienummer);
    say("diary.changed", vars);
  } else {
    say("diary.set", vars);
  }
  return true;
}

ConversationService::Feed ConversationService::Transcript(const std::string& person_id,
                                                          int64_t after, int limit) {
  store::Transaction tx(store_);
  Feed feed;
  feed.messages = tx.Messages(person_id, after, limit);
  feed.cursor = feed.messages.empty() ? std::max(after, int64_t{0}) : feed.messages.back().seq;
  return feed;
}

std::optional<store::StoredMessage> ConversationService::Message(int64_t id) {
  store::Transaction tx(store_);
  return tx.LoadMessage(id);
}

bool ConversationService::MessageCarriesTask(int64_t message_id, int64_t task_id) {
  store::Transaction tx(store_);
  return tx.MessageCarriesTask(message_id, task_id);
}

Reply ConversationService::Welcome(const Person& person) {
  return engine_.Welcome(person, LanguageOf(person), 0);
}

Lang ConversationService::LanguageOf(const Person& person) {
  store::Transaction tx(store_);
  return kontobot::LanguageOf(&person, &tx.Languages());
}

std::optional<Lang> ConversationService::ChosenLanguage(const Person& person) {
  store::Transaction tx(store_);
  if (auto chosen = tx.ChosenLanguage(person.id)) return chosen;
  return person.lang;
}

}  // namespace kontobot::app
