// Strategy: the Graph API's request building and answer classification
// (handlers/meta/graph.h) as pure functions: one test per request shape
// and one per class of answer, with Graph's documented error objects
// (code, error_subcode, type) and HTTP statuses.
#include "handlers/meta/graph.h"

#include <gtest/gtest.h>

namespace kontobot::meta {
namespace {

std::string Error(int code, int subcode = 0, const std::string& message = "x") {
  std::string s = R"({"error":{"message":")" + message + R"(","type":"OAuthException","code":)" +
                  std::to_string(code);
  if (subcode != 0) s += R"(,"error_subcode":)" + std::to_string(subcode);
  return s + R"(,"fbtrace_id":"A1"}})";
}

TEST(GraphRequest, FacebookReplyPostsMessageToTheCommentsEdge) {
  auto r = BuildCommentRequest(CommentAction::kReply, "facebook", "123_456", "Hej & välkommen!",
                               "EAA tok");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->path, "/123_456/comments");
  EXPECT_EQ(r->body, "message=Hej%20%26%20v%C3%A4lkommen%21&access_token=EAA%20tok");
}

TEST(GraphRequest, InstagramReplyPostsToTheRepliesEdge) {
  auto r =
      BuildCommentRequest(CommentAction::kReply, "instagram", "17858893269000001", "Tack", "tok");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->path, "/17858893269000001/replies");
  EXPECT_EQ(r->body, "message=Tack&access_token=tok");
}

TEST(GraphRequest, HideUsesEachPlatformsField) {
  auto fb = BuildCommentRequest(CommentAction::kHide, "facebook", "123_456", "", "tok");
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->path, "/123_456");
  EXPECT_EQ(fb->body, "is_hidden=true&access_token=tok");
  auto ig = BuildCommentRequest(CommentAction::kHide, "instagram", "1785", "", "tok");
  ASSERT_TRUE(ig);
  EXPECT_EQ(ig->body, "hide=true&access_token=tok");
}

TEST(GraphRequest, RefusesWhatGraphCouldNotAccept) {
  EXPECT_FALSE(BuildCommentRequest(CommentAction::kReply, "facebook", "1_2", "", "tok"));
  EXPECT_FALSE(BuildCommentRequest(CommentAction::kReply, "facebook", "1_2", "x", ""));
  EXPECT_FALSE(BuildCommentRequest(CommentAction::kReply, "bluesky", "1_2", "x", "tok"));
  EXPECT_FALSE(BuildCommentRequest(CommentAction::kHide, "facebook", "../me", "", "tok"));
  EXPECT_FALSE(BuildCommentRequest(CommentAction::kHide, "facebook", "", "", "tok"));
}

TEST(GraphAnswer, SuccessIsDoneWithTheReplysId) {
  GraphOutcome o = ClassifyGraphAnswer(200, R"({"id":"123_456_789"})", "", std::nullopt);
  EXPECT_EQ(o.verdict, GraphVerdict::kDone);
  EXPECT_EQ(o.id, "123_456_789");
  EXPECT_EQ(ClassifyGraphAnswer(200, R"({"success":true})", "", std::nullopt).verdict,
            GraphVerdict::kDone);
}

TEST(GraphAnswer, NoAnswerAndServerErrorsAreRetriedAsUncertain) {
  GraphOutcome none = ClassifyGraphAnswer(0, "", "connection refused", std::nullopt);
  EXPECT_EQ(none.verdict, GraphVerdict::kRetry);
  EXPECT_TRUE(none.uncertain);
  GraphOutcome five = ClassifyGraphAnswer(500, Error(2), "", std::nullopt);
  EXPECT_EQ(five.verdict, GraphVerdict::kRetry);
  EXPECT_TRUE(five.uncertain);
  EXPECT_EQ(ClassifyGraphAnswer(503, "<html>", "", std::nullopt).verdict, GraphVerdict::kRetry);
}

TEST(GraphAnswer, TemporaryCodesAndRateLimitsAreRetriedHonouringRetryAfter) {
  for (int code : {1, 2, 4, 17, 32, 341, 613}) {
    GraphOutcome o = ClassifyGraphAnswer(400, Error(code), "", std::nullopt);
    EXPECT_EQ(o.verdict, GraphVerdict::kRetry) << code;
    EXPECT_FALSE(o.uncertain) << code;  // refused: not carried out
  }
  GraphOutcome o = ClassifyGraphAnswer(400, Error(613), "", std::string("7"));
  ASSERT_TRUE(o.retry_after);
  EXPECT_EQ(o.retry_after->count(), 7);
  EXPECT_EQ(ClassifyGraphAnswer(429, "", "", std::nullopt).verdict, GraphVerdict::kRetry);
}

TEST(GraphAnswer, OAuthException190IsAnExpiredToken) {
  GraphOutcome o = ClassifyGraphAnswer(400, Error(190, 463), "", std::nullopt);
  EXPECT_EQ(o.verdict, GraphVerdict::kTokenExpired);
  EXPECT_EQ(o.code, 190);
  EXPECT_EQ(o.subcode, 463);
  EXPECT_NE(o.error.find("OAuthException"), std::string::npos) << o.error;
}

TEST(GraphAnswer, Code100ForAMissingObjectIsGoneOtherwiseRefused) {
  EXPECT_EQ(ClassifyGraphAnswer(400, Error(100, 33), "", std::nullopt).verdict,
            GraphVerdict::kGone);
  EXPECT_EQ(ClassifyGraphAnswer(400, Error(100, 0, "Object with ID '1_2' does not exist"), "",
                                std::nullopt)
                .verdict,
            GraphVerdict::kGone);
  EXPECT_EQ(ClassifyGraphAnswer(400, Error(100, 0, "Invalid parameter"), "", std::nullopt).verdict,
            GraphVerdict::kRefused);
}

TEST(GraphAnswer, PermissionErrorsAreNotAllowed) {
  for (int code : {10, 200, 230, 299}) {
    EXPECT_EQ(ClassifyGraphAnswer(403, Error(code), "", std::nullopt).verdict,
              GraphVerdict::kNotAllowed)
        << code;
  }
  EXPECT_EQ(ClassifyGraphAnswer(400, Error(300), "", std::nullopt).verdict, GraphVerdict::kRefused);
  EXPECT_EQ(ClassifyGraphAnswer(400, "not json", "", std::nullopt).verdict, GraphVerdict::kRefused);
}

}  // namespace
}  // namespace kontobot::meta
