// SPDX-License-Identifier: Apache-2.0
// Discover (1.1 Core §6.3.3): GET with Accept application/link-format: the links below
// the target with their dim, ver and the attributes this server attached.
#include "core/links.hpp"
#include "core/request.hpp"

namespace lwm2m::core {
#if LWM2M_WITH_OBSERVE
namespace {

/// Attributes on each link are those this server wrote (they are kept per server). The
/// link of the target itself also carries what it inherits from its instance and object
/// (the Core spec's Discover example: /3303?pmin=5, /3303/0?pmin=3, then Discover
/// /3303/0/5700 gives ";pmin=3"); the links below it carry their own attributes only.
class Lookup final : public AttributeLookup {
 public:
  Lookup(const Client::Impl& client, uint16_t ssid, const dm::Path& target) noexcept
      : client_(client), ssid_(ssid), target_(target) {}

  void write_attributes(const dm::Path& p, Sink& out) const noexcept override {
    Attributes attrs;
    for (dm::Path q = p; !q.is_root(); q = q.parent()) {
      if (const AttributeEntry* e = client_.observe.find_attributes(ssid_, q))
        attrs.inherit(e->attrs);
      if (!(p == target_)) break;
    }
    write_link_attributes(attrs, out);
  }

 private:
  const Client::Impl& client_;
  uint16_t ssid_;
  dm::Path target_;
};

}  // namespace
#endif

void ops::discover(Request& r) noexcept {
  // The route took the root (4.05); write_discover() answers 4.04 for an absent target.
  // Without Access Control every server may discover: no look-up for the check.
  if (LWM2M_WITH_ACCESS_CONTROL && r.registry().resolve(r.path) &&
      !r.client.allowed(r.account, r.path, kRead))
    return fail(r, Errc::unauthorized);
#if LWM2M_WITH_OBSERVE
  const Lookup lookup(r.client, r.account.ssid, r.path);
  const AttributeLookup* attributes = &lookup;
#else
  const AttributeLookup* attributes = nullptr;  // no attributes are kept without Observe
#endif
  if (Status st = write_discover(r.registry(), r.path, attributes, r.resp.payload()); !st)
    return fail(r, st.error());
  r.resp.set_code(coap::codes::content);
  (void)r.resp.set_content_format(static_cast<uint16_t>(codec::ContentFormat::link_format));
}

}  // namespace lwm2m::core
