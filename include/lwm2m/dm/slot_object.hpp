// SPDX-License-Identifier: Apache-2.0
// Ready-made storage for objects whose resources are plain values: the application lists
// one slot per resource (or resource instance) and the library answers Read, Write and
// Observe from them. Executable resources go to a callback. No allocation: slots and
// their byte buffers belong to the application.
#pragma once

#include <cstddef>
#include <span>

#include "lwm2m/dm/object.hpp"

namespace lwm2m::dm {

/// One resource value of a SlotObject: where it is (instance, resource, resource instance) and its
/// current value.
struct ResourceSlot {
  InstanceId instance = 0;                            ///< instance the value belongs to
  ResourceId resource = 0;                            ///< resource id
  ResourceInstanceId resource_instance = kInvalidId;  ///< set for multiple resources
  /// Current value. Strings and opaque values view `buffer` once written by the server or
  /// through SlotObject::set(); initially they may view any memory that outlives the slot.
  Value value;
  /// Room for string/opaque/corelnk values written by the server or by set(). Empty: the
  /// server cannot write such a value (4.05), and set() keeps a view of the caller's bytes.
  MutableByteView buffer;
};

// final: its overrides live in the RTTI-free core library, so a class derived from it in
// an RTTI build would not link; extend it through ExecuteHandler and WriteObserver.
/// An object whose values live in an array of slots the application provides: the quickest way to a
/// custom object without writing handlers.
class SlotObject final : public Object {
 public:
  /// Runs Execute operations on a SlotObject's executable resources.
  class ExecuteHandler {
   public:
    virtual ~ExecuteHandler() = default;
    /// Executes `rid` of `iid` with the server's arguments; the Status becomes the CoAP answer.
    virtual Status on_execute(InstanceId iid, ResourceId rid, ByteView arguments) noexcept = 0;
  };
  /// Called after a server write changed a slot (not for set()).
  class WriteObserver {
   public:
    virtual ~WriteObserver() = default;
    /// The slot `slot` was just changed by a server.
    virtual void on_written(const ResourceSlot& slot) noexcept = 0;
  };

  /// `slots` must be sorted by (instance, resource, resource_instance); valid() tells.
  /// Instances are the distinct instance ids of the slots.
  SlotObject(const ObjectDef& def, std::span<ResourceSlot> slots) noexcept;

  /// False when the slots were not sorted or name resources the descriptor lacks.
  bool valid() const noexcept { return valid_; }
  /// Who runs Execute; without one, Execute answers 4.05.
  void set_execute_handler(ExecuteHandler* h) noexcept { exec_ = h; }
  /// Who is told of server writes; optional.
  void set_write_observer(WriteObserver* w) noexcept { observer_ = w; }

  /// Application update of a value: copies strings/opaque into the slot's buffer when it
  /// has one (else the bytes must outlive the slot), and reports the change for
  /// observations. not_found for an unknown slot, buffer_too_small when it does not fit.
  Status set(InstanceId iid, ResourceId rid, const Value& v,
             ResourceInstanceId riid = kInvalidId) noexcept;
  /// The slot holding a value, or null.
  const ResourceSlot* slot(InstanceId iid, ResourceId rid,
                           ResourceInstanceId riid = kInvalidId) const noexcept;

  size_t instance_count() const noexcept override { return instance_count_; }
  InstanceId instance_at(size_t index) const noexcept override;
  bool has_resource(InstanceId iid, ResourceId rid) const noexcept override;
  size_t resource_instance_count(InstanceId iid, ResourceId rid) const noexcept override;
  ResourceInstanceId resource_instance_at(InstanceId iid, ResourceId rid,
                                          size_t index) const noexcept override;
  Result<Value> read(InstanceId iid, ResourceId rid, ResourceInstanceId riid,
                     MutableByteView scratch) noexcept override;
  Status write(InstanceId iid, ResourceId rid, ResourceInstanceId riid,
               const Value& value) noexcept override;
  Status execute(InstanceId iid, ResourceId rid, ByteView arguments) noexcept override;

 private:
  ResourceSlot* find(InstanceId iid, ResourceId rid, ResourceInstanceId riid) const noexcept;
  /// First slot of (iid, rid), and how many there are.
  std::span<ResourceSlot> range(InstanceId iid, ResourceId rid) const noexcept;
  static Status store(ResourceSlot& s, const Value& v) noexcept;

  std::span<ResourceSlot> slots_;
  size_t instance_count_ = 0;
  bool valid_ = true;
  ExecuteHandler* exec_ = nullptr;
  WriteObserver* observer_ = nullptr;
};

}  // namespace lwm2m::dm
