// CoRE Link Format (RFC 6690; Content-Format 40) as LwM2M uses it: the Register/Update
// payload listing objects and instances (OMA LwM2M Core 1.1 §6.2.1), Discover answers
// (§5.4.1 / §6.3.3 of the 1.1 Transport split: links with dim, ver and notification
// attributes), and a zero-copy parser for what servers send.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lwm2m/codec/content_format.hpp"
#include "lwm2m/codec/sink.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/dm/registry.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec {

struct RegisterLinkOptions {
  /// Objects left out besides Security (0) and OSCORE (21), which are never listed.
  std::span<const dm::ObjectId> exclude = {};
  /// Writes a first link for the root, `<root_path>;rt="oma.lwm2m";ct=...`, when set.
  bool root_link = false;
  /// The alternate path of the root link ("/" when there is none).
  std::string_view root_path = "/";
  /// Content formats announced in the root link's ct ("ct=11543", or quoted and
  /// space-separated when several, RFC 7252 §7.2.1); ct is left out when empty.
  std::span<const ContentFormat> content_formats = {};
};

/// Writes the Register/Update payload: `</1>;ver=1.1,</1/0>,</3/0>,</5>`. An object with
/// instances lists each instance; one without is listed as `</O>`; an object whose version
/// is not "1.0" gets its own link with `ver` before its instances. Output beyond the
/// Sink's window is only counted.
void write_register_links(const dm::Registry& registry, Sink& out,
                          const RegisterLinkOptions& options = {}) noexcept;

/// Where Discover finds the attributes attached to each path; the core implements it from
/// its attribute store. Defined here, inline, so that code built with RTTI can derive from it.
class AttributeLookup {
 public:
  virtual ~AttributeLookup() = default;
  /// Appends the attributes to report on the link of `path`, each as ";name=value" (for
  /// instance with core::write_link_attributes), or nothing.
  virtual void write_attributes(const dm::Path& path, Sink& out) const noexcept = 0;
};

/// Writes a Discover answer for `base` (an object, instance, resource or resource
/// instance): the link of `base` itself, then the links below it in depth-first order:
///   /O        </O>, then per instance </O/I> and its resources </O/I/R>
///   /O/I      </O/I>, then its resources
///   /O/I/R    </O/I/R>, then for a multiple resource its instances </O/I/R/RI>
///   /O/I/R/RI that link alone
/// An object link carries `ver` when the object's version is not "1.0"; a multiple
/// resource carries `dim` (its number of instances). Then come the attributes `attributes`
/// (may be null) writes for each link. Every resource present in an instance is listed,
/// executable ones included. Errors: invalid_argument for the root path (Bootstrap-Discover
/// is another answer), not_found when `base` does not exist.
Status write_discover(const dm::Registry& registry, const dm::Path& base,
                      const AttributeLookup* attributes, Sink& out) noexcept;

// ---- parsing ----

/// One link parameter: `name`, `name=token` or `name="quoted"`. For a quoted value,
/// `value` is the text between the quotes with any backslash escapes left in place.
struct LinkParam {
  std::string_view name;
  std::string_view value;
  bool has_value = false;
  bool quoted = false;
};

/// Iterates over the parameters of one link (already validated by LinkParser).
class LinkParamIterator {
 public:
  LinkParamIterator() noexcept = default;
  explicit LinkParamIterator(std::string_view params) noexcept : rest_(params) {}
  /// The next parameter; false after the last.
  bool next(LinkParam& out) noexcept;

 private:
  std::string_view rest_;
};

struct Link {
  std::string_view uri;     ///< between '<' and '>'
  std::string_view params;  ///< raw text after '>': ";a=1;b" (possibly empty)
  LinkParamIterator param_iterator() const noexcept { return LinkParamIterator{params}; }
  /// The value of the first parameter called `name`; has_value false when absent.
  LinkParam find(std::string_view name) const noexcept;
};

/// Pull parser over a link-format document (RFC 6690 §2): links separated by commas,
/// optional whitespace after a comma tolerated (some servers write ", "). Views point
/// into the text. Errors: malformed (grammar), sticky.
class LinkParser {
 public:
  explicit LinkParser(std::string_view text) noexcept : text_(text) {}
  /// The next link; false at the end.
  Result<bool> next(Link& out) noexcept;

 private:
  std::string_view text_;
  size_t pos_ = 0;
  Errc error_ = Errc::ok;
  bool first_ = true;
};

}  // namespace lwm2m::codec
