// SPDX-License-Identifier: Apache-2.0
#include "codec/lwm2m_json.hpp"

#include <gtest/gtest.h>

#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "codec/codec_support.hpp"
#include "codec/json_python_oracle.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::codec {
namespace {

using dm::DataType;
using dm::Path;
using dm::Value;
using test::OwnedRecord;

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
};

std::vector<Record> device_records() {
  return {
      {Path(3, 0, 0), Value::string("Open Mobile Alliance"), {}},
      {Path(3, 0, 1), Value::string("Lightweight M2M Client"), {}},
      {Path(3, 0, 2), Value::string("345000123"), {}},
      {Path(3, 0, 3), Value::string("1.0"), {}},
      {Path(3, 0, 6, 0), Value::integer(1), {}},
      {Path(3, 0, 6, 1), Value::integer(5), {}},
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

// The Device instance in LwM2M JSON as the LwM2M 1.0 spec's example shows it (compact).
const std::string kDeviceJson =
    R"({"bn":"/3/0/","e":[{"n":"0","sv":"Open Mobile Alliance"},)"
    R"({"n":"1","sv":"Lightweight M2M Client"},{"n":"2","sv":"345000123"},)"
    R"({"n":"3","sv":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},{"n":"7/0","v":3800},)"
    R"({"n":"7/1","v":5000},{"n":"8/0","v":125},{"n":"8/1","v":900},{"n":"9","v":100},)"
    R"({"n":"10","v":15},{"n":"11/0","v":0},{"n":"13","v":1367491215},)"
    R"({"n":"14","sv":"+02:00"},{"n":"16","sv":"U"}]})";

std::string encode(const Path& base, const std::vector<Record>& recs, Status* st = nullptr) {
  SpanSource src{recs};
  std::vector<uint8_t> buf(1 << 16);
  Sink sink{buf};
  Status s = encode_lwm2m_json(base, src, sink);
  if (st)
    *st = s;
  else
    EXPECT_TRUE(s.ok()) << to_string(s.error());
  return std::string(as_string(sink.window()));
}

Status decode(const Path& base, std::string_view doc, std::vector<OwnedRecord>& out,
              std::vector<std::optional<double>>* times = nullptr) {
  std::vector<uint8_t> scratch(doc.size());
  DecodeContext ctx{base, &kTypes, scratch};
  Lwm2mJsonDecoder d{as_bytes(doc), ctx};
  for (;;) {
    Record r;
    auto more = d.next(r);
    if (!more) return more.status();
    if (!*more) return {};
    out.push_back(test::own(r));
    if (times) times->push_back(r.time);
  }
}

Errc decode_error(const Path& base, std::string_view doc) {
  std::vector<OwnedRecord> out;
  return decode(base, doc, out).error();
}

std::vector<OwnedRecord> owned(const std::vector<Record>& recs) {
  std::vector<OwnedRecord> out;
  for (const Record& r : recs)
    out.push_back(test::own(r));
  return out;
}

TEST(Lwm2mJson, EncodesTheSpecDeviceExample) {
  EXPECT_EQ(encode(Path(3, 0), device_records()), kDeviceJson);
}

TEST(Lwm2mJson, BaseNameFollowsTheBase) {
  auto recs = device_records();
  EXPECT_EQ(encode(Path(3, 0, 0), {recs[0]}),
            R"({"bn":"/3/0/0","e":[{"sv":"Open Mobile Alliance"}]})");
  EXPECT_EQ(encode(Path(3, 0, 6), {recs[4], recs[5]}),
            R"({"bn":"/3/0/6/","e":[{"n":"0","v":1},{"n":"1","v":5}]})");
  EXPECT_EQ(encode(Path(3, 0, 6, 1), {recs[5]}), R"({"bn":"/3/0/6/1","e":[{"v":5}]})");
  EXPECT_EQ(encode(Path(), {recs[10]}), R"({"bn":"/","e":[{"n":"3/0/9","v":100}]})");
  EXPECT_EQ(encode(Path(3), {recs[10]}), R"({"bn":"/3/","e":[{"n":"0/9","v":100}]})");
  EXPECT_EQ(encode(Path(3, 0, 9), {}), R"({"bn":"/3/0/9","e":[]})");
  // No records below an object or the root: bn as if names followed.
  EXPECT_EQ(encode(Path(3), {}), R"({"bn":"/3/","e":[]})");
  EXPECT_EQ(encode(Path(), {}), R"({"bn":"/","e":[]})");
}

TEST(Lwm2mJson, EncodesEveryType) {
  const uint8_t blob[] = {'f', 'o', 'o', 'b', 'a', 'r'};
  std::vector<Record> recs{
      {Path(9, 0, 0), Value::string("a\"b\n"), {}},
      {Path(9, 0, 1), Value::integer(INT64_MIN), {}},
      {Path(9, 0, 2), Value::unsigned_integer(UINT64_MAX), {}},
      {Path(9, 0, 3), Value::floating(42.2), {}},
      {Path(9, 0, 4), Value::boolean(true), 1.5},
      {Path(9, 0, 5), Value::opaque(blob), {}},
      {Path(9, 0, 7), Value::objlnk(3, 0), {}},
      {Path(9, 0, 8), Value::corelnk("</3/0>"), {}},
  };
  EXPECT_EQ(encode(Path(9, 0), recs),
            R"({"bn":"/9/0/","e":[{"n":"0","sv":"a\"b\n"},{"n":"1","v":-9223372036854775808},)"
            R"({"n":"2","v":18446744073709551615},{"n":"3","v":42.2},{"n":"4","bv":true,"t":1.5},)"
            R"({"n":"5","sv":"Zm9vYmFy"},{"n":"7","ov":"3:0"},{"n":"8","sv":"</3/0>"}]})");
}

TEST(Lwm2mJson, EncoderRejectsWhatItCannotCarry) {
  Status st;
  encode(Path(9, 0), {{Path(9, 0, 3), Value::floating(NAN), {}}}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);
  encode(Path(9, 0), {{Path(9, 0, 0), Value::string("\xff"), {}}}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);
  encode(Path(9, 0), {{Path(9, 1, 0), Value::string("x"), {}}}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);
  encode(Path(3, 0), {{Path(3, 0, 4), Value{}, {}}}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);
  // At a resource base the first record decides whether entries are named: a resource
  // and its instances cannot both follow.
  auto recs = device_records();
  const Record single{Path(3, 0, 6), Value::integer(1), {}};
  encode(Path(3, 0, 6), {recs[4], single}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);
  encode(Path(3, 0, 6), {single, recs[4]}, &st);
  EXPECT_EQ(st, Errc::invalid_argument);
}

// Python's json module reads what the encoder wrote (tests/data/json_oracle.py).
TEST(Lwm2mJson, PythonReadsTheEncoding) {
  test::JsonOracle oracle;
  bool ok = false;
  std::string lines = oracle.parse("lwm2mjson", encode(Path(3, 0), device_records()), &ok);
  ASSERT_TRUE(ok) << lines;
  std::istringstream in(lines);
  std::string line;
  std::vector<std::string> got;
  while (std::getline(in, line))
    got.push_back(line);
  ASSERT_EQ(got.size(), 16u);
  EXPECT_EQ(got[0], "/3/0/0 - sv " + test::hex("Open Mobile Alliance"));
  EXPECT_EQ(got[5], "/3/0/6/1 - v i 5");
  EXPECT_EQ(got[13], "/3/0/13 - v i 1367491215");
}

TEST(Lwm2mJson, DecodesTheSpecDeviceExample) {
  std::vector<OwnedRecord> out;
  ASSERT_TRUE(decode(Path(3, 0), kDeviceJson, out).ok());
  EXPECT_EQ(out, owned(device_records()));
  // As printed in the spec, with whitespace and line breaks.
  const char* pretty = R"({"bn":"/3/0/",
   "e":[
     {"n":"0","sv":"Open Mobile Alliance"},
     {"n":"6/0","v":1},
     {"n":"13","v":1367491215}
   ]
  })";
  out.clear();
  ASSERT_TRUE(decode(Path(3, 0), pretty, out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].path, Path(3, 0, 6, 0));
  EXPECT_EQ(out[2].scalar, Value::time(1367491215));
}

TEST(Lwm2mJson, DecoderNamesAndTimes) {
  std::vector<OwnedRecord> out;
  std::vector<std::optional<double>> times;
  // "e" before "bn", unknown members anywhere, bt + t.
  ASSERT_TRUE(decode(Path(3, 0),
                     R"({"e":[{"x":{"y":[1]},"n":"9","v":1,"t":-5},{"n":"10","v":2}],"bt":100,)"
                     R"("bn":"/3/0/","ver":"1"})",
                     out, &times)
                  .ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].path, Path(3, 0, 9));
  EXPECT_EQ(times[0], 95.0);
  EXPECT_EQ(times[1], 100.0);
  // No bn: names are relative to the request path; absolute names stand alone.
  out.clear();
  ASSERT_TRUE(decode(Path(3, 0), R"({"e":[{"n":"9","v":1},{"n":"/3/0/10","v":2}]})", out).ok());
  EXPECT_EQ(out[0].path, Path(3, 0, 9));
  EXPECT_EQ(out[1].path, Path(3, 0, 10));
  out.clear();
  ASSERT_TRUE(decode(Path(3, 0, 9), R"({"bn":"/3/0/9","e":[{"v":7}]})", out).ok());
  EXPECT_EQ(out[0].scalar, Value::integer(7));
  // Escaped strings and opaque.
  out.clear();
  ASSERT_TRUE(
      decode(Path(9, 0),
             R"({"bn":"\/9\/0\/","e":[{"n":"0","sv":"a\u00e9\n"},{"n":"5","sv":"Zm9v\/w=="},)"
             R"({"n":"7","ov":"65535:65535"},{"n":"3","v":7},{"n":"2","v":18446744073709551615}]})",
             out)
          .ok());
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].bytes, "a\xc3\xa9\n");
  EXPECT_EQ(out[1].bytes, std::string("foo\xff", 4));
  EXPECT_EQ(out[2].scalar, Value::objlnk(65535, 65535));
  EXPECT_EQ(out[3].scalar, Value::floating(7.0));
  EXPECT_EQ(out[4].scalar, Value::unsigned_integer(UINT64_MAX));
}

// "v" carries no type: a number becomes the declared one when it fits exactly, as before
// (an integral decimal for an integer, the nearest double for a float, -0 kept for a float).
TEST(Lwm2mJson, DecoderNumbersTakeTheDeclaredType) {
  std::vector<OwnedRecord> out;
  ASSERT_TRUE(decode(Path(9, 0),
                     R"({"bn":"/9/0/","e":[{"n":"3","v":-0},{"n":"1","v":2.0},{"n":"6","v":1e2},)"
                     R"({"n":"2","v":-0},{"n":"3","v":9007199254740993},)"
                     R"({"n":"3","v":100000000000000000000},{"n":"2","v":9223372036854775808}]})",
                     out)
                  .ok());
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[0].scalar.type(), DataType::floating);
  EXPECT_TRUE(std::signbit(out[0].scalar.as_float()));
  EXPECT_EQ(out[1].scalar, Value::integer(2));
  EXPECT_EQ(out[2].scalar, Value::time(100));
  EXPECT_EQ(out[3].scalar, Value::unsigned_integer(0));
  EXPECT_EQ(out[4].scalar, Value::floating(9007199254740992.0));
  EXPECT_EQ(out[5].scalar, Value::floating(1e20));
  EXPECT_EQ(out[6].scalar, Value::unsigned_integer(uint64_t{1} << 63));
  EXPECT_EQ(decode_error(Path(9, 0), R"({"e":[{"n":"1","v":18446744073709551616}]})"),
            Errc::bad_request);
  EXPECT_EQ(decode_error(Path(9, 0), R"({"e":[{"n":"3","v":1e400}]})"), Errc::bad_request);
}

TEST(Lwm2mJson, DecoderErrors) {
  EXPECT_EQ(decode_error(Path(3, 0), R"({"bn":"/3/0/","e":[{"n":"9","v":1})"), Errc::truncated);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"bn":"/3/0/","e":[{"n":"9","v":1}],})"), Errc::malformed);
  EXPECT_EQ(decode_error(Path(3, 0), R"([])"), Errc::malformed);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"bn":"/3/0/"})"), Errc::malformed);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[],"e":[]})"), Errc::malformed);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"bn":1,"e":[]})"), Errc::malformed);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":"9"}]})"), Errc::malformed);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":"9","v":1,"v":2}]})"), Errc::malformed);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":"9","v":1,"sv":"1"}]})"), Errc::malformed);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":9,"v":1}]})"), Errc::malformed);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":"9","v":"1"}]})"), Errc::malformed);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[1]})"), Errc::malformed);
  // Names that are not paths below the base.
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":"/3/1/9","v":1}]})"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"v":1}]})"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":"9/","v":1}]})"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":"x","v":1}]})"), Errc::bad_request);
  // Values that do not fit the type.
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":"9","v":1.5}]})"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":"9","sv":"1"}]})"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":"9","v":1e300}]})"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":"0","bv":true}]})"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(9, 0), R"({"e":[{"n":"2","v":-1}]})"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(9, 0), R"({"e":[{"n":"5","sv":"Zm9"}]})"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(9, 0), R"({"e":[{"n":"7","ov":"3"}]})"), Errc::bad_request);
  EXPECT_EQ(decode_error(Path(9, 0), R"({"e":[{"n":"4","v":1}]})"), Errc::bad_request);
  // Unknown resource, and a single resource named as an instance.
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":"99","v":1}]})"), Errc::not_found);
  EXPECT_EQ(decode_error(Path(3, 0), R"({"e":[{"n":"9/0","v":1}]})"), Errc::not_found);
}

TEST(Lwm2mJson, GrammarErrorsComeBeforeAnyRecord) {
  const std::string doc = R"({"e":[{"n":"9","v":1}],"bn":"/3/0/"x})";
  DecodeContext ctx{Path(3, 0), &kTypes, {}};
  Lwm2mJsonDecoder d{as_bytes(doc), ctx};
  Record r;
  EXPECT_EQ(d.next(r).error(), Errc::malformed);
  EXPECT_EQ(d.next(r).error(), Errc::malformed);
}

Value random_value(std::mt19937_64& rng, DataType t, std::vector<std::string>& store) {
  switch (t) {
    case DataType::string: {
      static const char* pool[] = {"a",        "\"",           "\\", "\n", "\x01",
                                   "\xc3\xa9", "\xe2\x82\xac", " ",  "/"};
      std::string s;
      for (size_t k = rng() % 8; k > 0; --k)
        s += pool[rng() % 9];
      store.push_back(s);
      return Value::string(store.back());
    }
    case DataType::opaque: {
      std::string s(rng() % 20, '\0');
      for (char& c : s)
        c = static_cast<char>(rng());
      store.push_back(s);
      return Value::opaque(as_bytes(store.back()));
    }
    case DataType::integer:
      return Value::integer(static_cast<int64_t>(rng()) >> (rng() % 64));
    case DataType::time:
      return Value::time(static_cast<int64_t>(rng() >> 34));
    case DataType::unsigned_integer:
      return Value::unsigned_integer(rng() >> (rng() % 64));
    case DataType::floating: {
      double d;
      uint64_t bits = rng();
      std::memcpy(&d, &bits, sizeof d);
      return Value::floating(std::isfinite(d) ? d : 0.1);
    }
    case DataType::boolean:
      return Value::boolean(rng() & 1);
    case DataType::objlnk:
      return Value::objlnk(rng() & 0xFFFF, rng() & 0xFFFF);
    default:
      store.push_back("</1>");
      return Value::corelnk(store.back());
  }
}

std::vector<Record> random_records(std::mt19937_64& rng, std::vector<std::string>& store) {
  static const uint16_t kResources[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 13};
  std::vector<Record> recs;
  for (uint16_t iid : {uint16_t{0}, uint16_t{1}, uint16_t{300}, uint16_t{65534}}) {
    if (rng() % 2) continue;
    for (uint16_t rid : kResources) {
      if (rng() % 2) continue;
      const bool multi = rid == 11 || rid == 13;
      const DataType t = *kTypes.type_of(multi ? Path(9, 0, rid, 0) : Path(9, 0, rid));
      std::optional<double> time;
      if (rng() % 4 == 0) time = static_cast<double>(rng() % 100000) / 4;
      if (multi) {
        for (uint16_t ri : {uint16_t{0}, uint16_t{7}, uint16_t{1000}})
          if (rng() % 2) recs.push_back({Path(9, iid, rid, ri), random_value(rng, t, store), time});
      } else {
        recs.push_back({Path(9, iid, rid), random_value(rng, t, store), time});
      }
    }
  }
  return recs;
}

TEST(Lwm2mJson, RandomRecordSetsRoundTrip) {
  std::mt19937_64 rng(11543);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> store;
    store.reserve(100);
    auto recs = random_records(rng, store);
    for (const Path& base : {Path(), Path(9)}) {
      std::vector<OwnedRecord> out;
      std::vector<std::optional<double>> times;
      const std::string doc = encode(base, recs);
      ASSERT_TRUE(decode(base, doc, out, &times).ok()) << doc;
      ASSERT_EQ(out, owned(recs)) << doc;
      for (size_t i = 0; i < recs.size(); ++i)
        EXPECT_EQ(times[i], recs[i].time);
    }
  }
}

// Random documents checked against Python: names, kinds and values agree.
TEST(Lwm2mJson, PythonAgreesOnRandomDocuments) {
  test::JsonOracle oracle;
  std::mt19937_64 rng(20261125);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::string> store;
    store.reserve(100);
    auto recs = random_records(rng, store);
    bool ok = false;
    std::string lines = oracle.parse("lwm2mjson", encode(Path(9), recs), &ok);
    ASSERT_TRUE(ok) << lines;
    std::istringstream in(lines);
    for (const Record& r : recs) {
      std::string line;
      ASSERT_TRUE(std::getline(in, line));
      std::istringstream f(line);
      std::string name, t, kind, v1, v2;
      f >> name >> t >> kind >> v1 >> v2;
      EXPECT_EQ(name, test::path_text(r.path));
      EXPECT_EQ(t == "-", !r.time.has_value());
      switch (r.value.type()) {
        case DataType::integer:
        case DataType::time:
          EXPECT_EQ(kind + " " + v1 + " " + v2, "v i " + std::to_string(r.value.as_integer()));
          break;
        case DataType::unsigned_integer:
          EXPECT_EQ(kind + " " + v1 + " " + v2, "v i " + std::to_string(r.value.as_unsigned()));
          break;
        case DataType::floating: {
          EXPECT_EQ(kind, "v");
          double d = r.value.as_float();
          if (v1 == "i") {
            EXPECT_EQ(std::stod(v2), d);  // an integral float written without a fraction
          } else {
            uint64_t bits;
            std::memcpy(&bits, &d, sizeof bits);
            char hex[17];
            std::snprintf(hex, sizeof hex, "%016" PRIx64, bits);
            EXPECT_EQ(v2, hex);
          }
          break;
        }
        case DataType::boolean:
          EXPECT_EQ(kind + " " + v1, std::string("bv ") + (r.value.as_bool() ? "true" : "false"));
          break;
        case DataType::objlnk:
          EXPECT_EQ(kind, "ov");
          break;
        default:
          EXPECT_EQ(kind, "sv");
          if (r.value.type() != DataType::opaque) {
            EXPECT_EQ(v1, test::hex(as_string(r.value.as_bytes())));
          }
      }
    }
  }
}

TEST(Lwm2mJson, EncodeAndDecodeDoNotAllocate) {
  auto recs = device_records();
  uint8_t buf[1024];
  uint8_t scratch[64];
  test::AllocationScope scope;
  SpanSource src{recs};
  Sink sink{buf};
  ASSERT_TRUE(encode_lwm2m_json(Path(3, 0), src, sink).ok());
  DecodeContext ctx{Path(3, 0), &kTypes, scratch};
  Lwm2mJsonDecoder d{sink.window(), ctx};
  Record r;
  size_t n = 0;
  while (d.next(r).value())
    ++n;
  EXPECT_EQ(n, recs.size());
  EXPECT_EQ(scope.count(), 0u);
}

}  // namespace
}  // namespace lwm2m::codec
