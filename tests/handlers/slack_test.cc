// Strategy: Slack's own worked example pins the signature (a known-answer
// test), then every way a signature can be wrong is refused; Block Kit
// output is checked against Slack's documented limits.
#include <gtest/gtest.h>

#include "handlers/slack/signature.h"
#include "handlers/slack/slack_client.h"

namespace kontobot::slack {
namespace {

const std::string kSecret = "8f742231b10e8888abcd99yyyzzz85a5";
const std::string kTs = "1531420618";
const std::string kBody =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&"
    "channel_name=foobar"
    "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%"
    "3A%2F%2Fhooks.slack.com"
    "%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015."
    "47445629121."
    "803a0bc887a14d10d2c447fce8b6703c";
const std::string kExpected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

TEST(SlackSignature, MatchesSlacksWorkedExample) {
  EXPECT_EQ(Sign(kSecret, kTs, kBody), kExpected);
  EXPECT_EQ(Verify(kSecret, kTs, kExpected, kBody, 1531420618 + 10), SignatureCheck::kValid);
}

TEST(SlackSignature, RefusesForgedStaleAndMissing) {
  EXPECT_EQ(Verify(kSecret, kTs, kExpected, kBody + "x", 1531420618), SignatureCheck::kMismatch);
  EXPECT_EQ(Verify("another-secret", kTs, kExpected, kBody, 1531420618), SignatureCheck::kMismatch);
  EXPECT_EQ(Verify(kSecret, kTs, "v0=00", kBody, 1531420618), SignatureCheck::kMismatch);
  EXPECT_EQ(Verify(kSecret, kTs, kExpected, kBody, 1531420618 + 301), SignatureCheck::kStale);
  EXPECT_EQ(Verify(kSecret, kTs, kExpected, kBody, 1531420618 - 301), SignatureCheck::kStale);
  EXPECT_EQ(Verify(kSecret, "", kExpected, kBody, 1531420618), SignatureCheck::kMissing);
  EXPECT_EQ(Verify(kSecret, kTs, "", kBody, 1531420618), SignatureCheck::kMissing);
  EXPECT_EQ(Verify(kSecret, "12ab", kExpected, kBody, 1531420618), SignatureCheck::kMismatch);
}

TEST(SlackSignature, RefusesTimestampsAtTheEndsOfTheRangeAsStale) {
  // Bug: the age check computed now - timestamp, which overflows (undefined
  // behaviour) for X-Slack-Request-Timestamp: -9223372036854775808. Fails
  // under UBSan (build-asan); without it the overflow happened to wrap.
  EXPECT_EQ(Verify(kSecret, "-9223372036854775808", kExpected, kBody, 1531420618),
            SignatureCheck::kStale);
  EXPECT_EQ(Verify(kSecret, "9223372036854775807", kExpected, kBody, 1531420618),
            SignatureCheck::kStale);
}

TEST(SlackBlocks, SectionsStayUnderTheLimitAndButtonsCarryTheMessage) {
  store::StoredMessage m;
  m.id = 42;
  m.text = std::string(5000, 'a') + "\n<b> & " + std::string(100, 'b');
  m.buttons = {{"approve", "task:7", "Godkänn", "primary"},
               {"new", "", "Anmäl nytt konto", "default"}};
  nlohmann::json args = MessageArgs(m);
  for (const auto& block : args["blocks"]) {
    if (block["type"] == "section") {
      EXPECT_LE(block["text"]["text"].get<std::string>().size(), 3000u);
    }
  }
  const auto& actions = args["blocks"].back();
  EXPECT_EQ(actions["type"], "actions");
  EXPECT_EQ(actions["block_id"], "kb:42");
  EXPECT_EQ(actions["elements"][0]["action_id"], "approve:0");
  EXPECT_EQ(actions["elements"][0]["value"], "task:7");
  EXPECT_EQ(actions["elements"][0]["style"], "primary");
  EXPECT_FALSE(actions["elements"][1].contains("style"));
  EXPECT_EQ(actions["elements"][1]["value"], "-") << "Slack requires a non-empty value";
  std::string all = args["blocks"].dump();
  EXPECT_NE(all.find("&lt;b&gt; &amp;"), std::string::npos);
}

TEST(SlackCalls, ClassifiesWhatToRetry) {
  CallResult rate;
  rate.status = 429;
  EXPECT_TRUE(rate.retryable());
  CallResult down;
  down.status = 0;
  down.transport_error = "connection refused";
  EXPECT_TRUE(down.retryable());
  CallResult not_found;
  not_found.status = 200;
  not_found.body = {{"ok", false}, {"error", "channel_not_found"}};
  EXPECT_FALSE(not_found.retryable());
  EXPECT_EQ(not_found.error(), "channel_not_found");
  CallResult transient = not_found;
  transient.body["error"] = "internal_error";
  EXPECT_TRUE(transient.retryable());
}

}  // namespace
}  // namespace kontobot::slack
