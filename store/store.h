// The SQLite store: one database file, its schema compiled into the binary
// (store/schema.h), WAL journal, foreign keys on, and group commit: Commit()
// returns only once the transaction's WAL frames are synced to disk, so what
// is acknowledged survives power loss, while one fdatasync serves every
// transaction that committed meanwhile.
//
// Usage: every request opens one Transaction, reads and writes through it,
// and commits before it answers. A Transaction that is destroyed without
// Commit() rolls back (SQLiteCpp's RAII transaction, which never throws from
// its destructor).
//
// Layout: Transaction's methods are grouped by table family below, each
// family's heading naming the file that holds its SQL (one file per
// family, the statements named at its top); store/store.cc holds Store,
// the transaction itself and savepoints.
//
// Thread-safety: a Store owns one connection. Transaction holds the store's
// mutex for its lifetime, so transactions are serialized; do not open a
// second Transaction on the same thread while one is alive (it deadlocks).
// SQLite errors surface as SQLite::Exception; callers map them to 5xx.
#ifndef KONTOBOT_STORE_STORE_H_
#define KONTOBOT_STORE_STORE_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "bot/absence.h"
#include "bot/approval.h"
#include "bot/conversation.h"
#include "bot/directory.h"
#include "bot/inbox.h"
#include "bot/inbox_case.h"
#include "bot/reminders.h"

namespace kontobot::store {

struct StoredMessage {
  int64_t id = 0;
  int64_t seq = 0;  // position in the person's feed; moves on edit
  TimePoint at{};
  std::string person_id;
  std::string channel;    // "webchat", "slack", ...
  std::string direction;  // "in" or "out"
  std::string text;
  std::vector<Button> buttons;
  nlohmann::json input = nlohmann::json::object();  // see Reply::input
  int64_t draft_id = 0;                             // 0: none
  std::optional<TimePoint> edited_at;
  // Random, unique to this message in every installation (written by
  // AppendMessage; '' for messages older than schema 10): names it on a
  // platform (Slack block_ids).
  std::string marker;
};

struct StoredRegistration {
  int64_t id = 0;
  int round = 1;
  std::string person_id;
  std::string org;
  std::string template_id;
  int template_version = 0;
  nlohmann::json answers;
  std::string status;
  TimePoint submitted_at{};
};

// An entry of the register.
struct Account {
  // How messages name the account: "Facebook, www.facebook.com/fritid".
  std::string Label() const { return medium + (url.empty() ? "" : ", " + url); }

  int64_t registration_id = 0;
  std::string org;
  std::string medium;
  std::string url;
  std::string unit;
  std::string purpose;
  nlohmann::json administrators = nlohmann::json::array();  // not public
  nlohmann::json approvals = nlohmann::json::array();       // not public
  // kAccountApproved, kAccountListed, kAccountClosedForPosts, kAccountClosed.
  std::string status = "listed";
  TimePoint registered_at{};
  std::optional<TimePoint> listed_at;  // when it was first listed publicly
  std::optional<TimePoint> closed_at;  // closed, or closed for posts
  std::string close_reason;
  std::string closed_by;  // person id
  // 0013: changed in chat (bot/change.h). The version goes up by one with
  // every change written (UpdateAccountEntry); the login address and its
  // holder (a person answer) are internal, "" / {} until first changed.
  int64_t version = 0;
  std::string login_email;
  nlohmann::json login_holder = nlohmann::json::object();
};

// A change of a running account asked for in chat (table account_changes,
// migration 0013): its kind (bot/change.h), the edit as JSON, and its state.
struct AccountChangeRequest {
  int64_t id = 0;
  int64_t registration_id = 0;
  std::string kind;
  nlohmann::json detail = nlohmann::json::object();
  std::string state;  // kChange*
  std::string requested_by;
  std::string decided_by;
};
inline constexpr const char* kChangeAwaitingAcceptance = "awaiting_acceptance";
inline constexpr const char* kChangeApplied = "applied";
inline constexpr const char* kChangeDeclined = "declined";
inline constexpr const char* kChangeRefused = "refused";

// The register's states (migration 0011). An approved account is in the
// internal register only until it exists (its template's creates_account
// start-up step is confirmed); listed and closed-for-posts accounts are in
// the public register; closed ones only in the internal one.
inline constexpr const char* kAccountApproved = "approved";
inline constexpr const char* kAccountListed = "listed";
inline constexpr const char* kAccountClosedForPosts = "closed_for_posts";
inline constexpr const char* kAccountClosed = "closed";
// True while the account's waits and duties run (listed, closed for posts).
inline bool AccountIsOpen(const std::string& status) {
  return status == kAccountListed || status == kAccountClosedForPosts;
}

// One change of the register (table account_history): a state change or a
// change of an entry, who (a person id or "kontobot"), when, what.
struct AccountChange {
  int64_t id = 0;
  int64_t registration_id = 0;
  TimePoint at{};
  std::string by;
  std::string event;  // "register.added", "register.listed", "register.closed", ...
  std::string from_status;
  std::string to_status;
  nlohmann::json detail = nlohmann::json::object();
};

// A case's entry in the organisation's diary (diarium).
struct DiaryEntry {
  int64_t registration_id = 0;
  std::string diarienummer;   // e.g. "KS 2026/123"
  std::string registered_on;  // local date, "YYYY-MM-DD"
  std::string set_by;         // person id
  TimePoint set_at{};
};

// One release (utlämnande) of a case's records.
struct Release {
  int64_t id = 0;
  int64_t registration_id = 0;
  TimePoint released_at{};
  std::string released_by;  // person id
  std::string recipient;
  std::string version;                             // "complete" or "masked"
  std::string lang;                                // "sv" or "en"
  nlohmann::json files = nlohmann::json::array();  // [{"name", "size", "sha256"}]
};

// A person's message (or press) as the chat platform delivered it
// (message_originals, migration 0017).
struct Original {
  std::string platform;
  TimePoint received_at{};
  // The body's type: "application/json", or Slack's button presses,
  // "application/x-www-form-urlencoded".
  std::string content_type = "application/json";
  // The headers that make the body verifiable (Slack's signature and its
  // timestamp), lower-case names.
  nlohmann::json headers = nlohmann::json::object();
  std::string body;
};

// A recorded disposal (gallring) of originals (disposals, migration 0017).
struct Disposal {
  int64_t id = 0;
  TimePoint at{};
  std::string by;        // person id
  std::string what;      // "message_originals"
  std::string before;    // local date, YYYY-MM-DD: what arrived before it went
  std::string decision;  // the gallringsbeslut
  int64_t count = 0;
};

// A call waiting to be made to a platform API.
struct OutboxItem {
  int64_t id = 0;
  std::string platform;
  std::string kind;  // "post", "update", "raw_post"
  std::string lane;
  std::string person_id;
  int64_t message_id = 0;
  nlohmann::json payload = nlohmann::json::object();
  int attempts = 0;
  TimePoint next_at{};
  // Not stored: set by the outbox sender when an earlier attempt may have
  // been carried out without our knowing (app/outbox_sender.h).
  bool maybe_delivered = false;
};

// A platform event waiting in the inbound queue (see app/inbound_queue.h).
struct QueuedEvent {
  int64_t id = 0;
  std::string platform;
  std::string event_id;
  std::string payload;  // JSON text, parsed only when the event is processed
  TimePoint received_at{};
};

// An item of the social inbox as stored (migration 0014): the item as
// it arrived (text and raw are the record, never shown), what is shown
// (identity numbers masked), the account it belongs to (0: unknown page)
// and its state: "open", "answered", "hidden", "removed" or "reply".
struct StoredInboxItem {
  int64_t id = 0;
  InboxItem item;
  int64_t account = 0;
  std::string shown;
  std::string state = "open";
  bool flagged = false;
  std::string raw;
  TimePoint received_at{};
  nlohmann::json notices = nlohmann::json::object();  // {person id: message id}
};

// A flagged item's handling case as stored (migration 0015): its tasks in
// the template's order (bot/inbox_case.h) and the registrar's number.
struct InboxCase {
  int64_t id = 0;
  int64_t item_id = 0;
  int64_t account = 0;             // 0: an item for an unknown page
  std::string reason;              // identity_number, word_list, flag
  std::vector<std::string> lists;  // word_list: the lists that matched
  std::string diarienummer;
  std::string state = "open";  // open, closed
  std::string opened_by;
  TimePoint opened_at{};
  std::vector<CaseTask> tasks;
  nlohmann::json notices = nlohmann::json::object();  // {person id: message id}
};

// What an outbox delivery needs to know about its message, read at once.
struct DeliveryState {
  std::optional<StoredMessage> message;
  std::optional<std::string> channel;  // the person's room/DM on the platform
  std::optional<std::pair<std::string, std::string>> posted;  // (channel, ref) once sent
};

class Store;

// fsync of the directory holding `path`, so that a file just created there
// survives power loss; errors are ignored (the next sync reports them).
void SyncParentDirectory(const std::string& path);

// One unit of work. REQUIRES: used on the thread that created it.
class Transaction {
 public:
  explicit Transaction(Store& store);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();  // rolls back unless committed

  // Commits, releases the store for the next transaction, and returns once
  // the commit is durable (its WAL frames are on disk; one fdatasync may
  // cover many transactions: group commit). Throws if it cannot be made
  // durable. REQUIRES: the Transaction is not used after Commit().
  void Commit();

  // --- people and their sessions (store/people.cc)
  void UpsertPerson(const Person& person, TimePoint now);
  // The person's session; a default one if they have none. Its language is
  // the one the person chose, else the directory's, else Swedish.
  Session LoadSession(const Person& person);
  // The language `person_id` chose (migration 0007), if they ever did.
  std::optional<Lang> ChosenLanguage(const std::string& person_id);
  // Records the person's choice. REQUIRES: UpsertPerson was called for them.
  void SetChosenLanguage(const std::string& person_id, Lang lang);
  // The chosen languages as the engines' port, read through this
  // transaction. Valid while the transaction is.
  const LanguageChoices& Languages() const { return languages_; }
  void SaveSession(const std::string& person_id, const Session& session, TimePoint now);

  // --- drafts (store/drafts.cc)
  std::vector<Draft> OpenDrafts(const std::string& person_id);
  std::optional<Draft> LoadDraft(int64_t id);
  int64_t NextDraftId();
  // Inserts or updates `draft` (by id).
  void SaveDraft(const Draft& draft, const std::string& org);

  // --- registrations (store/registrations.cc)
  // Inserts the registration, or on resubmission replaces its answers and
  // starts the next round. Returns the round.
  int UpsertRegistration(const Draft& draft, const std::string& org, TimePoint now);
  std::optional<StoredRegistration> LoadRegistration(int64_t id);
  void UpdateRegistration(int64_t id, const std::string& status, const nlohmann::json& answers);
  std::vector<StoredRegistration> Registrations();
  int64_t CountRegistrations();

  // --- tasks and the messages that carry them (store/tasks.cc)
  int64_t NextTaskId();
  void SaveTask(const Task& task);
  std::vector<Task> TasksOf(int64_t registration_id);
  std::optional<Task> LoadTask(int64_t id);
  void LinkTaskMessage(int64_t task_id, int64_t message_id);
  std::vector<int64_t> TaskMessages(int64_t task_id);
  bool MessageCarriesTask(int64_t message_id, int64_t task_id);
  // The task a message was sent about, if any.
  std::optional<int64_t> TaskOfMessage(int64_t message_id);
  // The newest open approval task assigned to `person`, if any.
  std::optional<int64_t> LatestOpenApproval(const std::string& person);

  // --- the register (store/accounts.cc)
  void InsertAccount(const Account& account);
  // The public register: listed and closed-for-posts accounts (of `org`, or
  // all when empty), oldest first.
  std::vector<Account> Accounts(const std::string& org = "");
  std::optional<Account> LoadAccount(int64_t registration_id);
  // Every account in every state, oldest first (the internal register).
  std::vector<Account> AllAccounts();
  // Moves the account to `status` (one of kAccount*): listing sets
  // listed_at (once); closing, or closing for posts, sets closed_at, the
  // reason and who decided. Records the change in the history. False if
  // there is no such account or it already has that status.
  bool SetAccountStatus(int64_t registration_id, const std::string& status, TimePoint at,
                        const std::string& by, const std::string& reason,
                        const nlohmann::json& detail = nlohmann::json::object());
  void AppendAccountHistory(const AccountChange& change);
  // Every change of the register, oldest first.
  std::vector<AccountChange> AccountHistory();
  // The changes of account `registration_id`, oldest first.
  std::vector<AccountChange> AccountHistoryOf(int64_t registration_id);
  // Writes `account`'s url, unit, purpose, administrators, login address
  // and holder, and moves its version to expected_version + 1, only if its
  // version is still `expected_version` (compare-and-set). False if not
  // (changed meanwhile) or there is no such account. The caller records
  // the history.
  bool UpdateAccountEntry(const Account& account, int64_t expected_version);

  // --- changes asked for in chat (store/account_changes.cc)
  // Records a new change (its id is ignored) at `at`; returns its id.
  int64_t InsertAccountChange(const AccountChangeRequest& change, TimePoint at);
  std::optional<AccountChangeRequest> LoadAccountChange(int64_t id);
  // Organisation `org`'s changes still awaiting acceptance, oldest first.
  std::vector<AccountChangeRequest> AwaitingAccountChanges(const std::string& org);
  // Moves change `id` from state `from` to `to`, decided by `by`. False if
  // it is not in state `from` (decided meanwhile): of two clicks, one wins.
  bool MoveAccountChange(int64_t id, const std::string& from, const std::string& to,
                         const std::string& by, TimePoint at);

  // --- the social inbox (store/inbox.cc)
  // Names `page_id` as account `registration_id`'s (replacing whichever
  // account had it).
  void SetAccountPage(const std::string& page_id, int64_t registration_id, const std::string& by,
                      TimePoint at);
  // The account `page_id` belongs to, if any.
  std::optional<int64_t> AccountOfPage(const std::string& page_id);
  // The page ids of account `registration_id`, in order.
  std::vector<std::string> PagesOf(int64_t registration_id);
  // Stores a new item; its id, or 0 if (source, external_id) is stored
  // already.
  int64_t InsertInboxItem(const StoredInboxItem& item, TimePoint at);
  std::optional<StoredInboxItem> LoadInboxItem(int64_t id);
  std::optional<StoredInboxItem> FindInboxItem(const std::string& source,
                                               const std::string& external_id);
  // Moves item `id` to `state` from any state but `state`; false if it
  // was there already.
  bool SetInboxState(int64_t id, const std::string& state, const std::string& by, TimePoint at);
  // Records a later change of the item with its own request bytes (the
  // item's first text and raw stay as they were: the record of what was
  // published); for an edit, `shown` becomes what is shown of it.
  void AppendInboxChange(int64_t id, const std::string& verb, const std::string& text,
                         const std::string& shown, const std::string& raw, TimePoint at);
  // Records where item `id` was shown ({person id: message id}).
  void SetInboxNotices(int64_t id, const nlohmann::json& notices);
  // The newest open item of `account` before item `before` received at
  // or after `since`: the one a new item is gathered with.
  std::optional<StoredInboxItem> OpenInboxItemSince(int64_t account, int64_t before,
                                                    TimePoint since);
  // Every item of account `registration_id`, oldest first.
  std::vector<StoredInboxItem> InboxItemsOf(int64_t registration_id);
  // Items for pages no account has (registration_id NULL), newest first.
  std::vector<StoredInboxItem> UnassignedInboxItems(int limit);
  // True while a reply or hide (outbox kind `kind`) of item `id` waits in
  // the outbox, not yet sent or given up.
  bool CommentActionPending(int64_t id, const std::string& kind);

  // --- the inbox's handling cases (store/inbox_cases.cc)
  // Stores a new case with its tasks (ids ignored); its id, or 0 if item
  // `c.item_id` has a case already.
  int64_t InsertInboxCase(const InboxCase& c, TimePoint at);
  std::optional<InboxCase> LoadInboxCase(int64_t id);
  std::optional<InboxCase> InboxCaseOfItem(int64_t item_id);
  // Moves task `position` of case `id` from open to `state` (done,
  // skipped); false if it was not open (two presses: one wins).
  bool FinishInboxCaseTask(int64_t id, int position, const std::string& state,
                           const std::string& by, TimePoint at);
  void SetInboxCaseDiarienummer(int64_t id, const std::string& number);
  void SetInboxCaseNotices(int64_t id, const nlohmann::json& notices);
  // Closes case `id`; false if it was closed already.
  bool CloseInboxCase(int64_t id, TimePoint at);

  // --- absences and their cover (store/absences.cc)
  // Records a new absence (its id is ignored) at `at`; returns its id.
  int64_t InsertAbsence(const Absence& absence, TimePoint at);
  std::optional<Absence> LoadAbsence(int64_t id);
  // The account's absences in every state, oldest first.
  std::vector<Absence> AbsencesOf(int64_t registration_id);
  // The absences in state `state` of every account, oldest first.
  std::vector<Absence> AbsencesIn(const std::string& state);
  // Moves absence `id` from state `from` to `to`, with `cover` (kept when
  // empty), at `at`. False if it is not in state `from` (decided meanwhile):
  // of two racing decisions, one wins.
  bool ChangeAbsence(int64_t id, const std::string& from, const std::string& to,
                     const std::string& cover, TimePoint at);

  // --- diary and releases (public records; store/records.cc)
  // Sets (or replaces) a case's diary entry.
  void SetDiary(const DiaryEntry& entry);
  std::optional<DiaryEntry> Diary(int64_t registration_id);
  // Every case's entry, by registration id.
  std::map<int64_t, DiaryEntry> Diaries();
  // Records a release; returns its id.
  int64_t InsertRelease(const Release& release);
  std::vector<Release> ReleasesOf(int64_t registration_id);

  // Chat platforms' originals (store/originals.cc). Keeps `original` as
  // the one of message `message_id`; a second call for it changes nothing.
  void KeepOriginal(int64_t message_id, const Original& original);
  // The originals of the messages of draft (= registration) `draft_id`,
  // by message id.
  std::map<int64_t, Original> OriginalsOfDraft(int64_t draft_id);
  // Removes the originals received before `received_before` and records
  // disposal `d` with their count, in this transaction; returns the count.
  int64_t DisposeOriginals(TimePoint received_before, Disposal d);
  std::vector<Disposal> Disposals();

  // --- the record: messages (store/messages.cc)
  int64_t AppendMessage(const StoredMessage& message);
  // Rewrites a message's text and buttons; the old text goes to the audit
  // trail. Moves the message to the end of its person's feed.
  void EditMessage(int64_t id, const Reply& reply, TimePoint now);
  std::optional<StoredMessage> LoadMessage(int64_t id);
  // The person's messages written (or rewritten) after feed position
  // `after_seq`, in feed order, at most `limit`.
  std::vector<StoredMessage> Messages(const std::string& person_id, int64_t after_seq, int limit);
  // The person's last feed position (0 if none).
  int64_t FeedCursor(const std::string& person_id);
  // Every message of one registration, in order (for exports).
  std::vector<StoredMessage> MessagesOfDraft(int64_t draft_id);
  // The channel a person last wrote from ("webchat", "slack", ...), if any.
  std::optional<std::string> LastInboundChannel(const std::string& person_id);
  // The id of the newest message from `person_id`, if any.
  std::optional<int64_t> LatestInbound(const std::string& person_id);

  // --- the audit trail (store/audit.cc)
  // The audit entries about one subject prefix, e.g. "draft:12".
  std::vector<nlohmann::json> AuditOf(const std::vector<std::string>& subjects);
  // The audit entries whose subject starts with `prefix` and whose action is
  // one of `actions`, oldest first.
  std::vector<nlohmann::json> AuditByActions(const std::string& prefix,
                                             const std::vector<std::string>& actions);
  void AppendAudit(TimePoint at, const std::string& actor, const std::string& action,
                   const std::string& subject, const nlohmann::json& detail);
  int64_t CountAudit(const std::string& action);

  // --- the outbox (store/outbox.cc)
  void Enqueue(const OutboxItem& item, TimePoint now);
  // The head (oldest pending item) of each of `platform`'s lanes: the only
  // items that can have been in flight when the process stopped, since a
  // lane is delivered one item at a time, in order.
  std::vector<int64_t> OutboxHeads(const std::string& platform);
  // Pending items due at `now`, oldest first, at most one per lane (the
  // lane's head, so order within a lane is kept).
  std::vector<OutboxItem> DueOutbox(TimePoint now, int limit);
  // The earliest next_at of a lane's head, if any (the items behind a head
  // wait for it, whatever their own next_at); with `after`, the earliest
  // one later than that.
  std::optional<TimePoint> NextOutboxDue(std::optional<TimePoint> after = std::nullopt);
  void MarkSent(int64_t id, TimePoint now);
  void Reschedule(int64_t id, TimePoint next_at, const std::string& error);
  void MarkFailed(int64_t id, const std::string& error);
  int64_t CountOutbox(const std::string& status);
  DeliveryState DeliveryStateOf(const OutboxItem& item);

  // --- people and messages on the platforms (store/platforms.cc)
  std::optional<std::string> PlatformChannel(const std::string& platform,
                                             const std::string& person_id);
  void SetPlatformChannel(const std::string& platform, const std::string& person_id,
                          const std::string& channel);
  // (channel, ref) of our message on the platform.
  std::optional<std::pair<std::string, std::string>> PlatformMessage(int64_t message_id,
                                                                     const std::string& platform);
  void SetPlatformMessage(int64_t message_id, const std::string& platform,
                          const std::string& channel, const std::string& ref);
  // The message that the platform knows as `ref` (a Matrix event id, a
  // Slack ts): ours, or a person's whose ref was recorded for its edits.
  std::optional<int64_t> MessageByPlatformRef(const std::string& platform, const std::string& ref);
  // The e-mail address `platform` gave for user `account` (lower case; ''
  // if it gave none or did not know the user); nullopt if never asked.
  std::optional<std::string> PlatformUserEmail(const std::string& platform,
                                               const std::string& account);
  void SetPlatformUserEmail(const std::string& platform, const std::string& account,
                            const std::string& email, TimePoint now);
  // The platform user whose e-mail address is `email`, if one was looked up.
  std::optional<std::string> PlatformAccountByEmail(const std::string& platform,
                                                    const std::string& email);
  // The people's direct channels on `platform`, each with when kontobot
  // last stored a message from that person on the platform (nullopt: none
  // yet), for a platform that must ask what was said while it was away.
  std::vector<std::pair<std::string, std::optional<TimePoint>>> PlatformChannelsHeard(
      const std::string& platform);

  // --- inbound events and the inbound queue (store/inbound.cc)
  // Records an inbound event id; false if it was seen before (a retry).
  bool FirstDelivery(const std::string& platform, const std::string& event_id, TimePoint now);
  // The last landing-file id moved into the queue (see store/landing.h).
  int64_t LandingMovedThrough();
  void SetLandingMovedThrough(int64_t id);
  // Records event `event_id` and queues `payload` for processing; false
  // (and nothing queued) if the event was recorded before.
  bool QueueInbound(const std::string& platform, const std::string& event_id,
                    const std::string& payload, TimePoint now);
  // Ready events (not parked or failed), oldest first, at most `limit`.
  std::vector<QueuedEvent> ReadyInbound(int limit);
  void DoneInbound(int64_t id);
  // Parks event `id` until ReleaseInbound(platform, waiting_for).
  void ParkInbound(int64_t id, const std::string& waiting_for);
  // True if some event of `platform` is parked on `waiting_for`.
  bool InboundWaitingFor(const std::string& platform, const std::string& waiting_for);
  // What the earliest event before `id` from platform user `user` (the
  // payload's "user") is parked on, if one is: a later event of the same
  // person parks behind it, so that a person's events take effect in the
  // order they were sent.
  std::optional<std::string> ParkedBefore(const std::string& platform, const std::string& user,
                                          int64_t id);
  // Makes the events parked on `waiting_for` ready again; returns how many.
  int ReleaseInbound(const std::string& platform, const std::string& waiting_for);
  void FailInbound(int64_t id, const std::string& error);

  // --- savepoints (store/store.cc)
  // A savepoint inside this transaction: one event's work can be undone
  // without the rest of the batch. Not nested.
  void Savepoint();
  void ReleaseSavepoint();
  void RollbackToSavepoint();

  // --- Matrix transactions (store/matrix_transactions.cc)
  // The digest of the Matrix transaction `txn_id` already answered, if it
  // was (and not forgotten: see migration 0009).
  std::optional<std::string> MatrixTransactionDigest(const std::string& txn_id);
  // Remembers Matrix transaction `txn_id`, whose content has `digest`, as
  // answered at `now`, and forgets those answered a week before.
  void RecordMatrixTransaction(const std::string& txn_id, const std::string& digest, TimePoint now);

  // --- timers (one row per step of a wait; see bot/reminders.h; store/timers.cc)
  int64_t InsertTimer(const Timer& t, TimePoint now);
  // Open rows due at or before `now`, earliest first, at most `limit`.
  std::vector<Timer> DueTimers(TimePoint now, int limit);
  // The earliest due time of an open row, if any.
  std::optional<TimePoint> NextTimerDue();
  std::optional<Timer> LoadTimer(int64_t id);
  // The open row of a wait, if any.
  std::optional<Timer> OpenTimer(const std::string& subject);
  // Open rows on `person`, or (with `org`) every open row of the organisation.
  std::vector<Timer> OpenTimersOf(const std::string& person);
  std::vector<Timer> OpenTimersOfOrg(const std::string& org);
  // Closes an open row as "fired" or "cancelled"; false if it was not open.
  bool CloseTimer(int64_t id, const std::string& state, TimePoint now);
  // Cancels every open row of a wait; returns how many.
  int CancelTimers(const std::string& subject, TimePoint now);
  // Cancels every open row about registered account `account` (its duties,
  // inactivity watch, comments awaiting a reply): it has closed.
  int CancelAccountTimers(int64_t account, TimePoint now);
  // Rewrites an open row's due time, start and detail (deferral, snooze, "Noterat").
  void UpdateTimer(const Timer& t);
  int64_t CountTimers(const std::string& state);

 private:
  class ChosenLanguages final : public LanguageChoices {
   public:
    explicit ChosenLanguages(Transaction& tx) : tx_(tx) {}
    std::optional<Lang> Chosen(const std::string& person_id) const override {
      return tx_.ChosenLanguage(person_id);
    }

   private:
    Transaction& tx_;
  };

  Store& store_;
  std::unique_lock<std::mutex> lock_;
  SQLite::Transaction tx_;
  bool committed_ = false;
  ChosenLanguages languages_{*this};
};

class Store {
 public:
  // Opens or creates the database at `path` and brings it to the newest
  // schema (store/schema.h). `vfs` names a registered SQLite VFS (empty:
  // SQLite's default); only tests pass one, to inject I/O errors
  // (tests/store/faulty_vfs.h). Throws SQLite::Exception (or
  // std::runtime_error for a database newer than this binary) on failure.
  explicit Store(const std::string& path, const std::string& vfs = "");
  ~Store();

  // The schema version (PRAGMA user_version) after migration.
  int SchemaVersion();
  // The number of migrations compiled into this binary.
  static int LatestVersion();

  SQLite::Database& db() { return db_; }
  const std::string& path() const { return path_; }
  const std::string& vfs() const { return vfs_; }

 private:
  friend class Transaction;
  void Migrate();
  // A cached prepared statement, reset and with its bindings cleared.
  SQLite::Statement& Prepare(const std::string& sql);
  // Resets every cached statement, so none holds a read snapshot past its
  // transaction (which would stop WAL checkpoints).
  void ResetStatements();

  // Waits until commit number `seq` is durable, syncing if nobody else is.
  void WaitDurable(uint64_t seq);
  int SyncWal();  // fdatasync of the WAL; 0 on success

  std::string path_;
  std::string vfs_;
  std::mutex mu_;
  SQLite::Database db_;
  std::atomic<uint64_t> committed_{0};
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  uint64_t synced_ = 0;
  bool syncing_ = false;
  int wal_fd_ = -1;
  std::map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

}  // namespace kontobot::store

#endif  // KONTOBOT_STORE_STORE_H_
