#include "bot/text.h"

#include <algorithm>
#include <unordered_map>

#include <kainjow/mustache.hpp>

namespace kontobot {

std::string_view LangCode(Lang lang) { return lang == Lang::kEn ? "en" : "sv"; }

std::optional<Lang> ParseLang(std::string_view code) {
  std::string c = NormalizeWord(code);
  if (c == "sv" || c == "svenska" || c == "swedish") return Lang::kSv;
  if (c == "en" || c == "english" || c == "engelska") return Lang::kEn;
  return std::nullopt;
}

const std::string& LocalizedText::Get(Lang lang) const {
  if (lang == Lang::kEn && !en.empty()) return en;
  return sv;
}

Catalog::Catalog(std::map<Lang, std::map<std::string, std::string>> texts)
    : texts_(std::move(texts)) {
  const std::string prefix = "command.";
  for (const auto& [lang, by_key] : texts_) {
    for (auto it = by_key.lower_bound(prefix);
         it != by_key.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      std::vector<std::string>& words = commands_[it->first.substr(prefix.size())];
      std::string_view rest = it->second;
      while (!rest.empty()) {
        size_t bar = rest.find('|');
        std::string w = NormalizeWord(rest.substr(0, bar));
        if (!w.empty()) words.push_back(w);
        if (bar == std::string_view::npos) break;
        rest.remove_prefix(bar + 1);
      }
    }
  }
}

const std::string* Catalog::Find(Lang lang, const std::string& key) const {
  for (Lang l : {lang, Lang::kSv}) {
    auto t = texts_.find(l);
    if (t == texts_.end()) continue;
    auto it = t->second.find(key);
    if (it != t->second.end()) return &it->second;
  }
  return nullptr;
}

bool Catalog::Has(Lang lang, const std::string& key) const {
  auto t = texts_.find(lang);
  return t != texts_.end() && t->second.count(key) > 0;
}

std::string Catalog::Render(Lang lang, const std::string& key, const Vars& vars) const {
  const std::string* tmpl = Find(lang, key);
  if (tmpl == nullptr) return "[" + key + "]";
  if (tmpl->find("{{") == std::string::npos) return *tmpl;  // nothing to fill in
  // Parsing a template cost more than rendering it and was repeated on
  // every message: each thread keeps what it has parsed (a mustache object
  // is not safe to render from two threads at once), keyed by the text
  // itself, so catalogues that come and go (tests) never meet a stale entry.
  thread_local std::unordered_map<std::string, kainjow::mustache::mustache> parsed;
  auto it = parsed.find(*tmpl);
  if (it == parsed.end()) {
    if (parsed.size() > 4096) parsed.clear();  // bounded, whatever the catalogues
    it = parsed.emplace(*tmpl, kainjow::mustache::mustache(*tmpl)).first;
    it->second.set_custom_escape([](const std::string& s) { return s; });
  }
  kainjow::mustache::mustache& m = it->second;
  kainjow::mustache::data data;
  for (const auto& [k, v] : vars) data.set(k, v);
  std::string out = m.render(data);
  return m.is_valid() ? out : *tmpl;
}

const std::vector<std::string>& Catalog::CommandWords(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = commands_.find(name);
  return it == commands_.end() ? kNone : it->second;
}

std::vector<std::string> Catalog::WordList(const std::string& key) const {
  std::vector<std::string> out;
  for (const auto& [lang, by_key] : texts_) {
    auto it = by_key.find(key);
    if (it == by_key.end()) continue;
    std::string_view rest = it->second;
    while (!rest.empty()) {
      size_t bar = rest.find('|');
      std::string w = Trim(rest.substr(0, bar));
      if (!w.empty()) out.push_back(std::move(w));
      if (bar == std::string_view::npos) break;
      rest.remove_prefix(bar + 1);
    }
  }
  return out;
}

std::map<std::string, std::string> Catalog::WithPrefix(Lang lang, const std::string& prefix) const {
  std::map<std::string, std::string> out;
  for (Lang l : {Lang::kSv, lang}) {  // Swedish first, then overridden
    auto t = texts_.find(l);
    if (t == texts_.end()) continue;
    for (auto it = t->second.lower_bound(prefix);
         it != t->second.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      out[it->first] = it->second;
    }
  }
  return out;
}

std::string UpperFirst(std::string text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 'a' && c <= 'z') {
      text[i] = static_cast<char>(c - 'a' + 'A');
      return text;
    }
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return text;
    // Another script's letter (Latin Extended, Greek, Cyrillic, ...) comes
    // first: left as it is. Symbols (U+0080..U+00BF, and anything of three
    // or four bytes: dashes, bullets, emoji) are skipped.
    if (c >= 0xC4 && c <= 0xDF) return text;
    if (c == 0xC3 && i + 1 < text.size()) {
      // Lower-case Latin-1 letters (à..þ, not ÷) are their upper case + 0x20.
      auto d = static_cast<unsigned char>(text[i + 1]);
      if (d >= 0xA0 && d <= 0xBE && d != 0xB7) text[i + 1] = static_cast<char>(d - 0x20);
      if (d >= 0x80 && d <= 0xBE && d != 0x97 && d != 0xB7) return text;
    }
  }
  return text;
}

std::string Trim(std::string_view text) {
  size_t b = 0, e = text.size();
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (b < e && space(text[b])) ++b;
  while (e > b && space(text[e - 1])) --e;
  return std::string(text.substr(b, e - b));
}

std::vector<std::string> SpaceSeparated(std::string_view text) {
  std::vector<std::string> words;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find(' ', at);
    if (end == std::string_view::npos) end = text.size();
    if (end > at) words.emplace_back(text.substr(at, end - at));
    at = end + 1;
  }
  return words;
}

std::string NormalizeWord(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3 && i + 1 < text.size()) {
      // Upper-case Latin-1 letters in UTF-8 (À..Þ) map to lower case by +0x20.
      auto d = static_cast<unsigned char>(text[i + 1]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) d = static_cast<unsigned char>(d + 0x20);
      out.push_back(static_cast<char>(c));
      out.push_back(static_cast<char>(d));
      ++i;
      continue;
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(static_cast<char>(c));
  }
  while (!out.empty() &&
         (out.back() == ' ' || out.back() == '.' || out.back() == '!' || out.back() == '?')) {
    out.pop_back();
  }
  return out;
}

size_t Utf8Length(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string_view Utf8Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  // s[end] is the first byte left out: when it continues a code point, that
  // code point began inside the prefix and is left out whole (a code point
  // has at most three continuation bytes; more means `s` was not UTF-8).
  size_t end = max_bytes;
  for (int k = 0; k < 3 && end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80; ++k)
    --end;
  return s.substr(0, end);
}

std::string Literal(std::string_view typed) {
  std::string out;
  out.reserve(typed.size() + 8);
  bool in_break = false;  // inside a run of line breaks (and the blanks around them)
  size_t i = 0;
  while (i < typed.size()) {
    auto c = static_cast<unsigned char>(typed[i]);
    auto next = [&](size_t k) {
      return i + k < typed.size() ? static_cast<unsigned char>(typed[i + k]) : 0;
    };
    size_t n = 1;
    enum { kKeep, kBreak, kDrop, kStar } what = kKeep;
    if (c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      what = kBreak;
    } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
      what = kDrop;
    } else if (c == '*') {
      what = kStar;
    } else if (c == 0xC2 && next(1) >= 0x80 && next(1) <= 0x9F) {  // C1 controls, NEL
      n = 2;
      what = next(1) == 0x85 ? kBreak : kDrop;
    } else if (c == 0xE2 && next(1) == 0x80 && (next(2) == 0xA8 || next(2) == 0xA9)) {
      n = 3;  // line and paragraph separators
      what = kBreak;
    } else if (c == 0xE2 && ((next(1) == 0x80 && next(2) >= 0xAA && next(2) <= 0xAE) ||
                             (next(1) == 0x81 && next(2) >= 0xA6 && next(2) <= 0xA9))) {
      n = 3;  // U+202A..U+202E embeddings and overrides, U+2066..U+2069 isolates
      what = kDrop;
    }
    if (what == kBreak) {
      while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
      in_break = !out.empty();  // breaks before any text are dropped
    } else if (what != kDrop) {
      if (in_break) {
        if (c == ' ' || c == '\t') {
          i += n;
          continue;
        }
        out += " \xC2\xB6 ";  // " ¶ "
        in_break = false;
      }
      if (what == kStar)
        out += "\xE2\x88\x97";  // ∗
      else
        out.append(typed.substr(i, n));
    }
    i += n;
  }
  return out;
}

}  // namespace kontobot
