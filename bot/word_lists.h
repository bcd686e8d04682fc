// Matching an inbox item's text against an organisation's word lists
// (bot/template.h WordList). Pure: the lists are template data, the text a
// string.
//
// Text and entries are folded the same way: lower case (ASCII and Latin-1
// letters), diacritics dropped except the Swedish letters å, ä and ö,
// which are letters of their own ("hot" is not "höt"); Danish and
// Norwegian æ and ø read as ä and ö. The folded text is cut into words at
// every character that is neither a letter nor a digit (any other UTF-8
// letter counts as a letter). An entry matches whole words only ("hot"
// does not match "hotell"); "hot*" matches any word beginning so; a phrase
// ("hets mot folkgrupp") matches those words in a row.
//
// Thread-safety: pure functions.
#ifndef KONTOBOT_BOT_WORD_LISTS_H_
#define KONTOBOT_BOT_WORD_LISTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "bot/template.h"

namespace kontobot {

// `text` folded for matching (see above).
std::string FoldForMatching(std::string_view text);
// The words of folded `text`, in order.
std::vector<std::string> MatchWords(std::string_view folded);

struct WordHit {
  std::string list;   // WordList::id
  std::string entry;  // the entry that matched, as written in the template
};

// One hit per list that matches `text` (its first matching entry), in the
// lists' order; empty when none does.
std::vector<WordHit> MatchWordLists(std::string_view text, const std::vector<WordList>& lists);

}  // namespace kontobot

#endif  // KONTOBOT_BOT_WORD_LISTS_H_
