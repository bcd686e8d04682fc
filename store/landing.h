// The landing file: a second SQLite database beside the main one
// ("<db>-inbound"), where a platform event is stored durably before it is
// acknowledged. It has a connection and a lock of its own, so storing an
// event never waits for a transaction on the main database (a batch of the
// inbound queue's worker, a conversation turn): acknowledgements keep a
// steady pace however busy processing is.
//
// The inbound queue's worker moves landed events into the main database's
// inbound_queue and records the last id it moved there, in the same
// transaction (Transaction::LandingMovedThrough). Moved rows are deleted
// from this file later, with the next batch landed or at the next start;
// until then the mark says they are moved. So an event is moved exactly
// once across any stop, and the file only ever holds a few batches.
//
// Durability: WAL with synchronous=FULL, so Land() returns once the batch
// is synced; there is one writer (the inbound queue's writer thread), which
// makes that one fdatasync per batch.
//
// Thread-safety: all members may be called from any thread. After() reads
// through a connection and a mutex of its own (WAL lets it read while a
// batch lands), so the worker reading never holds up the writer: the
// worker runs at a lower CPU priority, and a lock it held while the cores
// were busy would hold up every acknowledgement behind it.
#ifndef KONTOBOT_STORE_LANDING_H_
#define KONTOBOT_STORE_LANDING_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "bot/conversation.h"

namespace kontobot::store {

struct LandedEvent {
  int64_t id = 0;  // set by Land
  std::string platform;
  std::string event_id;
  std::string payload;
  TimePoint received_at{};
};

class Landing {
 public:
  // Opens or creates the landing file at `path` (through SQLite VFS `vfs`
  // if not empty, as Store does). Throws SQLite::Exception on failure.
  explicit Landing(const std::string& path, const std::string& vfs = "");

  // Called at start with the main database's mark: deletes the rows moved
  // before, and makes every new id larger than the mark, also when this
  // file was lost or replaced meanwhile (an id at or below the mark would
  // be taken for moved and never processed).
  void Resume(int64_t moved_through);
  // Stores `events` in one transaction and returns once it is synced,
  // setting each event's id; first deletes the rows moved through
  // `moved_through`. Throws on failure, and then nothing is stored.
  void Land(std::vector<LandedEvent>& events, int64_t moved_through);
  // Landed events with an id above `id`, oldest first, at most `limit`.
  std::vector<LandedEvent> After(int64_t id, int limit);

 private:
  void DeleteThrough(int64_t id);  // REQUIRES: mu_ held, in a transaction

  std::mutex mu_;  // the writing connection
  SQLite::Database db_;
  SQLite::Statement insert_;
  SQLite::Statement delete_;
  int64_t deleted_through_ = 0;

  std::mutex read_mu_;  // the reading connection
  SQLite::Database reader_;
  SQLite::Statement after_;
};

}  // namespace kontobot::store

#endif  // KONTOBOT_STORE_LANDING_H_
