// A test-only SQLite VFS that fails file operations on command, the way
// leveldb's ErrorEnv fails writes and SQLite's own anomaly tests fail I/O.
// It wraps SQLite's default VFS ("unix") under the name kFaultyVfsName and
// forwards every call to it, except that, once armed, the n-th call of one
// kind of operation and every later one of that kind return an error until
// the fault is cleared:
//   kWrite  xWrite  -> SQLITE_FULL (a full disk) or SQLITE_IOERR_WRITE
//   kSync   xSync   -> SQLITE_IOERR_FSYNC
//   kLock   xLock and the WAL's shared-memory locks -> SQLITE_BUSY (unlocks
//           always succeed)
// Calls of each kind are counted from the last Count()/Arm()/Clear(), so a
// test can measure how many writes one request makes and then fail each of
// them in turn. While a fault is armed the VFS's sleep returns at once: a
// busy handler gives up after its whole timeout without waiting for it.
//
// A database uses the VFS when it is opened with its name
// (store::Store(path, kFaultyVfsName)).
//
// Thread-safety: every member may be called from any thread; SQLite calls
// the VFS from whichever thread runs a statement.
#ifndef KONTOBOT_TESTS_STORE_FAULTY_VFS_H_
#define KONTOBOT_TESTS_STORE_FAULTY_VFS_H_

namespace kontobot::testing {

inline constexpr const char* kFaultyVfsName = "kontobot-faulty";

enum class FaultOp { kWrite = 0, kSync = 1, kLock = 2 };

class FaultyVfs {
 public:
  // The VFS, registered with SQLite on first use (not as the default).
  static FaultyVfs& Instance();

  // Counts calls from now on and fails none.
  void Count();
  // From the `nth` call (1-based) of `op` on, fails every call of `op`
  // with `rc` (an SQLite result code) until Clear() or the next Arm().
  void Arm(FaultOp op, int nth, int rc);
  // Fails nothing any more and restarts the counts.
  void Clear() { Count(); }

  // Calls of `op` since the last Count(), Arm() or Clear().
  int Calls(FaultOp op) const;
  // How many calls returned the armed error since it was armed.
  int Injected() const;
  // Temporary files (sub-journals, statement journals, temporary tables)
  // opened since the last Count(), Arm() or Clear().
  int TempFilesOpened() const;

 private:
  FaultyVfs();
};

}  // namespace kontobot::testing

#endif  // KONTOBOT_TESTS_STORE_FAULTY_VFS_H_
