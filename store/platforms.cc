// Where people and messages are on each chat platform: a person's DM
// channel, our messages' (and people's) platform refs, and what a platform
// told us about its users; the platform_channels, platform_messages
// (migration 0003) and platform_users (migration 0005) tables.
#include <optional>
#include <string>
#include <utility>

#include "store/clock_format.h"
#include "store/internal.h"
#include "store/store.h"

namespace kontobot::store {
namespace {

constexpr const char* kSelectPlatformChannel = R"sql(
  SELECT channel FROM platform_channels WHERE platform = ? AND person_id = ?
)sql";

constexpr const char* kUpsertPlatformChannel = R"sql(
  INSERT INTO platform_channels(platform, person_id, channel) VALUES (?, ?, ?)
  ON CONFLICT(platform, person_id) DO UPDATE SET channel = excluded.channel
)sql";

constexpr const char* kSelectPlatformMessage = R"sql(
  SELECT channel, ref FROM platform_messages WHERE message_id = ? AND platform = ?
)sql";

constexpr const char* kUpsertPlatformMessage = R"sql(
  INSERT INTO platform_messages(message_id, platform, channel, ref) VALUES (?, ?, ?, ?)
  ON CONFLICT(message_id, platform) DO UPDATE SET channel = excluded.channel,
  ref = excluded.ref
)sql";

constexpr const char* kSelectMessageByPlatformRef = R"sql(
  SELECT message_id FROM platform_messages WHERE platform = ? AND ref = ?
)sql";

constexpr const char* kSelectPlatformUserEmail = R"sql(
  SELECT email FROM platform_users WHERE platform = ? AND account = ?
)sql";

constexpr const char* kUpsertPlatformUser = R"sql(
  INSERT INTO platform_users(platform, account, email, looked_up_at) VALUES (?, ?, ?, ?)
  ON CONFLICT(platform, account) DO UPDATE SET email = excluded.email,
  looked_up_at = excluded.looked_up_at
)sql";

// The latest lookup wins if two accounts gave the same address.
constexpr const char* kSelectPlatformAccountByEmail = R"sql(
  SELECT account FROM platform_users WHERE platform = ? AND email = ?
  ORDER BY looked_up_at DESC LIMIT 1
)sql";

constexpr const char* kSelectPlatformChannelsHeard = R"sql(
  SELECT pc.channel,
         (SELECT MAX(m.at) FROM messages m
          WHERE m.person_id = pc.person_id AND m.channel = pc.platform AND m.direction = 'in')
  FROM platform_channels pc WHERE pc.platform = ?
)sql";

}  // namespace

std::vector<std::pair<std::string, std::optional<TimePoint>>> Transaction::PlatformChannelsHeard(
    const std::string& platform) {
  SQLite::Statement& q = store_.Prepare(kSelectPlatformChannelsHeard);
  q.bind(1, platform);
  std::vector<std::pair<std::string, std::optional<TimePoint>>> out;
  while (q.executeStep()) {
    std::optional<TimePoint> at;
    if (!q.getColumn(1).isNull()) at = ParseUtc(q.getColumn(1).getString());
    out.emplace_back(q.getColumn(0).getString(), at);
  }
  return out;
}

std::optional<std::string> Transaction::PlatformChannel(const std::string& platform,
                                                        const std::string& person_id) {
  SQLite::Statement& q = store_.Prepare(kSelectPlatformChannel);
  q.bind(1, platform);
  q.bind(2, person_id);
  return FirstRow(q, FirstColumnText);
}

void Transaction::SetPlatformChannel(const std::string& platform, const std::string& person_id,
                                     const std::string& channel) {
  SQLite::Statement& q = store_.Prepare(kUpsertPlatformChannel);
  q.bind(1, platform);
  q.bind(2, person_id);
  q.bind(3, channel);
  q.exec();
}

std::optional<std::pair<std::string, std::string>> Transaction::PlatformMessage(
    int64_t message_id, const std::string& platform) {
  SQLite::Statement& q = store_.Prepare(kSelectPlatformMessage);
  q.bind(1, message_id);
  q.bind(2, platform);
  if (!q.executeStep()) return std::nullopt;
  return std::make_pair(q.getColumn(0).getString(), q.getColumn(1).getString());
}

void Transaction::SetPlatformMessage(int64_t message_id, const std::string& platform,
                                     const std::string& channel, const std::string& ref) {
  SQLite::Statement& q = store_.Prepare(kUpsertPlatformMessage);
  q.bind(1, message_id);
  q.bind(2, platform);
  q.bind(3, channel);
  q.bind(4, ref);
  q.exec();
}

std::optional<int64_t> Transaction::MessageByPlatformRef(const std::string& platform,
                                                         const std::string& ref) {
  SQLite::Statement& q = store_.Prepare(kSelectMessageByPlatformRef);
  q.bind(1, platform);
  q.bind(2, ref);
  return FirstRow(q, FirstColumnInt64);
}

std::optional<std::string> Transaction::PlatformUserEmail(const std::string& platform,
                                                          const std::string& account) {
  SQLite::Statement& q = store_.Prepare(kSelectPlatformUserEmail);
  q.bind(1, platform);
  q.bind(2, account);
  return FirstRow(q, FirstColumnText);
}

void Transaction::SetPlatformUserEmail(const std::string& platform, const std::string& account,
                                       const std::string& email, TimePoint now) {
  SQLite::Statement& q = store_.Prepare(kUpsertPlatformUser);
  q.bind(1, platform);
  q.bind(2, account);
  q.bind(3, email);
  q.bind(4, FormatUtc(now));
  q.exec();
}

std::optional<std::string> Transaction::PlatformAccountByEmail(const std::string& platform,
                                                               const std::string& email) {
  if (email.empty()) return std::nullopt;
  SQLite::Statement& q = store_.Prepare(kSelectPlatformAccountByEmail);
  q.bind(1, platform);
  q.bind(2, email);
  return FirstRow(q, FirstColumnText);
}

}  // namespace kontobot::store
