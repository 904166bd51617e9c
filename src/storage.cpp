// SPDX-License-Identifier: Apache-2.0
// The saved state's blob (lwm2m/storage.hpp): header, records, CRC-32; and SavedState,
// which moves it between the records and a Storage. Sans-I/O: the Storage does the I/O.
#include "lwm2m/storage.hpp"

namespace lwm2m {
namespace state_format {
namespace {

constexpr uint8_t kMagic[4] = {'L', 'W', 'M', '2'};

void put16(uint8_t* p, uint16_t v) noexcept {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
void put32(uint8_t* p, uint32_t v) noexcept {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint16_t get16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
uint32_t get32(const uint8_t* p) noexcept {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

StateRecord* claimant(std::span<StateRecord* const> records, uint16_t id) noexcept {
  for (StateRecord* r : records)
    if (r && r->record_id() == id) return r;
  return nullptr;
}

/// Calls fn(id, bytes) for each record of a payload, in order: false when a record
/// overruns the payload or fn returns false.
template <class Fn>
bool walk(ByteView payload, Fn&& fn) noexcept {
  size_t pos = 0;
  while (pos < payload.size()) {
    if (payload.size() - pos < kRecordHeaderSize) return false;
    const uint16_t id = get16(&payload[pos]);
    const uint32_t len = get32(&payload[pos + 2]);
    pos += kRecordHeaderSize;
    if (len > payload.size() - pos) return false;
    if (!fn(id, payload.subspan(pos, len))) return false;
    pos += len;
  }
  return true;
}

}  // namespace

uint32_t crc32(ByteView data, uint32_t crc) noexcept {
  // Bitwise, no table: the state is saved rarely and small firmware keeps 1 kB of flash.
  crc = ~crc;
  for (uint8_t b : data) {
    crc ^= b;
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

Result<size_t> encode(std::span<StateRecord* const> records, MutableByteView out) noexcept {
  if (out.size() < kHeaderSize + kTrailerSize) return Errc::buffer_too_small;
  size_t pos = kHeaderSize;
  for (StateRecord* r : records) {
    if (!r) continue;
    if (out.size() - pos < kRecordHeaderSize + kTrailerSize) return Errc::buffer_too_small;
    auto n = r->save(
        out.subspan(pos + kRecordHeaderSize, out.size() - pos - kRecordHeaderSize - kTrailerSize));
    if (!n) return n.status();
    put16(&out[pos], r->record_id());
    put32(&out[pos + 2], static_cast<uint32_t>(*n));
    pos += kRecordHeaderSize + *n;
  }
  for (size_t i = 0; i < 4; ++i)
    out[i] = kMagic[i];
  put16(&out[4], kVersion);
  put16(&out[6], 0);
  put32(&out[8], static_cast<uint32_t>(pos - kHeaderSize));
  put32(&out[pos], crc32(out.first(pos)));
  return pos + kTrailerSize;
}

RestoreResult decode(std::span<StateRecord* const> records, ByteView blob) noexcept {
  const size_t n = blob.size();
  for (size_t i = 0; i < 4 && i < n; ++i)
    if (blob[i] != kMagic[i]) return RestoreResult::not_a_state_file;
  if (n < kHeaderSize + kTrailerSize) return RestoreResult::truncated;
  const uint16_t version = get16(&blob[4]);
  if (version == 0) return RestoreResult::not_a_state_file;
  // Checked before the length and the checksum: a newer format may place them elsewhere.
  if (version > kVersion) return RestoreResult::newer_format;
  const uint32_t length = get32(&blob[8]);
  if (length > n - kHeaderSize - kTrailerSize) return RestoreResult::truncated;
  const size_t end = kHeaderSize + length;
  if (end + kTrailerSize != n || crc32(blob.first(end)) != get32(&blob[end]))
    return RestoreResult::checksum_mismatch;
  const ByteView payload = blob.subspan(kHeaderSize, length);
  // Everything is checked before anything changes.
  const bool valid = walk(payload, [&](uint16_t id, ByteView data) {
    StateRecord* r = claimant(records, id);
    return !r || r->check(data).ok();
  });
  if (!valid) return RestoreResult::bad_record;
  (void)walk(payload, [&](uint16_t id, ByteView data) {
    if (StateRecord* r = claimant(records, id)) r->restore(data);
    return true;
  });
  return RestoreResult::restored;
}

}  // namespace state_format

const char* to_string(RestoreResult r) noexcept {
  switch (r) {
    case RestoreResult::restored:
      return "restored";
    case RestoreResult::absent:
      return "nothing saved";
    case RestoreResult::unreadable:
      return "cannot be read";
    case RestoreResult::too_large:
      return "larger than the buffer for it (not written by this build?)";
    case RestoreResult::truncated:
      return "truncated (shorter than its header says)";
    case RestoreResult::not_a_state_file:
      return "not a state file (wrong magic number)";
    case RestoreResult::newer_format:
      return "written in a newer format than this build reads";
    case RestoreResult::checksum_mismatch:
      return "damaged (checksum mismatch)";
    case RestoreResult::bad_record:
      return "holds a record this build cannot take (damaged, or sizes differ)";
  }
  return "?";
}

RestoreResult SavedState::restore() noexcept {
  auto n = storage_.load(name_, buffer_);
  if (!n) {
    switch (n.error()) {
      case Errc::not_found:
        return RestoreResult::absent;
      case Errc::buffer_too_small:
        return RestoreResult::too_large;
      default:
        return RestoreResult::unreadable;
    }
  }
  return state_format::decode(records_, buffer_.first(*n));
}

Status SavedState::save() noexcept {
  auto n = state_format::encode(records_, buffer_);
  if (!n) return n.status();
  return storage_.store(name_, buffer_.first(*n));
}

Status SavedState::discard() noexcept {
  return storage_.remove(name_);
}

}  // namespace lwm2m
