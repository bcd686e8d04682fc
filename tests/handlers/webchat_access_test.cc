// Strategy: WebChatAuthorities and WebChatRefusal are pure; feed them the
// Host, Origin, Sec-Fetch-Site and Content-Type headers browsers send for
// the web chat's own page and for the attacks of issue 14 (a page under a
// rebinding name, a page elsewhere posting text/plain). The end-to-end
// tests (tests/e2e/webchat_origin_test.cc) check the same over HTTP.
#include <gtest/gtest.h>

#include "handlers/webchat/webchat.h"

namespace kontobot::handlers {
namespace {

using Names = std::vector<std::string>;

Request Make(std::map<std::string, std::string> headers) {
  Request r;
  r.headers = std::move(headers);
  return r;
}

TEST(WebChatAuthorities, AreTheLoopbackNamesWithThePortAndThePublicHost) {
  EXPECT_EQ(WebChatAuthorities("127.0.0.1", 8080, ""),
            (Names{"localhost:8080", "127.0.0.1:8080", "[::1]:8080"}));
  EXPECT_EQ(WebChatAuthorities("127.0.0.2", 8080, ""),
            (Names{"localhost:8080", "127.0.0.1:8080", "[::1]:8080", "127.0.0.2:8080"}));
  // Browsers leave out port 80.
  EXPECT_EQ(WebChatAuthorities("::1", 80, "Kontobot.Kommun.Example"),
            (Names{"localhost:80", "localhost", "127.0.0.1:80", "127.0.0.1", "[::1]:80", "[::1]",
                   "kontobot.kommun.example"}));
}

TEST(WebChatRefusal, LetsTheOwnPageThrough) {
  auto own = WebChatAuthorities("127.0.0.1", 8080, "");
  EXPECT_EQ(WebChatRefusal(Make({{"host", "127.0.0.1:8080"},
                                 {"origin", "http://127.0.0.1:8080"},
                                 {"sec-fetch-site", "same-origin"},
                                 {"content-type", "Application/JSON ; charset=utf-8"}}),
                           WebChatAccess::kWrite, own),
            "");
  EXPECT_EQ(WebChatRefusal(Make({{"host", "LOCALHOST:8080"}}), WebChatAccess::kRead, own), "");
  // Typed into the address bar, or opened from a link on another site.
  EXPECT_EQ(WebChatRefusal(Make({{"host", "[::1]:8080"}, {"sec-fetch-site", "none"}}),
                           WebChatAccess::kRead, own),
            "");
  EXPECT_EQ(WebChatRefusal(Make({{"host", "localhost:8080"}, {"sec-fetch-site", "cross-site"}}),
                           WebChatAccess::kPage, own),
            "");
}

TEST(WebChatRefusal, RefusesOtherHostsOriginsAndBodies) {
  auto own = WebChatAuthorities("127.0.0.1", 8080, "");
  const auto page = WebChatAccess::kPage, read = WebChatAccess::kRead,
             write = WebChatAccess::kWrite;
  EXPECT_EQ(WebChatRefusal(Make({}), page, own), "forbidden_host");
  EXPECT_EQ(WebChatRefusal(Make({{"host", "rebind.example:8080"}}), page, own), "forbidden_host");
  EXPECT_EQ(WebChatRefusal(Make({{"host", "127.0.0.1:8081"}}), read, own), "forbidden_host");
  EXPECT_EQ(WebChatRefusal(Make({{"host", "127.0.0.1"}}), read, own), "forbidden_host");
  EXPECT_EQ(WebChatRefusal(Make({{"host", "127.0.0.1:8080, evil:8080"}}), read, own),
            "forbidden_host");
  for (const char* origin :
       {"http://evil.example", "null", "http://127.0.0.1:3000", "ftp://127.0.0.1:8080",
        "http://127.0.0.1:8080/", "http://127.0.0.1:8080.evil.example"}) {
    EXPECT_EQ(WebChatRefusal(Make({{"host", "127.0.0.1:8080"}, {"origin", origin}}), page, own),
              "forbidden_origin")
        << origin;
  }
  for (const char* site : {"cross-site", "same-site"}) {
    EXPECT_EQ(
        WebChatRefusal(Make({{"host", "127.0.0.1:8080"}, {"sec-fetch-site", site}}), read, own),
        "forbidden_origin")
        << site;
  }
  for (const char* type :
       {"", "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/jsonp", "application/json-seq"}) {
    EXPECT_EQ(
        WebChatRefusal(Make({{"host", "127.0.0.1:8080"}, {"content-type", type}}), write, own),
        "unsupported_media_type")
        << type;
  }
}

}  // namespace
}  // namespace kontobot::handlers
