#include "bot/intent.h"

#include <algorithm>
#include <array>
#include <utility>

namespace kontobot {
namespace {

constexpr auto kIntentNames =
    std::to_array<std::pair<Intent, std::string_view>>({{Intent::kRegister, "register"},
                                                        {Intent::kChangeAdmins, "change_admins"},
                                                        {Intent::kAbsence, "absence"},
                                                        {Intent::kEndAbsence, "end_absence"},
                                                        {Intent::kCloseAccount, "close_account"}});

// A word of the text: folded, and where it stands in the original.
struct Token {
  std::string word;
  size_t begin = 0;
  size_t end = 0;
};

// The folded form of a Latin-1 letter (U+00C0..U+00FF), or "" for the two
// signs in that block (× and ÷), which separate words.
std::string_view FoldLatin1(unsigned cp) {
  static constexpr std::array<std::string_view, 64> kFold = {
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
      "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
      "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};
  return kFold[cp - 0xC0];
}

// Splits `text` into folded words: ASCII letters and digits, Latin-1
// letters without their diacritics, and other Latin letters as they are;
// everything else (spaces, punctuation, dashes, emoji) separates words.
std::vector<Token> Tokenise(std::string_view text) {
  std::vector<Token> out;
  Token cur;
  auto flush = [&](size_t at) {
    if (!cur.word.empty()) {
      cur.end = at;
      out.push_back(std::move(cur));
    }
    cur = Token{};
  };
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 1;
    if (i + len > text.size()) len = 1;
    std::string piece;
    if (len == 1 && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      piece.push_back(static_cast<char>(c));
    } else if (len == 1 && c >= 'A' && c <= 'Z') {
      piece.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (len == 2) {
      unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
      if (cp >= 0xC0 && cp <= 0xFF) {
        piece = FoldLatin1(cp);
      } else if (cp >= 0x100 && cp <= 0x24F) {
        piece = std::string(text.substr(i, 2));
      }
    }
    if (piece.empty()) {
      flush(i);
    } else {
      if (cur.word.empty()) cur.begin = i;
      cur.word += piece;
    }
    i += len;
  }
  flush(text.size());
  return out;
}

// True when `a` and `b` differ by at most one inserted, deleted or changed
// letter, or by two neighbouring letters swapped.
bool WithinOneEdit(std::string_view a, std::string_view b) {
  if (a == b) return true;
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (a.size() != b.size()) return a.substr(i) == b.substr(i + 1);
  if (a.substr(i + 1) == b.substr(i + 1)) return true;  // one changed letter
  return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
         a.substr(i + 2) == b.substr(i + 2);
}

bool WordMatches(const std::string& entry, const std::string& word) {
  if (!entry.empty() && entry.back() == '*') {
    return word.size() >= entry.size() - 1 &&
           word.compare(0, entry.size() - 1, entry, 0, entry.size() - 1) == 0;
  }
  if (entry == word) return true;
  return entry.size() >= 7 && word.size() >= 6 && WithinOneEdit(entry, word);
}

// The number of words `entry` covers at `at` in `tokens`, or 0.
size_t MatchAt(const std::vector<std::string>& entry, const std::vector<Token>& tokens, size_t at) {
  if (entry.empty() || at + entry.size() > tokens.size()) return 0;
  for (size_t j = 0; j < entry.size(); ++j) {
    if (!WordMatches(entry[j], tokens[at + j].word)) return 0;
  }
  return entry.size();
}

size_t MatchAny(const std::vector<std::vector<std::string>>& entries,
                const std::vector<Token>& tokens, size_t at) {
  for (const auto& e : entries) {
    if (size_t n = MatchAt(e, tokens, at)) return n;
  }
  return 0;
}

bool Anywhere(const std::vector<std::vector<std::string>>& entries,
              const std::vector<Token>& tokens) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (MatchAny(entries, tokens, i) > 0) return true;
  }
  return false;
}

// The ways a template's choice option may be named, as word sequences: its
// value, its labels and synonyms, and each of their words of four letters
// or more ("twitter" of "X (Twitter)").
std::vector<std::vector<std::string>> NamesOf(const ChoiceOption& o) {
  std::vector<std::vector<std::string>> out;
  auto add = [&](std::string_view text) {
    std::vector<std::string> words;
    for (Token& t : Tokenise(text)) words.push_back(std::move(t.word));
    if (words.empty()) return;
    for (const std::string& w : words) {
      if (w.size() >= 4 && words.size() > 1) out.push_back({w});
    }
    out.push_back(std::move(words));
  };
  add(o.value);
  add(o.label.sv);
  add(o.label.en);
  for (const std::string& s : o.synonyms) add(s);
  return out;
}

// The medium named at `at`: a name of an option, or a word that starts
// with one of five letters or more ("facebooksida"). Returns the option
// value and how many words it covers.
std::pair<std::string, size_t> MediumAt(const Step& medium, const std::vector<Token>& tokens,
                                        size_t at) {
  for (const ChoiceOption& o : medium.options) {
    for (const auto& name : NamesOf(o)) {
      if (size_t n = MatchAt(name, tokens, at)) return {o.value, n};
      if (name.size() == 1 && name[0].size() >= 5 && tokens[at].word.size() > name[0].size() &&
          tokens[at].word.compare(0, name[0].size(), name[0]) == 0) {
        return {o.value, 1};
      }
    }
  }
  return {"", 0};
}

const Step* MediumStep(const Template* tmpl) {
  if (tmpl == nullptr) return nullptr;
  auto it = tmpl->register_fields.find("medium");
  const Step* s = it == tmpl->register_fields.end() ? nullptr : tmpl->FindStep(it->second);
  return s != nullptr && s->type == QuestionType::kChoice ? s : nullptr;
}

}  // namespace

std::string_view IntentName(Intent intent) {
  for (const auto& [i, n] : kIntentNames)
    if (i == intent) return n;
  return "";
}

std::optional<Intent> ParseIntent(std::string_view name) {
  for (const auto& [i, n] : kIntentNames)
    if (n == name) return i;
  return std::nullopt;
}

std::vector<std::string> IntentRecogniser::Words(std::string_view text) {
  std::vector<std::string> out;
  for (Token& t : Tokenise(text)) out.push_back(std::move(t.word));
  return out;
}

std::vector<IntentRecogniser::Entry> IntentRecogniser::List(const Catalog& catalog,
                                                            const std::string& key) const {
  std::vector<Entry> out;
  for (const std::string& raw : catalog.WordList(key)) {
    // A stem's '*' is not a letter: keep it on the last word.
    bool stem = !raw.empty() && raw.back() == '*';
    Entry e = Words(stem ? std::string_view(raw).substr(0, raw.size() - 1) : raw);
    if (e.empty()) continue;
    if (stem) e.back() += '*';
    out.push_back(std::move(e));
  }
  return out;
}

IntentRecogniser::IntentRecogniser(const Catalog& catalog) {
  account_nouns_ = List(catalog, "intent.account_noun");
  unit_markers_ = List(catalog, "intent.unit_marker");
  unit_fillers_ = List(catalog, "intent.unit_filler");
  unit_stops_ = List(catalog, "intent.unit_stop");
  // The order is the precedence: see the header.
  rules_.push_back({Intent::kEndAbsence, {List(catalog, "intent.end_absence.phrase")}, false});
  rules_.push_back(
      {Intent::kChangeAdmins,
       {List(catalog, "intent.change_admins.verb"), List(catalog, "intent.change_admins.noun")},
       false});
  rules_.push_back({Intent::kAbsence, {List(catalog, "intent.absence.word")}, false});
  rules_.push_back(
      {Intent::kCloseAccount, {List(catalog, "intent.close_account.verb"), account_nouns_}, true});
  rules_.push_back(
      {Intent::kRegister, {List(catalog, "intent.register.verb"), account_nouns_}, true});
}

Understood IntentRecogniser::Recognise(std::string_view text, const Template* tmpl) const {
  Understood out;
  std::vector<Token> tokens = Tokenise(text);
  const Step* medium_step = MediumStep(tmpl);
  // The medium, and which words name it (they are not the unit).
  std::vector<bool> is_medium(tokens.size(), false);
  if (medium_step != nullptr) {
    for (size_t i = 0; i < tokens.size(); ++i) {
      auto [value, n] = MediumAt(*medium_step, tokens, i);
      if (n == 0) continue;
      if (out.medium.empty()) out.medium = value;
      for (size_t k = 0; k < n; ++k) is_medium[i + k] = true;
      i += n - 1;
    }
  }
  for (const Rule& rule : rules_) {
    bool all = !rule.all_of.empty();
    for (const auto& group : rule.all_of) {
      bool nouns = &group == &rule.all_of.back() && rule.medium_counts_as_noun;
      if (Anywhere(group, tokens) || (nouns && !out.medium.empty())) continue;
      all = false;
      break;
    }
    if (all) {
      out.intent = rule.intent;
      break;
    }
  }
  if (out.intent != Intent::kRegister) {
    out.medium.clear();
    return out;
  }
  // The unit: the words after "för"/"for", up to punctuation, a joining
  // word ("och", "som") or six words, without a leading "vår"/"the". Not
  // when they are a purpose ("för att nå unga") or only name the medium.
  for (size_t i = 0; i < tokens.size(); ++i) {
    size_t marker = MatchAny(unit_markers_, tokens, i);
    if (marker == 0) continue;
    size_t start = i + marker;
    while (start < tokens.size()) {
      size_t filler = MatchAny(unit_fillers_, tokens, start);
      if (filler == 0) break;
      start += filler;
    }
    size_t end = start;
    while (end < tokens.size() && end - start < 6 && MatchAny(unit_stops_, tokens, end) == 0 &&
           !is_medium[end] && MatchAny(account_nouns_, tokens, end) == 0) {
      ++end;
      if (end < tokens.size() &&
          text.substr(tokens[end - 1].end, tokens[end].begin - tokens[end - 1].end)
                  .find_first_of(".,;:!?()") != std::string_view::npos) {
        break;
      }
    }
    if (end == start) continue;
    out.unit = UpperFirst(
        std::string(text.substr(tokens[start].begin, tokens[end - 1].end - tokens[start].begin)));
    break;
  }
  return out;
}

}  // namespace kontobot
