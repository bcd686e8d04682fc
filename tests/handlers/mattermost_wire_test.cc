// Strategy: Mattermost's wire formats (handlers/mattermost/wire.h) fed the
// payloads PROTOCOLS.md §9–§12 documents (the `posted` event with its post
// as JSON text, the PostActionIntegrationRequest, the dialog submission, the
// slash command form) and then malformed ones: a field of the wrong type
// reads as absent, nothing throws. The signed button context is checked
// against forgery, expiry and a replay into another channel; posts are
// built within the server's limits with their buttons signed.
#include <gtest/gtest.h>

#include "handlers/mattermost/wire.h"

namespace kontobot::mattermost {
namespace {

TEST(MattermostWire, ReadsAPostedEventWhosePostIsJsonInsideJson) {
  nlohmann::json post{{"id", "p1"},
                      {"user_id", "u1"},
                      {"channel_id", "c1"},
                      {"message", "hej"},
                      {"type", ""},
                      {"create_at", 1700000000123},
                      {"update_at", 1700000000123}};
  nlohmann::json event{{"event", "posted"},
                       {"data", {{"channel_type", "D"}, {"post", post.dump()}}},
                       {"broadcast", {{"channel_id", "c1"}}},
                       {"seq", 7}};
  SocketEvent e = ParseSocketEvent(event.dump());
  ASSERT_EQ(e.kind, SocketEvent::Kind::kPosted);
  EXPECT_EQ(e.seq, 7);
  EXPECT_EQ(e.channel_type, "D");
  EXPECT_EQ(e.post.id, "p1");
  EXPECT_EQ(e.post.message, "hej");
  EXPECT_EQ(e.post.create_at, 1700000000123);
  EXPECT_TRUE(IsPersonsDirectMessage(e.post, e.channel_type, "bot"));
  EXPECT_FALSE(IsPersonsDirectMessage(e.post, e.channel_type, "u1")) << "our own post";
  EXPECT_FALSE(IsPersonsDirectMessage(e.post, "O", "bot")) << "a public channel";
}

TEST(MattermostWire, ReadsHelloAndTheChallengesReply) {
  EXPECT_EQ(ParseSocketEvent(R"({"event":"hello","data":{"server_version":"9"},"seq":0})").kind,
            SocketEvent::Kind::kHello);
  SocketEvent r = ParseSocketEvent(R"({"status":"OK","seq_reply":1})");
  EXPECT_EQ(r.kind, SocketEvent::Kind::kReply);
  EXPECT_EQ(r.status, "OK");
  EXPECT_EQ(r.seq_reply, 1);
  EXPECT_EQ(ParseSocketEvent(R"({"event":"typing","data":{},"seq":3})").kind,
            SocketEvent::Kind::kOther);
}

TEST(MattermostWire, MalformedFramesReadAsInvalidWithoutThrowing) {
  for (const char* text :
       {"", "not json", "[1,2]", "42", R"({"event":42})", R"({"event":"posted","data":7})",
        R"({"event":"posted","data":{"post":"{\"id\":"}})",
        R"({"event":"posted","data":{"post":{"id":"x","user_id":"u","channel_id":"c"}}})",
        R"({"event":"posted","data":{"post":"{\"id\":1,\"user_id\":\"u\",\"channel_id\":\"c\"}"}})",
        R"({"event":"posted","data":{"post":"[]"}})",
        "{\"event\":\"posted\",\"data\":{\"post\":\"\xff\"}}"}) {
    EXPECT_EQ(ParseSocketEvent(text).kind, SocketEvent::Kind::kInvalid) << text;
  }
}

TEST(MattermostWire, ReadsAPostListOldestFirst) {
  std::string body = R"({"order":["b","a","gone",7],"posts":{
    "a":{"id":"a","user_id":"u","channel_id":"c","message":"first","create_at":1},
    "b":{"id":"b","user_id":"u","channel_id":"c","message":"second","create_at":2}}})";
  std::vector<Post> posts = ParsePostList(body);
  ASSERT_EQ(posts.size(), 2U);
  EXPECT_EQ(posts[0].message, "first");
  EXPECT_EQ(posts[1].message, "second");
  EXPECT_TRUE(ParsePostList("{").empty());
  EXPECT_TRUE(ParsePostList(R"({"order":{},"posts":[]})").empty());
}

TEST(MattermostWire, FindsTheBotsDirectChannelsInItsChannelList) {
  // As GET users/{id}/channels answers (api/v4/source/channels.yaml's Channel).
  nlohmann::json list = nlohmann::json::parse(R"([
    {"id":"dm1","type":"D","name":"annaid__botid","team_id":"","delete_at":0,"last_post_at":5},
    {"id":"town","type":"O","name":"town-square","team_id":"team1","delete_at":0},
    {"id":"priv","type":"P","name":"secret","team_id":"team1","delete_at":0},
    {"id":"group","type":"G","name":"abc","team_id":"","delete_at":0},
    {"id":"self","type":"D","name":"botid__botid","team_id":"","delete_at":0},
    {"id":"gone","type":"D","name":"botid__perid","team_id":"","delete_at":17},
    {"type":"D","name":"noid"},
    "not a channel",
    {"id":"dm2","type":"D","name":"botid__kimid"}])");
  EXPECT_EQ(DirectChannelIds(list, "botid"), (std::vector<std::string>{"dm1", "dm2"}));
  EXPECT_TRUE(DirectChannelIds(nlohmann::json::object(), "botid").empty());
  EXPECT_TRUE(DirectChannelIds(nullptr, "botid").empty());
}

TEST(MattermostWire, ReadsAnActionRequestAndRefusesOneWithoutItsIds) {
  ActionRequest a =
      ParseActionRequest(R"({"user_id":"u1","user_name":"anna","channel_id":"c1","post_id":"p1",)"
                         R"("trigger_id":"t1","type":"button","context":{"a":"approve"}})");
  ASSERT_TRUE(a.valid);
  EXPECT_EQ(a.user_id, "u1");
  EXPECT_EQ(a.trigger_id, "t1");
  EXPECT_EQ(a.context["a"], "approve");
  EXPECT_FALSE(ParseActionRequest(R"({"user_id":"u1"})").valid);
  EXPECT_FALSE(ParseActionRequest(R"({"user_id":7,"channel_id":"c","post_id":"p"})").valid);
  EXPECT_FALSE(ParseActionRequest("[]").valid);
  ActionRequest no_context =
      ParseActionRequest(R"({"user_id":"u","channel_id":"c","post_id":"p","context":"x"})");
  ASSERT_TRUE(no_context.valid);
  EXPECT_TRUE(no_context.context.empty());
}

TEST(MattermostWire, ReadsADialogSubmissionAndACancel) {
  DialogSubmission d = ParseDialogSubmission(
      R"({"type":"dialog_submission","callback_id":"reject","state":"s","user_id":"u",)"
      R"("channel_id":"c","team_id":"","submission":{"reason":"fel"},"cancelled":false})");
  ASSERT_TRUE(d.valid);
  EXPECT_EQ(d.submission["reason"], "fel");
  EXPECT_FALSE(d.cancelled);
  d = ParseDialogSubmission(
      R"({"type":"dialog_submission","state":"s","user_id":"u","cancelled":true})");
  ASSERT_TRUE(d.valid);
  EXPECT_TRUE(d.cancelled);
  EXPECT_FALSE(ParseDialogSubmission(R"({"type":"other","state":"s","user_id":"u"})").valid);
}

TEST(MattermostWire, SlashTokenIsAcceptedAsTokenOrBearerAndNothingElse) {
  EXPECT_TRUE(SlashTokenMatches("Token abc", "abc", "abc"));
  EXPECT_TRUE(SlashTokenMatches("Bearer abc", "", "abc"));
  EXPECT_FALSE(SlashTokenMatches("Token abd", "abc", "abc"));
  EXPECT_FALSE(SlashTokenMatches("Token abc", "abd", "abc")) << "the field must agree";
  EXPECT_FALSE(SlashTokenMatches("abc", "abc", "abc"));
  EXPECT_FALSE(SlashTokenMatches("", "abc", "abc"));
  EXPECT_FALSE(SlashTokenMatches("Token ", "", "")) << "no token configured";
  SlashCommand s = ParseSlashCommand(
      "channel_id=c1&command=%2Fkontobot&text=ny+registrering&token=abc&trigger_id=t&user_id=u1");
  ASSERT_TRUE(s.valid);
  EXPECT_EQ(s.text, "ny registrering");
  EXPECT_EQ(s.token, "abc");
  EXPECT_FALSE(ParseSlashCommand("text=x").valid);
}

TEST(MattermostWire, SignedContextIsRefusedForgedExpiredOrReplayedInAnotherChannel) {
  ButtonContext c{"chan1", 42, "m4rker", "approve", "task:7", 1000};
  nlohmann::json signed_context = SignContext(c, "secret");
  ButtonContext out;
  EXPECT_EQ(CheckContext(signed_context, "secret", "chan1", 999, out), ContextCheck::kValid);
  EXPECT_EQ(out.message_id, 42);
  EXPECT_EQ(out.value, "task:7");
  EXPECT_EQ(CheckContext(signed_context, "other", "chan1", 999, out), ContextCheck::kForged);
  EXPECT_EQ(CheckContext(signed_context, "secret", "chan1", 1001, out), ContextCheck::kExpired);
  EXPECT_EQ(CheckContext(signed_context, "secret", "chan2", 999, out), ContextCheck::kWrongChannel);
  for (const char* field : {"c", "m", "k", "a", "v", "e"}) {
    nlohmann::json forged = signed_context;
    forged[field] = forged[field].is_string() ? nlohmann::json("x") : nlohmann::json(43);
    EXPECT_EQ(CheckContext(forged, "secret", "chan1", 999, out), ContextCheck::kForged) << field;
  }
  nlohmann::json missing = signed_context;
  missing.erase("s");
  EXPECT_EQ(CheckContext(missing, "secret", "chan1", 999, out), ContextCheck::kMalformed);
  EXPECT_EQ(CheckContext("x", "secret", "chan1", 999, out), ContextCheck::kMalformed);
  std::string state = SignState(c, "secret");
  EXPECT_EQ(CheckState(state, "secret", "chan1", 999, out), ContextCheck::kValid);
  EXPECT_EQ(CheckState(state + "x", "secret", "chan1", 999, out), ContextCheck::kMalformed);
}

TEST(MattermostWire, EscapesMarkdownAndMentionsButKeepsOurBold) {
  EXPECT_EQ(EscapeMarkdown("*Ansökan 12* är klar"), "**Ansökan 12** är klar");
  EXPECT_EQ(EscapeMarkdown("se [här](http://x) _a_ `b` ~c~ <d> #e |f"),
            "se \\[här\\](http://x) \\_a\\_ \\`b\\` \\~c\\~ \\<d\\> \\#e \\|f");
  EXPECT_EQ(EscapeMarkdown("hej @channel och anna@kommun.se"),
            "hej @\u200dchannel och anna@kommun.se");
  EXPECT_EQ(EscapeMarkdown("- a\n1. b\n+ c"), "\\- a\n1\\. b\n\\+ c");
  EXPECT_EQ(EscapeMarkdown("*open"), "**open**");
}

TEST(MattermostWire, SplitsLongTextBetweenCharactersNeverInsideOne) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "åäö ";
  std::vector<std::string> parts = SplitText(text, 1000);
  ASSERT_GT(parts.size(), 10U);
  std::string joined;
  for (const std::string& p : parts) {
    EXPECT_LE(p.size(), 1000U);
    EXPECT_EQ(Utf8Prefix(p, p.size()).size(), p.size()) << "ends inside a character";
    joined += p + " ";
  }
  EXPECT_EQ(joined, text);
  EXPECT_EQ(SplitText("kort", 1000), std::vector<std::string>{"kort"});
  EXPECT_TRUE(SplitText(" \n ", 1000).empty());
  std::vector<std::string> no_spaces = SplitText(std::string(2500, 'a'), 1000);
  EXPECT_EQ(no_spaces.size(), 3U);
}

TEST(MattermostWire, BuildsPostsWithSignedButtonsOnTheLastAndADeduplicationKey) {
  store::StoredMessage m;
  m.id = 42;
  m.marker = "abc";
  m.text = std::string(3000, 'x') + "\n" + std::string(3000, 'y');
  m.buttons = {{"approve", "task:7", "Godkänn", "primary"},
               {"reject", "task:7", "Avslå", "danger"}};
  std::vector<nlohmann::json> posts =
      PostBodies(m, "chan1", "https://kb.example/mattermost/actions", "secret", 5000, "kb-1", 4000);
  ASSERT_EQ(posts.size(), 2U);
  EXPECT_EQ(posts[0]["pending_post_id"], "kb-1:0");
  EXPECT_FALSE(posts[0]["props"].contains("attachments"));
  EXPECT_EQ(posts[1]["pending_post_id"], "kb-1");
  EXPECT_EQ(posts[1]["props"]["kb"], "kb-1");
  const nlohmann::json& actions = posts[1]["props"]["attachments"][0]["actions"];
  ASSERT_EQ(actions.size(), 2U);
  EXPECT_EQ(actions[0]["name"], "Godkänn");
  EXPECT_EQ(actions[1]["style"], "danger");
  EXPECT_EQ(actions[0]["integration"]["url"], "https://kb.example/mattermost/actions");
  ButtonContext out;
  ASSERT_EQ(CheckContext(actions[1]["integration"]["context"], "secret", "chan1", 4000, out),
            ContextCheck::kValid);
  EXPECT_EQ(out.action, "reject");
  EXPECT_EQ(out.message_id, 42);
  EXPECT_EQ(out.marker, "abc");
  m.buttons.clear();
  nlohmann::json patch = PatchBody(m, "chan1", "u", "s", 1, 100);
  EXPECT_TRUE(patch["props"]["attachments"].empty()) << "no live buttons remain";
  EXPECT_LE(patch["message"].get<std::string>().size(), 100U);
  EXPECT_NE(PendingPostId(1, m), PendingPostId(2, m));
}

}  // namespace
}  // namespace kontobot::mattermost
