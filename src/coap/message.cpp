// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/coap/message.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "coap/request_writer.hpp"
#include "coap/wire.hpp"

namespace lwm2m::coap {

namespace {
// Data-model errors and the CoAP codes they are answered with; any other error is 5.00.
struct ErrorCode {
  Errc error;
  Code code;
};
constexpr ErrorCode kErrorCodes[] = {
    {Errc::ok, codes::content},
    {Errc::bad_request, codes::bad_request},
    {Errc::malformed, codes::bad_request},
    {Errc::truncated, codes::bad_request},
    {Errc::invalid_argument, codes::bad_request},
    {Errc::already_exists, codes::bad_request},  // e.g. Create of an instance id in use
    {Errc::unauthorized, codes::unauthorized},
    {Errc::bad_option, codes::bad_option},
    {Errc::forbidden, codes::forbidden},
    {Errc::not_found, codes::not_found},
    {Errc::method_not_allowed, codes::method_not_allowed},
    {Errc::not_acceptable, codes::not_acceptable},
    {Errc::request_entity_incomplete, codes::request_entity_incomplete},
    {Errc::conflict, codes::conflict},
    {Errc::precondition_failed, codes::precondition_failed},
    {Errc::request_entity_too_large, codes::request_entity_too_large},
    {Errc::unsupported_content_format, codes::unsupported_content_format},
    {Errc::not_implemented, codes::not_implemented},
    {Errc::unsupported, codes::not_implemented},
    {Errc::service_unavailable, codes::service_unavailable},
    {Errc::no_space, codes::service_unavailable},
};

// The same as one byte per Errc value (0: not listed), built at compile time: a lookup is
// smaller than a switch, and only this table is stored.
constexpr size_t kErrcCount = 54;  // Errc values are 0 ... 53
constexpr std::array<uint8_t, kErrcCount> kCodeByErrc = [] {
  std::array<uint8_t, kErrcCount> t{};
  for (const ErrorCode& m : kErrorCodes)
    t[static_cast<size_t>(m.error)] = m.code.raw;
  return t;
}();
static_assert(static_cast<size_t>(Errc::conflict) < kErrcCount);

}  // namespace

Code code_for(Errc e) noexcept {
  const auto i = static_cast<uint16_t>(e);  // a negative value wraps far beyond the table
  return i < kErrcCount && kCodeByErrc[i] != 0 ? Code{kCodeByErrc[i]}
                                               : codes::internal_server_error;
}

namespace wire {
namespace {
// One row per option this stack understands (RFC 7252 §5.10, RFC 7641, RFC 7959, RFC
// 7967); OSCORE (9) is not supported. Packed in 4 bytes: a table is smaller than a switch.
constexpr OptionRule kOptionRules[] = {
    {1, 8, 0, 1},      // If-Match
    {3, 255, 1, 0},    // Uri-Host
    {4, 8, 1, 1},      // ETag
    {5, 0, 0, 0},      // If-None-Match
    {6, 3, 0, 0},      // Observe
    {7, 2, 0, 0},      // Uri-Port
    {8, 255, 0, 1},    // Location-Path
    {11, 255, 0, 1},   // Uri-Path
    {12, 2, 0, 0},     // Content-Format
    {14, 4, 0, 0},     // Max-Age
    {15, 255, 0, 1},   // Uri-Query
    {17, 2, 0, 0},     // Accept
    {20, 255, 0, 1},   // Location-Query
    {23, 3, 0, 0},     // Block2
    {27, 3, 0, 0},     // Block1
    {28, 4, 0, 0},     // Size2
    {35, 1034, 1, 0},  // Proxy-Uri
    {39, 255, 1, 0},   // Proxy-Scheme
    {60, 4, 0, 0},     // Size1
    {258, 1, 0, 0},    // No-Response
};
}  // namespace

const OptionRule* option_rule(uint16_t number) noexcept {
  for (const OptionRule& r : kOptionRules)
    if (r.number == number) return &r;
  return nullptr;
}
}  // namespace wire

std::optional<OptionInfo> option_info(uint16_t number) noexcept {
  const wire::OptionRule* r = wire::option_rule(number);
  if (!r) return std::nullopt;
  return OptionInfo{r->min_length, r->max_length, static_cast<bool>(r->repeatable)};
}

uint32_t Option::uint_value() const noexcept {
  uint32_t v = 0;
  ByteView b = value();
  for (size_t i = 0; i < b.size() && i < 4; ++i)
    v = (v << 8) | b[i];
  return v;
}

Token Token::from(ByteView b) noexcept {
  Token t;
  t.length = static_cast<uint8_t>(b.size() > 8 ? 8 : b.size());
  if (t.length) std::memcpy(t.bytes.data(), b.data(), t.length);
  return t;
}

bool operator==(const Token& a, const Token& b) noexcept {
  return a.length == b.length && std::memcmp(a.bytes.data(), b.bytes.data(), a.length) == 0;
}

Result<BlockOption> BlockOption::decode(uint32_t raw) noexcept {
  BlockOption b;
  b.szx = static_cast<uint8_t>(raw & 0x7);
  b.more = (raw & 0x8) != 0;
  b.num = raw >> 4;
  if (b.szx == 7 || raw > 0xFFFFFF) return Errc::bad_request;
  return b;
}

uint8_t BlockOption::szx_for(size_t bytes) noexcept {
  uint8_t szx = 0;
  while (szx < 6 && (size_t{1} << (szx + 5)) <= bytes)
    ++szx;
  return szx;
}

const char* to_string(ParseError e) noexcept {
  switch (e) {
    case ParseError::none:
      return "ok";
    case ParseError::too_short:
      return "shorter than the 4-byte header";
    case ParseError::bad_version:
      return "version is not 1";
    case ParseError::bad_token_length:
      return "token length 9-15";
    case ParseError::bad_empty:
      return "empty message with token, options or payload";
    case ParseError::reserved_class:
      return "reserved code class";
    case ParseError::bad_option_nibble:
      return "option delta or length nibble 15";
    case ParseError::option_overrun:
      return "option runs past the end of the datagram";
    case ParseError::option_number_overflow:
      return "option number above 65535";
    case ParseError::empty_payload:
      return "payload marker followed by no payload";
    case ParseError::too_many_options:
      return "too many options";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------
// Message options

Option::Option(uint16_t n, ByteView value) noexcept
    : number(n), length(static_cast<uint16_t>(value.size())), external_(value.data()) {
  if (length <= kInlineMax && length > 0) std::memcpy(inline_, value.data(), length);
}

Status MessageBase::add_option(OptionNumber n, ByteView value) noexcept {
  if (option_count_ >= option_capacity_) return Errc::no_space;
  if (value.size() > 0xFFFF) return Errc::invalid_argument;
  slots_[option_count_++] = Option(static_cast<uint16_t>(n), value);
  return Errc::ok;
}

Status MessageBase::add_uint(OptionNumber n, uint32_t value) noexcept {
  uint8_t bytes[4];
  return add_option(n, {bytes, wire::uint_bytes(value, bytes)});
}

Status MessageBase::add_path(OptionNumber n, std::string_view path) noexcept {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    LWM2M_TRY(add_string(n, seg));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return Errc::ok;
}

MessageBase::MessageBase(Option* slots, uint8_t capacity) noexcept
    : option_capacity_(capacity), slots_(slots) {}

void MessageBase::copy_from(const MessageBase& m) noexcept {
  type = m.type;
  code = m.code;
  message_id = m.message_id;
  token = m.token;
  payload = m.payload;
  option_count_ = m.option_count_;
  std::copy_n(m.slots_, m.option_count_, slots_);
}

void MessageBase::remove(OptionNumber n) noexcept {
  uint8_t w = 0;
  for (uint8_t r = 0; r < option_count_; ++r) {
    if (slots_[r].number != static_cast<uint16_t>(n)) slots_[w++] = slots_[r];
  }
  option_count_ = w;
}

const Option* MessageBase::find(OptionNumber n) const noexcept {
  for (uint8_t i = 0; i < option_count_; ++i)
    if (slots_[i].number == static_cast<uint16_t>(n)) return &slots_[i];
  return nullptr;
}

std::optional<uint32_t> MessageBase::uint_option(OptionNumber n) const noexcept {
  const Option* o = find(n);
  if (!o) return std::nullopt;
  return o->uint_value();
}

namespace {
// Content-Format and Accept are 16-bit by definition (RFC 7252 §5.10.3, §5.10.4).
std::optional<uint16_t> uint16_option(const MessageBase& m, OptionNumber n) noexcept {
  const Option* o = m.find(n);
  if (!o) return std::nullopt;
  return static_cast<uint16_t>(o->uint_value());
}
}  // namespace

std::optional<uint16_t> MessageBase::content_format() const noexcept {
  return uint16_option(*this, OptionNumber::content_format);
}

std::optional<uint16_t> MessageBase::accept() const noexcept {
  return uint16_option(*this, OptionNumber::accept);
}

std::optional<BlockOption> MessageBase::block(OptionNumber which) const noexcept {
  auto v = uint_option(which);
  if (!v) return std::nullopt;
  auto b = BlockOption::decode(*v);
  if (!b) return std::nullopt;
  return *b;
}

size_t MessageBase::strings(OptionNumber n, std::span<std::string_view> out) const noexcept {
  size_t count = 0;
  for (uint8_t i = 0; i < option_count_; ++i) {
    if (slots_[i].number != static_cast<uint16_t>(n)) continue;
    if (count < out.size()) out[count] = slots_[i].string();
    ++count;
  }
  return count;
}

// ---------------------------------------------------------------------------------------
// Parsing

namespace {

// Reads an extended option delta/length (RFC 7252 §3.1): none, or why it cannot be read.
ParseError read_extended(uint8_t nibble, const uint8_t*& p, const uint8_t* end,
                         uint32_t& out) noexcept {
  if (nibble < 13) {
    out = nibble;
    return ParseError::none;
  }
  if (nibble == 15) return ParseError::bad_option_nibble;
  const size_t n = nibble - 12u;  // 13: one byte, 14: two
  if (static_cast<size_t>(end - p) < n) return ParseError::option_overrun;
  out = nibble == 13 ? 13u + p[0] : 269u + ((uint32_t{p[0]} << 8) | p[1]);
  p += n;
  return ParseError::none;
}

}  // namespace

ParseError parse(ByteView datagram, MessageBase& out) noexcept {
  out.clear_options();
  out.payload = {};
  out.token = Token{};
  if (datagram.size() < 4) return ParseError::too_short;
  const uint8_t* p = datagram.data();
  const uint8_t* end = p + datagram.size();
  out.type = static_cast<Type>((p[0] >> 4) & 0x3);
  out.message_id = static_cast<uint16_t>((p[2] << 8) | p[3]);
  out.code = Code{p[1]};
  if ((p[0] >> 6) != 1) return ParseError::bad_version;
  uint8_t tkl = p[0] & 0x0F;
  if (tkl > 8) return ParseError::bad_token_length;
  p += 4;
  if (out.code.is_empty()) {
    // RFC 7252 §4.1: an Empty message has nothing after the header.
    if (tkl != 0 || p != end) return ParseError::bad_empty;
    return ParseError::none;
  }
  uint8_t cls = out.code.cls();
  if (cls == 1 || cls == 6 || cls == 7) return ParseError::reserved_class;
  if (end - p < tkl) return ParseError::option_overrun;
  out.token = Token::from({p, tkl});
  p += tkl;

  uint32_t number = 0;
  while (p < end) {
    if (*p == 0xFF) {
      ++p;
      if (p == end) return ParseError::empty_payload;
      out.payload = {p, static_cast<size_t>(end - p)};
      return ParseError::none;
    }
    uint8_t delta_nibble = *p >> 4;
    uint8_t len_nibble = *p & 0x0F;
    ++p;
    uint32_t delta = 0, len = 0;
    ParseError err = read_extended(delta_nibble, p, end, delta);
    if (err == ParseError::none) err = read_extended(len_nibble, p, end, len);
    if (err != ParseError::none) return err;
    number += delta;
    if (number > 0xFFFF) return ParseError::option_number_overflow;
    if (static_cast<size_t>(end - p) < len) return ParseError::option_overrun;
    if (!out.add_option(static_cast<OptionNumber>(number), {p, len}).ok())
      return ParseError::too_many_options;
    p += len;
  }
  return ParseError::none;
}

// ---------------------------------------------------------------------------------------
// Encoding

namespace wire {

uint8_t uint_bytes(uint32_t value, uint8_t out[4]) noexcept {
  uint8_t len = value == 0          ? 0
                : value < 0x100     ? 1
                : value < 0x10000   ? 2
                : value < 0x1000000 ? 3
                                    : 4;
  for (uint8_t i = 0; i < len; ++i)
    out[i] = static_cast<uint8_t>(value >> (8 * (len - 1 - i)));
  return len;
}

uint8_t* write_header(uint8_t* p, Type type, Code code, uint16_t mid, const Token& token) noexcept {
  *p++ = static_cast<uint8_t>(0x40 | (static_cast<uint8_t>(type) << 4) | token.length);  // ver 1
  *p++ = code.raw;
  *p++ = static_cast<uint8_t>(mid >> 8);
  *p++ = static_cast<uint8_t>(mid);
  for (uint8_t i = 0; i < token.length; ++i)
    *p++ = token.bytes[i];
  return p;
}

// Stable order of option indices by number, without moving the options themselves.
size_t sorted_indices(const MessageBase& m,
                      std::array<uint8_t, Message::kMaxOptions>& idx) noexcept {
  auto opts = m.options();
  size_t n = opts.size();
  for (size_t i = 0; i < n; ++i) {
    size_t j = i;
    while (j > 0 && opts[idx[j - 1]].number > opts[i].number) {
      idx[j] = idx[j - 1];
      --j;
    }
    idx[j] = static_cast<uint8_t>(i);
  }
  return n;
}

namespace {
// The nibble of a delta or length, its extended bytes appended at `ext` (§3.1).
uint8_t option_field(uint32_t v, uint8_t*& ext) noexcept {
  if (v < 13) return static_cast<uint8_t>(v);
  if (v < 269) {
    *ext++ = static_cast<uint8_t>(v - 13);
    return 13;
  }
  v -= 269;
  *ext++ = static_cast<uint8_t>(v >> 8);
  *ext++ = static_cast<uint8_t>(v);
  return 14;
}
}  // namespace

bool put_option(uint8_t*& p, const uint8_t* end, uint32_t& prev, uint32_t number, uint32_t length,
                const uint8_t* bytes, size_t size) noexcept {
  // The header is made apart, then copied once its size is known to fit.
  uint8_t header[5];
  uint8_t* ext = header + 1;
  const uint8_t delta = option_field(number - prev, ext);
  header[0] = static_cast<uint8_t>((delta << 4) | option_field(length, ext));
  const size_t header_size = static_cast<size_t>(ext - header);
  if (static_cast<size_t>(end - p) < header_size + size) return false;
  for (size_t i = 0; i < header_size; ++i)
    *p++ = header[i];
  if (size) std::memmove(p, bytes, size);  // the request writer moves runs forward in place
  p += size;
  prev = number;
  return true;
}

bool put_payload(uint8_t*& p, const uint8_t* end, ByteView payload) noexcept {
  if (payload.empty()) return true;
  if (static_cast<size_t>(end - p) < 1 + payload.size()) return false;
  *p++ = 0xFF;
  // memmove: the engine writes a response's payload at the end of the output first.
  std::memmove(p, payload.data(), payload.size());
  p += payload.size();
  return true;
}

}  // namespace wire

size_t encoded_size(const MessageBase& m) noexcept {
  std::array<uint8_t, Message::kMaxOptions> idx{};
  size_t n = wire::sorted_indices(m, idx);
  size_t size = 4 + m.token.length;
  uint32_t prev = 0;
  auto opts = m.options();
  for (size_t k = 0; k < n; ++k) {
    const Option& o = opts[idx[k]];
    size += wire::option_header_size(o.number - prev, o.length) + o.length;
    prev = o.number;
  }
  if (!m.payload.empty()) size += 1 + m.payload.size();
  return size;
}

namespace wire {

// The one message encoder: any message (head and varying null), or a datagram of a
// request exchange.
Result<size_t> encode_request(const MessageBase& m, const RequestHead* head, ByteView payload,
                              MutableByteView out, const VaryingOptions* varying) noexcept {
  if (!kVaryingRequests) varying = nullptr;  // never given: the code for it is left out
  const Token& token = head ? head->token : m.token;
  if (token.length > 8) return Errc::invalid_argument;
  if (out.size() < 4u + token.length) return Errc::buffer_too_small;
  // Every option fits the wire format: lengths and deltas are at most 65535, below the
  // 65535 + 269 that the 2-byte extended form reaches.
  std::array<uint8_t, Message::kMaxOptions> idx{};
  const size_t n = sorted_indices(m, idx);
  auto opts = m.options();
  const uint8_t* const end = out.data() + out.size();
  uint8_t* p = head ? write_header(out.data(), head->type, head->code, head->message_id, token)
                    : write_header(out.data(), m.type, m.code, m.message_id, token);
  uint32_t prev = 0;
  size_t slot = 0;  // the varying options below `slot` are written
  for (size_t k = 0;; ++k) {
    const Option* o = k < n ? &opts[idx[k]] : nullptr;
    if (varying) {
      if (o && VaryingOptions::slot_of(o->number) != VaryingOptions::kCount)
        continue;  // the message's own: `varying` takes its place
      const uint32_t number = o ? o->number : 0x10000u;
      for (; slot < VaryingOptions::kCount && VaryingOptions::kNumbers[slot] < number; ++slot) {
        if (!varying->has(static_cast<VaryingOptions::Slot>(slot))) continue;
        uint8_t value[4];
        const uint8_t len = uint_bytes(varying->value[slot], value);
        if (!put_option(p, end, prev, VaryingOptions::kNumbers[slot], len, value, len))
          return Errc::buffer_too_small;
      }
    }
    if (!o) break;
    if (!put_option(p, end, prev, o->number, o->length, o->value().data(), o->length))
      return Errc::buffer_too_small;
  }
  if (!put_payload(p, end, payload)) return Errc::buffer_too_small;
  return static_cast<size_t>(p - out.data());
}

}  // namespace wire

Result<size_t> encode(const MessageBase& m, MutableByteView out) noexcept {
  return wire::encode_request(m, nullptr, m.payload, out, nullptr);
}

}  // namespace lwm2m::coap
