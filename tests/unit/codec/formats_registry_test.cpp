// SPDX-License-Identifier: Apache-2.0
// The CBOR and SenML formats over the data model's own sources and types: TreeSource and
// CompositeSource (whose tell/seek the CBOR encoders use to count) and Registry as the
// decoders' TypeResolver.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "codec/cbor_diag.hpp"
#include "codec/lwm2m_cbor.hpp"
#include "codec/senml.hpp"
#include "lwm2m/dm/registry.hpp"
#include "lwm2m/dm/slot_object.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::codec {
namespace {

using dm::DataType;
using dm::Path;
using dm::Value;
using O = dm::Operations;

constexpr dm::ResourceDef kDeviceRes[] = {
    {0, DataType::string, O::read, false, false, "Manufacturer"},
    {4, DataType::none, O::execute, false, true, "Reboot"},
    {7, DataType::integer, O::read, true, false, "Power Source Voltage"},
    {9, DataType::integer, O::read, false, false, "Battery Level"},
    {13, DataType::time, O::read_write, false, false, "Current Time"},
};
constexpr dm::ObjectDef kDevice{3, "1.1", false, true, kDeviceRes, "Device"};

constexpr dm::ResourceDef kServerRes[] = {
    {0, DataType::integer, O::read, false, true, "Short Server ID"},
    {1, DataType::unsigned_integer, O::read_write, false, true, "Lifetime"},
};
constexpr dm::ObjectDef kServer{1, "1.1", true, true, kServerRes, "Server"};

struct Model {
  std::array<dm::ResourceSlot, 5> device_slots{{
      {0, 0, dm::kInvalidId, Value::string("ACME"), {}},
      {0, 7, 0, Value::integer(3800), {}},
      {0, 7, 300, Value::integer(-1), {}},
      {0, 9, dm::kInvalidId, Value::integer(100), {}},
      {0, 13, dm::kInvalidId, Value::time(1700000000), {}},
  }};
  std::array<dm::ResourceSlot, 2> server_slots{{
      {0, 0, dm::kInvalidId, Value::integer(101), {}},
      {0, 1, dm::kInvalidId, Value::unsigned_integer(86400), {}},
  }};
  dm::SlotObject device{kDevice, device_slots};
  dm::SlotObject server{kServer, server_slots};
  std::array<dm::Object*, 4> objects{};
  dm::Registry reg{objects};
  Model() {
    EXPECT_TRUE(reg.add(device));
    EXPECT_TRUE(reg.add(server));
  }
};

std::string diag_encoded(Status (*enc)(const Path&, RecordSource&, Sink&) noexcept,
                         const Path& base, RecordSource& src) {
  std::vector<uint8_t> buf(512);
  Sink sink{buf};
  Status st = enc(base, src, sink);
  if (!st) return std::string("error ") + to_string(st.error());
  return test::diag(sink.window());
}

TEST(FormatsOverRegistry, TreeSourceEncodesWithCountsFromSeek) {
  Model m;
  std::array<uint8_t, 64> scratch{};
  dm::TreeSource src{m.reg, Path{3, 0}, scratch};
  EXPECT_EQ(diag_encoded(encode_senml_cbor, Path{3, 0}, src),
            R"([{-2: "/3/0/", 0: "0", 3: "ACME"}, {0: "7/0", 2: 3800}, {0: "7/300", 2: -1}, )"
            R"({0: "9", 2: 100}, {0: "13", 2: 1700000000}])");
  src.reset(Path{3, 0});
  EXPECT_EQ(diag_encoded(encode_lwm2m_cbor, Path{3, 0}, src),
            R"({[3, 0]: {0: "ACME", 7: {0: 3800, 300: -1}, 9: 100, 13: 1700000000}})");
}

TEST(FormatsOverRegistry, CompositeSourceFromTheRoot) {
  Model m;
  std::array<uint8_t, 64> scratch{};
  const Path paths[] = {Path{1, 0, 1}, Path{3, 0, 7}};
  dm::CompositeSource src{m.reg, paths, scratch};
  EXPECT_EQ(diag_encoded(encode_lwm2m_cbor, Path{}, src),
            R"({1: {0: {1: 86400}}, 3: {0: {7: {0: 3800, 300: -1}}}})");
  dm::CompositeSource again{m.reg, paths, scratch};
  EXPECT_EQ(diag_encoded(encode_senml_cbor, Path{}, again),
            R"([{-2: "/", 0: "1/0/1", 2: 86400}, {0: "3/0/7/0", 2: 3800}, )"
            R"({0: "3/0/7/300", 2: -1}])");
}

TEST(FormatsOverRegistry, RegistryTypesTheDecodedValues) {
  Model m;
  std::array<uint8_t, 64> scratch{};
  DecodeContext ctx{Path{}, &m.reg, scratch};
  const std::string payload =
      R"([{"bn":"/1/0/","n":"1","v":3600},{"bn":"/3/0/","n":"13","v":1700000001},)"
      R"({"n":"9","v":1.5}])";
  test::AllocationScope scope;
  SenmlJsonDecoder d{as_bytes(payload), ctx};
  Record r;
  ASSERT_TRUE(*d.next(r));
  EXPECT_EQ(r.value, Value::unsigned_integer(3600));
  ASSERT_TRUE(*d.next(r));
  EXPECT_EQ(r.value, Value::time(1700000001));
  EXPECT_EQ(d.next(r).error(), Errc::bad_request);  // a float for the integer /3/0/9
  EXPECT_EQ(d.next(r).error(), Errc::bad_request);  // and it stays failed
  EXPECT_EQ(scope.count(), 0u);
  // Unknown resources are the registry's not_found.
  const std::string unknown = R"([{"n":"/3/0/99","v":1}])";
  SenmlJsonDecoder d2{as_bytes(unknown), ctx};
  EXPECT_EQ(d2.next(r).error(), Errc::not_found);
}

}  // namespace
}  // namespace lwm2m::codec
