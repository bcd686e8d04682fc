// Fuzz target: a Matrix Application Service transaction body, read by
// ParseTransaction exactly as Adapter::Transaction reads it once the
// hs_token is checked. Checks: no crash, no UB, no leak, no exception
// escaping (a transaction not answered 200 is retried by the homeserver
// forever, holding back every later event); every event acted on has an id
// and a room; the bot never answers itself; a command reason comes only
// from the words after the command; an event kept in the inbound queue
// (ToJson, dumped as Adapter::Transaction dumps it) reads back as the same
// event.
#include "handlers/matrix/events.h"
#include "tests/fuzz/fuzz_util.h"

using kontobot::matrix::Event;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bot = "@kontobot:kommun.example";
  auto events = kontobot::matrix::ParseTransaction(kontobot::fuzz::AsString(data, size), bot);
  if (!events) return 0;
  for (const Event& e : *events) {
    if (e.kind == Event::Kind::kIgnore) continue;
    FUZZ_CHECK(!e.event_id.empty() && !e.room.empty());
    if (e.kind != Event::Kind::kInvite) FUZZ_CHECK(e.sender != bot);
    if (e.kind != Event::Kind::kReaction) FUZZ_CHECK(e.decision == Event::Decision::kNone);
    if (e.kind != Event::Kind::kMessage) FUZZ_CHECK(!e.text && e.command == Event::Decision::kNone);
    if (e.text) {
      FUZZ_CHECK(e.reason.size() < e.text->size() || e.reason.empty());
    } else {
      FUZZ_CHECK(e.reason.empty() && e.command == Event::Decision::kNone);
    }
    Event back = kontobot::matrix::EventFromJson(nlohmann::json::parse(
        ToJson(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    FUZZ_CHECK(back.kind == e.kind && back.event_id == e.event_id && back.room == e.room &&
               back.decision == e.decision && back.choice == e.choice &&
               back.command == e.command && back.text.has_value() == e.text.has_value() &&
               back.edit_of == e.edit_of && back.reacts_to == e.reacts_to);
  }
  return 0;
}
