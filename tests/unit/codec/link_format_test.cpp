// SPDX-License-Identifier: Apache-2.0
#include "codec/link_format.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/alloc_counter.hpp"

namespace lwm2m::codec {
namespace {

using dm::Path;

// ---- writer ----

// Runs `write` on a LinkWriter over a large enough buffer; returns what it wrote.
template <typename F>
std::string written(F write) {
  std::vector<uint8_t> buf(256);
  Sink sink{buf};
  LinkWriter links{sink};
  write(links);
  EXPECT_FALSE(sink.overflowed());
  return std::string(as_string(sink.window()));
}

TEST(LinkFormat, WriterSeparatesLinksAndWritesPaths) {
  EXPECT_EQ(written([](LinkWriter&) {}), "");
  EXPECT_EQ(written([](LinkWriter& w) { w.link(Path()); }), "</>");
  EXPECT_EQ(written([](LinkWriter& w) {
              w.link(Path(3));
              w.link(Path(3, 0));
              w.link(Path(3, 0, 7));
              w.link(Path(3, 0, 7, 65534));
              w.link("/lwm2m");
            }),
            "</3>,</3/0>,</3/0/7>,</3/0/7/65534>,</lwm2m>");
}

TEST(LinkFormat, WriterParams) {
  EXPECT_EQ(written([](LinkWriter& w) {
              w.link(Path(1));
              w.param("ver", "1.1");
              w.link(Path(1, 0));
              w.param("ssid", uint64_t{101});
              w.quoted_param("uri", "coap://[::1]:5683");
              w.link(Path(3, 0, 7));
              w.param("dim", uint64_t{0});
              w.sink().write(as_bytes(std::string_view(";pmin=10")));
            }),
            "</1>;ver=1.1,</1/0>;ssid=101;uri=\"coap://[::1]:5683\",</3/0/7>;dim=0;pmin=10");
}

TEST(LinkFormat, WriterContentFormats) {
  const ContentFormat one[] = {ContentFormat::lwm2m_cbor};
  const ContentFormat two[] = {ContentFormat::senml_cbor, ContentFormat::lwm2m_tlv};
  EXPECT_EQ(written([&](LinkWriter& w) {
              w.link("/");
              w.content_formats({});
              w.link("/");
              w.content_formats(one);
              w.link("/");
              w.content_formats(two);
            }),
            "</>,</>;ct=11544,</>;ct=\"112 11542\"");
}

TEST(LinkFormat, WriterWindowCountsWhatDoesNotFit) {
  uint8_t buf[4];
  Sink sink{buf};
  LinkWriter w{sink};
  w.link(Path(3, 0));
  w.link(Path(5));
  EXPECT_EQ(sink.total(), 11u);  // "</3/0>,</5>"
  EXPECT_TRUE(sink.overflowed());
  EXPECT_EQ(as_string(sink.window()), "</3/");
}

TEST(LinkFormat, WriterDoesNotAllocate) {
  uint8_t buf[64];
  test::AllocationScope scope;
  Sink sink{buf};
  LinkWriter w{sink};
  w.link(Path(3, 0, 7));
  w.param("dim", uint64_t{8});
  w.quoted_param("uri", "coap://x");
  EXPECT_EQ(scope.count(), 0u);
}

// ---- parser ----

struct ParsedLink {
  std::string uri;
  std::vector<std::string> params;  // "name", "name=value" or "name=\"value\""
  bool operator==(const ParsedLink&) const = default;
};

Result<std::vector<ParsedLink>> parse(std::string_view text) {
  LinkParser p{text};
  std::vector<ParsedLink> out;
  for (;;) {
    Link l;
    auto more = p.next(l);
    if (!more) return more.error();
    if (!*more) return out;
    ParsedLink pl{std::string(l.uri), {}};
    LinkParam prm;
    auto it = l.param_iterator();
    while (it.next(prm)) {
      std::string s(prm.name);
      if (prm.has_value)
        s += prm.quoted ? "=\"" + std::string(prm.value) + "\"" : "=" + std::string(prm.value);
      pl.params.push_back(s);
    }
    out.push_back(pl);
  }
}

TEST(LinkFormat, ParsesTheRfc6690Example) {
  // RFC 6690 §5, first example.
  auto r = parse("</sensors/temp>;if=\"sensor\",</sensors/light>;if=\"sensor\";rt=\"light-lux\"");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], (ParsedLink{"/sensors/temp", {"if=\"sensor\""}}));
  EXPECT_EQ((*r)[1], (ParsedLink{"/sensors/light", {"if=\"sensor\"", "rt=\"light-lux\""}}));
}

TEST(LinkFormat, ParsesBootstrapDiscoverAnswers) {
  const char* text =
      "</>;lwm2m=1.1,</0/0>;ssid=101;uri=\"coap://server.example.com:5683\",</1>;ver=1.1,"
      "</1/0>;ssid=101, </3/0>,</5>;obs";
  auto r = parse(text);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 6u);
  EXPECT_EQ((*r)[0], (ParsedLink{"/", {"lwm2m=1.1"}}));
  EXPECT_EQ((*r)[1], (ParsedLink{"/0/0", {"ssid=101", "uri=\"coap://server.example.com:5683\""}}));
  EXPECT_EQ((*r)[4], (ParsedLink{"/3/0", {}}));
  EXPECT_EQ((*r)[5], (ParsedLink{"/5", {"obs"}}));
  // find() by name.
  LinkParser p{text};
  Link l;
  ASSERT_TRUE(p.next(l).value());
  ASSERT_TRUE(p.next(l).value());
  EXPECT_EQ(l.find("uri").value, "coap://server.example.com:5683");
  EXPECT_TRUE(l.find("uri").quoted);
  EXPECT_EQ(l.find("ssid").value, "101");
  EXPECT_FALSE(l.find("pmin").has_value);
  EXPECT_EQ(l.find("pmin").name, "");
}

TEST(LinkFormat, ParserRejectsMalformedText) {
  for (const char* bad : {"<", "</1", "/1", "</1>;", "</1>;=1", "</1>;a=", "</1>;a=\"x",
                          "</1>;a=\"x\\", "</1>x", "</1>,", ",</1>", "</1 2>", "</1>;a=b c",
                          "</1>;a b", "</1>,,</2>", " </1>", "</1>;a=\"\x01\"", "</1><2>"}) {
    EXPECT_EQ(parse(bad).error(), Errc::malformed) << bad;
  }
  EXPECT_EQ(parse("").value().size(), 0u);
  // Quoted values keep escapes; an escaped quote does not end the value.
  auto r = parse("</1>;a=\"x\\\"y\";b");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].params, (std::vector<std::string>{"a=\"x\\\"y\"", "b"}));
}

}  // namespace
}  // namespace lwm2m::codec
