// SPDX-License-Identifier: Apache-2.0
#include "lwm2m/dm/registry.hpp"

#include <bit>

namespace lwm2m::dm {
namespace {

// Index of the first instance whose id is >= iid.
size_t instance_lower_bound(const Object& o, InstanceId iid) noexcept {
  size_t lo = 0, hi = o.instance_count();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (o.instance_at(mid) < iid) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

// `riid` is wider than an id, so that riid + 1 (the upper bound of an id) is one too.
size_t resource_instance_lower_bound(const Object& o, InstanceId iid, ResourceId rid,
                                     uint32_t riid) noexcept {
  size_t lo = 0, hi = o.resource_instance_count(iid, rid);
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (o.resource_instance_at(iid, rid, mid) < riid) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

size_t resource_lower_bound(const ObjectDef& def, ResourceId rid) noexcept {
  size_t lo = 0, hi = def.resources.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (def.resources[mid].id < rid) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

bool has_resource_instance(const Object& o, InstanceId iid, ResourceId rid,
                           ResourceInstanceId riid) noexcept {
  size_t i = resource_instance_lower_bound(o, iid, rid, riid);
  return i < o.resource_instance_count(iid, rid) && o.resource_instance_at(iid, rid, i) == riid;
}

// A build for size (-Os) steps within an instance by the general step alone (a call per
// resource and a handler's has_resource() for each), without the shortcut from one single
// resource to the next by the object's readable_resources() mask: the same leaves in the
// same order, 150 bytes less code on a Cortex-M4. (Finding every leaf by search_leaf()
// would save 300 bytes more, but its 96-byte frame would then be on the stack of a TLV
// encoder inside a multiple resource.) As encode_values() in core/request.cpp, which pushes
// records to TLV only when not built for size.
#ifdef __OPTIMIZE_SIZE__
constexpr bool kStepByMask = false;
#else
constexpr bool kStepByMask = true;
#endif

}  // namespace

Registry::~Registry() {
  for (size_t i = 0; i < count_; ++i)
    slots_[i]->registry_ = nullptr;
}

Status Registry::add(Object& object) noexcept {
  if (object.registry_ != nullptr) return Errc::invalid_argument;
  const auto& res = object.def().resources;
  for (size_t i = 1; i < res.size(); ++i)
    if (res[i - 1].id >= res[i].id) return Errc::invalid_argument;
  if (object.id() == kInvalidId) return Errc::invalid_argument;
  size_t pos = 0;
  while (pos < count_ && slots_[pos]->id() < object.id())
    ++pos;
  if (pos < count_ && slots_[pos]->id() == object.id()) return Errc::already_exists;
  if (count_ == slots_.size()) return Errc::no_space;
  for (size_t i = count_; i > pos; --i)
    slots_[i] = slots_[i - 1];
  slots_[pos] = &object;
  ++count_;
  object.registry_ = this;
  return {};
}

Status Registry::remove(ObjectId id) noexcept {
  for (size_t i = 0; i < count_; ++i) {
    if (slots_[i]->id() != id) continue;
    slots_[i]->registry_ = nullptr;
    for (size_t j = i + 1; j < count_; ++j)
      slots_[j - 1] = slots_[j];
    --count_;
    return {};
  }
  return Errc::not_found;
}

Object* Registry::find(ObjectId id) const noexcept {
  size_t lo = 0, hi = count_;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    ObjectId at = slots_[mid]->id();
    if (at == id) return slots_[mid];
    if (at < id) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return nullptr;
}

Result<Registry::Target> Registry::resolve(const Path& path) const noexcept {
  if (path.is_root()) return Errc::invalid_argument;
  Target t;
  t.object = find(path.object());
  if (!t.object) return Errc::not_found;
  if (!path.has_instance()) return t;
  if (!t.object->has_instance(path.instance())) return Errc::not_found;
  if (!path.has_resource()) return t;
  t.resource = t.object->def().find(path.resource());
  if (!t.resource || !t.object->has_resource(path.instance(), path.resource()))
    return Errc::not_found;
  if (!path.has_resource_instance()) return t;
  if (!t.resource->multiple ||
      !has_resource_instance(*t.object, path.instance(), path.resource(), path.resource_instance()))
    return Errc::not_found;
  return t;
}

const ResourceDef* Registry::resource_def(const Path& path) const noexcept {
  if (!path.has_resource()) return nullptr;
  Object* o = find(path.object());
  return o ? o->def().find(path.resource()) : nullptr;
}

Result<DataType> Registry::type_of(const Path& path) const noexcept {
  const ResourceDef* r = resource_def(path);
  if (!r) return Errc::not_found;
  // A resource-instance path only makes sense for a multiple resource, and a
  // resource-level value only for a single one.
  if (path.has_resource_instance() != r->multiple) return Errc::not_found;
  return r->type;
}

// ---- TreeSource ---------------------------------------------------------------------

TreeSource::TreeSource(const Registry& registry, const Path& base, MutableByteView scratch) noexcept
    : registry_(registry), base_(base), scratch_(scratch) {}

bool TreeSource::object_excluded(ObjectId id) const noexcept {
  for (ObjectId x : excluded_)
    if (x == id) return true;
  return false;
}

bool TreeSource::next_in_instance() noexcept {
  // The usual step, without a call: from a single resource to the next one the object's
  // mask names, when that is a single resource too. The rest is the general step: on from
  // the next leaf index in the same resource (past a single one, or its next instance).
  Hint& h = hint_;
  const std::span<const ResourceDef> defs = h.object->def().resources;
  const size_t ri = h.resource;
  if (kStepByMask && h.readable != 0 && defs.size() <= 32 && !defs[ri].multiple &&
      !base_.has_resource()) {
    const uint32_t ahead = h.readable >> ri >> 1;  // those after ri (ri < 32)
    if (ahead == 0) return false;                  // nothing further in the instance
    const size_t next = ri + 1 + static_cast<size_t>(std::countr_zero(ahead));
    if (next < defs.size() && !defs[next].multiple) {
      last_ = Path(h.object->id(), h.instance, defs[next].id);
      h.resource = next;
      return true;
    }
  }
  ++h.k;  // the general step: on from the next leaf index in the resource
  return leaf_in_instance(last_);
}

// Out of line: the usual step above then needs no frame for the handlers' calls; and one
// copy for the general step and the search.
[[gnu::noinline]] bool TreeSource::leaf_in_instance(Path& leaf) const noexcept {
  Hint& h = hint_;
  Object& o = *h.object;
  const InstanceId iid = h.instance;
  const std::span<const ResourceDef> defs = o.def().resources;
  for (; h.resource < defs.size(); ++h.resource, h.k = 0) {
    const ResourceDef& r = defs[h.resource];
    if (base_.has_resource() && r.id != base_.resource()) {
      if (r.id > base_.resource()) break;  // sorted: nothing further is the one asked
      continue;
    }
    if (!r.readable() || !o.has_resource(iid, r.id)) continue;
    if (!r.multiple) {
      if (h.k != 0) continue;  // past it
      leaf = Path(o.id(), iid, r.id);
      h.valid = true;
      return true;
    }
    for (const size_t n = o.resource_instance_count(iid, r.id); h.k < n; ++h.k) {
      const ResourceInstanceId riid = o.resource_instance_at(iid, r.id, h.k);
      if (base_.has_resource_instance() && riid != base_.resource_instance()) continue;
      leaf = Path(o.id(), iid, r.id, riid);
      h.valid = true;
      return true;
    }
  }
  return false;
}

bool TreeSource::find_leaf(bool have_after, const Path& after, Path& leaf) const noexcept {
  hint_.valid = false;
  if (!search_leaf(have_after, after, leaf)) return false;
  if (kStepByMask) hint_.readable = hint_.object->readable_resources(hint_.instance);
  return true;
}

// Out of line: the walk's frame is not on the stack of the step within an instance.
[[gnu::noinline]] bool TreeSource::search_leaf(bool have_after, const Path& after,
                                               Path& leaf) const noexcept {
  // Walks with lower bounds taken from `after` while still on its prefix, so each call
  // costs O(depth * log n) instead of rescanning from the start.
  auto objects = registry_.objects();
  for (Object* o : objects) {
    const ObjectId oid = o->id();
    if (base_.has_object() && oid != base_.object()) continue;
    if (!base_.has_object() && object_excluded(oid)) continue;
    if (have_after && oid < after.object()) continue;
    const bool on_o = have_after && oid == after.object();

    size_t i_begin = on_o ? instance_lower_bound(*o, after.instance()) : 0;
    const size_t i_count = o->instance_count();
    for (size_t ii = i_begin; ii < i_count; ++ii) {
      const InstanceId iid = o->instance_at(ii);
      if (base_.has_instance() && iid != base_.instance()) {
        if (iid > base_.instance()) break;
        continue;
      }
      const bool on_i = on_o && iid == after.instance();

      // The leaf after `after` in its own instance starts strictly after it: past a
      // single resource (index 1 of its one leaf), or past its resource instance.
      size_t ri = 0, k = 0;
      if (on_i) {
        const std::span<const ResourceDef> defs = o->def().resources;
        ri = resource_lower_bound(o->def(), after.resource());
        if (ri < defs.size() && defs[ri].id == after.resource()) {
          if (!defs[ri].multiple) {
            k = 1;
          } else if (after.has_resource_instance()) {
            k = resource_instance_lower_bound(*o, iid, after.resource(),
                                              after.resource_instance() + 1u);
          }
        }
      }
      hint_ = {false, o, iid, ri, k};
      if (leaf_in_instance(leaf)) return true;
    }
  }
  return false;
}

Result<bool> TreeSource::next(Record& out) noexcept {
  while (true) {
    // The usual step: the next leaf in the instance of the last one, from where that one
    // was found (reset and seek drop the hint). find_leaf writes the leaf only once it is
    // done with `after`: both can be last_.
    if (started_ && hint_.valid) {
      if (!next_in_instance()) {
        hint_.valid = false;
        if (base_.has_instance()) return false;  // nothing below the base is outside it
        if (!find_leaf(true, last_, last_)) return false;
      }
    } else if (!find_leaf(started_, last_, last_)) {
      return false;
    }
    started_ = true;
    const Path& leaf = last_;
    auto v =
        hint_.object->read(leaf.instance(), leaf.resource(), leaf.resource_instance(), scratch_);
    if (!v) {
      // Inside an aggregate, a resource that turns out to be absent is left out; a
      // direct read of it reports the error.
      if (v.error() == Errc::not_found && base_.depth() < 3) continue;
      return v.error();
    }
    out.path = leaf;
    out.value = *v;
    out.time.reset();
    return true;
  }
}

// Inlined: one read and one hand-over per record, without a frame of its own.
[[gnu::always_inline]] inline Status TreeSource::visit_leaf(Object& o, const Path& leaf,
                                                            Record& rec,
                                                            RecordConsumer& to) noexcept {
  auto v = o.read(leaf.instance(), leaf.resource(), leaf.resource_instance(), scratch_);
  if (!v) {
    // As next(): inside an aggregate, a resource that turns out to be absent is left out.
    if (v.error() == Errc::not_found && base_.depth() < 3) return {};
    return v.error();
  }
  rec.path = leaf;
  rec.value = *v;
  return to.take(rec);
}

[[gnu::always_inline]] inline Status TreeSource::visit_resource(Object& o, InstanceId iid,
                                                                const ResourceDef& r, Record& rec,
                                                                RecordConsumer& to) noexcept {
  if (!r.multiple) return visit_leaf(o, Path(o.id(), iid, r.id), rec, to);
  const size_t n = o.resource_instance_count(iid, r.id);
  for (size_t k = 0; k < n; ++k) {
    const ResourceInstanceId riid = o.resource_instance_at(iid, r.id, k);
    if (base_.has_resource_instance() && riid != base_.resource_instance()) continue;
    LWM2M_TRY(visit_leaf(o, Path(o.id(), iid, r.id, riid), rec, to));
  }
  return {};
}

Status TreeSource::visit(RecordConsumer& to) noexcept {
  Record rec;
  if (base_.has_object()) {
    Object* o = registry_.find(base_.object());
    if (!o) return {};
    if (!base_.has_instance()) return visit_object(*o, rec, to);
    if (!o->has_instance(base_.instance())) return {};
    return visit_instance(*o, base_.instance(), rec, to);
  }
  for (Object* o : registry_.objects())
    if (!object_excluded(o->id())) LWM2M_TRY(visit_object(*o, rec, to));
  return {};
}

Status TreeSource::visit_object(Object& o, Record& rec, RecordConsumer& to) noexcept {
  for (size_t ii = 0; ii < o.instance_count(); ++ii)
    LWM2M_TRY(visit_instance(o, o.instance_at(ii), rec, to));
  return {};
}

Status TreeSource::visit_instance(Object& o, InstanceId iid, Record& rec,
                                  RecordConsumer& to) noexcept {
  const std::span<const ResourceDef> defs = o.def().resources;
  if (base_.has_resource()) {
    const size_t ri = resource_lower_bound(o.def(), base_.resource());
    if (ri == defs.size() || defs[ri].id != base_.resource()) return {};
    const ResourceDef& r = defs[ri];
    if (!r.readable() || !o.has_resource(iid, r.id)) return {};
    return visit_resource(o, iid, r, rec, to);
  }
  // The object's mask names what a Read reads: straight from one to the next. Without it,
  // each resource is asked for.
  const uint32_t readable = defs.size() <= 32 ? o.readable_resources(iid) : 0;
  if (readable != 0) {
    for (uint32_t bits = readable; bits != 0; bits &= bits - 1)
      LWM2M_TRY(visit_resource(o, iid, defs[static_cast<size_t>(std::countr_zero(bits))], rec, to));
    return {};
  }
  for (const ResourceDef& r : defs)
    if (r.readable() && o.has_resource(iid, r.id)) LWM2M_TRY(visit_resource(o, iid, r, rec, to));
  return {};
}

// ---- CompositeSource ----------------------------------------------------------------

void CompositeSource::restart(size_t index) noexcept {
  index_ = index;
  if (index_ < paths_.size()) {
    current_.reset(paths_[index_]);
  }
}

Result<bool> CompositeSource::next(Record& out) noexcept {
  while (index_ < paths_.size()) {
    const Path& p = paths_[index_];
    // Paths that name nothing are left out of a composite answer (not an error).
    if (!p.is_root() && !registry_.resolve(p)) {
      restart(index_ + 1);
      continue;
    }
    auto r = current_.next(out);
    if (!r) return r;
    if (*r) return true;
    restart(index_ + 1);
  }
  return false;
}

Cursor CompositeSource::tell() const noexcept {
  Cursor c = current_.tell();
  c.index = static_cast<uint32_t>(index_ * 2 + c.index);
  return c;
}

void CompositeSource::seek(const Cursor& c) noexcept {
  restart(c.index / 2);
  current_.seek(Cursor{c.index % 2, c.path});
}

}  // namespace lwm2m::dm
