// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/dm/value.hpp"

#include <algorithm>

#include "to_double.hpp"
#include "whole_number.hpp"

namespace lwm2m::dm {

const char* to_string(DataType t) noexcept {
  switch (t) {
    case DataType::none:
      return "none";
    case DataType::string:
      return "string";
    case DataType::integer:
      return "integer";
    case DataType::unsigned_integer:
      return "unsigned integer";
    case DataType::floating:
      return "float";
    case DataType::boolean:
      return "boolean";
    case DataType::opaque:
      return "opaque";
    case DataType::time:
      return "time";
    case DataType::objlnk:
      return "objlnk";
    case DataType::corelnk:
      return "corelnk";
  }
  return "unknown";
}

bool operator==(const Value& a, const Value& b) noexcept {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case DataType::none:
      return true;
    case DataType::integer:
    case DataType::time:
      return a.u_.i == b.u_.i;
    case DataType::unsigned_integer:
      return a.u_.u == b.u_.u;
    case DataType::floating:
      return a.u_.f == b.u_.f;
    case DataType::boolean:
      return a.u_.b == b.u_.b;
    case DataType::objlnk:
      return a.u_.link == b.u_.link;
    case DataType::string:
    case DataType::opaque:
    case DataType::corelnk: {
      ByteView x = a.as_bytes(), y = b.as_bytes();
      return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin());
    }
  }
  return false;
}

}  // namespace lwm2m::dm

namespace lwm2m::dm {

Result<Value> convert(const Value& v, DataType to) noexcept {
  const DataType from = v.type();
  if (from == to) return v;
  // Strings and core links are the same text.
  if ((from == DataType::string && to == DataType::corelnk) ||
      (from == DataType::corelnk && to == DataType::string)) {
    return to == DataType::string ? Value::string(v.as_string()) : Value::corelnk(v.as_string());
  }
  // Numbers: as a sign and a magnitude, then into the target's range.
  bool negative = false;
  uint64_t magnitude;
  if (from == DataType::integer || from == DataType::time) {
    const int64_t i = v.as_integer();
    negative = i < 0;
    magnitude = negative ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
  } else if (from == DataType::unsigned_integer) {
    magnitude = v.as_unsigned();
  } else if (from == DataType::floating) {
    const auto w = lwm2m::detail::whole_number(v.as_float());
    if (!w) return Errc::bad_request;
    magnitude = w->magnitude;
    negative = w->negative && magnitude != 0;
  } else {
    return Errc::bad_request;
  }
  switch (to) {
    case DataType::floating: {
      // Rounded to nearest as the signed conversion would: the rounding is symmetric.
      const double d = lwm2m::detail::to_double(magnitude);
      return Value::floating(negative ? -d : d);
    }
    case DataType::unsigned_integer:
      if (negative) return Errc::bad_request;
      return Value::unsigned_integer(magnitude);
    case DataType::integer:
    case DataType::time: {
      constexpr uint64_t kTwo63 = uint64_t{1} << 63;  // the first magnitude outside int64_t
      if (negative ? magnitude > kTwo63 : magnitude >= kTwo63) return Errc::bad_request;
      const auto i = static_cast<int64_t>(negative ? 0 - magnitude : magnitude);
      return to == DataType::integer ? Value::integer(i) : Value::time(i);
    }
    default:
      return Errc::bad_request;
  }
}

}  // namespace lwm2m::dm
