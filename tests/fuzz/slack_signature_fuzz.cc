// Fuzz target: Slack's request signature check (Verify) on arbitrary
// header values and bodies. Input: secret, X-Slack-Request-Timestamp and
// X-Slack-Signature on the first three lines, then the body. Checks: no
// crash, no UB (the timestamp is any text a client sends), no leak; a
// request signed with the secret verifies when fresh; any other signature
// never verifies; a timestamp that is not a plain number never verifies.
#include <charconv>
#include <vector>

#include "handlers/slack/signature.h"
#include "tests/fuzz/fuzz_util.h"

using kontobot::slack::SignatureCheck;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = kontobot::fuzz::SplitLines(kontobot::fuzz::AsString(data, size), 4);
  const std::string& secret = f[0];
  const std::string& timestamp = f[1];
  const std::string& signature = f[2];
  const std::string& body = f[3];
  int64_t ts = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  bool numeric = ec == std::errc() && end == timestamp.data() + timestamp.size();
  const std::string good = kontobot::slack::Sign(secret, timestamp, body);
  std::vector<int64_t> nows{1531420618};
  constexpr int64_t kYears = int64_t{1} << 40;  // so the harness itself cannot overflow
  if (numeric && ts > -kYears && ts < kYears) nows.insert(nows.end(), {ts, ts + 299, ts - 301});
  for (int64_t now : nows) {
    SignatureCheck given = kontobot::slack::Verify(secret, timestamp, signature, body, now);
    if (given == SignatureCheck::kValid) FUZZ_CHECK(numeric && signature == good);
    SignatureCheck with_good = kontobot::slack::Verify(secret, timestamp, good, body, now);
    if (with_good == SignatureCheck::kValid) FUZZ_CHECK(numeric);
    if (numeric && !timestamp.empty() && now == ts) FUZZ_CHECK(with_good == SignatureCheck::kValid);
  }
  return 0;
}
