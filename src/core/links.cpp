// SPDX-License-Identifier: Apache-2.0
#include "core/links.hpp"

#include "codec/link_format.hpp"
#include "core/well_known.hpp"
#include "lwm2m/config.hpp"

namespace lwm2m::core {
namespace {

using codec::LinkWriter;

using wk::kSecurity;
using wk::kServer;
// Resources Bootstrap-Discover reports on Security and Server instances.
constexpr dm::ResourceId kSecurityUri = wk::security::kUri;
constexpr dm::ResourceId kSecurityBootstrap = wk::security::kBootstrap;
constexpr dm::ResourceId kSecurityShortServerId = wk::security::kShortServerId;
constexpr dm::ResourceId kServerShortServerId = wk::server::kShortServerId;

bool versioned(const dm::Object& o) noexcept {
  return !o.def().version.empty() && o.def().version != "1.0";
}

void write_ver(LinkWriter& links, const dm::Object& o) noexcept {
  if (versioned(o)) links.param("ver", o.def().version);
}

bool excluded(dm::ObjectId id, std::span<const dm::ObjectId> extra) noexcept {
  if (wk::hidden(id)) return true;  // a Register payload never lists them (1.1 Core §6.2.1)
  for (dm::ObjectId x : extra)
    if (x == id) return true;
  return false;
}

// An object without instances, or with a version to announce, gets a link of its own.
void object_links(LinkWriter& links, const dm::Object& o) noexcept {
  if (o.instance_count() == 0 || versioned(o)) {
    links.link(dm::Path(o.id()));
    write_ver(links, o);
  }
}

}  // namespace

namespace {

void register_links(LinkWriter& links, const dm::Registry& registry,
                    std::span<const dm::ObjectId> exclude) noexcept {
  for (const dm::Object* o : registry.objects()) {
    if (excluded(o->id(), exclude)) continue;
    object_links(links, *o);
    for (size_t i = 0; i < o->instance_count(); ++i)
      links.link(dm::Path(o->id(), o->instance_at(i)));
  }
}

}  // namespace

void write_register_links(const dm::Registry& registry, Sink& out,
                          std::span<const dm::ObjectId> exclude) noexcept {
  LinkWriter links{out};
  register_links(links, registry, exclude);
}

void write_register_links(const dm::Registry& registry, Sink& out, const RootLink& root,
                          std::span<const dm::ObjectId> exclude) noexcept {
  LinkWriter links{out};
  links.link(root.path.empty() ? std::string_view{"/"} : root.path);
  links.quoted_param("rt", "oma.lwm2m");
  links.content_formats(root.content_formats);
  register_links(links, registry, exclude);
}

// ---- Discover ----

namespace {

// Attributes are kept only in a build with Observe: without it Discover passes none.
void attrs(LinkWriter& links, const AttributeLookup* a, const dm::Path& p) noexcept {
  if (LWM2M_WITH_OBSERVE && a) a->write_attributes(p, links.sink());
}

}  // namespace

// One walk from the target's object down, for every depth of target: each level is
// narrowed to the target's id where the target names one, and links are written from the
// target's depth down (resource instances only below a resource target). One loop nest
// rather than a function per depth.
Status write_discover(const dm::Registry& registry, const dm::Path& base,
                      const AttributeLookup* attributes, Sink& out) noexcept {
  auto target = registry.resolve(base);  // invalid_argument for the root
  if (!target) return target.status();
  const dm::Object& o = *target->object;
  const size_t depth = base.depth();
  LinkWriter links{out};
  if (depth == 1) {
    links.link(base);
    write_ver(links, o);
    attrs(links, attributes, base);
  }
  for (size_t i = 0; i < o.instance_count(); ++i) {
    const dm::InstanceId iid = o.instance_at(i);
    if (depth >= 2 && iid != base.instance()) continue;
    const dm::Path ip(o.id(), iid);
    if (depth <= 2) {
      links.link(ip);
      attrs(links, attributes, ip);
    }
    for (const dm::ResourceDef& r : o.def().resources) {
      // A resource target exists (resolved above); below an instance, those present.
      if (depth >= 3 ? r.id != base.resource() : !o.has_resource(iid, r.id)) continue;
      const dm::Path rp(o.id(), iid, r.id);
      const size_t n = r.multiple ? o.resource_instance_count(iid, r.id) : 0;
      if (depth <= 3) {
        links.link(rp);
        if (r.multiple) links.param("dim", n);
        attrs(links, attributes, rp);
      }
      if (depth < 3) continue;
      for (size_t k = 0; k < n; ++k) {
        const dm::ResourceInstanceId riid = o.resource_instance_at(iid, r.id, k);
        if (depth == 4 && riid != base.resource_instance()) continue;
        const dm::Path rip(o.id(), iid, r.id, riid);
        links.link(rip);
        attrs(links, attributes, rip);
      }
    }
  }
  return {};
}

// ---- Bootstrap-Discover ----

namespace {

std::string_view version_text(codec::LwM2MVersion v) noexcept {
  switch (v) {
    case codec::LwM2MVersion::v1_0:
      return "1.0";
    case codec::LwM2MVersion::v1_1:
      return "1.1";
    default:
      return "1.2";
  }
}

Result<dm::Value> read(dm::Object& o, dm::InstanceId iid, dm::ResourceId rid,
                       MutableByteView scratch) noexcept {
  if (!o.has_resource(iid, rid)) return Errc::not_found;
  return o.read(iid, rid, dm::kInvalidId, scratch);
}

// The parameters on Security and Server instances, in link order: `;ssid=101` (a
// Security instance's only for an LwM2M server's account: a bootstrap account has none),
// then a Security instance's `;uri="coap://..."`. One loop over rows rather than a read
// and a parameter written per case.
struct InstanceParam {
  dm::ObjectId object;
  uint8_t resource;
  bool uri;  ///< quoted `uri`, else `ssid`
};
constexpr InstanceParam kInstanceParams[] = {
    {kSecurity, kSecurityShortServerId, false},
    {kSecurity, kSecurityUri, true},
    {kServer, kServerShortServerId, false},
};

void instance_params(LinkWriter& links, dm::Object& o, dm::InstanceId iid,
                     MutableByteView scratch) noexcept {
  for (const InstanceParam& p : kInstanceParams) {
    if (p.object != o.id()) continue;
    auto v = read(o, iid, p.resource, scratch);
    if (!v) continue;
    if (p.uri) {
      links.quoted_param("uri", v->as_bytes());
      continue;
    }
    if (p.object == kSecurity) {
      auto bootstrap = read(o, iid, kSecurityBootstrap, scratch);
      if (bootstrap && bootstrap->as_bool()) continue;
    }
    links.param("ssid", static_cast<uint64_t>(v->as_integer()));
  }
}

}  // namespace

Status write_bootstrap_discover(const dm::Registry& registry, const dm::Path& base,
                                codec::LwM2MVersion version, MutableByteView scratch,
                                Sink& out) noexcept {
  if (base.depth() > 1) return Errc::bad_request;
  LinkWriter links{out};
  links.link(dm::Path());
  links.param("lwm2m", version_text(version));
  for (dm::Object* o : registry.objects()) {
    if (base.depth() == 1 && o->id() != base.object()) continue;
    object_links(links, *o);
    for (size_t i = 0; i < o->instance_count(); ++i) {
      const dm::InstanceId iid = o->instance_at(i);
      links.link(dm::Path(o->id(), iid));
      instance_params(links, *o, iid, scratch);
    }
  }
  return {};
}

}  // namespace lwm2m::core
