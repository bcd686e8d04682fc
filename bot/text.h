// Languages, localized texts and the message catalogue.
//
// Every sentence kontobot says lives in a catalogue (config/messages/<lang>/)
// or in an organisation's template, never in code. A Catalog maps a key such
// as "question.progress" to a mustache template per language; Render fills in
// the variables. Swedish is the default; a missing English text falls back to
// Swedish, and a missing key renders as the key itself in brackets so that a
// gap is visible instead of silent.
//
// Thread-safety: a Catalog is immutable after construction; concurrent
// const access is safe.
#ifndef KONTOBOT_BOT_TEXT_H_
#define KONTOBOT_BOT_TEXT_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kontobot {

enum class Lang { kSv, kEn };

// "sv" or "en".
std::string_view LangCode(Lang lang);
// Parses "sv"/"en" (case-insensitive). nullopt otherwise.
std::optional<Lang> ParseLang(std::string_view code);

// A text in both languages, as written in a template.
struct LocalizedText {
  std::string sv;
  std::string en;

  // The text in `lang`, falling back to Swedish when the English is empty.
  const std::string& Get(Lang lang) const;
  bool empty() const { return sv.empty() && en.empty(); }
};

using Vars = std::map<std::string, std::string>;

class Catalog {
 public:
  Catalog() = default;
  // `texts[lang][key]` is a mustache template.
  explicit Catalog(std::map<Lang, std::map<std::string, std::string>> texts);

  // Renders `key` in `lang` with `vars`. Variables are not HTML-escaped:
  // chat text is plain text, and every renderer escapes for its own medium.
  std::string Render(Lang lang, const std::string& key, const Vars& vars = {}) const;
  bool Has(Lang lang, const std::string& key) const;

  // The words of a command, from key "command.<name>" in every language:
  // a '|'-separated list, compared after NormalizeWord. Split once, when
  // the catalogue is built.
  const std::vector<std::string>& CommandWords(const std::string& name) const;

  // The '|'-separated entries of `key` in every language, trimmed, in
  // catalogue order and otherwise as written (word lists such as
  // "intent.register.verb", which their user folds its own way).
  std::vector<std::string> WordList(const std::string& key) const;

  // All keys with the given prefix in `lang` (fallback Swedish), raw.
  std::map<std::string, std::string> WithPrefix(Lang lang, const std::string& prefix) const;

 private:
  const std::string* Find(Lang lang, const std::string& key) const;
  std::map<Lang, std::map<std::string, std::string>> texts_;
  std::map<std::string, std::vector<std::string>> commands_;  // name -> words
};

// Lower-cases ASCII and Swedish letters (ÅÄÖÉ) in UTF-8, trims white space
// and trailing punctuation (".!?"), and folds runs of spaces to one.
std::string NormalizeWord(std::string_view text);

// `text` with its first letter in upper case (ASCII and the Latin-1
// letters, so "ögonblicksbilden" becomes "Ögonblicksbilden"); anything
// before the first letter (an emoji, a space) is kept as it is.
std::string UpperFirst(std::string text);

// Trims ASCII white space at both ends.
std::string Trim(std::string_view text);

// The words of `text` as typed, split at spaces (runs of them count as
// one): a typed command's parts ("sida 12 1234567890").
std::vector<std::string> SpaceSeparated(std::string_view text);

// UTF-8 by code point. Platforms limit texts in characters, and a cut
// between the bytes of one (inside "å") leaves a string that is not UTF-8,
// which no JSON serialiser accepts: cut with Utf8Prefix.
//
// The number of code points in `s` (bytes that do not continue one).
size_t Utf8Length(std::string_view s);
// The longest prefix of `s` of at most `max_bytes` bytes that does not end
// inside a code point. (Bytes are a safe bound for a limit in characters.)
std::string_view Utf8Prefix(std::string_view s, size_t max_bytes);

// Text a person typed (an answer, a reason, a question), made safe to be
// placed inside one of our messages. Our messages' markup, which every
// renderer keeps (Slack mrkdwn, Matrix HTML, the web chat), is *bold* and
// one item per line, so typed text could embolden a line or start one that
// looks like ours ("✓ Godkänd av …") inside an approval request. Here '*'
// becomes '∗' (U+2217, which no renderer reads as markup), each run of line
// breaks becomes " ¶ ", and the controls that reorder or hide what follows
// them (Unicode direction overrides and isolates, C0 and C1 controls) are
// dropped. Markup only one platform has (Slack's _ ~ ` and a leading >,
// HTML) is escaped by that platform's renderer over the whole text, since
// our own texts never use it. The stored answer itself is not changed.
std::string Literal(std::string_view typed);

}  // namespace kontobot

#endif  // KONTOBOT_BOT_TEXT_H_
