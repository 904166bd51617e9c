// SPDX-License-Identifier: Apache-2.0
// The saved state's blob (lwm2m/storage.hpp): round trip, every kind of damage, a newer
// format, and restore as all or nothing.
#include "lwm2m/storage.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace lwm2m {
namespace {

/// A record holding a few bytes; check() refuses what `refuse` names.
class BytesRecord final : public StateRecord {
 public:
  BytesRecord(uint16_t id, std::string initial) : value(std::move(initial)), id_(id) {}
  uint16_t record_id() const noexcept override { return id_; }
  Result<size_t> save(MutableByteView out) const noexcept override {
    if (value.size() > out.size()) return Errc::buffer_too_small;
    std::copy(value.begin(), value.end(), out.begin());
    return value.size();
  }
  Status check(ByteView data) const noexcept override {
    return as_string(data) == refuse ? Status{Errc::malformed} : Status{};
  }
  void restore(ByteView data) noexcept override { value.assign(as_string(data)); }

  std::string value;
  std::string refuse = "\x01refused";

 private:
  uint16_t id_;
};

/// Storage in memory.
class MemoryStorage final : public Storage {
 public:
  Status store(std::string_view name, ByteView data) noexcept override {
    blobs[std::string(name)].assign(data.begin(), data.end());
    return {};
  }
  Result<size_t> load(std::string_view name, MutableByteView out) noexcept override {
    auto it = blobs.find(std::string(name));
    if (it == blobs.end()) return Errc::not_found;
    if (it->second.size() > out.size()) return Errc::buffer_too_small;
    std::copy(it->second.begin(), it->second.end(), out.begin());
    return it->second.size();
  }
  Status remove(std::string_view name) noexcept override {
    blobs.erase(std::string(name));
    return {};
  }
  std::string_view location() const noexcept override { return "memory"; }
  std::map<std::string, std::vector<uint8_t>> blobs;
};

std::vector<uint8_t> encode(std::vector<StateRecord*> records) {
  std::vector<uint8_t> out(1024);
  auto n = state_format::encode(records, out);
  EXPECT_TRUE(n.ok());
  out.resize(n.ok() ? *n : 0);
  return out;
}

TEST(StateFormat, Crc32IsZlibs) {
  // The check value of CRC-32/ISO-HDLC.
  EXPECT_EQ(state_format::crc32(as_bytes("123456789")), 0xCBF43926u);
}

TEST(StateFormat, TheLayoutIsHeaderRecordsAndChecksum) {
  BytesRecord a(7, "abc");
  auto blob = encode({&a});
  ASSERT_EQ(blob.size(), state_format::kHeaderSize + state_format::kRecordHeaderSize + 3 +
                             state_format::kTrailerSize);
  EXPECT_EQ(std::string(blob.begin(), blob.begin() + 4), "LWM2");
  EXPECT_EQ(blob[4], 1);  // format version, little-endian
  EXPECT_EQ(blob[5], 0);
  EXPECT_EQ(blob[8], 6 + 3);  // payload length
  EXPECT_EQ(blob[12], 7);     // record id
  EXPECT_EQ(blob[14], 3);     // record length
  EXPECT_EQ(std::string(blob.begin() + 18, blob.begin() + 21), "abc");
  const uint32_t crc = state_format::crc32({blob.data(), blob.size() - 4});
  EXPECT_EQ(blob[21], crc & 0xFF);
  EXPECT_EQ(blob[24], crc >> 24);
}

TEST(StateFormat, RoundTripRestoresEveryRecord) {
  BytesRecord a(0, "security"), b(1, ""), c(1000, std::string(300, 'x'));
  auto blob = encode({&a, &b, &c});
  BytesRecord a2(0, "old"), b2(1, "old"), c2(1000, "old");
  StateRecord* records[] = {&c2, &a2, &b2};  // any order
  EXPECT_EQ(state_format::decode(records, blob), RestoreResult::restored);
  EXPECT_EQ(a2.value, "security");
  EXPECT_EQ(b2.value, "");
  EXPECT_EQ(c2.value, std::string(300, 'x'));
}

TEST(StateFormat, UnclaimedRecordsAreSkippedAndMissingOnesKeepTheirState) {
  BytesRecord a(0, "new"), fw(1001, "firmware");
  auto blob = encode({&a, &fw});
  BytesRecord a2(0, "old"), other(5, "kept");
  StateRecord* records[] = {&a2, &other};
  EXPECT_EQ(state_format::decode(records, blob), RestoreResult::restored);
  EXPECT_EQ(a2.value, "new");
  EXPECT_EQ(other.value, "kept");
}

TEST(StateFormat, EncodeSaysWhenTheBufferIsTooSmall) {
  BytesRecord a(0, std::string(100, 'a'));
  StateRecord* records[] = {&a};
  std::vector<uint8_t> out(64);
  EXPECT_EQ(state_format::encode(records, out).error(), Errc::buffer_too_small);
  std::vector<uint8_t> tiny(8);
  EXPECT_EQ(state_format::encode(records, tiny).error(), Errc::buffer_too_small);
}

struct Damage : ::testing::Test {
  Damage() : a(0, "alpha"), b(1, "beta") { blob = encode({&a, &b}); }
  RestoreResult decode(const std::vector<uint8_t>& bytes) {
    StateRecord* records[] = {&a2, &b2};
    RestoreResult r = state_format::decode(records, bytes);
    if (r != RestoreResult::restored) {
      EXPECT_EQ(a2.value, "untouched");  // nothing half-applied
      EXPECT_EQ(b2.value, "untouched");
    }
    return r;
  }
  BytesRecord a, b;
  BytesRecord a2{0, "untouched"}, b2{1, "untouched"};
  std::vector<uint8_t> blob;
};

TEST_F(Damage, EveryTruncationIsRefused) {
  for (size_t n = 0; n < blob.size(); ++n) {
    std::vector<uint8_t> cut(blob.begin(), blob.begin() + static_cast<ptrdiff_t>(n));
    RestoreResult r = decode(cut);
    EXPECT_TRUE(r == RestoreResult::truncated || r == RestoreResult::checksum_mismatch)
        << n << " bytes: " << to_string(r);
  }
  EXPECT_EQ(decode({blob.begin(), blob.begin() + 10}), RestoreResult::truncated);
  EXPECT_EQ(decode({blob.begin(), blob.end() - 5}), RestoreResult::truncated);
}

TEST_F(Damage, EveryFlippedBitIsRefused) {
  for (size_t i = 0; i < blob.size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> bad = blob;
      bad[i] ^= static_cast<uint8_t>(1 << bit);
      RestoreResult r = decode(bad);
      EXPECT_NE(r, RestoreResult::restored) << "byte " << i << " bit " << bit;
    }
  std::vector<uint8_t> bad = blob;
  bad[20] ^= 0x40;  // inside a record: only the checksum can tell
  EXPECT_EQ(decode(bad), RestoreResult::checksum_mismatch);
}

TEST_F(Damage, TrailingBytesAreRefused) {
  std::vector<uint8_t> longer = blob;
  longer.push_back(0);
  EXPECT_EQ(decode(longer), RestoreResult::checksum_mismatch);
}

TEST_F(Damage, OtherFilesAreNotStateFiles) {
  EXPECT_EQ(decode({'{', '"', 'a', '"', ':', '1', '}', '\n', 0, 0, 0, 0, 0, 0, 0, 0}),
            RestoreResult::not_a_state_file);
  std::vector<uint8_t> v0 = blob;
  v0[4] = 0;  // version 0 was never written
  EXPECT_EQ(decode(v0), RestoreResult::not_a_state_file);
  EXPECT_EQ(decode({}), RestoreResult::truncated);
}

TEST_F(Damage, ANewerFormatIsRefusedWhateverFollows) {
  std::vector<uint8_t> newer = blob;
  newer[4] = 2;
  EXPECT_EQ(decode(newer), RestoreResult::newer_format);
  newer.resize(state_format::kHeaderSize + state_format::kTrailerSize);  // other layout
  EXPECT_EQ(decode(newer), RestoreResult::newer_format);
  EXPECT_NE(std::string(to_string(RestoreResult::newer_format)).find("newer"), std::string::npos);
}

TEST_F(Damage, OneRefusedRecordRestoresNothing) {
  b.value = "\x01refused";  // check() of b2 refuses it; a2 comes first in the blob
  blob = encode({&a, &b});
  EXPECT_EQ(decode(blob), RestoreResult::bad_record);
}

TEST_F(Damage, ARecordOverrunningThePayloadIsRefused) {
  // Consistent checksum, inconsistent framing (a writer's bug): refused, nothing applied.
  std::vector<uint8_t> bad = blob;
  bad[14] = 200;  // first record's length
  const size_t end = bad.size() - 4;
  const uint32_t crc = state_format::crc32({bad.data(), end});
  for (int i = 0; i < 4; ++i)
    bad[end + i] = static_cast<uint8_t>(crc >> (8 * i));
  EXPECT_EQ(decode(bad), RestoreResult::bad_record);
}

TEST(SavedState, SavesRestoresAndDiscardsThroughAStorage) {
  MemoryStorage storage;
  BytesRecord a(0, "one");
  StateRecord* records[] = {&a};
  std::vector<uint8_t> buffer(256);
  SavedState state(storage, records, buffer);
  EXPECT_EQ(state.restore(), RestoreResult::absent);
  ASSERT_TRUE(state.save().ok());
  ASSERT_EQ(storage.blobs.count("lwm2m-state.bin"), 1u);
  a.value = "two";
  EXPECT_EQ(state.restore(), RestoreResult::restored);
  EXPECT_EQ(a.value, "one");
  ASSERT_TRUE(state.discard().ok());
  EXPECT_EQ(state.restore(), RestoreResult::absent);
}

TEST(SavedState, ABlobLargerThanTheBufferIsReported) {
  MemoryStorage storage;
  storage.blobs["lwm2m-state.bin"] = std::vector<uint8_t>(300, 0);
  BytesRecord a(0, "kept");
  StateRecord* records[] = {&a};
  std::vector<uint8_t> buffer(256);
  SavedState state(storage, records, buffer);
  EXPECT_EQ(state.restore(), RestoreResult::too_large);
  EXPECT_EQ(a.value, "kept");
}

}  // namespace
}  // namespace lwm2m
