// SPDX-License-Identifier: Apache-2.0
#include "codec/tlv.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "codec/codec_support.hpp"
#include "lwm2m/dm/registry.hpp"
#include "lwm2m/dm/slot_object.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::codec {
namespace {

using dm::DataType;
using dm::kInvalidId;
using dm::Path;
using dm::Value;
using test::OwnedRecord;
using test::to_hex;

// Device object (3) as defined by OMA (resources used by the spec's TLV example), Access
// Control (2), and a test object 9 with one resource per data type.
const test::TableResolver kTypes{
    {3, 0, DataType::string},
    {3, 1, DataType::string},
    {3, 2, DataType::string},
    {3, 3, DataType::string},
    {3, 4, DataType::none},
    {3, 6, DataType::integer, true},
    {3, 7, DataType::integer, true},
    {3, 8, DataType::integer, true},
    {3, 9, DataType::integer},
    {3, 10, DataType::integer},
    {3, 11, DataType::integer, true},
    {3, 13, DataType::time},
    {3, 14, DataType::string},
    {3, 16, DataType::string},
    {2, 0, DataType::integer},
    {2, 1, DataType::integer},
    {2, 2, DataType::integer, true},
    {2, 3, DataType::integer},
    {9, 0, DataType::string},
    {9, 1, DataType::integer},
    {9, 2, DataType::unsigned_integer},
    {9, 3, DataType::floating},
    {9, 4, DataType::boolean},
    {9, 5, DataType::opaque},
    {9, 6, DataType::time},
    {9, 7, DataType::objlnk},
    {9, 8, DataType::corelnk},
    {9, 11, DataType::integer, true},
    {9, 13, DataType::opaque, true},
    {9, 5700, DataType::floating},
};

// The Device object instance of the spec's TLV example (OMA LwM2M Core, TLV section:
// "single Object Instance request").
std::vector<Record> device_records() {
  return {
      {Path(3, 0, 0), Value::string("Open Mobile Alliance"), {}},
      {Path(3, 0, 1), Value::string("Lightweight M2M Client"), {}},
      {Path(3, 0, 2), Value::string("345000123"), {}},
      {Path(3, 0, 3), Value::string("1.0"), {}},
      {Path(3, 0, 6, 0), Value::integer(1), {}},  // Available Power Sources: DC power
      {Path(3, 0, 6, 1), Value::integer(5), {}},  // USB
      {Path(3, 0, 7, 0), Value::integer(3800), {}},
      {Path(3, 0, 7, 1), Value::integer(5000), {}},
      {Path(3, 0, 8, 0), Value::integer(125), {}},
      {Path(3, 0, 8, 1), Value::integer(900), {}},
      {Path(3, 0, 9), Value::integer(100), {}},
      {Path(3, 0, 10), Value::integer(15), {}},
      {Path(3, 0, 11, 0), Value::integer(0), {}},
      {Path(3, 0, 13), Value::time(1367491215), {}},
      {Path(3, 0, 14), Value::string("+02:00"), {}},
      {Path(3, 0, 16), Value::string("U"), {}},
  };
}

// The expected bytes, as the spec's table lists them TLV by TLV.
const std::string kDeviceTlv =
    "C8 00 14 4F 70 65 6E 20 4D 6F 62 69 6C 65 20 41 6C 6C 69 61 6E 63 65 "
    "C8 01 16 4C 69 67 68 74 77 65 69 67 68 74 20 4D 32 4D 20 43 6C 69 65 6E 74 "
    "C8 02 09 33 34 35 30 30 30 31 32 33 "
    "C3 03 31 2E 30 "
    "86 06 41 00 01 41 01 05 "
    "88 07 08 42 00 0E D8 42 01 13 88 "
    "87 08 41 00 7D 42 01 03 84 "
    "C1 09 64 "
    "C1 0A 0F "
    "83 0B 41 00 00 "
    "C4 0D 51 82 42 8F "
    "C6 0E 2B 30 32 3A 30 30 "
    "C1 10 55";

std::string encode(const Path& base, const std::vector<Record>& recs, Status* st = nullptr,
                   size_t cap = 1 << 17) {
  SpanSource src{recs};
  std::vector<uint8_t> buf(cap);
  Sink sink{buf};
  Status s = encode_tlv(base, src, sink);
  if (st)
    *st = s;
  else
    EXPECT_TRUE(s.ok()) << to_string(s.error());
  EXPECT_FALSE(sink.overflowed());
  return std::string(as_string(sink.window()));
}

std::string from_hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i < hex.size();) {
    if (hex[i] == ' ') {
      ++i;
      continue;
    }
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    i += 2;
  }
  return out;
}

Status decode(const Path& base, std::string_view bytes, std::vector<OwnedRecord>& out) {
  DecodeContext ctx{base, &kTypes, {}};
  TlvDecoder d{as_bytes(bytes), ctx};
  return test::decode_all(d, out);
}

Errc decode_error(const Path& base, std::string_view hex) {
  std::vector<OwnedRecord> out;
  std::string bytes = from_hex(hex);
  return decode(base, bytes, out).error();
}

std::vector<OwnedRecord> owned(const std::vector<Record>& recs) {
  std::vector<OwnedRecord> out;
  for (const Record& r : recs)
    out.push_back(test::own(r));
  return out;
}

TEST(TlvCodec, EncodesTheSpecDeviceInstanceExample) {
  EXPECT_EQ(to_hex(encode(Path(3, 0), device_records())), kDeviceTlv);
}

TEST(TlvCodec, ObjectBaseWrapsEachInstance) {
  // 121 bytes of resources: the instance TLV needs an 8-bit length field.
  EXPECT_EQ(to_hex(encode(Path(3), device_records())), "08 00 79 " + kDeviceTlv);
}

TEST(TlvCodec, ResourceBaseIsTheResourceTlv) {
  auto recs = device_records();
  std::vector<Record> power{recs[4], recs[5]};
  EXPECT_EQ(to_hex(encode(Path(3, 0, 6), power)), "86 06 41 00 01 41 01 05");
  std::vector<Record> manufacturer{recs[0]};
  EXPECT_EQ(to_hex(encode(Path(3, 0, 0), manufacturer)).substr(0, 8), "C8 00 14");
  std::vector<Record> one{recs[5]};
  EXPECT_EQ(to_hex(encode(Path(3, 0, 6, 1), one)), "41 01 05");
}

TEST(TlvCodec, EncodesSeveralObjectInstances) {
  // Two Access Control instances (object 2), after the spec's multiple-instance example;
  // instance 2 has a sparse resource instance id above 255 (16-bit identifier).
  std::vector<Record> recs{
      {Path(2, 0, 0), Value::integer(1), {}},      {Path(2, 0, 1), Value::integer(0), {}},
      {Path(2, 0, 2, 127), Value::integer(7), {}}, {Path(2, 0, 3), Value::integer(127), {}},
      {Path(2, 2, 0), Value::integer(3), {}},      {Path(2, 2, 1), Value::integer(0), {}},
      {Path(2, 2, 2, 127), Value::integer(7), {}}, {Path(2, 2, 2, 310), Value::integer(1), {}},
      {Path(2, 2, 3), Value::integer(127), {}},
  };
  EXPECT_EQ(to_hex(encode(Path(2), recs)),
            "08 00 0E C1 00 01 C1 01 00 83 02 41 7F 07 C1 03 7F "
            "08 02 12 C1 00 03 C1 01 00 87 02 41 7F 07 61 01 36 01 C1 03 7F");
  std::vector<OwnedRecord> back;
  ASSERT_TRUE(decode(Path(2), encode(Path(2), recs), back).ok());
  EXPECT_EQ(back, owned(recs));
}

TEST(TlvCodec, DecodesTheSpecDeviceInstanceExample) {
  std::vector<OwnedRecord> out;
  ASSERT_TRUE(decode(Path(3, 0), from_hex(kDeviceTlv), out).ok());
  EXPECT_EQ(out, owned(device_records()));
  // With the object-instance wrapper at an object base, and at an instance base.
  out.clear();
  ASSERT_TRUE(decode(Path(3), from_hex("08 00 79 " + kDeviceTlv), out).ok());
  EXPECT_EQ(out, owned(device_records()));
  out.clear();
  ASSERT_TRUE(decode(Path(3, 0), from_hex("08 00 79 " + kDeviceTlv), out).ok());
  EXPECT_EQ(out, owned(device_records()));
}

std::string value_tlv(uint16_t rid, const Value& v) {
  return to_hex(encode(Path(9, 0, rid), {{Path(9, 0, rid), v, {}}}));
}

TEST(TlvCodec, IntegersTakeTheFewestBytes) {
  EXPECT_EQ(value_tlv(1, Value::integer(0)), "C1 01 00");
  EXPECT_EQ(value_tlv(1, Value::integer(-1)), "C1 01 FF");
  EXPECT_EQ(value_tlv(1, Value::integer(127)), "C1 01 7F");
  EXPECT_EQ(value_tlv(1, Value::integer(-128)), "C1 01 80");
  EXPECT_EQ(value_tlv(1, Value::integer(128)), "C2 01 00 80");
  EXPECT_EQ(value_tlv(1, Value::integer(-129)), "C2 01 FF 7F");
  EXPECT_EQ(value_tlv(1, Value::integer(32768)), "C4 01 00 00 80 00");
  EXPECT_EQ(value_tlv(1, Value::integer(INT32_MIN)), "C4 01 80 00 00 00");
  EXPECT_EQ(value_tlv(1, Value::integer(int64_t{1} << 31)), "C8 01 08 00 00 00 00 80 00 00 00");
  EXPECT_EQ(value_tlv(1, Value::integer(INT64_MIN)), "C8 01 08 80 00 00 00 00 00 00 00");
  EXPECT_EQ(value_tlv(1, Value::integer(INT64_MAX)), "C8 01 08 7F FF FF FF FF FF FF FF");
  EXPECT_EQ(value_tlv(6, Value::time(1367491215)), "C4 06 51 82 42 8F");
  EXPECT_EQ(value_tlv(2, Value::unsigned_integer(255)), "C1 02 FF");
  EXPECT_EQ(value_tlv(2, Value::unsigned_integer(65535)), "C2 02 FF FF");
  EXPECT_EQ(value_tlv(2, Value::unsigned_integer(UINT64_MAX)), "C8 02 08 FF FF FF FF FF FF FF FF");
}

TEST(TlvCodec, OtherTypes) {
  EXPECT_EQ(value_tlv(3, Value::floating(1.5)), "C4 03 3F C0 00 00");
  EXPECT_EQ(value_tlv(3, Value::floating(-0.0)), "C4 03 80 00 00 00");
  EXPECT_EQ(value_tlv(3, Value::floating(0.1)), "C8 03 08 3F B9 99 99 99 99 99 9A");
  EXPECT_EQ(value_tlv(3, Value::floating(1e300)), "C8 03 08 7E 37 E4 3C 88 00 75 9C");
  EXPECT_EQ(value_tlv(4, Value::boolean(true)), "C1 04 01");
  EXPECT_EQ(value_tlv(4, Value::boolean(false)), "C1 04 00");
  EXPECT_EQ(value_tlv(7, Value::objlnk(3, 1)), "C4 07 00 03 00 01");
  EXPECT_EQ(value_tlv(7, Value::objlnk(65535, 65535)), "C4 07 FF FF FF FF");
  EXPECT_EQ(value_tlv(0, Value::string("")), "C0 00");
  EXPECT_EQ(value_tlv(5, Value::opaque({})), "C0 05");
  EXPECT_EQ(value_tlv(8, Value::corelnk("</1>")), "C4 08 3C 2F 31 3E");
  // A 16-bit resource id sets bit 5.
  EXPECT_EQ(value_tlv(5700, Value::floating(2.0)), "E4 16 44 40 00 00 00");
}

TEST(TlvCodec, LengthFieldGrowsWithTheValue) {
  for (auto [n, head] : std::vector<std::pair<size_t, std::string>>{{7, "C7 05"},
                                                                    {8, "C8 05 08"},
                                                                    {255, "C8 05 FF"},
                                                                    {256, "D0 05 01 00"},
                                                                    {65535, "D0 05 FF FF"},
                                                                    {65536, "D8 05 01 00 00"},
                                                                    {70000, "D8 05 01 11 70"}}) {
    std::string blob(n, '\xA5');
    std::string tlv = encode(Path(9, 0, 5), {{Path(9, 0, 5), Value::opaque(as_bytes(blob)), {}}});
    EXPECT_EQ(to_hex(tlv.substr(0, head.size() / 3 + 1)), head) << n;
    EXPECT_EQ(tlv.size(), (head.size() + 1) / 3 + n);
    std::vector<OwnedRecord> out;
    ASSERT_TRUE(decode(Path(9, 0, 5), tlv, out).ok()) << n;
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].bytes, blob);
  }
  // An instance whose content exceeds 65535 bytes gets a 24-bit length too.
  std::string blob(70000, 'x');
  std::string tlv = encode(Path(9), {{Path(9, 1, 5), Value::opaque(as_bytes(blob)), {}}});
  EXPECT_EQ(to_hex(tlv.substr(0, 5)), "18 01 01 11 75");  // 70000 + 5 header bytes
}

TEST(TlvCodec, BlockWindowsConcatenateToTheWholeRepresentation) {
  auto recs = device_records();
  const std::string whole = encode(Path(3), recs);
  for (size_t block : {16u, 32u, 64u}) {
    std::string joined;
    for (size_t offset = 0;; offset += block) {
      SpanSource src{recs};
      std::vector<uint8_t> buf(block);
      Sink sink{buf, offset};
      ASSERT_TRUE(encode_tlv(Path(3), src, sink).ok());
      EXPECT_EQ(sink.total(), whole.size());
      joined += as_string(sink.window());
      if (!sink.overflowed()) break;
    }
    EXPECT_EQ(joined, whole) << block;
  }
}

TEST(TlvCodec, EncoderRejectsWhatTlvCannotSay) {
  Status st;
  encode(Path(), device_records(), &st);
  EXPECT_EQ(st, Errc::not_acceptable);
  encode(Path(3, 1), device_records(), &st);  // records outside the base
  EXPECT_EQ(st, Errc::invalid_argument);
  encode(Path(3, 0), {{Path(3, 0, 4), Value{}, {}}}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);
  encode(Path(3, 0),
         {{Path(3, 0, 9), Value::integer(1), {}}, {Path(3, 0, 1), Value::string(""), {}}}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);  // out of depth-first order
  encode(Path(3), {{Path(3, 0), Value::integer(1), {}}}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);  // not a leaf
}

// A source whose values change size between readings, as a clock or counter may.
class ChangingSource final : public RecordSource {
 public:
  Result<bool> next(Record& out) noexcept override {
    if (pos_ >= 2) return false;
    out.path = Path(9, 0, 11, static_cast<uint16_t>(pos_));
    out.value = Value::integer(reads_++ < 4 ? 1 : 1000);  // grows at the third pass
    ++pos_;
    return true;
  }
  Cursor tell() const noexcept override { return {static_cast<uint32_t>(pos_), {}}; }
  void seek(const Cursor& c) noexcept override { pos_ = c.index; }

 private:
  size_t pos_ = 0;
  int reads_ = 0;
};

TEST(TlvCodec, AValueChangingDuringEncodingIsReportedNotMisframed) {
  {
    // The whole representation fits: each value is read once, its header put in front of
    // it afterwards, so the framing holds whatever the values do.
    ChangingSource src;
    uint8_t buf[64];
    Sink sink{buf};
    ASSERT_TRUE(encode_tlv(Path(9, 0), src, sink).ok());
    EXPECT_EQ(as_string(sink.window()), from_hex("86 0B 41 00 01 41 01 01"));
  }
  {
    // A later Block2 window: the records are walked again, then read once more after the
    // header, and a value that changed size meanwhile is reported.
    ChangingSource src;
    uint8_t buf[4];
    Sink sink{buf, 4};
    EXPECT_EQ(encode_tlv(Path(9, 0), src, sink), Errc::service_unavailable);
  }
}

TEST(TlvCodec, HeadersGoInFrontOfWhatTheBufferHoldsAndWindowsAreWrittenAgain) {
  const auto recs = device_records();
  const std::string whole = encode(Path(3), recs);
  // A buffer just large enough, one byte short, and a window starting inside an instance.
  for (size_t cap : {whole.size(), whole.size() - 1}) {
    SpanSource src{recs};
    std::vector<uint8_t> buf(cap);
    Sink sink{buf};
    ASSERT_TRUE(encode_tlv(Path(3), src, sink).ok());
    EXPECT_EQ(sink.total(), whole.size());
    EXPECT_EQ(as_string(sink.window()), whole.substr(0, cap)) << cap;
  }
  SpanSource src{recs};
  std::vector<uint8_t> buf(whole.size());
  Sink sink{buf, 3};
  ASSERT_TRUE(encode_tlv(Path(3), src, sink).ok());
  EXPECT_EQ(as_string(sink.window()), whole.substr(3));
}

TEST(TlvCodec, CreateWithoutInstanceIdLeavesTheIdToTheCore) {
  std::vector<OwnedRecord> out;
  ASSERT_TRUE(decode(Path(3), from_hex("C1 09 64 83 0B 41 00 00"), out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].path, Path(3, kInvalidId, 9));
  EXPECT_EQ(out[0].scalar, Value::integer(100));
  EXPECT_EQ(out[1].path, Path(3, kInvalidId, 11, 0));
}

TEST(TlvCodec, EmptyContainersYieldValuelessRecords) {
  std::vector<OwnedRecord> out;
  ASSERT_TRUE(decode(Path(3), from_hex("00 05 08 01 03 C1 09 64"), out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].path, Path(3, 5));
  EXPECT_EQ(out[0].type, DataType::none);
  EXPECT_EQ(out[1].path, Path(3, 1, 9));
  out.clear();
  ASSERT_TRUE(decode(Path(3, 0), from_hex("80 06 C1 09 64"), out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].path, Path(3, 0, 6));
  EXPECT_EQ(out[0].type, DataType::none);
  EXPECT_EQ(out[1].path, Path(3, 0, 9));
}

TEST(TlvCodec, DecoderAcceptsTheFormsEachBaseAllows) {
  std::vector<OwnedRecord> out;
  // Bare resource instances below a resource base, and a 16-bit resource-instance id.
  ASSERT_TRUE(decode(Path(3, 0, 6), from_hex("41 00 01 61 01 2C 05"), out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].path, Path(3, 0, 6, 300));
  out.clear();
  ASSERT_TRUE(decode(Path(3, 0, 6, 1), from_hex("41 01 05"), out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].path, Path(3, 0, 6, 1));
  EXPECT_EQ(out[0].scalar, Value::integer(5));
  // Values of 1, 2, 4 and 8 bytes are all integers, sign-extended.
  out.clear();
  ASSERT_TRUE(decode(Path(3, 0, 9), from_hex("C2 09 FF 7F"), out).ok());
  EXPECT_EQ(out[0].scalar, Value::integer(-129));
  const std::pair<const char*, int64_t> widths[] = {
      {"C1 09 80", -128},
      {"C1 09 7F", 127},
      {"C2 09 7F FF", 32767},
      {"C4 09 80 00 00 00", INT32_MIN},
      {"C4 09 7F FF FF FF", INT32_MAX},
      {"C4 09 FF FF FF FE", -2},
      {"C8 09 08 80 00 00 00 00 00 00 00", INT64_MIN},
      {"C8 09 08 FF FF FF FF FF FF FF FF", -1},
      {"C8 09 08 00 00 00 00 80 00 00 00", int64_t{1} << 31},
  };
  for (const auto& [hex, v] : widths) {
    out.clear();
    ASSERT_TRUE(decode(Path(3, 0, 9), from_hex(hex), out).ok()) << hex;
    EXPECT_EQ(out[0].scalar, Value::integer(v)) << hex;
  }
  out.clear();
  ASSERT_TRUE(decode(Path(9, 0, 3), from_hex("C4 03 3F C0 00 00"), out).ok());
  EXPECT_EQ(out[0].scalar, Value::floating(1.5));
}

TEST(TlvCodec, DecoderErrors) {
  // Truncated: header, identifier, length field or value cut by the end of the payload.
  EXPECT_EQ(decode_error(Path(3, 0), "C8"), Errc::truncated);
  EXPECT_EQ(decode_error(Path(3, 0), "E1 00"), Errc::truncated);
  EXPECT_EQ(decode_error(Path(3, 0), "C8 00"), Errc::truncated);
  EXPECT_EQ(decode_error(Path(3, 0), "C8 00 14 4F 70"), Errc::truncated);
  EXPECT_EQ(decode_error(Path(3, 0), "D8 00 01 00"), Errc::truncated);
  // A TLV longer than its container.
  EXPECT_EQ(decode_error(Path(3, 0), "82 06 41 00 01"), Errc::malformed);
  EXPECT_EQ(decode_error(Path(3), "02 00 C1 09 64"), Errc::malformed);
  // Types that cannot nest there, and the reserved id.
  EXPECT_EQ(decode_error(Path(3, 0), "86 06 C1 00 01 41 01 05"), Errc::malformed);
  EXPECT_EQ(decode_error(Path(3), "03 00 41 00 01"), Errc::malformed);
  EXPECT_EQ(decode_error(Path(3, 0), "E1 FF FF 01"), Errc::malformed);
  // Top-level TLV types that do not fit the base depth.
  EXPECT_EQ(decode_error(Path(3), "41 00 01"), Errc::unsupported);
  EXPECT_EQ(decode_error(Path(3, 0), "41 00 01"), Errc::unsupported);
  EXPECT_EQ(decode_error(Path(3, 0, 9), "00 00"), Errc::unsupported);
  EXPECT_EQ(decode_error(Path(3, 0, 6, 1), "C1 06 01"), Errc::unsupported);
  EXPECT_EQ(decode_error(Path(3), "03 00 C1 09 64 C1 09 64"), Errc::unsupported);
  // Identifiers other than the base's.
  EXPECT_EQ(decode_error(Path(3, 0), "03 01 C1 09 64"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(3, 0, 9), "C1 0A 0F"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(3, 0, 6, 1), "41 00 01"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(), "C1 09 64"), Errc::bad_request);
  // Values that do not fit the declared type.
  EXPECT_EQ(decode_error(Path(3, 0, 9), "C3 09 00 00 01"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(3, 0, 9), "C0 09"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(9, 0, 4), "C1 04 02"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(9, 0, 3), "C2 03 00 00"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(9, 0, 7), "C3 07 00 00 00"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(9, 0, 0), "C2 00 C3 28"), Errc::bad_request);  // invalid UTF-8
  EXPECT_EQ(decode_error(Path(3, 0, 4), "C0 04"), Errc::bad_request);        // executable
  // Wrong multiplicity, and an unknown resource.
  EXPECT_EQ(decode_error(Path(3, 0), "C1 06 01"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(3, 0), "83 09 41 00 01"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(3, 0), "C1 63 01"), Errc::not_found);
}

TEST(TlvCodec, DecoderErrorsAreSticky) {
  std::string bytes = from_hex("C1 09 64 C3 09 00 00 01 C1 0A 0F");
  DecodeContext ctx{Path(3, 0), &kTypes, {}};
  TlvDecoder d{as_bytes(bytes), ctx};
  Record r;
  ASSERT_TRUE(d.next(r).value());
  EXPECT_EQ(d.next(r).error(), Errc::bad_request);
  EXPECT_EQ(d.next(r).error(), Errc::bad_request);
}

TEST(TlvCodec, EveryTruncationFailsCleanly) {
  const std::string whole = from_hex("08 00 79 " + kDeviceTlv);
  for (size_t n = 0; n < whole.size(); ++n) {
    std::vector<OwnedRecord> out;
    Status st = decode(Path(3), whole.substr(0, n), out);
    if (n == 0) {
      EXPECT_TRUE(st.ok());
      continue;
    }
    EXPECT_EQ(st, Errc::truncated) << n;
  }
}

// ---- with the data model's own source ----

constexpr dm::ResourceDef kDeviceDefs[] = {
    {0, DataType::string, dm::Operations::read},
    {4, DataType::none, dm::Operations::execute},
    {6, DataType::integer, dm::Operations::read, true},
    {9, DataType::integer, dm::Operations::read},
    {13, DataType::time, dm::Operations::read_write},
};
constexpr dm::ObjectDef kDeviceDef{3, "1.0", false, true, kDeviceDefs};

TEST(TlvCodec, EncodesThroughTheRegistryTreeSource) {
  std::array<dm::ResourceSlot, 5> slots{{
      {0, 0, kInvalidId, Value::string("Open Mobile Alliance"), {}},
      {0, 6, 0, Value::integer(1), {}},
      {0, 6, 1, Value::integer(5), {}},
      {0, 9, kInvalidId, Value::integer(100), {}},
      {0, 13, kInvalidId, Value::time(1367491215), {}},
  }};
  dm::SlotObject device{kDeviceDef, slots};
  std::array<dm::Object*, 2> objects{};
  dm::Registry reg{objects};
  ASSERT_TRUE(reg.add(device).ok());
  uint8_t scratch[64];
  const std::string expected =
      "08 00 28 C8 00 14 4F 70 65 6E 20 4D 6F 62 69 6C 65 20 41 6C 6C 69 61 6E 63 65 "
      "86 06 41 00 01 41 01 05 C1 09 64 C4 0D 51 82 42 8F";
  for (size_t block : {16u, 1024u}) {
    std::string joined;
    for (size_t offset = 0;; offset += block) {
      dm::TreeSource src{reg, Path(3), scratch};
      std::vector<uint8_t> buf(block);
      Sink sink{buf, offset};
      ASSERT_TRUE(encode_tlv(Path(3), src, sink).ok());
      joined += as_string(sink.window());
      if (!sink.overflowed()) break;
    }
    EXPECT_EQ(to_hex(joined), expected) << block;
  }
  // The registry is also the decoder's type resolver.
  DecodeContext ctx{Path(3), &reg, {}};
  const std::string bytes = from_hex(expected);
  TlvDecoder d{as_bytes(bytes), ctx};
  std::vector<OwnedRecord> out;
  ASSERT_TRUE(test::decode_all(d, out).ok());
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[4].path, Path(3, 0, 13));
  EXPECT_EQ(out[4].scalar, Value::time(1367491215));
}

// ---- properties ----

Value random_value(std::mt19937_64& rng, DataType t, std::vector<std::string>& store) {
  switch (t) {
    case DataType::string: {
      std::string s;
      for (size_t k = rng() % 12; k > 0; --k)
        s.push_back(static_cast<char>('a' + rng() % 26));
      store.push_back(s);
      return Value::string(store.back());
    }
    case DataType::opaque: {
      std::string s(rng() % (rng() % 8 == 0 ? 400 : 12), '\0');
      for (char& c : s)
        c = static_cast<char>(rng());
      store.push_back(s);
      return Value::opaque(as_bytes(store.back()));
    }
    case DataType::integer:
      return Value::integer(static_cast<int64_t>(rng()) >> (rng() % 64));
    case DataType::time:
      return Value::time(static_cast<int64_t>(rng()) >> (rng() % 64));
    case DataType::unsigned_integer:
      return Value::unsigned_integer(rng() >> (rng() % 64));
    case DataType::floating: {
      if (rng() & 1) return Value::floating(static_cast<float>(rng() % 100000) / 64.0f);
      double d;
      uint64_t bits = rng();
      std::memcpy(&d, &bits, sizeof d);
      return Value::floating(std::isfinite(d) ? d : 0.5);
    }
    case DataType::boolean:
      return Value::boolean(rng() & 1);
    case DataType::objlnk:
      return Value::objlnk(rng() & 0xFFFF, rng() & 0xFFFF);
    case DataType::corelnk:
      store.push_back("</3/0>;ct=0");
      return Value::corelnk(store.back());
    case DataType::none:
      break;
  }
  return {};
}

// Random instances of object 9 with random resources, sparse ids included.
std::vector<Record> random_object(std::mt19937_64& rng, std::vector<std::string>& store) {
  static const uint16_t kResources[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 13, 5700};
  static const uint16_t kInstances[] = {0, 1, 7, 255, 256, 1000, 65534};
  std::vector<Record> recs;
  for (uint16_t iid : kInstances) {
    if (rng() % 3 == 0) continue;
    for (uint16_t rid : kResources) {
      if (rng() % 2 == 0) continue;
      const DataType t =
          *kTypes.type_of(rid == 11 || rid == 13 ? Path(9, 0, rid, 0) : Path(9, 0, rid));
      if (rid == 11 || rid == 13) {
        uint16_t ri = 0;
        for (size_t k = 1 + rng() % 4; k > 0; --k) {
          ri = static_cast<uint16_t>(ri + 1 + rng() % 300);
          recs.push_back({Path(9, iid, rid, ri), random_value(rng, t, store), {}});
        }
      } else {
        recs.push_back({Path(9, iid, rid), random_value(rng, t, store), {}});
      }
    }
  }
  return recs;
}

TEST(TlvCodec, RandomRecordSetsRoundTrip) {
  std::mt19937_64 rng(11542);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> store;
    store.reserve(200);
    auto recs = random_object(rng, store);
    std::vector<OwnedRecord> out;
    const std::string tlv = encode(Path(9), recs);
    ASSERT_TRUE(decode(Path(9), tlv, out).ok()) << round;
    ASSERT_EQ(out, owned(recs)) << round;
    if (recs.empty()) continue;
    // The first instance alone, at an instance base.
    std::vector<Record> inst;
    for (const Record& r : recs)
      if (r.path.instance() == recs[0].path.instance()) inst.push_back(r);
    const Path ibase(9, recs[0].path.instance());
    out.clear();
    ASSERT_TRUE(decode(ibase, encode(ibase, inst), out).ok());
    ASSERT_EQ(out, owned(inst));
  }
}

// TlvWriter: records pushed one at a time, the bytes of encode_tlv().
struct Pushed {
  Status st;
  bool start_over = false;
  std::string window;
};
Pushed push(const Path& base, const std::vector<Record>& recs, size_t cap = 1 << 17,
            size_t offset = 0) {
  std::vector<uint8_t> buf(cap);
  Sink sink{buf, offset};
  TlvWriter w{base, sink};
  Pushed p;
  for (const Record& r : recs) {
    p.st = w.take(r);
    if (!p.st) break;
  }
  if (p.st) p.st = w.finish();
  p.start_over = w.start_over();
  p.window = std::string(as_string(sink.window()));
  return p;
}

TEST(TlvWriter, WritesTheBytesOfEncodeTlvBelowEveryBase) {
  EXPECT_EQ(to_hex(push(Path(3, 0), device_records()).window), kDeviceTlv);
  std::mt19937_64 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> store;
    store.reserve(200);
    const auto recs = random_object(rng, store);
    if (recs.empty()) continue;
    // The object, its first instance, the first record's resource and that record alone.
    const Path& first = recs[0].path;
    const Path bases[] = {Path(9), Path(9, first.instance()),
                          Path(9, first.instance(), first.resource()), first};
    for (const Path& base : bases) {
      std::vector<Record> below;
      for (const Record& r : recs)
        if (base.is_prefix_of(r.path)) below.push_back(r);
      const Pushed p = push(base, below);
      ASSERT_TRUE(p.st.ok()) << round;
      ASSERT_EQ(to_hex(p.window), to_hex(encode(base, below))) << round;
    }
  }
}

TEST(TlvWriter, StartsOverWhereAHeaderCannotGoInFrontOfItsContent) {
  const auto recs = device_records();
  const std::string whole = from_hex(kDeviceTlv);
  // A window that holds all of it, one that holds none of a container, one that cuts one.
  EXPECT_EQ(push(Path(3, 0), recs, whole.size()).window, whole);
  const Pushed late = push(Path(3, 0), recs, 4, whole.size());
  EXPECT_TRUE(late.st.ok());
  EXPECT_FALSE(late.start_over);
  const size_t container = whole.find("\x86\x06");  // resource 6's instances
  ASSERT_NE(container, std::string::npos);
  const Pushed cut = push(Path(3, 0), recs, 8, container - 2);
  EXPECT_EQ(cut.st, Errc::buffer_too_small);
  EXPECT_TRUE(cut.start_over);
  // A buffer that ends in a container, and one that ends in the last leaf (no container
  // is cut: the bytes that fit are kept, as encode_tlv() keeps them).
  EXPECT_TRUE(push(Path(3, 0), recs, container + 3).start_over);
  const Pushed short_by_one = push(Path(3, 0), recs, whole.size() - 1);
  EXPECT_FALSE(short_by_one.start_over);
  EXPECT_EQ(short_by_one.window, whole.substr(0, whole.size() - 1));
}

TEST(TlvWriter, RejectsWhatEncodeTlvRejects) {
  const auto v = Value::integer(1);
  auto error = [&](const Path& base, std::vector<Record> recs) { return push(base, recs).st; };
  EXPECT_EQ(error(Path(3, 0), {{Path(3, 0, 9), v, {}}, {Path(3, 0, 1), v, {}}}),
            Errc::invalid_argument);  // out of order
  EXPECT_EQ(error(Path(3, 0), {{Path(3, 0, 9), v, {}}, {Path(3, 0, 9), v, {}}}),
            Errc::invalid_argument);                                               // twice
  EXPECT_EQ(error(Path(3, 0), {{Path(3, 1, 9), v, {}}}), Errc::invalid_argument);  // outside
  EXPECT_EQ(error(Path(3), {{Path(3, 0), v, {}}}), Errc::invalid_argument);        // not a leaf
  EXPECT_EQ(error(Path(3, 0), {{Path(3, 0, 9), Value{}, {}}}), Errc::invalid_argument);
  for (const auto& recs : {std::vector<Record>{{Path(3, 0, 9), v, {}}, {Path(3, 0, 1), v, {}}},
                           std::vector<Record>{{Path(3, 1, 9), v, {}}}}) {
    Status st;
    encode(Path(3, 0), recs, &st);
    EXPECT_EQ(st, Errc::invalid_argument);
  }
}

TEST(TlvCodec, EncodeAndDecodeDoNotAllocate) {
  auto recs = device_records();
  uint8_t buf[256];
  test::AllocationScope scope;
  SpanSource src{recs};
  Sink sink{buf};
  ASSERT_TRUE(encode_tlv(Path(3), src, sink).ok());
  DecodeContext ctx{Path(3), &kTypes, {}};
  TlvDecoder d{sink.window(), ctx};
  Record r;
  size_t n = 0;
  while (d.next(r).value())
    ++n;
  EXPECT_EQ(n, recs.size());
  EXPECT_EQ(scope.count(), 0u);
}

// Sink::insert, which puts a TLV header in front of what was written after it.
TEST(SinkInsert, PutsBytesInFrontWhereTheWindowKeepsAllOrNone) {
  const uint8_t head[2] = {0xAA, 0xBB};
  const uint8_t body[3] = {1, 2, 3};
  {
    uint8_t buf[8] = {};
    Sink s{buf};
    s.put(9);
    s.write(body);
    ASSERT_TRUE(s.insert(1, head));
    EXPECT_EQ(to_hex(as_string(s.window())), "09 AA BB 01 02 03");
    ASSERT_FALSE(s.insert(0, body));  // 9 bytes: more than the buffer holds
    EXPECT_EQ(s.total(), 6u);
    s.truncate(4);
    EXPECT_EQ(to_hex(as_string(s.window())), "09 AA BB 01");
  }
  {
    uint8_t buf[2] = {};
    Sink before{buf, 10};  // everything lies before the window: only counted
    before.write(body);
    EXPECT_TRUE(before.insert(0, head));
    EXPECT_EQ(before.total(), 5u);
    Sink after{buf, 0};  // the window is full before the insertion point
    after.write(body);
    EXPECT_TRUE(after.insert(2, head));
    EXPECT_EQ(after.total(), 5u);
    Sink across{buf, 2};  // the window keeps part of it: the caller writes again
    across.write(body);
    EXPECT_FALSE(across.insert(0, head));
    EXPECT_EQ(across.total(), 3u);
  }
}

}  // namespace
}  // namespace lwm2m::codec
