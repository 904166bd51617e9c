// SPDX-License-Identifier: Apache-2.0
// The machinery the Security and Server objects share: instances in unordered slots of an
// application array, each resource a field of the slot described by one row of a table.
// One copy of Read, Write, Create, Delete and the rest serves both objects, where each used
// to carry its own switch per operation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lwm2m/dm/object.hpp"

namespace lwm2m::objects::detail {

/// Where and how one resource lives in an instance slot: row `rid` of a SlotObjectDef.
struct Field {
  /// How the value is kept, and what a server may write to it.
  enum Kind : uint8_t {
    executable,  ///< no value: Execute answers 2.04 (the client core acts on it)
    ignored,     ///< accepted from a server and not kept: absent, a Write succeeds
    flag,        ///< a bool
    mode,        ///< one byte, 0..4 (Security Mode)
    ssid,        ///< a uint16_t, 1..65534 (Short Server ID)
    int32,       ///< a uint32_t read as an integer
    uint32,      ///< a uint32_t read as an unsigned integer
    text,        ///< a ByteField read as a string
    bytes,       ///< a ByteField read as opaque
    binding,     ///< a ByteField holding binding letters (a string; others are 4.00)
  };
  uint32_t kind : 4;
  uint32_t sets_flag : 1;  ///< a Write sets the presence flag, reset_resource() clears it
  uint32_t offset : 11;    ///< of the field in the slot
  /// ByteField kinds: its capacity. Others: the offset of a bool that says whether the
  /// resource is present (0, the slot's id: always present).
  uint32_t aux : 16;
};

/// A row of a field table; `aux` as Field::aux says. An offset beyond the field's 11 bits
/// yields a row that fields_match() refuses.
constexpr Field field(Field::Kind kind, size_t offset = 0, size_t aux = 0,
                      bool sets_flag = false) noexcept {
  Field f{};
  f.kind = (offset < 2048 && aux <= 0xFFFF ? static_cast<uint32_t>(kind) : 15u) & 15u;
  f.sets_flag = sets_flag;
  f.offset = offset & 0x7FFu;
  f.aux = aux & 0xFFFFu;
  return f;
}

/// Where a ByteField<N>'s size follows its bytes (N of them, one when N is 0).
constexpr size_t size_offset(size_t capacity) noexcept {
  return (capacity == 0 ? 2 : capacity + 1) & ~size_t{1};
}

/// Compile-time check of a field table against the object's resources: a row per id
/// defined, and each kind reads and writes the declared type.
constexpr bool fields_match(std::span<const Field> fields,
                            std::span<const dm::ResourceDef> resources) noexcept {
  for (const dm::ResourceDef& r : resources) {
    if (r.id >= fields.size() || r.multiple) return false;
    const auto kind = static_cast<Field::Kind>(fields[r.id].kind);
    using T = dm::DataType;
    switch (kind) {
      case Field::executable:
        if (r.type != T::none) return false;
        break;
      case Field::ignored:
        break;
      case Field::flag:
        if (r.type != T::boolean) return false;
        break;
      case Field::mode:
      case Field::ssid:
      case Field::int32:
        if (r.type != T::integer) return false;
        break;
      case Field::uint32:
        if (r.type != T::unsigned_integer) return false;
        break;
      case Field::text:
      case Field::binding:
        if (r.type != T::string) return false;
        break;
      case Field::bytes:
        if (r.type != T::opaque) return false;
        break;
      default:
        return false;
    }
  }
  for (size_t id = 0; id < fields.size(); ++id) {
    bool defined = false;
    for (const dm::ResourceDef& r : resources)
      defined = defined || r.id == id;
    if (!defined && fields[id].kind != Field::ignored) return false;
  }
  return true;
}

/// An object descriptor with what the shared code needs to know of the slots.
struct SlotObjectDef : dm::ObjectDef {
  const Field* fields;  ///< one row per resource id from 0
  uint8_t field_count;
  uint16_t stride;  ///< sizeof the slot type
  /// Offset of two bytes a Write-Replace of the instance keeps (0: the id, rewritten anyway).
  uint16_t kept;
  /// The defaults of a new instance, written over the zeroed slot (null: all zero).
  void (*init)(void* slot) noexcept;
  /// Called before a slot of `object` changes, to roll it back (null: no rollback).
  Status (*save)(dm::Object& object, void* slot) noexcept;
};

/// Security and Server objects: instances in `count` slots of `stride` bytes at `slots`,
/// each starting with its dm::SlotId; resources as the descriptor's fields say.
class SlotTableObject : public dm::Object {
 public:
  size_t instance_count() const noexcept override;
  dm::InstanceId instance_at(size_t index) const noexcept override;
  bool has_resource(dm::InstanceId iid, dm::ResourceId rid) const noexcept override;
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView scratch) noexcept override;
  Status write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
               const dm::Value& value) noexcept override;
  Status reset_resource(dm::InstanceId iid, dm::ResourceId rid) noexcept override;
  Status execute(dm::InstanceId iid, dm::ResourceId rid, ByteView arguments) noexcept override;
  Status create_instance(dm::InstanceId iid) noexcept override;
  Status delete_instance(dm::InstanceId iid) noexcept override;
  Status reset_instance(dm::InstanceId iid) noexcept override;

 protected:
  /// Inline, and the slots cleared by the derived constructor (clear_slots()): then only
  /// the derived class's vtable is stored, and this class's is not linked.
  SlotTableObject(const SlotObjectDef& def, void* slots, size_t count) noexcept
      : Object(def), slots_(static_cast<uint8_t*>(slots)), count_(count) {}
  ~SlotTableObject() = default;

  /// Frees every slot.
  void clear_slots() noexcept;

  /// The slot of instance `iid`, or null.
  void* slot(dm::InstanceId iid) const noexcept;
  /// A new instance for add(): `id`, or the lowest free id when it is kInvalidId; its slot
  /// holds the defaults. The id is written back.
  Result<void*> add_slot(dm::InstanceId& id) noexcept;

  uint8_t* slots_;  ///< the application's slots
  size_t count_;    ///< how many

 private:
  const SlotObjectDef& table() const noexcept;
  /// The slot whose id is `iid` (kInvalidId: a free one), or null.
  uint8_t* find(dm::InstanceId iid) const noexcept;
  /// Saves slot `s` for rollback, as the descriptor says.
  Status save(uint8_t* s) noexcept;
  /// The slot of `iid`, saved by save_ before the caller changes it.
  Result<uint8_t*> slot_to_change(dm::InstanceId iid) noexcept;
  /// The row of `rid` when the resource is present in slot `s`, else null.
  const Field* present(const uint8_t* s, dm::ResourceId rid) const noexcept;
  /// Zeroes slot `s` and gives it id `iid` and the defaults.
  void fresh(uint8_t* s, dm::InstanceId iid) const noexcept;
};

}  // namespace lwm2m::objects::detail
