// Strategy: the pure readers of Slack, Matrix and web chat requests, fed
// the documented payloads and then the malformed ones the fuzz targets
// (tests/fuzz/) found or were seeded with: a field of the wrong JSON type
// must read as absent, never throw (a throw became a 500, which Slack and
// the homeserver retry).
#include <gtest/gtest.h>

#include "handlers/matrix/events.h"
#include "handlers/slack/payloads.h"
#include "handlers/webchat/webchat.h"

namespace kontobot {
namespace {

TEST(SlackPayloads, ReadsAMentionWithoutOurMentionKeepingColleagues) {
  auto e = slack::ParseEventRequest(
      R"({"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","user":"U1",)"
      R"("channel":"C1","ts":"1.2","text":"<@UBOT> starta med <@U0LAN0Z89>"}})",
      "UBOT");
  ASSERT_EQ(e.kind, slack::EventRequest::Kind::kMessage);
  EXPECT_EQ(e.event_id, "Ev1");
  EXPECT_EQ(e.user, "U1");
  EXPECT_EQ(e.channel, "C1");
  EXPECT_EQ(e.ts, "1.2");
  EXPECT_TRUE(e.in_channel);
  EXPECT_EQ(e.text, "starta med <@U0LAN0Z89>");
  // Without a configured id: the envelope's bot authorization, else the
  // mention the text starts with.
  e = slack::ParseEventRequest(
      R"({"type":"event_callback","event_id":"Ev2","authorizations":[{"user_id":"UB2",)"
      R"("is_bot":true}],"event":{"type":"app_mention","user":"U1","channel":"C1",)"
      R"("text":"hej <@UB2> och <@U0LAN0Z89>"}})",
      "");
  EXPECT_EQ(e.text, "hej och <@U0LAN0Z89>");
  e = slack::ParseEventRequest(
      R"({"type":"event_callback","event_id":"Ev3","event":{"type":"app_mention","user":"U1",)"
      R"("channel":"C1","text":"<@UB3|kontobot> starta"}})",
      "");
  EXPECT_EQ(e.text, "starta");
}

TEST(SlackPayloads, FieldsOfTheWrongTypeReadAsAbsent) {
  // Bug: event fields read with nlohmann's value(), which throws when the
  // field has another JSON type ("type": ["message"]); the request was
  // answered 500 and Slack retried it.
  auto e = slack::ParseEventRequest(
      R"({"type":"event_callback","event_id":"Ev1","event":{"type":["message"],"user":"U1"}})", "");
  EXPECT_EQ(e.kind, slack::EventRequest::Kind::kIgnore);
  e = slack::ParseEventRequest(
      R"({"type":"event_callback","event_id":"Ev1","event":{"type":"message","channel_type":"im",)"
      R"("user":"U1","channel":7,"text":{"a":1}}})",
      "");
  ASSERT_EQ(e.kind, slack::EventRequest::Kind::kMessage);
  EXPECT_EQ(e.channel, "");
  EXPECT_EQ(e.text, "");
  EXPECT_EQ(slack::ParseEventRequest(R"({"type":5})", "").kind, slack::EventRequest::Kind::kIgnore);

  // Bug: the same in a button press: a label whose text was not a string
  // ("text": {"text": 4}) threw.
  auto a = slack::ParseInteraction(
      "payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A5%7D%2C%22actions"
      "%22%3A%5B%7B%22action_id%22%3A%22approve%3A1%22%2C%22block_id%22%3A%22kb%3A42%22%2C%22value"
      "%22%3A%22task%3A7%22%2C%22text%22%3A%7B%22text%22%3A4%7D%7D%5D%7D");
  ASSERT_EQ(a.kind, slack::Interaction::Kind::kButton);
  EXPECT_EQ(a.action, "approve");
  EXPECT_EQ(a.value, "task:7");
  EXPECT_EQ(a.message_id, 42);
  EXPECT_EQ(a.user, "");
  EXPECT_EQ(a.echo, "approve");
}

TEST(MatrixEvents, ReadsCommandsReactionsAndInvites) {
  auto events = matrix::ParseTransaction(R"({"events":[
    {"type":"m.room.message","room_id":"!r","sender":"@a:k","event_id":"$1",
     "content":{"msgtype":"m.text","body":"Avslå  saknar ansvarig"}},
    {"type":"m.reaction","room_id":"!r","sender":"@a:k","event_id":"$2",
     "content":{"m.relates_to":{"rel_type":"m.annotation","event_id":"$0","key":"\u2705"}}},
    {"type":"m.room.member","room_id":"!r","sender":"@a:k","event_id":"$3","state_key":"@bot:k",
     "content":{"membership":"invite"}},
    {"type":"m.room.message","room_id":"!r","sender":"@bot:k","event_id":"$4",
     "content":{"msgtype":"m.text","body":"hej"}}]})",
                                         "@bot:k");
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 4u);
  EXPECT_EQ((*events)[0].command, matrix::Event::Decision::kReject);
  EXPECT_EQ((*events)[0].reason, "saknar ansvarig");
  EXPECT_EQ((*events)[1].decision, matrix::Event::Decision::kApprove);
  EXPECT_EQ((*events)[1].reacts_to, "$0");
  EXPECT_EQ((*events)[2].kind, matrix::Event::Kind::kInvite);
  EXPECT_EQ((*events)[3].kind, matrix::Event::Kind::kIgnore);
}

TEST(MatrixEvents, KeycapReactionsAreNumberedChoices) {
  for (int n = 1; n <= matrix::kMaxKeycap; ++n)
    EXPECT_EQ(matrix::KeycapNumber(matrix::Keycap(n)), n);
  EXPECT_EQ(matrix::KeycapNumber("3\xE2\x83\xA3"), 3) << "without the variation selector";
  for (const char* other : {"", "3", "0\xEF\xB8\x8F\xE2\x83\xA3", "#\xEF\xB8\x8F\xE2\x83\xA3",
                            "\xE2\x9C\x85", "3\xEF\xB8\x8F", "33\xE2\x83\xA3"})
    EXPECT_EQ(matrix::KeycapNumber(other), 0) << other;
  auto events = matrix::ParseTransaction(R"({"events":[
    {"type":"m.reaction","room_id":"!r","sender":"@a:k","event_id":"$2",
     "content":{"m.relates_to":{"rel_type":"m.annotation","event_id":"$0","key":"2\ufe0f\u20e3"}}}]})",
                                         "@bot:k");
  ASSERT_TRUE(events);
  EXPECT_EQ((*events)[0].choice, 2);
  EXPECT_EQ((*events)[0].decision, matrix::Event::Decision::kNone);
}

TEST(MatrixEvents, FieldsOfTheWrongTypeReadAsAbsent) {
  // Bug: event fields read with nlohmann's value(), which throws on a field
  // of another JSON type ("type": 5, "content": "text", "m.relates_to":
  // [1]); the transaction was answered 500 and the homeserver retried it
  // forever, holding back every later event.
  auto events = matrix::ParseTransaction(R"({"events":[
    {"type":5,"room_id":"!r","sender":"@a:k","event_id":"$1","content":"text"},
    {"type":"m.reaction","room_id":"!r","sender":"@a:k","event_id":"$2",
     "content":{"m.relates_to":[1]}},
    {"type":"m.room.message","room_id":"!r","sender":"@a:k","event_id":"$3","content":"text"},
    {"type":"m.room.message","room_id":["!r"],"event_id":"$4"}, 3, null]})",
                                         "@bot:k");
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 4u);
  EXPECT_EQ((*events)[0].kind, matrix::Event::Kind::kIgnore);
  EXPECT_EQ((*events)[1].kind, matrix::Event::Kind::kReaction);
  EXPECT_EQ((*events)[1].decision, matrix::Event::Decision::kNone);
  EXPECT_EQ((*events)[2].kind, matrix::Event::Kind::kMessage);
  EXPECT_FALSE((*events)[2].text);
  EXPECT_EQ((*events)[3].kind, matrix::Event::Kind::kIgnore);
  EXPECT_FALSE(matrix::ParseTransaction(R"({"events":{}})", "@bot:k"));
}

TEST(WebChatRequests, ReadsTextsAndButtonsAndRefusesTheRest) {
  auto m = handlers::ParsePostedMessage(R"({"person":"p","text":"hej"})");
  EXPECT_EQ(m.error_code, "");
  EXPECT_EQ(m.text, "hej");
  m = handlers::ParsePostedMessage(R"({"person":"p","message_id":3,"action":{"id":"start"}})");
  EXPECT_EQ(m.error_code, "");
  EXPECT_TRUE(m.is_action);
  EXPECT_EQ(m.message_id, 3);
  EXPECT_EQ(handlers::ParsePostedMessage("{").error_code, "bad_json");
  EXPECT_FALSE(handlers::ParsePostedMessage("{").person);
  m = handlers::ParsePostedMessage(R"({"person":"p","text":"  "})");
  EXPECT_EQ(m.error_code, "bad_text");
  EXPECT_EQ(m.person, "p");
  EXPECT_EQ(handlers::ParsePostedMessage(R"({"person":"p","action":{"id":"x"}})").error_code,
            "bad_request");
  EXPECT_EQ(handlers::ParseMessageId("12"), 12);
  EXPECT_FALSE(handlers::ParseMessageId("-1"));
  EXPECT_FALSE(handlers::ParseMessageId("99999999999999999999"));
}

}  // namespace
}  // namespace kontobot
