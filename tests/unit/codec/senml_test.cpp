// SPDX-License-Identifier: Apache-2.0
#include "codec/senml.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/cbor_diag.hpp"
#include "codec/record_lines.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::codec {
namespace {

using dm::Path;
using dm::Value;
using test::hex;
using test::unhex;

// The Device object instance of the OMA LwM2M Core 1.1 SenML examples (§7.4.4/§7.4.5).
std::vector<Record> device_records() {
  return {
      {Path{3, 0, 0}, Value::string("Open Mobile Alliance"), {}},
      {Path{3, 0, 1}, Value::string("Lightweight M2M Client"), {}},
      {Path{3, 0, 2}, Value::string("345000123"), {}},
      {Path{3, 0, 3}, Value::string("1.0"), {}},
      {Path{3, 0, 6, 0}, Value::integer(1), {}},
      {Path{3, 0, 6, 1}, Value::integer(5), {}},
      {Path{3, 0, 7, 0}, Value::integer(3800), {}},
      {Path{3, 0, 7, 1}, Value::integer(5000), {}},
      {Path{3, 0, 8, 0}, Value::integer(125), {}},
      {Path{3, 0, 8, 1}, Value::integer(900), {}},
      {Path{3, 0, 9}, Value::integer(100), {}},
      {Path{3, 0, 10}, Value::integer(15), {}},
      {Path{3, 0, 11, 0}, Value::integer(0), {}},
      {Path{3, 0, 13}, Value::time(1367491215), {}},
      {Path{3, 0, 14}, Value::string("+02:00"), {}},
      {Path{3, 0, 16}, Value::string("U"), {}},
  };
}

using Encoder = Status (*)(const Path&, RecordSource&, Sink&) noexcept;

std::string encode(Encoder enc, const Path& base, const std::vector<Record>& rs,
                   Status* st = nullptr) {
  std::vector<uint8_t> buf(8192);
  Sink sink{buf};
  SpanSource src{rs};
  Status s = enc(base, src, sink);
  if (st) *st = s;
  EXPECT_FALSE(sink.overflowed());
  return std::string(as_string(sink.window()));
}

std::string json(const Path& base, const std::vector<Record>& rs, Status* st = nullptr) {
  return encode(encode_senml_json, base, rs, st);
}
std::string cbor(const Path& base, const std::vector<Record>& rs, Status* st = nullptr) {
  return encode(encode_senml_cbor, base, rs, st);
}

template <class D>
Status decode(std::string_view payload, const Path& base, std::vector<Record>& out,
              const TypeResolver* types = nullptr) {
  static std::deque<std::string> storage;
  static std::vector<uint8_t> scratch(4096);
  DecodeContext ctx{base, types, scratch};
  return test::decode_all<D>(as_bytes(payload), ctx, out, storage);
}

TEST(SenmlJson, DeviceInstanceMatchesSpecExample) {
  EXPECT_EQ(json(Path{3, 0}, device_records()),
            R"([{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},)"
            R"({"n":"1","vs":"Lightweight M2M Client"},{"n":"2","vs":"345000123"},)"
            R"({"n":"3","vs":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},{"n":"7/0","v":3800},)"
            R"({"n":"7/1","v":5000},{"n":"8/0","v":125},{"n":"8/1","v":900},{"n":"9","v":100},)"
            R"({"n":"10","v":15},{"n":"11/0","v":0},{"n":"13","v":1367491215},)"
            R"({"n":"14","vs":"+02:00"},{"n":"16","vs":"U"}])");
}

TEST(SenmlCbor, DeviceInstanceMatchesSpecExampleByteExact) {
  // OMA LwM2M Core 1.1.1 §7.4.5, the same Device instance in SenML CBOR.
  EXPECT_EQ(hex(cbor(Path{3, 0}, device_records())),
            "90a321652f332f302f00613003744f70656e204d6f62696c6520416c6c69616e6365a200613103764c"
            "69676874776569676874204d324d20436c69656e74a20061320369333435303030313233a200613303"
            "63312e30a20063362f300201a20063362f310205a20063372f3002190ed8a20063372f3102191388a2"
            "0063382f3002187da20063382f3102190384a2006139021864a200623130020fa2006431312f300200"
            "a200623133021a5182428fa20062313403662b30323a3030a200623136036155");
}

TEST(SenmlJson, SingleResourceCarriesItsPathAsBaseName) {
  EXPECT_EQ(json(Path{3, 0, 0}, {{Path{3, 0, 0}, Value::string("Open Mobile Alliance"), {}}}),
            R"([{"bn":"/3/0/0","vs":"Open Mobile Alliance"}])");
  // A multiple-instance resource: names are the instance ids.
  EXPECT_EQ(json(Path{3, 0, 7}, {{Path{3, 0, 7, 0}, Value::integer(3800), {}},
                                 {Path{3, 0, 7, 1}, Value::integer(5000), {}}}),
            R"([{"bn":"/3/0/7/","n":"0","v":3800},{"n":"1","v":5000}])");
}

TEST(SenmlJson, TimeSeriesOfOneResourceRepeatsNoName) {
  EXPECT_EQ(
      json(Path{3303, 0, 5700}, {{Path{3303, 0, 5700}, Value::floating(22.5), 1700000000.0},
                                 {Path{3303, 0, 5700}, Value::floating(23.25), 1700000010.0}}),
      R"([{"bn":"/3303/0/5700","t":1700000000,"v":22.5},{"t":1700000010,"v":23.25}])");
}

TEST(SenmlJson, CompositeFromTheRootNamesEveryPath) {
  EXPECT_EQ(json(Path{}, {{Path{3, 0, 0}, Value::string("A"), {}},
                          {Path{1, 0, 1}, Value::integer(86400), {}},
                          {Path{1, 0}, Value{}, {}}}),
            R"([{"bn":"/","n":"3/0/0","vs":"A"},{"n":"1/0/1","v":86400},{"n":"1/0"}])");
}

TEST(SenmlJson, EveryValueKind) {
  const uint8_t raw[] = {0xfb, 0xff, 0x00};
  EXPECT_EQ(json(Path{1, 2}, {{Path{1, 2, 0}, Value::opaque(raw), {}},
                              {Path{1, 2, 1}, Value::opaque({}), {}},
                              {Path{1, 2, 2}, Value::string(""), {}},
                              {Path{1, 2, 3}, Value::boolean(true), {}},
                              {Path{1, 2, 4}, Value::objlnk(3, 65535), {}},
                              {Path{1, 2, 5}, Value::unsigned_integer(UINT64_MAX), {}},
                              {Path{1, 2, 6}, Value::integer(INT64_MIN), {}},
                              {Path{1, 2, 7}, Value::floating(-0.5), {}},
                              {Path{1, 2, 8}, Value::corelnk("</3/0>"), {}},
                              {Path{1, 2, 9, 65534}, Value::time(-1), {}}}),
            R"([{"bn":"/1/2/","n":"0","vd":"-_8A"},{"n":"1","vd":""},{"n":"2","vs":""},)"
            R"({"n":"3","vb":true},{"n":"4","vlo":"3:65535"},)"
            R"({"n":"5","v":18446744073709551615},{"n":"6","v":-9223372036854775808},)"
            R"({"n":"7","v":-0.5},{"n":"8","vs":"</3/0>"},{"n":"9/65534","v":-1}])");
}

TEST(SenmlCbor, EveryValueKind) {
  const uint8_t raw[] = {0xfb, 0xff, 0x00};
  std::string out = cbor(Path{1, 2}, {{Path{1, 2, 0}, Value::opaque(raw), {}},
                                      {Path{1, 2, 3}, Value::boolean(false), {}},
                                      {Path{1, 2, 4}, Value::objlnk(3, 0), 5.0},
                                      {Path{1, 2, 5}, Value::unsigned_integer(UINT64_MAX), {}},
                                      {Path{1, 2, 7}, Value::floating(1.5), {}},
                                      {Path{1, 2, 8}, Value::floating(1.1), 0.25},
                                      {Path{1, 2}, Value{}, {}}});
  EXPECT_EQ(test::diag(as_bytes(out)),
            R"([{-2: "/1/2/", 0: "0", 8: h'fbff00'}, {0: "3", 4: false}, )"
            R"({0: "4", 6: 5, "vlo": "3:0"}, {0: "5", 2: 18446744073709551615}, {0: "7", 2: 1.5}, )"
            R"({0: "8", 6: 0.25, 2: 1.1}, {}])");
  // 1.5 is exact in float32 and is written so; 1.1 is not.
  EXPECT_NE(out.find("\x02\xfa\x3f\xc0\x00\x00", 0, 6), std::string::npos);
  EXPECT_NE(out.find("\x02\xfb\x3f\xf1\x99\x99", 0, 6), std::string::npos);
}

// Block2: the core re-encodes the representation for each block through a windowed Sink;
// the windows must join up to the whole payload.
TEST(SenmlEncode, WindowedSinksJoinUpToTheWholePayload) {
  for (Encoder enc : {encode_senml_json, encode_senml_cbor}) {
    const auto records = device_records();
    const std::string whole = encode(enc, Path{3, 0}, records);
    std::string joined;
    for (size_t offset = 0;; offset += 16) {
      std::vector<uint8_t> block(16);
      Sink sink{block, offset};
      SpanSource src{records};
      ASSERT_TRUE(enc(Path{3, 0}, src, sink));
      EXPECT_EQ(sink.total(), whole.size());
      joined += as_string(sink.window());
      if (!sink.overflowed()) break;
    }
    EXPECT_EQ(joined, whole);
  }
}

TEST(SenmlEncode, RefusesRecordsOutsideTheBase) {
  Status st;
  (void)json(Path{3, 0}, {{Path{4, 0, 1}, Value::integer(1), {}}}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);
  (void)cbor(Path{3, 0}, {{Path{3, 1, 1}, Value::integer(1), {}}}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);
  (void)json(Path{3, 0}, {{Path{3, 0, 1}, Value::floating(NAN), {}}}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);
}

// --- decoding

TEST(SenmlJsonDecoder, ReadsTheSpecDeviceExample) {
  std::string payload = json(Path{3, 0}, device_records());
  test::TableTypes types;
  types.learn(device_records());
  std::vector<Record> got;
  ASSERT_TRUE(decode<SenmlJsonDecoder>(payload, Path{3, 0}, got, &types));
  EXPECT_EQ(test::lines(got), test::lines(device_records()));
  EXPECT_EQ(got[13].value, Value::time(1367491215));
}

TEST(SenmlJsonDecoder, ReadCompositeRequestHasNamesOnly) {
  std::vector<Record> got;
  ASSERT_TRUE(
      decode<SenmlJsonDecoder>(R"([{"n":"/3/0/0"},{"n":"/3/0/9"},{"n":"/1/0"}])", Path{}, got));
  EXPECT_EQ(test::lines(got), "/3/0/0 - none\n/3/0/9 - none\n/1/0 - none\n");
  // FETCH with a base name, and a base name alone naming an instance ("/1/0/" is /1/0).
  got.clear();
  ASSERT_TRUE(decode<SenmlJsonDecoder>(R"([{"bn":"/3/0/","n":"1"},{"n":"7/0"},{"bn":"/1/0/"}])",
                                       Path{}, got));
  EXPECT_EQ(test::lines(got), "/3/0/1 - none\n/3/0/7/0 - none\n/1/0 - none\n");
}

TEST(SenmlJsonDecoder, WriteCompositeAndIpatchTypedByTheDataModel) {
  test::TableTypes types;
  types.set(Path{3311, 0, 5850}, dm::DataType::boolean);
  types.set(Path{3311, 1, 5851}, dm::DataType::integer);
  types.set(Path{1, 0, 1}, dm::DataType::unsigned_integer);
  types.set(Path{3, 0, 13}, dm::DataType::time);
  types.set(Path{3303, 0, 5700}, dm::DataType::floating);
  types.set(Path{18, 0, 1}, dm::DataType::objlnk);
  std::vector<Record> got;
  ASSERT_TRUE(decode<SenmlJsonDecoder>(
      R"([{"bn":"/3311/","n":"0/5850","vb":false},{"n":"1/5851","v":-20},)"
      R"({"bn":"/1/0/","n":"1","v":18446744073709551615},{"n":"/3/0/13","bn":"","v":1700000000},)"
      R"({"n":"/3303/0/5700","v":3},{"n":"/18/0/1","vlo":"3:0"}])",
      Path{}, got, &types));
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[0].value, Value::boolean(false));
  EXPECT_EQ(got[1].value, Value::integer(-20));
  EXPECT_EQ(got[2].value, Value::unsigned_integer(UINT64_MAX));
  EXPECT_EQ(got[3].value, Value::time(1700000000));
  EXPECT_EQ(got[4].value, Value::floating(3.0));
  EXPECT_EQ(got[5].value, Value::objlnk(3, 0));
}

TEST(SenmlJsonDecoder, FloatForAnIntegerResourceIsBadRequest) {
  test::TableTypes types;
  types.set(Path{3, 0, 9}, dm::DataType::integer);
  std::vector<Record> got;
  EXPECT_EQ(decode<SenmlJsonDecoder>(R"([{"n":"/3/0/9","v":1.5}])", Path{3}, got, &types),
            Errc::bad_request);
  EXPECT_EQ(decode<SenmlJsonDecoder>(R"([{"n":"/3/0/9","v":2.0}])", Path{3}, got, &types),
            Errc::bad_request);
  EXPECT_EQ(decode<SenmlJsonDecoder>(R"([{"n":"/3/0/9","vs":"2"}])", Path{3}, got, &types),
            Errc::bad_request);
  EXPECT_EQ(decode<SenmlJsonDecoder>(R"([{"n":"/3/0/99","v":2}])", Path{3}, got, &types),
            Errc::not_found);
}

TEST(SenmlJsonDecoder, BaseNameAndBaseTimeRules) {
  std::vector<Record> got;
  // bn persists until replaced; a record without n is named by bn alone; bt + t, bt persists.
  ASSERT_TRUE(decode<SenmlJsonDecoder>(
      R"([{"bn":"/3303/0/5700","bt":1700000000,"v":20.5,"t":-10},{"v":21.5},)"
      R"({"bn":"/3303/0/","n":"5701","vs":"Cel","t":0.5},{"bt":0,"n":"5700","v":1.25,"t":7}])",
      Path{3303}, got));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(test::path_text(got[0].path), "/3303/0/5700");
  EXPECT_EQ(*got[0].time, 1699999990.0);
  EXPECT_EQ(test::path_text(got[1].path), "/3303/0/5700");
  EXPECT_EQ(*got[1].time, 1700000000.0);
  EXPECT_EQ(test::path_text(got[2].path), "/3303/0/5701");
  EXPECT_EQ(*got[2].time, 1700000000.5);
  EXPECT_EQ(*got[3].time, 7.0);
  // No bt and no t: no time.
  got.clear();
  ASSERT_TRUE(decode<SenmlJsonDecoder>(R"([{"n":"/1/0/1","v":1}])", Path{}, got));
  EXPECT_FALSE(got[0].time.has_value());
}

TEST(SenmlJsonDecoder, DuplicateRecordsComeOutInOrder) {
  std::vector<Record> got;
  ASSERT_TRUE(decode<SenmlJsonDecoder>(
      R"([{"n":"/1/0/1","v":1},{"n":"/1/0/1","v":2},{"n":"/1/0/1","v":1}])", Path{1}, got));
  EXPECT_EQ(test::lines(got), "/1/0/1 - v i 1\n/1/0/1 - v i 2\n/1/0/1 - v i 1\n");
}

TEST(SenmlJsonDecoder, OpaqueIsBase64urlAndStringsUnescape) {
  std::vector<Record> got;
  ASSERT_TRUE(decode<SenmlJsonDecoder>(
      R"([{"bn":"\/1\/0\/","n":"\u0031","vd":"-_8A"},{"n":"2","vd":""},{"n":"3","vs":"a\"\u00e9"}])",
      Path{1}, got));
  EXPECT_EQ(test::lines(got), "/1/0/1 - vd fbff00\n/1/0/2 - vd \n/1/0/3 - vs 6122c3a9\n");
  EXPECT_EQ(decode<SenmlJsonDecoder>(R"([{"n":"/1/0/1","vd":"-_8="}])", Path{1}, got),
            Errc::ok);  // padding tolerated
  EXPECT_EQ(decode<SenmlJsonDecoder>(R"([{"n":"/1/0/1","vd":"+/8A"}])", Path{1}, got),
            Errc::bad_request);  // not base64url
}

TEST(SenmlJsonDecoder, Errors) {
  std::vector<Record> got;
  auto err = [&](std::string_view p, const Path& base = Path{}) {
    got.clear();
    return decode<SenmlJsonDecoder>(p, base, got).error();
  };
  EXPECT_EQ(err(R"([{"n":"/4/0/1","v":1}])", Path{3}), Errc::bad_request);  // outside base
  EXPECT_EQ(err(R"([{"n":"/3/0","v":1}])"), Errc::bad_request);   // value above a resource
  EXPECT_EQ(err(R"([{"n":"3/0/1","v":1}])"), Errc::bad_request);  // not a path
  EXPECT_EQ(err(R"([{"n":"/3/0/65535","v":1}])"), Errc::bad_request);
  EXPECT_EQ(err(R"([{"n":"/1/0/1","v":1,"vs":"x"}])"), Errc::malformed);  // two values
  EXPECT_EQ(err(R"([{"n":"/1/0/1","n":"/1/0/2"}])"), Errc::malformed);    // label twice
  EXPECT_EQ(err(R"([{"n":"/1/0/1","v":"1"}])"), Errc::malformed);
  EXPECT_EQ(err(R"([{"n":"/1/0/1","v":1,"foo_":1}])"), Errc::unsupported);
  EXPECT_EQ(err(R"({"n":"/1/0/1"})"), Errc::malformed);
  EXPECT_EQ(err(R"([["n"]])"), Errc::malformed);
  EXPECT_EQ(err(R"([{"n":"/1/0/1","v":1})"), Errc::truncated);
  EXPECT_EQ(err(R"([{"n":"/1/0/1"}] x)"), Errc::malformed);
  EXPECT_EQ(err(R"([{"n":"/1/0/1","x":{"y":[1]}}])"), Errc::unsupported);  // too deep
  // Unknown labels are ignored.
  EXPECT_EQ(err(R"([{"n":"/1/0/1","u":"Cel","v":1,"bver":10}])"), Errc::ok);
}

TEST(SenmlCborDecoder, IndefiniteLengthItemsTagsAndChunks) {
  // [_ {_ -2: (_ "/3/", "0/"), 0: "1", 3: (_ "a", "b")}, {0: "2", 2: 1(-5)}]
  auto p = unhex(
      "9f"
      "bf"
      "21"
      "7f"
      "632f332f"
      "62302f"
      "ff"
      "00"
      "6131"
      "03"
      "7f"
      "6161"
      "6162"
      "ff"
      "ff"
      "a2"
      "00"
      "6132"
      "02"
      "c1"
      "24"
      "ff");
  std::vector<Record> got;
  ASSERT_TRUE(decode<SenmlCborDecoder>(as_string(p), Path{3}, got));
  EXPECT_EQ(test::lines(got), "/3/0/1 - vs 6162\n/3/0/2 - v i -5\n");
}

TEST(SenmlCborDecoder, Errors) {
  std::vector<Record> got;
  auto err = [&](std::string_view h, const Path& base = Path{}) {
    got.clear();
    auto p = unhex(h);
    return decode<SenmlCborDecoder>(as_string(p), base, got).error();
  };
  EXPECT_EQ(err("81a20066"
                "2f342f302f31"
                "0201",
                Path{3}),
            Errc::bad_request);
  EXPECT_EQ(err("81a2006"
                "62f312f302f31"
                "0261"
                "31"),
            Errc::malformed);  // v as text
  EXPECT_EQ(err("a0"), Errc::malformed);
  EXPECT_EQ(err("8101"), Errc::malformed);
  EXPECT_EQ(err("81a1f601"), Errc::malformed);  // null key
  EXPECT_EQ(err("81a20066"
                "2f312f302f31"
                "64666f6f5f01"),
            Errc::unsupported);  // "foo_"
  EXPECT_EQ(err("81a200662f312f302f31"), Errc::truncated);
  EXPECT_EQ(err("81a200662f312f302f3109f6"), Errc::ok);  // unknown label 9 skipped
  // An unknown chunked text label longer than any we know, then a second record.
  EXPECT_EQ(err("82a200662f312f302f317f656162636465656667686a6bff01a10066"
                "2f312f302f32"),
            Errc::ok);
  EXPECT_EQ(test::lines(got), "/1/0/1 - none\n/1/0/2 - none\n");
}

// --- oracles

TEST(SenmlOracle, PythonReadsOurJsonAndCbor) {
  test::JsonOracle json_py;
  test::CborOracle cbor_py;
  for (uint64_t seed = 1; seed <= 25; ++seed) {
    test::RecordGen gen{seed};
    auto rs = gen.make(Path{3, 0}, seed % 2 == 0, true);
    bool ok = false;
    std::string j = json(Path{3, 0}, rs);
    EXPECT_EQ(json_py.parse("senml", j, &ok), test::lines(rs, true)) << j;
    EXPECT_TRUE(ok);
    std::string c = cbor(Path{3, 0}, rs);
    EXPECT_EQ(cbor_py.run("senml", as_bytes(c), &ok), test::lines(rs)) << hex(c);
    EXPECT_TRUE(ok);
  }
}

TEST(SenmlOracle, WeReadWhatCbor2Writes) {
  test::CborOracle cbor_py;
  for (unsigned seed = 1; seed <= 25; ++seed) {
    std::vector<uint8_t> payload;
    bool ok = false;
    std::string expected = cbor_py.gen("gensenml", seed, payload, &ok);
    ASSERT_TRUE(ok);
    std::vector<Record> got;
    ASSERT_TRUE(decode<SenmlCborDecoder>(as_string(payload), Path{3, 0}, got)) << hex(payload);
    // Without types, objlnk comes from "vlo" and numbers keep their CBOR type.
    EXPECT_EQ(test::lines(got), expected) << hex(payload);
  }
}

TEST(SenmlProperty, RandomRecordTreesRoundTrip) {
  for (uint64_t seed = 100; seed < 400; ++seed) {
    test::RecordGen gen{seed};
    auto rs = gen.make(Path{3, 0}, seed % 3 == 0, false);
    test::TableTypes types;
    types.learn(rs);
    for (int fmt = 0; fmt < 2; ++fmt) {
      std::string payload = fmt ? cbor(Path{3, 0}, rs) : json(Path{3, 0}, rs);
      std::vector<Record> got;
      Status st = fmt ? decode<SenmlCborDecoder>(payload, Path{3}, got, &types)
                      : decode<SenmlJsonDecoder>(payload, Path{3}, got, &types);
      ASSERT_TRUE(st) << to_string(st.error()) << " " << payload;
      ASSERT_EQ(test::lines(got), test::lines(rs)) << payload;
      for (size_t i = 0; i < rs.size(); ++i)
        EXPECT_EQ(got[i].value, rs[i].value) << i;
    }
  }
}

TEST(SenmlProperty, EncodeAndDecodeAllocateNothing) {
  auto rs = device_records();
  test::TableTypes types;
  types.learn(rs);
  std::vector<uint8_t> buf(2048), scratch(512);
  for (Encoder enc : {encode_senml_json, encode_senml_cbor}) {
    size_t n = 0;
    {
      test::AllocationScope scope;
      SpanSource src{rs};
      Sink sink{buf};
      ASSERT_TRUE(enc(Path{3, 0}, src, sink));
      n = sink.total();
      EXPECT_EQ(scope.count(), 0u);
    }
    test::AllocationScope scope;
    DecodeContext ctx{Path{3, 0}, &types, scratch};
    size_t records = 0;
    auto run = [&](Decoder& d) {
      Record r;
      while (true) {
        auto more = d.next(r);
        ASSERT_TRUE(more);
        if (!*more) break;
        ++records;
      }
    };
    if (enc == encode_senml_json) {
      SenmlJsonDecoder d{{buf.data(), n}, ctx};
      run(d);
    } else {
      SenmlCborDecoder d{{buf.data(), n}, ctx};
      run(d);
    }
    EXPECT_EQ(records, rs.size());
    EXPECT_EQ(scope.count(), 0u);
  }
}

}  // namespace
}  // namespace lwm2m::codec
