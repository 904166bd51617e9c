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

namespace detail {

/// Where a Result keeps its value or error. When T is trivially copyable and destructible,
/// so is this (and the Result): it is then copied as bytes and, when small, returned in
/// registers, which keeps code that passes results around small on a microcontroller.
template <class T, bool = std::is_trivially_copyable_v<T>&& std::is_trivially_destructible_v<T>>
struct ResultStorage {
  ResultStorage() noexcept {}  // NOLINT: the value is constructed by Result
  union {
    T value_;
  };
  Errc err_ = Errc::ok;
  bool has_ = false;
};

/// A T that must be copied, moved and destroyed as a T.
template <class T>
struct ResultStorage<T, false> {
  ResultStorage() noexcept {}  // NOLINT: the value is constructed by Result
  ResultStorage(const ResultStorage& o) : err_(o.err_), has_(o.has_) {
    if (has_) new (&value_) T(o.value_);
  }
  ResultStorage(ResultStorage&& o) noexcept : err_(o.err_), has_(o.has_) {
    if (has_) new (&value_) T(std::move(o.value_));
  }
  ResultStorage& operator=(const ResultStorage& o) {
    if (this != &o) {
      reset();
      err_ = o.err_;
      has_ = o.has_;
      if (has_) new (&value_) T(o.value_);
    }
    return *this;
  }
  ResultStorage& operator=(ResultStorage&& o) noexcept {
    if (this != &o) {
      reset();
      err_ = o.err_;
      has_ = o.has_;
      if (has_) new (&value_) T(std::move(o.value_));
    }
    return *this;
  }
  ~ResultStorage() { reset(); }
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

}  // namespace detail

/// A value or an error. Small, trivially copyable when T is; never throws.
template <class T>
class [[nodiscard]] Result {
 public:
  /// A success holding a copy of `v`.
  Result(const T& v) {  // NOLINT
    new (&s_.value_) T(v);
    s_.has_ = true;
  }
  /// A success holding `v`.
  Result(T&& v) {  // NOLINT
    new (&s_.value_) T(std::move(v));
    s_.has_ = true;
  }
  /// A failure; Errc::ok is turned into internal_error, since a Result without value must say why.
  Result(Errc e) noexcept {  // NOLINT
    s_.err_ = e == Errc::ok ? Errc::internal_error : e;
  }
  /// A failure carrying the error of `s` (an ok Status is turned into internal_error).
  Result(Status s) noexcept : Result(s.error()) {}  // NOLINT
  // Copied, moved and destroyed as its storage is: as bytes when T allows.

  /// True when a value is held.
  constexpr bool ok() const noexcept { return s_.has_; }
  /// True when a value is held (same as ok()).
  constexpr explicit operator bool() const noexcept { return s_.has_; }
  /// The error, Errc::ok when a value is held: the same name as Status::error().
  constexpr Errc error() const noexcept { return s_.has_ ? Errc::ok : s_.err_; }
  /// The outcome without the value, to return from a function that reports only a Status.
  constexpr Status status() const noexcept { return s_.has_ ? Status{} : Status{s_.err_}; }

  // Precondition: ok(). Checked by the caller, as with std::optional.
  /// The value; only when ok().
  T& value() & noexcept { return s_.value_; }
  /// The value; only when ok().
  const T& value() const& noexcept { return s_.value_; }
  /// The value, moved out; only when ok().
  T&& value() && noexcept { return std::move(s_.value_); }
  /// The value; only when ok().
  T& operator*() & noexcept { return s_.value_; }
  /// The value; only when ok().
  const T& operator*() const& noexcept { return s_.value_; }
  /// The value's members; only when ok().
  T* operator->() noexcept { return &s_.value_; }
  /// The value's members; only when ok().
  const T* operator->() const noexcept { return &s_.value_; }
  /// The value, or `fallback` when this holds an error.
  T value_or(T fallback) const { return s_.has_ ? s_.value_ : fallback; }

 private:
  detail::ResultStorage<T> s_;
};

}  // namespace lwm2m

/// Propagate a failed Status/Result from the enclosing function.
#define LWM2M_TRY(expr)                                      \
  do {                                                       \
    if (auto lwm2m_try_s_ = (expr); !lwm2m_try_s_.ok()) {    \
      return ::lwm2m::Status{lwm2m_try_s_.status().error()}; \
    }                                                        \
  } while (0)
