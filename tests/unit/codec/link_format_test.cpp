#include "lwm2m/codec/link_format.hpp"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "core/attributes.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::codec {
namespace {

using dm::DataType;
using dm::InstanceId;
using dm::ObjectDef;
using dm::Path;
using dm::ResourceDef;
using dm::ResourceId;
using O = dm::Operations;

// Objects whose structure (instances, resource instance counts) the test sets directly.
class FakeObject final : public dm::Object {
 public:
  FakeObject(const ObjectDef& def, std::vector<InstanceId> ids)
      : Object(def), ids_(std::move(ids)) {}
  std::map<ResourceId, size_t> dims;  // resource instances 0..n-1
  std::vector<ResourceId> absent;
  size_t instance_count() const noexcept override { return ids_.size(); }
  InstanceId instance_at(size_t i) const noexcept override { return ids_[i]; }
  bool has_resource(InstanceId, ResourceId rid) const noexcept override {
    for (ResourceId a : absent)
      if (a == rid) return false;
    return true;
  }
  size_t resource_instance_count(InstanceId, ResourceId rid) const noexcept override {
    auto it = dims.find(rid);
    return it == dims.end() ? 0 : it->second;
  }
  dm::ResourceInstanceId resource_instance_at(InstanceId, ResourceId,
                                              size_t k) const noexcept override {
    return static_cast<dm::ResourceInstanceId>(k);
  }

 private:
  std::vector<InstanceId> ids_;
};

constexpr ResourceDef kSecurityRes[] = {{0, DataType::string, O::none}};
constexpr ObjectDef kSecurity{0, "1.0", true, true, kSecurityRes};
constexpr ResourceDef kServerRes[] = {{0, DataType::integer, O::read}};
constexpr ObjectDef kServer{1, "1.1", true, true, kServerRes};
// The Device resources the spec's Discover example lists.
constexpr ResourceDef kDeviceRes[] = {
    {1, DataType::string, O::read},        {2, DataType::string, O::read},
    {3, DataType::string, O::read},        {4, DataType::none, O::execute},
    {6, DataType::integer, O::read, true}, {7, DataType::integer, O::read, true},
    {8, DataType::integer, O::read, true}, {11, DataType::integer, O::read, true},
    {16, DataType::string, O::read},
};
constexpr ObjectDef kDevice{3, "1.0", false, true, kDeviceRes};
constexpr ResourceDef kFirmwareRes[] = {{0, DataType::opaque, O::write}};
constexpr ObjectDef kFirmware{5, "1.0", false, false, kFirmwareRes};
constexpr ObjectDef kOscore{21, "2.0", true, false, kSecurityRes};

struct Model {
  FakeObject security{kSecurity, {0}};
  FakeObject server{kServer, {0}};
  FakeObject device{kDevice, {0}};
  FakeObject firmware{kFirmware, {}};
  FakeObject oscore{kOscore, {0}};
  std::array<dm::Object*, 8> slots{};
  dm::Registry reg{slots};
  Model() {
    device.dims = {{6, 8}, {7, 8}, {8, 8}, {11, 1}};
    for (dm::Object* o : {static_cast<dm::Object*>(&device), static_cast<dm::Object*>(&security),
                          static_cast<dm::Object*>(&oscore), static_cast<dm::Object*>(&firmware),
                          static_cast<dm::Object*>(&server)})
      EXPECT_TRUE(reg.add(*o).ok());
  }
};

std::string registered(const dm::Registry& reg, const RegisterLinkOptions& opt = {}) {
  std::vector<uint8_t> buf(1024);
  Sink sink{buf};
  write_register_links(reg, sink, opt);
  EXPECT_FALSE(sink.overflowed());
  return std::string(as_string(sink.window()));
}

TEST(LinkFormat, RegisterPayloadListsObjectsAndInstances) {
  Model m;
  // Security and OSCORE never appear; Server has version 1.1; Firmware has no instance.
  EXPECT_EQ(registered(m.reg), "</1>;ver=1.1,</1/0>,</3/0>,</5>");
  const dm::ObjectId exclude[] = {5};
  EXPECT_EQ(registered(m.reg, {exclude}), "</1>;ver=1.1,</1/0>,</3/0>");
}

TEST(LinkFormat, RegisterPayloadRootLink) {
  Model m;
  const ContentFormat one[] = {ContentFormat::lwm2m_json};
  RegisterLinkOptions opt;
  opt.root_link = true;
  opt.content_formats = one;
  EXPECT_EQ(registered(m.reg, opt),
            "</>;rt=\"oma.lwm2m\";ct=11543,</1>;ver=1.1,</1/0>,</3/0>,</5>");
  const ContentFormat several[] = {ContentFormat::senml_cbor, ContentFormat::lwm2m_tlv};
  opt.content_formats = several;
  opt.root_path = "/lwm2m";
  EXPECT_EQ(registered(m.reg, opt).substr(0, 38), "</lwm2m>;rt=\"oma.lwm2m\";ct=\"112 11542\"");
  opt.content_formats = {};
  EXPECT_EQ(registered(m.reg, opt).substr(0, 25), "</lwm2m>;rt=\"oma.lwm2m\",<");
}

// Attributes held per path, written through the core's formatting.
class Attrs final : public AttributeLookup {
 public:
  std::map<Path, core::Attributes> at;
  void write_attributes(const Path& p, Sink& out) const noexcept override {
    auto it = at.find(p);
    if (it != at.end()) core::write_link_attributes(it->second, out);
  }
};

std::string discover(const dm::Registry& reg, const Path& base, const AttributeLookup* a,
                     Status* st = nullptr) {
  std::vector<uint8_t> buf(2048);
  Sink sink{buf};
  Status s = write_discover(reg, base, a, sink);
  if (st)
    *st = s;
  else
    EXPECT_TRUE(s.ok()) << to_string(s.code());
  return std::string(as_string(sink.window()));
}

TEST(LinkFormat, DiscoverObjectAsInTheSpecExample) {
  Model m;
  Attrs a;
  a.at[Path(3)].pmin = 10;
  a.at[Path(3, 0, 7)].gt = 50;
  a.at[Path(3, 0, 7)].lt = 42.2;
  EXPECT_EQ(discover(m.reg, Path(3), &a),
            "</3>;pmin=10,</3/0>,</3/0/1>,</3/0/2>,</3/0/3>,</3/0/4>,</3/0/6>;dim=8,"
            "</3/0/7>;dim=8;gt=50;lt=42.2,</3/0/8>;dim=8,</3/0/11>;dim=1,</3/0/16>");
}

TEST(LinkFormat, DiscoverInstanceAndResource) {
  Model m;
  Attrs a;
  a.at[Path(3, 0)].pmax = 60;
  a.at[Path(3, 0, 7)].gt = 50;
  a.at[Path(3, 0, 7)].lt = 42.2;
  a.at[Path(3, 0, 7)].st = 0.5;
  a.at[Path(3, 0, 7, 1)].epmin = 5;
  m.device.absent = {2, 3, 8};
  EXPECT_EQ(discover(m.reg, Path(3, 0), &a),
            "</3/0>;pmax=60,</3/0/1>,</3/0/4>,</3/0/6>;dim=8,</3/0/7>;dim=8;gt=50;lt=42.2;st=0.5,"
            "</3/0/11>;dim=1,</3/0/16>");
  m.device.dims[7] = 2;
  EXPECT_EQ(discover(m.reg, Path(3, 0, 7), &a),
            "</3/0/7>;dim=2;gt=50;lt=42.2;st=0.5,</3/0/7/0>,</3/0/7/1>;epmin=5");
  EXPECT_EQ(discover(m.reg, Path(3, 0, 1), nullptr), "</3/0/1>");
  EXPECT_EQ(discover(m.reg, Path(3, 0, 7, 1), &a), "</3/0/7/1>;epmin=5");
}

TEST(LinkFormat, DiscoverObjectVersionAndErrors) {
  Model m;
  EXPECT_EQ(discover(m.reg, Path(1), nullptr), "</1>;ver=1.1,</1/0>,</1/0/0>");
  EXPECT_EQ(discover(m.reg, Path(5), nullptr), "</5>");
  Status st;
  discover(m.reg, Path(4), nullptr, &st);
  EXPECT_EQ(st, Errc::not_found);
  discover(m.reg, Path(3, 1), nullptr, &st);
  EXPECT_EQ(st, Errc::not_found);
  discover(m.reg, Path(3, 0, 5), nullptr, &st);
  EXPECT_EQ(st, Errc::not_found);
  discover(m.reg, Path(), nullptr, &st);
  EXPECT_EQ(st, Errc::invalid_argument);
}

TEST(LinkFormat, WritersDoNotAllocate) {
  Model m;
  Attrs a;  // empty map: lookups do not allocate
  uint8_t buf[512];
  test::AllocationScope scope;
  Sink s1{buf};
  write_register_links(m.reg, s1);
  Sink s2{buf};
  ASSERT_TRUE(write_discover(m.reg, Path(3), &a, s2).ok());
  LinkParser p{as_string(s2.window())};
  Link l;
  size_t n = 0;
  while (p.next(l).value())
    ++n;
  EXPECT_EQ(n, 11u);
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

TEST(LinkFormat, ParsesWhatTheWritersWrite) {
  Model m;
  Attrs a;
  a.at[Path(3)].pmin = 10;
  a.at[Path(3, 0, 7)].lt = 42.2;
  auto r = parse(discover(m.reg, Path(3), &a));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 11u);
  EXPECT_EQ((*r)[0], (ParsedLink{"/3", {"pmin=10"}}));
  EXPECT_EQ((*r)[7], (ParsedLink{"/3/0/7", {"dim=8", "lt=42.2"}}));
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
