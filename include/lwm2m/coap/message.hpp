// SPDX-License-Identifier: Apache-2.0
// CoAP messages (RFC 7252 §3): types, codes, options, and a bounded message value that is
// both what the parser produces (zero-copy views into the datagram) and what the encoder
// serialises into a caller's buffer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "lwm2m/build_config.hpp"
#include "lwm2m/bytes.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::coap {

enum class Type : uint8_t { con = 0, non = 1, ack = 2, rst = 3 };

/// A CoAP code c.dd packed as (class << 5) | detail.
struct Code {
  uint8_t raw = 0;  ///< class (3 bits) and detail (5 bits), as on the wire

  constexpr Code() noexcept = default;
  /// The code whose wire byte is `r`.
  constexpr explicit Code(uint8_t r) noexcept : raw(r) {}
  /// The code c.dd, e.g. Code(2, 5) for 2.05 Content.
  constexpr Code(uint8_t cls, uint8_t detail) noexcept
      : raw(static_cast<uint8_t>((cls << 5) | (detail & 0x1F))) {}

  /// The class: 0 request, 2 success, 4 client error, 5 server error.
  constexpr uint8_t cls() const noexcept { return static_cast<uint8_t>(raw >> 5); }
  /// The detail, e.g. 5 in 2.05.
  constexpr uint8_t detail() const noexcept { return static_cast<uint8_t>(raw & 0x1F); }
  /// True for 0.00 (an empty message: ACK, RST or ping).
  constexpr bool is_empty() const noexcept { return raw == 0; }
  /// True for a method code (0.01 GET and the others).
  constexpr bool is_request() const noexcept { return cls() == 0 && raw != 0; }
  /// True for a response code (2.xx to 5.xx).
  constexpr bool is_response() const noexcept { return cls() >= 2 && cls() <= 5; }
  /// True for a 2.xx response.
  constexpr bool is_success() const noexcept { return cls() == 2; }
  /// Same wire byte.
  friend constexpr bool operator==(Code a, Code b) noexcept = default;
};

namespace codes {
inline constexpr Code empty{0, 0};
inline constexpr Code get{0, 1};
inline constexpr Code post{0, 2};
inline constexpr Code put{0, 3};
inline constexpr Code del{0, 4};
inline constexpr Code fetch{0, 5};  // RFC 8132
inline constexpr Code patch{0, 6};
inline constexpr Code ipatch{0, 7};
inline constexpr Code created{2, 1};
inline constexpr Code deleted{2, 2};
inline constexpr Code valid{2, 3};
inline constexpr Code changed{2, 4};
inline constexpr Code content{2, 5};
inline constexpr Code continue_{2, 31};  // RFC 7959
inline constexpr Code bad_request{4, 0};
inline constexpr Code unauthorized{4, 1};
inline constexpr Code bad_option{4, 2};
inline constexpr Code forbidden{4, 3};
inline constexpr Code not_found{4, 4};
inline constexpr Code method_not_allowed{4, 5};
inline constexpr Code not_acceptable{4, 6};
inline constexpr Code request_entity_incomplete{4, 8};
inline constexpr Code conflict{4, 9};
inline constexpr Code precondition_failed{4, 12};
inline constexpr Code request_entity_too_large{4, 13};
inline constexpr Code unsupported_content_format{4, 15};
inline constexpr Code internal_server_error{5, 0};
inline constexpr Code not_implemented{5, 1};
inline constexpr Code service_unavailable{5, 3};
inline constexpr Code gateway_timeout{5, 4};
inline constexpr Code proxying_not_supported{5, 5};
}  // namespace codes

/// The one place where data-model errors become response codes.
Code code_for(Errc e) noexcept;

enum class OptionNumber : uint16_t {
  if_match = 1,
  uri_host = 3,
  etag = 4,
  if_none_match = 5,
  observe = 6,
  uri_port = 7,
  location_path = 8,
  oscore = 9,
  uri_path = 11,
  content_format = 12,
  max_age = 14,
  uri_query = 15,
  accept = 17,
  location_query = 20,
  block2 = 23,
  block1 = 27,
  size2 = 28,
  proxy_uri = 35,
  proxy_scheme = 39,
  size1 = 60,
  no_response = 258,
};

/// RFC 7252 §5.4.1: odd option numbers are critical.
constexpr bool is_critical(uint16_t number) noexcept {
  return (number & 1) != 0;
}

/// Format rules of the options this stack understands (RFC 7252 §5.10, 7641, 7959).
struct OptionInfo {
  uint16_t min_length;  ///< shortest allowed value in bytes
  uint16_t max_length;  ///< longest allowed value in bytes
  bool repeatable;      ///< whether the option may occur more than once
};
/// Returns the rules for a known option, or nullopt for an unrecognised one.
std::optional<OptionInfo> option_info(uint16_t number) noexcept;

/// One option of a message: its number and value. A value of up to 4 bytes (every uint
/// option, short Uri-Path segments) is copied into the option, a longer one is viewed where
/// it lies (the datagram, or the caller's text); so a view of a short value lives as long as
/// the message, not as long as the bytes it was parsed from.
class Option {
 public:
  /// Longest value kept inside the option itself.
  static constexpr uint16_t kInlineMax = 4;

  uint16_t number = 0;  ///< option number, e.g. 11 for Uri-Path
  uint16_t length = 0;  ///< value length in bytes

  Option() noexcept = default;
  /// An option holding `value` (copied when short, else viewed; at most 65535 bytes).
  Option(uint16_t n, ByteView value) noexcept;

  /// The value's bytes.
  ByteView value() const noexcept { return {length <= kInlineMax ? inline_ : external_, length}; }
  /// The value as text (Uri-Path, Uri-Query, Location-Path...).
  std::string_view string() const noexcept { return as_string(value()); }
  /// Big-endian unsigned value (RFC 7252 §3.2 "uint"); 0 for an empty value.
  uint32_t uint_value() const noexcept;

 private:
  // One word for both: an option is 8 bytes on a 32-bit target, and a message holds 24.
  union {
    const uint8_t* external_ = nullptr;  ///< the value where it lies (length > kInlineMax)
    uint8_t inline_[kInlineMax];         ///< the value itself (length <= kInlineMax)
  };
};

/// Token: 0 to 8 bytes.
struct Token {
  std::array<uint8_t, 8> bytes{};  ///< the token's bytes (the first `length` are used)
  uint8_t length = 0;              ///< 0 to 8

  /// The token's bytes.
  ByteView view() const noexcept { return {bytes.data(), length}; }
  /// A token holding `b` (at most 8 bytes are kept).
  static Token from(ByteView b) noexcept;
  /// Same length and bytes.
  friend bool operator==(const Token& a, const Token& b) noexcept;
};

/// Block1/Block2 option value (RFC 7959 §2.2).
struct BlockOption {
  uint32_t num = 0;   ///< block number
  bool more = false;  ///< whether more blocks follow
  uint8_t szx = 6;    ///< size = 2^(szx+4); 7 is reserved (BERT, TCP only)

  /// Block size in bytes.
  constexpr uint32_t size() const noexcept { return 1u << (szx + 4); }
  /// Offset of this block in the whole body.
  constexpr uint32_t offset() const noexcept { return num * size(); }
  /// The option's value on the wire (NUM, M, SZX).
  constexpr uint32_t encode() const noexcept { return (num << 4) | (more ? 0x8u : 0u) | szx; }
  /// Rejects szx 7 and num above 2^20-1.
  static Result<BlockOption> decode(uint32_t raw) noexcept;
  /// Largest szx whose block size is <= bytes (minimum 16 bytes, szx 0).
  static uint8_t szx_for(size_t bytes) noexcept;
};

/// Why a datagram is not a well-formed CoAP message (RFC 7252 §3, §4.2-4.3).
enum class ParseError : uint8_t {
  none,
  too_short,          ///< fewer than 4 bytes: no message ID to answer
  bad_version,        ///< version is not 1: silently ignored
  bad_token_length,   ///< TKL 9-15
  bad_empty,          ///< code 0.00 with a token, options or payload
  reserved_class,     ///< code class 1, 6 or 7
  bad_option_nibble,  ///< option delta or length nibble 15
  option_overrun,     ///< option header or value runs past the end
  option_number_overflow,
  empty_payload,     ///< payload marker with no payload
  too_many_options,  ///< more options than the message holds
};
const char* to_string(ParseError e) noexcept;

/// One CoAP message (RFC 7252), decoded or to be encoded: the header, the token, the payload
/// and the options, whose table is the derived BasicMessage's (so that a response the
/// engine builds holds fewer options than a request it parses). What parse(), encode(),
/// a handler's Response and the functions that take any message use. Option and payload
/// bytes are views: the buffer they point into must outlive the message.
class MessageBase {
 public:
  Type type = Type::con;    ///< CON, NON, ACK or RST
  Code code;                ///< method or response code
  uint16_t message_id = 0;  ///< message ID (deduplication and matching of ACKs)
  Token token;              ///< matches responses to requests

 private:
  // Here rather than with the options: they fill the token's padding (a request being
  // served keeps a message on the stack).
  uint8_t option_count_ = 0;
  uint8_t option_capacity_;

 public:
  ByteView payload;  ///< the body (empty when none)

  MessageBase(const MessageBase&) = delete;
  MessageBase& operator=(const MessageBase&) = delete;

  /// Options this message holds at most (BasicMessage's N).
  size_t option_capacity() const noexcept { return option_capacity_; }

  // ---- options (kept in insertion order; encode() sorts them stably) ----
  /// Adds an option with `value` (a longer value than Option::kInlineMax is viewed, not
  /// copied: it must outlive the message's use); no_space past option_capacity().
  Status add_option(OptionNumber n, ByteView value) noexcept;
  /// Adds an option with a text value (viewed when long, as add_option()).
  Status add_string(OptionNumber n, std::string_view s) noexcept {
    return add_option(n, as_bytes(s));
  }
  /// Shortest big-endian encoding (0 encodes as zero bytes).
  Status add_uint(OptionNumber n, uint32_t value) noexcept;
  /// Adds an option without a value (e.g. If-None-Match).
  Status add_empty(OptionNumber n) noexcept { return add_option(n, {}); }
  /// Adds one Uri-Path (or Location-Path) option per '/'-separated segment of `path`.
  Status add_path(OptionNumber n, std::string_view path) noexcept;
  /// Removes every option with number `n`.
  void remove(OptionNumber n) noexcept;
  /// Removes every option.
  void clear_options() noexcept { option_count_ = 0; }

  /// The options, in insertion order.
  std::span<const Option> options() const noexcept { return {slots_, option_count_}; }
  /// The first option with number `n`, or null.
  const Option* find(OptionNumber n) const noexcept;
  /// True when an option with number `n` is present.
  bool has(OptionNumber n) const noexcept { return find(n) != nullptr; }
  /// The first option `n` as an unsigned integer; nullopt when absent.
  std::optional<uint32_t> uint_option(OptionNumber n) const noexcept;
  /// The Content-Format option's value; nullopt when absent.
  std::optional<uint16_t> content_format() const noexcept;
  /// The Accept option's value; nullopt when absent.
  std::optional<uint16_t> accept() const noexcept;
  /// The Observe option's value; nullopt when absent.
  std::optional<uint32_t> observe() const noexcept { return uint_option(OptionNumber::observe); }
  /// Block1/Block2 value; nullopt when absent, invalid block values also read as absent
  /// (check block_valid() to answer 4.00).
  std::optional<BlockOption> block(OptionNumber which) const noexcept;

  /// Fills `out` with the values of every instance of a repeated option, in order; returns
  /// how many there were (may exceed out.size(), then only the first ones are stored).
  size_t strings(OptionNumber n, std::span<std::string_view> out) const noexcept;

 protected:
  /// An empty message over the derived type's option table `slots` of `capacity` entries
  /// (out of line: one copy of the header's initialisation for every BasicMessage type).
  MessageBase(Option* slots, uint8_t capacity) noexcept;
  ~MessageBase() = default;
  /// Copies `m`'s header, payload and options (all of them: the capacities are equal).
  void copy_from(const MessageBase& m) noexcept;

 private:
  Option* slots_;  // the derived message's table
};

/// A message with room for `N` options. Left unfilled: only the first option_count_ are
/// ever read, and a message built or parsed per request need not clear them.
template <size_t N>
class BasicMessage final : public MessageBase {
  static_assert(N >= 1 && N <= LWM2M_COAP_MAX_OPTIONS, "at most LWM2M_COAP_MAX_OPTIONS options");

 public:
  /// Options this message type holds.
  static constexpr size_t kMaxOptions = N;

  /// An empty message.
  BasicMessage() noexcept : MessageBase(slots_.at, static_cast<uint8_t>(N)) {}
  /// A copy of `m` that holds its own options (not a view of `m`'s table).
  BasicMessage(const BasicMessage& m) noexcept : MessageBase(slots_.at, static_cast<uint8_t>(N)) {
    copy_from(m);
  }
  /// Copies `m`'s header, payload and options into this message's own table.
  BasicMessage& operator=(const BasicMessage& m) noexcept {
    if (this != &m) copy_from(m);
    return *this;
  }
  ~BasicMessage() = default;

 private:
  union Slots {
    Slots() noexcept {}
    Option at[N];
  } slots_;
};

/// A message that holds any LwM2M request: the build option LWM2M_COAP_MAX_OPTIONS options
/// (24 unless set), enough for the longest, a Write-Attributes of a resource instance with
/// every attribute, which has 14 (4 Uri-Path and 10 Uri-Query). What the parser fills in
/// the engine, what requests are built in.
using Message = BasicMessage<LWM2M_COAP_MAX_OPTIONS>;

/// Options of a response the engine builds (a RequestHandler's Response::message(), a
/// notification): Content-Format, Observe, Block1, Block2, Size2, ETag and two
/// Location-Path segments (a Create's /O/I); a handler that adds more gets no_space.
inline constexpr size_t kResponseOptions = 8;
/// The message of a response the engine builds.
using ResponseMessage = BasicMessage<kResponseOptions>;

/// Parses a datagram. On success the message's views point into `datagram`.
/// On failure `out.type` and `out.message_id` are still set when the 4-byte header was
/// readable (so a malformed CON can be answered with RST). More options than `out` holds:
/// too_many_options.
ParseError parse(ByteView datagram, MessageBase& out) noexcept;

/// Exact encoded size of a message.
size_t encoded_size(const MessageBase& m) noexcept;

/// Serialises into `out`; returns the size, or buffer_too_small / invalid_argument
/// (token longer than 8 bytes). Every option a Message can hold is encodable. The payload
/// may already lie at the very end of `out` (written there before the options were known).
Result<size_t> encode(const MessageBase& m, MutableByteView out) noexcept;

}  // namespace lwm2m::coap
