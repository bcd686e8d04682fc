// People mentioned the platform's way, in a platform-neutral form.
//
// Each platform adapter translates its own mentions (Slack <@U…>, Matrix
// user ids and pills, …) before the text reaches bot/: a mention it
// resolved to a directory person (by the person's platform account, or by
// the platform's user lookup) becomes MentionOf(person id), one it could
// not resolve becomes UnknownMention(what it is called, readably). bot/
// thus never learns a platform's syntax, and needs no I/O to resolve one.
// The person and people answers read a mention as that person with their
// directory contact details, and refuse an unknown one by its readable
// name; everywhere else a mention reads as "@Name" (ReadableMentions).
//
// The form is "@{person:<id>}" / "@{unknown:<name>}": visible in audit
// entries, and not something a person types by accident (one who does
// names a directory person, as typing their name would).
//
// Thread-safety: free functions without shared state.
#ifndef KONTOBOT_BOT_MENTIONS_H_
#define KONTOBOT_BOT_MENTIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "bot/directory.h"

namespace kontobot {

// The mention of directory person `person_id`.
std::string MentionOf(const std::string& person_id);
// The mention of somebody who is in no directory, called `readable`
// (braces and line breaks are dropped from it).
std::string UnknownMention(std::string_view readable);

struct Mention {
  size_t begin = 0;  // byte offsets of the mention in the text
  size_t end = 0;
  std::string person_id;  // empty for an unknown one
  std::string readable;   // an unknown one's name
};

// The mentions in `text`, in order.
std::vector<Mention> FindMentions(std::string_view text);

// `text` with every mention as "@Name" (an unknown one as "@<its name>").
std::string ReadableMentions(std::string_view text, const Directory& directory);

}  // namespace kontobot

#endif  // KONTOBOT_BOT_MENTIONS_H_
