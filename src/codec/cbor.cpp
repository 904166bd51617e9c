// SPDX-License-Identifier: Apache-2.0
#include "codec/cbor.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

#include "codec/utf8.hpp"
#include "double_compare.hpp"
#include "float32_exact.hpp"
#include "to_double.hpp"

namespace lwm2m::codec::cbor {
namespace {

// A reader frame's kind: the container's major type (2 bytes, 3 text for the chunks of an
// indefinite string; 4 array, 5 map), with kIndefinite for one without a count.
constexpr uint8_t kIndefinite = 0x80;

// The float a half-precision value is (every one is), as its bits: no ldexp, which links
// ~0.5 kB of libm on firmware. Subnormal halves are normal floats: the integer significand
// scaled in single precision.
uint32_t half_to_float_bits(uint32_t h) noexcept {
  const uint32_t exp = (h >> 10) & 0x1Fu;
  const uint32_t mant = h & 0x3FFu;
  const uint32_t bits = exp == 0 ? std::bit_cast<uint32_t>(static_cast<float>(mant) * 0x1p-24f)
                                 : ((exp == 31 ? 255u : exp + 112u) << 23) | (mant << 13);
  return bits | (h & 0x8000u) << 16;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Writer

void Writer::head(Major major, uint64_t arg) noexcept {
  // Argument bytes: 0 (in the initial byte), 1, 2, 4 or 8; additional information 24 + log2.
  const unsigned n = arg < 24 ? 0 : arg <= 0xFF ? 1 : arg <= 0xFFFF ? 2 : arg <= 0xFFFFFFFF ? 4 : 8;
  sink_.put(static_cast<uint8_t>(static_cast<unsigned>(major) << 5 |
                                 (n == 0 ? static_cast<unsigned>(arg) : 24 + std::countr_zero(n))));
  head_bits(arg, n);
}

void Writer::integer(int64_t v) noexcept {
  if (v >= 0) return head(Major::unsigned_integer, static_cast<uint64_t>(v));
  // -1 - v never overflows, unlike -v.
  head(Major::negative_integer, static_cast<uint64_t>(-1 - v));
}

void Writer::string(Major major, ByteView content) noexcept {
  head(major, content.size());
  sink_.write(content);
}

void Writer::floating(double v) noexcept {
  uint32_t bits;
  const bool nan = lwm2m::detail::is_nan(v);
  if (nan || lwm2m::detail::float32_exact(v, bits)) {
    if (nan) bits = 0x7FC00000;  // one quiet NaN, whatever payload the double had
    sink_.put(0xFA);
    head_bits(bits, 4);
    return;
  }
  sink_.put(0xFB);
  head_bits(std::bit_cast<uint64_t>(v), 8);
}

void Writer::head_bits(uint64_t bits, size_t n) noexcept {
  uint8_t buf[8];
  for (size_t k = n; k-- > 0; bits >>= 8)  // a constant shift per byte
    buf[k] = static_cast<uint8_t>(bits);
  sink_.write({buf, n});
}

// ---------------------------------------------------------------------------------------
// Reader

void Reader::item_done() noexcept {
  // Definite containers count down to 0; indefinite ones from 0, so that a map's count is
  // even between pairs.
  if (depth_ == 0) {
    done_ = true;
  } else {
    --stack_[depth_ - 1].remaining;
  }
}

Status Reader::next(Item& out) noexcept {
  out = Item{};
  if (error_ == Errc::ok) error_ = read(out);  // an error sticks
  return error_;
}

Errc Reader::read(Item& it) noexcept {
  const size_t n = in_.size();
  Frame* const top = depth_ > 0 ? &stack_[depth_ - 1] : nullptr;
  if (top == nullptr && done_) {
    if (pos_ != n) return Errc::malformed;
    it.type = Type::eof;
    return Errc::ok;
  }
  const bool indefinite_top = top != nullptr && (top->kind & kIndefinite) != 0;
  if (top != nullptr && !indefinite_top && top->remaining == 0) {
    --depth_;
    item_done();
    it.type = Type::end;
    return Errc::ok;
  }
  bool tagged = false;
  for (;;) {
    if (pos_ >= n) return Errc::truncated;
    const uint8_t ib = in_[pos_++];
    const unsigned major = ib >> 5;
    const unsigned ai = ib & 0x1Fu;

    if (ib == 0xFF) {  // break: closes an indefinite container, a map after a whole pair
      if (!indefinite_top || tagged || (top->kind == (kIndefinite | 5) && (top->remaining & 1))) {
        return Errc::malformed;
      }
      --depth_;
      item_done();
      it.type = Type::end;
      return Errc::ok;
    }
    // Chunks of an indefinite string: definite strings of the same major type, untagged.
    if (indefinite_top && top->kind <= (kIndefinite | 3) &&
        (major != (top->kind & 7u) || ai == 31 || tagged)) {
      return Errc::malformed;
    }

    uint64_t arg = ai;
    if (ai >= 24) {
      // 28..30 are reserved; only strings, arrays and maps have an indefinite length (a
      // break, major 7, is handled above).
      if (ai >= 28 && (ai != 31 || major - 2 > 3)) return Errc::malformed;
      if (ai < 28) {
        const size_t len = size_t{1} << (ai - 24);
        if (n - pos_ < len) return Errc::truncated;
        arg = 0;
        for (size_t k = 0; k < len; ++k)
          arg = (arg << 8) | in_[pos_++];
      }
    }
    it.argument = arg;
    it.indefinite = ai == 31;

    if (major == 6) {
      tagged = true;
      continue;
    }
    if (major == 7) {
      if (ai >= 25) {  // 25..27: break handled above, 28..30 refused
        it.type = Type::floating;
        if (ai == 27) {
          it.floating = std::bit_cast<double>(arg);
        } else {
          const auto bits = static_cast<uint32_t>(arg);
          it.floating = lwm2m::detail::to_double(
              std::bit_cast<float>(ai == 25 ? half_to_float_bits(bits) : bits));
        }
      } else if (ai == 24 && arg < 32) {
        return Errc::malformed;  // RFC 8949 §3.3
      } else if (arg - 20 < 4) {
        // 20 false, 21 true (argument 0 or 1), 22 null, 23 undefined
        it.type = arg < 22 ? Type::boolean : static_cast<Type>(static_cast<unsigned>(arg) - 15);
        if (arg < 22) it.argument = arg - 20;
      } else {
        it.type = Type::simple;
      }
      item_done();
      return Errc::ok;
    }
    static_assert(static_cast<unsigned>(Type::map) == 5 && static_cast<unsigned>(Type::null) == 7 &&
                  static_cast<unsigned>(Type::undefined) == 8);
    it.type = static_cast<Type>(major);  // the first six types are the major types
    if (major >= 2 && !it.indefinite) {
      // A string's content must be there; each item of an array or map takes at least a byte.
      const size_t avail = n - pos_;
      if (arg > (major == 5 ? avail / 2 : avail)) return Errc::truncated;
      if (major < 4) {
        it.data = in_.subspan(pos_, static_cast<size_t>(arg));
        pos_ += static_cast<size_t>(arg);
        if (major == 3 && !valid_utf8(as_string(it.data))) return Errc::malformed;
      }
    }
    if (major >= 4 || it.indefinite) {
      if (depth_ >= kMaxDepth) return Errc::unsupported;
      stack_[depth_++] = {it.indefinite ? 0 : static_cast<size_t>(major == 5 ? arg * 2 : arg),
                          static_cast<uint8_t>(major | (it.indefinite ? kIndefinite : 0))};
    } else {
      item_done();
    }
    return Errc::ok;
  }
}

Status Reader::skip(const Item& opened) noexcept {
  const bool opens =
      opened.type == Type::array || opened.type == Type::map ||
      ((opened.type == Type::bytes || opened.type == Type::text) && opened.indefinite);
  if (!opens) return {};
  const size_t target = depth_ - 1;
  Item it;
  for (;;) {
    LWM2M_TRY(next(it));
    if (it.type == Type::end && depth_ == target) return {};
  }
}

Result<int64_t> as_int64(const Item& item) noexcept {
  if (item.type != Type::unsigned_integer && item.type != Type::negative_integer) {
    return Errc::invalid_argument;
  }
  if (item.argument > static_cast<uint64_t>(INT64_MAX)) return Errc::unsupported;
  const auto a = static_cast<int64_t>(item.argument);
  return item.type == Type::unsigned_integer ? a : -1 - a;
}

Result<ByteView> read_string(Reader& reader, const Item& head, MutableByteView buffer) noexcept {
  if (!head.indefinite) return head.data;
  size_t used = 0;
  Item chunk;
  for (;;) {
    LWM2M_TRY(reader.next(chunk));
    if (chunk.type == Type::end) return ByteView{buffer.data(), used};
    if (chunk.data.size() > buffer.size() - used) return Errc::buffer_too_small;
    if (!chunk.data.empty())
      std::memcpy(buffer.data() + used, chunk.data.data(), chunk.data.size());
    used += chunk.data.size();
  }
}

}  // namespace lwm2m::codec::cbor
