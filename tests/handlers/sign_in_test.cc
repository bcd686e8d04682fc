// Strategy: SignIn::Check and AddressRange are pure functions of a request
// (peer address and headers, as HttpServer builds them from cpprestsdk's)
// and the shipped directory. Feed them what a trusted proxy sends and each
// way of forging it: the header from an untrusted address (IPv4, IPv6, a
// dual-stack listener's mapped form), two copies as the listener folds
// them, a value naming nobody, an empty or oversized value. The end-to-end
// tests (tests/e2e/sign_in_test.cc) check the same through the real binary
// and a real nginx.
#include "handlers/sign_in.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "config/loaders.h"

namespace kontobot::handlers {
namespace {

using config::AddressRange;

TEST(AddressRange, MatchesAddressesAndCidrRangesOfBothFamilies) {
  auto one = AddressRange::Parse("127.0.0.1");
  ASSERT_TRUE(one);
  EXPECT_TRUE(one->Contains("127.0.0.1"));
  EXPECT_FALSE(one->Contains("127.0.0.2"));
  // A dual-stack listener reports an IPv4 peer as a mapped IPv6 address.
  EXPECT_TRUE(one->Contains("::ffff:127.0.0.1"));
  EXPECT_FALSE(one->Contains("::1"));
  EXPECT_FALSE(one->Contains(""));
  EXPECT_FALSE(one->Contains("localhost"));

  auto net = AddressRange::Parse("10.1.2.0/23");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->Contains("10.1.2.200"));
  EXPECT_TRUE(net->Contains("10.1.3.1"));
  EXPECT_FALSE(net->Contains("10.1.4.1"));
  EXPECT_FALSE(net->Contains("10.1.1.255"));

  auto v6 = AddressRange::Parse("2001:db8:ab00::/40");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->Contains("2001:db8:abff::1"));
  EXPECT_FALSE(v6->Contains("2001:db8:ac00::1"));
  EXPECT_FALSE(v6->Contains("10.1.2.3"));
  auto loop6 = AddressRange::Parse("::1");
  ASSERT_TRUE(loop6);
  EXPECT_TRUE(loop6->Contains("::1"));
  EXPECT_FALSE(loop6->Contains("127.0.0.1"));

  for (const char* bad : {"", "*", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1",
                          "10.0.0.0/8/8", "300.1.1.1", "proxy.example", "::ffff:10.0.0.1"}) {
    EXPECT_FALSE(AddressRange::Parse(bad)) << bad;
  }
  std::string bad;
  auto list = config::ParseAddressRanges("127.0.0.1, ::1  10.0.0.0/8,", bad);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 3u);
  EXPECT_FALSE(config::ParseAddressRanges("127.0.0.1,nope", bad));
  EXPECT_EQ(bad, "nope");
}

class SignInCheck : public ::testing::Test {
 protected:
  SignInCheck()
      : directory_(
            config::LoadDirectoryFile(std::string(KONTOBOT_SOURCE_DIR) + "/config/directory.yaml")
                .directory),
        log_(std::make_shared<spdlog::logger>(
            "sign_in", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text_))),
        sign_in_("X-Remote-User",
                 {*AddressRange::Parse("127.0.0.1"), *AddressRange::Parse("fd00::/8")}, directory_,
                 log_) {}

  static Request From(const std::string& remote, std::map<std::string, std::string> headers) {
    Request r;
    r.method = "GET";
    r.path = "/api/session";
    r.remote = remote;
    r.headers = std::move(headers);
    return r;
  }

  std::ostringstream log_text_;
  Directory directory_;
  std::shared_ptr<spdlog::logger> log_;
  SignIn sign_in_;
};

TEST_F(SignInCheck, SignsInOneCopyFromATrustedProxyById) {
  ASSERT_TRUE(sign_in_.enabled());
  auto r = sign_in_.Check(From("127.0.0.1", {{"x-remote-user", "gis-anna"}}));
  ASSERT_NE(r.person, nullptr) << r.refusal;
  EXPECT_EQ(r.person->id, "gis-anna");
  EXPECT_EQ(r.refusal, "");
  // Case-insensitive, and from an IPv6 proxy in range.
  r = sign_in_.Check(From("fd12::5", {{"x-remote-user", "GIS-Anna"}}));
  ASSERT_NE(r.person, nullptr) << r.refusal;
  EXPECT_EQ(r.person->id, "gis-anna");
  EXPECT_EQ(log_text_.str(), "");
}

TEST_F(SignInCheck, SignsInByEmailCaseInsensitively) {
  const Person* anna = directory_.Find("gis-anna");
  ASSERT_NE(anna, nullptr);
  ASSERT_FALSE(anna->email.empty());
  std::string upper = anna->email;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto r = sign_in_.Check(From("::ffff:127.0.0.1", {{"x-remote-user", upper}}));
  ASSERT_NE(r.person, nullptr) << r.refusal;
  EXPECT_EQ(r.person->id, "gis-anna");
}

TEST_F(SignInCheck, RefusesEveryOtherRequestAndLogsWhy) {
  struct Case {
    std::string remote;
    std::map<std::string, std::string> headers;
    std::string refusal;
  };
  const std::vector<Case> cases{
      // Straight to kontobot, past the proxy.
      {"192.0.2.7", {{"x-remote-user", "gis-anna"}}, "untrusted_peer"},
      {"127.0.0.2", {{"x-remote-user", "gis-anna"}}, "untrusted_peer"},
      {"fe80::1", {{"x-remote-user", "gis-anna"}}, "untrusted_peer"},
      {"", {{"x-remote-user", "gis-anna"}}, "untrusted_peer"},
      {"192.0.2.7", {}, "untrusted_peer"},
      // Through the proxy but not signed in.
      {"127.0.0.1", {}, "no_identity"},
      // Two copies, as cpprestsdk's listener folds them: the client's and
      // the proxy's, in either order.
      {"127.0.0.1", {{"x-remote-user", "gis-admin, gis-anna"}}, "several_identities"},
      {"127.0.0.1", {{"x-remote-user", "gis-anna,gis-anna"}}, "several_identities"},
      {"127.0.0.1", {{"x-remote-user", ""}}, "bad_identity"},
      {"127.0.0.1", {{"x-remote-user", "gis anna"}}, "bad_identity"},
      {"127.0.0.1", {{"x-remote-user", "gis-anna\x7f"}}, "bad_identity"},
      {"127.0.0.1", {{"x-remote-user", std::string(255, 'a')}}, "bad_identity"},
      {"127.0.0.1", {{"x-remote-user", "nobody@example.org"}}, "unknown_identity"},
      // Another header, even one a CGI-style stack would alias.
      {"127.0.0.1", {{"x_remote_user", "gis-anna"}}, "no_identity"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.remote + " " + (c.headers.empty() ? "" : c.headers.begin()->second));
    log_text_.str("");
    auto r = sign_in_.Check(From(c.remote, c.headers));
    EXPECT_EQ(r.person, nullptr);
    EXPECT_EQ(r.refusal, c.refusal);
    EXPECT_NE(log_text_.str().find("sign-in refused (" + c.refusal + ")"), std::string::npos)
        << log_text_.str();
  }
  // Only a value known to be one plain token is written to the log.
  log_text_.str("");
  sign_in_.Check(From("192.0.2.7", {{"x-remote-user", "evil\r\nforged log line"}}));
  EXPECT_EQ(log_text_.str().find("forged"), std::string::npos) << log_text_.str();
  log_text_.str("");
  sign_in_.Check(From("127.0.0.1", {{"x-remote-user", "nobody@example.org"}}));
  EXPECT_NE(log_text_.str().find("nobody@example.org"), std::string::npos) << log_text_.str();
}

TEST(SignIn, IsOffWithoutAHeader) {
  Directory directory;
  SignIn off("", {}, directory, std::make_shared<spdlog::logger>("off"));
  EXPECT_FALSE(off.enabled());
}

}  // namespace
}  // namespace kontobot::handlers
