// Mattermost's wire formats, read and written by pure functions, so that
// the adapter, the unit tests (tests/handlers/mattermost_wire_test.cc) and
// the fuzz targets (tests/fuzz/mattermost_*_fuzz.cc) run the same code.
// Facts and sources: ../shared/PROTOCOLS.md §9–§13.
//
// Reading: every field is read defensively (handlers/json_fields.h): a
// field of the wrong JSON type reads as absent, never as an exception, and
// a message that is not what it should be is kInvalid, never a throw.
//
// Buttons: Mattermost signs nothing it sends (§12). Each button's
// integration `context` therefore carries what the press means (our
// message id and marker, the action and value), the channel it was posted
// in and an expiry, with an HMAC-SHA256 over all of them under a secret of
// kontobot's (--mattermost-action-secret); CheckContext verifies it in
// constant time before anything in it is believed, and the request's
// channel must be the signed one (a valid context replayed from another
// channel is refused). Whose press it was is the request's user_id, which
// the server sets from the session of the person who clicked.
//
// Thread-safety: free functions without shared state.
#ifndef KONTOBOT_HANDLERS_MATTERMOST_WIRE_H_
#define KONTOBOT_HANDLERS_MATTERMOST_WIRE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace kontobot::mattermost {

// A post as REST answers and `posted` events carry it.
struct Post {
  std::string id;
  std::string user_id;
  std::string channel_id;
  std::string root_id;
  std::string message;
  std::string type;  // "" for a person's post; "system_…" for the server's
  int64_t create_at = 0;
  int64_t update_at = 0;
  // The post object as the server sent it (JSON), for the record.
  std::string original;
};

// `post` (an object) as a Post; nullopt without an id, a user or a channel.
std::optional<Post> ParsePost(const nlohmann::json& post);

// One WebSocket message from the server.
struct SocketEvent {
  enum class Kind {
    kInvalid,  // not JSON, or neither an event nor a reply
    kReply,    // an answer to one of our actions (status, seq_reply)
    kHello,    // sent once authenticated
    kPosted,   // a new post: `post` and `channel_type`
    kOther,    // another event: ignored
  };
  Kind kind = Kind::kInvalid;
  std::string event;
  int64_t seq = -1;        // the event's number on this connection
  std::string status;      // kReply: "OK" or "FAIL"
  int64_t seq_reply = -1;  // kReply
  std::string channel_type;
  Post post;  // kPosted: data.post, which is JSON text inside the JSON
};
SocketEvent ParseSocketEvent(std::string_view text);

// The posts of a GET channels/{id}/posts answer ({order, posts}), oldest
// first; those that cannot be read are left out.
std::vector<Post> ParsePostList(std::string_view body);

// The direct channels (type "D") in the answer of GET users/{id}/channels
// (§10: a list of channel objects): every DM the bot is in, whoever opened
// it; not deleted ones, nor the bot's DM with itself (named
// "<bot>__<bot>"). Anything that cannot be read is left out.
std::vector<std::string> DirectChannelIds(const nlohmann::json& channels,
                                          const std::string& bot_user_id);

// A person's post in a DM to us that kontobot must answer: not ours, not a
// system message, not a reply in a thread of a channel.
bool IsPersonsDirectMessage(const Post& post, const std::string& channel_type,
                            const std::string& bot_user_id);

// A button press: Mattermost's PostActionIntegrationRequest (§11).
struct ActionRequest {
  bool valid = false;
  std::string error;
  std::string user_id;
  std::string user_name;
  std::string channel_id;
  std::string post_id;
  std::string trigger_id;
  nlohmann::json context = nlohmann::json::object();
};
ActionRequest ParseActionRequest(std::string_view body);

// An interactive dialog's submission (§11).
struct DialogSubmission {
  bool valid = false;
  std::string error;
  std::string user_id;
  std::string channel_id;
  std::string callback_id;
  std::string state;
  bool cancelled = false;
  nlohmann::json submission = nlohmann::json::object();  // name -> value
};
DialogSubmission ParseDialogSubmission(std::string_view body);

// A slash command (§10): a form-encoded POST.
struct SlashCommand {
  bool valid = false;
  std::string error;
  std::string token;  // the form's token field
  std::string user_id;
  std::string channel_id;
  std::string command;
  std::string text;
  std::string trigger_id;
};
SlashCommand ParseSlashCommand(std::string_view form);

// True if the slash command's token is ours: the Authorization header as
// "Token <t>" (what the server sends) or "Bearer <t>" (what the docs say),
// and the form's token field if present, each compared in constant time.
bool SlashTokenMatches(const std::string& authorization, const std::string& form_token,
                       const std::string& expected);

// What a signed button (or dialog state) stands for.
struct ButtonContext {
  std::string channel;     // the channel the post is in
  int64_t message_id = 0;  // our stored message
  std::string marker;      // its marker (store::StoredMessage::marker)
  std::string action;      // the button's action
  std::string value;       // and value
  int64_t expires = 0;     // Unix seconds
};
// The context as JSON, with "sig": hex HMAC-SHA256 under `secret`.
nlohmann::json SignContext(const ButtonContext& context, const std::string& secret);
enum class ContextCheck { kValid, kMalformed, kForged, kExpired, kWrongChannel };
// Checks `context` (as the request carried it): its signature (constant
// time) first, then its expiry against `now` (Unix seconds), then that
// `channel` (the request's) is the signed one. Only with kValid is `out`
// filled.
ContextCheck CheckContext(const nlohmann::json& context, const std::string& secret,
                          const std::string& channel, int64_t now, ButtonContext& out);
// Dialog state: the same signed context as compact text.
std::string SignState(const ButtonContext& context, const std::string& secret);
ContextCheck CheckState(const std::string& state, const std::string& secret,
                        const std::string& channel, int64_t now, ButtonContext& out);

// Our texts as Mattermost Markdown: our *bold* becomes **bold**; every
// other character Markdown would read (\ ` _ ~ [ ] < > # | and a leading
// list or quote marker) is escaped; @ at the start of a word gets a
// zero-width joiner after it, so that no @channel or @all notifies anyone.
std::string EscapeMarkdown(const std::string& text);

// The largest post: 16,383 code points (PostMessageMaxRunesV2); counted in
// bytes, which is a safe bound.
inline constexpr size_t kMaxPostBytes = 16383;

// Splits `text` into pieces of at most `max` bytes, at line breaks where
// they fit, else at a space, else between two characters (never inside
// one); no piece is blank.
std::vector<std::string> SplitText(std::string_view text, size_t max);

// The POST posts bodies for a stored message in `channel`, in order: the
// text (escaped) in as many posts as it needs, the buttons on the last, in
// props.attachments[0].actions[], each with integration {url: action_url,
// context: SignContext(...)} expiring at `expires`. `pending_post_id` is
// the outbox row's key (see PendingPostId) plus ":<part>" for all but the
// last post.
std::vector<nlohmann::json> PostBodies(const store::StoredMessage& message,
                                       const std::string& channel, const std::string& action_url,
                                       const std::string& secret, int64_t expires,
                                       const std::string& pending_post_id,
                                       size_t max_bytes = kMaxPostBytes);
// The body of PUT posts/{id}/patch for a rewritten message: its text in one
// post (cut to `max_bytes` with "…" if it outgrew it), its buttons (often
// none left, so props replaced by an empty attachment list).
nlohmann::json PatchBody(const store::StoredMessage& message, const std::string& channel,
                         const std::string& action_url, const std::string& secret, int64_t expires,
                         size_t max_bytes = kMaxPostBytes);

// The pending_post_id of an outbox row: unique to this installation's
// message (its marker) and row, so a resend of the same row within the
// server's 30 s is taken for the post already made, and no other row's is.
std::string PendingPostId(int64_t outbox_id, const store::StoredMessage& message);

}  // namespace kontobot::mattermost

#endif  // KONTOBOT_HANDLERS_MATTERMOST_WIRE_H_
