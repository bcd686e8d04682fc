// Fuzz target: what Mattermost POSTs to kontobot: a button's
// PostActionIntegrationRequest, a dialog submission, a slash command form;
// and the button's context checked as the adapter checks it before
// believing anything in it. Checks: no crash, no UB, no leak, no exception
// escaping; a request read as valid has its ids; no context the fuzzer
// makes up passes the signature check (it cannot know the secret), and a
// context signed here round-trips.
#include <string>

#include "handlers/mattermost/wire.h"
#include "tests/fuzz/fuzz_util.h"

namespace mm = kontobot::mattermost;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body = kontobot::fuzz::AsString(data, size);
  mm::ActionRequest a = mm::ParseActionRequest(body);
  if (a.valid) {
    FUZZ_CHECK(!a.user_id.empty() && !a.channel_id.empty() && !a.post_id.empty());
    FUZZ_CHECK(a.context.is_object());
    mm::ButtonContext out;
    FUZZ_CHECK(mm::CheckContext(a.context, "fuzz secret", a.channel_id, 0, out) !=
               mm::ContextCheck::kValid);
  }
  mm::DialogSubmission d = mm::ParseDialogSubmission(body);
  if (d.valid) {
    FUZZ_CHECK(!d.user_id.empty() && !d.state.empty() && d.submission.is_object());
    mm::ButtonContext out;
    FUZZ_CHECK(mm::CheckState(d.state, "fuzz secret", d.channel_id, 0, out) !=
               mm::ContextCheck::kValid);
  }
  mm::SlashCommand s = mm::ParseSlashCommand(body);
  if (s.valid) FUZZ_CHECK(!s.user_id.empty() && !s.channel_id.empty());
  FUZZ_CHECK(!mm::SlashTokenMatches(body, s.token, "a token the fuzzer does not know"));
  // Whatever bytes the fields hold, a context signed with them checks.
  mm::ButtonContext c{a.channel_id, static_cast<int64_t>(size), body.substr(0, 16), a.user_id, body,
                      100};
  if (nlohmann::json::parse(nlohmann::json(body).dump(), nullptr, false).is_string()) {
    mm::ButtonContext out;
    FUZZ_CHECK(mm::CheckContext(mm::SignContext(c, "k"), "k", c.channel, 99, out) ==
               mm::ContextCheck::kValid);
  }
  return 0;
}
