// Strategy: Slack's own worked example pins the signature (a known-answer
// test), then every way a signature can be wrong is refused; Block Kit
// output is checked against Slack's documented limits.
#include <gtest/gtest.h>

#include <set>

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
  std::vector<nlohmann::json> parts = MessageParts(m);
  ASSERT_EQ(parts.size(), 1u);
  const nlohmann::json& args = parts[0];
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

// The text of every section of `parts`, in order, and how many sections.
std::string SectionTexts(const std::vector<nlohmann::json>& parts, size_t* count = nullptr) {
  std::string out;
  size_t n = 0;
  for (const auto& part : parts) {
    for (const auto& block : part["blocks"]) {
      if (block["type"] != "section") continue;
      out += block["text"]["text"].get<std::string>();
      ++n;
    }
  }
  if (count != nullptr) *count = n;
  return out;
}

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Bug: texts were cut at byte limits (2,900 a line, 75 a label, 3,000 the
// notification text); a cut inside "å" left a string that is not UTF-8,
// serialising the call threw, and the call was retried for ever. And a
// line past the limit lost its end without a word.
TEST(SlackBlocks, CutsBetweenCharactersAndSplitsALongLineInsteadOfCuttingIt) {
  for (const std::string& lead : {std::string(""), std::string("x")}) {  // both byte parities
    store::StoredMessage m;
    m.id = 5;
    m.text = "Rubrik\n" + lead + [] {
      std::string s;
      for (int i = 0; i < 4000; ++i) s += "\xC3\xA5";  // å, no space to cut at
      return s;
    }() + "\nslut";
    std::string label;
    for (int i = 0; i < 60; ++i) label += "\xC3\x84";  // Ä: 120 bytes
    m.buttons = {{"answer", "q:1", label, "default"}};
    std::vector<nlohmann::json> parts = MessageParts(m);
    ASSERT_EQ(parts.size(), 1u);
    std::string serialised;
    ASSERT_NO_THROW(serialised = parts[0].dump()) << "every cut is between two characters";
    EXPECT_LE(parts[0]["text"].get<std::string>().size(), 3000u);
    size_t sections = 0;
    std::string texts = SectionTexts(parts, &sections);
    EXPECT_GE(sections, 3u);
    for (const auto& block : parts[0]["blocks"]) {
      if (block["type"] == "section") {
        EXPECT_LE(block["text"]["text"].get<std::string>().size(), 3000u);
      }
    }
    EXPECT_EQ(Occurrences(texts, "\xC3\xA5"), 4000u) << "nothing of the long line is lost";
    EXPECT_NE(texts.find("slut"), std::string::npos);
    std::string shown = parts[0]["blocks"].back()["elements"][0]["text"]["text"];
    EXPECT_LE(shown.size(), 75u);
    EXPECT_EQ(shown.substr(shown.size() - 3), "\xE2\x80\xA6") << "a shortened label says so";
  }
}

TEST(SlackBlocks, ALongLineIsSplitAtASpaceAndNeverInsideAnEntity) {
  store::StoredMessage m;
  m.id = 6;
  m.text = std::string(2990, 'a') + " " + std::string(10, 'b') + " " + std::string(3000, '&');
  std::vector<nlohmann::json> parts = MessageParts(m);
  ASSERT_EQ(parts.size(), 1u);
  std::vector<std::string> texts;
  for (const auto& block : parts[0]["blocks"]) texts.push_back(block["text"]["text"]);
  ASSERT_GE(texts.size(), 3u);
  EXPECT_EQ(texts[0], std::string(2990, 'a')) << "cut at the space";
  size_t amps = 0;
  for (const std::string& t : texts) {
    EXPECT_LE(t.size(), 3000u);
    amps += Occurrences(t, "&amp;");
    EXPECT_EQ(Occurrences(t, "&"), Occurrences(t, "&amp;")) << "no entity cut in two: " << t;
  }
  EXPECT_EQ(amps, 3000u);
}

TEST(SlackBlocks, ASectionNeverStartsAQuote) {
  store::StoredMessage m;
  m.id = 8;
  m.text = std::string(2996, 'a') + ">" + std::string(10, 'b');  // cut right before "&gt;"
  std::vector<nlohmann::json> parts = MessageParts(m);
  ASSERT_EQ(parts.size(), 1u);
  ASSERT_EQ(parts[0]["blocks"].size(), 2u);
  for (const auto& block : parts[0]["blocks"]) {
    std::string t = block["text"]["text"];
    EXPECT_NE(t.rfind("&gt;", 0), 0u) << t;
  }
}

// A message the approver decides on must be complete: more than one Slack
// message holds (50 blocks) goes out as several, the buttons on the last.
TEST(SlackBlocks, TextBeyondOneMessageContinuesInMoreMessagesWithTheButtonsOnTheLast) {
  store::StoredMessage m;
  m.id = 77;
  for (int i = 0; i < 200; ++i)
    m.text += "rad " + std::to_string(i) + " " + std::string(2000, 'x') + "\n";
  m.buttons = {{"approve", "task:1", "Godkänn", "primary"},
               {"reject", "task:1", "Avslå", "danger"}};
  std::vector<nlohmann::json> parts = MessageParts(m);
  ASSERT_EQ(parts.size(), 5u) << "200 sections, 49 to a message";
  std::set<std::string> ids;
  for (size_t k = 0; k < parts.size(); ++k) {
    const nlohmann::json& blocks = parts[k]["blocks"];
    EXPECT_LE(blocks.size(), 50u);
    EXPECT_FALSE(parts[k]["text"].get<std::string>().empty());
    for (const auto& b : blocks) {
      std::string id = b["block_id"];
      EXPECT_TRUE(ids.insert(id).second) << "block_ids are unique: " << id;
      bool last = k + 1 == parts.size();
      std::string marker = last ? "kb:77" : ContinuationMarker(m, k);
      EXPECT_TRUE(id == marker || id.rfind(marker + ":", 0) == 0) << id;
      if (!last) {
        EXPECT_EQ(b["type"], "section") << "buttons only on the last";
      }
    }
  }
  EXPECT_EQ(parts.back()["blocks"].back()["type"], "actions");
  EXPECT_EQ(parts.back()["blocks"].back()["block_id"], "kb:77");
  std::string texts = SectionTexts(parts);
  size_t at = 0;
  for (int i = 0; i < 200; ++i) {
    at = texts.find("rad " + std::to_string(i) + " ", at);
    ASSERT_NE(at, std::string::npos) << "line " << i << " is there, in order";
  }

  // Decided: the text grows at its end and loses its buttons. The update
  // of the last message holds at least what the post's last one did.
  store::StoredMessage decided = m;
  decided.buttons.clear();
  for (const std::string& tail : {std::string("\n\nGodkänd"), "\n" + std::string(2990, 'y')}) {
    decided.text = m.text + tail;
    std::vector<nlohmann::json> update = MessageParts(decided, MessageUse::kUpdate);
    ASSERT_EQ(update.size(), parts.size());
    EXPECT_LE(update.back()["blocks"].size(), 50u);
    EXPECT_EQ(update.back()["blocks"][0]["block_id"], parts.back()["blocks"][0]["block_id"]);
  }
}

// Bug: the notification text (`text`) carried <!channel>, <@U…> and
// <https://…|…> from an answer unescaped, and mrkdwn in answers formatted.
TEST(SlackText, NeutralisesMentionsLinksAndSlacksOwnMarkup) {
  std::string e = EscapeMrkdwn(
      "*Rubrik* <!channel> <@U123> <https://evil.example|klicka> & _kursiv_ ~struken~ `kod` "
      "\xEF\xBC\x8Ax\xEF\xBC\x8A");
  EXPECT_EQ(e.find('<'), std::string::npos);
  EXPECT_NE(e.find("*Rubrik*"), std::string::npos) << "our bold stays";
  EXPECT_NE(e.find("&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|klicka&gt; &amp;"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("\xCB\x8Dkursiv\xCB\x8D \xE2\x88\xBCstruken\xE2\x88\xBC \xCB\x8Bkod\xCB\x8B"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("\xEF\xB9\xA1x\xEF\xB9\xA1"), std::string::npos) << e;
  EXPECT_EQ(e.find('_'), std::string::npos);
  EXPECT_EQ(e.find('~'), std::string::npos);
  EXPECT_EQ(e.find('`'), std::string::npos);

  store::StoredMessage m;
  m.id = 3;
  m.text = "Från Anna <!channel> <@U123> <https://evil.example|klicka>";
  std::vector<nlohmann::json> parts = MessageParts(m);
  std::string fallback = parts[0]["text"];
  EXPECT_EQ(fallback.find('<'), std::string::npos) << fallback;
}

TEST(SlackText, ALineCannotBecomeAQuoteButAddressesStayAsTheyAre) {
  std::string e = EscapeMrkdwn("> citat\n  > indraget\n\xEF\xBC\x9E helbredd\nrad > inte");
  const std::string soft = "\xC2\xAD";
  EXPECT_EQ(e, soft + "&gt; citat\n  " + soft + "&gt; indraget\n" + soft +
                   "\xEF\xBC\x9E helbredd\nrad &gt; inte");
  std::string a = EscapeMrkdwn(
      "https://www.facebook.com/trosa_kommun, (anna_berg@trosa.se) och "
      "\xE2\x80\x9Dwww.x.se/a_b~c\xE2\x80\x9D. men_inte");
  EXPECT_NE(a.find("https://www.facebook.com/trosa_kommun,"), std::string::npos) << a;
  EXPECT_NE(a.find("(anna_berg@trosa.se)"), std::string::npos) << a;
  EXPECT_NE(a.find("www.x.se/a_b~c"), std::string::npos) << a;
  EXPECT_NE(a.find("men\xCB\x8Dinte"), std::string::npos) << a;
}

// Bug: a call whose arguments could not be serialised was classed as a
// transport error, and retried for ever, holding up the person's lane.
TEST(SlackCalls, ACallThatCannotBeSerialisedIsAPermanentFailure) {
  Client client("http://127.0.0.1:9", "xoxb-test");
  CallResult r = client.Call("chat.postMessage", {{"channel", "D1"}, {"text", "H\xC3"}});
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.retryable());
  EXPECT_NE(r.error().find("serialised"), std::string::npos) << r.error();
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
