// SPDX-License-Identifier: Apache-2.0
#include "codec/cbor.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "codec/cbor_diag.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::codec::cbor {
namespace {

using lwm2m::test::diag;
using lwm2m::test::hex;
using lwm2m::test::unhex;

struct Example {
  const char* hex;
  const char* diag;
};

// RFC 8949 Appendix A, Table 6, in the notation of cbor_diag.hpp: tags are dropped, floats
// are the shortest "%g" form, chunks of indefinite strings are shown as (_ ...).
const Example kAppendixA[] = {
    {"00", "0"},
    {"01", "1"},
    {"0a", "10"},
    {"17", "23"},
    {"1818", "24"},
    {"1819", "25"},
    {"1864", "100"},
    {"1903e8", "1000"},
    {"1a000f4240", "1000000"},
    {"1b000000e8d4a51000", "1000000000000"},
    {"1bffffffffffffffff", "18446744073709551615"},
    {"c249010000000000000000", "h'010000000000000000'"},  // bignum 2^64, tag 2 dropped
    {"3bffffffffffffffff", "-18446744073709551616"},
    {"c349010000000000000000", "h'010000000000000000'"},
    {"20", "-1"},
    {"29", "-10"},
    {"3863", "-100"},
    {"3903e7", "-1000"},
    {"f90000", "0"},
    {"f98000", "-0"},
    {"f93c00", "1"},
    {"fb3ff199999999999a", "1.1"},
    {"f93e00", "1.5"},
    {"f97bff", "65504"},
    {"fa47c35000", "1e+05"},
    {"fa7f7fffff", "3.4028234663852886e+38"},
    {"fb7e37e43c8800759c", "1e+300"},
    {"f90001", "5.9604644775390625e-08"},
    {"f90400", "6.103515625e-05"},
    {"f9c400", "-4"},
    {"fbc010666666666666", "-4.1"},
    {"f97c00", "inf"},
    {"f97e00", "nan"},
    {"f9fc00", "-inf"},
    {"fa7f800000", "inf"},
    {"fa7fc00000", "nan"},
    {"faff800000", "-inf"},
    {"fb7ff0000000000000", "inf"},
    {"fb7ff8000000000000", "nan"},
    {"fbfff0000000000000", "-inf"},
    {"f4", "false"},
    {"f5", "true"},
    {"f6", "null"},
    {"f7", "undefined"},
    {"f0", "simple(16)"},
    {"f8ff", "simple(255)"},
    {"c074323031332d30332d32315432303a30343a30305a", "\"2013-03-21T20:04:00Z\""},
    {"c11a514b67b0", "1363896240"},
    {"c1fb41d452d9ec200000", "1363896240.5"},
    {"d74401020304", "h'01020304'"},
    {"d818456449455446", "h'6449455446'"},
    {"d82076687474703a2f2f7777772e6578616d706c652e636f6d", "\"http://www.example.com\""},
    {"40", "h''"},
    {"4401020304", "h'01020304'"},
    {"60", "\"\""},
    {"6161", "\"a\""},
    {"6449455446", "\"IETF\""},
    {"62225c", "\"\"\\\""},
    {"62c3bc", "\"\xc3\xbc\""},
    {"63e6b0b4", "\"\xe6\xb0\xb4\""},
    {"64f0908591", "\"\xf0\x90\x85\x91\""},
    {"80", "[]"},
    {"83010203", "[1, 2, 3]"},
    {"8301820203820405", "[1, [2, 3], [4, 5]]"},
    {"98190102030405060708090a0b0c0d0e0f101112131415161718181819",
     "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, "
     "25]"},
    {"a0", "{}"},
    {"a201020304", "{1: 2, 3: 4}"},
    {"a26161016162820203", "{\"a\": 1, \"b\": [2, 3]}"},
    {"826161a161626163", "[\"a\", {\"b\": \"c\"}]"},
    {"a56161614161626142616361436164614461656145",
     "{\"a\": \"A\", \"b\": \"B\", \"c\": \"C\", \"d\": \"D\", \"e\": \"E\"}"},
    {"5f42010243030405ff", "(_ h'0102', h'030405')"},
    {"7f657374726561646d696e67ff", "(_ \"strea\", \"ming\")"},
    {"9fff", "[_ ]"},
    {"9f018202039f0405ffff", "[_ 1, [2, 3], [_ 4, 5]]"},
    {"9f01820203820405ff", "[_ 1, [2, 3], [4, 5]]"},
    {"83018202039f0405ff", "[1, [2, 3], [_ 4, 5]]"},
    {"83019f0203ff820405", "[1, [_ 2, 3], [4, 5]]"},
    {"9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
     "[_ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, "
     "25]"},
    {"bf61610161629f0203ffff", "{_ \"a\": 1, \"b\": [_ 2, 3]}"},
    {"826161bf61626163ff", "[\"a\", {_ \"b\": \"c\"}]"},
    {"bf6346756ef563416d7421ff", "{_ \"Fun\": true, \"Amt\": -2}"},
};

TEST(CborReader, DecodesEveryAppendixAExample) {
  for (const auto& e : kAppendixA) {
    auto bytes = unhex(e.hex);
    EXPECT_EQ(diag(bytes), e.diag) << e.hex;
  }
}

template <class F>
std::string encode(F&& f) {
  std::vector<uint8_t> buf(256);
  Sink sink{buf};
  Writer w{sink};
  f(w);
  EXPECT_FALSE(sink.overflowed());
  return hex(sink.window());
}

TEST(CborWriter, ProducesAppendixAIntegersAndStringsByteExact) {
  const std::pair<int64_t, const char*> ints[] = {
      {0, "00"},
      {1, "01"},
      {10, "0a"},
      {23, "17"},
      {24, "1818"},
      {25, "1819"},
      {100, "1864"},
      {1000, "1903e8"},
      {1000000, "1a000f4240"},
      {1000000000000, "1b000000e8d4a51000"},
      {-1, "20"},
      {-10, "29"},
      {-100, "3863"},
      {-1000, "3903e7"},
  };
  for (auto [v, h] : ints)
    EXPECT_EQ(encode([&](Writer& w) { w.integer(v); }), h) << v;
  EXPECT_EQ(encode([](Writer& w) { w.unsigned_integer(UINT64_MAX); }), "1bffffffffffffffff");
  EXPECT_EQ(encode([](Writer& w) { w.head(Major::negative_integer, UINT64_MAX); }),
            "3bffffffffffffffff");
  EXPECT_EQ(encode([](Writer& w) { w.integer(INT64_MIN); }), "3b7fffffffffffffff");
  EXPECT_EQ(encode([](Writer& w) { w.bytes({}); }), "40");
  EXPECT_EQ(encode([](Writer& w) { w.bytes(unhex("01020304")); }), "4401020304");
  EXPECT_EQ(encode([](Writer& w) { w.text(""); }), "60");
  EXPECT_EQ(encode([](Writer& w) { w.text("IETF"); }), "6449455446");
  EXPECT_EQ(encode([](Writer& w) { w.text("\xe6\xb0\xb4"); }), "63e6b0b4");
  EXPECT_EQ(encode([](Writer& w) {
              w.tag(1);
              w.integer(1363896240);
            }),
            "c11a514b67b0");
  EXPECT_EQ(encode([](Writer& w) {
              w.tag(32);
              w.text("http://www.example.com");
            }),
            "d82076687474703a2f2f7777772e6578616d706c652e636f6d");
  EXPECT_EQ(encode([](Writer& w) { w.boolean(false); }), "f4");
  EXPECT_EQ(encode([](Writer& w) { w.boolean(true); }), "f5");
  EXPECT_EQ(encode([](Writer& w) { w.null(); }), "f6");
}

TEST(CborWriter, ProducesAppendixAContainersByteExact) {
  EXPECT_EQ(encode([](Writer& w) {
              w.array(3);
              w.integer(1);
              w.array(2);
              w.integer(2);
              w.integer(3);
              w.array(2);
              w.integer(4);
              w.integer(5);
            }),
            "8301820203820405");
  EXPECT_EQ(encode([](Writer& w) {
              w.array(25);
              for (int i = 1; i <= 25; ++i)
                w.integer(i);
            }),
            "98190102030405060708090a0b0c0d0e0f101112131415161718181819");
  EXPECT_EQ(encode([](Writer& w) {
              w.map(2);
              w.text("a");
              w.integer(1);
              w.text("b");
              w.array(2);
              w.integer(2);
              w.integer(3);
            }),
            "a26161016162820203");
  EXPECT_EQ(encode([](Writer& w) {
              w.begin_indefinite(Major::map);
              w.text("Fun");
              w.boolean(true);
              w.text("Amt");
              w.integer(-2);
              w.end_indefinite();
            }),
            "bf6346756ef563416d7421ff");
  EXPECT_EQ(encode([](Writer& w) {
              w.begin_indefinite(Major::text);
              w.text("strea");
              w.text("ming");
              w.end_indefinite();
            }),
            "7f657374726561646d696e67ff");
}

TEST(CborWriter, WritesFloat32WhenExactElseFloat64) {
  // Appendix A values whose preferred encoding is single or double precision.
  EXPECT_EQ(encode([](Writer& w) { w.floating(100000.0); }), "fa47c35000");
  EXPECT_EQ(encode([](Writer& w) { w.floating(3.4028234663852886e+38); }), "fa7f7fffff");
  EXPECT_EQ(encode([](Writer& w) { w.floating(1.1); }), "fb3ff199999999999a");
  EXPECT_EQ(encode([](Writer& w) { w.floating(1.0e+300); }), "fb7e37e43c8800759c");
  EXPECT_EQ(encode([](Writer& w) { w.floating(-4.1); }), "fbc010666666666666");
  EXPECT_EQ(encode([](Writer& w) { w.floating(INFINITY); }), "fa7f800000");
  EXPECT_EQ(encode([](Writer& w) { w.floating(-INFINITY); }), "faff800000");
  EXPECT_EQ(encode([](Writer& w) { w.floating(NAN); }), "fa7fc00000");
  // Half-precision values of Appendix A come out as float32 (documented choice).
  EXPECT_EQ(encode([](Writer& w) { w.floating(1.5); }), "fa3fc00000");
  EXPECT_EQ(encode([](Writer& w) { w.floating(-0.0); }), "fa80000000");
  // Just outside float32: the smallest double above 1.
  EXPECT_EQ(encode([](Writer& w) { w.floating(1.0000000000000002); }), "fb3ff0000000000001");
  // float32 subnormal is exact.
  EXPECT_EQ(encode([](Writer& w) { w.floating(1.401298464324817e-45); }), "fa00000001");
}

std::string error_of(std::string_view h) {
  auto b = unhex(h);
  return diag(b);
}

TEST(CborReader, ReportsPreciseErrors) {
  EXPECT_EQ(error_of(""), "error truncated input");
  EXPECT_EQ(error_of("18"), "error truncated input");
  EXPECT_EQ(error_of("1b00000000"), "error truncated input");
  EXPECT_EQ(error_of("62c3"), "error truncated input");
  EXPECT_EQ(error_of("830102"), "error truncated input");
  EXPECT_EQ(error_of("9f01"), "error truncated input");
  EXPECT_EQ(error_of("c1"), "error truncated input");  // a tag with nothing after it
  EXPECT_EQ(error_of("9bffffffffffffffff"), "error truncated input");  // count cannot fit
  EXPECT_EQ(error_of("5bffffffffffffffff"), "error truncated input");
  EXPECT_EQ(error_of("1c"), "error malformed input");            // reserved additional information
  EXPECT_EQ(error_of("1f"), "error malformed input");            // no indefinite unsigned integer
  EXPECT_EQ(error_of("df"), "error malformed input");            // nor tag
  EXPECT_EQ(error_of("ff"), "error malformed input");            // break at top level
  EXPECT_EQ(error_of("8201ff"), "error malformed input");        // break in a definite array
  EXPECT_EQ(error_of("bf01ff"), "error malformed input");        // key without value
  EXPECT_EQ(error_of("5f6161ff"), "error malformed input");      // text chunk in a byte string
  EXPECT_EQ(error_of("5f5f4100ffff"), "error malformed input");  // nested indefinite chunk
  EXPECT_EQ(error_of("9fc1ff"), "error malformed input");        // tag before break
  EXPECT_EQ(error_of("f818"), "error malformed input");          // simple value < 32 in two bytes
  EXPECT_EQ(error_of("62c328"), "error malformed input");        // invalid UTF-8
  EXPECT_EQ(error_of("0000"), "error malformed input");          // bytes after the item
  EXPECT_EQ(error_of("81818181818181818101"), "error unsupported");  // deeper than kMaxDepth
  EXPECT_EQ(error_of("818181818181818101"), "[[[[[[[[1]]]]]]]]");
}

TEST(CborReader, SkipsWholeContainersAndChunkedStrings) {
  auto b = unhex("83a161618201027f6161ff05");
  Reader r{b};
  auto a = r.next();
  ASSERT_TRUE(a && a->type == Type::array);
  auto m = r.next();
  ASSERT_TRUE(m && m->type == Type::map);
  ASSERT_TRUE(r.skip(*m));
  auto s = r.next();
  ASSERT_TRUE(s && s->type == Type::text && s->indefinite);
  uint8_t buf[8];
  auto text = read_string(r, *s, buf);
  ASSERT_TRUE(text);
  EXPECT_EQ(as_string(*text), "a");
  auto five = r.next();
  ASSERT_TRUE(five && five->argument == 5);
  EXPECT_EQ(r.next()->type, Type::end);
  EXPECT_EQ(r.next()->type, Type::eof);
}

TEST(CborReader, ReadStringReportsSmallBuffer) {
  auto b = unhex("7f62616263626364ff");
  Reader r{b};
  auto s = r.next();
  uint8_t buf[3];
  EXPECT_EQ(read_string(r, *s, buf).error(), Errc::buffer_too_small);
}

TEST(CborReader, ConvertsIntegersExactly) {
  Item i;
  i.type = Type::negative_integer;
  i.argument = static_cast<uint64_t>(INT64_MAX);
  EXPECT_EQ(*as_int64(i), INT64_MIN);
  i.argument += 1;
  EXPECT_EQ(as_int64(i).error(), Errc::unsupported);
  i.type = Type::unsigned_integer;
  EXPECT_EQ(as_int64(i).error(), Errc::unsupported);
  i.type = Type::text;
  EXPECT_EQ(as_int64(i).error(), Errc::invalid_argument);
}

TEST(CborReader, AllocatesNothing) {
  auto b = unhex("9f018202039f0405ffff");
  test::AllocationScope scope;
  Reader r{b};
  size_t items = 0;
  for (;;) {
    auto it = r.next();
    ASSERT_TRUE(it);
    if (it->type == Type::eof) break;
    ++items;
  }
  EXPECT_EQ(items, 11u);
  EXPECT_EQ(scope.count(), 0u);
}

// Python's cbor2 writes random items (canonical and not), we read them.
TEST(CborOracle, ReadsWhatCbor2Writes) {
  test::CborOracle oracle;
  for (unsigned seed = 1; seed <= 40; ++seed) {
    std::vector<uint8_t> payload;
    bool ok = false;
    std::string expected = oracle.gen("gen", seed, payload, &ok);
    ASSERT_TRUE(ok) << seed;
    EXPECT_EQ(diag(payload) + "\n", expected) << seed << " " << hex(payload);
  }
}

// We write random items, cbor2 reads them back to the same diagnostic text.
TEST(CborOracle, Cbor2ReadsWhatWeWrite) {
  test::CborOracle oracle;
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 30; ++round) {
    std::vector<uint8_t> buf(2048);
    Sink sink{buf};
    Writer w{sink};
    // A random array of scalars and small containers.
    const int n = static_cast<int>(rng() % 8);
    w.array(static_cast<uint64_t>(n));
    for (int i = 0; i < n; ++i) {
      switch (rng() % 7) {
        case 0:
          w.unsigned_integer(rng() >> (rng() % 64));
          break;
        case 1:
          w.integer(-static_cast<int64_t>(rng() >> (1 + rng() % 63)) - 1);
          break;
        case 2: {
          double d = static_cast<double>(static_cast<int64_t>(rng() % 100000)) / 8.0;
          if (rng() % 2) d = std::ldexp(static_cast<double>(rng() % 1000000) + 0.1, -7);
          w.floating(d);
          break;
        }
        case 3:
          w.text(rng() % 2 ? "\xc3\xa9t\xc3\xa9" : "");
          break;
        case 4: {
          uint8_t raw[5] = {0, 1, 0xFF, 0x80, 7};
          w.bytes({raw, rng() % 6});
          break;
        }
        case 5:
          w.map(1);
          w.integer(static_cast<int64_t>(rng() % 300) - 150);
          w.boolean(rng() % 2);
          break;
        default:
          w.begin_indefinite(Major::array);
          w.null();
          w.end_indefinite();
      }
    }
    ASSERT_FALSE(sink.overflowed());
    bool ok = false;
    std::string out = oracle.run("diag", sink.window(), &ok);
    ASSERT_TRUE(ok) << hex(sink.window());
    // cbor2 does not say whether an array was indefinite.
    std::string mine = diag(sink.window());
    for (size_t p; (p = mine.find("[_ ")) != std::string::npos;)
      mine.replace(p, 3, "[");
    EXPECT_EQ(mine + "\n", out) << hex(sink.window());
  }
}

}  // namespace
}  // namespace lwm2m::codec::cbor
