// SPDX-License-Identifier: Apache-2.0
// CoRE Link Format (RFC 6690; Content-Format 40) as LwM2M uses it: a writer for the links
// of Register/Update payloads and Discover answers (the core decides which links: see
// src/core/links.hpp), and a zero-copy parser for what servers send.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lwm2m/bytes.hpp"
#include "lwm2m/codec/content_format.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/sink.hpp"
#include "lwm2m/status.hpp"

namespace lwm2m::codec {

/// Writes a link-format document link by link: `</3/0/7>;dim=8;gt=50,</5>`. It writes the
/// links, their parameters and the commas between them; what to list is the caller's
/// business (the core walks its data model with it). Output beyond the Sink's window is
/// only counted.
class LinkWriter {
 public:
  explicit LinkWriter(Sink& out) noexcept : out_(out) {}

  /// Starts the next link: `</o/i/r/ri>` for a path, `</>` for the root.
  void link(const dm::Path& path) noexcept;
  /// Starts the next link with a URI as given: `<uri>`.
  void link(std::string_view uri) noexcept;

  /// `;name=value`, where value is a token (no quotes needed).
  void param(std::string_view name, std::string_view value) noexcept;
  /// `;name=123`
  void param(std::string_view name, uint64_t value) noexcept;
  /// `;name="value"`, the value written as it is.
  void quoted_param(std::string_view name, ByteView value) noexcept;
  void quoted_param(std::string_view name, std::string_view value) noexcept {
    quoted_param(name, as_bytes(value));
  }
  /// `;ct=11543`, or quoted and space-separated when several (`;ct="112 11542"`, RFC 7252
  /// §7.2.1); nothing when `formats` is empty.
  void content_formats(std::span<const ContentFormat> formats) noexcept;

  /// The output, for parameters written by someone else (each as ";name=value") on the
  /// current link.
  Sink& sink() noexcept { return out_; }

 private:
  void separate() noexcept;
  void begin_param(std::string_view name) noexcept;  // ";name="

  Sink& out_;
  bool any_ = false;
};

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
