// SPDX-License-Identifier: Apache-2.0
// OMA-TLV (Content-Format 11542; OMA LwM2M Core 1.1 §7.4.3): nested binary TLVs.
//
// Each TLV: one type byte (bits 7-6: 00 object instance, 01 resource instance, 10 multiple
// resource, 11 resource with value; bit 5: 16-bit identifier; bits 4-3: size of the length
// field, 0 meaning the length is in bits 2-0), the identifier (8 or 16 bits), the length
// (0, 8, 16 or 24 bits), then the value. Integers and times are 1, 2, 4 or 8 bytes of
// two's complement, unsigned integers 1, 2, 4 or 8 bytes, floats 4 or 8 bytes of IEEE 754,
// booleans one byte, object links 4 bytes (object id, instance id), all big-endian.
#pragma once

#include <cstddef>
#include <cstdint>

#include "codec/decoder.hpp"
#include "lwm2m/bytes.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/sink.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec {

/// Encodes the records of `src` (resources and resource instances at or below `base`, in
/// depth-first order) as the TLV representation of `base`:
///   /O        object-instance TLVs, each holding its resource TLVs
///   /O/I      resource TLVs (multiple resources as type-10 TLVs holding their instances)
///   /O/I/R    the resource's TLV
///   /O/I/R/RI the resource-instance TLV
/// The length of an enclosing TLV is found by reading ahead and returning with seek(), so
/// memory use does not depend on the representation's size. Integers take the fewest of
/// 1/2/4/8 bytes, floats 4 bytes when that is exact and 8 otherwise.
///
/// Errors: not_acceptable for the root path (TLV has no form for several objects);
/// invalid_argument for a record outside `base` or above resource level, out of order, or
/// without a value; unsupported for a value longer than 2^24-1 bytes; service_unavailable
/// when the source gave a different value size on the second reading (a value changed
/// while being encoded; encoding again gives a consistent result); errors of the source.
Status encode_tlv(const dm::Path& base, RecordSource& src, Sink& out) noexcept;

/// encode_tlv() for records handed over one at a time (a RecordConsumer, e.g. for
/// dm::TreeSource::visit): the same bytes, without reading back. Call finish() after the
/// last record. A container's header is put in front of its content once that is written;
/// where the sink cannot do that (a Block2 window that keeps part of it, or more than its
/// buffer) the writer stops with start_over(): encode with encode_tlv() instead. Not in a
/// build for size (__OPTIMIZE_SIZE__), which has encode_tlv() alone.
class TlvWriter final : public RecordConsumer {
 public:
  /// Writes the TLV representation of `base` (not the root) to `out`.
  TlvWriter(const dm::Path& base, Sink& out) noexcept;
  /// Errors as encode_tlv()'s; buffer_too_small with start_over().
  Status take(const Record& r) noexcept override;
  /// Closes the containers still open.
  Status finish() noexcept;
  /// Stopped because a container's header could not be put in front of it.
  bool start_over() const noexcept { return start_over_; }

 private:
  struct Open {
    size_t from = 0;  // where its content starts in the sink
    uint16_t id = 0;
    bool open = false;
  };
  Status close(Open& c, uint8_t kind) noexcept;

  Sink& out_;
  uint64_t base_key_;
  uint64_t base_mask_;
  uint64_t last_key_ = 0;
  Open instance_;  // the object-instance TLV (below an object)
  Open resource_;  // the multiple-resource TLV
  uint8_t base_depth_;
  bool have_last_ = false;
  bool start_over_ = false;
};

/// Pull decoder yielding leaf records with absolute paths, typed through ctx.types
/// (required). What the payload may hold depends on ctx.base:
///   /O        object-instance TLVs; or resource TLVs without an instance wrapper (Create
///             without an instance id): their records have instance id kInvalidId, and the
///             core picks the id
///   /O/I      resource TLVs, or one object-instance TLV with id I around them
///   /O/I/R    the TLV of resource R (single or multiple), or bare resource-instance TLVs
///   /O/I/R/RI the resource-instance TLV with id RI
/// An empty object-instance TLV yields one record at /O/I, and an empty multiple-resource
/// TLV one record at /O/I/R, with no value (DataType::none): they carry a Create of an
/// instance without resources and a replace of a multiple resource by no instances.
///
/// Errors: truncated (the payload ends inside a TLV), malformed (a TLV longer than its
/// container, a TLV type that cannot nest where it is, the reserved identifier 65535),
/// unsupported (a top-level TLV type that does not fit the depth of ctx.base), bad_request
/// (an identifier other than ctx.base's, a value whose size or content does not fit the
/// declared type, a single-resource TLV for a multiple resource or the reverse), errors of
/// the resolver (not_found for an unknown resource). Values view the payload. The decoder
/// holds no state beyond its position: a new one over the same payload starts over.
class TlvDecoder final : public Decoder {
 public:
  TlvDecoder(ByteView payload, const DecodeContext& ctx) noexcept : payload_(payload), ctx_(ctx) {}
  Result<bool> next(Record& out) noexcept override;

 private:
  struct Header {
    uint8_t kind;  // bits 7-6 of the type byte
    uint16_t id;
    size_t begin;  // first value byte
    size_t end;    // one past the last value byte
  };
  Errc header(size_t limit, Header& h) noexcept;
  Result<bool> fail(Errc e) noexcept {
    error_ = e;
    return e;
  }
  Result<bool> leaf(const Header& h, Record& out) noexcept;  // at out.path

  ByteView payload_;
  DecodeContext ctx_;
  size_t pos_ = 0;
  size_t instance_end_ = 0;  // valid while in_instance_
  size_t resource_end_ = 0;  // valid while in_resource_
  uint16_t instance_ = dm::kInvalidId;
  uint16_t resource_ = dm::kInvalidId;
  bool in_instance_ = false;
  bool in_resource_ = false;
  uint8_t top_kind_ = 0xFF;  // kind of the first top-level TLV below an object base
  Errc error_ = Errc::ok;
};

}  // namespace lwm2m::codec
