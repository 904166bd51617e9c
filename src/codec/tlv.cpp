// SPDX-License-Identifier: Apache-2.0
#include "codec/tlv.hpp"

#include <bit>
#include <cstring>

#include "codec/utf8.hpp"
#include "float32_exact.hpp"
#include "to_double.hpp"

namespace lwm2m::codec {
namespace {

// Type byte, bits 7-6.
constexpr uint8_t kObjectInstance = 0;
constexpr uint8_t kResourceInstance = 1;
constexpr uint8_t kMultipleResource = 2;
constexpr uint8_t kResourceValue = 3;

constexpr size_t kMaxLength = 0xFFFFFF;  // 24-bit length field

size_t uint_size(uint64_t v) noexcept {
  if (v <= UINT8_MAX) return 1;
  if (v <= UINT16_MAX) return 2;
  if (v <= UINT32_MAX) return 4;
  return 8;
}
// A two's complement integer fits n bytes when its bits above the sign bit repeat the sign:
// the size of the unsigned value with those bits cleared and the sign bit moved up (one
// ladder for both kinds).
size_t int_size(int64_t v) noexcept {
  const auto u = static_cast<uint64_t>(v);
  return uint_size((u ^ static_cast<uint64_t>(v >> 63)) << 1);
}

// From the last byte back: a constant shift per byte, no 64-bit variable shifts.
uint8_t* store_be(uint8_t* p, uint64_t v, size_t n) noexcept {
  for (size_t i = n; i-- > 0; v >>= 8)
    p[i] = static_cast<uint8_t>(v);
  return p + n;
}

// Builds a header into `h` (6 bytes suffice) and returns its size.
size_t store_header(uint8_t* h, uint8_t kind, uint16_t id, size_t length) noexcept {
  uint8_t type = static_cast<uint8_t>(kind << 6);
  if (id > 0xFF) type |= 0x20;
  size_t length_bytes = length > 0xFFFF ? 3 : length > 0xFF ? 2 : length > 7 ? 1 : 0;
  type |= static_cast<uint8_t>(length_bytes << 3);
  if (length_bytes == 0) type |= static_cast<uint8_t>(length);
  uint8_t* p = h;
  *p++ = type;
  if (id > 0xFF) *p++ = static_cast<uint8_t>(id >> 8);
  *p++ = static_cast<uint8_t>(id);
  // The length in 32-bit arithmetic (store_be() is for 64-bit values).
  for (size_t i = length_bytes; i-- > 0; length >>= 8)
    p[i] = static_cast<uint8_t>(length);
  return static_cast<size_t>(p + length_bytes - h);
}

// Up to 8 bytes without a call: fixed-size copies compile to plain loads and stores.
[[maybe_unused]] void copy_short(uint8_t* dst, const uint8_t* src, size_t n) noexcept {
  if (n & 8) {
    std::memcpy(dst, src, 8);
    return;  // n <= 8
  }
  if (n & 4) {
    std::memcpy(dst, src, 4);
    dst += 4;
    src += 4;
  }
  if (n & 2) {
    std::memcpy(dst, src, 2);
    dst += 2;
    src += 2;
  }
  if (n & 1) *dst = *src;
}

// The leaf writer is inlined into its two users in a host build (one call fewer per
// record); a build for size leaves the choice to the compiler, as before.
#ifdef __OPTIMIZE_SIZE__
#define LWM2M_TLV_HOT_INLINE inline
#else
#define LWM2M_TLV_HOT_INLINE [[gnu::always_inline]] inline
#endif

// Writes a leaf TLV. Built in one buffer and written once (bytes values apart): the sink's
// window check runs per write, not per byte.
LWM2M_TLV_HOT_INLINE Status write_leaf(Sink& out, uint8_t kind, uint16_t id,
                                       const dm::Value& v) noexcept {
  uint64_t bits = 0;  // a number's bytes, big-endian in the low `size` bytes
  size_t size;
  bool bytes = false;  // the value's own bytes follow the header
  switch (v.type()) {
    case dm::DataType::string:
    case dm::DataType::opaque:
    case dm::DataType::corelnk:
      size = v.as_bytes().size();
      if (size > kMaxLength) return Errc::unsupported;
      bytes = true;
      break;
    case dm::DataType::integer:
    case dm::DataType::time:
      size = int_size(v.as_integer());
      bits = static_cast<uint64_t>(v.as_integer());
      break;
    case dm::DataType::unsigned_integer:
      size = uint_size(v.as_unsigned());
      bits = v.as_unsigned();
      break;
    case dm::DataType::floating: {
      uint32_t b32;
      if (lwm2m::detail::float32_exact(v.as_float(), b32)) {
        bits = b32;
        size = 4;
      } else {
        bits = std::bit_cast<uint64_t>(v.as_float());
        size = 8;
      }
      break;
    }
    case dm::DataType::boolean:
      size = 1;
      bits = v.as_bool() ? 1 : 0;
      break;
    case dm::DataType::objlnk:
      size = 4;
      bits = uint32_t{v.as_objlnk().object_id} << 16 | v.as_objlnk().instance_id;
      break;
    default:  // none: a record without a value
      return Errc::invalid_argument;
  }
#ifndef __OPTIMIZE_SIZE__
  // Built in place when the sink keeps the whole TLV (not in a build for size: the way
  // below alone is shorter).
  // Room for the longest header asked for, so that the header's size is known only once
  // it is written.
  if (!bytes || size <= 8) {
    if (uint8_t* at = out.room(6 + size)) {
      const size_t whole = store_header(at, kind, id, size) + size;
      if (bytes) {
        copy_short(at + whole - size, v.as_bytes().data(), size);
      } else {
        store_be(at + whole - size, bits, size);
      }
      out.commit(whole);
      return {};
    }
  }
#endif
  uint8_t b[6 + 8];
  const size_t h = store_header(b, kind, id, size);
  if (bytes) {
    out.write({b, h});
    out.write(v.as_bytes());
  } else {
    store_be(b + h, bits, size);
    out.write({b, h + size});
  }
  return {};
}

// A one-record look-ahead over a RecordSource. A marking walker notes where each record
// starts, so that it can return to any record it has seen; the first walk does without
// (the usual case needs no return) and asks for a marking one when it does.
class Walker {
 public:
  Walker(const dm::Path& base, RecordSource& src, bool marking) noexcept
      : base_(base), src_(src), marking_(marking) {}

  Status advance() noexcept {
    if (marking_) at_ = src_.tell();
    auto r = src_.next(rec_);
    if (!r) return r.status();
    have_ = *r;
    if (have_) {
      // Leaves only, below the base, in depth-first order.
      // (Paths order as depth-first order: a resource before its instances.)
      const dm::Path& p = rec_.path;
      if (p.depth() < 3 || !base_.is_prefix_of(p) || !(last_ < p)) return Errc::invalid_argument;
      last_ = p;
    }
    return {};
  }
  /// Returns to a record seen earlier (the position tell() gave before reading it).
  Status rewind(const Cursor& c) noexcept {
    src_.seek(c);
    last_ = dm::Path(0);
    return advance();
  }
  bool have() const noexcept { return have_; }
  const Record& rec() const noexcept { return rec_; }
  /// Where the current record starts (a marking walker only).
  const Cursor& at() const noexcept { return at_; }
  bool marking() const noexcept { return marking_; }
  /// Stops a walk that cannot go on without marks: the encoding starts over with them.
  Status need_marks() noexcept {
    marks_needed_ = true;
    return Errc::buffer_too_small;
  }
  bool marks_needed() const noexcept { return marks_needed_; }

 private:
  const dm::Path& base_;
  Record rec_;
  Cursor at_;
  dm::Path last_{0};  ///< the last record's path; /0 (before every leaf) at first
  RecordSource& src_;
  bool marking_;
  bool marks_needed_ = false;
  bool have_ = false;
};

// The encoder's functions return a status alone: what they wrote is what the sink's
// total() grew by (it counts the bytes outside its window too).

// Writes a leaf TLV for the current record and moves on.
Status emit_leaf(Walker& w, uint8_t kind, Sink& out) noexcept {
  const Record& rec = w.rec();
  LWM2M_TRY(write_leaf(out, kind, rec.path.id(rec.path.depth() - 1), rec.value));
  return w.advance();
}

Status emit_children(Walker& w, const dm::Path& parent, Sink& out) noexcept;

// Writes a TLV of `kind` and `id` holding the TLVs of the records below `parent`. The
// children go out first, then their header is put in front of them: one pass over the
// records. Where the sink cannot do that (a Block2 window, or more than its buffer), the
// records are read again after the header.
Status emit_parent(Walker& w, uint8_t kind, uint16_t id, const dm::Path& parent,
                   Sink& out) noexcept {
  const Cursor start = w.at();
  const size_t from = out.total();
  LWM2M_TRY(emit_children(w, parent, out));
  const size_t content = out.total() - from;
  if (content > kMaxLength) return Errc::unsupported;
  uint8_t h[6];
  const size_t n = store_header(h, kind, id, content);
  if (out.insert(from, {h, n})) return {};
  if (!w.marking()) return w.need_marks();
  out.truncate(from);
  LWM2M_TRY(w.rewind(start));
  out.write({h, n});
  LWM2M_TRY(emit_children(w, parent, out));
  if (out.total() - from != n + content) return Errc::service_unavailable;  // values changed
  return {};
}

// Writes the TLV at `depth` (2 an object instance, 3 a resource, 4 a resource instance)
// that holds the current record (a leaf: depth >= 3, checked by the walker). One function
// for every level: a record at that depth is a leaf TLV, one deeper is in a container (an
// instance, or a multiple resource) named by its id at that depth.
Status emit_node(Walker& w, size_t depth, Sink& out) noexcept {
  const dm::Path& p = w.rec().path;
  if (p.depth() == depth) return emit_leaf(w, depth == 3 ? kResourceValue : kResourceInstance, out);
  const bool instance = depth == 2;
  return emit_parent(w, instance ? kObjectInstance : kMultipleResource, p.id(depth - 1),
                     instance ? dm::Path(p.object(), p.instance())
                              : dm::Path(p.object(), p.instance(), p.resource()),
                     out);
}

// Writes the TLVs below `parent` from the current record on.
Status emit_children(Walker& w, const dm::Path& parent, Sink& out) noexcept {
  while (w.have() && parent.is_prefix_of(w.rec().path))
    LWM2M_TRY(emit_node(w, parent.depth() + 1, out));
  return {};
}

Status encode_records(Walker& w, const dm::Path& base, Sink& out) noexcept {
  LWM2M_TRY(w.advance());
  // The TLVs at the top: instances below an object, resources below an instance, the
  // resource or resource instance itself.
  const size_t top = base.depth() <= 2 ? base.depth() + 1 : base.depth();
  while (w.have())
    LWM2M_TRY(emit_node(w, top, out));
  return {};
}

}  // namespace

Status encode_tlv(const dm::Path& base, RecordSource& src, Sink& out) noexcept {
  if (base.is_root()) return Errc::not_acceptable;
  const Cursor begin = src.tell();
  const size_t from = out.total();
  // One walker at a time on the stack: the second pass (with marks) reuses the slot.
  for (bool marking = false;; marking = true) {
    Walker w{base, src, marking};
    const Status st = encode_records(w, base, out);
    if (marking || !w.marks_needed()) return st;
    out.truncate(from);
    src.seek(begin);
  }
}

// ---- the same, records pushed ----

// Not in a build for size, which encodes with encode_tlv() alone (the core's use of the
// writer is left out there too): its code would change how the compiler shares the
// helpers above, to more bytes.
#ifndef __OPTIMIZE_SIZE__

namespace {
// A path's place in depth-first order as one number, for leaves (depth 3 and 4): a
// resource sorts before its instances. Levels below a shorter path's depth read 65535.
// The writer's checks per record in a few 64-bit operations (the walker compares paths).
uint64_t order_key(const dm::Path& p) noexcept {
  const uint64_t k =
      uint64_t{p.object()} << 48 | uint64_t{p.instance()} << 32 | uint64_t{p.resource()} << 16;
  return p.depth() == 4 ? k | (p.resource_instance() + 1u) : k;
}
}  // namespace

TlvWriter::TlvWriter(const dm::Path& base, Sink& out) noexcept
    : out_(out),
      base_key_(order_key(base)),
      base_mask_(~uint64_t{0} << (64 - 16 * base.depth())),
      base_depth_(static_cast<uint8_t>(base.depth())) {}

Status TlvWriter::close(Open& c, uint8_t kind) noexcept {
  if (!c.open) return {};
  c.open = false;
  const size_t content = out_.total() - c.from;
  if (content > kMaxLength) return Errc::unsupported;
  uint8_t h[6];
  if (out_.insert(c.from, {h, store_header(h, kind, c.id, content)})) return {};
  start_over_ = true;
  return Errc::buffer_too_small;
}

Status TlvWriter::take(const Record& r) noexcept {
  // What the pull encoder's walker checks: leaves only, below the base, in order.
  const dm::Path& p = r.path;
  const uint64_t key = order_key(p);
  if (p.depth() < 3 || ((key ^ base_key_) & base_mask_) != 0) return Errc::invalid_argument;
  if (have_last_ && key <= last_key_) return Errc::invalid_argument;
  last_key_ = key;
  have_last_ = true;
  if (resource_.open && (p.depth() == 3 || p.resource() != resource_.id ||
                         (instance_.open && p.instance() != instance_.id))) {
    LWM2M_TRY(close(resource_, kMultipleResource));
  }
  if (base_depth_ == 1 && !(instance_.open && p.instance() == instance_.id)) {
    LWM2M_TRY(close(instance_, kObjectInstance));
    instance_ = {out_.total(), p.instance(), true};
  }
  if (p.depth() == 3) return write_leaf(out_, kResourceValue, p.resource(), r.value);
  if (base_depth_ <= 3 && !resource_.open) resource_ = {out_.total(), p.resource(), true};
  return write_leaf(out_, kResourceInstance, p.resource_instance(), r.value);
}

Status TlvWriter::finish() noexcept {
  LWM2M_TRY(close(resource_, kMultipleResource));
  return close(instance_, kObjectInstance);
}
#endif

// ---- decoder ----

// An Errc and the header in `h` rather than a Result<Header>: no copy through memory.
Errc TlvDecoder::header(size_t limit, Header& h) noexcept {
  const size_t size = payload_.size();
  const uint8_t* p = payload_.data();
  // Running out of the payload is truncation; out of an enclosing TLV, a format error.
  const Errc overrun = limit == size ? Errc::truncated : Errc::malformed;
  size_t pos = pos_;
  const uint8_t type = p[pos++];
  const size_t id_bytes = (type & 0x20) ? 2 : 1;
  const size_t length_bytes = (type >> 3) & 3;
  if (limit - pos < id_bytes + length_bytes) return overrun;
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
  return Errc::ok;
}

namespace {

uint64_t read_be(const uint8_t* p, size_t n) noexcept {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v = v << 8 | p[i];
  return v;
}

// The value of `type` in `b`, into `out` (left as it was on an error: the decoder stops).
// An Errc rather than a Result<dm::Value>: the value is built once, in its record.
Errc decode_value(dm::DataType type, ByteView b, dm::Value& out) noexcept {
  const size_t n = b.size();
  const bool int_size_ok = n == 1 || n == 2 || n == 4 || n == 8;
  // Every fixed-size type is a big-endian number of up to 8 bytes: read it once.
  const uint64_t u = n <= 8 ? read_be(b.data(), n) : 0;
  switch (type) {
    case dm::DataType::string:
    case dm::DataType::corelnk:
      if (!valid_utf8(as_string(b))) return Errc::bad_request;
      out = type == dm::DataType::string ? dm::Value::string(as_string(b))
                                         : dm::Value::corelnk(as_string(b));
      return Errc::ok;
    case dm::DataType::opaque:
      out = dm::Value::opaque(b);
      return Errc::ok;
    case dm::DataType::integer:
    case dm::DataType::time: {
      if (!int_size_ok) return Errc::bad_request;
      // Sign-extended from the value's width by the narrow types (no 64-bit shifts).
      const int64_t v = n == 1   ? int64_t{static_cast<int8_t>(u)}
                        : n == 2 ? int64_t{static_cast<int16_t>(u)}
                        : n == 4 ? int64_t{static_cast<int32_t>(u)}
                                 : static_cast<int64_t>(u);
      out = type == dm::DataType::integer ? dm::Value::integer(v) : dm::Value::time(v);
      return Errc::ok;
    }
    case dm::DataType::unsigned_integer:
      if (!int_size_ok) return Errc::bad_request;
      out = dm::Value::unsigned_integer(u);
      return Errc::ok;
    case dm::DataType::floating:
      if (n == 4) {
        const auto bits = static_cast<uint32_t>(u);
        float f;
        std::memcpy(&f, &bits, sizeof f);
        out = dm::Value::floating(lwm2m::detail::to_double(f));
        return Errc::ok;
      }
      if (n == 8) {
        double d;
        std::memcpy(&d, &u, sizeof d);
        out = dm::Value::floating(d);
        return Errc::ok;
      }
      return Errc::bad_request;
    case dm::DataType::boolean:
      if (n != 1 || u > 1) return Errc::bad_request;
      out = dm::Value::boolean(u == 1);
      return Errc::ok;
    case dm::DataType::objlnk:
      if (n != 4) return Errc::bad_request;
      out = dm::Value::objlnk(static_cast<uint16_t>(u >> 16), static_cast<uint16_t>(u));
      return Errc::ok;
    case dm::DataType::none:
      break;
  }
  return Errc::bad_request;  // an executable resource has no value to write
}

}  // namespace

// The caller has put the leaf's path in out.path (the record is the caller's to drop on an
// error): each path is built once, where it goes.
Result<bool> TlvDecoder::leaf(const Header& h, Record& out) noexcept {
  const dm::Path& path = out.path;
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
  if (const Errc e = decode_value(*type, payload_.subspan(h.begin, h.end - h.begin), out.value);
      e != Errc::ok)
    return fail(e);
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
    Header h;
    if (const Errc e = header(limit, h); e != Errc::ok) return fail(e);

    if (in_resource_) {
      if (h.kind != kResourceInstance) return fail(Errc::malformed);
      out.path = dm::Path(base.object(), instance_, resource_, h.id);
      return leaf(h, out);
    }

    const bool top = !in_instance_;
    if (top && base.depth() == 0) return fail(Errc::bad_request);
    if (h.kind == kObjectInstance) {
      if (!top || base.depth() > 2) return fail(top ? Errc::unsupported : Errc::malformed);
      if (base.depth() == 1) {
        if (top_kind_ != 0xFF && top_kind_ != kObjectInstance) return fail(Errc::unsupported);
        top_kind_ = kObjectInstance;
      } else if (h.id != base.instance()) {
        return fail(Errc::bad_request);
      }
      pos_ = h.begin;
      if (h.begin == h.end) {
        // An instance without resources (Create with only an instance id).
        out.path = dm::Path(base.object(), h.id);
        out.value = dm::Value{};
        out.time.reset();
        return true;
      }
      instance_ = h.id;
      instance_end_ = h.end;
      in_instance_ = true;
      continue;
    }

    // Resource-level TLVs: inside an instance, or at the top below an object, instance or
    // resource base.
    uint16_t iid = in_instance_ ? instance_ : base.instance();
    if (top) {
      switch (base.depth()) {
        case 1:
          if (h.kind == kResourceInstance) return fail(Errc::unsupported);
          if (top_kind_ != 0xFF && top_kind_ != kResourceValue) return fail(Errc::unsupported);
          top_kind_ = kResourceValue;  // resources without an instance: Create without id
          iid = dm::kInvalidId;
          break;
        case 2:
          if (h.kind == kResourceInstance) return fail(Errc::unsupported);
          break;
        case 3:
          if (h.kind == kResourceInstance) {
            out.path = dm::Path(base.object(), iid, base.resource(), h.id);
            return leaf(h, out);
          }
          if (h.id != base.resource()) return fail(Errc::bad_request);
          break;
        default:
          if (h.kind != kResourceInstance) return fail(Errc::unsupported);
          if (h.id != base.resource_instance()) return fail(Errc::bad_request);
          out.path = base;
          return leaf(h, out);
      }
    } else if (h.kind == kResourceInstance) {
      return fail(Errc::malformed);
    }

    if (h.kind == kResourceValue) {
      out.path = dm::Path(base.object(), iid, h.id);
      return leaf(h, out);
    }

    // A multiple resource: descend into its instances.
    pos_ = h.begin;
    if (h.begin == h.end) {
      out.path = dm::Path(base.object(), iid, h.id);
      out.value = dm::Value{};
      out.time.reset();
      return true;
    }
    instance_ = iid;
    resource_ = h.id;
    resource_end_ = h.end;
    in_resource_ = true;
  }
}

}  // namespace lwm2m::codec
