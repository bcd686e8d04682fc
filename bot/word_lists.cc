#include "bot/word_lists.h"

#include <cstdint>

namespace kontobot {

namespace {

// The folded form of the Latin-1 letter U+00C0 + i (i in 0..63), or "" to
// keep it as it is.
std::string_view FoldLatin1(unsigned char second) {
  // second is the UTF-8 continuation byte after 0xC3: U+00C0..U+00FF.
  const unsigned char c =
      second >= 0x80 && second <= 0x9E && second != 0x97 ? second + 0x20 : second;
  switch (c) {
    case 0xA0:
    case 0xA1:
    case 0xA2:
    case 0xA3:
      return "a";  // à á â ã
    case 0xA4:
      return "ä";
    case 0xA5:
      return "å";
    case 0xA6:
      return "ä";  // æ
    case 0xA7:
      return "c";  // ç
    case 0xA8:
    case 0xA9:
    case 0xAA:
    case 0xAB:
      return "e";
    case 0xAC:
    case 0xAD:
    case 0xAE:
    case 0xAF:
      return "i";
    case 0xB1:
      return "n";  // ñ
    case 0xB2:
    case 0xB3:
    case 0xB4:
    case 0xB5:
      return "o";
    case 0xB6:
    case 0xB8:
      return "ö";  // ö ø
    case 0xB9:
    case 0xBA:
    case 0xBB:
    case 0xBC:
      return "u";
    case 0xBD:
    case 0xBF:
      return "y";
    default:
      return "";
  }
}

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

bool EntryMatches(const std::vector<std::string>& entry, const std::vector<std::string>& words,
                  size_t at) {
  if (at + entry.size() > words.size()) return false;
  for (size_t i = 0; i < entry.size(); ++i) {
    const std::string& e = entry[i];
    const std::string& w = words[at + i];
    const bool prefix = i + 1 == entry.size() && !e.empty() && e.back() == '*';
    if (prefix ? w.compare(0, e.size() - 1, e, 0, e.size() - 1) != 0 || w.size() < e.size() - 1
               : w != e)
      return false;
  }
  return true;
}

}  // namespace

std::string FoldForMatching(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (c == 0xC3 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      std::string_view folded = FoldLatin1(next);
      if (!folded.empty()) {
        out.append(folded);
      } else {
        out.push_back(text[i]);
        out.push_back(text[i + 1]);
      }
      ++i;
    } else if (c == 0xE2 && i + 2 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) == 0x80) {
      out.push_back(' ');  // general punctuation: quotes, dashes, ellipsis
      i += 2;
    } else if (c == 0xC2 && i + 1 < text.size()) {
      out.push_back(' ');  // Latin-1 punctuation and the no-break space
      ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::vector<std::string> MatchWords(std::string_view folded) {
  std::vector<std::string> words;
  std::string word;
  for (char ch : folded) {
    if (IsWordByte(static_cast<unsigned char>(ch))) {
      word.push_back(ch);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::vector<WordHit> MatchWordLists(std::string_view text, const std::vector<WordList>& lists) {
  std::vector<WordHit> hits;
  const std::vector<std::string> words = MatchWords(FoldForMatching(text));
  for (const WordList& list : lists) {
    for (const std::string& entry : list.words) {
      std::vector<std::string> parts = MatchWords(FoldForMatching(entry));
      if (parts.empty()) continue;
      if (!entry.empty() && entry.back() == '*') parts.back().push_back('*');
      bool found = false;
      for (size_t at = 0; at < words.size() && !found; ++at) found = EntryMatches(parts, words, at);
      if (found) {
        hits.push_back({list.id, entry});
        break;
      }
    }
  }
  return hits;
}

}  // namespace kontobot
