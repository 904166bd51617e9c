// The seam between the data model and the content formats (one encoder/decoder pair per
// format). Objects never see a wire format; formats never see objects.
#pragma once

#include <cstddef>
#include <optional>

#include "lwm2m/dm/path.hpp"
#include "lwm2m/dm/value.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec {

/// One leaf of a representation: an absolute path and its value, with an optional
/// timestamp (SenML "t"/"bt", used by Send and notifications with history).
struct Record {
  dm::Path path;
  dm::Value value;
  std::optional<double> time;  ///< seconds; absolute (>= 2^28) or relative, per RFC 8428
};

inline constexpr size_t kUnknownCount = static_cast<size_t>(-1);

/// Streaming encoder. Call begin(), then write() once per record in the order the data
/// model walks them (depth-first, ascending ids), then end().
class Encoder {
 public:
  virtual ~Encoder() = default;
  /// `base` is the request path (Read target, or root for composite/Send). `count` is the
  /// number of records that follow when known, kUnknownCount otherwise.
  virtual Status begin(const dm::Path& base, size_t count) noexcept = 0;
  virtual Status write(const Record& record) noexcept = 0;
  virtual Status end() noexcept = 0;
};

/// Tells decoders the declared type of a resource, because text, TLV and JSON numbers do
/// not carry it. Returns not_found for a path the data model does not know.
class TypeResolver {
 public:
  virtual ~TypeResolver() = default;
  virtual Result<dm::DataType> type_of(const dm::Path& path) const noexcept = 0;
};

/// Pull decoder over one complete payload. next() yields records until it returns false.
/// A decoder can be recreated over the same payload to validate first and apply after, so
/// that a malformed payload never causes a partial write.
class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual Result<bool> next(Record& out) noexcept = 0;
};

}  // namespace lwm2m::codec
