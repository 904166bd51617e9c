// SPDX-License-Identifier: Apache-2.0
// LwM2M objects as the library sees them: a static descriptor (what the object is) and a
// handler interface (where its values live). Values stay with the application; the
// library reaches them only through these calls, never through a wire format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lwm2m/bytes.hpp"
#include "lwm2m/dm/name.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/dm/value.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::dm {

/// The operations a resource allows (OMA LwM2M Core, object definition "Operations").
enum class Operations : uint8_t {
  none = 0,
  read = 1,
  write = 2,
  read_write = 3,
  execute = 4,
};
constexpr bool allows(Operations ops, Operations what) noexcept {
  return (static_cast<uint8_t>(ops) & static_cast<uint8_t>(what)) == static_cast<uint8_t>(what);
}

/// Static description of one resource of an object, one row of ObjectDef::resources.
/// The operations and the two flags share one byte (bit-fields): a row of a build without
/// names takes 4 bytes of flash, not 6.
struct ResourceDef {
  ResourceId id;               ///< resource id within the object, e.g. 5700 (Sensor Value)
  DataType type;               ///< DataType::none for executable resources
  Operations ops : 3;          ///< what a server may do with it: read, write or execute
  bool multiple : 1 = false;   ///< Multiple-instance resource
  bool mandatory : 1 = false;  ///< Mandatory in every instance
  /// The OMA name, e.g. "Sensor Value", shown in logs and tools; empty (and no storage) in
  /// a build without names (LWM2M_WITH_NAMES=0, lwm2m/dm/name.hpp).
  [[no_unique_address]] Name name = {};

  /// True when a server may read (and observe) it.
  constexpr bool readable() const noexcept { return allows(ops, Operations::read); }
  /// True when a server may write it.
  constexpr bool writable() const noexcept { return allows(ops, Operations::write); }
  /// True when a server may execute it.
  constexpr bool executable() const noexcept { return allows(ops, Operations::execute); }
};

/// Static description of an object; usually a constexpr table next to the object's code.
struct ObjectDef {
  ObjectId id;  ///< object id, e.g. 3303 (Temperature)
  /// Object version as in the Register payload's "ver"; "1.0" is not advertised.
  std::string_view version = "1.0";
  bool multiple = false;   ///< Multiple-instance object
  bool mandatory = false;  ///< Mandatory object
  /// Sorted by ascending id (Registry::add rejects an unsorted table).
  std::span<const ResourceDef> resources = {};
  /// The OMA name, e.g. "Temperature"; empty in a build without names (LWM2M_WITH_NAMES=0).
  [[no_unique_address]] Name name = {};

  /// Binary search; null when the object defines no such resource.
  const ResourceDef* find(ResourceId rid) const noexcept;
};

class Registry;

/// The handler side of an object. Every call is synchronous and must not block for long:
/// it runs inside the engine's request handling. A handler never calls back into the
/// engine; later changes are reported with changed() / instances_changed().
///
/// Ids are passed already checked against the descriptor: the resource exists in the
/// ObjectDef and allows the operation. Handlers return data-model errors from Errc
/// (not_found, bad_request, method_not_allowed, internal_error...) which become CoAP
/// response codes in one place (coap::code_for).
///
/// Enumeration is by index in ascending id order, so array-backed objects implement it
/// trivially and the library can walk without allocating.
///
/// Every virtual function is defined in this header: the library is built without RTTI,
/// and a class without an out-of-line virtual function gets its type information emitted
/// wherever it is needed, so applications built with RTTI can still derive from it.
class Object {
 public:
  /// An object described by `def`, which must outlive it.
  explicit Object(const ObjectDef& def) noexcept : def_(def) {}
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  /// The object's static description.
  const ObjectDef& def() const noexcept { return def_; }
  /// The object id (def().id).
  ObjectId id() const noexcept { return def_.id; }

  // ---- structure ----
  /// Number of instances that exist now.
  virtual size_t instance_count() const noexcept = 0;
  /// The index-th instance id in ascending order (index < instance_count()).
  virtual InstanceId instance_at(size_t index) const noexcept = 0;
  /// Whether an optional resource is present in an instance. Default: every resource of
  /// the descriptor is present.
  virtual bool has_resource(InstanceId, ResourceId) const noexcept { return true; }
  /// What a Read of the instance reads, for the first 32 resources of the descriptor at
  /// once: bit i set when def().resources[i] is readable and present (has_resource()). A
  /// walk over an instance asks this once instead of calling has_resource() per resource.
  /// 0, the default, means "not said": has_resource() is then asked for each.
  virtual uint32_t readable_resources(InstanceId) const noexcept { return 0; }
  /// Multiple resources only: number of resource instances, and their ids ascending.
  virtual size_t resource_instance_count(InstanceId, ResourceId) const noexcept { return 0; }
  /// The index-th resource instance id of a multiple resource, ascending (index <
  /// resource_instance_count()).
  virtual ResourceInstanceId resource_instance_at(InstanceId, ResourceId,
                                                  size_t /*index*/) const noexcept {
    return kInvalidId;
  }

  // ---- values ----
  /// Reads a single resource (riid == kInvalidId) or one resource instance. The returned
  /// value may view the object's own memory or `scratch` (for values computed on the fly);
  /// it must stay valid until the next call into this object.
  virtual Result<Value> read(InstanceId /*iid*/, ResourceId /*rid*/, ResourceInstanceId /*riid*/,
                             MutableByteView /*scratch*/) noexcept {
    return Errc::method_not_allowed;
  }
  /// Writes a single resource (riid == kInvalidId) or one resource instance, creating the
  /// resource instance when it does not exist. The value already has the declared type.
  /// The bytes of strings and opaque values are only valid during the call: copy them.
  virtual Status write(InstanceId /*iid*/, ResourceId /*rid*/, ResourceInstanceId /*riid*/,
                       const Value& /*value*/) noexcept {
    return Errc::method_not_allowed;
  }
  /// One block of a block-wise Write (RFC 7959 Block1) of an opaque resource, as it
  /// arrives: `offset` into the value, `more` false on the last block. Lets a large value
  /// (a firmware image) go to storage without the whole of it in RAM. Offsets come in
  /// order from 0; a block at offset 0 starts the value anew. Default: method_not_allowed
  /// (the client then reassembles the value and calls write()).
  virtual Status write_block(InstanceId /*iid*/, ResourceId /*rid*/, uint32_t /*offset*/,
                             ByteView /*bytes*/, bool /*more*/) noexcept {
    return Errc::method_not_allowed;
  }
  /// A block-wise transfer into this resource that the client drives (a download) could not
  /// go on: `why` is timeout (connection lost), not_found, bad_request or unsupported (the
  /// URI). Default: nothing.
  virtual void write_block_failed(InstanceId /*iid*/, ResourceId /*rid*/, Errc /*why*/) noexcept {}
  /// How many bytes of a block-wise transfer into this resource that the client drives (a
  /// download) the object already holds, e.g. from before a restart: the transfer goes on
  /// from there. Default: 0 (from the start).
  virtual uint32_t bytes_held(InstanceId /*iid*/, ResourceId /*rid*/) const noexcept { return 0; }
  /// Whether write_block() takes this resource (asked before the first block).
  virtual bool writes_blocks(InstanceId /*iid*/, ResourceId /*rid*/) const noexcept {
    return false;
  }
  /// Removes every instance of a multiple resource (the start of a replace), or resets an
  /// optional single resource to absent. Default: method_not_allowed.
  virtual Status reset_resource(InstanceId /*iid*/, ResourceId /*rid*/) noexcept {
    return Errc::method_not_allowed;
  }
  /// Executes a resource with the server's `arguments` (the Execute payload, possibly empty).
  /// Default: method_not_allowed.
  virtual Status execute(InstanceId /*iid*/, ResourceId /*rid*/, ByteView /*arguments*/) noexcept {
    return Errc::method_not_allowed;
  }

  // ---- instances ----
  /// Creates an empty instance with the given id (the library picks a free id when the
  /// server did not). Its resources are written right after. Default: method_not_allowed.
  virtual Status create_instance(InstanceId /*iid*/) noexcept { return Errc::method_not_allowed; }
  /// Deletes an instance (a server's Delete). Default: method_not_allowed.
  virtual Status delete_instance(InstanceId /*iid*/) noexcept { return Errc::method_not_allowed; }
  /// A Write-Replace on the whole instance: bring writable resources back to their
  /// defaults before the new values are written. Default: nothing to do.
  virtual Status reset_instance(InstanceId /*iid*/) noexcept { return {}; }

  // ---- transactions ----
  /// A request that changes this object (Write, Create, Write-Composite, Bootstrap-Write)
  /// runs as: begin, changes, validate, then commit, or rollback when anything failed.
  /// validate() failing turns into 4.00 and a rollback. Defaults accept everything.
  virtual Status transaction_begin() noexcept { return {}; }
  /// Checks the changes of the request as a whole before they are committed; an error rolls them
  /// back (4.00).
  virtual Status transaction_validate() noexcept { return {}; }
  /// Makes the request's changes final.
  virtual void transaction_commit() noexcept {}
  /// Undoes every change since transaction_begin().
  virtual void transaction_rollback() noexcept {}

  // ---- helpers ----
  /// True when instance `iid` exists.
  bool has_instance(InstanceId iid) const noexcept;
  /// Reports a value change to the registry (for observations). Safe to call when the
  /// object is not registered.
  void changed(InstanceId iid, ResourceId rid, ResourceInstanceId riid = kInvalidId) const noexcept;
  /// Reports that instances were created or deleted by the application (the registration
  /// is then updated).
  void instances_changed() const noexcept;
  /// The registry this object was added to; null before Registry::add().
  Registry* registry() const noexcept { return registry_; }

 protected:
  // Not virtual: objects are never destroyed through this interface. An object of a class
  // that holds nothing to release is then trivially destructible (a static one registers
  // no destructor to run at exit) and no vtable carries destructors.
  ~Object() = default;

 private:
  friend class Registry;
  const ObjectDef& def_;
  Registry* registry_ = nullptr;
};

}  // namespace lwm2m::dm
