// The social inbox's item: one public comment (or message, mention,
// e-mail) on one of an organisation's accounts, as every source is turned
// into it (Meta's Page feed and Instagram comments, the generic Standard
// Webhooks source). Platform ids are opaque strings here.
//
// Confidential content: a Swedish personal identity or coordination number
// valid by its check digit (bot/identity_number.h) flags the item the
// moment it arrives. Wherever kontobot shows an item (chat, logs, pages)
// the number is shown as YYYYMMDD-XXXX (../shared/SWEDISH-RECORDS.md §1.7);
// the original text stays only in the record.
//
// Thread-safety: values and pure functions.
#ifndef KONTOBOT_BOT_INBOX_H_
#define KONTOBOT_BOT_INBOX_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kontobot {

// What happened to the item on the platform. kAdd: new; kEdit: its text
// changed; kRemove: deleted there; kHide / kUnhide: hidden from the public.
enum class InboxVerb { kAdd, kEdit, kRemove, kHide, kUnhide };

// "add", "edited", "remove", "hide", "unhide" (Meta's words).
std::string_view VerbName(InboxVerb verb);
// The verb named `name`; false if there is none.
bool ParseVerb(std::string_view name, InboxVerb* verb);

struct InboxItem {
  std::string source;            // "facebook", "instagram", or the generic source's own name
  std::string page_id;           // the account on the platform: Page id, IG id, account_ref
  std::string external_id;       // the comment's id on the platform
  std::string thread_id;         // the post (or media) it is on
  std::string parent_id;         // the post, or the comment it replies to
  std::string kind = "comment";  // comment, message, mention, email
  InboxVerb verb = InboxVerb::kAdd;
  std::string author_id;
  std::string author_name;
  std::string text;
  std::string permalink;
  int64_t created_at = 0;  // Unix seconds, as the platform says (0 if it did not)
  // The source's own key for this change, unique across retries: what the
  // inbound queue de-duplicates on.
  std::string dedupe_key;

  // True if the platform's own account wrote it: a reply by the
  // organisation, which ends the wait of the comment it answers.
  bool FromAccount() const { return !author_id.empty() && author_id == page_id; }
};

nlohmann::json ToJson(const InboxItem& item);
// REQUIRES: `j` was written by ToJson (the inbound queue's payload).
InboxItem InboxItemFromJson(const nlohmann::json& j);

// `text` with every valid identity number shown as YYYYMMDD-XXXX (the
// century fixed relative to `reference`).
std::string MaskIdentityNumbers(std::string_view text, std::chrono::year_month_day reference);
// True if `text` holds a valid identity number.
bool HoldsIdentityNumber(std::string_view text, std::chrono::year_month_day reference);

}  // namespace kontobot

#endif  // KONTOBOT_BOT_INBOX_H_
