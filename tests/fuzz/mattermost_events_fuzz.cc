// Fuzz target: one WebSocket message from a Mattermost server, read by
// ParseSocketEvent exactly as the adapter's socket reads it, and the same
// bytes as a GET channels/{id}/posts answer (ParsePostList, the catch-up
// after a reconnect). Checks: no crash, no UB, no leak, no exception
// escaping; a `posted` event always has a post with an id, a user and a
// channel; a post list is oldest first.
#include <string>

#include "handlers/mattermost/wire.h"
#include "tests/fuzz/fuzz_util.h"

using kontobot::mattermost::SocketEvent;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = kontobot::fuzz::AsString(data, size);
  SocketEvent e = kontobot::mattermost::ParseSocketEvent(text);
  if (e.kind == SocketEvent::Kind::kPosted) {
    FUZZ_CHECK(!e.post.id.empty() && !e.post.user_id.empty() && !e.post.channel_id.empty());
    (void)kontobot::mattermost::IsPersonsDirectMessage(e.post, e.channel_type, "bot");
  }
  std::vector<kontobot::mattermost::Post> posts = kontobot::mattermost::ParsePostList(text);
  for (size_t i = 1; i < posts.size(); ++i)
    FUZZ_CHECK(posts[i - 1].create_at <= posts[i].create_at);
  return 0;
}
