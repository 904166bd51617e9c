// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/dm/value.hpp"

#include <algorithm>

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
    case DataType::float_:
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
    case DataType::float_:
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

// 2^63 as a double: the first value outside int64_t.
constexpr double kTwo63 = 9223372036854775808.0;

Result<Value> from_signed(int64_t i, DataType to) noexcept {
  switch (to) {
    case DataType::integer:
      return Value::integer(i);
    case DataType::time:
      return Value::time(i);
    case DataType::unsigned_integer:
      if (i < 0) return Errc::bad_request;
      return Value::unsigned_integer(static_cast<uint64_t>(i));
    case DataType::float_:
      return Value::floating(static_cast<double>(i));
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
      if (to == DataType::float_) return Value::floating(static_cast<double>(u));
      if (u > static_cast<uint64_t>(INT64_MAX)) return Errc::bad_request;
      return from_signed(static_cast<int64_t>(u), to);
    }
    case DataType::float_: {
      double f = v.as_float();
      if (f != f || f < -kTwo63 || f >= 2 * kTwo63) return Errc::bad_request;
      if (to == DataType::unsigned_integer) {
        if (f < 0) return Errc::bad_request;
        auto u = static_cast<uint64_t>(f);
        if (static_cast<double>(u) != f) return Errc::bad_request;
        return Value::unsigned_integer(u);
      }
      if (f >= kTwo63) return Errc::bad_request;
      auto i = static_cast<int64_t>(f);
      if (static_cast<double>(i) != f) return Errc::bad_request;
      if (to == DataType::float_) return v;
      return from_signed(i, to);
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
