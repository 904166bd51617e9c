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
namespace {

Result<Value> from_signed(int64_t i, DataType to) noexcept {
  switch (to) {
    case DataType::integer:
      return Value::integer(i);
    case DataType::time:
      return Value::time(i);
    case DataType::unsigned_integer:
      if (i < 0) return Errc::bad_request;
      return Value::unsigned_integer(static_cast<uint64_t>(i));
    case DataType::floating:
      return Value::floating(lwm2m::detail::to_double(i));
    default:
      return Errc::bad_request;
  }
}

}  // namespace

Result<Value> convert(const Value& v, DataType to) noexcept {
  if (v.type() == to) return v;
  switch (v.type()) {
    case DataType::integer:
    case DataType::time:
      return from_signed(v.as_integer(), to);
    case DataType::unsigned_integer: {
      uint64_t u = v.as_unsigned();
      if (to == DataType::floating) return Value::floating(lwm2m::detail::to_double(u));
      if (u > static_cast<uint64_t>(INT64_MAX)) return Errc::bad_request;
      return from_signed(static_cast<int64_t>(u), to);
    }
    case DataType::floating: {
      const auto w = lwm2m::detail::whole_number(v.as_float());
      if (!w) return Errc::bad_request;
      const bool negative = w->negative && w->magnitude != 0;
      if (to == DataType::unsigned_integer) {
        if (negative) return Errc::bad_request;
        return Value::unsigned_integer(w->magnitude);
      }
      constexpr uint64_t kTwo63 = uint64_t{1} << 63;  // the first magnitude outside int64_t
      if (negative ? w->magnitude > kTwo63 : w->magnitude >= kTwo63) return Errc::bad_request;
      return from_signed(
          negative ? static_cast<int64_t>(0 - w->magnitude) : static_cast<int64_t>(w->magnitude),
          to);
    }
    case DataType::string:
      if (to == DataType::corelnk) return Value::corelnk(v.as_string());
      return Errc::bad_request;
    case DataType::corelnk:
      if (to == DataType::string) return Value::string(v.as_string());
      return Errc::bad_request;
    default:
      return Errc::bad_request;
  }
}

}  // namespace lwm2m::dm
