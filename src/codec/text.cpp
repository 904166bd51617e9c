// SPDX-License-Identifier: Apache-2.0
#include "codec/text.hpp"

#include <cstdint>
#include <string_view>

#include "codec/base64.hpp"
#include "codec/number.hpp"
#include "codec/utf8.hpp"
#include "text_slice.hpp"

namespace lwm2m::codec {
namespace {

// Numbers, booleans and object links formatted into one buffer and written by one call.
Status write_value(const dm::Value& v, Sink& out) noexcept {
  char text[number::kMaxChars];
  size_t n = 0;
  switch (v.type()) {
    case dm::DataType::string:
    case dm::DataType::corelnk:
      out.write(v.as_bytes());
      return {};
    case dm::DataType::opaque:
      base64::encode(v.as_bytes(), out, base64::Alphabet::standard, base64::Padding::required);
      return {};
    case dm::DataType::integer:
    case dm::DataType::time:
      n = number::format_int(v.as_integer(), text);
      break;
    case dm::DataType::unsigned_integer:
      n = number::format_uint(v.as_unsigned(), text);
      break;
    case dm::DataType::floating:
      n = number::format_double(v.as_float(), text);  // 0 for NaN and infinities
      break;
    case dm::DataType::boolean:
      text[0] = v.as_bool() ? '1' : '0';
      n = 1;
      break;
    case dm::DataType::objlnk:
      n = number::format_objlnk(v.as_objlnk(), text);
      break;
    case dm::DataType::none:
      break;
  }
  if (n == 0) return Errc::invalid_argument;
  out.write({reinterpret_cast<const uint8_t*>(text), n});
  return {};
}

}  // namespace

namespace detail {

Status encode_single(const dm::Path& base, RecordSource& src, Sink& out, bool raw) noexcept {
  if (base.depth() < 3) return Errc::not_acceptable;
  Record rec;
  auto first = src.next(rec);
  if (!first) return first.status();
  if (!*first || !(rec.path == base) || (raw && rec.value.type() != dm::DataType::opaque))
    return Errc::not_acceptable;
  if (raw) {
    out.write(rec.value.as_bytes());
  } else {
    LWM2M_TRY(write_value(rec.value, out));
  }
  // One value only: anything after the first record makes it not acceptable. Looked for
  // once the value is written, since its bytes are valid only until the next next().
  auto more = src.next(rec);
  if (!more) return more.status();
  return *more ? Errc::not_acceptable : Errc::ok;
}

}  // namespace detail

Result<bool> TextDecoder::next(Record& out) noexcept {
  if (done_) return false;
  if (ctx_.types == nullptr) return Errc::invalid_state;  // a usage error, not the payload's
  if (ctx_.base.depth() < 3) return Errc::bad_request;
  auto type = ctx_.types->type_of(ctx_.base);
  if (!type) return type.error();
  const std::string_view text = as_string(payload_);
  dm::Value value;
  // Octet-stream: the payload is the value, of an opaque resource only.
  if (raw_ && *type != dm::DataType::opaque) return Errc::unsupported_content_format;
  switch (*type) {
    case dm::DataType::string:
    case dm::DataType::corelnk:
      if (!valid_utf8(text)) return Errc::bad_request;
      value = *type == dm::DataType::string ? dm::Value::string(text) : dm::Value::corelnk(text);
      break;
    case dm::DataType::integer:
    case dm::DataType::time: {
      auto n = number::parse_int(text);
      if (!n) return Errc::bad_request;
      value = *type == dm::DataType::integer ? dm::Value::integer(*n) : dm::Value::time(*n);
      break;
    }
    case dm::DataType::unsigned_integer: {
      auto n = number::parse_uint(text);
      if (!n) return Errc::bad_request;
      value = dm::Value::unsigned_integer(*n);
      break;
    }
    case dm::DataType::floating: {
      auto n = number::parse_double(text);
      if (!n) return Errc::bad_request;
      value = dm::Value::floating(*n);
      break;
    }
    case dm::DataType::boolean:
      // By character rather than string_view's ==, which links a comparison function.
      if (text.size() != 1 || (text[0] != '0' && text[0] != '1')) return Errc::bad_request;
      value = dm::Value::boolean(text[0] == '1');
      break;
    case dm::DataType::opaque: {
      if (raw_) {
        value = dm::Value::opaque(payload_);
        break;
      }
      auto n =
          base64::decode(text, ctx_.scratch, base64::Alphabet::standard, base64::Padding::required);
      if (!n)
        return n.error() == Errc::buffer_too_small ? Errc::buffer_too_small : Errc::bad_request;
      value = dm::Value::opaque(ByteView{ctx_.scratch.data(), *n});
      break;
    }
    case dm::DataType::objlnk: {
      auto link = number::parse_objlnk(text);
      if (!link) return link.error();
      value = dm::Value::objlnk(link->object_id, link->instance_id);
      break;
    }
    case dm::DataType::none:
      return Errc::bad_request;  // an executable resource has no value to write
  }
  out.path = ctx_.base;
  out.value = value;
  out.time.reset();
  done_ = true;
  return true;
}

}  // namespace lwm2m::codec
