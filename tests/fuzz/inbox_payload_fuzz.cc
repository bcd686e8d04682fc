// Fuzz target: the generic inbox source (handlers/inbox/wire.h): its
// Standard Webhooks check and its event parser. Input: webhook-id,
// webhook-timestamp and webhook-signature on the first three lines, then
// the body. Checks: no crash, no UB (the timestamp is any text a client
// sends), no leak; only a signature made with the key verifies; an item
// always has source, account_ref and external_id, and the webhook id as
// its dedupe key.
#include "handlers/inbox/wire.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = kontobot::fuzz::SplitLines(kontobot::fuzz::AsString(data, size), 4);
  const std::string& id = f[0];
  const std::string& ts = f[1];
  const std::string& signatures = f[2];
  const std::string& body = f[3];
  const std::string key = *kontobot::inbox::SecretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  const std::string good = kontobot::inbox::Sign(key, id, ts, body);
  using kontobot::inbox::SignatureCheck;
  SignatureCheck given = kontobot::inbox::Verify(key, id, ts, signatures, body, 1614265330);
  if (given == SignatureCheck::kValid) FUZZ_CHECK(signatures.find(good) != std::string::npos);
  kontobot::inbox::Verify(key, id, ts, good, body, 1614265330);
  kontobot::inbox::Event e = kontobot::inbox::Parse(body, id);
  if (e.kind == kontobot::inbox::Event::Kind::kItem) {
    FUZZ_CHECK(!e.item.source.empty() && !e.item.page_id.empty() && !e.item.external_id.empty());
    FUZZ_CHECK(e.item.dedupe_key == id);
    FUZZ_CHECK(kontobot::InboxItemFromJson(kontobot::ToJson(e.item)).text == e.item.text);
  }
  return 0;
}
