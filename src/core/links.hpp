// SPDX-License-Identifier: Apache-2.0
// The link-format payloads the client builds from its data model: the object list of
// Register and Update (OMA LwM2M 1.1 Core §6.2.1), Discover answers (§6.3.3: links with
// dim, ver and notification attributes) and the Bootstrap-Discover answer (§5.2.7.3).
// The links themselves are written by codec::LinkWriter.
#pragma once

#include <span>
#include <string_view>

#include "lwm2m/bytes.hpp"
#include "lwm2m/codec/content_format.hpp"
#include "lwm2m/codec/negotiate.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/dm/registry.hpp"
#include "lwm2m/sink.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::core {

/// Writes the Register/Update payload: `</1>;ver=1.1,</1/0>,</3/0>,</5>`. An object with
/// instances lists each instance; one without is listed as `</O>`; an object whose version
/// is not "1.0" gets its own link with `ver` before its instances. Security (0), OSCORE
/// (21) and the objects in `exclude` are left out. Output beyond the Sink's window is only
/// counted.
void write_register_links(const dm::Registry& registry, Sink& out,
                          std::span<const dm::ObjectId> exclude = {}) noexcept;

/// The root link that a Register payload may start with (1.1 Core §6.2.1):
/// `<path>;rt="oma.lwm2m";ct=...`.
struct RootLink {
  /// The alternate path of the root ("/" when there is none).
  std::string_view path = "/";
  /// Content formats announced in ct ("ct=11543", or quoted and space-separated when
  /// several, RFC 7252 §7.2.1); ct is left out when empty.
  std::span<const codec::ContentFormat> content_formats = {};
};

/// The same payload, after the root link. A separate function, so that a client that does
/// not announce a root link does not carry the code for it.
void write_register_links(const dm::Registry& registry, Sink& out, const RootLink& root,
                          std::span<const dm::ObjectId> exclude = {}) noexcept;

/// Where Discover finds the attributes attached to each path (the core's attribute store).
class AttributeLookup {
 public:
  /// Appends the attributes to report on the link of `path`, each as ";name=value" (for
  /// instance with write_link_attributes), or nothing.
  virtual void write_attributes(const dm::Path& path, Sink& out) const noexcept = 0;

 protected:
  ~AttributeLookup() = default;  // not destroyed through this interface
};

/// Writes a Discover answer for `base` (an object, instance, resource or resource
/// instance): the link of `base` itself, then the links below it in depth-first order:
///   /O        </O>, then per instance </O/I> and its resources </O/I/R>
///   /O/I      </O/I>, then its resources
///   /O/I/R    </O/I/R>, then for a multiple resource its instances </O/I/R/RI>
///   /O/I/R/RI that link alone
/// An object link carries `ver` when the object's version is not "1.0"; a multiple
/// resource carries `dim` (its number of instances). Then come the attributes `attributes`
/// (may be null; ignored in a build without Observe, which keeps none) writes for each link. Every
/// resource present in an instance is listed, executable ones included. Errors: invalid_argument
/// for the root path (Bootstrap-Discover is another answer), not_found when `base` does not exist.
Status write_discover(const dm::Registry& registry, const dm::Path& base,
                      const AttributeLookup* attributes, Sink& out) noexcept;

/// Writes a Bootstrap-Discover answer for `base` (the root or an object):
/// `</>;lwm2m=1.1`, then the objects and instances as in Register (Security included, an
/// object's `ver` when not "1.0"), Security instances with `ssid` (LwM2M servers only)
/// and `uri`, Server instances with `ssid`. The values are read from /0 and /1 through the
/// registry; `scratch` is lent to their read handlers. Errors: bad_request when `base`
/// is deeper than an object.
Status write_bootstrap_discover(const dm::Registry& registry, const dm::Path& base,
                                codec::LwM2MVersion version, MutableByteView scratch,
                                Sink& out) noexcept;

}  // namespace lwm2m::core
