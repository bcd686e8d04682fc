// Fuzz target: Meta's webhook delivery parser (handlers/meta/wire.h) and
// signature check on arbitrary bytes. Checks: no crash, no UB, no leak;
// an invalid delivery yields no items; every item has its ids and a
// dedupe key naming its comment; the body signed with a secret verifies
// and the same signature over another body does not.
#include "handlers/meta/wire.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body = kontobot::fuzz::AsString(data, size);
  kontobot::meta::Delivery d = kontobot::meta::Parse(body);
  if (!d.valid) FUZZ_CHECK(d.items.empty());
  for (const kontobot::InboxItem& item : d.items) {
    FUZZ_CHECK(!item.page_id.empty() && !item.external_id.empty());
    FUZZ_CHECK(item.dedupe_key.find(item.external_id) != std::string::npos);
    FUZZ_CHECK(item.source == "facebook" || item.source == "instagram");
  }
  const std::string sig = kontobot::meta::Sign("fuzz-secret", body);
  FUZZ_CHECK(kontobot::meta::Verify("fuzz-secret", sig, body));
  FUZZ_CHECK(!kontobot::meta::Verify("fuzz-secret", sig, body + "x"));
  FUZZ_CHECK(!kontobot::meta::Verify("fuzz-secret", body, body) || body == sig);
  return 0;
}
