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
