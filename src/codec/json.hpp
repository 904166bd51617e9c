// SPDX-License-Identifier: Apache-2.0
// Low-level JSON (RFC 8259): a writer to a Sink and a strict pull reader over a byte view.
// Neither allocates: the writer streams, the reader hands out views into the input and
// unescapes strings only into a caller's scratch buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "codec/base64.hpp"
#include "lwm2m/bytes.hpp"
#include "lwm2m/dm/value.hpp"
#include "lwm2m/sink.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec::json {

/// Deepest nesting the reader handles. SenML needs 2 levels and LwM2M JSON 3.
inline constexpr size_t kMaxDepth = 32;

/// Streaming writer. Commas and colons are inserted automatically. Value calls after a
/// key() complete the member; elsewhere they add an array element or the top-level value.
/// The caller nests correctly (the codecs write fixed shapes): misuse is not detected.
/// Refused values make status() fail; output after an error is unspecified.
class Writer {
 public:
  explicit Writer(Sink& sink) noexcept : sink_(sink) {}

  void begin_object() noexcept { open('{'); }
  void end_object() noexcept { close('}'); }
  void begin_array() noexcept { open('['); }
  void end_array() noexcept { close(']'); }

  /// Object member name; must be inside an object. Escaped like string().
  void key(std::string_view k) noexcept;
  /// A string value, escaped per RFC 8259 §7. Invalid UTF-8 is refused (invalid_argument):
  /// the output would not be JSON.
  void string(std::string_view s) noexcept;
  /// A string value assembled piecewise: begin_string(), any number of string_part()
  /// (escaped) or string_raw() (written as is: the caller guarantees no character needs
  /// escaping, e.g. base64), then end_string().
  void begin_string() noexcept;
  void string_part(std::string_view s) noexcept;
  void string_raw(std::string_view s) noexcept { sink_.write(as_bytes(s)); }
  void end_string() noexcept;

  void integer(int64_t v) noexcept;
  void unsigned_integer(uint64_t v) noexcept;
  /// Shortest decimal that reads back as the same double. NaN and infinities have no JSON
  /// form: they are refused with invalid_argument.
  void floating(double v) noexcept;
  void boolean(bool v) noexcept;
  void null() noexcept;
  /// A data-model value as the JSON formats carry it: numbers (integer, unsigned, time,
  /// float), boolean, string and core link as strings, object link as the string "O:I",
  /// opaque as a base64 string (`alphabet` and `padding` are the format's). Nothing for none.
  void value(const dm::Value& v, base64::Alphabet alphabet, base64::Padding padding) noexcept;

  /// ok, or the first error (invalid_argument for refused values). Output overflow is the
  /// Sink's business (Sink::fits()).
  Status status() const noexcept { return status_; }
  Sink& sink() noexcept { return sink_; }

 private:
  void open(char c) noexcept;
  void close(char c) noexcept;
  void before_value() noexcept;
  void escaped(std::string_view s) noexcept;
  void fail(Errc e) noexcept {
    if (status_.ok()) status_ = e;
  }

  Sink& sink_;
  bool comma_ = false;  // the next value or key follows another one: a ',' first
  Status status_;
};

enum class Token : uint8_t {
  begin_object,
  end_object,
  begin_array,
  end_array,
  key,     ///< object member name; text via raw()/string()
  string,  ///< string value
  number,  ///< text via raw(); number_kind() and the as_*() conversions
  true_,
  false_,
  null,
  end,  ///< the single top-level value is complete and only whitespace followed
};

enum class NumberKind : uint8_t {
  unsigned_integer,  ///< no sign, no fraction, no exponent
  negative_integer,  ///< '-' and digits only
  decimal,           ///< has a fraction or an exponent
};

/// Strict pull reader. Grammar errors are Errc::malformed; input that stops before the
/// top-level value is complete is Errc::truncated; nesting deeper than the limit is
/// Errc::unsupported. After an error every further next() returns the same error.
/// Strings are fully validated when tokenized (escapes, surrogate pairs, UTF-8, no raw
/// control characters), so string() only fails for lack of scratch space.
class Reader {
 public:
  explicit Reader(ByteView input, size_t max_depth = kMaxDepth) noexcept
      : in_(input), max_depth_(max_depth < kMaxDepth ? max_depth : kMaxDepth) {}

  Result<Token> next() noexcept;
  /// After a key: skips the member's value whatever it is (for unknown members).
  Status skip_value() noexcept;

  /// key/string: the text between the quotes, still escaped. number: the number's text.
  std::string_view raw() const noexcept { return raw_; }
  /// key/string: whether raw() contains escapes (if not, raw() is the value itself).
  bool has_escapes() const noexcept { return escapes_; }
  /// key/string: the unescaped value. A view into the input when there are no escapes,
  /// otherwise into `scratch` (buffer_too_small if it does not fit; raw().size() always
  /// suffices).
  Result<std::string_view> string(std::span<char> scratch) const noexcept;

  NumberKind number_kind() const noexcept { return kind_; }
  /// Exact conversion of an integer token; unsupported when it does not fit 64 bits,
  /// invalid_state for a decimal token.
  Result<int64_t> as_int64() const noexcept;
  Result<uint64_t> as_uint64() const noexcept;
  /// Nearest double (integers above 2^53 round); unsupported when out of double range.
  Result<double> as_double() const noexcept;

  /// Nesting depth after the last token (1 inside the top-level container).
  size_t depth() const noexcept { return depth_; }
  /// Bytes consumed so far.
  size_t offset() const noexcept { return pos_; }

 private:
  enum class State : uint8_t {
    value,         // a value must come next
    array_first,   // just after '[': a value or ']'
    object_first,  // just after '{': a key or '}'
    object_key,    // after ',' in an object: a key
    after_value,   // ',' or a closing bracket, or the end at depth 0
    done,
  };
  Result<Token> value() noexcept;
  Result<Token> key() noexcept;
  Status scan_string() noexcept;
  Status scan_number() noexcept;
  Status literal(const char* word) noexcept;
  Result<Token> close(uint8_t c) noexcept;
  void skip_ws() noexcept;
  Result<Token> fail(Errc e) noexcept {
    error_ = e;
    return e;
  }

  ByteView in_;
  size_t pos_ = 0;
  size_t max_depth_;
  size_t depth_ = 0;
  uint32_t is_object_ = 0;  // bit d: container at depth d+1 is an object
  State state_ = State::value;
  Errc error_ = Errc::ok;
  std::string_view raw_;
  bool escapes_ = false;
  NumberKind kind_ = NumberKind::unsigned_integer;
};

}  // namespace lwm2m::codec::json
