// A value or an error message: the result type of every fallible pure function in the project.
// (std::expected is C++23; this is the subset we use.)
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace mcu {

// What kind of failure, for layers that map it to a status (HTTP, protocol error codes).
enum class ErrorKind { kInvalid, kNotFound, kConflict, kForbidden, kUnauthorized, kInternal };

// Every error says its kind: there is no default (a storage failure is not a bad request).
struct Error {
  std::string message;
  ErrorKind kind;
};

inline Error MakeError(ErrorKind kind, std::string message) {
  return Error{std::move(message), kind};
}

template <typename T>
class Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Expected(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const std::string& error() const {
    assert(!ok());
    return std::get<1>(v_).message;
  }
  ErrorKind error_kind() const {
    assert(!ok());
    return std::get<1>(v_).kind;
  }
  Error failure() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// For functions that return nothing on success.
struct Ok {};
using Status = Expected<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace mcu
