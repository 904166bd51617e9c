// SPDX-License-Identifier: Apache-2.0
// The Device object's resources (/3/0/x) as a handler answers them: identity strings, pushed
// values and hooks, absent optional resources, Error Code and its reset, writes and
// executes, and the host defaults (posix::apply_host_defaults).
#include <gtest/gtest.h>

#include <vector>

#include "lwm2m/dm/registry.hpp"
#include "lwm2m/objects/ddf/object_3_v1_1.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/platform/device_defaults.hpp"

namespace lwm2m::objects {
namespace {

using dm::kInvalidId;

struct FakeMemory final : DeviceObject::Memory {
  int64_t free = 1000, total = 4000;
  int64_t free_kb() noexcept override { return free; }
  int64_t total_kb() noexcept override { return total; }
};

class DeviceResources : public ::testing::Test {
 protected:
  DeviceObject device{DeviceInfo{"ACME", "M1", "SN-9", "2.0", "sensor", "rev B", "1.4", "UQ"}};

  Result<dm::Value> read(dm::ResourceId rid, dm::ResourceInstanceId riid = kInvalidId) {
    return device.read(0, rid, riid, {});
  }
  int64_t integer(dm::ResourceId rid, dm::ResourceInstanceId riid = kInvalidId) {
    auto v = read(rid, riid);
    EXPECT_TRUE(v) << "/3/0/" << rid;
    return v ? v->as_integer() : -999;
  }
  std::string text(dm::ResourceId rid) {
    auto v = read(rid);
    EXPECT_TRUE(v) << "/3/0/" << rid;
    return v ? std::string(v->as_string()) : "?";
  }
};

TEST_F(DeviceResources, TheDescriptorIsTheGeneratedOne) {
  EXPECT_EQ(&device.def(), &ddf::device_v1_1::kObject);
  EXPECT_EQ(&device_object_def(), &ddf::device_v1_1::kObject);
  EXPECT_EQ(device.def().version, "1.1");
}

TEST_F(DeviceResources, IdentityStringsReadAsGiven) {
  EXPECT_EQ(text(0), "ACME");
  EXPECT_EQ(text(1), "M1");
  EXPECT_EQ(text(2), "SN-9");
  EXPECT_EQ(text(3), "2.0");
  EXPECT_EQ(text(16), "UQ");
  EXPECT_EQ(text(17), "sensor");
  EXPECT_EQ(text(18), "rev B");
  EXPECT_EQ(text(19), "1.4");
}

TEST_F(DeviceResources, OptionalResourcesWithoutAValueOrHookAreAbsent) {
  DeviceObject bare{DeviceInfo{}};
  for (int rid : {0, 1, 2, 3, 6, 7, 8, 9, 10, 17, 18, 19, 20, 21, 22}) {
    const auto r = static_cast<dm::ResourceId>(rid);
    EXPECT_FALSE(bare.has_resource(0, r)) << rid;
    EXPECT_EQ(bare.read(0, r, kInvalidId, {}).status().error(), Errc::not_found) << rid;
  }
  EXPECT_TRUE(bare.has_resource(0, 11));  // mandatory: "0" when no error
  EXPECT_TRUE(bare.has_resource(0, 16));
}

// The walk of /3/0 reads presence from one mask (readable_resources); it must say what
// has_resource() and the descriptor say, before and after every setter that adds or
// removes a resource.
TEST_F(DeviceResources, PresenceMaskAgreesWithHasResourceThroughEverySetter) {
  DeviceObject d{DeviceInfo{"ACME", "", "SN-9", "", "", "rev B", ""}};
  const auto agrees = [&](const char* when) {
    const uint32_t mask = d.readable_resources(0);
    const auto& defs = d.def().resources;
    for (size_t i = 0; i < defs.size(); ++i)
      EXPECT_EQ((mask >> i & 1) != 0, defs[i].readable() && d.has_resource(0, defs[i].id))
          << when << ": /3/0/" << defs[i].id;
    EXPECT_EQ(mask >> defs.size(), 0u) << when;
    EXPECT_EQ(d.readable_resources(1), 0u) << when;  // no such instance: "not said"
  };
  agrees("constructed");
  EXPECT_FALSE(d.has_resource(0, 1));
  EXPECT_TRUE(d.has_resource(0, 2));
  EXPECT_FALSE(d.has_resource(0, 9));
  d.set_battery_level(50);
  d.set_battery_status(DeviceObject::BatteryStatus::normal);
  d.set_memory_free_kb(3);
  ASSERT_TRUE(d.add_power_source(1, 5000, 10));
  d.set_firmware_version("3.1");
  agrees("values given");
  for (int rid : {3, 6, 7, 8, 9, 10, 20})
    EXPECT_TRUE(d.has_resource(0, static_cast<dm::ResourceId>(rid))) << rid;
  EXPECT_FALSE(d.has_resource(0, 21));
  d.set_battery_level(-1);
  d.set_battery_status(DeviceObject::BatteryStatus::absent);
  d.set_memory_free_kb(-1);
  d.set_firmware_version("");
  agrees("values removed");
  for (int rid : {3, 9, 10, 20})
    EXPECT_FALSE(d.has_resource(0, static_cast<dm::ResourceId>(rid))) << rid;
  FakeMemory memory;
  d.set_memory(&memory);
  agrees("memory hook");
  EXPECT_TRUE(d.has_resource(0, 10));
  EXPECT_TRUE(d.has_resource(0, 21));
  d.set_memory(nullptr);
  agrees("no memory hook");
  EXPECT_FALSE(d.has_resource(0, 10));
}

// What a server's Read of /3/0 walks: the present readable resources, as they change.
TEST_F(DeviceResources, AWalkOfTheInstanceFollowsPresence) {
  dm::Object* slots[1];
  dm::Registry reg{slots};
  DeviceObject d{DeviceInfo{"ACME", "", "", "", "", "", ""}};
  ASSERT_TRUE(reg.add(d));
  const auto walked = [&] {
    std::vector<dm::ResourceId> ids;
    dm::TreeSource src{reg, dm::Path(3, 0), {}};
    Record rec;
    while (true) {
      auto r = src.next(rec);
      EXPECT_TRUE(r);
      if (!r || !*r) break;
      if (ids.empty() || ids.back() != rec.path.resource()) ids.push_back(rec.path.resource());
    }
    // The walk that hands records over as it reads them (TLV's) goes the same way.
    struct Ids final : RecordConsumer {
      std::vector<dm::ResourceId> ids;
      Status take(const Record& r) noexcept override {
        if (ids.empty() || ids.back() != r.path.resource()) ids.push_back(r.path.resource());
        return {};
      }
    } visited;
    EXPECT_TRUE(dm::TreeSource(reg, dm::Path(3, 0), {}).visit(visited));
    EXPECT_EQ(visited.ids, ids);
    return ids;
  };
  EXPECT_EQ(walked(), (std::vector<dm::ResourceId>{0, 11, 13, 14, 15, 16}));
  d.set_battery_level(80);
  ASSERT_TRUE(d.add_power_source(1, 5000, 10));
  EXPECT_EQ(walked(), (std::vector<dm::ResourceId>{0, 6, 7, 8, 9, 11, 13, 14, 15, 16}));
}

TEST_F(DeviceResources, BatteryLevelAndStatus) {
  device.set_battery_level(87);
  EXPECT_EQ(integer(9), 87);
  device.set_battery_level(150);
  EXPECT_EQ(integer(9), 100);
  device.set_battery_level(-300);  // any negative level removes it (none wraps to a level)
  EXPECT_FALSE(device.has_resource(0, 9));
  device.set_battery_level(0);
  EXPECT_EQ(integer(9), 0);
  device.set_battery_status(DeviceObject::BatteryStatus::charging);
  EXPECT_EQ(integer(20), 1);
  device.set_battery_status(DeviceObject::BatteryStatus::absent);
  EXPECT_FALSE(device.has_resource(0, 20));
}

TEST_F(DeviceResources, PowerSourcesAreThreeParallelMultipleResources) {
  ASSERT_TRUE(device.add_power_source(1, 5000, 120));   // internal battery
  ASSERT_TRUE(device.add_power_source(5, 230000, 40));  // AC mains
  EXPECT_EQ(device.resource_instance_count(0, 6), 2u);
  EXPECT_EQ(integer(6, 1), 5);
  EXPECT_EQ(integer(7, 0), 5000);
  EXPECT_EQ(integer(8, 1), 40);
  ASSERT_TRUE(device.update_power_source(0, 4800, 90));
  EXPECT_EQ(integer(7, 0), 4800);
  EXPECT_EQ(integer(8, 0), 90);
  EXPECT_EQ(device.update_power_source(2, 1, 1).error(), Errc::not_found);
  EXPECT_EQ(read(7, 2).status().error(), Errc::not_found);
}

TEST_F(DeviceResources, MemoryComesFromTheHookElseFromPushedValues) {
  device.set_memory_free_kb(12);
  device.set_memory_total_kb(64);
  EXPECT_EQ(integer(10), 12);
  EXPECT_EQ(integer(21), 64);
  FakeMemory memory;
  device.set_memory(&memory);
  EXPECT_EQ(integer(10), 1000);
  EXPECT_EQ(integer(21), 4000);
  memory.free = 900;
  EXPECT_EQ(integer(10), 900);
  memory.total = -1;  // the hook does not know
  EXPECT_EQ(read(21).status().error(), Errc::not_found);
}

TEST_F(DeviceResources, ErrorCodesAreMultipleAndResetByExecute12) {
  EXPECT_EQ(device.resource_instance_count(0, 11), 1u);
  EXPECT_EQ(integer(11, 0), 0);  // no error
  ASSERT_TRUE(device.add_error_code(2));
  ASSERT_TRUE(device.add_error_code(7));
  EXPECT_EQ(device.resource_instance_count(0, 11), 2u);
  EXPECT_EQ(integer(11, 0), 2);
  EXPECT_EQ(integer(11, 1), 7);
  ASSERT_TRUE(device.execute(0, 12, {}));
  EXPECT_EQ(device.resource_instance_count(0, 11), 1u);
  EXPECT_EQ(integer(11, 0), 0);
}

// The object's ranges: error codes 0..32 (16-32 device-specific), power sources 0..7. A
// value outside them is refused, not stored (the object keeps them in bytes).
TEST_F(DeviceResources, ErrorCodesAndPowerSourcesOutsideTheObjectsRangesAreRefused) {
  EXPECT_EQ(device.add_error_code(-1).error(), Errc::invalid_argument);
  EXPECT_EQ(device.add_error_code(33).error(), Errc::invalid_argument);
  EXPECT_EQ(device.add_error_code(256 + 2).error(), Errc::invalid_argument);
  EXPECT_EQ(device.resource_instance_count(0, 11), 1u);
  EXPECT_EQ(integer(11, 0), 0);  // still "no error"
  ASSERT_TRUE(device.add_error_code(32));
  EXPECT_EQ(integer(11, 0), 32);

  EXPECT_EQ(device.add_power_source(-1, 5000, 10).error(), Errc::invalid_argument);
  EXPECT_EQ(device.add_power_source(8, 5000, 10).error(), Errc::invalid_argument);
  EXPECT_FALSE(device.has_resource(0, 6));
  ASSERT_TRUE(device.add_power_source(7, -5000, -10));  // solar, negative readings kept
  EXPECT_EQ(integer(6, 0), 7);
  EXPECT_EQ(integer(7, 0), -5000);
  EXPECT_EQ(integer(8, 0), -10);
}

TEST_F(DeviceResources, ErrorCodesAreBounded) {
  for (size_t i = 0; i < DeviceObject::kMaxErrorCodes; ++i)
    ASSERT_TRUE(device.add_error_code(1));
  EXPECT_EQ(device.add_error_code(1).error(), Errc::no_space);
}

TEST_F(DeviceResources, WritesOfUtcOffsetAndTimezone) {
  ASSERT_TRUE(device.write(0, 14, kInvalidId, dm::Value::string("+02:00")));
  ASSERT_TRUE(device.write(0, 15, kInvalidId, dm::Value::string("Europe/Paris")));
  EXPECT_EQ(text(14), "+02:00");
  EXPECT_EQ(text(15), "Europe/Paris");
  EXPECT_EQ(device.write(0, 14, kInvalidId, dm::Value::string("+02:00:00:00")).error(),
            Errc::bad_request);
  ASSERT_TRUE(device.set_timezone("Asia/Tokyo"));
  EXPECT_EQ(text(15), "Asia/Tokyo");
  EXPECT_EQ(device.set_timezone(std::string(40, 'x')).error(), Errc::invalid_argument);
}

TEST_F(DeviceResources, ReadOnlyResourcesRefuseWrites) {
  for (int rid : {0, 9, 11, 16, 21})
    EXPECT_EQ(device.write(0, static_cast<dm::ResourceId>(rid), kInvalidId, dm::Value::integer(1))
                  .error(),
              Errc::method_not_allowed)
        << rid;
}

TEST_F(DeviceResources, RebootAndFactoryResetAreAccepted) {
  EXPECT_TRUE(device.execute(0, 4, {}));
  EXPECT_TRUE(device.execute(0, 5, {}));
  EXPECT_EQ(device.execute(0, 0, {}).error(), Errc::method_not_allowed);
}

TEST(DeviceHostDefaults, GiveClockMemoryAndTimeZoneOnlyWhereMissing) {
  DeviceObject device{DeviceInfo{}};
  posix::apply_host_defaults(device);
  EXPECT_TRUE(device.has_clock());
  EXPECT_TRUE(device.has_memory());
  EXPECT_NEAR(static_cast<double>(device.current_time()), static_cast<double>(std::time(nullptr)),
              2);
  auto total = device.read(0, 21, kInvalidId, {});
  ASSERT_TRUE(total) << "Linux has /proc/meminfo";
  EXPECT_GT(total->as_integer(), 0);
  auto free = device.read(0, 10, kInvalidId, {});
  ASSERT_TRUE(free);
  EXPECT_LE(free->as_integer(), total->as_integer());
  ASSERT_EQ(device.utc_offset().size(), 6u);  // "+HH:MM"
  EXPECT_TRUE(device.utc_offset()[0] == '+' || device.utc_offset()[0] == '-');

  DeviceObject own{DeviceInfo{}};
  FakeMemory memory;
  own.set_memory(&memory);
  ASSERT_TRUE(own.set_utc_offset("-05:00"));
  posix::apply_host_defaults(own);
  EXPECT_EQ(own.read(0, 10, kInvalidId, {})->as_integer(), 1000);
  EXPECT_EQ(own.utc_offset(), "-05:00");
}

}  // namespace
}  // namespace lwm2m::objects
