// SPDX-License-Identifier: Apache-2.0
#include "codec/cbor.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

#include "codec/utf8.hpp"
#include "double_compare.hpp"
#include "float32_exact.hpp"

namespace lwm2m::codec::cbor {
namespace {

// Reader frame kinds.
constexpr uint8_t kDefinite = 0;     // array or map with a count
constexpr uint8_t kIndefArray = 1;   //
constexpr uint8_t kIndefMap = 2;     // `remaining` counts items to check pairing
constexpr uint8_t kIndefString = 3;  // + 0 bytes, + 1 text: chunks of that major type

double half_to_double(uint16_t h) noexcept {
  // Every half-precision value is a float: build its bits (no ldexp, which links ~0.5 kB of
  // libm on firmware). Subnormal halves are normal floats: scale the integer significand.
  const uint32_t exp = (h >> 10) & 0x1Fu;
  const uint32_t mant = h & 0x3FFu;
  const float v =
      exp == 0 ? static_cast<float>(mant) * 0x1p-24f
               : std::bit_cast<float>(((exp == 31 ? 255u : exp + 112u) << 23) | (mant << 13));
  return (h & 0x8000) ? -double{v} : double{v};
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Writer

void Writer::head(Major major, uint64_t arg) noexcept {
  uint8_t buf[9];
  const auto mt = static_cast<uint8_t>(static_cast<uint8_t>(major) << 5);
  size_t n;  // argument bytes
  if (arg < 24) {
    buf[0] = static_cast<uint8_t>(mt | arg);
    n = 0;
  } else if (arg <= 0xFF) {
    buf[0] = mt | 24;
    n = 1;
  } else if (arg <= 0xFFFF) {
    buf[0] = mt | 25;
    n = 2;
  } else if (arg <= 0xFFFFFFFF) {
    buf[0] = mt | 26;
    n = 4;
  } else {
    buf[0] = mt | 27;
    n = 8;
  }
  for (size_t k = n; k > 0; --k, arg >>= 8)  // a constant shift per byte
    buf[k] = static_cast<uint8_t>(arg);
  sink_.write({buf, n + 1});
}

void Writer::integer(int64_t v) noexcept {
  if (v >= 0) return head(Major::unsigned_integer, static_cast<uint64_t>(v));
  // -1 - v never overflows, unlike -v.
  head(Major::negative_integer, static_cast<uint64_t>(-1 - v));
}

void Writer::bytes(ByteView b) noexcept {
  head(Major::bytes, b.size());
  sink_.write(b);
}

void Writer::text(std::string_view s) noexcept {
  head(Major::text, s.size());
  sink_.write(as_bytes(s));
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
  if (depth_ == 0) {
    done_ = true;
    return;
  }
  Frame& f = stack_[depth_ - 1];
  if (f.kind == kDefinite) {
    --f.remaining;
  } else if (f.kind == kIndefMap) {
    f.remaining ^= 1;
  }
}

Result<Item> Reader::next() noexcept {
  if (error_ != Errc::ok) return error_;
  const size_t n = in_.size();
  Item it;
  if (depth_ == 0 && done_) {
    if (pos_ != n) return fail(Errc::malformed);
    return it;  // eof
  }
  if (depth_ > 0 && stack_[depth_ - 1].kind == kDefinite && stack_[depth_ - 1].remaining == 0) {
    --depth_;
    item_done();
    it.type = Type::end;
    return it;
  }
  bool tagged = false;
  for (;;) {
    if (pos_ >= n) return fail(Errc::truncated);
    const uint8_t ib = in_[pos_++];
    const auto major = static_cast<uint8_t>(ib >> 5);
    const uint8_t ai = ib & 0x1F;
    const Frame* top = depth_ > 0 ? &stack_[depth_ - 1] : nullptr;

    if (ib == 0xFF) {  // break
      if (top == nullptr || top->kind == kDefinite || tagged) return fail(Errc::malformed);
      if (top->kind == kIndefMap && top->remaining != 0) return fail(Errc::malformed);
      --depth_;
      item_done();
      it.type = Type::end;
      return it;
    }
    if (top != nullptr && top->kind >= kIndefString) {
      // Chunks of an indefinite string: definite strings of the same major type, untagged.
      if (major != top->kind - kIndefString + 2 || ai == 31 || tagged) {
        return fail(Errc::malformed);
      }
    }

    uint64_t arg = ai;
    if (ai >= 24 && ai <= 27) {
      const size_t len = size_t{1} << (ai - 24);
      if (n - pos_ < len) return fail(Errc::truncated);
      arg = 0;
      for (size_t k = 0; k < len; ++k)
        arg = (arg << 8) | in_[pos_++];
    } else if (ai >= 28 && ai <= 30) {
      return fail(Errc::malformed);
    } else if (ai == 31 && (major < 2 || major > 5)) {
      return fail(Errc::malformed);  // major 7 break handled above; 0, 1, 6 have no indefinite
    }
    it.argument = arg;
    it.indefinite = ai == 31;

    switch (major) {
      case 0:
      case 1:
        it.type = major == 0 ? Type::unsigned_integer : Type::negative_integer;
        break;
      case 2:
      case 3:
        it.type = major == 2 ? Type::bytes : Type::text;
        if (!it.indefinite) {
          if (arg > n - pos_) return fail(Errc::truncated);
          it.data = in_.subspan(pos_, static_cast<size_t>(arg));
          pos_ += static_cast<size_t>(arg);
          if (major == 3 && !valid_utf8(as_string(it.data))) return fail(Errc::malformed);
        }
        break;
      case 4:
      case 5:
        it.type = major == 4 ? Type::array : Type::map;
        // Each item takes at least one byte: a count that cannot fit is truncation.
        if (!it.indefinite && (arg > n - pos_ || (major == 5 && arg > (n - pos_) / 2))) {
          return fail(Errc::truncated);
        }
        break;
      case 6:
        tagged = true;
        continue;
      default:
        if (ai == 25 || ai == 26 || ai == 27) {
          it.type = Type::floating;
          if (ai == 25) {
            it.floating = half_to_double(static_cast<uint16_t>(arg));
          } else if (ai == 26) {
            auto bits = static_cast<uint32_t>(arg);
            float f;
            std::memcpy(&f, &bits, 4);
            it.floating = f;
          } else {
            std::memcpy(&it.floating, &arg, 8);
          }
          break;
        }
        if (ai == 24 && arg < 32) return fail(Errc::malformed);  // RFC 8949 §3.3
        switch (arg) {
          case 20:
          case 21:
            it.type = Type::boolean;
            it.argument = arg - 20;
            break;
          case 22:
            it.type = Type::null;
            break;
          case 23:
            it.type = Type::undefined;
            break;
          default:
            it.type = Type::simple;
        }
    }

    const bool opens = (major == 4 || major == 5) || ((major == 2 || major == 3) && it.indefinite);
    if (opens) {
      if (depth_ >= kMaxDepth) return fail(Errc::unsupported);
      Frame& f = stack_[depth_++];
      if (!it.indefinite) {
        f = {static_cast<size_t>(major == 5 ? arg * 2 : arg), kDefinite};
      } else {
        f = {0, major == 4   ? kIndefArray
                : major == 5 ? kIndefMap
                             : static_cast<uint8_t>(kIndefString + major - 2)};
      }
    } else {
      item_done();
    }
    return it;
  }
}

Status Reader::skip(const Item& opened) noexcept {
  const bool opens =
      opened.type == Type::array || opened.type == Type::map ||
      ((opened.type == Type::bytes || opened.type == Type::text) && opened.indefinite);
  if (!opens) return {};
  const size_t target = depth_ - 1;
  for (;;) {
    auto it = next();
    if (!it) return it.status();
    if (it->type == Type::end && depth_ == target) return {};
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
  for (;;) {
    auto chunk = reader.next();
    if (!chunk) return chunk.status();
    if (chunk->type == Type::end) return ByteView{buffer.data(), used};
    if (chunk->data.size() > buffer.size() - used) return Errc::buffer_too_small;
    if (!chunk->data.empty())
      std::memcpy(buffer.data() + used, chunk->data.data(), chunk->data.size());
    used += chunk->data.size();
  }
}

}  // namespace lwm2m::codec::cbor
