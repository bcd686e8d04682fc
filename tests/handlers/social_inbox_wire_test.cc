// Strategy: the signatures are pinned by known answers (the Standard
// Webhooks test vector from PROTOCOLS.md §16; a Meta signature computed
// independently with `openssl dgst`), then every way a request can be
// wrong is refused; the parsers are fed recorded-shape deliveries, several
// changes in one POST, and the things Meta adds without notice.
#include <gtest/gtest.h>

#include "handlers/inbox/wire.h"
#include "handlers/meta/wire.h"

namespace kontobot {
namespace {

// --- Meta ---------------------------------------------------------------

const std::string kAppSecret = "meta-app-secret";
const std::string kMetaBody = R"({"object":"page","entry":[]})";
// printf '%s' '{"object":"page","entry":[]}' | openssl dgst -sha256 -hmac meta-app-secret
const std::string kMetaSignature =
    "sha256=5dcb51eb590634700c8d9cc1fde4d2d5981ca7bb83f250eb3fb71bfd849057ed";

TEST(MetaSignature, AcceptsTheAppSecretsSignatureOnly) {
  const std::string good = meta::Sign(kAppSecret, kMetaBody);
  EXPECT_TRUE(meta::Verify(kAppSecret, good, kMetaBody));
  std::string upper = good;
  for (size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(toupper(upper[i]));
  EXPECT_TRUE(meta::Verify(kAppSecret, upper, kMetaBody));
  EXPECT_FALSE(meta::Verify(kAppSecret, good, kMetaBody + " "));
  EXPECT_FALSE(meta::Verify("other", good, kMetaBody));
  EXPECT_FALSE(meta::Verify(kAppSecret, "", kMetaBody));
  EXPECT_FALSE(meta::Verify(kAppSecret, "sha1=" + good.substr(7), kMetaBody));
  EXPECT_FALSE(meta::Verify("", meta::Sign("", kMetaBody), kMetaBody));
}

TEST(MetaSignature, MatchesAnIndependentComputation) {
  EXPECT_EQ(meta::Sign(kAppSecret, kMetaBody), kMetaSignature);
}

TEST(MetaHandshake, AnswersTheChallengeForTheRightTokenOnly) {
  std::map<std::string, std::string> q{
      {"hub.mode", "subscribe"}, {"hub.verify_token", "tok"}, {"hub.challenge", "1158201444"}};
  EXPECT_EQ(meta::Handshake(q, "tok"), "1158201444");
  EXPECT_EQ(meta::Handshake(q, "other"), "");
  EXPECT_EQ(meta::Handshake(q, ""), "");
  q["hub.mode"] = "unsubscribe";
  EXPECT_EQ(meta::Handshake(q, "tok"), "");
}

TEST(MetaParse, TakesEveryCommentOfEveryEntryAndSkipsTheRest) {
  const std::string body = R"({"object":"page","entry":[
    {"id":"111","time":1775000100,"changes":[
      {"field":"feed","value":{"item":"comment","verb":"add","comment_id":"222_1","post_id":"111_222",
        "parent_id":"111_222","from":{"id":"9","name":"Anna"},"message":"Hej!","created_time":1775000000,
        "brand_new_member":{"x":1}}},
      {"field":"feed","value":{"item":"reaction","verb":"add","reaction_type":"like"}},
      {"field":"feed","value":{"item":"comment","verb":"explode","comment_id":"222_2"}},
      {"field":"feed","value":{"item":"comment","verb":"hide","comment_id":"222_3","created_time":"1775000050"}}]},
    {"id":"111","time":1775000200,"messaging":[{"message":{"text":"dm"}}]}]})";
  meta::Delivery d = meta::Parse(body);
  ASSERT_TRUE(d.valid) << d.error;
  ASSERT_EQ(d.items.size(), 2u);
  EXPECT_EQ(d.skipped, 3);
  const InboxItem& a = d.items[0];
  EXPECT_EQ(a.source, "facebook");
  EXPECT_EQ(a.page_id, "111");
  EXPECT_EQ(a.external_id, "222_1");
  EXPECT_EQ(a.thread_id, "111_222");
  EXPECT_EQ(a.author_name, "Anna");
  EXPECT_EQ(a.text, "Hej!");
  EXPECT_EQ(a.verb, InboxVerb::kAdd);
  EXPECT_EQ(a.created_at, 1775000000);
  EXPECT_EQ(a.dedupe_key, "page:111:feed:222_1:add:1775000000");
  EXPECT_EQ(d.items[1].verb, InboxVerb::kHide);
  EXPECT_EQ(d.items[1].created_at, 1775000050);
}

TEST(MetaParse, TakesInstagramComments) {
  const std::string body = R"({"object":"instagram","entry":[{"id":"17841400000","time":1775000300,
    "changes":[{"field":"comments","value":{"id":"1790000","text":"Fin bild","from":{"id":"77",
    "username":"kalle"},"media":{"id":"1800","media_product_type":"FEED"}}},
    {"field":"live_comments","value":{"id":"x"}}]}]})";
  meta::Delivery d = meta::Parse(body);
  ASSERT_TRUE(d.valid);
  ASSERT_EQ(d.items.size(), 1u);
  EXPECT_EQ(d.skipped, 1);
  EXPECT_EQ(d.items[0].source, "instagram");
  EXPECT_EQ(d.items[0].author_name, "kalle");
  EXPECT_EQ(d.items[0].thread_id, "1800");
  EXPECT_EQ(d.items[0].created_at, 1775000300);
}

TEST(MetaParse, RefusesWhatIsNotMetasEnvelope) {
  for (const char* body : {"", "{", R"({"object":"page","entry":[)", "[]", R"({"object":"user"})",
                           R"({"object":"page","entry":{}})", "null"}) {
    meta::Delivery d = meta::Parse(body);
    EXPECT_FALSE(d.valid) << body;
    EXPECT_TRUE(d.items.empty());
  }
}

// --- Standard Webhooks ----------------------------------------------------

const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const std::string kTs = "1614265330";
const std::string kBody = R"({"test": 2432232314})";
const std::string kVector = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(StandardWebhooks, MatchesThePublishedTestVector) {
  auto key = inbox::SecretKey(kSecret);
  ASSERT_TRUE(key);
  EXPECT_EQ(inbox::Sign(*key, kId, kTs, kBody), kVector);
  EXPECT_EQ(inbox::Verify(*key, kId, kTs, kVector, kBody, 1614265330),
            inbox::SignatureCheck::kValid);
}

TEST(StandardWebhooks, AcceptsAnyListedV1Signature) {
  auto key = *inbox::SecretKey(kSecret);
  EXPECT_EQ(inbox::Verify(key, kId, kTs, "v1,Zm9v v1a,abc " + kVector, kBody, 1614265330),
            inbox::SignatureCheck::kValid);
  EXPECT_EQ(inbox::Verify(key, kId, kTs, "v2," + kVector.substr(3), kBody, 1614265330),
            inbox::SignatureCheck::kMismatch);
}

TEST(StandardWebhooks, RefusesForgedStaleAndMissing) {
  auto key = *inbox::SecretKey(kSecret);
  const int64_t now = 1614265330;
  using inbox::SignatureCheck;
  EXPECT_EQ(inbox::Verify(key, kId, kTs, kVector, kBody + " ", now), SignatureCheck::kMismatch);
  EXPECT_EQ(inbox::Verify(key, "msg_other", kTs, kVector, kBody, now), SignatureCheck::kMismatch);
  EXPECT_EQ(inbox::Verify(key, kId, kTs, kVector, kBody, now + 301), SignatureCheck::kStale);
  EXPECT_EQ(inbox::Verify(key, kId, kTs, kVector, kBody, now - 301), SignatureCheck::kStale);
  EXPECT_EQ(inbox::Verify(key, kId, kTs, kVector, kBody, now + 300), SignatureCheck::kValid);
  EXPECT_EQ(inbox::Verify(key, kId, "", kVector, kBody, now), SignatureCheck::kMissing);
  EXPECT_EQ(inbox::Verify(key, "", kTs, kVector, kBody, now), SignatureCheck::kMissing);
  EXPECT_EQ(inbox::Verify(key, kId, kTs, "", kBody, now), SignatureCheck::kMissing);
  EXPECT_EQ(inbox::Verify(key, kId, "16142x", kVector, kBody, now), SignatureCheck::kMismatch);
  EXPECT_EQ(inbox::Verify(key, kId, "-9223372036854775808", kVector, kBody, now),
            SignatureCheck::kStale);
  EXPECT_FALSE(inbox::SecretKey("whsec_not base64!"));
}

TEST(StandardWebhooks, ParsesTheInboxEventAndSkipsOtherTypes) {
  const std::string body = R"({"type":"inbox.item.created","timestamp":"2026-05-04T09:12:00Z",
    "data":{"source":"bluesky","account_ref":"did:plc:abc","external_id":"at://x/1",
    "thread_external_id":"at://x/0","kind":"mention","author":{"id":"did:plc:u","display":"Eva"},
    "text":"Hej","html":null,"received_at":"2026-05-04T09:11:58Z","permalink":"https://b/1",
    "attachments":[],"raw":{},"future":true}})";
  inbox::Event e = inbox::Parse(body, "msg_1");
  ASSERT_EQ(e.kind, inbox::Event::Kind::kItem) << e.error;
  EXPECT_EQ(e.item.source, "bluesky");
  EXPECT_EQ(e.item.page_id, "did:plc:abc");
  EXPECT_EQ(e.item.kind, "mention");
  EXPECT_EQ(e.item.author_name, "Eva");
  EXPECT_EQ(e.item.created_at, 1777885918);
  EXPECT_EQ(e.item.dedupe_key, "msg_1");
  EXPECT_EQ(inbox::Parse(R"({"type":"inbox.item.deleted","data":{}})", "m").kind,
            inbox::Event::Kind::kSkip);
  for (const char* bad : {"", "{", "[]", R"({"data":{}})", R"({"type":"inbox.item.created"})",
                          R"({"type":"inbox.item.created","data":{"source":"x"}})"})
    EXPECT_EQ(inbox::Parse(bad, "m").kind, inbox::Event::Kind::kInvalid) << bad;
}

}  // namespace
}  // namespace kontobot
