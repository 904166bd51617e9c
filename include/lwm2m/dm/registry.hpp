// SPDX-License-Identifier: Apache-2.0
// The set of objects a client exposes: lookups by id and path without allocation, the
// types decoders need, and the route by which value changes reach observations.
#pragma once

#include <cstddef>
#include <span>

#include "lwm2m/dm/object.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/records.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::dm {

/// Receives what objects report: set by the client core.
class ChangeListener {
 public:
  /// A value at `path` (an instance, resource or resource instance) changed.
  virtual void on_value_changed(const Path& path) noexcept = 0;
  /// Instances of `object` were created or deleted outside a server request.
  virtual void on_instances_changed(ObjectId object) noexcept = 0;

 protected:
  ~ChangeListener() = default;  // not destroyed through this interface (no vtable entry)
};

/// The client's objects, by id: what the client serves and registers. Sized at construction.
class Registry final : public TypeResolver {
 public:
  /// `slots` bounds how many objects can be added; the registry keeps them sorted by id.
  explicit Registry(std::span<Object*> slots) noexcept : slots_(slots) {}
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  ~Registry();

  /// Errors: already_exists (same object id), no_space, invalid_argument (the descriptor's
  /// resources are not sorted by id or repeat an id, or the object is in another registry).
  Status add(Object& object) noexcept;
  /// Removes the object with this id; not_found when absent.
  Status remove(ObjectId id) noexcept;

  /// The object with this id, or null.
  Object* find(ObjectId id) const noexcept;
  /// Objects in ascending id order.
  std::span<Object* const> objects() const noexcept { return {slots_.data(), count_}; }

  /// What a path names, checked against descriptors and the objects' current instances.
  struct Target {
    Object* object = nullptr;               ///< the object the path is in
    const ResourceDef* resource = nullptr;  ///< set for depth >= 3
  };
  /// not_found when any level does not exist (unknown object, absent instance, resource
  /// not defined or not present, resource instance absent, or a depth-4 path on a single
  /// resource). The root path is invalid_argument.
  Result<Target> resolve(const Path& path) const noexcept;
  /// Descriptor only (instances are not checked): null if the object or resource is
  /// undefined.
  const ResourceDef* resource_def(const Path& path) const noexcept;

  /// TypeResolver: the declared type of the resource a path (depth 3 or 4) names.
  Result<DataType> type_of(const Path& path) const noexcept override;

  /// Who hears of value and instance changes (the client; set by it).
  void set_listener(ChangeListener* listener) noexcept { listener_ = listener; }
  /// Reports that the value at `path` changed, so that observations of it notify.
  void value_changed(const Path& path) const noexcept {
    if (listener_) listener_->on_value_changed(path);
  }
  /// Reports that instances of object `id` were created or deleted (the registration is updated).
  void instances_changed(ObjectId id) const noexcept {
    if (listener_) listener_->on_instances_changed(id);
  }

 private:
  std::span<Object*> slots_;
  size_t count_ = 0;
  ChangeListener* listener_ = nullptr;
};

/// A RecordSource that walks the data model below one path, reading values through the
/// objects' handlers: depth-first, ascending ids, readable resources only (executable and
/// write-only resources are skipped). Used for Read, Observe and Send.
class TreeSource final : public RecordSource {
 public:
  /// `scratch` is handed to read handlers for values computed on the fly.
  TreeSource(const Registry& registry, const Path& base, MutableByteView scratch) noexcept;

  /// Objects to leave out of a walk from the root (Read-Composite of "/" leaves out the
  /// Security object, OSCORE and the like); set before the first next().
  void exclude_objects(std::span<const ObjectId> ids) noexcept { excluded_ = ids; }

  /// Starts over below another path.
  void reset(const Path& base) noexcept {
    base_ = base;
    started_ = false;
    hint_.valid = false;
  }

  Result<bool> next(Record& out) noexcept override;
  /// The whole walk at once: hands each record to `to` as it is read, which spares the
  /// per-record return of next() (an encoder that can take records as they come, such as
  /// TLV's). Stops at the first error, of a read handler or of `to`. Leaves the position
  /// of next() as it was.
  Status visit(RecordConsumer& to) noexcept;
  Cursor tell() const noexcept override { return {started_ ? 1u : 0u, last_}; }
  void seek(const Cursor& c) noexcept override {
    started_ = c.index != 0;
    last_ = c.path;
    hint_.valid = false;
  }

 private:
  /// The first readable leaf strictly after `after` (or the first one at all when
  /// !have_after) that lies below base_; false when there is none.
  bool find_leaf(bool have_after, const Path& after, Path& leaf) const noexcept;
  /// find_leaf() without the hint: the walk from the registry's first object.
  bool search_leaf(bool have_after, const Path& after, Path& leaf) const noexcept;
  bool object_excluded(ObjectId id) const noexcept;
  /// Moves last_ to the next leaf within its instance, from where it was found (hint_);
  /// false when the walk leaves the instance (the full search takes over).
  bool next_in_instance() noexcept;
  /// The first readable leaf below base_ in the hint's instance, from the hint's resource
  /// index and, in that resource, leaf index (a resource instance's index; 1 is past a
  /// single resource), which it moves there. Both the step and the search use it.
  bool leaf_in_instance(Path& leaf) const noexcept;
  /// visit() of one object, of one instance, of one resource of it, of one leaf.
  Status visit_object(Object& o, Record& rec, RecordConsumer& to) noexcept;
  Status visit_instance(Object& o, InstanceId iid, Record& rec, RecordConsumer& to) noexcept;
  Status visit_resource(Object& o, InstanceId iid, const ResourceDef& r, Record& rec,
                        RecordConsumer& to) noexcept;
  Status visit_leaf(Object& o, const Path& leaf, Record& rec, RecordConsumer& to) noexcept;

  /// Where the last leaf (last_) was found, so that the next one (the usual call) is found
  /// without searching from the top again. Valid while the registry does not change, which
  /// holds within one request.
  struct Hint {
    bool valid = false;
    Object* object = nullptr;
    InstanceId instance = 0;
    size_t resource = 0;    ///< index in the object's resource definitions
    size_t k = 0;           ///< resource instance index (multiple resources)
    uint32_t readable = 0;  ///< the object's readable_resources() for the instance (find_leaf)
  };

  const Registry& registry_;
  Path base_;
  MutableByteView scratch_;
  std::span<const ObjectId> excluded_;
  Path last_;
  bool started_ = false;
  mutable Hint hint_;
};

/// Walks several paths one after the other (Read-Composite, Observe-Composite, Send);
/// paths that name nothing are skipped, as the spec asks for Read-Composite.
class CompositeSource final : public RecordSource {
 public:
  /// Walks `paths` in `registry` in order; `scratch` holds computed values.
  CompositeSource(const Registry& registry, std::span<const Path> paths,
                  MutableByteView scratch) noexcept
      : registry_(registry), paths_(paths), current_(registry, {}, scratch) {
    restart(0);
  }
  /// Leaves out objects with these ids (e.g. Security, whose keys are never sent).
  void exclude_objects(std::span<const ObjectId> ids) noexcept { current_.exclude_objects(ids); }

  Result<bool> next(Record& out) noexcept override;
  Cursor tell() const noexcept override;
  void seek(const Cursor& c) noexcept override;

 private:
  void restart(size_t index) noexcept;

  const Registry& registry_;
  std::span<const Path> paths_;
  size_t index_ = 0;
  TreeSource current_;
};

}  // namespace lwm2m::dm
