// SPDX-License-Identifier: Apache-2.0
#include "codec/lwm2m_cbor.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "codec/cbor_diag.hpp"
#include "codec/cbor_value.hpp"
#include "codec/record_lines.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::codec {
namespace {

using dm::Path;
using dm::Value;
using test::hex;
using test::unhex;

using Encoder = Status (*)(const Path&, RecordSource&, Sink&) noexcept;

std::vector<uint8_t> encode(Encoder enc, const Path& base, const std::vector<Record>& rs,
                            Status* st = nullptr) {
  std::vector<uint8_t> buf(8192);
  Sink sink{buf};
  SpanSource src{rs};
  Status s = enc(base, src, sink);
  if (st) *st = s;
  EXPECT_FALSE(sink.overflowed());
  buf.resize(sink.window().size());
  return buf;
}

std::string diag_of(Encoder enc, const Path& base, const std::vector<Record>& rs) {
  Status st;
  auto b = encode(enc, base, rs, &st);
  if (!st) return std::string("error ") + to_string(st.error());
  return test::diag(b);
}

template <class D>
Status decode(ByteView payload, const Path& base, std::vector<Record>& out,
              const TypeResolver* types = nullptr) {
  static std::deque<std::string> storage;
  static std::vector<uint8_t> scratch(4096);
  DecodeContext ctx{base, types, scratch};
  return test::decode_all<D>(payload, ctx, out, storage);
}

std::vector<Record> device_part() {
  return {
      {Path{3, 0, 0}, Value::string("Open Mobile Alliance"), {}},
      {Path{3, 0, 7, 0}, Value::integer(3800), {}},
      {Path{3, 0, 7, 1}, Value::integer(5000), {}},
      {Path{3, 0, 9}, Value::integer(100), {}},
      {Path{3, 0, 13}, Value::time(1367491215), {}},
  };
}

// --- plain CBOR (60)

TEST(CborValue, EncodesOneValue) {
  auto one = [](Value v) {
    return hex(encode(encode_cbor_value, Path{1, 0, 1}, {{Path{1, 0, 1}, v, {}}}));
  };
  EXPECT_EQ(one(Value::integer(86400)), "1a00015180");
  EXPECT_EQ(one(Value::integer(-500)), "3901f3");
  EXPECT_EQ(one(Value::unsigned_integer(UINT64_MAX)), "1bffffffffffffffff");
  EXPECT_EQ(one(Value::floating(1.5)), "fa3fc00000");
  EXPECT_EQ(one(Value::floating(0.1)), "fb3fb999999999999a");
  EXPECT_EQ(one(Value::string("")), "60");
  EXPECT_EQ(one(Value::opaque({})), "40");
  EXPECT_EQ(one(Value::boolean(true)), "f5");
  EXPECT_EQ(one(Value::objlnk(3, 0)), "63333a30");
  EXPECT_EQ(one(Value::time(1367491215)), "1a5182428f");
}

TEST(CborValue, MoreOrFewerThanOneValueIsNotAcceptable) {
  Status st;
  (void)encode(
      encode_cbor_value, Path{3, 0, 7},
      {{Path{3, 0, 7, 0}, Value::integer(1), {}}, {Path{3, 0, 7, 1}, Value::integer(2), {}}}, &st);
  EXPECT_EQ(st, Errc::not_acceptable);
  (void)encode(encode_cbor_value, Path{3, 0, 7}, {}, &st);
  EXPECT_EQ(st, Errc::not_acceptable);
  (void)encode(encode_cbor_value, Path{3, 0, 4}, {{Path{3, 0, 4}, Value{}, {}}}, &st);
  EXPECT_EQ(st, Errc::not_acceptable);
}

TEST(CborValue, DecodesTypedByTheResource) {
  test::TableTypes types;
  types.set(Path{1, 0, 1}, dm::DataType::unsigned_integer);
  types.set(Path{3, 0, 13}, dm::DataType::time);
  types.set(Path{3, 0, 14}, dm::DataType::string);
  types.set(Path{18, 0, 1}, dm::DataType::objlnk);
  types.set(Path{3303, 0, 5700}, dm::DataType::floating);
  std::vector<Record> got;
  auto one = [&](const Path& p, std::string_view h) {
    got.clear();
    auto b = unhex(h);
    Status s = decode<CborValueDecoder>(b, p, got, &types);
    if (!s) return std::string("error ") + to_string(s.error());
    return test::lines(got);
  };
  EXPECT_EQ(one(Path{1, 0, 1}, "1a00015180"), "/1/0/1 - v i 86400\n");
  EXPECT_EQ(got[0].value, Value::unsigned_integer(86400));
  EXPECT_EQ(one(Path{3, 0, 13}, "c11a5182428f"), "/3/0/13 - v i 1367491215\n");  // tag 1
  EXPECT_EQ(got[0].value, Value::time(1367491215));
  EXPECT_EQ(one(Path{3, 0, 14}, "7f622b3064323a3030ff"), "/3/0/14 - vs 2b30323a3030\n");
  EXPECT_EQ(one(Path{18, 0, 1}, "63333a30"), "/18/0/1 - vlo 333a30\n");
  EXPECT_EQ(one(Path{3303, 0, 5700}, "f93e00"), "/3303/0/5700 - v f 3ff8000000000000\n");
  EXPECT_EQ(one(Path{3303, 0, 5700}, "18ff"), "/3303/0/5700 - v f 406fe00000000000\n");
  EXPECT_EQ(one(Path{1, 0, 1}, "f93e00"), "error bad request");  // float for an integer
  EXPECT_EQ(one(Path{1, 0, 1}, "20"), "error bad request");      // negative for unsigned
  EXPECT_EQ(one(Path{1, 0, 1}, "820102"), "error bad request");  // not a single value
  EXPECT_EQ(one(Path{1, 0}, "01"), "error bad request");         // not a resource
  EXPECT_EQ(one(Path{1, 0, 1}, "0101"), "error malformed input");
  EXPECT_EQ(one(Path{1, 0, 1}, "19"), "error truncated input");
  EXPECT_EQ(one(Path{1, 0, 2}, "01"), "error not found");
}

TEST(CborValue, PythonAgrees) {
  test::CborOracle py;
  bool ok = false;
  const uint8_t raw[] = {0, 0xff};
  for (const Value& v : {Value::integer(INT64_MIN), Value::unsigned_integer(UINT64_MAX),
                         Value::floating(3.4028234663852886e+38), Value::floating(1e300),
                         Value::string("\xc3\xa9"), Value::opaque(raw), Value::boolean(false)}) {
    Record r{Path{1, 0, 1}, v, {}};
    auto b = encode(encode_cbor_value, Path{1, 0, 1}, {r});
    EXPECT_EQ(py.run("value /1/0/1", b, &ok), test::lines({r}));
    EXPECT_TRUE(ok);
  }
}

// --- LwM2M CBOR (11544)

TEST(Lwm2mCbor, NestsFromTheBase) {
  EXPECT_EQ(diag_of(encode_lwm2m_cbor, Path{3, 0}, device_part()),
            R"({[3, 0]: {0: "Open Mobile Alliance", 7: {0: 3800, 1: 5000}, 9: 100, )"
            R"(13: 1367491215}})");
  EXPECT_EQ(hex(encode(encode_lwm2m_cbor, Path{3, 0}, device_part())).substr(0, 16),
            "a1820300a400744f");
  EXPECT_EQ(diag_of(encode_lwm2m_cbor, Path{3}, device_part()),
            R"({3: {0: {0: "Open Mobile Alliance", 7: {0: 3800, 1: 5000}, 9: 100, )"
            R"(13: 1367491215}}})");
  EXPECT_EQ(diag_of(encode_lwm2m_cbor, Path{}, device_part()),
            R"({3: {0: {0: "Open Mobile Alliance", 7: {0: 3800, 1: 5000}, 9: 100, )"
            R"(13: 1367491215}}})");
  EXPECT_EQ(diag_of(encode_lwm2m_cbor, Path{3, 0, 9}, {{Path{3, 0, 9}, Value::integer(100), {}}}),
            "{[3, 0, 9]: 100}");
  EXPECT_EQ(diag_of(encode_lwm2m_cbor, Path{3, 0, 7},
                    {{Path{3, 0, 7, 0}, Value::integer(1), {}},
                     {Path{3, 0, 7, 65534}, Value::integer(2), {}}}),
            "{[3, 0, 7]: {0: 1, 65534: 2}}");
  EXPECT_EQ(diag_of(encode_lwm2m_cbor, Path{3, 0, 7}, {}), "{}");
  // A composite from the root, objects in ascending order.
  EXPECT_EQ(diag_of(encode_lwm2m_cbor, Path{},
                    {{Path{1, 0, 1}, Value::integer(86400), {}},
                     {Path{3, 0, 0}, Value::string("A"), {}},
                     {Path{3, 1, 0}, Value::string("B"), {}}}),
            R"({1: {0: {1: 86400}}, 3: {0: {0: "A"}, 1: {0: "B"}}})");
}

TEST(Lwm2mCbor, RefusesWhatAMapCannotHold) {
  // Out of order, repeated leaves, records outside the base.
  EXPECT_EQ(
      diag_of(encode_lwm2m_cbor, Path{},
              {{Path{3, 0, 0}, Value::integer(1), {}}, {Path{1, 0, 1}, Value::integer(2), {}}}),
      "error invalid argument");
  EXPECT_EQ(
      diag_of(encode_lwm2m_cbor, Path{3, 0},
              {{Path{3, 0, 1}, Value::integer(1), {}}, {Path{3, 0, 1}, Value::integer(2), {}}}),
      "error invalid argument");
  EXPECT_EQ(
      diag_of(encode_lwm2m_cbor, Path{3, 0, 1},
              {{Path{3, 0, 1}, Value::integer(1), 1.0}, {Path{3, 0, 1}, Value::integer(2), 2.0}}),
      "error invalid argument");
  EXPECT_EQ(
      diag_of(encode_lwm2m_cbor, Path{3, 0},
              {{Path{3, 0, 1}, Value::integer(1), {}}, {Path{4, 0, 1}, Value::integer(2), {}}}),
      "error invalid argument");
}

TEST(Lwm2mCborDecoder, PathPrefixKeysAtAnyLevel) {
  std::vector<Record> got;
  // {[3, 0]: {0: "A", [7, 1]: 5000}, 1: {0: {1: 86400}}, [5, 0, 1]: null}
  auto p = unhex(
      "a3"
      "820300"
      "a2"
      "00"
      "6141"
      "820701"
      "191388"
      "01"
      "a1"
      "00"
      "a1"
      "01"
      "1a00015180"
      "83050001"
      "f6");
  ASSERT_TRUE(decode<Lwm2mCborDecoder>(p, Path{}, got));
  EXPECT_EQ(test::lines(got),
            "/3/0/0 - vs 41\n/3/0/7/1 - v i 5000\n/1/0/1 - v i 86400\n/5/0/1 - none\n");
}

TEST(Lwm2mCborDecoder, IndefiniteMapsAndKeyArraysAndTags) {
  std::vector<Record> got;
  // {_ [_ 3, 0]: {_ 13: 1(1367491215), 14: (_ "+0", "2:00")}}
  auto p = unhex(
      "bf"
      "9f0300ff"
      "bf"
      "0d"
      "c11a5182428f"
      "0e"
      "7f622b3064323a3030ff"
      "ff"
      "ff");
  test::TableTypes types;
  types.set(Path{3, 0, 13}, dm::DataType::time);
  types.set(Path{3, 0, 14}, dm::DataType::string);
  ASSERT_TRUE(decode<Lwm2mCborDecoder>(p, Path{3, 0}, got, &types));
  EXPECT_EQ(test::lines(got), "/3/0/13 - v i 1367491215\n/3/0/14 - vs 2b30323a3030\n");
  EXPECT_EQ(got[0].value, Value::time(1367491215));
}

TEST(Lwm2mCborDecoder, Errors) {
  std::vector<Record> got;
  auto err = [&](std::string_view h, const Path& base = Path{}) {
    got.clear();
    auto b = unhex(h);
    return decode<Lwm2mCborDecoder>(b, base, got).error();
  };
  EXPECT_EQ(err("a1820400a10001", Path{3}), Errc::bad_request);  // outside the base
  EXPECT_EQ(err("a185030001020301"), Errc::bad_request);         // five levels
  EXPECT_EQ(err("a18403000a01a10001"), Errc::bad_request);       // map below a 4th level
  EXPECT_EQ(err("a183030019ffff01"), Errc::bad_request);         // id 65535
  EXPECT_EQ(err("a18403000a0101"), Errc::ok);
  EXPECT_EQ(err("a1616101"), Errc::malformed);  // text key
  EXPECT_EQ(err("a18001"), Errc::malformed);    // empty key array
  EXPECT_EQ(err("8101"), Errc::malformed);      // not a map
  EXPECT_EQ(err("a1820300a10082"), Errc::truncated);
  EXPECT_EQ(err("a18303000a820102"), Errc::bad_request);  // array value
  EXPECT_EQ(err("a0"), Errc::ok);
  EXPECT_EQ(err("a000"), Errc::malformed);
}

// --- oracles and properties

TEST(Lwm2mCborOracle, PythonReadsWhatWeWrite) {
  test::CborOracle py;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    test::RecordGen gen{seed};
    auto rs = gen.make(Path{3, 0}, false, false);
    // cbor2 has no object-link type: compare those as strings.
    std::vector<Record> expected = rs;
    std::deque<std::string> texts;
    for (auto& r : expected)
      if (r.value.type() == dm::DataType::objlnk) {
        auto l = r.value.as_objlnk();
        texts.push_back(std::to_string(l.object_id) + ":" + std::to_string(l.instance_id));
        r.value = Value::string(texts.back());
      }
    for (const Path& base : {Path{3, 0}, Path{}}) {
      auto b = encode(encode_lwm2m_cbor, base, rs);
      bool ok = false;
      EXPECT_EQ(py.run("lwm2m", b, &ok), test::lines(expected, false, false)) << hex(b);
      EXPECT_TRUE(ok);
    }
  }
}

TEST(Lwm2mCborOracle, WeReadWhatCbor2Writes) {
  test::CborOracle py;
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::vector<uint8_t> payload;
    bool ok = false;
    std::string expected = py.gen("genlwm2m", seed, payload, &ok);
    ASSERT_TRUE(ok);
    std::vector<Record> got;
    ASSERT_TRUE(decode<Lwm2mCborDecoder>(payload, Path{3, 0}, got)) << hex(payload);
    // Without types, object links stay the text cbor2 wrote.
    std::string mine = test::lines(got);
    for (size_t p = 0; (p = expected.find(" vlo ", p)) != std::string::npos;)
      expected.replace(p, 5, " vs ");
    EXPECT_EQ(mine, expected) << hex(payload);
  }
}

TEST(Lwm2mCborProperty, RandomRecordTreesRoundTrip) {
  for (uint64_t seed = 500; seed < 800; ++seed) {
    test::RecordGen gen{seed};
    auto rs = gen.make(Path{3, 0}, false, false);
    test::TableTypes types;
    types.learn(rs);
    for (const Path& base : {Path{}, Path{3}, Path{3, 0}}) {
      auto b = encode(encode_lwm2m_cbor, base, rs);
      std::vector<Record> got;
      ASSERT_TRUE(decode<Lwm2mCborDecoder>(b, base, got, &types)) << hex(b);
      ASSERT_EQ(test::lines(got), test::lines(rs)) << hex(b);
      for (size_t i = 0; i < rs.size(); ++i)
        EXPECT_EQ(got[i].value, rs[i].value);
    }
    // Single values through plain CBOR.
    auto b = encode(encode_cbor_value, rs[0].path, {rs[0]});
    std::vector<Record> got;
    ASSERT_TRUE(decode<CborValueDecoder>(b, rs[0].path, got, &types));
    EXPECT_EQ(got[0].value, rs[0].value);
  }
}

TEST(Lwm2mCborProperty, EncodeAndDecodeAllocateNothing) {
  auto rs = device_part();
  test::TableTypes types;
  types.learn(rs);
  std::vector<uint8_t> buf(1024), scratch(256);
  test::AllocationScope scope;
  SpanSource src{rs};
  Sink sink{buf};
  ASSERT_TRUE(encode_lwm2m_cbor(Path{3, 0}, src, sink));
  DecodeContext ctx{Path{3, 0}, &types, scratch};
  Lwm2mCborDecoder d{sink.window(), ctx};
  Record r;
  size_t n = 0;
  while (*d.next(r))
    ++n;
  EXPECT_EQ(n, rs.size());
  SpanSource one{std::span<const Record>(rs.data(), 1)};
  Sink sink2{buf};
  ASSERT_TRUE(encode_cbor_value(Path{3, 0, 0}, one, sink2));
  CborValueDecoder v{sink2.window(), DecodeContext{Path{3, 0, 0}, &types, scratch}};
  ASSERT_TRUE(*v.next(r));
  EXPECT_EQ(scope.count(), 0u);
}

}  // namespace
}  // namespace lwm2m::codec
