// Chat text as people saw it, for printable records: the web chat's
// formatting (handlers/webchat/static/app.js renderText) in HTML. Lines are
// paragraphs; in the bot's own messages ("rich") *bold* is bold and lines
// starting with "• " or "1. " are lists; web addresses are links. Everything
// else is text: HTML is escaped, and control characters other than line
// breaks and tabs are dropped (they are not allowed in HTML or XML, and a
// person cannot see them).
//
// Thread-safety: pure functions.
#ifndef KONTOBOT_BOT_CHAT_MARKUP_H_
#define KONTOBOT_BOT_CHAT_MARKUP_H_

#include <string>
#include <string_view>

namespace kontobot {

// The text as an HTML fragment (block elements), safe to embed as is.
std::string ChatHtml(std::string_view text, bool rich);

// Escapes & < > " ' for HTML and XML text and attributes, and drops
// control characters other than \n and \t (and invalid UTF-8 bytes become
// U+FFFD), so the result is well-formed XML as well.
std::string EscapeXml(std::string_view text);

// Drops control characters other than \n and \t and replaces invalid UTF-8
// with U+FFFD, without escaping.
std::string CleanText(std::string_view text);

}  // namespace kontobot

#endif  // KONTOBOT_BOT_CHAT_MARKUP_H_
