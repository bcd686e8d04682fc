// Runs one input as one transaction: load the person's state, let the
// engines decide (the conversation engine for drafts, the case engine for
// approvals and what follows), write drafts, registrations, tasks, the
// register, every message in and out (including messages to other people
// and rewrites of earlier ones) and the audit entries, then commit. Any
// platform adapter (web chat now; Slack, Matrix later) calls this and
// answers its platform only after Handle returns.
//
// Thread-safety: safe to call concurrently; the store serializes
// transactions.
#ifndef KONTOBOT_APP_CONVERSATION_SERVICE_H_
#define KONTOBOT_APP_CONVERSATION_SERVICE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/logger.h>

#include "app/platform.h"
#include "bot/absence.h"
#include "bot/approval.h"
#include "bot/change.h"
#include "bot/closing.h"
#include "bot/conversation.h"
#include "bot/ids.h"
#include "bot/inbox_case.h"
#include "bot/intent.h"
#include "bot/reminders.h"
#include "store/store.h"

namespace kontobot::app {

class ConversationService {
 public:
  // All references must outlive the service.
  ConversationService(store::Store& store, const ConversationEngine& engine,
                      const CaseEngine& cases, const TemplateSet& templates,
                      const Directory& directory, const Catalog& catalog, const Clock& clock,
                      std::shared_ptr<spdlog::logger> log);

  // Handles `input` from `person` on `channel`. `echo` is what the person's
  // own message shows in the transcript (their text, or the pressed
  // button's label). Returns the messages stored for `person`: the echo,
  // then the replies. Throws if the store fails; then nothing was written.
  //
  // `dedupe`, when given as {platform, event id}, makes the call idempotent:
  // an event already processed (a platform's retry) changes nothing and
  // returns no messages; the check commits with the effects.
  std::vector<store::StoredMessage> Handle(
      const Person& person, const std::string& channel, const Input& input, const std::string& echo,
      const std::optional<std::pair<std::string, std::string>>& dedupe = std::nullopt);
  // The same inside the caller's transaction, which the caller commits (and
  // then calls the OnCommit function itself): the inbound queue's worker
  // handles a batch of events in one transaction.
  std::vector<store::StoredMessage> HandleIn(store::Transaction& tx, const Person& person,
                                             const std::string& channel, const Input& input,
                                             const std::string& echo);

  // Keeps `original` as the original of the person's message in `stored`
  // (what HandleIn or PressIn returned; the first message, if it is the
  // person's own). Nothing for a call that stored nothing.
  static void KeepOriginal(store::Transaction& tx, const std::vector<store::StoredMessage>& stored,
                           const store::Original& original);

  // A button pressed on a platform: the message it was on (0: the welcome,
  // which is not stored and is shown by the web chat only), the button's
  // action and value, and, where the platform carries one, the message's
  // marker (store::StoredMessage::marker, in Slack's block ids).
  struct Pressed {
    MessageId message;
    std::optional<std::string> marker;
    std::string action;
    std::string value;
    // What the transcript shows the person pressed; empty: the button's
    // label (a decision's from the catalogue, the button may be gone).
    std::string echo;
    // The press as the platform delivered it, kept with the message it
    // becomes (KeepOriginal).
    std::optional<store::Original> original = std::nullopt;
  };
  // The one check that a press is genuine, in the transaction that acts on
  // it (one transaction a press, on every platform): the message must be
  // one kontobot sent (direction "out"; with a marker, that message's
  // marker: another installation's message 43 is not ours), and
  //  - a decision button (CaseEngine::Owns) must be on a message sent
  //    about the task in its value: a decided request loses its buttons,
  //    and a second press or one by somebody else reaches the case engine,
  //    which refuses it and records the attempt (a deputy's press counts);
  //  - any other button must be offered, exactly so, on that person's own
  //    message.
  // nullopt if the press is not genuine: nothing is stored. Otherwise as
  // Handle (with `dedupe`, a repeated press changes nothing).
  std::optional<std::vector<store::StoredMessage>> Press(
      const Person& person, const std::string& channel, const Pressed& pressed,
      const std::optional<std::pair<std::string, std::string>>& dedupe = std::nullopt);
  // The same inside the caller's transaction, which the caller commits
  // (nullopt: nothing was written).
  std::optional<std::vector<store::StoredMessage>> PressIn(
      store::Transaction& tx, const Person& person, const std::string& channel,
      const Pressed& pressed,
      const std::optional<std::pair<std::string, std::string>>& dedupe = std::nullopt);
  // A press by `user` of `platform` (the person PersonOn finds), checked
  // and acted on as Press does, in one transaction. A user who is no
  // person of the directory is told so on `reply_channel`, once per
  // `dedupe` (the platform's id of the press).
  enum class PressOutcome { kPressed, kNotGenuine, kUnknownPerson };
  PressOutcome PressBy(const std::string& platform, const PlatformUserId& user,
                       const std::string& reply_channel, const Pressed& pressed,
                       const std::pair<std::string, std::string>& dedupe);

  // The directory person `user` of `platform` is: the one with that
  // account (accounts: {platform: user}), else the one whose e-mail address
  // the platform gave for them (Transaction::PlatformUserEmail); nullptr
  // if none, or not looked up yet.
  const Person* PersonOn(store::Transaction& tx, const std::string& platform,
                         const PlatformUserId& user) const;
  // Who `user` of `platform`, who sent queued event `event_id`, is: the
  // person PersonOn finds (`email`: the address the platform gave, if it
  // was asked), or, if the platform has never been asked (a platform with
  // app::UserLookup), nobody yet: one look-up is queued for the user (an
  // outbox row of kind kUserLookup) and the event parked until its answer
  // is in (`parked`; DeliverLookUp releases it).
  struct Found {
    const Person* person = nullptr;
    std::optional<std::string> email;
    bool parked = false;
  };
  Found PersonOrLookUp(store::Transaction& tx, const std::string& platform,
                       const PlatformUserId& user, int64_t event_id);
  static constexpr const char* kUserLookup = "user_lookup";
  // True for a look-up row ("users_info": Slack's, queued before there
  // was one kind for every platform).
  static bool IsUserLookup(const store::OutboxItem& item) {
    return item.kind == kUserLookup || item.kind == "users_info";
  }
  // Delivers a look-up row of `item.platform` through `lookup`: the answer
  // (the address, "" if none) is remembered and the user's events released
  // in the transaction that records the outcome, and `wake` (the inbound
  // queue's Notify) runs after it has committed. An answer still to come
  // (kRetry) changes nothing: the events stay parked.
  Delivery DeliverLookUp(UserLookup& lookup, const store::OutboxItem& item,
                         std::function<void()> wake) const;

  // Tells an unknown user, in `channel` of `platform`, that they are not
  // in the directory (in Swedish: nothing says what they read), and audits
  // it with `event_key`: an outbox row of kind "notice" with
  // {"channel", "text"}, which every platform posts as plain text.
  void TellUnknownIn(store::Transaction& tx, const std::string& platform,
                     const std::string& channel, const std::string& event_key);
  // The people's direct channels on `platform` and when each was last
  // heard from (Transaction::PlatformChannelsHeard): where a platform
  // without replay (Mattermost's WebSocket) looks, at start, for what was
  // said while kontobot was down.
  std::vector<std::pair<std::string, std::optional<TimePoint>>> ChannelsHeard(
      const std::string& platform);

  // Platforms whose messages go out through the outbox ("slack"); a person
  // with an account there and no other history is reached there.
  void EnableOutboxPlatform(const std::string& platform) { outbox_platforms_.push_back(platform); }
  // Called after every commit that may have queued outbox rows.
  void OnCommit(std::function<void()> fn) { on_commit_ = std::move(fn); }
  // Turns on reminders: every wait gets its timer rows, written and closed
  // in the transaction that starts or ends it. `on_timers` is called after
  // every commit that may have written an earlier timer (it wakes the
  // scheduler). `reminders` must outlive the service.
  void EnableReminders(const Reminders& reminders, std::function<void()> on_timers) {
    reminders_ = &reminders;
    on_timers_ = std::move(on_timers);
  }

  // Fires the timers due now (at most `limit`), each step exactly once: in
  // one transaction the rows are closed (or deferred to office hours), the
  // nudges stored and queued in the outbox, and the next steps written.
  // Returns how many rows were due.
  int FireDueTimers(int limit);
  // The earliest due time of an open timer, if any.
  std::optional<TimePoint> NextTimerDue();

  // Where the social inbox reports public comments: comment `ref` on the
  // registered account `account` (its registration id) has awaited a reply
  // since `received`. Starts the organisation's public_reply wait (account
  // holder, then the other administrators, then the information function;
  // none when its template sets no answer time). False for an unknown or
  // closed account, or a comment already reported.
  bool CommentAwaitingReply(int64_t account, const std::string& ref, TimePoint received);
  // The comment has been answered: its reminders end. False if none was open.
  bool CommentAnswered(int64_t account, const std::string& ref);

  // --- the social inbox (app/inbox_effects.cc)
  // Takes one item of the social inbox that arrived with the request bytes
  // `raw`, inside the inbound queue's transaction (everything it writes
  // commits or rolls back with the event). A new item is stored as the
  // record (text and raw verbatim), flagged if it holds a valid identity
  // number, shown masked to the account's administrators in chat with
  // buttons, and its answer wait starts (the template's public_reply); an
  // item for a page no account has is stored and shown to the information
  // function. A reply by the account itself ends the wait of the comment
  // it answers; a change (edited, remove, hide, unhide) is appended to the
  // item's history. An item seen before does nothing.
  void InboxArrived(store::Transaction& tx, const InboxItem& item, const std::string& raw);
  // --- the inbox's handling cases (app/inbox_case_effects.cc)
  // Completes the open task of `kind` ("remove", "register", "report") of
  // item `item_id`'s handling case, done by `by` (a person id, or
  // "platform" when the webhook says the comment was removed or hidden):
  // recorded in the audit trail and the account's history, the case's
  // messages rewritten, the case closed when no task is left. False when
  // the item has no open case or the case no open task of that kind. For
  // the outcome of a hide (the Dölj button, the Graph API's answer).
  bool CompleteInboxCaseTask(store::Transaction& tx, int64_t item_id, const std::string& kind,
                             const std::string& by, TimePoint now);
  // Starts item `item`'s handling case for `reason` (bot/inbox_case.h:
  // identity_number, word_list with the `lists` that matched, flag) with the
  // template's tasks, opened by `by`; its id, or 0 when none was started
  // (an unknown page, a case already open, no tasks in the template).
  int64_t OpenInboxCase(store::Transaction& tx, const store::StoredInboxItem& item,
                        std::string_view reason, const std::vector<std::string>& lists,
                        const std::string& by, TimePoint now);
  // After an item is stored and shown: a valid identity number or a hit on
  // the organisation's word lists starts its handling case.
  void FlagArrivedInboxItem(store::Transaction& tx, const store::StoredInboxItem& item,
                            const store::Account& a, TimePoint now);

  // True when page tokens were given for `page_id` (the Svara button).
  void SetReplyPages(std::vector<std::string> pages) { reply_pages_ = std::move(pages); }
  // The outbox rows of the social inbox's replies and hides through the
  // platform (app/platform.h CommentActions): payload {item, source, page,
  // comment, message, by}, queued in the transaction of the administrator's
  // confirmation.
  static constexpr const char* kCommentReply = "comment_reply";
  static constexpr const char* kCommentHide = "comment_hide";
  static bool IsCommentAction(const store::OutboxItem& item) {
    return item.kind == kCommentReply || item.kind == kCommentHide;
  }
  // Delivers a comment action row through `actions`. In the transaction
  // that records the outcome: done -> the item is answered (or hidden),
  // its wait ends, the reply's text and sender are kept in inbox_changes
  // and the audit trail, and the administrator who pressed is told (with
  // the link); given up -> the item stays open and the administrator is
  // told why, and for an expired page token the organisation's information
  // function is told to renew it. A retry changes nothing.
  Delivery DeliverCommentAction(CommentActions& actions, const store::OutboxItem& item);

  struct Feed {
    std::vector<store::StoredMessage> messages;
    int64_t cursor = 0;
  };
  // The person's messages written or rewritten after feed position `after`.
  Feed Transcript(const std::string& person_id, int64_t after, int limit);
  std::optional<store::StoredMessage> Message(int64_t id);
  // True if message `message_id` was sent about task `task_id` (its buttons
  // may since have been replaced by the decision).
  bool MessageCarriesTask(int64_t message_id, int64_t task_id);

  // The welcome shown before a person's first message (not stored).
  Reply Welcome(const Person& person);
  // The language kontobot writes to `person` in: their choice, else the
  // directory's, else Swedish.
  Lang LanguageOf(const Person& person);
  // Their choice, else the directory's; nullopt when neither says.
  std::optional<Lang> ChosenLanguage(const Person& person);

 private:
  struct Turn;
  void ApplyCase(Turn& turn, Case& c, const CaseOutcome& co);
  // Rewrites the summaries of a submitted draft without their buttons, as
  // a decided request is rewritten: nothing live-looking is left.
  void RetireSummaries(Turn& turn, int64_t draft_id);
  Case LoadCase(store::Transaction& tx, int64_t registration_id);

  // Where `person` is reached: where they last wrote from, else the first
  // outbox platform they have an account on, else the web chat.
  std::string HomeChannel(store::Transaction& tx, const std::string& person);
  // Queues the platform call that delivers (or updates) a stored message.
  void Dispatch(store::Transaction& tx, const store::StoredMessage& m, bool update, TimePoint now);
  // The one way a message of kontobot's is written: stores `reply` to `to`
  // on `channel`, queues its delivery (if the channel is a platform's),
  // links it to `task_ids` and audits it.
  store::StoredMessage Outbound(store::Transaction& tx, const std::string& to,
                                const std::string& channel, const Reply& reply,
                                const std::vector<int64_t>& task_ids, int64_t draft_id,
                                TimePoint now);
  // Outbound to `to` (not the actor), in their home channel.
  store::StoredMessage Send(store::Transaction& tx, const std::string& to, const Reply& reply,
                            const std::vector<int64_t>& task_ids, int64_t draft_id, TimePoint now);

  // The open waits on `person`: their own (approvals, drafts, …) and, for
  // the accounts they administer, the duties once asked and the public
  // comments once reminded of; oldest first.
  std::vector<Timer> WaitsOf(store::Transaction& tx, const Person& person);

  // --- reminders (no-ops unless EnableReminders was called)
  std::string OrgOf(const std::string& person) const;
  // Opens or closes the timer rows of tasks just saved.
  void SyncTaskTimers(store::Transaction& tx, const Case& c, const std::vector<Task>& tasks,
                      TimePoint now);
  // Restarts (open) or ends (submitted, cancelled) a draft's idle timer.
  void SyncDraftTimer(store::Transaction& tx, const Draft& d, TimePoint now);
  WaitFacts Facts(store::Transaction& tx, const Timer& t);
  // Handles the reminder buttons and words ("Noterat", snooze, duty
  // confirmations, "status", "försenat"); false if `input` is none of them.
  // "diarienummer 12 KS 2026/0042": the information function sets (or,
  // without a number, reads) a case's diarienummer (bot/diary.h).
  bool HandleDiaryInput(Turn& turn, const Input& input);
  bool HandleReminderInput(Turn& turn, const Input& input);
  // The inbox's buttons (Besvarad, Dölj, Flagga, Svara) and the
  // information function's "sida 12 1234567890"; false if `input` is
  // none of them.
  bool HandleInboxInput(Turn& turn, const Input& input);
  // Svara (and a template's ready reply, such as Dalarna's secure
  // channel): the reply's text is asked for, shown back and, on
  // confirmation, queued for the platform; false if `input` is none of
  // that. Runs before the other handlers while a reply is pending, so that
  // the typed text is the reply whatever it says.
  bool HandleInboxReply(Turn& turn, const Input& input);
  // Shows `text` back as the reply to `item` with the send and cancel
  // buttons, and remembers it in the session until then.
  void AskReplyConfirmation(Turn& turn, int64_t item, const std::string& text);
  // The handling case's buttons (icase_done, icase_skip) and
  // "diarienummer K3 <number>"; false if `input` is none of them.
  bool HandleInboxCaseInput(Turn& turn, const Input& input);
  // Who sees case `c`: the account's administrators, the information
  // function and the roles that confirm its tasks.
  std::vector<std::string> InboxCasePeople(store::Transaction& tx, const store::InboxCase& c);
  // True if `person` may confirm `task` of `c`.
  bool MayConfirmInboxCaseTask(store::Transaction& tx, const store::InboxCase& c,
                               const CaseTask& task, const Person& person);
  // The case's message to `to` (nullptr: no buttons) in `lang`.
  Reply InboxCaseMessage(store::Transaction& tx, const store::InboxCase& c, const Person* to,
                         Lang lang);
  // Sends, or rewrites, the case's message to everyone who sees it.
  void ShowInboxCase(store::Transaction& tx, int64_t case_id, TimePoint now);
  // Moves task `position` of `c` to `state` by `by`, closes the case when
  // none is left open, records both and rewrites the messages; false if
  // the task was not open.
  bool FinishInboxCaseTask(store::Transaction& tx, store::InboxCase& c, int position,
                           const std::string& state, const std::string& by, TimePoint now);
  // An audit entry (subject inbox_case:N) and an account_history row.
  void InboxCaseHistory(store::Transaction& tx, const store::InboxCase& c, const std::string& event,
                        const std::string& by, TimePoint now, nlohmann::json detail);
  // Starts comment `ref`'s public_reply wait on `account` in `tx`; false
  // for an unknown or closed account or a wait already open.
  bool StartReplyWait(store::Transaction& tx, int64_t account, const std::string& ref,
                      TimePoint received, TimePoint now);
  // Ends comment `ref`'s wait on `account` in `tx`; false if none was open.
  bool EndReplyWait(store::Transaction& tx, int64_t account, const std::string& ref, TimePoint now);
  // An account in the register from `now` on: its periodic duties start,
  // and its organisation's with its first account.
  void StartDuties(store::Transaction& tx, int64_t account, const std::string& org, TimePoint now);
  // The follow-up of the goals: its "Svara" button, then the typed answer
  // (kept in the audit trail with the case; "avbryt" leaves it open).
  bool HandleFollowUp(Turn& turn, const Input& input);
  // --- closing an account (closing_effects.cc)
  // "avsluta kontot" (no registration open), the "Stänga ett konto"
  // button, the closing conversation's answers and buttons; false if
  // `input` is none of them.
  bool HandleClosingInput(Turn& turn, const Input& input);
  // Starts the closing conversation for the person of the turn, about
  // `account` (0: ask which) with `reason` ("": ask).
  void StartClosing(Turn& turn, int64_t account, const std::string& reason);
  // The accounts the person may ask to close (bot/closing.h MayManageAccount),
  // oldest first.
  std::vector<ClosableAccount> ClosableAccounts(store::Transaction& tx, const Person& person);
  // The confirmed request: the template's closing steps start, in this
  // transaction, unless a closing of the account is already under way.
  void ConfirmClosing(Turn& turn, int64_t account, const ClosingRequest& request);
  // The register's side of a case outcome: listed now, or closed.
  void ListAccount(Turn& turn, const Case& c);
  void CloseAccount(Turn& turn, const Case& c, const AccountClosed& closed);
  // --- changing an account (change_effects.cc)
  // "Jag vill byta administratör" (no registration open), the "Byta
  // administratörer" button, the change conversation's answers and buttons,
  // a new administrator's Accept/Decline; false if `input` is none of them.
  bool HandleChangeInput(Turn& turn, const Input& input);
  // The accounts (not closed) of the person's organisation they may change
  // (MayManageAccount), oldest first, each with its entry.
  std::vector<ChangeableAccount> ChangeableAccounts(store::Transaction& tx, const Person& person);
  // The register's entry of `a` as a change sees it (the login address
  // from the registration until first changed).
  AccountEntry EntryOf(store::Transaction& tx, const store::Account& a) const;
  // The confirmed edit: written now, or, where the template asks new
  // administrators to accept, put to them.
  void ConfirmChange(Turn& turn, const AccountEdit& edit);
  // A new administrator's answer to change `id`: only they may give it, once.
  void DecideChange(Turn& turn, int64_t id, bool accept);
  // Asks `approver` (the template's change.approve_added) for the go-ahead
  // on `edit` of `a`, which applies when they press Approve.
  void AskApprover(Turn& turn, const store::Account& a, const AccountEdit& edit,
                   const Person& approver);
  // Records `edit` of `a` as awaiting `asked`'s answer (the newcomer's
  // acceptance, or the go-ahead when `approver`), with its history entry;
  // returns the account_changes row id.
  int64_t AwaitAnswer(Turn& turn, const store::Account& a, const AccountEdit& edit,
                      const Person& asked, bool approver);
  // Writes `edit` (asked for by `requested_by`; `row` its account_changes
  // row, id 0 when it has none yet) over the entry as it is in this
  // transaction, records it and tells who the template names. "" when
  // written, else the catalogue key of the refusal (recorded too).
  std::string WriteChange(Turn& turn, const AccountEdit& edit, const std::string& requested_by,
                          const store::AccountChangeRequest& row);
  void TellChange(Turn& turn, const store::Account& a, const AccountEdit& edit,
                  const std::string& requested_by, const AccountEntry& before);
  // An audit entry and an account_history row about account `a`.
  void ChangeHistory(store::Transaction& tx, const store::Account& a, const std::string& event,
                     const std::string& by, TimePoint now, const nlohmann::json& detail);
  // What a typed sentence asks for (bot/intent.h), or kUnclear when it is
  // an answer: a button, inside a registration or another question.
  Intent TypedIntent(Turn& turn, const Input& input);
  // The organisation's local date at `now` (UTC without a reminder engine).
  std::chrono::year_month_day LocalToday(TimePoint now) const;
  // --- absence cover (absence_effects.cc)
  // "frånvaro", "semester 6-24 juli" (no registration open), the "Anmäla
  // frånvaro" button, the absence conversation's answers and buttons, the
  // cover's Accept/Decline, the absent person's next pick and the choice of
  // the organisation's rule; false if `input` is none of them.
  bool HandleAbsenceInput(Turn& turn, const Input& input);
  // The open accounts of the person's organisation they administer, each
  // with its other administrators, oldest first.
  std::vector<AbsenceAccount> AdministeredAccounts(store::Transaction& tx, const Person& person);
  // The account's administrators reachable in chat (person ids), in order.
  std::vector<std::string> AdministratorIds(const store::Account& a) const;
  // The template of organisation `org` (may be null).
  const Template* TemplateOfOrg(const std::string& org) const;
  // The role of `org`'s information function (its template's contact
  // role), and the people who have it.
  std::string InformationRoleOf(const std::string& org) const;
  std::vector<const Person*> InformationFunction(const std::string& org) const;
  std::string NameOf(const std::string& person) const;
  // The confirmed report: one absences row per account, then the cover is
  // asked (or, with nobody to cover, the organisation's rule is put).
  void ConfirmAbsence(Turn& turn, const AbsenceRequest& request);
  // `absences` (one report) as its first row and its accounts' labels.
  std::optional<std::pair<Absence, std::string>> AbsenceGroup(store::Transaction& tx,
                                                              const std::vector<int64_t>& absences);
  void AskCover(Turn& turn, const std::vector<int64_t>& absences);
  // The cover's answer: only they may give it, once.
  void DecideCover(Turn& turn, const std::vector<int64_t>& absences, bool accept);
  // After a decline: the absent person is offered the administrators not
  // yet asked, or, with none left, the organisation's rule is put.
  void OfferOtherCover(Turn& turn, const std::vector<Absence>& declined);
  // "ids|person": the absent person's next pick ("" : nobody).
  void PickCover(Turn& turn, const std::string& value);
  // The template's `reminders.absence.when_uncovered` choices to the
  // accounts' administrators and the absent person, as buttons.
  void PutAbsenceRule(Turn& turn, const std::vector<int64_t>& absences);
  // "ids|choice": the first choice is recorded, the information function
  // told, and a closing choice starts the closing case.
  void ChooseAbsenceRule(Turn& turn, const std::string& value);
  // "jag är tillbaka", "avbryt min frånvaro": the person's absences not
  // yet over are called off (not begun) or end today (begun), and each
  // cover is told; the reminders go to the person again at once.
  void EndAbsence(Turn& turn, std::chrono::year_month_day today);
  // The absence_start / absence_end row `t` fell due: the period's start or
  // end is entered in the account's history.
  void FireAbsenceTimer(store::Transaction& tx, const Timer& t, TimePoint now);
  // An audit entry and an account_history row about `a`.
  void AbsenceHistory(store::Transaction& tx, const Absence& a, const std::string& event,
                      const std::string& by, TimePoint now,
                      nlohmann::json detail = nlohmann::json::object());
  // Outbound to the person of the turn, in the turn's channel.
  void Say(Turn& turn, const Reply& reply, int64_t draft_id = 0);

  std::vector<std::string> outbox_platforms_;
  std::vector<std::string> reply_pages_;  // pages with a token: the Svara button
  std::function<void()> on_commit_;
  const Reminders* reminders_ = nullptr;
  std::function<void()> on_timers_;
  store::Store& store_;
  const ConversationEngine& engine_;
  const CaseEngine& cases_;
  const TemplateSet& templates_;
  const Directory& directory_;
  const Catalog& catalog_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  IntentRecogniser recogniser_;
  ClosingConversation closing_;
  AbsenceConversation absence_;
  ChangeConversation change_;
};

}  // namespace kontobot::app

#endif  // KONTOBOT_APP_CONVERSATION_SERVICE_H_
