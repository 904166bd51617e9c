// SPDX-License-Identifier: Apache-2.0
// What lwm2m-server prints and sends: payloads of every content format decoded with the
// library's own codecs and shown as a tree of paths and values, and write/create payloads
// encoded from console text.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lwm2m/dm/object.hpp"
#include "lwm2m/dm/path.hpp"
#include "lwm2m/testserver/server.hpp"

namespace lwm2m::testserver::console {

/// The console's name for a content format: text, tlv, opaque, cbor, senml-json,
/// senml-cbor, lwm2m-json, lwm2m-cbor, link.
std::optional<ContentFormat> format_from_name(const std::string& name);
std::string format_name(ContentFormat cf);
/// "text, tlv, ..." for messages.
const char* format_names();

/// The object definitions the tool knows (Security, Server, Access Control, Device from the
/// library; Firmware Update and the IPSO temperature sensor): names and types of resources,
/// which text, TLV and JSON payloads need to be decoded.
const dm::ObjectDef* find_object(dm::ObjectId id);
const dm::ResourceDef* find_resource(const dm::Path& path);

/// The payload of a response, notification or Send as an indented tree, one value per line,
/// e.g. "  /3/0/0 Manufacturer: \"Acme\"". `base` is the request's target (names in the
/// payload are relative to it in some formats). Link format is listed one link per line.
/// A payload that does not decode is said so and shown in hex. With `hex`, the raw bytes
/// follow the tree.
std::string render_payload(std::optional<ContentFormat> cf, const Bytes& payload,
                           const std::string& base, bool hex, const std::string& indent);

/// One response: "2.05 Content (tlv, 120 bytes)" then the decoded tree.
std::string render_response(const Response& r, const std::string& base, bool hex);

/// A Write payload for one resource (or resource instance) from console text, typed by the
/// resource's definition when known (otherwise: integer, float, true/false, else string).
/// Opaque values are hex digits. Returns the payload, or an error message.
struct Encoded {
  Bytes payload;
  std::string error;
};
Encoded encode_value(const dm::Path& path, const std::string& text, ContentFormat cf);

/// A Create payload: resources `rid=value` of one new instance of `object`. Without an
/// instance id (`iid` empty) the client picks it; only TLV can say that.
Encoded encode_instance(dm::ObjectId object, std::optional<dm::InstanceId> iid,
                        const std::vector<std::pair<dm::ResourceId, std::string>>& resources,
                        ContentFormat cf);

/// The Read-Composite request body: the paths as SenML names (JSON or CBOR).
Encoded encode_paths(const std::vector<dm::Path>& paths, ContentFormat cf);

}  // namespace lwm2m::testserver::console
