// SPDX-License-Identifier: Apache-2.0
#include "core/transaction.hpp"

#include "core/well_known.hpp"

namespace lwm2m::core {

Transaction::Transaction(dm::Registry& registry) noexcept : registry_(registry) {}

Transaction::~Transaction() {
  rollback();
}

Result<dm::Object*> Transaction::touch(dm::ObjectId id) noexcept {
  for (size_t i = 0; i < touched_count_; ++i)
    if (touched_[i]->id() == id) return touched_[i];
  dm::Object* obj = registry_.find(id);
  if (!obj) return Errc::not_found;
  if (touched_count_ == kMaxObjects) return Errc::request_entity_too_large;
  if (Status st = obj->transaction_begin(); !st) return st;
  touched_[touched_count_++] = obj;
  return obj;
}

Status Transaction::noted(Status st, Change::Kind kind, const dm::Path& path) noexcept {
  if (st) changes_.add(Change(kind, path));
  if (st && path.object() <= wk::kAccessControl) changes_.note_configuration();
  return st;
}

Status Transaction::change(Op op, const dm::Path& path, const dm::Value* value) noexcept {
  auto touched = touch(path.object());
  if (!touched) return touched.status();
  dm::Object& obj = **touched;
  const dm::InstanceId iid = path.instance();
  switch (op) {
    case Op::write: {
      const dm::ResourceInstanceId riid =
          path.depth() == 4 ? path.resource_instance() : dm::kInvalidId;
      return noted(obj.write(iid, path.resource(), riid, *value), Change::Kind::written, path);
    }
    case Op::reset_resource:
      return noted(obj.reset_resource(iid, path.resource()), Change::Kind::written, path);
    case Op::reset_instance:
      return obj.reset_instance(iid);
    case Op::create:
      return noted(obj.create_instance(iid), Change::Kind::created, path);
    case Op::remove:
      return noted(obj.delete_instance(iid), Change::Kind::deleted, path);
  }
  return Errc::invalid_argument;
}

Status Transaction::write_block(const dm::Path& resource, uint32_t offset, ByteView bytes,
                                bool more) noexcept {
  auto obj = touch(resource.object());
  if (!obj) return obj.status();
  return noted((*obj)->write_block(resource.instance(), resource.resource(), offset, bytes, more),
               Change::Kind::written, resource);
}

Status Transaction::finish(Status so_far) noexcept {
  for (size_t i = 0; so_far && i < touched_count_; ++i)
    so_far = touched_[i]->transaction_validate();
  if (!so_far) {
    rollback();
    changes_.clear();
    return so_far;
  }
  for (size_t i = 0; i < touched_count_; ++i)
    touched_[i]->transaction_commit();
  touched_count_ = 0;
  return {};
}

void Transaction::rollback() noexcept {
  // Newest first, so that objects undo in the reverse order of their first change.
  while (touched_count_ > 0)
    touched_[--touched_count_]->transaction_rollback();
}

}  // namespace lwm2m::core
