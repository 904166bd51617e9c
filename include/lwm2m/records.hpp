// SPDX-License-Identifier: Apache-2.0
// How values travel between the data model and the content formats. The data model (dm)
// implements these interfaces, the formats (codec) use them, and neither includes the
// other: objects never see a wire format; formats never see objects.
//
// Encoders PULL records from a RecordSource. A source can report its position and return
// to it, so an encoder that must know a size before it writes (TLV lengths, CBOR array and
// map counts) scans ahead and comes back, with O(1) memory. The same property lets the
// core re-encode a representation for each Block2 block through a windowed Sink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "lwm2m/dm/path.hpp"
#include "lwm2m/dm/value.hpp"
#include "lwm2m/sink.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m {

/// One leaf of a representation: an absolute path and its value, with an optional
/// timestamp (SenML "t"/"bt", used by Send and notifications with history).
///
/// A record whose value is none has no value: a Read-Composite request (names only), or a
/// leaf an encoder must name without a value.
struct Record {
  dm::Path path;               ///< absolute path of the leaf
  dm::Value value;             ///< its value (none: a name without value)
  std::optional<double> time;  ///< seconds; absolute (>= 2^28) or relative, per RFC 8428
};

/// A position in a RecordSource. Opaque to encoders: they only save and restore it.
struct Cursor {
  uint32_t index = 0;  ///< position in the source (meaning is the source's own)
  dm::Path path;       ///< path the source was at, for sources that walk the data model
};

/// A stream of records in the order the data model walks them: depth-first, ascending ids
/// (a composite source yields its requested paths in request order, each walked
/// depth-first). Byte views in a record stay valid until the next call to next() or seek().
class RecordSource {
 public:
  /// The next record; false at the end. Errors come from the data model (e.g. a read
  /// handler failing) and abort the encoding.
  virtual Result<bool> next(Record& out) noexcept = 0;
  /// The current position (before the record the next call to next() returns).
  virtual Cursor tell() const noexcept = 0;
  /// Returns to a position obtained from tell() on this source.
  virtual void seek(const Cursor& c) noexcept = 0;

 protected:
  ~RecordSource() = default;  // not destroyed through this interface (no vtable entry)
};

/// Takes records one at a time, in the order a RecordSource would give them: the other
/// way round from a source, for a walk that hands over each record as it reads it
/// (dm::TreeSource::visit).
class RecordConsumer {
 public:
  /// The next record; its byte views are valid during the call only. An error stops the walk.
  virtual Status take(const Record& r) noexcept = 0;

 protected:
  ~RecordConsumer() = default;  // not destroyed through this interface (no vtable entry)
};

/// A source over records held in memory (tests, Send of a prepared list, notifications).
class SpanSource final : public RecordSource {
 public:
  /// A source over `records`, which must outlive it.
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
  /// The declared type of the resource at `path`, or not_found for a path the data model lacks.
  virtual Result<dm::DataType> type_of(const dm::Path& path) const noexcept = 0;

 protected:
  ~TypeResolver() = default;  // as RecordSource's
};

}  // namespace lwm2m
