// SPDX-License-Identifier: Apache-2.0
// encode_values: a Read's answer in the negotiated format.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/tlv.hpp"
#include "core/observations.hpp"
#include "lwm2m/dm/registry.hpp"
#include "lwm2m/objects/device.hpp"

namespace lwm2m::core {
namespace {

struct Device {
  objects::DeviceObject device{
      objects::DeviceInfo{"Acme", "Model 7", "SN-1", "1.0", "sensor", "rev B", "1.0", "U"}};
  dm::Object* slots[1] = {};
  dm::Registry reg{slots};
  uint8_t scratch[64] = {};
  Device() {
    EXPECT_TRUE(reg.add(device));
    EXPECT_TRUE(device.add_power_source(1, 5000, 10));
    EXPECT_TRUE(device.add_power_source(5, 3300, 200));
    EXPECT_TRUE(device.add_error_code(2));
    device.set_battery_level(80);
  }
  // The representation of `base` through window [offset, offset + size) of a sink.
  std::string encode(const dm::Path& base, size_t size, size_t offset, Status& st) {
    std::vector<uint8_t> buf(size);
    Sink sink{buf, offset};
    st = encode_values(reg, base, {}, codec::ContentFormat::lwm2m_tlv, sink, scratch, false);
    return std::string(as_string(sink.window()));
  }
};

// TLV is written as the walk reads the values, and, where a container's header cannot go in
// front of its content (a Block2 window cuts it, or the buffer is too small), by the encoder
// that reads them back: the same bytes either way.
TEST(EncodeValues, TlvIsTheSameWholeAndInEveryBlock2Window) {
  Device d;
  for (const dm::Path& base :
       {dm::Path(3), dm::Path(3, 0), dm::Path(3, 0, 7), dm::Path(3, 0, 7, 1), dm::Path(3, 0, 0)}) {
    std::vector<uint8_t> buf(1024);
    Sink pulled{buf};
    dm::TreeSource src{d.reg, base, d.scratch};
    ASSERT_TRUE(codec::encode_tlv(base, src, pulled));
    const std::string whole(as_string(pulled.window()));
    Status st;
    EXPECT_EQ(d.encode(base, 1024, 0, st), whole);
    EXPECT_TRUE(st);
    for (size_t block : {16u, 32u, 64u}) {
      std::string joined;
      for (size_t offset = 0; offset < whole.size(); offset += block) {
        joined += d.encode(base, block, offset, st);
        EXPECT_TRUE(st);
      }
      EXPECT_EQ(joined, whole) << block;
    }
  }
}

}  // namespace
}  // namespace lwm2m::core
