#include "tests/store/faulty_vfs.h"

#include <sqlite3.h>

#include <array>
#include <atomic>
#include <stdexcept>

namespace kontobot::testing {
namespace {

// What is armed; read by SQLite's callbacks on any thread.
struct FaultState {
  std::array<std::atomic<int>, 3> calls{};
  std::atomic<int> armed_op{-1};  // -1: nothing armed
  std::atomic<int> nth{0};
  std::atomic<int> rc{SQLITE_OK};
  std::atomic<int> injected{0};
  std::atomic<int> temp_opens{0};
};

FaultState& State() {
  static FaultState state;
  return state;
}

sqlite3_vfs* g_base = nullptr;  // SQLite's default VFS, set once at registration

// Counts a call of `op`; returns the armed error if this call must fail.
int Check(FaultOp op) {
  FaultState& s = State();
  int n = ++s.calls[static_cast<size_t>(op)];
  if (s.armed_op.load() != static_cast<int>(op) || n < s.nth.load()) return SQLITE_OK;
  ++s.injected;
  return s.rc.load();
}

// Our file: SQLite allocates szOsFile bytes; the real file follows ours.
struct FaultyFile {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultyFile*>(f)->real; }

int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 offset) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, offset);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 offset) {
  if (int rc = Check(FaultOp::kWrite); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xWrite(Real(f), buf, n, offset);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (int rc = Check(FaultOp::kSync); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) {
  if (int rc = Check(FaultOp::kLock); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xLock(Real(f), level);
}
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  if ((flags & SQLITE_SHM_LOCK) != 0) {
    if (int rc = Check(FaultOp::kLock); rc != SQLITE_OK) return rc;
  }
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
int Fetch(sqlite3_file* f, sqlite3_int64 offset, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), offset, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), offset, p);
}

const sqlite3_io_methods kMethods = {3,
                                     Close,
                                     Read,
                                     Write,
                                     Truncate,
                                     Sync,
                                     FileSize,
                                     Lock,
                                     Unlock,
                                     CheckReservedLock,
                                     FileControl,
                                     SectorSize,
                                     DeviceCharacteristics,
                                     ShmMap,
                                     ShmLock,
                                     ShmBarrier,
                                     ShmUnmap,
                                     Fetch,
                                     Unfetch};

int Open(sqlite3_vfs* /*vfs*/, sqlite3_filename name, sqlite3_file* file, int flags,
         int* out_flags) {
  auto* ours = reinterpret_cast<FaultyFile*>(file);
  ours->real = reinterpret_cast<sqlite3_file*>(ours + 1);
  if ((flags & (SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TRANSIENT_DB | SQLITE_OPEN_TEMP_JOURNAL |
                SQLITE_OPEN_SUBJOURNAL)) != 0) {
    ++State().temp_opens;
  }
  int rc = g_base->xOpen(g_base, name, ours->real, flags, out_flags);
  // SQLite calls xClose only if pMethods is set; set it only if the real
  // file was opened (its pMethods is then set too).
  ours->base.pMethods = ours->real->pMethods != nullptr ? &kMethods : nullptr;
  return rc;
}

int Sleep(sqlite3_vfs* /*vfs*/, int microseconds) {
  if (State().armed_op.load() >= 0) return microseconds;  // a fault is armed: give up fast
  return g_base->xSleep(g_base, microseconds);
}

}  // namespace

FaultyVfs::FaultyVfs() {
  g_base = sqlite3_vfs_find(nullptr);
  if (g_base == nullptr) throw std::runtime_error("SQLite has no default VFS");
  static sqlite3_vfs vfs = *g_base;
  vfs.szOsFile = static_cast<int>(sizeof(FaultyFile)) + g_base->szOsFile;
  vfs.zName = kFaultyVfsName;
  vfs.pAppData = nullptr;
  vfs.pNext = nullptr;
  vfs.xOpen = Open;
  vfs.xSleep = Sleep;
  if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) {
    throw std::runtime_error("cannot register the faulty SQLite VFS");
  }
}

FaultyVfs& FaultyVfs::Instance() {
  static FaultyVfs instance;
  return instance;
}

void FaultyVfs::Count() {
  FaultState& s = State();
  s.armed_op = -1;
  for (auto& c : s.calls) c = 0;
  s.injected = 0;
  s.temp_opens = 0;
}

void FaultyVfs::Arm(FaultOp op, int nth, int rc) {
  FaultState& s = State();
  s.armed_op = -1;
  for (auto& c : s.calls) c = 0;
  s.injected = 0;
  s.nth = nth;
  s.rc = rc;
  s.armed_op = static_cast<int>(op);
}

int FaultyVfs::Calls(FaultOp op) const { return State().calls[static_cast<size_t>(op)].load(); }

int FaultyVfs::Injected() const { return State().injected.load(); }

int FaultyVfs::TempFilesOpened() const { return State().temp_opens.load(); }

}  // namespace kontobot::testing
