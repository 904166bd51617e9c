// SPDX-License-Identifier: Apache-2.0
#include "codec/json.hpp"

#include <gtest/gtest.h>

#include <cinttypes>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "codec/json_python_oracle.hpp"

namespace lwm2m::codec::json {
namespace {

using lwm2m::test::hex;

// Small helper: run a writer over a generous buffer and return the text.
template <class F>
std::string write_json(F&& f, Status* st = nullptr) {
  std::vector<uint8_t> buf(4096);
  Sink sink{buf};
  Writer w{sink};
  f(w);
  if (st) *st = w.status();
  EXPECT_FALSE(sink.overflowed());
  return std::string(as_string(sink.window()));
}

std::string float_text(double v) {
  return write_json([&](Writer& w) { w.floating(v); });
}

// Reads a whole document and returns the canonical line form of json_oracle.py, or the
// error as "error <name>".
std::string canon(std::string_view doc, size_t max_depth = kMaxDepth) {
  Reader r{as_bytes(doc), max_depth};
  std::string out;
  std::vector<char> scratch(doc.size() + 1);
  auto line = [&](const std::string& s) { out += s + "\n"; };
  for (;;) {
    auto t = r.next();
    if (!t) return std::string("error ") + to_string(t.error());
    switch (*t) {
      case Token::begin_object:
        line("{");
        break;
      case Token::end_object:
        line("}");
        break;
      case Token::begin_array:
        line("[");
        break;
      case Token::end_array:
        line("]");
        break;
      case Token::key:
      case Token::string: {
        auto s = r.string(scratch);
        if (!s) return "error scratch";
        line(std::string(*t == Token::key ? "k " : "s ") + hex(*s));
        break;
      }
      case Token::number: {
        char buf[64];
        if (r.number_kind() == NumberKind::decimal) {
          auto d = r.as_double();
          if (!d) return std::string("error ") + to_string(d.error());
          uint64_t bits;
          std::memcpy(&bits, &*d, 8);
          std::snprintf(buf, sizeof buf, "f %016" PRIx64, bits);
        } else if (r.number_kind() == NumberKind::negative_integer) {
          auto i = r.as_int64();
          if (!i) return std::string("error ") + to_string(i.error());
          std::snprintf(buf, sizeof buf, "i %" PRId64, *i);
        } else {
          auto u = r.as_uint64();
          if (!u) return std::string("error ") + to_string(u.error());
          std::snprintf(buf, sizeof buf, "i %" PRIu64, *u);
        }
        line(buf);
        break;
      }
      case Token::true_:
        line("t");
        break;
      case Token::false_:
        line("F");
        break;
      case Token::null:
        line("n");
        break;
      case Token::end:
        if (!out.empty()) out.pop_back();  // json_oracle.py prints no final newline
        return out;
    }
  }
}

Errc error_of(std::string_view doc) {
  Reader r{as_bytes(doc)};
  for (;;) {
    auto t = r.next();
    if (!t) return t.error();
    if (*t == Token::end) return Errc::ok;
  }
}

// ---------------------------------------------------------------------------------------
// Writer

TEST(JsonWriter, CommasAndNesting) {
  auto s = write_json([](Writer& w) {
    w.begin_object();
    w.key("a");
    w.begin_array();
    w.integer(1);
    w.boolean(true);
    w.null();
    w.begin_object();
    w.end_object();
    w.begin_array();
    w.end_array();
    w.end_array();
    w.key("b");
    w.string("x");
    w.end_object();
  });
  EXPECT_EQ(s, R"({"a":[1,true,null,{},[]],"b":"x"})");
}

// RFC 8259 §7: '"', '\' and U+0000..U+001F must be escaped; the rest may stay as is.
TEST(JsonWriter, EscapesStrings) {
  auto s = write_json(
      [](Writer& w) { w.string(std::string_view("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f\0z", 16)); });
  EXPECT_EQ(s, "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\\u0000z\"");
  // Non-ASCII passes through as UTF-8.
  EXPECT_EQ(write_json([](Writer& w) { w.string("\u00e9\u20ac\U0001F600"); }),
            "\"\u00e9\u20ac\U0001F600\"");
  // Keys are escaped the same way.
  EXPECT_EQ(write_json([](Writer& w) {
              w.begin_object();
              w.key("a\"b");
              w.integer(0);
              w.end_object();
            }),
            R"({"a\"b":0})");
}

TEST(JsonWriter, RefusesInvalidUtf8) {
  for (std::string_view bad :
       {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80"}) {
    Status st;
    write_json([&](Writer& w) { w.string(bad); }, &st);
    EXPECT_EQ(st, Errc::invalid_argument) << hex(bad);
  }
}

TEST(JsonWriter, Integers) {
  EXPECT_EQ(write_json([](Writer& w) { w.integer(std::numeric_limits<int64_t>::min()); }),
            "-9223372036854775808");
  EXPECT_EQ(write_json([](Writer& w) { w.integer(std::numeric_limits<int64_t>::max()); }),
            "9223372036854775807");
  EXPECT_EQ(write_json([](Writer& w) { w.unsigned_integer(UINT64_MAX); }), "18446744073709551615");
  // Beyond 2^53 the writer stays exact; RFC 8259 §6 warns that some readers will round.
  EXPECT_EQ(write_json([](Writer& w) { w.integer((int64_t{1} << 53) + 1); }), "9007199254740993");
}

TEST(JsonWriter, FloatsShortestRoundTrip) {
  EXPECT_EQ(float_text(0.1), "0.1");
  EXPECT_EQ(float_text(100.0), "100");
  EXPECT_EQ(float_text(-0.0), "-0");
  EXPECT_EQ(float_text(1e300), "1e+300");
  EXPECT_EQ(float_text(6.667e-11), "6.667e-11");
  EXPECT_EQ(float_text(5e-324), "5e-324");
  EXPECT_EQ(float_text(1.7976931348623157e308), "1.7976931348623157e+308");
  // A float32 value widened to double prints the digits the double needs.
  EXPECT_EQ(float_text(static_cast<double>(0.1f)), "0.10000000149011612");
  // Integral values too long for 17 digits keep an exponent, so that no reader mistakes
  // them for a 64-bit integer.
  EXPECT_EQ(float_text(1e17), "1e+17");
  EXPECT_EQ(float_text(351294070315335614464.0), "3.512940703153356e+20");
  EXPECT_EQ(float_text(12345678901234567.0), "12345678901234568");
  std::mt19937_64 rng(8259);
  for (int i = 0; i < 5000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, 8);
    if (!std::isfinite(v)) continue;
    std::string t = float_text(v);
    Reader r{as_bytes(t)};
    ASSERT_EQ(*r.next(), Token::number) << t;
    auto back = r.as_double();
    ASSERT_TRUE(back.ok()) << t;
    uint64_t back_bits;
    std::memcpy(&back_bits, &*back, 8);
    EXPECT_EQ(back_bits, bits) << t;
  }
}

TEST(JsonWriter, RefusesNanAndInfinity) {
  for (double v : {std::nan(""), std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity()}) {
    Status st;
    auto s = write_json(
        [&](Writer& w) {
          w.begin_array();
          w.floating(v);
          w.end_array();
        },
        &st);
    EXPECT_EQ(st, Errc::invalid_argument);
    EXPECT_EQ(s.find("nan"), std::string::npos);
    EXPECT_EQ(s.find("inf"), std::string::npos);
  }
}

TEST(JsonWriter, PiecewiseString) {
  auto s = write_json([](Writer& w) {
    w.begin_array();
    w.begin_string();
    w.string_part("a\"");
    w.string_raw("QUJD");
    w.end_string();
    w.integer(2);
    w.end_array();
  });
  EXPECT_EQ(s, R"(["a\"QUJD",2])");
}

// ---------------------------------------------------------------------------------------
// Reader

TEST(JsonReader, TokensOfADocument) {
  EXPECT_EQ(canon(R"( {"a" : [1, -2, 3.5, true, false, null, "x"], "b":{}} )"),
            "{\nk 61\n[\ni 1\ni -2\nf 400c000000000000\nt\nF\nn\ns 78\n]\nk 62\n{\n}\n}");
  EXPECT_EQ(canon("\"top\""), "s 746f70");
  EXPECT_EQ(canon(" 0 "), "i 0");
  EXPECT_EQ(canon("[]"), "[\n]");
}

TEST(JsonReader, StrictGrammar) {
  const char* malformed[] = {
      "[1,]",         // trailing comma in an array
      R"({"a":1,})",  // trailing comma in an object
      "[,1]",
      "[1 2]",
      R"({"a" 1})",
      R"({"a":1 "b":2})",
      R"({1:2})",
      "{'a':1}",
      "01",
      "-01",
      "00",
      "+1",
      ".5",
      "1.e5",
      "1.5.",
      "0x10",
      "NaN",
      "Infinity",
      "-Infinity",

      "True",
      "[1]]",
      "[1]x",
      "1 2",
      "\"a\"\"b\"",
      "[}",
      R"({"a":1])",
      "\xef\xbb\xbf[]",  // BOM
      "\"\x01\"",
      "\"\t\"",
      "\"\n\"",
      "\"\\x\"",
      "\"\\u12g4\"",
      "\"\\U1234\"",
      "\"\\ud800\"",         // lone high surrogate
      "\"\\udc00\"",         // lone low surrogate
      "\"\\ud800\\u0041\"",  // high + non-low
      "\"\\ud800x\"",        // high + plain character
      "\"\xff\"",
      "\"\xc0\xaf\"",
      "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"",
      "\"\x80\"",
      "[-]",
      "[1e]",
      "[1e+]",
      "{\"a\":}",
      "/* c */ 1",
      "[1,,2]",
      "",
  };
  for (const char* doc : malformed) {
    Errc e = error_of(doc);
    if (std::string_view(doc).empty()) {
      EXPECT_EQ(e, Errc::truncated);
      continue;
    }
    // "[1e]" style inputs end a number in the middle: malformed because a ']' follows.
    EXPECT_EQ(e, Errc::malformed) << doc;
  }
}

TEST(JsonReader, AcceptedEdgeCases) {
  EXPECT_EQ(canon("\"\\u0000\""), "s 00");
  EXPECT_EQ(canon("\"\\/\""), "s 2f");
  EXPECT_EQ(canon("\"\\u00e9\\u20AC\""), "s c3a9e282ac");
  EXPECT_EQ(canon("\"\\ud83d\\ude00\""), "s f09f9880");  // surrogate pair -> U+1F600
  EXPECT_EQ(canon("\"\xf0\x9f\x98\x80\""), "s f09f9880");
  EXPECT_EQ(canon("-0"), "i 0");
  EXPECT_EQ(canon("1E2"), "f 4059000000000000");
  EXPECT_EQ(canon("1e-2"), "f 3f847ae147ae147b");
  EXPECT_EQ(canon(R"({"a":1,"a":2})"), "{\nk 61\ni 1\nk 61\ni 2\n}");  // the reader does not judge
}

TEST(JsonReader, TruncatedAtEveryByte) {
  const std::string docs[] = {
      R"({"bn":"/3/0/","e":[{"n":"0","sv":"Open \"Mobile\" \u00e9"},{"n":"9","v":-1.5e+3},)"
      R"({"n":"x","bv":true},{"bv":false,"ov":null}]})",
      "[\"\xf0\x9f\x98\x80\\ud83d\\ude00\", 12345, [[[]]], {}]",
  };
  for (const auto& doc : docs) {
    ASSERT_EQ(error_of(doc), Errc::ok);
    for (size_t n = 0; n < doc.size(); ++n) {
      EXPECT_EQ(error_of(std::string_view(doc).substr(0, n)), Errc::truncated) << n;
    }
  }
}

TEST(JsonReader, DepthLimit) {
  std::string deep(kMaxDepth, '[');
  deep += std::string(kMaxDepth, ']');
  EXPECT_EQ(error_of(deep), Errc::ok);
  std::string deeper(kMaxDepth + 1, '[');
  deeper += std::string(kMaxDepth + 1, ']');
  EXPECT_EQ(error_of(deeper), Errc::unsupported);
  EXPECT_EQ(canon("[[1]]", 1), "error unsupported");
  EXPECT_EQ(canon("[1]", 1), "[\ni 1\n]");
}

TEST(JsonReader, Numbers64Bit) {
  EXPECT_EQ(canon("-9223372036854775808"), "i -9223372036854775808");
  EXPECT_EQ(canon("18446744073709551615"), "i 18446744073709551615");
  EXPECT_EQ(canon("9007199254740993"), "i 9007199254740993");     // 2^53+1 kept exact
  EXPECT_EQ(canon("18446744073709551616"), "error unsupported");  // 2^64
  EXPECT_EQ(canon("-9223372036854775809"), "error unsupported");
  EXPECT_EQ(canon("1e400"), "error unsupported");
  Reader r{as_bytes("[9007199254740993, 1.5, -3]")};
  ASSERT_EQ(*r.next(), Token::begin_array);
  ASSERT_EQ(*r.next(), Token::number);
  EXPECT_EQ(*r.as_double(), 9007199254740992.0);  // as a double it rounds
  ASSERT_EQ(*r.next(), Token::number);
  EXPECT_EQ(r.as_int64().error(), Errc::invalid_state);
  ASSERT_EQ(*r.next(), Token::number);
  EXPECT_EQ(r.as_uint64().error(), Errc::unsupported);
  EXPECT_EQ(*r.as_int64(), -3);
}

TEST(JsonReader, ScratchTooSmallAndZeroCopy) {
  const std::string doc = R"(["plain", "esc\n"])";
  Reader r{as_bytes(doc)};
  ASSERT_EQ(*r.next(), Token::begin_array);
  ASSERT_EQ(*r.next(), Token::string);
  EXPECT_FALSE(r.has_escapes());
  auto s = r.string({});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->data(), doc.data() + 2);  // a view into the input
  ASSERT_EQ(*r.next(), Token::string);
  EXPECT_TRUE(r.has_escapes());
  char small[3];
  EXPECT_EQ(r.string(small).error(), Errc::buffer_too_small);
  char enough[4];
  EXPECT_EQ(*r.string(enough), "esc\n");
}

TEST(JsonReader, SkipValue) {
  Reader r{as_bytes(R"({"x":{"a":[1,{"b":2}]},"y":[],"z":3})")};
  ASSERT_EQ(*r.next(), Token::begin_object);
  ASSERT_EQ(*r.next(), Token::key);
  EXPECT_TRUE(r.skip_value().ok());
  ASSERT_EQ(*r.next(), Token::key);
  EXPECT_EQ(r.raw(), "y");
  EXPECT_TRUE(r.skip_value().ok());
  ASSERT_EQ(*r.next(), Token::key);
  EXPECT_TRUE(r.skip_value().ok());
  EXPECT_EQ(*r.next(), Token::end_object);
  EXPECT_EQ(*r.next(), Token::end);
  EXPECT_EQ(*r.next(), Token::end);
}

TEST(JsonReader, ErrorIsSticky) {
  Reader r{as_bytes("[1,]")};
  ASSERT_TRUE(r.next().ok());
  ASSERT_TRUE(r.next().ok());
  EXPECT_EQ(r.next().error(), Errc::malformed);
  EXPECT_EQ(r.next().error(), Errc::malformed);
}

// ---------------------------------------------------------------------------------------
// Independent oracle: Python's json module.

// Python writes documents (varied whitespace, escaping, unicode); the library reads them.
TEST(JsonOracle, LibraryReadsPythonDocuments) {
  lwm2m::test::JsonOracle oracle;
  for (int seed = 1; seed <= 40; ++seed) {
    bool ok = false;
    std::string expected = oracle.run("gen " + std::to_string(seed) + " " + oracle.path(), &ok);
    ASSERT_TRUE(ok) << "python failed for seed " << seed;
    while (!expected.empty() && expected.back() == '\n')
      expected.pop_back();
    std::string doc = oracle.read();
    EXPECT_EQ(canon(doc), expected) << "seed " << seed << ": " << doc;
  }
}

// The library writes documents; Python parses them and must see the same values.
TEST(JsonOracle, PythonReadsLibraryDocuments) {
  std::mt19937_64 rng(7159);
  const char* pieces[] = {"a",    "\"",   "\\",     "/",          "\n", "\x01",
                          "\x1f", "\x7f", "\u00e9", "\U0001F600", " "};
  std::vector<uint8_t> buf(1 << 16);
  for (int iter = 0; iter < 10; ++iter) {
    Sink sink{buf};
    Writer w{sink};
    std::string expected;
    auto line = [&](const std::string& s) { expected += s + "\n"; };
    auto rand_str = [&] {
      std::string s;
      for (int k = static_cast<int>(rng() % 8); k > 0; --k)
        s += pieces[rng() % std::size(pieces)];
      return s;
    };
    w.begin_object();
    line("{");
    for (int m = 0; m < 30; ++m) {
      std::string k = rand_str() + std::to_string(m);  // unique keys
      w.key(k);
      line("k " + hex(k));
      char b[64];
      switch (rng() % 6) {
        case 0: {
          int64_t v = static_cast<int64_t>(rng());
          w.integer(v);
          std::snprintf(b, sizeof b, "i %" PRId64, v);
          line(b);
          break;
        }
        case 1: {
          uint64_t v = rng();
          w.unsigned_integer(v);
          std::snprintf(b, sizeof b, "i %" PRIu64, v);
          line(b);
          break;
        }
        case 2: {
          uint64_t bits = rng();
          double v;
          std::memcpy(&v, &bits, 8);
          if (!std::isfinite(v)) v = 0.25;
          if (rng() % 2) v = static_cast<double>(static_cast<float>(v));  // float32 values
          if (!std::isfinite(v)) v = 1.5;
          w.floating(v);
          std::string t = float_text(v);
          if (t.find_first_of(".e") == std::string::npos) {
            // Integral doubles print as JSON integers: Python reads an int.
            std::snprintf(b, sizeof b, "i %lld", static_cast<long long>(v));
          } else {
            std::memcpy(&bits, &v, 8);
            std::snprintf(b, sizeof b, "f %016" PRIx64, bits);
          }
          line(b);
          break;
        }
        case 3: {
          std::string s = rand_str();
          w.string(s);
          line("s " + hex(s));
          break;
        }
        case 4:
          w.begin_array();
          w.boolean(true);
          w.null();
          w.boolean(false);
          w.end_array();
          line("[\nt\nn\nF\n]");
          break;
        default:
          w.begin_object();
          w.end_object();
          line("{\n}");
      }
    }
    w.end_object();
    line("}");
    expected.pop_back();
    ASSERT_TRUE(w.status().ok());
    ASSERT_TRUE(sink.fits().ok());
    lwm2m::test::JsonOracle oracle;
    bool ok = false;
    std::string got = oracle.parse("canon", as_string(sink.window()), &ok);
    ASSERT_TRUE(ok) << as_string(sink.window());
    while (!got.empty() && got.back() == '\n')
      got.pop_back();
    EXPECT_EQ(got, expected);
    // And the library's own reader agrees with both.
    EXPECT_EQ(canon(as_string(sink.window())), expected);
  }
}

}  // namespace
}  // namespace lwm2m::codec::json
