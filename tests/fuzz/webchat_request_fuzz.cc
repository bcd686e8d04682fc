// Fuzz target: what a browser sends the web chat. Input: a query string on
// the first line (as in GET /api/messages?person=..&after=..), then a POST
// /api/messages body. Runs the handler's own readers: ParseQuery,
// ParseMessageId, ParseLang and ParsePostedMessage. Checks: no crash, no
// UB, no leak, no exception escaping; an accepted text is non-blank UTF-8
// within the limit and can be written back out as JSON (a text that could
// not be would break every later read of the transcript); an accepted body
// round-trips: written back as JSON and read again it reads the same.
#include <nlohmann/json.hpp>

#include "bot/text.h"
#include "handlers/http_server.h"
#include "handlers/webchat/webchat.h"
#include "tests/fuzz/fuzz_util.h"

using kontobot::handlers::PostedMessage;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = kontobot::fuzz::SplitLines(kontobot::fuzz::AsString(data, size), 2);
  auto query = kontobot::handlers::ParseQuery(parts[0]);
  if (auto after = query.find("after"); after != query.end()) {
    auto id = kontobot::handlers::ParseMessageId(after->second);
    FUZZ_CHECK(!id || *id >= 0);
  }
  if (auto lang = query.find("lang"); lang != query.end()) kontobot::ParseLang(lang->second);

  PostedMessage m = kontobot::handlers::ParsePostedMessage(parts[1]);
  if (!m.error_code.empty()) {
    FUZZ_CHECK(m.error_code == "bad_json" || m.error_code == "bad_request" ||
               m.error_code == "bad_text");
    return 0;
  }
  FUZZ_CHECK(m.person.has_value());
  nlohmann::json again{{"person", *m.person}};
  if (m.is_action) {
    again["action"] = {{"id", m.action}, {"value", m.value}};
    again["message_id"] = m.message_id;
  } else {
    FUZZ_CHECK(!kontobot::Trim(m.text).empty() && m.text.size() <= kontobot::handlers::kMaxText);
    FUZZ_CHECK(kontobot::handlers::ValidUtf8(m.text));
    again["text"] = m.text;
  }
  PostedMessage n = kontobot::handlers::ParsePostedMessage(again.dump());
  FUZZ_CHECK(n.error_code.empty() && n.person == m.person && n.is_action == m.is_action &&
             n.text == m.text && n.action == m.action && n.value == m.value &&
             n.message_id == m.message_id);
  return 0;
}
