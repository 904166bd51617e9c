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

void resource_link(LinkWriter& links, const dm::Object& o, const dm::ResourceDef& r,
                   dm::InstanceId iid, const AttributeLookup* a, bool with_instances) noexcept {
  const dm::Path rp(o.id(), iid, r.id);
  links.link(rp);
  const size_t n = r.multiple ? o.resource_instance_count(iid, r.id) : 0;
  if (r.multiple) links.param("dim", n);
  attrs(links, a, rp);
  if (!r.multiple || !with_instances) return;
  for (size_t k = 0; k < n; ++k) {
    const dm::Path rip(o.id(), iid, r.id, o.resource_instance_at(iid, r.id, k));
    links.link(rip);
    attrs(links, a, rip);
  }
}

void instance_links(LinkWriter& links, const dm::Object& o, dm::InstanceId iid,
                    const AttributeLookup* a) noexcept {
  const dm::Path ip(o.id(), iid);
  links.link(ip);
  attrs(links, a, ip);
  for (const dm::ResourceDef& r : o.def().resources)
    if (o.has_resource(iid, r.id)) resource_link(links, o, r, iid, a, false);
}

}  // namespace

Status write_discover(const dm::Registry& registry, const dm::Path& base,
                      const AttributeLookup* attributes, Sink& out) noexcept {
  if (base.is_root()) return Errc::invalid_argument;
  LinkWriter links{out};
  if (base.depth() == 1) {
    const dm::Object* o = registry.find(base.object());
    if (!o) return Errc::not_found;
    links.link(base);
    write_ver(links, *o);
    attrs(links, attributes, base);
    for (size_t i = 0; i < o->instance_count(); ++i)
      instance_links(links, *o, o->instance_at(i), attributes);
    return {};
  }
  auto target = registry.resolve(base);
  if (!target) return target.status();
  const dm::Object& o = *target->object;
  switch (base.depth()) {
    case 2:
      instance_links(links, o, base.instance(), attributes);
      break;
    case 3:
      resource_link(links, o, *target->resource, base.instance(), attributes, true);
      break;
    default:
      links.link(base);
      attrs(links, attributes, base);
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

// `;ssid=101` for an LwM2M server's account (a bootstrap account has none), then
// `;uri="coap://..."`.
void security_params(LinkWriter& links, dm::Object& o, dm::InstanceId iid,
                     MutableByteView scratch) noexcept {
  auto bootstrap = read(o, iid, kSecurityBootstrap, scratch);
  if (!bootstrap || !bootstrap->as_bool()) {
    if (auto ssid = read(o, iid, kSecurityShortServerId, scratch))
      links.param("ssid", static_cast<uint64_t>(ssid->as_integer()));
  }
  if (auto uri = read(o, iid, kSecurityUri, scratch)) links.quoted_param("uri", uri->as_bytes());
}

void server_params(LinkWriter& links, dm::Object& o, dm::InstanceId iid,
                   MutableByteView scratch) noexcept {
  if (auto ssid = read(o, iid, kServerShortServerId, scratch))
    links.param("ssid", static_cast<uint64_t>(ssid->as_integer()));
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
      if (o->id() == kSecurity) security_params(links, *o, iid, scratch);
      if (o->id() == kServer) server_params(links, *o, iid, scratch);
    }
  }
  return {};
}

}  // namespace lwm2m::core
