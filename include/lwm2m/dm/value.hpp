// SPDX-License-Identifier: Apache-2.0
// LwM2M data types and a small non-owning value. Strings, opaque and core links are views:
// whoever produces a Value keeps the bytes alive while it is used.
#pragma once

#include <cstdint>
#include <string_view>

#include "lwm2m/bytes.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::dm {

enum class DataType : uint8_t {
  none,              ///< no value (e.g. an executable resource)
  string,            ///< UTF-8
  integer,           ///< signed 64-bit
  unsigned_integer,  ///< unsigned 64-bit (LwM2M 1.1)
  floating,          ///< IEEE 754; the encoders pick 32 or 64 bits (Value::floating())
  /// \deprecated The former name of DataType::floating (same value); use floating.
  float_ [[deprecated("use DataType::floating")]] = floating,
  boolean,
  opaque,
  time,     ///< signed seconds since the Unix epoch
  objlnk,   ///< "ObjectId:InstanceId"
  corelnk,  ///< RFC 6690 link text
};

const char* to_string(DataType t) noexcept;

/// The value of an Object Link resource: a reference to an object instance.
struct ObjectLink {
  uint16_t object_id = 0xFFFF;    ///< object id; 0xFFFF with instance_id 0xFFFF is the null link
  uint16_t instance_id = 0xFFFF;  ///< instance id
  /// Same object and instance.
  friend constexpr bool operator==(ObjectLink a, ObjectLink b) noexcept = default;
};

/// One resource value of any LwM2M data type. Strings and opaque bytes are viewed, not copied: the
/// bytes must outlive the value.
class Value {
 public:
  constexpr Value() noexcept = default;  // DataType::none

  /// A UTF-8 string viewing `s`.
  static Value string(std::string_view s) noexcept {
    return bytes_value(DataType::string, as_view(s));
  }
  /// Opaque bytes viewing `b`.
  static constexpr Value opaque(ByteView b) noexcept { return bytes_value(DataType::opaque, b); }
  /// CoRE link-format text (RFC 6690) viewing `s`.
  static Value corelnk(std::string_view s) noexcept {
    return bytes_value(DataType::corelnk, as_view(s));
  }
  /// A signed integer.
  static constexpr Value integer(int64_t v) noexcept {
    Value x;
    x.type_ = DataType::integer;
    x.u_.i = v;
    return x;
  }
  /// An unsigned integer (LwM2M 1.1).
  static constexpr Value unsigned_integer(uint64_t v) noexcept {
    Value x;
    x.type_ = DataType::unsigned_integer;
    x.u_.u = v;
    return x;
  }
  /// A float; encoders pick 32 or 64 bits.
  static constexpr Value floating(double v) noexcept {
    Value x;
    x.type_ = DataType::floating;
    x.u_.f = v;
    return x;
  }
  /// A boolean.
  static constexpr Value boolean(bool v) noexcept {
    Value x;
    x.type_ = DataType::boolean;
    x.u_.b = v;
    return x;
  }
  /// A time: signed seconds since the Unix epoch.
  static constexpr Value time(int64_t seconds) noexcept {
    Value x;
    x.type_ = DataType::time;
    x.u_.i = seconds;
    return x;
  }
  /// An Object Link to /object_id/instance_id.
  static constexpr Value objlnk(uint16_t object_id, uint16_t instance_id) noexcept {
    Value x;
    x.type_ = DataType::objlnk;
    x.u_.link = ObjectLink{object_id, instance_id};
    return x;
  }

  /// The data type; none for a default-constructed value.
  constexpr DataType type() const noexcept { return type_; }
  /// True for "no value" (DataType::none).
  constexpr bool is_none() const noexcept { return type_ == DataType::none; }

  // Accessors: precondition is the matching type (integer() also serves time).
  /// The integer (type integer; also works for time).
  constexpr int64_t as_integer() const noexcept { return u_.i; }
  /// The seconds since the Unix epoch (type time).
  constexpr int64_t as_time() const noexcept { return u_.i; }
  /// The unsigned integer (type unsigned_integer).
  constexpr uint64_t as_unsigned() const noexcept { return u_.u; }
  /// The float (type floating).
  constexpr double as_float() const noexcept { return u_.f; }
  /// The boolean (type boolean).
  constexpr bool as_bool() const noexcept { return u_.b; }
  /// The link (type objlnk).
  constexpr ObjectLink as_objlnk() const noexcept { return u_.link; }
  /// string, opaque and corelnk.
  constexpr ByteView as_bytes() const noexcept { return {u_.bytes.data, u_.bytes.size}; }
  /// The bytes as text (string and corelnk; also opaque).
  std::string_view as_string() const noexcept {
    return {reinterpret_cast<const char*>(u_.bytes.data), u_.bytes.size};
  }

  /// Same type and same contents (bytes compared by value).
  friend bool operator==(const Value& a, const Value& b) noexcept;

 private:
  static ByteView as_view(std::string_view s) noexcept {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
  }
  static constexpr Value bytes_value(DataType t, ByteView b) noexcept {
    Value x;
    x.type_ = t;
    x.u_.bytes = {b.data(), b.size()};
    return x;
  }
  struct Bytes {
    const uint8_t* data;
    size_t size;
  };
  union U {
    int64_t i;
    uint64_t u;
    double f;
    bool b;
    ObjectLink link;
    Bytes bytes;
  } u_{.i = 0};
  DataType type_ = DataType::none;
};

/// The value as `to`, for writes whose wire format typed it differently from the resource
/// (a CBOR integer for a float resource, a JSON number for a time). Numbers convert when
/// the value is exactly representable; string and corelnk convert into each other.
/// Anything else is bad_request (4.00), which is what a server gets for a type mismatch.
Result<Value> convert(const Value& v, DataType to) noexcept;

}  // namespace lwm2m::dm
