// The seam between the data model and the content formats (one encoder/decoder pair per
// format). Objects never see a wire format; formats never see objects.
//
// Encoders PULL records from a RecordSource. A source can report its position and return
// to it, so an encoder that must know a size before it writes (TLV lengths, CBOR array and
// map counts) scans ahead and comes back, with O(1) memory. The same property lets the
// core re-encode a representation for each Block2 block through a windowed Sink.
//
// Decoders are PULL readers over one complete payload, yielding records one by one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "lwm2m/bytes.hpp"
#include "lwm2m/codec/content_format.hpp"
#include "lwm2m/codec/sink.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/dm/value.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec {

/// One leaf of a representation: an absolute path and its value, with an optional
/// timestamp (SenML "t"/"bt", used by Send and notifications with history).
///
/// A record whose value is none has no value: a Read-Composite request (names only), or a
/// leaf an encoder must name without a value.
struct Record {
  dm::Path path;
  dm::Value value;
  std::optional<double> time;  ///< seconds; absolute (>= 2^28) or relative, per RFC 8428
};

/// A position in a RecordSource. Opaque to encoders: they only save and restore it.
struct Cursor {
  uint32_t index = 0;
  dm::Path path;
};

/// A stream of records in the order the data model walks them: depth-first, ascending ids
/// (a composite source yields its requested paths in request order, each walked
/// depth-first). Byte views in a record stay valid until the next call to next() or seek().
class RecordSource {
 public:
  virtual ~RecordSource() = default;
  /// The next record; false at the end. Errors come from the data model (e.g. a read
  /// handler failing) and abort the encoding.
  virtual Result<bool> next(Record& out) noexcept = 0;
  /// The current position (before the record the next call to next() returns).
  virtual Cursor tell() const noexcept = 0;
  /// Returns to a position obtained from tell() on this source.
  virtual void seek(const Cursor& c) noexcept = 0;
};

/// A source over records held in memory (tests, Send of a prepared list, notifications).
class SpanSource final : public RecordSource {
 public:
  explicit SpanSource(std::span<const Record> records) noexcept : records_(records) {}
  Result<bool> next(Record& out) noexcept override {
    if (pos_ >= records_.size()) return false;
    out = records_[pos_++];
    return true;
  }
  Cursor tell() const noexcept override { return Cursor{static_cast<uint32_t>(pos_), {}}; }
  void seek(const Cursor& c) noexcept override { pos_ = c.index; }

 private:
  std::span<const Record> records_;
  size_t pos_ = 0;
};

/// Tells decoders the declared type of a resource, because text, TLV and JSON numbers do
/// not carry it. Returns not_found for a path the data model does not know; decoders pass
/// that error on (it becomes 4.04).
class TypeResolver {
 public:
  virtual ~TypeResolver() = default;
  virtual Result<dm::DataType> type_of(const dm::Path& path) const noexcept = 0;
};

/// What a decoder needs besides the payload.
struct DecodeContext {
  /// The request's target (Uri-Path). Relative names in the payload (TLV ids, SenML names
  /// after the base name, LwM2M CBOR keys) are resolved against the formats' own rules;
  /// formats whose names are absolute (SenML, LwM2M CBOR) check that every record lies
  /// at or below it.
  dm::Path base;
  /// Needed by formats that do not carry types (text, TLV, JSON numbers). May be null for
  /// formats that do not need it.
  const TypeResolver* types = nullptr;
  /// Room for values that cannot be views into the payload (unescaped JSON strings,
  /// base64-decoded opaque). A payload-sized buffer always suffices; the values of one
  /// record occupy it until the next call to next().
  MutableByteView scratch;
};

/// Pull decoder over one complete payload. next() yields records until it returns false.
/// A decoder can be recreated over the same payload to validate first and apply after, so
/// that a malformed payload never causes a partial write.
///
/// Errors (each becomes a CoAP code through coap::code_for): malformed/truncated (4.00),
/// not_found from the TypeResolver (4.04), unsupported (4.15 at the format level, e.g. a
/// TLV identifier type that does not match the target depth), buffer_too_small when the
/// scratch is too small (5.00), bad_request when a record lies outside the base path.
class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual Result<bool> next(Record& out) noexcept = 0;
};

}  // namespace lwm2m::codec
