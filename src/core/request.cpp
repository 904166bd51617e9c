// SPDX-License-Identifier: Apache-2.0
// Pieces every operation shares: error answers, value answers in the negotiated format,
// and the Access Control check.
#include "core/request.hpp"

#include "codec/tlv.hpp"
#include "core/well_known.hpp"
#include "lwm2m/config.hpp"

namespace lwm2m::core {

void fail(coap::Response& resp, Errc e) noexcept {
  resp.payload().clear();
  // Decoders report a format they cannot read as unsupported; on the wire that is 4.15.
  if (e == Errc::unsupported) e = Errc::unsupported_content_format;
  resp.set_code(coap::code_for(e));
}

std::optional<codec::ContentFormat> content_format(const coap::Message& m) noexcept {
  auto cf = m.content_format();
  if (!cf) return std::nullopt;
  return static_cast<codec::ContentFormat>(*cf);
}

/// Whether the path names one value (a single resource or one resource instance).
codec::Target describe(const dm::Registry& reg, const dm::Path& path) noexcept {
  codec::Target t;
  const dm::ResourceDef* def = path.depth() >= 3 ? reg.resource_def(path) : nullptr;
  if (def) {
    t.single_value = path.depth() == 4 || !def->multiple;
    t.type = def->type;
  }
  return t;
}

namespace {
// Out of line: the composite source is not on the stack of a plain Read's encoder.
[[gnu::noinline]] Status encode_composite(dm::Registry& reg, std::span<const dm::Path> paths,
                                          codec::ContentFormat fmt, Sink& out,
                                          MutableByteView scratch) noexcept {
  dm::CompositeSource src(reg, paths, scratch);
  src.exclude_objects(wk::kHidden);
  return codec::encode(fmt, dm::Path{}, src, out);
}
}  // namespace

/// Reads `path` (or the composite `paths`) into the response in `fmt`.
Status encode_values(dm::Registry& reg, const dm::Path& base, std::span<const dm::Path> paths,
                     codec::ContentFormat fmt, Sink& out, MutableByteView scratch,
                     bool composite) noexcept {
  // Only the composite operations ask for a composite, and a build without
  // LWM2M_WITH_COMPOSITE leaves them out: the composite source goes with them.
  if (LWM2M_WITH_COMPOSITE && composite) return encode_composite(reg, paths, fmt, out, scratch);
  dm::TreeSource src(reg, base, scratch);
#ifndef __OPTIMIZE_SIZE__
  // TLV takes the records as the walk reads them (fewer instructions per record); a build
  // for size keeps the one way, below, which the push falls back on anyway.
  if (fmt == codec::ContentFormat::lwm2m_tlv && !base.is_root()) {
    const size_t from = out.total();
    codec::TlvWriter tlv(base, out);
    Status st = src.visit(tlv);
    if (st) st = tlv.finish();
    if (!tlv.start_over()) return st;
    out.truncate(from);
  }
#endif
  return codec::encode(fmt, base, src, out);
}

std::optional<codec::ContentFormat> answer_values(Request& r, std::span<const dm::Path> paths,
                                                  bool composite) noexcept {
  dm::Registry& reg = r.registry();
  auto fmt = codec::choose_format(r.accept,
                                  composite ? codec::Operation::composite : codec::Operation::read,
                                  describe(reg, r.path), r.client.version(r.account));
  if (!fmt) {
    fail(r, fmt.error());
    return std::nullopt;
  }
  Status st =
      encode_values(reg, r.path, paths, *fmt, r.resp.payload(), r.client.scratch(), composite);
  if (!st) {
    fail(r, st.error());
    return std::nullopt;
  }
  r.resp.set_code(coap::codes::content);
  (void)r.resp.set_content_format(static_cast<uint16_t>(*fmt));
  return *fmt;
}

// ---- Access Control ----

bool Client::Impl::acl_applies() const noexcept {
  // 1.1 Core §7.3.2: access control applies when the client serves several servers; a
  // single server has every right.
  return acl.present() && reader.management_servers() > 1;
}

bool Client::Impl::acl_allows(const Account& a, const dm::Path& path, uint8_t need) const noexcept {
  if (!acl_active() || path.is_root()) return true;
  dm::ObjectId oid = path.object();
  if (oid == wk::kAccessControl) {
    // ACL instances: readable by every server, changed only by their owner.
    if (need == kRead) return true;
    if (path.depth() < 2 || need != kWrite) return false;
    return acl.owner(path.instance()) == a.ssid;
  }
  bool governed = false;
  if (path.depth() >= 2 && path.instance() != dm::kInvalidId)
    return (acl.rights(a.ssid, oid, path.instance(), governed) & need) == need;
  if (need == kCreate) return (acl.rights(a.ssid, oid, dm::kInvalidId, governed) & need) == need;
  // Object level (Read, Observe, Discover of /O): every instance must be readable.
  dm::Object* obj = c.registry_.find(oid);
  if (!obj) return true;
  for (size_t i = 0; i < obj->instance_count(); ++i)
    if ((acl.rights(a.ssid, oid, obj->instance_at(i), governed) & need) != need) return false;
  return true;
}

}  // namespace lwm2m::core
