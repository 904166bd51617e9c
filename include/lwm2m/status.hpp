// SPDX-License-Identifier: Apache-2.0
// Error values for the whole library: no exceptions anywhere, every fallible call returns
// a Status or a Result<T>.
#pragma once

#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace lwm2m {

/// One library-wide error enum. Groups: usage/state, resources, malformed input,
/// transient conditions, and data-model errors that map onto CoAP response codes.
enum class Errc : int16_t {
  ok = 0,
  // usage and state
  invalid_argument = 1,
  invalid_state = 2,
  // resources
  no_space = 10,          ///< a fixed-size table is full
  buffer_too_small = 11,  ///< the caller's output buffer cannot hold the result
  already_exists = 12,    ///< an item with this key is already present
  // malformed or unsupported input
  malformed = 20,    ///< input violates the format's grammar
  truncated = 21,    ///< input ends before a complete item
  unsupported = 22,  ///< well-formed but uses a feature we do not implement
  bad_option = 23,   ///< CoAP: unrecognised critical option
  // transient
  timeout = 30,    ///< no answer after all retransmissions
  reset = 31,      ///< peer answered with RST
  cancelled = 32,  ///< the local side gave up (stop, cancel)
  // data-model errors; one table maps them to CoAP codes (see coap/code.hpp)
  bad_request = 40,
  unauthorized = 41,
  not_found = 42,
  method_not_allowed = 43,
  not_acceptable = 44,
  request_entity_incomplete = 45,
  request_entity_too_large = 46,
  unsupported_content_format = 47,
  internal_error = 48,
  not_implemented = 49,
  service_unavailable = 50,
  precondition_failed = 51,
  forbidden = 52,
  conflict = 53,
};

/// Human-readable name of an error, for logs. Never returns null.
const char* to_string(Errc e) noexcept;

/// The outcome of an operation that returns no value: ok, or the Errc saying what failed. Test it
/// with `if (!st)`; errors are values, never exceptions.
class [[nodiscard]] Status {
 public:
  constexpr Status() noexcept = default;
  /// A failure (Errc::ok makes a success).
  constexpr Status(Errc e) noexcept : code_(e) {}  // NOLINT(google-explicit-constructor)

  /// True when the operation succeeded.
  constexpr bool ok() const noexcept { return code_ == Errc::ok; }
  /// The error, Errc::ok when there is none: the same name as Result::error().
  constexpr Errc error() const noexcept { return code_; }
  /// \deprecated The former name of error() (same result); use error().
  [[deprecated("use Status::error()")]] constexpr Errc code() const noexcept { return code_; }
  /// Itself: lets LWM2M_TRY and generic code treat Status and Result alike.
  constexpr Status status() const noexcept { return *this; }
  /// True when the operation succeeded (same as ok()).
  constexpr explicit operator bool() const noexcept { return ok(); }
  /// Same outcome.
  friend constexpr bool operator==(Status a, Status b) noexcept { return a.code_ == b.code_; }
  /// Whether the outcome is `b` (Errc::ok for a success).
  friend constexpr bool operator==(Status a, Errc b) noexcept { return a.code_ == b; }

 private:
  Errc code_ = Errc::ok;
};

/// A value or an error. Small, trivially movable when T is; never throws.
template <class T>
class [[nodiscard]] Result {
 public:
  /// A success holding a copy of `v`.
  Result(const T& v) : has_(true) { new (&value_) T(v); }  // NOLINT
  /// A success holding `v`.
  Result(T&& v) : has_(true) { new (&value_) T(std::move(v)); }  // NOLINT
  /// A failure; Errc::ok is turned into internal_error, since a Result without value must say why.
  Result(Errc e) noexcept : err_(e == Errc::ok ? Errc::internal_error : e) {}  // NOLINT
  /// A failure carrying the error of `s` (an ok Status is turned into internal_error).
  Result(Status s) noexcept : Result(s.error()) {}  // NOLINT
  /// Copies the value or the error.
  Result(const Result& o) : err_(o.err_), has_(o.has_) {
    if (has_) new (&value_) T(o.value_);
  }
  /// Moves the value or the error.
  Result(Result&& o) noexcept : err_(o.err_), has_(o.has_) {
    if (has_) new (&value_) T(std::move(o.value_));
  }
  /// Replaces this with a copy of `o`'s value or error.
  Result& operator=(const Result& o) {
    if (this != &o) {
      reset();
      err_ = o.err_;
      has_ = o.has_;
      if (has_) new (&value_) T(o.value_);
    }
    return *this;
  }
  /// Replaces this with `o`'s value or error, moved.
  Result& operator=(Result&& o) noexcept {
    if (this != &o) {
      reset();
      err_ = o.err_;
      has_ = o.has_;
      if (has_) new (&value_) T(std::move(o.value_));
    }
    return *this;
  }
  ~Result() { reset(); }

  /// True when a value is held.
  constexpr bool ok() const noexcept { return has_; }
  /// True when a value is held (same as ok()).
  constexpr explicit operator bool() const noexcept { return has_; }
  /// The error, Errc::ok when a value is held: the same name as Status::error().
  constexpr Errc error() const noexcept { return has_ ? Errc::ok : err_; }
  /// The outcome without the value, to return from a function that reports only a Status.
  constexpr Status status() const noexcept { return has_ ? Status{} : Status{err_}; }

  // Precondition: ok(). Checked by the caller, as with std::optional.
  /// The value; only when ok().
  T& value() & noexcept { return value_; }
  /// The value; only when ok().
  const T& value() const& noexcept { return value_; }
  /// The value, moved out; only when ok().
  T&& value() && noexcept { return std::move(value_); }
  /// The value; only when ok().
  T& operator*() & noexcept { return value_; }
  /// The value; only when ok().
  const T& operator*() const& noexcept { return value_; }
  /// The value's members; only when ok().
  T* operator->() noexcept { return &value_; }
  /// The value's members; only when ok().
  const T* operator->() const noexcept { return &value_; }
  /// The value, or `fallback` when this holds an error.
  T value_or(T fallback) const { return has_ ? value_ : fallback; }

 private:
  void reset() noexcept {
    if (has_) value_.~T();
    has_ = false;
  }
  union {
    T value_;
  };
  Errc err_ = Errc::ok;
  bool has_ = false;
};

}  // namespace lwm2m

/// Propagate a failed Status/Result from the enclosing function.
#define LWM2M_TRY(expr)                                      \
  do {                                                       \
    if (auto lwm2m_try_s_ = (expr); !lwm2m_try_s_.ok()) {    \
      return ::lwm2m::Status{lwm2m_try_s_.status().error()}; \
    }                                                        \
  } while (0)
