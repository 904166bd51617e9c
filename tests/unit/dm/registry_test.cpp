// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/dm/registry.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "lwm2m/dm/slot_object.hpp"
#include "support/alloc_counter.hpp"

namespace lwm2m::dm {
namespace {

using O = Operations;

// A trimmed Device object: strings, a multiple resource, an executable, a write-only.
constexpr ResourceDef kDeviceRes[] = {
    {0, DataType::string, O::read, false, false, "Manufacturer"},
    {4, DataType::none, O::execute, false, true, "Reboot"},
    {7, DataType::integer, O::read, true, false, "Power Source Voltage"},
    {9, DataType::integer, O::read, false, false, "Battery Level"},
    {13, DataType::time, O::read_write, false, false, "Current Time"},
    {15, DataType::string, O::read_write, false, false, "Timezone"},
    {30, DataType::integer, O::write, false, false, "Write-only test resource"},
};
constexpr ObjectDef kDevice{3, "1.1", false, true, kDeviceRes, "Device"};

struct DeviceFixture {
  std::array<char, 32> tz{};
  std::array<ResourceSlot, 7> slots{{
      {0, 0, kInvalidId, Value::string("ACME"), {}},
      {0, 7, 0, Value::integer(3800), {}},
      {0, 7, 5, Value::integer(5000), {}},
      {0, 7, 300, Value::integer(-1), {}},
      {0, 9, kInvalidId, Value::integer(100), {}},
      {0, 13, kInvalidId, Value::time(1700000000), {}},
      {0, 15, kInvalidId, Value::string("UTC"), {}},
  }};
  SlotObject obj{kDevice, slots};
  DeviceFixture() { slots[6].buffer = {reinterpret_cast<uint8_t*>(tz.data()), tz.size()}; }
};

// A multi-instance object with sparse instance ids implemented by hand.
constexpr ResourceDef kSensorRes[] = {
    {5700, DataType::floating, O::read, false, true, "Sensor Value"},
    {5701, DataType::string, O::read, false, false, "Units"},
};
constexpr ObjectDef kSensor{3303, "1.1", true, false, kSensorRes, "Temperature"};

class Sensor final : public Object {
 public:
  Sensor() : Object(kSensor) {}
  std::vector<InstanceId> ids{1, 7, 42};
  size_t instance_count() const noexcept override { return ids.size(); }
  InstanceId instance_at(size_t i) const noexcept override { return ids[i]; }
  bool has_resource(InstanceId iid, ResourceId rid) const noexcept override {
    return rid != 5701 || iid == 7;  // only instance 7 has units
  }
  Result<Value> read(InstanceId iid, ResourceId rid, ResourceInstanceId,
                     MutableByteView) noexcept override {
    if (rid == 5701) return Value::string("Cel");
    return Value::floating(20.0 + iid);
  }
};

std::string text(const Path& p) {
  char buf[Path::kMaxTextLength];
  return std::string(buf, p.format(buf));
}

std::vector<std::string> walk(RecordSource& src) {
  std::vector<std::string> out;
  Record r;
  while (true) {
    auto n = src.next(r);
    EXPECT_TRUE(n.ok());
    if (!n.ok() || !*n) break;
    out.push_back(text(r.path));
  }
  return out;
}

struct Tree {
  DeviceFixture dev;
  Sensor sensor;
  std::array<Object*, 4> slots{};
  Registry reg{slots};
  Tree() {
    EXPECT_TRUE(reg.add(sensor).ok());
    EXPECT_TRUE(reg.add(dev.obj).ok());
  }
};

TEST(Registry, KeepsObjectsSortedAndRejectsDuplicatesAndOverflow) {
  Tree t;
  ASSERT_EQ(t.reg.objects().size(), 2u);
  EXPECT_EQ(t.reg.objects()[0]->id(), 3);
  EXPECT_EQ(t.reg.objects()[1]->id(), 3303);
  EXPECT_EQ(t.reg.find(3303), &t.sensor);
  EXPECT_EQ(t.reg.find(4), nullptr);

  Sensor again;
  EXPECT_EQ(t.reg.add(again).error(), Errc::already_exists);
  EXPECT_EQ(t.reg.add(t.sensor).error(), Errc::invalid_argument);  // already registered

  std::array<Object*, 1> one{};
  Registry small{one};
  Sensor s1;
  DeviceFixture d;
  EXPECT_TRUE(small.add(s1).ok());
  EXPECT_EQ(small.add(d.obj).error(), Errc::no_space);
  EXPECT_TRUE(small.remove(3303).ok());
  EXPECT_EQ(small.remove(3303).error(), Errc::not_found);
  EXPECT_TRUE(small.add(d.obj).ok());
}

TEST(Registry, RejectsUnsortedDescriptor) {
  static constexpr ResourceDef bad[] = {{2, DataType::integer, O::read},
                                        {1, DataType::integer, O::read}};
  static constexpr ObjectDef def{9999, "1.0", false, false, bad};
  std::array<ResourceSlot, 0> none{};
  SlotObject o{def, none};
  std::array<Object*, 1> one{};
  Registry reg{one};
  EXPECT_EQ(reg.add(o).error(), Errc::invalid_argument);
}

TEST(Registry, ResolvesEveryLevelAgainstInstancesAndPresence) {
  Tree t;
  EXPECT_TRUE(t.reg.resolve(Path(3)).ok());
  EXPECT_TRUE(t.reg.resolve(Path(3, 0)).ok());
  EXPECT_EQ(t.reg.resolve(Path(3, 1)).error(), Errc::not_found);
  EXPECT_EQ(t.reg.resolve(Path(3, 0, 0))->resource->id, 0);
  EXPECT_EQ(t.reg.resolve(Path(3, 0, 1)).error(), Errc::not_found);  // not defined
  EXPECT_TRUE(t.reg.resolve(Path(3, 0, 7, 300)).ok());
  EXPECT_EQ(t.reg.resolve(Path(3, 0, 7, 1)).error(), Errc::not_found);
  EXPECT_EQ(t.reg.resolve(Path(3, 0, 9, 0)).error(), Errc::not_found);     // single resource
  EXPECT_EQ(t.reg.resolve(Path(3303, 1, 5701)).error(), Errc::not_found);  // absent
  EXPECT_TRUE(t.reg.resolve(Path(3303, 7, 5701)).ok());
  EXPECT_EQ(t.reg.resolve(Path()).error(), Errc::invalid_argument);
}

TEST(Registry, TypeOfFollowsDescriptors) {
  Tree t;
  EXPECT_EQ(*t.reg.type_of(Path(3, 0, 13)), DataType::time);
  EXPECT_EQ(*t.reg.type_of(Path(3, 0, 7, 9)), DataType::integer);
  EXPECT_EQ(t.reg.type_of(Path(3, 0, 7)).error(), Errc::not_found);  // multiple at depth 3
  EXPECT_EQ(t.reg.type_of(Path(3, 0, 9, 1)).error(), Errc::not_found);
  EXPECT_EQ(t.reg.type_of(Path(3, 0, 99)).error(), Errc::not_found);
  EXPECT_EQ(t.reg.type_of(Path(5, 0, 1)).error(), Errc::not_found);
}

TEST(TreeSource, WalksDepthFirstSkippingExecutableWriteOnlyAndAbsent) {
  Tree t;
  std::array<uint8_t, 16> scratch{};
  TreeSource all{t.reg, Path(), scratch};
  EXPECT_EQ(walk(all), (std::vector<std::string>{"/3/0/0", "/3/0/7/0", "/3/0/7/5", "/3/0/7/300",
                                                 "/3/0/9", "/3/0/13", "/3/0/15", "/3303/1/5700",
                                                 "/3303/7/5700", "/3303/7/5701", "/3303/42/5700"}));
  TreeSource res{t.reg, Path(3, 0, 7), scratch};
  EXPECT_EQ(walk(res), (std::vector<std::string>{"/3/0/7/0", "/3/0/7/5", "/3/0/7/300"}));
  TreeSource ri{t.reg, Path(3, 0, 7, 5), scratch};
  EXPECT_EQ(walk(ri), (std::vector<std::string>{"/3/0/7/5"}));
  TreeSource inst{t.reg, Path(3303, 7), scratch};
  EXPECT_EQ(walk(inst), (std::vector<std::string>{"/3303/7/5700", "/3303/7/5701"}));
}

TEST(TreeSource, ExcludedObjectsAreLeftOutOfRootWalks) {
  Tree t;
  std::array<uint8_t, 16> scratch{};
  TreeSource all{t.reg, Path(), scratch};
  const ObjectId excluded[] = {3};
  all.exclude_objects(excluded);
  EXPECT_EQ(walk(all).front(), "/3303/1/5700");
}

TEST(TreeSource, SeekReturnsToASavedPositionAndValuesReadAgain) {
  Tree t;
  std::array<uint8_t, 16> scratch{};
  TreeSource src{t.reg, Path(3), scratch};
  Record r;
  ASSERT_TRUE(*src.next(r));
  auto mark = src.tell();
  ASSERT_TRUE(*src.next(r));
  EXPECT_EQ(text(r.path), "/3/0/7/0");
  EXPECT_EQ(r.value, Value::integer(3800));
  ASSERT_TRUE(*src.next(r));
  src.seek(mark);
  ASSERT_TRUE(*src.next(r));
  EXPECT_EQ(text(r.path), "/3/0/7/0");
  src.seek({});
  ASSERT_TRUE(*src.next(r));
  EXPECT_EQ(text(r.path), "/3/0/0");
  EXPECT_EQ(r.value.as_string(), "ACME");
}

// What TreeSource::visit hands over, as "path=value" lines.
struct Lines final : RecordConsumer {
  std::vector<std::string> lines;
  size_t stop_after = SIZE_MAX;  // then fails with this error
  Status take(const Record& r) noexcept override {
    if (lines.size() == stop_after) return Errc::internal_error;
    std::string v = r.value.type() == DataType::string     ? std::string(r.value.as_string())
                    : r.value.type() == DataType::floating ? std::to_string(r.value.as_float())
                                                           : std::to_string(r.value.as_integer());
    lines.push_back(text(r.path) + "=" + v);
    return {};
  }
};

std::vector<std::string> pulled(RecordSource& src) {
  Lines l;
  Record r;
  while (true) {
    auto n = src.next(r);
    EXPECT_TRUE(n.ok());
    if (!n.ok() || !*n) break;
    EXPECT_TRUE(l.take(r).ok());
  }
  return l.lines;
}

TEST(TreeSource, VisitHandsOverWhatNextYieldsBelowEveryBase) {
  Tree t;
  std::array<uint8_t, 16> scratch{};
  const Path bases[] = {Path(),           Path(3),
                        Path(3, 0),       Path(3, 1),
                        Path(3, 0, 0),    Path(3, 0, 4),
                        Path(3, 0, 7),    Path(3, 0, 7, 5),
                        Path(3, 0, 7, 6), Path(3, 0, 30),
                        Path(3303),       Path(3303, 7),
                        Path(3303, 8),    Path(3303, 1, 5701),
                        Path(5),          Path(3303, 42, 5700)};
  for (const Path& base : bases) {
    TreeSource src{t.reg, base, scratch};
    Record r;
    ASSERT_TRUE(src.next(r).ok());  // visit() leaves next()'s position alone
    Lines visited;
    ASSERT_TRUE(src.visit(visited).ok()) << text(base);
    TreeSource again{t.reg, base, scratch};
    EXPECT_EQ(visited.lines, pulled(again)) << text(base);
  }
  TreeSource all{t.reg, Path(), scratch};
  const ObjectId excluded[] = {3};
  all.exclude_objects(excluded);
  Lines visited;
  ASSERT_TRUE(all.visit(visited).ok());
  EXPECT_EQ(visited.lines,
            (std::vector<std::string>{"/3303/1/5700=21.000000", "/3303/7/5700=27.000000",
                                      "/3303/7/5701=Cel", "/3303/42/5700=62.000000"}));
}

TEST(TreeSource, VisitStopsAtTheFirstErrorOfTheConsumerOrOfAReadOfOneValue) {
  Tree t;
  std::array<uint8_t, 16> scratch{};
  TreeSource src{t.reg, Path(3303), scratch};
  Lines two;
  two.stop_after = 2;
  EXPECT_EQ(src.visit(two).error(), Errc::internal_error);
  EXPECT_EQ(two.lines.size(), 2u);

  // A resource that turns out absent is left out of an aggregate, an error when read alone.
  struct Flaky final : Object {
    Flaky() : Object(kSensor) {}
    size_t instance_count() const noexcept override { return 1; }
    InstanceId instance_at(size_t) const noexcept override { return 0; }
    Result<Value> read(InstanceId, ResourceId rid, ResourceInstanceId,
                       MutableByteView) noexcept override {
      if (rid == 5700) return Errc::not_found;
      return Value::string("Cel");
    }
  } flaky;
  std::array<Object*, 1> one{};
  Registry reg{one};
  ASSERT_TRUE(reg.add(flaky).ok());
  TreeSource inst{reg, Path(3303, 0), scratch};
  Lines units;
  ASSERT_TRUE(inst.visit(units).ok());
  EXPECT_EQ(units.lines, (std::vector<std::string>{"/3303/0/5701=Cel"}));
  TreeSource value{reg, Path(3303, 0, 5700), scratch};
  Lines none;
  EXPECT_EQ(value.visit(none).error(), Errc::not_found);
}

TEST(TreeSource, WalkingAllocatesNothing) {
  Tree t;
  std::array<uint8_t, 16> scratch{};
  test::AllocationScope scope;
  for (int i = 0; i < 100; ++i) {
    TreeSource src{t.reg, Path(), scratch};
    Record r;
    while (*src.next(r)) {
    }
    struct Nothing final : RecordConsumer {
      Status take(const Record&) noexcept override { return {}; }
    } nothing;
    EXPECT_TRUE(src.visit(nothing).ok());
  }
  EXPECT_EQ(scope.count(), 0u);
}

TEST(CompositeSource, WalksEachPathInOrderAndSkipsUnknownOnes) {
  Tree t;
  std::array<uint8_t, 16> scratch{};
  const Path paths[] = {Path(3303, 42), Path(3, 0, 4), Path(5, 0), Path(3, 0, 9), Path(3, 0, 7, 5)};
  CompositeSource src{t.reg, paths, scratch};
  EXPECT_EQ(walk(src), (std::vector<std::string>{"/3303/42/5700", "/3/0/9", "/3/0/7/5"}));

  CompositeSource again{t.reg, paths, scratch};
  Record r;
  ASSERT_TRUE(*again.next(r));
  auto mark = again.tell();
  ASSERT_TRUE(*again.next(r));
  EXPECT_EQ(text(r.path), "/3/0/9");
  again.seek(mark);
  ASSERT_TRUE(*again.next(r));
  EXPECT_EQ(text(r.path), "/3/0/9");
}

TEST(SlotObject, ServerWritesCopyIntoTheSlotBufferAndSetNotifies) {
  DeviceFixture d;
  ASSERT_TRUE(d.obj.valid());
  std::string incoming = "Europe/Paris";
  ASSERT_TRUE(d.obj.write(0, 15, kInvalidId, Value::string(incoming)).ok());
  incoming.assign(incoming.size(), 'x');  // the caller's bytes are gone after the call
  EXPECT_EQ(d.obj.slot(0, 15)->value.as_string(), "Europe/Paris");

  // A string slot without a buffer cannot take server writes.
  EXPECT_EQ(d.obj.write(0, 0, kInvalidId, Value::string("X")).error(), Errc::method_not_allowed);
  std::string huge(100, 'a');
  EXPECT_EQ(d.obj.write(0, 15, kInvalidId, Value::string(huge)).error(),
            Errc::request_entity_too_large);
  EXPECT_EQ(d.obj.slot(0, 15)->value.as_string(), "Europe/Paris");
  EXPECT_EQ(d.obj.write(0, 7, 9, Value::integer(1)).error(), Errc::no_space);

  struct Listener final : ChangeListener {
    std::vector<std::string> changed;
    void on_value_changed(const Path& p) noexcept override { changed.push_back(text(p)); }
    void on_instances_changed(ObjectId) noexcept override {}
  } listener;
  std::array<Object*, 1> one{};
  Registry reg{one};
  ASSERT_TRUE(reg.add(d.obj).ok());
  reg.set_listener(&listener);
  ASSERT_TRUE(d.obj.set(0, 9, Value::integer(55)).ok());
  ASSERT_TRUE(d.obj.set(0, 7, Value::integer(1), 300).ok());
  EXPECT_EQ(listener.changed, (std::vector<std::string>{"/3/0/9", "/3/0/7/300"}));
  EXPECT_EQ(d.obj.set(0, 8, Value::integer(1)).error(), Errc::not_found);
}

TEST(SlotObject, UnsortedSlotsAreInvalid) {
  std::array<ResourceSlot, 2> slots{
      {{0, 9, kInvalidId, Value::integer(1), {}}, {0, 0, kInvalidId, Value::string("a"), {}}}};
  SlotObject o{kDevice, slots};
  EXPECT_FALSE(o.valid());
}

TEST(Convert, NumbersConvertOnlyWhenExact) {
  EXPECT_EQ(*convert(Value::integer(5), DataType::floating), Value::floating(5.0));
  EXPECT_EQ(*convert(Value::floating(5.0), DataType::integer), Value::integer(5));
  EXPECT_EQ(convert(Value::floating(5.5), DataType::integer).error(), Errc::bad_request);
  EXPECT_EQ(convert(Value::integer(-1), DataType::unsigned_integer).error(), Errc::bad_request);
  EXPECT_EQ(*convert(Value::unsigned_integer(7), DataType::time), Value::time(7));
  EXPECT_EQ(convert(Value::unsigned_integer(UINT64_MAX), DataType::integer).error(),
            Errc::bad_request);
  EXPECT_EQ(*convert(Value::floating(18446744073709549568.0), DataType::unsigned_integer),
            Value::unsigned_integer(18446744073709549568ull));
  EXPECT_EQ(convert(Value::floating(18446744073709551616.0), DataType::unsigned_integer).error(),
            Errc::bad_request);
  EXPECT_EQ(*convert(Value::floating(-9223372036854775808.0), DataType::integer),
            Value::integer(INT64_MIN));
  EXPECT_EQ(convert(Value::floating(9223372036854775808.0), DataType::integer).error(),
            Errc::bad_request);
  EXPECT_EQ(*convert(Value::floating(-0.0), DataType::unsigned_integer),
            Value::unsigned_integer(0));
  EXPECT_EQ(convert(Value::floating(-1.0), DataType::unsigned_integer).error(), Errc::bad_request);
  EXPECT_EQ(*convert(Value::floating(-3.0), DataType::time), Value::time(-3));
  EXPECT_EQ(convert(Value::floating(NAN), DataType::integer).error(), Errc::bad_request);
  EXPECT_EQ(convert(Value::floating(INFINITY), DataType::unsigned_integer).error(),
            Errc::bad_request);
  EXPECT_EQ(convert(Value::string("1"), DataType::integer).error(), Errc::bad_request);
  EXPECT_EQ(convert(Value::boolean(true), DataType::integer).error(), Errc::bad_request);
  EXPECT_EQ(convert(Value::string("</1>"), DataType::corelnk)->type(), DataType::corelnk);
}

}  // namespace
}  // namespace lwm2m::dm
