// SPDX-License-Identifier: Apache-2.0
// Parses the bootstrap file (format in kBootstrapFileHelp) into a bootstrap script.
#include "bootstrap_file.hpp"

#include <cstdlib>
#include <sstream>
#include <vector>

namespace lwm2m::testserver::console {

const char kBootstrapFileHelp[] =
    R"(Bootstrap file (--bootstrap FILE): one block per server the client is given,
each starting with a "server" line; "#" starts a comment.
  server coaps://192.0.2.1:5684   the LwM2M Server URI (coap:// or coaps://)
  short-id 1                      Short Server ID, 1-65534 (default: 1, 2, ... in order)
  lifetime 300                    registration lifetime in seconds (default 86400)
  binding U                       binding (default U)
  security psk                    nosec (default for coap://) or psk (needed for coaps://)
  psk-identity node-1             PSK identity (security psk)
  psk-key 736563726574            PSK in hex (security psk)
The client gets a Bootstrap-Delete of "/", then one Security instance (/0/N) and one Server
instance (/1/N-1) per block, then Bootstrap-Finish.
)";

namespace {

struct Entry {
  tlv::SecurityInstance security;
  tlv::ServerInstance server;
  std::string mode = "";
  int line = 0;
};

bool whole_number(const std::string& v, long min, long max, long& out) {
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end || n < min || n > max) return false;
  out = n;
  return true;
}

}  // namespace

BootstrapFile parse_bootstrap_file(const std::string& text, const std::string& name) {
  BootstrapFile result;
  std::vector<Entry> entries;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  auto fail = [&](int at, const std::string& why) {
    result.error = name + ":" + std::to_string(at) + ": " + why;
    return result;
  };
  while (std::getline(in, line)) {
    ++number;
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string key, value, extra;
    words >> key >> value >> extra;
    if (key.empty()) continue;
    if (value.empty() || !extra.empty()) return fail(number, "\"" + key + "\" takes one value");
    if (key == "server") {
      if (value.rfind("coap://", 0) != 0 && value.rfind("coaps://", 0) != 0) {
        return fail(number, "server takes a coap:// or coaps:// URI (got \"" + value + "\")");
      }
      Entry e;
      e.security.server_uri = value;
      e.security.short_server_id = static_cast<int64_t>(entries.size() + 1);
      e.server.short_server_id = static_cast<int64_t>(entries.size() + 1);
      e.line = number;
      entries.push_back(e);
      continue;
    }
    if (entries.empty()) return fail(number, "\"" + key + "\" before the first \"server\" line");
    Entry& e = entries.back();
    long n = 0;
    if (key == "short-id") {
      if (!whole_number(value, 1, 65534, n)) return fail(number, "short-id takes 1-65534");
      e.security.short_server_id = n;
      e.server.short_server_id = n;
    } else if (key == "lifetime") {
      if (!whole_number(value, 1, 0x7FFFFFFF, n)) return fail(number, "lifetime takes seconds > 0");
      e.server.lifetime = n;
    } else if (key == "binding") {
      e.server.binding = value;
    } else if (key == "security") {
      if (value != "nosec" && value != "psk") return fail(number, "security takes nosec or psk");
      e.mode = value;
    } else if (key == "psk-identity") {
      e.security.identity = to_bytes(value);
    } else if (key == "psk-key") {
      try {
        e.security.secret_key = from_hex(value);
      } catch (const Error&) {
        return fail(number, "psk-key takes hex digits, e.g. 736563726574");
      }
    } else {
      return fail(number, "unknown key \"" + key +
                              "\"; expected server, short-id, lifetime, binding, security, "
                              "psk-identity or psk-key");
    }
  }
  if (entries.empty()) return fail(number, "no \"server\" line: the client would get no server");
  BootstrapScript& script = result.script;
  script.steps.push_back(BootstrapStep::delete_path("/"));
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry& e = entries[i];
    const bool secure = e.security.server_uri.rfind("coaps://", 0) == 0;
    if (e.mode.empty()) e.mode = secure ? "psk" : "nosec";
    if (secure != (e.mode == "psk")) {
      return fail(e.line, e.security.server_uri + ": security " + e.mode + " does not match the " +
                              (secure ? "coaps" : "coap") + " scheme");
    }
    if (e.mode == "psk") {
      if (e.security.identity.empty() || e.security.secret_key.empty()) {
        return fail(e.line, "security psk needs psk-identity and psk-key");
      }
      e.security.security_mode = 0;
    }
    script.steps.push_back(BootstrapStep::write(
        "/0", tlv::security_instance(static_cast<uint16_t>(i + 1), e.security)));
    script.steps.push_back(
        BootstrapStep::write("/1", tlv::server_instance(static_cast<uint16_t>(i), e.server)));
  }
  result.servers = entries.size();
  return result;
}

}  // namespace lwm2m::testserver::console
