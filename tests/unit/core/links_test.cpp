// SPDX-License-Identifier: Apache-2.0
#include "core/links.hpp"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "codec/link_format.hpp"
#include "core/attributes.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::core {
namespace {

using codec::ContentFormat;
using codec::Link;
using codec::LinkParser;
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
  std::map<std::pair<InstanceId, ResourceId>, dm::Value> values;  // what read() finds
  Result<dm::Value> read(InstanceId iid, ResourceId rid, dm::ResourceInstanceId,
                         MutableByteView) noexcept override {
    auto it = values.find({iid, rid});
    if (it == values.end()) return Errc::not_found;
    return it->second;
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

// Runs `write` (one of the write_register_links overloads) into a large enough sink.
template <typename F>
std::string registered(F write) {
  std::vector<uint8_t> buf(1024);
  Sink sink{buf};
  write(sink);
  EXPECT_FALSE(sink.overflowed());
  return std::string(as_string(sink.window()));
}

TEST(Links, RegisterPayloadListsObjectsAndInstances) {
  Model m;
  // Security and OSCORE never appear; Server has version 1.1; Firmware has no instance.
  EXPECT_EQ(registered([&](Sink& s) { write_register_links(m.reg, s); }),
            "</1>;ver=1.1,</1/0>,</3/0>,</5>");
  const dm::ObjectId exclude[] = {5};
  EXPECT_EQ(registered([&](Sink& s) { write_register_links(m.reg, s, exclude); }),
            "</1>;ver=1.1,</1/0>,</3/0>");
}

TEST(Links, RegisterPayloadRootLink) {
  Model m;
  const ContentFormat one[] = {ContentFormat::lwm2m_json};
  RootLink root;
  root.content_formats = one;
  auto with_root = [&](Sink& s) { write_register_links(m.reg, s, root); };
  EXPECT_EQ(registered(with_root), "</>;rt=\"oma.lwm2m\";ct=11543,</1>;ver=1.1,</1/0>,</3/0>,</5>");
  const ContentFormat several[] = {ContentFormat::senml_cbor, ContentFormat::lwm2m_tlv};
  root.content_formats = several;
  root.path = "/lwm2m";
  EXPECT_EQ(registered(with_root).substr(0, 38), "</lwm2m>;rt=\"oma.lwm2m\";ct=\"112 11542\"");
  root.content_formats = {};
  EXPECT_EQ(registered(with_root).substr(0, 25), "</lwm2m>;rt=\"oma.lwm2m\",<");
  const dm::ObjectId exclude[] = {1, 3, 5};
  EXPECT_EQ(registered([&](Sink& s) { write_register_links(m.reg, s, root, exclude); }),
            "</lwm2m>;rt=\"oma.lwm2m\"");
}

// Attributes held per path, written through the core's formatting.
class Attrs final : public AttributeLookup {
 public:
  std::map<Path, Attributes> at;
  void write_attributes(const Path& p, Sink& out) const noexcept override {
    auto it = at.find(p);
    if (it != at.end()) write_link_attributes(it->second, out);
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
    EXPECT_TRUE(s.ok()) << to_string(s.error());
  return std::string(as_string(sink.window()));
}

TEST(Links, DiscoverObjectAsInTheSpecExample) {
  Model m;
  Attrs a;
  a.at[Path(3)].set(Attributes::pmin, 10);
  a.at[Path(3, 0, 7)].set(Attributes::gt, 50);
  a.at[Path(3, 0, 7)].set(Attributes::lt, 42.2);
  EXPECT_EQ(discover(m.reg, Path(3), &a),
            "</3>;pmin=10,</3/0>,</3/0/1>,</3/0/2>,</3/0/3>,</3/0/4>,</3/0/6>;dim=8,"
            "</3/0/7>;dim=8;gt=50;lt=42.2,</3/0/8>;dim=8,</3/0/11>;dim=1,</3/0/16>");
}

TEST(Links, DiscoverInstanceAndResource) {
  Model m;
  Attrs a;
  a.at[Path(3, 0)].set(Attributes::pmax, 60);
  a.at[Path(3, 0, 7)].set(Attributes::gt, 50);
  a.at[Path(3, 0, 7)].set(Attributes::lt, 42.2);
  a.at[Path(3, 0, 7)].set(Attributes::st, 0.5);
  a.at[Path(3, 0, 7, 1)].set(Attributes::epmin, 5);
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

// Discover walks the object from the top for every depth of target: an instance or a
// resource among several is listed alone, with nothing of the other instances.
TEST(Links, DiscoverOfOneInstanceAmongSeveral) {
  static constexpr ResourceDef kRes[] = {{1, DataType::integer, O::read},
                                         {2, DataType::integer, O::read, true}};
  static constexpr ObjectDef kDef{3303, "1.0", true, false, kRes};
  FakeObject sensor{kDef, {0, 4, 9}};
  sensor.dims = {{2, 2}};
  std::array<dm::Object*, 1> slots{};
  dm::Registry reg{slots};
  ASSERT_TRUE(reg.add(sensor).ok());
  EXPECT_EQ(discover(reg, Path(3303), nullptr),
            "</3303>,</3303/0>,</3303/0/1>,</3303/0/2>;dim=2,</3303/4>,</3303/4/1>,"
            "</3303/4/2>;dim=2,</3303/9>,</3303/9/1>,</3303/9/2>;dim=2");
  EXPECT_EQ(discover(reg, Path(3303, 4), nullptr), "</3303/4>,</3303/4/1>,</3303/4/2>;dim=2");
  EXPECT_EQ(discover(reg, Path(3303, 9, 2), nullptr),
            "</3303/9/2>;dim=2,</3303/9/2/0>,</3303/9/2/1>");
  EXPECT_EQ(discover(reg, Path(3303, 9, 1), nullptr), "</3303/9/1>");
  EXPECT_EQ(discover(reg, Path(3303, 4, 2, 1), nullptr), "</3303/4/2/1>");
  Status st;
  discover(reg, Path(3303, 5), nullptr, &st);
  EXPECT_EQ(st, Errc::not_found);
  discover(reg, Path(3303, 4, 2, 2), nullptr, &st);
  EXPECT_EQ(st, Errc::not_found);
}

TEST(Links, DiscoverObjectVersionAndErrors) {
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

TEST(Links, WritersDoNotAllocate) {
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

TEST(Links, DiscoverAnswersParseBackAsWritten) {
  Model m;
  Attrs a;
  a.at[Path(3)].set(Attributes::pmin, 10);
  a.at[Path(3, 0, 7)].set(Attributes::lt, 42.2);
  const std::string text = discover(m.reg, Path(3), &a);
  LinkParser p{text};
  std::vector<Link> links;
  Link l;
  while (p.next(l).value())
    links.push_back(l);
  ASSERT_EQ(links.size(), 11u);
  EXPECT_EQ(links[0].uri, "/3");
  EXPECT_EQ(links[0].find("pmin").value, "10");
  EXPECT_EQ(links[7].uri, "/3/0/7");
  EXPECT_EQ(links[7].find("dim").value, "8");
  EXPECT_EQ(links[7].find("lt").value, "42.2");
}

// ---- Bootstrap-Discover ----

constexpr ResourceDef kSecurityFullRes[] = {{0, DataType::string, O::none},
                                            {1, DataType::boolean, O::none},
                                            {10, DataType::integer, O::none}};
constexpr ObjectDef kSecurityFull{0, "1.0", true, true, kSecurityFullRes};

struct BootstrapModel {
  FakeObject security{kSecurityFull, {0, 1}};
  FakeObject server{kServer, {0}};
  FakeObject device{kDevice, {0}};
  FakeObject firmware{kFirmware, {}};
  std::array<dm::Object*, 4> slots{};
  dm::Registry reg{slots};
  BootstrapModel() {
    // Instance 0 is the bootstrap account (its ssid is not reported), 1 a server's.
    security.values[{0, 0}] = dm::Value::string("coaps://bs.example.com");
    security.values[{0, 1}] = dm::Value::boolean(true);
    security.values[{0, 10}] = dm::Value::integer(7);
    security.values[{1, 0}] = dm::Value::string("coap://lwm2m.example.com:5683");
    security.values[{1, 1}] = dm::Value::boolean(false);
    security.values[{1, 10}] = dm::Value::integer(101);
    server.values[{0, 0}] = dm::Value::integer(101);
    for (dm::Object* o : {static_cast<dm::Object*>(&security), static_cast<dm::Object*>(&server),
                          static_cast<dm::Object*>(&device), static_cast<dm::Object*>(&firmware)})
      EXPECT_TRUE(reg.add(*o).ok());
  }
};

std::string bootstrap_discover(const dm::Registry& reg, const Path& base,
                               codec::LwM2MVersion version, Status* st = nullptr) {
  std::vector<uint8_t> buf(1024), scratch(64);
  Sink sink{buf};
  Status s = write_bootstrap_discover(reg, base, version, scratch, sink);
  if (st)
    *st = s;
  else
    EXPECT_TRUE(s.ok()) << to_string(s.error());
  return std::string(as_string(sink.window()));
}

TEST(Links, BootstrapDiscoverListsAccountsWithSsidAndUri) {
  BootstrapModel m;
  EXPECT_EQ(bootstrap_discover(m.reg, Path(), codec::LwM2MVersion::v1_1),
            "</>;lwm2m=1.1,</0/0>;uri=\"coaps://bs.example.com\","
            "</0/1>;ssid=101;uri=\"coap://lwm2m.example.com:5683\",</1>;ver=1.1,</1/0>;ssid=101,"
            "</3/0>,</5>");
  // A Security instance without a Short Server ID gets no ssid.
  m.security.values.erase({1, 10});
  EXPECT_EQ(bootstrap_discover(m.reg, Path(0), codec::LwM2MVersion::v1_2),
            "</>;lwm2m=1.2,</0/0>;uri=\"coaps://bs.example.com\","
            "</0/1>;uri=\"coap://lwm2m.example.com:5683\"");
}

TEST(Links, BootstrapDiscoverOfOneObjectOrNone) {
  BootstrapModel m;
  EXPECT_EQ(bootstrap_discover(m.reg, Path(1), codec::LwM2MVersion::v1_0),
            "</>;lwm2m=1.0,</1>;ver=1.1,</1/0>;ssid=101");
  EXPECT_EQ(bootstrap_discover(m.reg, Path(5), codec::LwM2MVersion::v1_1), "</>;lwm2m=1.1,</5>");
  EXPECT_EQ(bootstrap_discover(m.reg, Path(4), codec::LwM2MVersion::v1_1), "</>;lwm2m=1.1");
  Status st;
  EXPECT_EQ(bootstrap_discover(m.reg, Path(0, 1), codec::LwM2MVersion::v1_1, &st), "");
  EXPECT_EQ(st, Errc::bad_request);
}

}  // namespace
}  // namespace lwm2m::core
