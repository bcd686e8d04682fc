// Recognising what a person wants from the sentence they open with.
//
// People open with a sentence, not a command: "Hej! Jag vill starta ett
// Facebook-konto för biblioteket", "vi vill skapa en Instagram för
// fritidsgårdarna", "I want to open a YouTube channel". The recogniser finds
// the intent from word lists kept in the message catalogue (keys
// "intent.<intent>.<list>", see config/messages/sv/bot.yaml; the lists of
// every language are used at once, so whatever language the person writes
// in is understood), and what the sentence already says about the account:
// the medium, as one of the template's choices, and the unit it is for.
//
// Matching forgives the ways people write: case and diacritics are folded
// ("oppna" is "öppna"), words are split at spaces, punctuation and hyphens
// ("Facebook-konto" is "facebook konto"), an entry that ends in '*' is a
// stem ("administrat*" matches "administratör" and "administrators"), an
// entry of several words matches those words in a row ("lägga till"), and a
// word of seven letters or more may differ from an entry by one letter or
// two swapped letters ("instagarm", "registera").
//
// An intent is a set of word groups that must all be present (register: a
// verb such as "starta", and an account word such as "konto" or a medium's
// name). The intents are tried in a fixed order, the lifecycle intents
// first, so "ta bort en administratör" is a change of administrators, not a
// closed account, and "stänga Facebook-kontot" is not a registration.
//
// Thread-safety: immutable after construction; safe to share.
#ifndef KONTOBOT_BOT_INTENT_H_
#define KONTOBOT_BOT_INTENT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/template.h"
#include "bot/text.h"

namespace kontobot {

enum class Intent {
  kUnclear,
  kRegister,      // start a new account: the registration conversation
  kChangeAdmins,  // change an account: administrators, login, register facts
  kAbsence,       // report an absence (cover while someone is away)
  kEndAbsence,    // an absence ends early or is called off ("jag är tillbaka")
  kCloseAccount,  // close an account
};

// "register", "change_admins", "absence", "end_absence", "close_account" (""
// for kUnclear).
std::string_view IntentName(Intent intent);
std::optional<Intent> ParseIntent(std::string_view name);

// What a sentence says.
struct Understood {
  Intent intent = Intent::kUnclear;
  // The value of the template's medium choice the sentence names, or "".
  std::string medium;
  // The unit as written after "för"/"for" ("biblioteket"), or "".
  std::string unit;
};

class IntentRecogniser {
 public:
  // Reads the word lists from `catalog` once.
  explicit IntentRecogniser(const Catalog& catalog);

  // What `text` asks for. `tmpl` (may be null) supplies the media to look
  // for: the options of the question its register names as "medium".
  Understood Recognise(std::string_view text, const Template* tmpl) const;

  // Folds case and diacritics and splits into words, as the matching does.
  // Exposed for tests.
  static std::vector<std::string> Words(std::string_view text);

 private:
  using Entry = std::vector<std::string>;  // the words of one list entry
  struct Rule {
    Intent intent;
    std::vector<std::vector<Entry>> all_of;  // every group must match
    bool medium_counts_as_noun = false;      // a medium's name satisfies the noun group
  };
  std::vector<Entry> List(const Catalog& catalog, const std::string& key) const;

  std::vector<Rule> rules_;
  std::vector<Entry> account_nouns_;
  std::vector<Entry> unit_markers_;
  std::vector<Entry> unit_fillers_;
  std::vector<Entry> unit_stops_;
};

}  // namespace kontobot

#endif  // KONTOBOT_BOT_INTENT_H_
