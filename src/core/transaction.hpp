// SPDX-License-Identifier: Apache-2.0
// One request's changes to the data model as a unit. Write, Partial Update,
// Write-Composite, Create, Delete and the bootstrap writes all change objects through a
// Transaction: each object it touches enters its transaction at the first change; finish()
// validates every touched object, then commits them all, or rolls them all back when any
// change or validation failed. The changes the core acts on are kept for after the commit.
#pragma once

#include <cstddef>

#include "core/effects.hpp"
#include "lwm2m/config.hpp"
#include "lwm2m/dm/registry.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::core {

class Transaction {
 public:
  /// Objects one request may touch (a Write-Composite naming more is refused). Every
  /// other request changes one object only (Write, Create, Delete, a block, each
  /// Bootstrap-Write and each object of a Bootstrap-Delete, the Access Control instances),
  /// so a build without composite operations keeps one.
  static constexpr size_t kMaxObjects = LWM2M_WITH_COMPOSITE ? 8 : 1;

  explicit Transaction(dm::Registry& registry) noexcept;
  /// Rolls back whatever was not finished.
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  /// A resource (depth 3) or resource instance (depth 4).
  Status write(const dm::Path& path, const dm::Value& value) noexcept {
    return change(Op::write, path, &value);
  }
  /// One block of a block-wise Write of a resource (dm::Object::write_block()).
  Status write_block(const dm::Path& resource, uint32_t offset, ByteView bytes, bool more) noexcept;
  Status reset_resource(const dm::Path& resource) noexcept {
    return change(Op::reset_resource, resource);
  }
  Status reset_instance(const dm::Path& instance) noexcept {
    return change(Op::reset_instance, instance);
  }
  Status create(const dm::Path& instance) noexcept { return change(Op::create, instance); }
  Status remove(const dm::Path& instance) noexcept { return change(Op::remove, instance); }

  /// `so_far` is the outcome of the request's changes; when it is ok every touched object
  /// validates and all commit, otherwise (or when a validation fails) all roll back and
  /// the changes are forgotten. Returns the outcome.
  Status finish(Status so_far) noexcept;

  /// What the committed request changed that the core acts on.
  const ChangeList& changes() const noexcept { return changes_; }

 private:
  enum class Op : uint8_t { write, reset_resource, reset_instance, create, remove };
  /// One change through the object's handler (`value` for a write only): one copy of
  /// entering the object's transaction and noting the change, rather than one per kind.
  Status change(Op op, const dm::Path& path, const dm::Value* value = nullptr) noexcept;
  Result<dm::Object*> touch(dm::ObjectId id) noexcept;
  /// `st`, after keeping the change when it succeeded.
  Status noted(Status st, Change::Kind kind, const dm::Path& path) noexcept;
  void rollback() noexcept;

  dm::Registry& registry_;
  dm::Object* touched_[kMaxObjects] = {};
  size_t touched_count_ = 0;
  ChangeList changes_;
};

}  // namespace lwm2m::core
