// SPDX-License-Identifier: Apache-2.0
#include "codec/text.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "codec/codec_support.hpp"
#include "codec/opaque.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::codec {
namespace {

using dm::DataType;
using dm::Path;
using dm::Value;
using test::OwnedRecord;

// Device object (3) resources of each type, plus made-up ones for the 1.1 types.
const test::TableResolver kTypes{
    {3, 0, DataType::string},   {3, 6, DataType::integer, true},
    {3, 9, DataType::integer},  {3, 13, DataType::time},
    {3, 17, DataType::corelnk}, {3, 30, DataType::floating},
    {3, 31, DataType::boolean}, {3, 32, DataType::opaque},
    {3, 33, DataType::objlnk},  {3, 34, DataType::unsigned_integer},
    {3, 4, DataType::none},     {3, 35, DataType::opaque, true},
};

std::string encode(const Path& base, std::vector<Record> recs, Status* st) {
  SpanSource src{recs};
  uint8_t buf[256];
  Sink sink{buf};
  *st = encode_text(base, src, sink);
  return std::string(as_string(sink.window()));
}

std::string text_of(const Path& p, const Value& v) {
  Status st;
  std::string s = encode(p, {Record{p, v, {}}}, &st);
  EXPECT_TRUE(st.ok()) << to_string(st.error());
  return s;
}

TEST(TextCodec, EncodesEachTypeAsTheSpecWritesIt) {
  EXPECT_EQ(text_of(Path(3, 0, 0), Value::string("Open Mobile Alliance")), "Open Mobile Alliance");
  EXPECT_EQ(text_of(Path(3, 0, 9), Value::integer(100)), "100");
  EXPECT_EQ(text_of(Path(3, 0, 9), Value::integer(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(text_of(Path(3, 0, 34), Value::unsigned_integer(UINT64_MAX)), "18446744073709551615");
  EXPECT_EQ(text_of(Path(3, 0, 13), Value::time(1367491215)), "1367491215");
  EXPECT_EQ(text_of(Path(3, 0, 30), Value::floating(42.2)), "42.2");
  EXPECT_EQ(text_of(Path(3, 0, 30), Value::floating(-0.5)), "-0.5");
  EXPECT_EQ(text_of(Path(3, 0, 31), Value::boolean(true)), "1");
  EXPECT_EQ(text_of(Path(3, 0, 31), Value::boolean(false)), "0");
  EXPECT_EQ(text_of(Path(3, 0, 33), Value::objlnk(3, 0)), "3:0");
  EXPECT_EQ(text_of(Path(3, 0, 33), Value::objlnk(65535, 65535)), "65535:65535");
  EXPECT_EQ(text_of(Path(3, 0, 17), Value::corelnk("</3/0>")), "</3/0>");
  // RFC 4648 §10 test vector.
  EXPECT_EQ(text_of(Path(3, 0, 32), Value::opaque(as_bytes("foobar"))), "Zm9vYmFy");
  EXPECT_EQ(text_of(Path(3, 0, 32), Value::opaque(as_bytes("fo"))), "Zm8=");
  EXPECT_EQ(text_of(Path(3, 0, 32), Value::opaque({})), "");
  // A resource instance is a single value too.
  EXPECT_EQ(text_of(Path(3, 0, 6, 1), Value::integer(5)), "5");
}

TEST(TextCodec, MoreOrLessThanOneValueIsNotAcceptable) {
  Status st;
  encode(Path(3, 0, 6),
         {{Path(3, 0, 6, 0), Value::integer(1), {}}, {Path(3, 0, 6, 1), Value::integer(5), {}}},
         &st);
  EXPECT_EQ(st, Errc::not_acceptable);
  // A multiple resource with one instance is still not a single value.
  encode(Path(3, 0, 6), {{Path(3, 0, 6, 0), Value::integer(1), {}}}, &st);
  EXPECT_EQ(st, Errc::not_acceptable);
  encode(Path(3, 0), {{Path(3, 0, 9), Value::integer(1), {}}}, &st);
  EXPECT_EQ(st, Errc::not_acceptable);
  encode(Path(3, 0, 9), {}, &st);
  EXPECT_EQ(st, Errc::not_acceptable);
  encode(Path(3, 0, 30), {{Path(3, 0, 30), Value::floating(NAN), {}}}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);
  encode(Path(3, 0, 4), {{Path(3, 0, 4), Value{}, {}}}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);
}

Result<OwnedRecord> decode(const Path& base, std::string_view text, MutableByteView scratch = {}) {
  DecodeContext ctx{base, &kTypes, scratch};
  TextDecoder d{as_bytes(text), ctx};
  std::vector<OwnedRecord> out;
  Status st = test::decode_all(d, out);
  if (!st.ok()) return st;
  if (out.size() != 1) return Errc::internal_error;
  return out[0];
}

Value scalar(const Path& base, std::string_view text) {
  auto r = decode(base, text);
  EXPECT_TRUE(r.ok()) << text << ": " << to_string(r.error());
  return r ? r->scalar : Value{};
}

TEST(TextCodec, DecodesByTheDeclaredType) {
  EXPECT_EQ(scalar(Path(3, 0, 9), "100"), Value::integer(100));
  EXPECT_EQ(scalar(Path(3, 0, 9), "-9223372036854775808"), Value::integer(INT64_MIN));
  EXPECT_EQ(scalar(Path(3, 0, 34), "18446744073709551615"), Value::unsigned_integer(UINT64_MAX));
  EXPECT_EQ(scalar(Path(3, 0, 13), "1367491215"), Value::time(1367491215));
  EXPECT_EQ(scalar(Path(3, 0, 30), "42.2"), Value::floating(42.2));
  EXPECT_EQ(scalar(Path(3, 0, 30), "7"), Value::floating(7.0));
  EXPECT_EQ(scalar(Path(3, 0, 31), "1"), Value::boolean(true));
  EXPECT_EQ(scalar(Path(3, 0, 31), "0"), Value::boolean(false));
  EXPECT_EQ(scalar(Path(3, 0, 33), "3:0"), Value::objlnk(3, 0));
  EXPECT_EQ(scalar(Path(3, 0, 6, 1), "5"), Value::integer(5));
  auto s = decode(Path(3, 0, 0), "Open Mobile Alliance");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->type, DataType::string);
  EXPECT_EQ(s->bytes, "Open Mobile Alliance");
  EXPECT_EQ(s->path, Path(3, 0, 0));
  auto empty = decode(Path(3, 0, 0), "");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->bytes, "");
  uint8_t scratch[16];
  auto o = decode(Path(3, 0, 32), "Zm9vYmFy", scratch);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->type, DataType::opaque);
  EXPECT_EQ(o->bytes, "foobar");
}

TEST(TextCodec, RejectsTextThatIsNotAValueOfTheType) {
  uint8_t scratch[16];
  for (auto [path, text] : std::vector<std::pair<Path, std::string_view>>{
           {Path(3, 0, 9), "abc"},
           {Path(3, 0, 9), " 1"},
           {Path(3, 0, 9), "1.5"},
           {Path(3, 0, 9), "9223372036854775808"},
           {Path(3, 0, 9), ""},
           {Path(3, 0, 34), "-1"},
           {Path(3, 0, 30), "nan"},
           {Path(3, 0, 30), "1e999"},
           {Path(3, 0, 31), "true"},
           {Path(3, 0, 31), "2"},
           {Path(3, 0, 33), "3"},
           {Path(3, 0, 33), "3:65536"},
           {Path(3, 0, 33), ":0"},
           {Path(3, 0, 32), "Zm9vYmF"},
           {Path(3, 0, 0), "\xff\xfe"},
           {Path(3, 0, 4), ""},
       }) {
    EXPECT_EQ(decode(path, text, scratch).error(), Errc::bad_request) << text;
  }
  // Not a single value, unknown resource, and a scratch too small for the opaque bytes.
  EXPECT_EQ(decode(Path(3, 0), "1").error(), Errc::bad_request);
  EXPECT_EQ(decode(Path(3, 0, 99), "1").error(), Errc::not_found);
  uint8_t tiny[2];
  EXPECT_EQ(decode(Path(3, 0, 32), "Zm9vYmFy", tiny).error(), Errc::buffer_too_small);
}

TEST(TextCodec, DecoderIsRestartableAndYieldsOnce) {
  DecodeContext ctx{Path(3, 0, 9), &kTypes, {}};
  for (int round = 0; round < 2; ++round) {
    TextDecoder d{as_bytes("42"), ctx};
    Record r;
    ASSERT_TRUE(d.next(r).value());
    EXPECT_EQ(r.value, Value::integer(42));
    EXPECT_FALSE(d.next(r).value());
  }
}

TEST(TextCodec, RandomValuesRoundTrip) {
  std::mt19937_64 rng(20261125);
  uint8_t scratch[64];
  for (int i = 0; i < 2000; ++i) {
    Value v;
    Path p;
    uint8_t bytes[32];
    std::string str;
    switch (rng() % 7) {
      case 0:
        p = Path(3, 0, 9), v = Value::integer(static_cast<int64_t>(rng()) >> (rng() % 64));
        break;
      case 1:
        p = Path(3, 0, 34), v = Value::unsigned_integer(rng() >> (rng() % 64));
        break;
      case 2: {
        double d;
        uint64_t bits = rng();
        std::memcpy(&d, &bits, sizeof d);
        if (!std::isfinite(d)) d = 0.25;
        p = Path(3, 0, 30), v = Value::floating(d);
        break;
      }
      case 3:
        p = Path(3, 0, 31), v = Value::boolean(rng() & 1);
        break;
      case 4:
        p = Path(3, 0, 33), v = Value::objlnk(rng() & 0xFFFF, rng() & 0xFFFF);
        break;
      case 5: {
        size_t n = rng() % sizeof bytes;
        for (size_t k = 0; k < n; ++k)
          bytes[k] = static_cast<uint8_t>(rng());
        p = Path(3, 0, 32), v = Value::opaque({bytes, n});
        break;
      }
      default:
        for (size_t k = rng() % 20; k > 0; --k)
          str.push_back(static_cast<char>(' ' + rng() % 95));
        p = Path(3, 0, 0), v = Value::string(str);
    }
    std::string text = text_of(p, v);
    DecodeContext ctx{p, &kTypes, scratch};
    TextDecoder d{as_bytes(text), ctx};
    Record r;
    ASSERT_TRUE(d.next(r).value()) << text;
    EXPECT_EQ(r.value, v) << text;
  }
}

TEST(TextCodec, EncodeAndDecodeDoNotAllocate) {
  Record rec{Path(3, 0, 32), Value::opaque(as_bytes("foobar")), {}};
  uint8_t buf[64];
  uint8_t scratch[16];
  test::AllocationScope scope;
  SpanSource src{{&rec, 1}};
  Sink sink{buf};
  ASSERT_TRUE(encode_text(Path(3, 0, 32), src, sink).ok());
  DecodeContext ctx{Path(3, 0, 32), &kTypes, scratch};
  TextDecoder d{sink.window(), ctx};
  Record r;
  ASSERT_TRUE(d.next(r).value());
  EXPECT_EQ(scope.count(), 0u);
}

// ---- opaque (42) ----

TEST(OpaqueCodec, WritesTheRawBytesOfOneOpaqueValue) {
  const uint8_t fw[] = {0x00, 0xFF, 0x10, 0x80};
  Record rec{Path(5, 0, 0), Value::opaque(fw), {}};
  SpanSource src{{&rec, 1}};
  uint8_t buf[8];
  Sink sink{buf};
  ASSERT_TRUE(encode_opaque(Path(5, 0, 0), src, sink).ok());
  EXPECT_EQ(test::to_hex(as_string(sink.window())), "00 FF 10 80");
}

TEST(OpaqueCodec, OtherTypesAndSeveralValuesAreNotAcceptable) {
  uint8_t buf[8];
  Record str{Path(3, 0, 0), Value::string("x"), {}};
  SpanSource s1{{&str, 1}};
  Sink k1{buf};
  EXPECT_EQ(encode_opaque(Path(3, 0, 0), s1, k1), Errc::not_acceptable);
  Record two[] = {{Path(3, 0, 35, 0), Value::opaque({}), {}},
                  {Path(3, 0, 35, 1), Value::opaque({}), {}}};
  SpanSource s2{two};
  Sink k2{buf};
  EXPECT_EQ(encode_opaque(Path(3, 0, 35), s2, k2), Errc::not_acceptable);
  SpanSource s3{two};
  Sink k3{buf};
  EXPECT_EQ(encode_opaque(Path(3, 0), s3, k3), Errc::not_acceptable);
}

TEST(OpaqueCodec, DecodesThePayloadAsTheValue) {
  const uint8_t fw[] = {0x00, 0xFF, 0x10};
  DecodeContext ctx{Path(3, 0, 32), &kTypes, {}};
  OpaqueDecoder d{fw, ctx};
  Record r;
  ASSERT_TRUE(d.next(r).value());
  EXPECT_EQ(r.path, Path(3, 0, 32));
  EXPECT_EQ(r.value, Value::opaque(fw));
  EXPECT_FALSE(d.next(r).value());

  DecodeContext str_ctx{Path(3, 0, 0), &kTypes, {}};
  OpaqueDecoder wrong{fw, str_ctx};
  EXPECT_EQ(wrong.next(r).error(), Errc::unsupported_content_format);
  DecodeContext inst_ctx{Path(3, 0), &kTypes, {}};
  OpaqueDecoder inst{fw, inst_ctx};
  EXPECT_EQ(inst.next(r).error(), Errc::bad_request);
  DecodeContext unknown_ctx{Path(3, 0, 99), &kTypes, {}};
  OpaqueDecoder unknown{fw, unknown_ctx};
  EXPECT_EQ(unknown.next(r).error(), Errc::not_found);
  DecodeContext ri_ctx{Path(3, 0, 35, 7), &kTypes, {}};
  OpaqueDecoder ri{fw, ri_ctx};
  ASSERT_TRUE(ri.next(r).value());
  EXPECT_EQ(r.path, Path(3, 0, 35, 7));
}

}  // namespace
}  // namespace lwm2m::codec
