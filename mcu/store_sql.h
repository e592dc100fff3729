// The store's SQLite helpers (mcu/store.cpp, mcu/store_records.cpp): a prepared statement, a
// transaction, and errors that say what failed. A database failure is an internal error (the
// API answers 500); a row that is not there is not found. Not for other users.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "mcu/expected.h"
#include "mcu/store.h"

namespace mcu::store_sql {

inline int64_t NowS() { return NowMs() / 1000; }

// One prepared statement: bind by position, step, read columns; finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK) s_ = nullptr;
  }
  Stmt(sqlite3* db, const std::string& sql) : Stmt(db, sql.c_str()) {}
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(const std::string& v) {
    if (s_) sqlite3_bind_text(s_, ++n_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(const char* v) { return Bind(std::string(v)); }
  Stmt& Bind(int64_t v) {
    if (s_) sqlite3_bind_int64(s_, ++n_, v);
    return *this;
  }
  Stmt& Bind(int v) { return Bind(static_cast<int64_t>(v)); }
  Stmt& Bind(bool v) { return Bind(static_cast<int64_t>(v)); }
  Stmt& Bind(double v) {
    if (s_) sqlite3_bind_double(s_, ++n_, v);
    return *this;
  }

  // True while a row is available.
  bool Row() {
    if (!s_) return false;
    rc_ = sqlite3_step(s_);
    return rc_ == SQLITE_ROW;
  }
  Status Run() {
    if (!s_)
      return MakeError(ErrorKind::kInternal, std::string("database: ") + sqlite3_errmsg(db_));
    rc_ = sqlite3_step(s_);
    if (rc_ != SQLITE_DONE && rc_ != SQLITE_ROW)
      return MakeError(ErrorKind::kInternal, std::string("database: ") + sqlite3_errmsg(db_));
    return OkStatus();
  }
  std::string Text(int i) {
    auto* p = sqlite3_column_text(s_, i);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s_, i))
             : std::string();
  }
  int64_t Int(int i) { return sqlite3_column_int64(s_, i); }
  double Real(int i) { return sqlite3_column_double(s_, i); }
  bool Constraint() const { return rc_ == SQLITE_CONSTRAINT; }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  int n_ = 0;
  int rc_ = 0;
};

inline Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown error";
    sqlite3_free(err);
    return MakeError(ErrorKind::kInternal, "database: " + m);
  }
  return OkStatus();
}

// A transaction rolled back unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) { ok_ = Exec(db, "BEGIN IMMEDIATE").ok(); }
  ~Transaction() {
    if (ok_ && !done_) Exec(db_, "ROLLBACK");
  }
  Status Commit() {
    if (!ok_)
      return MakeError(ErrorKind::kInternal,
                       std::string("database: cannot begin: ") + sqlite3_errmsg(db_));
    done_ = true;
    return Exec(db_, "COMMIT");
  }

 private:
  sqlite3* db_;
  bool ok_ = false, done_ = false;
};

inline Status Changed(sqlite3* db, Status st, const std::string& what) {
  if (!st) return st;
  if (sqlite3_changes(db) == 0) return MakeError(ErrorKind::kNotFound, "no " + what);
  return OkStatus();
}

}  // namespace mcu::store_sql
