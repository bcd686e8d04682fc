// A distinct type per kind of ID (../shared/STYLE.md, as mautrix-go's
// bridgev2 does it): a message id cannot be passed where a task id is
// expected, nor a Slack user id where a directory person id is. The store
// keeps them as plain integers and strings; the types are for the
// interfaces between the core and the edges (app/platform.h, the
// conversation service's Press), where such mix-ups once cost a bug
// hunt: a press names a message, a platform's user and a task at once.
//
// A platform's own IDs (a Slack user "U…", a Matrix user "@…:server", a
// Mattermost user id) are opaque to the core: PlatformUserId carries one
// without the core reading it.
//
// Thread-safety: values.
#ifndef KONTOBOT_BOT_IDS_H_
#define KONTOBOT_BOT_IDS_H_

#include <cstdint>
#include <string>
#include <utility>

namespace kontobot {

template <typename Tag, typename T>
class TypedId {
 public:
  TypedId() = default;
  explicit TypedId(T value) : value_(std::move(value)) {}
  const T& value() const { return value_; }
  friend bool operator==(const TypedId& a, const TypedId& b) { return a.value_ == b.value_; }
  friend bool operator!=(const TypedId& a, const TypedId& b) { return a.value_ != b.value_; }
  friend bool operator<(const TypedId& a, const TypedId& b) { return a.value_ < b.value_; }

 private:
  T value_{};
};

// A directory person ("gis-anna").
using PersonId = TypedId<struct PersonIdTag, std::string>;
// A stored message (0: none, e.g. the web chat's welcome, which is not stored).
using MessageId = TypedId<struct MessageIdTag, int64_t>;
// An approval or other task of a case.
using TaskId = TypedId<struct TaskIdTag, int64_t>;
// A registration draft.
using DraftId = TypedId<struct DraftIdTag, int64_t>;
// A user as a chat platform names them, opaque to the core.
using PlatformUserId = TypedId<struct PlatformUserIdTag, std::string>;

}  // namespace kontobot

#endif  // KONTOBOT_BOT_IDS_H_
