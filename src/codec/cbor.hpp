// SPDX-License-Identifier: Apache-2.0
// Low-level CBOR (RFC 8949): a writer to a Sink and a pull reader over a byte view, shared
// by every CBOR-based content format (plain CBOR, SenML CBOR, LwM2M CBOR) so that the
// grammar is compiled into flash once. Neither allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lwm2m/bytes.hpp"
#include "lwm2m/sink.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec::cbor {

/// Deepest nesting the reader follows (an indefinite-length string counts as a level).
/// SenML needs 2, LwM2M CBOR at most 7 (map per path level, an array key, a chunked string).
inline constexpr size_t kMaxDepth = 8;

enum class Major : uint8_t {
  unsigned_integer = 0,
  negative_integer = 1,
  bytes = 2,
  text = 3,
  array = 4,
  map = 5,
  tag = 6,
  simple = 7,
};

/// Streaming writer. Heads always use the shortest encoding of their argument (RFC 8949
/// §4.2.1). The caller keeps counts consistent; the writer does not track nesting.
class Writer {
 public:
  explicit Writer(Sink& sink) noexcept : sink_(sink) {}

  /// A head with the minimal-length argument.
  void head(Major major, uint64_t argument) noexcept;
  void unsigned_integer(uint64_t v) noexcept { head(Major::unsigned_integer, v); }
  void integer(int64_t v) noexcept;
  void bytes(ByteView b) noexcept { string(Major::bytes, b); }
  void text(std::string_view s) noexcept { string(Major::text, as_bytes(s)); }
  /// A definite byte or text string (`major` bytes or text).
  void string(Major major, ByteView content) noexcept;
  void array(uint64_t count) noexcept { head(Major::array, count); }
  void map(uint64_t count) noexcept { head(Major::map, count); }
  void tag(uint64_t tag) noexcept { head(Major::tag, tag); }
  /// Starts an indefinite-length bytes, text, array or map; end it with end_indefinite().
  void begin_indefinite(Major major) noexcept {
    sink_.put(static_cast<uint8_t>((static_cast<uint8_t>(major) << 5) | 31));
  }
  void end_indefinite() noexcept { sink_.put(0xFF); }
  void boolean(bool v) noexcept { sink_.put(v ? 0xF5 : 0xF4); }
  void null() noexcept { sink_.put(0xF6); }
  /// float32 when the value (NaN and infinities included) is exactly representable in
  /// single precision, else float64. Half precision is never written: the saving is at
  /// most two bytes per value and not worth the flash.
  void floating(double v) noexcept;

  Sink& sink() noexcept { return sink_; }

 private:
  void head_bits(uint64_t bits, size_t n) noexcept;
  Sink& sink_;
};

/// What the reader returns.
enum class Type : uint8_t {
  unsigned_integer,  ///< value in argument
  negative_integer,  ///< value is -1 - argument
  bytes,             ///< definite: content in data; indefinite: chunks follow, then end
  text,              ///< same as bytes; definite text is checked to be UTF-8
  array,             ///< items follow, then end (count in argument when definite)
  map,               ///< key/value pairs follow, then end (pair count in argument)
  boolean,           ///< argument 0 or 1
  null,
  undefined,
  simple,    ///< other simple values (argument)
  floating,  ///< half, single or double precision, widened to double
  end,       ///< closes the innermost array, map or indefinite string
  eof,       ///< the top-level item is complete and nothing follows
};

/// Reader::next() sets every field; a default-initialised Item is not zeroed first (`Item{}`
/// is the empty one), which saves the codecs' flash a zeroing per declaration.
struct Item {
  Type type;
  bool indefinite;
  uint64_t argument;
  double floating;
  ByteView data;  ///< content of a definite string or chunk (a view into the input)
};

/// Strict pull reader over one data item. Tags are read and dropped (the tagged item is
/// returned in their place). Errors: malformed (reserved additional information, a break
/// outside an indefinite container, an odd number of items in an indefinite map, a wrong
/// chunk type, invalid UTF-8, bytes after the top-level item), truncated (the input ends
/// before the item is complete, including declared lengths and counts that cannot fit),
/// unsupported (nesting deeper than the limit). After an error every next() repeats it.
class Reader {
 public:
  explicit Reader(ByteView input) noexcept : in_(input) {}

  /// The next item into `out`; the codecs use this form (no Result<Item> to copy).
  Status next(Item& out) noexcept;
  Result<Item> next() noexcept {
    Item it;
    if (Status s = next(it); !s) return s;
    return it;
  }
  /// After an item whose head opened a container or indefinite string: skips to its end.
  /// Does nothing for other items.
  Status skip(const Item& opened) noexcept;

  /// Containers currently open.
  size_t depth() const noexcept { return depth_; }
  /// Bytes consumed so far.
  size_t offset() const noexcept { return pos_; }

 private:
  struct Frame {
    // Items left in a definite container (a map counts keys and values); in an indefinite
    // one, minus the items read.
    size_t remaining;
    uint8_t kind;  // see cbor.cpp
  };
  Errc read(Item& it) noexcept;  // next() without the sticky error; `it` starts empty
  void item_done() noexcept;

  ByteView in_;
  size_t pos_ = 0;
  size_t depth_ = 0;
  bool done_ = false;
  Errc error_ = Errc::ok;
  Frame stack_[kMaxDepth];  // written when a container opens, read only while it is open
};

/// The integer an unsigned_integer or negative_integer item holds; unsupported when it
/// does not fit int64_t, invalid_argument for other items.
Result<int64_t> as_int64(const Item& item) noexcept;

/// A definite string's content, or the chunks of an indefinite one concatenated into
/// `buffer` (buffer_too_small when they do not fit). Call right after the string's head.
Result<ByteView> read_string(Reader& reader, const Item& head, MutableByteView buffer) noexcept;

}  // namespace lwm2m::codec::cbor
