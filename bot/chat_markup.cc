#include "bot/chat_markup.h"

#include <cctype>
#include <vector>

namespace kontobot {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not one.
size_t Utf8Length(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  if (n == 2 && c < 0xC2) return 0;  // overlong
  return n;
}

bool Dropped(unsigned char c) { return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7F; }

void Clean(std::string_view s, std::string& out, bool escape) {
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8Length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (n == 1) {
      char c = s[i];
      if (Dropped(static_cast<unsigned char>(c))) {
        // not shown: dropped
      } else if (!escape || std::string_view("&<>\"'").find(c) == std::string_view::npos) {
        out += c;
      } else if (c == '&') {
        out += "&amp;";
      } else if (c == '<') {
        out += "&lt;";
      } else if (c == '>') {
        out += "&gt;";
      } else if (c == '"') {
        out += "&quot;";
      } else {
        out += "&#39;";
      }
    } else {
      // C1 controls (U+0080-U+009F) are invisible and not allowed in XML 1.1.
      bool c1 = n == 2 && static_cast<unsigned char>(s[i]) == 0xC2 &&
                static_cast<unsigned char>(s[i + 1]) < 0xA0;
      // U+FFFE and U+FFFF are not characters in XML.
      bool nonchar = n == 3 && static_cast<unsigned char>(s[i]) == 0xEF &&
                     static_cast<unsigned char>(s[i + 1]) == 0xBF &&
                     static_cast<unsigned char>(s[i + 2]) >= 0xBE;
      if (!c1 && !nonchar) out.append(s.substr(i, n));
    }
    i += n;
  }
}

bool StartsWithUrl(std::string_view s, size_t i) {
  auto at = [&](std::string_view p) {
    if (s.size() - i < p.size()) return false;
    for (size_t k = 0; k < p.size(); ++k) {
      char c = s[i + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != p[k]) return false;
    }
    return true;
  };
  bool boundary = i == 0 || std::isalnum(static_cast<unsigned char>(s[i - 1])) == 0;
  return boundary && (at("https://") || at("http://") || at("www."));
}

bool UrlChar(char c) {
  return !(c == ' ' || c == '\n' || c == '\t' || c == '<' || c == '>' || c == '"');
}

// Plain text with web addresses as links.
void Links(std::string_view s, std::string& out) {
  size_t last = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!StartsWithUrl(s, i)) continue;
    size_t end = i;
    while (end < s.size() && UrlChar(s[end])) ++end;
    // Trailing punctuation belongs to the sentence, not the address.
    while (end > i && std::string_view(".,;:!?')]").find(s[end - 1]) != std::string_view::npos)
      --end;
    std::string_view url = s.substr(i, end - i);
    if (url.size() < 5) continue;
    Clean(s.substr(last, i - last), out, true);
    std::string href = (url.rfind("www.", 0) == 0 || url.rfind("WWW.", 0) == 0)
                           ? "https://" + std::string(url)
                           : std::string(url);
    out += "<a href=\"";
    Clean(href, out, true);
    out += "\">";
    Clean(url, out, true);
    out += "</a>";
    last = end;
    i = end - 1;
  }
  Clean(s.substr(last), out, true);
}

// *bold* as in the web chat: a star, a non-space, ..., a non-space, a star.
void Inline(std::string_view s, bool rich, std::string& out) {
  if (!rich) return Links(s, out);
  size_t last = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '*' || i + 1 >= s.size() || s[i + 1] == ' ' || s[i + 1] == '*') continue;
    size_t close = s.find('*', i + 1);
    if (close == std::string_view::npos) break;
    if (s[close - 1] == ' ') continue;
    Links(s.substr(last, i - last), out);
    out += "<strong>";
    Links(s.substr(i + 1, close - i - 1), out);
    out += "</strong>";
    last = close + 1;
    i = close;
  }
  Links(s.substr(last), out);
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

}  // namespace

std::string EscapeXml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  Clean(text, out, true);
  return out;
}

std::string CleanText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  Clean(text, out, false);
  return out;
}

std::string ChatHtml(std::string_view text, bool rich) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\n') {
      std::string_view line = text.substr(start, i - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      lines.push_back(line);
      start = i + 1;
    }
  }
  std::string out;
  std::string list;  // "ul", "ol" or "" when no list is open
  auto close = [&] {
    if (!list.empty()) out += "</" + list + ">";
    list.clear();
  };
  for (std::string_view line : lines) {
    std::string_view t = TrimLeft(line);
    if (t.empty()) {
      close();
      continue;
    }
    std::string kind;
    std::string_view item;
    std::string number;
    if (rich) {
      for (std::string_view bullet : {"• ", "· ", "- ", "– "}) {
        if (t.substr(0, bullet.size()) == bullet) {
          kind = "ul";
          item = t.substr(bullet.size());
        }
      }
      size_t d = 0;
      while (d < t.size() && d < 4 && t[d] >= '0' && t[d] <= '9') ++d;
      if (kind.empty() && d > 0 && d <= 3 && d + 1 < t.size() && (t[d] == '.' || t[d] == ')') &&
          t[d + 1] == ' ') {
        kind = "ol";
        number = std::string(t.substr(0, d));
        item = t.substr(d + 2);
      }
    }
    if (kind.empty()) {
      close();
      out += "<p dir=\"auto\">";
      Inline(line, rich, out);
      out += "</p>";
      continue;
    }
    if (list != kind) {
      close();
      list = kind;
      out += "<" + kind + ">";
    }
    out += number.empty() ? R"(<li dir="auto">)" : R"(<li dir="auto" value=")" + number + R"(">)";
    Inline(item, rich, out);
    out += "</li>";
  }
  close();
  return out;
}

}  // namespace kontobot
