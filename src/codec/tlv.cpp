// SPDX-License-Identifier: Apache-2.0
#include "codec/tlv.hpp"

#include <cstring>

#include "codec/json.hpp"
#include "float32_exact.hpp"

namespace lwm2m::codec {
namespace {

// Type byte, bits 7-6.
constexpr uint8_t kObjectInstance = 0;
constexpr uint8_t kResourceInstance = 1;
constexpr uint8_t kMultipleResource = 2;
constexpr uint8_t kResourceValue = 3;

constexpr size_t kMaxLength = 0xFFFFFF;  // 24-bit length field

size_t int_size(int64_t v) noexcept {
  if (v >= INT8_MIN && v <= INT8_MAX) return 1;
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}
size_t uint_size(uint64_t v) noexcept {
  if (v <= UINT8_MAX) return 1;
  if (v <= UINT16_MAX) return 2;
  if (v <= UINT32_MAX) return 4;
  return 8;
}

// Encoded size of a value; 0 with `ok` false for a record without a value.
size_t value_size(const dm::Value& v, bool& ok) noexcept {
  ok = true;
  switch (v.type()) {
    case dm::DataType::string:
    case dm::DataType::opaque:
    case dm::DataType::corelnk:
      return v.as_bytes().size();
    case dm::DataType::integer:
    case dm::DataType::time:
      return int_size(v.as_integer());
    case dm::DataType::unsigned_integer:
      return uint_size(v.as_unsigned());
    case dm::DataType::floating:
      return lwm2m::detail::float32_exact(v.as_float()) ? 4 : 8;
    case dm::DataType::boolean:
      return 1;
    case dm::DataType::objlnk:
      return 4;
    case dm::DataType::none:
      break;
  }
  ok = false;
  return 0;
}

size_t header_size(uint16_t id, size_t length) noexcept {
  size_t n = id > 0xFF ? 3 : 2;
  if (length > 0xFFFF) return n + 3;
  if (length > 0xFF) return n + 2;
  if (length > 7) return n + 1;
  return n;
}

void put_be(Sink& out, uint64_t v, size_t n) noexcept {
  uint8_t b[8];
  for (size_t i = 0; i < n; ++i)
    b[i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
  out.write({b, n});
}

// Built whole and written once: the sink's window check runs per write, not per byte.
void write_header(Sink& out, uint8_t kind, uint16_t id, size_t length) noexcept {
  uint8_t type = static_cast<uint8_t>(kind << 6);
  if (id > 0xFF) type |= 0x20;
  size_t length_bytes = length > 0xFFFF ? 3 : length > 0xFF ? 2 : length > 7 ? 1 : 0;
  type |= static_cast<uint8_t>(length_bytes << 3);
  if (length_bytes == 0) type |= static_cast<uint8_t>(length);
  uint8_t h[6];
  size_t n = 0;
  h[n++] = type;
  if (id > 0xFF) h[n++] = static_cast<uint8_t>(id >> 8);
  h[n++] = static_cast<uint8_t>(id);
  for (size_t i = length_bytes; i > 0; --i)
    h[n++] = static_cast<uint8_t>(length >> (8 * (i - 1)));
  out.write({h, n});
}

void write_value(Sink& out, const dm::Value& v, size_t size) noexcept {
  switch (v.type()) {
    case dm::DataType::string:
    case dm::DataType::opaque:
    case dm::DataType::corelnk:
      out.write(v.as_bytes());
      break;
    case dm::DataType::integer:
    case dm::DataType::time:
      put_be(out, static_cast<uint64_t>(v.as_integer()), size);
      break;
    case dm::DataType::unsigned_integer:
      put_be(out, v.as_unsigned(), size);
      break;
    case dm::DataType::floating:
      if (size == 4) {
        float f = static_cast<float>(v.as_float());
        uint32_t bits;
        std::memcpy(&bits, &f, sizeof bits);
        put_be(out, bits, 4);
      } else {
        double d = v.as_float();
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        put_be(out, bits, 8);
      }
      break;
    case dm::DataType::boolean:
      out.put(v.as_bool() ? 1 : 0);
      break;
    case dm::DataType::objlnk:
      put_be(out, v.as_objlnk().object_id, 2);
      put_be(out, v.as_objlnk().instance_id, 2);
      break;
    case dm::DataType::none:
      break;
  }
}

// A one-record look-ahead over a RecordSource that can return to any record it has seen.
class Walker {
 public:
  Walker(const dm::Path& base, RecordSource& src) noexcept : base_(base), src_(src) {}

  Status advance() noexcept {
    at_ = src_.tell();
    auto r = src_.next(rec_);
    if (!r) return r.status();
    have_ = *r;
    if (have_) {
      // Leaves only, below the base, in depth-first order.
      const dm::Path& p = rec_.path;
      if (p.depth() < 3 || !base_.is_prefix_of(p)) return Errc::invalid_argument;
      if (have_last_ && !(last_ < p)) return Errc::invalid_argument;
      last_ = p;
      have_last_ = true;
    }
    return {};
  }
  /// Returns to a record seen earlier (the position tell() gave before reading it).
  Status rewind(const Cursor& c) noexcept {
    src_.seek(c);
    have_last_ = false;
    return advance();
  }
  bool have() const noexcept { return have_; }
  const Record& rec() const noexcept { return rec_; }
  const Cursor& at() const noexcept { return at_; }

 private:
  const dm::Path& base_;
  RecordSource& src_;
  Record rec_;
  Cursor at_;
  dm::Path last_;
  bool have_ = false;
  bool have_last_ = false;
};

dm::Path prefix(const dm::Path& p, size_t depth) noexcept {
  dm::Path r = p;
  while (r.depth() > depth)
    r = r.parent();
  return r;
}

// Size of the current record's TLV (resource with value or resource instance).
Result<size_t> leaf_size(const Record& rec) noexcept {
  bool ok;
  size_t n = value_size(rec.value, ok);
  if (!ok) return Errc::invalid_argument;
  if (n > kMaxLength) return Errc::unsupported;
  return header_size(rec.path.id(rec.path.depth() - 1), n) + n;
}

// Content size of the multiple resource `res` starting at the current record, consuming
// its records.
Result<size_t> multiple_content(Walker& w, const dm::Path& res) noexcept {
  size_t content = 0;
  while (w.have() && res.is_prefix_of(w.rec().path)) {
    if (w.rec().path.depth() != 4) return Errc::invalid_argument;
    auto n = leaf_size(w.rec());
    if (!n) return n;
    content += *n;
    LWM2M_TRY(w.advance());
  }
  if (content > kMaxLength) return Errc::unsupported;
  return content;
}

// Total size of the resource `res` starting at the current record, consuming its records.
Result<size_t> resource_size(Walker& w, const dm::Path& res) noexcept {
  if (w.rec().path.depth() == 3) {
    auto n = leaf_size(w.rec());
    if (!n) return n;
    LWM2M_TRY(w.advance());
    return *n;
  }
  auto content = multiple_content(w, res);
  if (!content) return content;
  return header_size(res.resource(), *content) + *content;
}

Result<size_t> instance_content(Walker& w, const dm::Path& inst) noexcept {
  size_t content = 0;
  while (w.have() && inst.is_prefix_of(w.rec().path)) {
    auto n = resource_size(w, prefix(w.rec().path, 3));
    if (!n) return n;
    content += *n;
  }
  if (content > kMaxLength) return Errc::unsupported;
  return content;
}

// Writes a leaf TLV for the current record and moves on; returns its size.
Result<size_t> emit_leaf(Walker& w, uint8_t kind, Sink& out) noexcept {
  const Record& rec = w.rec();
  bool ok;
  size_t n = value_size(rec.value, ok);
  if (!ok) return Errc::invalid_argument;
  if (n > kMaxLength) return Errc::unsupported;
  const uint16_t id = rec.path.id(rec.path.depth() - 1);
  write_header(out, kind, id, n);
  write_value(out, rec.value, n);
  LWM2M_TRY(w.advance());
  return header_size(id, n) + n;
}

// Writes the resource `res` from the current record; returns the bytes written.
Result<size_t> emit_resource(Walker& w, const dm::Path& res, Sink& out) noexcept {
  if (w.rec().path.depth() == 3) return emit_leaf(w, kResourceValue, out);
  const Cursor start = w.at();
  auto content = multiple_content(w, res);
  if (!content) return content;
  LWM2M_TRY(w.rewind(start));
  write_header(out, kMultipleResource, res.resource(), *content);
  size_t written = 0;
  while (w.have() && res.is_prefix_of(w.rec().path)) {
    auto n = emit_leaf(w, kResourceInstance, out);
    if (!n) return n;
    written += *n;
  }
  if (written != *content) return Errc::service_unavailable;
  return header_size(res.resource(), *content) + *content;
}

Status emit_instance(Walker& w, const dm::Path& inst, Sink& out) noexcept {
  const Cursor start = w.at();
  auto content = instance_content(w, inst);
  if (!content) return content.status();
  LWM2M_TRY(w.rewind(start));
  write_header(out, kObjectInstance, inst.instance(), *content);
  size_t written = 0;
  while (w.have() && inst.is_prefix_of(w.rec().path)) {
    auto n = emit_resource(w, prefix(w.rec().path, 3), out);
    if (!n) return n.status();
    written += *n;
  }
  return written == *content ? Errc::ok : Errc::service_unavailable;
}

}  // namespace

Status encode_tlv(const dm::Path& base, RecordSource& src, Sink& out) noexcept {
  if (base.is_root()) return Errc::not_acceptable;
  Walker w{base, src};
  LWM2M_TRY(w.advance());
  while (w.have()) {
    switch (base.depth()) {
      case 1:
        LWM2M_TRY(emit_instance(w, prefix(w.rec().path, 2), out));
        break;
      case 2:
      case 3: {
        auto n = emit_resource(w, prefix(w.rec().path, 3), out);
        if (!n) return n.status();
        break;
      }
      default: {
        auto n = emit_leaf(w, kResourceInstance, out);
        if (!n) return n.status();
      }
    }
  }
  return {};
}

// ---- decoder ----

Result<TlvDecoder::Header> TlvDecoder::header(size_t limit) noexcept {
  const size_t size = payload_.size();
  const uint8_t* p = payload_.data();
  // Running out of the payload is truncation; out of an enclosing TLV, a format error.
  const Errc overrun = limit == size ? Errc::truncated : Errc::malformed;
  size_t pos = pos_;
  const uint8_t type = p[pos++];
  const size_t id_bytes = (type & 0x20) ? 2 : 1;
  const size_t length_bytes = (type >> 3) & 3;
  if (limit - pos < id_bytes + length_bytes) return overrun;
  Header h;
  h.kind = type >> 6;
  h.id = p[pos];
  if (id_bytes == 2) h.id = static_cast<uint16_t>(h.id << 8 | p[pos + 1]);
  pos += id_bytes;
  if (h.id == dm::kInvalidId) return Errc::malformed;
  size_t length = type & 7;
  if (length_bytes != 0) {
    length = 0;
    for (size_t i = 0; i < length_bytes; ++i)
      length = length << 8 | p[pos + i];
    pos += length_bytes;
  }
  if (limit - pos < length) return overrun;
  h.begin = pos;
  h.end = pos + length;
  return h;
}

namespace {

uint64_t read_be(const uint8_t* p, size_t n) noexcept {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v = v << 8 | p[i];
  return v;
}

Result<dm::Value> decode_value(dm::DataType type, ByteView b) noexcept {
  const size_t n = b.size();
  const bool int_size_ok = n == 1 || n == 2 || n == 4 || n == 8;
  // Every fixed-size type is a big-endian number of up to 8 bytes: read it once.
  const uint64_t u = n <= 8 ? read_be(b.data(), n) : 0;
  switch (type) {
    case dm::DataType::string:
    case dm::DataType::corelnk:
      if (!json::valid_utf8(as_string(b))) return Errc::bad_request;
      return type == dm::DataType::string ? dm::Value::string(as_string(b))
                                          : dm::Value::corelnk(as_string(b));
    case dm::DataType::opaque:
      return dm::Value::opaque(b);
    case dm::DataType::integer:
    case dm::DataType::time: {
      if (!int_size_ok) return Errc::bad_request;
      uint64_t x = u;
      if (n < 8 && (x >> (8 * n - 1)) != 0) x |= ~uint64_t{0} << (8 * n);  // sign-extend
      const auto v = static_cast<int64_t>(x);
      return type == dm::DataType::integer ? dm::Value::integer(v) : dm::Value::time(v);
    }
    case dm::DataType::unsigned_integer:
      if (!int_size_ok) return Errc::bad_request;
      return dm::Value::unsigned_integer(u);
    case dm::DataType::floating:
      if (n == 4) {
        const auto bits = static_cast<uint32_t>(u);
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return dm::Value::floating(f);
      }
      if (n == 8) {
        double d;
        std::memcpy(&d, &u, sizeof d);
        return dm::Value::floating(d);
      }
      return Errc::bad_request;
    case dm::DataType::boolean:
      if (n != 1 || u > 1) return Errc::bad_request;
      return dm::Value::boolean(u == 1);
    case dm::DataType::objlnk:
      if (n != 4) return Errc::bad_request;
      return dm::Value::objlnk(static_cast<uint16_t>(u >> 16), static_cast<uint16_t>(u));
    case dm::DataType::none:
      break;
  }
  return Errc::bad_request;  // an executable resource has no value to write
}

}  // namespace

Result<bool> TlvDecoder::leaf(const dm::Path& path, const Header& h, Record& out) noexcept {
  if (ctx_.types == nullptr) return fail(Errc::invalid_state);
  auto type = ctx_.types->type_of(path);
  if (!type) {
    // Tell a resource sent with the wrong multiplicity from an unknown one.
    if (type.error() == Errc::not_found) {
      const dm::Path other = path.depth() == 4
                                 ? path.parent()
                                 : dm::Path(path.object(), path.instance(), path.resource(), 0);
      if (ctx_.types->type_of(other).ok()) return fail(Errc::bad_request);
    }
    return fail(type.error());
  }
  auto value = decode_value(*type, payload_.subspan(h.begin, h.end - h.begin));
  if (!value) return fail(value.error());
  out.path = path;
  out.value = *value;
  out.time.reset();
  pos_ = h.end;
  return true;
}

Result<bool> TlvDecoder::next(Record& out) noexcept {
  if (error_ != Errc::ok) return error_;
  const dm::Path& base = ctx_.base;
  for (;;) {
    if (in_resource_ && pos_ == resource_end_) in_resource_ = false;
    if (in_instance_ && pos_ == instance_end_) in_instance_ = false;
    if (pos_ == payload_.size()) return false;

    const size_t limit = in_resource_   ? resource_end_
                         : in_instance_ ? instance_end_
                                        : payload_.size();
    auto h = header(limit);
    if (!h) return fail(h.error());

    if (in_resource_) {
      if (h->kind != kResourceInstance) return fail(Errc::malformed);
      return leaf(dm::Path(base.object(), instance_, resource_, h->id), *h, out);
    }

    const bool top = !in_instance_;
    if (top && base.depth() == 0) return fail(Errc::bad_request);
    if (h->kind == kObjectInstance) {
      if (!top || base.depth() > 2) return fail(top ? Errc::unsupported : Errc::malformed);
      if (base.depth() == 1) {
        if (top_kind_ != 0xFF && top_kind_ != kObjectInstance) return fail(Errc::unsupported);
        top_kind_ = kObjectInstance;
      } else if (h->id != base.instance()) {
        return fail(Errc::bad_request);
      }
      pos_ = h->begin;
      if (h->begin == h->end) {
        // An instance without resources (Create with only an instance id).
        out.path = dm::Path(base.object(), h->id);
        out.value = dm::Value{};
        out.time.reset();
        return true;
      }
      instance_ = h->id;
      instance_end_ = h->end;
      in_instance_ = true;
      continue;
    }

    // Resource-level TLVs: inside an instance, or at the top below an object, instance or
    // resource base.
    uint16_t iid = in_instance_ ? instance_ : base.instance();
    if (top) {
      switch (base.depth()) {
        case 1:
          if (h->kind == kResourceInstance) return fail(Errc::unsupported);
          if (top_kind_ != 0xFF && top_kind_ != kResourceValue) return fail(Errc::unsupported);
          top_kind_ = kResourceValue;  // resources without an instance: Create without id
          iid = dm::kInvalidId;
          break;
        case 2:
          if (h->kind == kResourceInstance) return fail(Errc::unsupported);
          break;
        case 3:
          if (h->kind == kResourceInstance)
            return leaf(dm::Path(base.object(), iid, base.resource(), h->id), *h, out);
          if (h->id != base.resource()) return fail(Errc::bad_request);
          break;
        default:
          if (h->kind != kResourceInstance) return fail(Errc::unsupported);
          if (h->id != base.resource_instance()) return fail(Errc::bad_request);
          return leaf(base, *h, out);
      }
    } else if (h->kind == kResourceInstance) {
      return fail(Errc::malformed);
    }

    if (h->kind == kResourceValue) return leaf(dm::Path(base.object(), iid, h->id), *h, out);

    // A multiple resource: descend into its instances.
    pos_ = h->begin;
    if (h->begin == h->end) {
      out.path = dm::Path(base.object(), iid, h->id);
      out.value = dm::Value{};
      out.time.reset();
      return true;
    }
    instance_ = iid;
    resource_ = h->id;
    resource_end_ = h->end;
    in_resource_ = true;
  }
}

}  // namespace lwm2m::codec
