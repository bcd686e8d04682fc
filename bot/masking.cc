#include "bot/masking.h"

#include <algorithm>

#include "bot/identity_number.h"

namespace kontobot {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// A byte that may be part of a word: ASCII letters and digits, and any
// byte of a multi-byte UTF-8 character (letters such as å, é, ß, ...).
bool WordByte(char c) { return IsAsciiAlnum(c) || static_cast<unsigned char>(c) >= 0x80; }
bool EmailLocal(char c) {
  return IsAsciiAlnum(c) || std::string_view("._%+-").find(c) != std::string_view::npos;
}
bool EmailDomain(char c) { return IsAsciiAlnum(c) || c == '.' || c == '-'; }

}  // namespace

std::string FoldCase(std::string_view text) {
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    auto c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') {
      out[i] = static_cast<char>(c + 32);
    } else if (c == 0xC3 && i + 1 < out.size()) {
      auto d = static_cast<unsigned char>(out[i + 1]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) out[i + 1] = static_cast<char>(d + 0x20);
      ++i;
    }
  }
  return out;
}

std::string PhoneDigits(std::string_view text) {
  std::string digits;
  for (char c : text)
    if (IsDigit(c)) digits += c;
  size_t plus = text.find('+');
  if (plus != std::string_view::npos && digits.rfind("46", 0) == 0) digits = "0" + digits.substr(2);
  return digits;
}

Masker::Masker(const std::vector<PrivatePerson>& people, const std::set<std::string>& kept,
               MaskLabels labels, std::chrono::year_month_day reference)
    : labels_(std::move(labels)), reference_(reference) {
  for (const std::string& k : kept) {
    if (k.find('@') != std::string::npos) {
      kept_emails_.insert(FoldCase(k));
    } else if (!PhoneDigits(k).empty()) {
      kept_phones_.insert(PhoneDigits(k));
    }
  }
  for (const PrivatePerson& p : people) {
    if (!p.name.empty()) terms_.push_back({FoldCase(p.name), p.label});
    for (const std::string& c : p.contacts) {
      if (c.empty()) continue;
      terms_.push_back(
          {FoldCase(c), c.find('@') != std::string::npos ? labels_.email : labels_.phone});
    }
  }
  std::stable_sort(terms_.begin(), terms_.end(),
                   [](const Term& a, const Term& b) { return a.folded.size() > b.folded.size(); });
}

std::vector<Masker::Span> Masker::Find(std::string_view text) const {
  std::vector<Span> spans;
  for (const IdentityNumber& n : FindIdentityNumbers(text, reference_))
    spans.push_back({n.begin, n.end, &labels_.identity_number});
  std::string folded = FoldCase(text);
  for (const Term& t : terms_) {
    for (size_t at = folded.find(t.folded); at != std::string::npos;
         at = folded.find(t.folded, at + 1)) {
      size_t end = at + t.folded.size();
      bool whole = (at == 0 || !WordByte(text[at - 1]) || !WordByte(text[at])) &&
                   (end == text.size() || !WordByte(text[end]) || !WordByte(text[end - 1]));
      if (whole) spans.push_back({at, end, &t.label});
    }
  }
  // Any other e-mail address: local part @ domain with a dot.
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    size_t b = at;
    while (b > 0 && EmailLocal(text[b - 1])) --b;
    size_t e = at + 1;
    while (e < text.size() && EmailDomain(text[e])) ++e;
    while (e > at + 1 && (text[e - 1] == '.' || text[e - 1] == '-')) --e;
    std::string_view domain = text.substr(at + 1, e - at - 1);
    if (b == at || domain.find('.') == std::string_view::npos) continue;
    std::string address = FoldCase(text.substr(b, e - b));
    if (kept_emails_.count(address) || kept_emails_.count(address.substr(at - b))) continue;
    spans.push_back({b, e, &labels_.email});
  }
  // Swedish phone numbers: "0" or "+46", then digits, spaces and dashes,
  // 8 to 10 digits in national form, not inside a longer number or word.
  for (size_t i = 0; i < text.size(); ++i) {
    bool plus = text[i] == '+' && text.substr(i, 3) == "+46";
    if (!(plus || text[i] == '0') || (i > 0 && (WordByte(text[i - 1]) || text[i - 1] == '+')))
      continue;
    size_t e = plus ? i + 3 : i;
    size_t digits = plus ? 1 : 0;  // +46 stands for the leading 0
    size_t last_digit = e;
    while (e < text.size() && (IsDigit(text[e]) || text[e] == ' ' || text[e] == '-')) {
      if (text[e] == ' ' && e + 1 < text.size() && !IsDigit(text[e + 1])) break;
      if (IsDigit(text[e])) {
        ++digits;
        last_digit = e + 1;
      }
      ++e;
    }
    if (digits < 8 || digits > 10 || (last_digit < text.size() && WordByte(text[last_digit])))
      continue;
    std::string_view number = text.substr(i, last_digit - i);
    if (kept_phones_.count(PhoneDigits(number))) continue;
    spans.push_back({i, last_digit, &labels_.phone});
    i = last_digit;
  }
  // Earliest first; of overlapping spans the longest wins.
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<Span> out;
  for (const Span& s : spans) {
    if (!out.empty() && s.begin < out.back().end) {
      if (s.end > out.back().end) out.back().end = s.end;
      continue;
    }
    out.push_back(s);
  }
  return out;
}

bool Masker::Masks(std::string_view text) const { return !Find(text).empty(); }

std::string Masker::Mask(std::string_view text) const {
  std::vector<Span> spans = Find(text);
  if (spans.empty()) return std::string(text);
  std::string out;
  size_t last = 0;
  for (const Span& s : spans) {
    out.append(text.substr(last, s.begin - last));
    out += *s.label;
    last = s.end;
  }
  out.append(text.substr(last));
  return out;
}

}  // namespace kontobot
