// SPDX-License-Identifier: Apache-2.0
#include "options.hpp"

#include <algorithm>
#include <charconv>

#include "lwm2m/uri.hpp"

namespace lwm2m::client_tool {
namespace {

uint64_t number(const std::string& flag, const std::string& text, uint64_t min, uint64_t max,
                const std::string& fix) {
  uint64_t n = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc{} || p != end || n < min || n > max)
    throw UsageError(flag, fix);
  return n;
}

std::vector<uint8_t> hex(const std::string& flag, const std::string& text) {
  const std::string fix =
      "needs an even number of hex digits (at most 128), e.g. " + flag + " 736563726574";
  if (text.empty() || text.size() % 2 || text.size() > 128) throw UsageError(flag, fix);
  std::vector<uint8_t> out;
  for (size_t i = 0; i < text.size(); i += 2) {
    uint8_t b = 0;
    auto [p, ec] = std::from_chars(text.data() + i, text.data() + i + 2, b, 16);
    if (ec != std::errc{} || p != text.data() + i + 2)
      throw UsageError(flag, "needs hex digits 0-9 a-f only, e.g. " + flag + " 736563726574");
    out.push_back(b);
  }
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names)
    s += (s.empty() ? "" : ", ") + n;
  return s;
}

void check_server(const std::string& value) {
  size_t host = value.rfind("coap://", 0) == 0 ? 7 : value.rfind("coaps://", 0) == 0 ? 8 : 0;
  if (host == 0 || host == value.size() || value[host] == ':' || value[host] == '/' ||
      !parse_server_uri(value))
    throw UsageError("--server",
                     "needs coap://HOST[:PORT] or coaps://HOST[:PORT], e.g. --server "
                     "coap://127.0.0.1:5683");
}

void check_security(const Options& o) {
  if (o.psk() && o.certificates())
    throw UsageError("--psk-identity/--cert", "use PSK keys or certificates, not both");
  if (o.secure() && !o.psk() && !o.certificates())
    throw UsageError("--server",
                     "a coaps:// server needs keys: --psk-identity ID --psk-key HEX, or --cert "
                     "FILE --key FILE --server-cert FILE");
  if (!o.secure() && (o.psk() || o.certificates()))
    throw UsageError(o.psk() ? "--psk-identity/--psk-key" : "--cert/--key/--server-cert",
                     "keys need a coaps:// server (--server coaps://...); refusing to send them "
                     "unused and talk in clear");
  if (o.psk() && (o.psk_identity.empty() || o.psk_key.empty()))
    throw UsageError("--psk-identity/--psk-key", "PSK needs both --psk-identity and --psk-key");
  if (o.certificates() && (o.cert_file.empty() || o.key_file.empty() || o.server_cert_file.empty()))
    throw UsageError("--cert/--key/--server-cert",
                     "certificate mode needs all three: --cert FILE --key FILE --server-cert FILE");
}

}  // namespace

Options parse_options(const std::vector<std::string>& args,
                      const std::vector<std::string>& sensor_names) {
  Options o;
  static const char* const kWithValue[] = {
      "--endpoint",  "--server",      "--psk-identity", "--psk-key",    "--cert",
      "--key",       "--server-cert", "--lifetime",     "--local-port", "--lwm2m",
      "--binding",   "--log-level",   "--objects",      "--retries",    "--retry-delay",
      "--state-dir", "--firmware-dir"};
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      return o;
    }
    if (flag == "--bootstrap") {
      o.bootstrap = true;
      continue;
    }
    if (flag == "--queue") {
      o.queue = true;
      continue;
    }
    if (flag == "--keep-trying") {
      o.keep_trying = true;
      continue;
    }
    if (std::find(std::begin(kWithValue), std::end(kWithValue), flag) == std::end(kWithValue))
      throw UsageError(flag, "unknown option; the options are listed by --help");
    if (i + 1 >= args.size()) throw UsageError(flag, "needs a value (see --help)");
    const std::string& value = args[++i];
    if (flag == "--endpoint") {
      if (value.empty()) throw UsageError(flag, "needs a non-empty name, e.g. --endpoint node-1");
      if (value.size() > core::ClientConfig::kMaxEndpoint)
        throw UsageError(flag, "the endpoint name is " + std::to_string(value.size()) +
                                   " bytes, the limit is " +
                                   std::to_string(core::ClientConfig::kMaxEndpoint));
      o.endpoint = value;
    } else if (flag == "--server") {
      check_server(value);
      o.server = value;
    } else if (flag == "--psk-identity") {
      if (value.empty()) throw UsageError(flag, "needs a non-empty identity");
      o.psk_identity = value;
    } else if (flag == "--psk-key") {
      o.psk_key = hex(flag, value);
    } else if (flag == "--cert") {
      o.cert_file = value;
    } else if (flag == "--key") {
      o.key_file = value;
    } else if (flag == "--server-cert") {
      o.server_cert_file = value;
    } else if (flag == "--lifetime") {
      o.lifetime = static_cast<uint32_t>(number(
          flag, value, 1, 0xFFFFFFFFu, "needs a number of seconds >= 1, e.g. --lifetime 300"));
    } else if (flag == "--local-port") {
      o.local_port = static_cast<uint16_t>(
          number(flag, value, 0, 65535, "needs a port 0-65535, e.g. --local-port 56830"));
    } else if (flag == "--retries") {
      o.retries = static_cast<uint32_t>(
          number(flag, value, 1, 255, "needs a number of attempts 1-255, e.g. --retries 5"));
    } else if (flag == "--retry-delay") {
      o.retry_delay = static_cast<uint32_t>(number(
          flag, value, 1, 86400, "needs a number of seconds 1-86400, e.g. --retry-delay 60"));
    } else if (flag == "--state-dir") {
      if (value.empty())
        throw UsageError(flag, "needs a directory, e.g. --state-dir /var/lib/node-1");
      o.state_dir = value;
    } else if (flag == "--firmware-dir") {
      if (value.empty()) throw UsageError(flag, "needs a directory, e.g. --firmware-dir /tmp/fw");
      o.firmware_dir = value;
    } else if (flag == "--lwm2m") {
      if (value == "1.0")
        o.version = core::LwM2MVersion::v1_0;
      else if (value == "1.1")
        o.version = core::LwM2MVersion::v1_1;
      else if (value == "1.2")
        o.version = core::LwM2MVersion::v1_2;
      else
        throw UsageError(flag, "needs 1.0, 1.1 or 1.2, e.g. --lwm2m 1.0");
    } else if (flag == "--binding") {
      if (value != "U" && value != "UQ")
        throw UsageError(flag, "needs U or UQ (UDP; UQ: queue mode), e.g. --binding U");
      o.binding = value;
    } else if (flag == "--log-level") {
      if (value == "none")
        o.log_level = LogLevel::none;
      else if (value == "info")
        o.log_level = LogLevel::info;
      else if (value == "debug")
        o.log_level = LogLevel::debug;
      else
        throw UsageError(flag, "needs none, info or debug, e.g. --log-level debug");
    } else {  // --objects
      o.objects.clear();
      if (value == "none") continue;
      for (const std::string& name : split(value)) {
        if (std::find(sensor_names.begin(), sensor_names.end(), name) == sensor_names.end())
          throw UsageError(flag, "unknown object \"" + name +
                                     "\"; expected a comma-separated list of " +
                                     joined(sensor_names) + ", or none");
        if (std::find(o.objects.begin(), o.objects.end(), name) == o.objects.end())
          o.objects.push_back(name);
      }
    }
  }
  check_security(o);
  return o;
}

std::string usage(const std::vector<std::string>& sensor_names) {
  return "Usage: lwm2m-client [options]\n"
         "\n"
         "An LwM2M client with a console: Security, Server, Access Control, Device, the IPSO\n"
         "sensors chosen with --objects and, with --firmware-dir, Firmware Update. Commands\n"
         "are read from stdin, typed or piped (type help).\n"
         "\n"
         "Server and security:\n"
         "  --server URI          coap://HOST[:PORT] or coaps://HOST[:PORT]; IPv6 in brackets;\n"
         "                        default port 5683 (coap) / 5684 (coaps)\n"
         "                        (default coap://127.0.0.1)\n"
         "  --bootstrap           --server is a bootstrap server: ask it for the configuration,\n"
         "                        then register with the servers it gives\n"
         "  --psk-identity ID     PSK identity (coaps:// only)\n"
         "  --psk-key HEX         PSK key in hex digits, e.g. 736563726574 (coaps:// only)\n"
         "  --cert FILE           our certificate (DER), certificate mode (coaps:// only)\n"
         "  --key FILE            our private key (DER), certificate mode\n"
         "  --server-cert FILE    the server's certificate (DER) that the connection is pinned to\n"
         "\n"
         "Registration:\n"
         "  --endpoint NAME       Endpoint Client Name, at most " +
         std::to_string(core::ClientConfig::kMaxEndpoint) +
         " bytes (default lwm2m-client)\n"
         "  --lifetime SECONDS    registration lifetime (default 300)\n"
         "  --lwm2m VERSION       1.0, 1.1 or 1.2 (default 1.1)\n"
         "  --binding U|UQ        binding of the Server account (default U; UQ: queue mode)\n"
         "  --queue               queue mode: the server holds its requests until we wake\n"
         "  --local-port PORT     local UDP port (default 0: a free one)\n"
         "  --retries N           Register attempts before giving up (Server /1/0/17, default 5)\n"
         "  --retry-delay SECONDS wait after the first failed attempt, doubled after each\n"
         "                        (Server /1/0/18, default 60)\n"
         "  --keep-trying         when every attempt to register failed, start over a minute\n"
         "                        later instead of exiting with 1\n"
         "\n"
         "Persistence and firmware:\n"
         "  --state-dir DIR       keep what a bootstrap server (or a server) wrote in Security,\n"
         "                        Server and Access Control in DIR/lwm2m-state.bin; when DIR\n"
         "                        holds one, it is used and --server is only the fallback, so\n"
         "                        a bootstrapped client registers at once after a restart.\n"
         "                        Factory Reset (/3/0/5) and Bootstrap-Request Trigger remove it\n"
         "  --firmware-dir DIR    Firmware Update (/5): an image pushed (Write of /5/0/0) or\n"
         "                        pulled (Package URI /5/0/1, coap:// or coaps://) streams to\n"
         "                        DIR/firmware.bin; Update (/5/0/2) installs an image that\n"
         "                        begins with the 4 bytes LWFW as DIR/installed.bin and reports\n"
         "                        Update Result 1 and the new firmware version (the text after\n"
         "                        LWFW up to the first newline); any other image gets Update\n"
         "                        Result 6 (unsupported package)\n"
         "\n"
         "Objects and logs:\n"
         "  --objects LIST        IPSO sensors to expose, comma-separated: " +
         joined(sensor_names) +
         ", or none (default temperature)\n"
         "  --log-level LEVEL     none, info (state changes and failures, default) or debug\n"
         "                        (also every request served)\n"
         "  --help                this text\n"
         "\n"
         "Console commands (one per line):\n"
         "  get PATH              print the values under PATH, e.g. get /3303/0/5700\n"
         "  set PATH VALUE        change a resource; observers are notified\n"
         "  send PATH...          LwM2M Send of these paths to the first registered server\n"
         "  update                Registration Update to every server\n"
         "  deregister            De-register from every server\n"
         "  register              register again (after deregister, or after giving up)\n"
         "  bootstrap             client-initiated bootstrap\n"
         "  status                per server: state, location, lifetime, next Update\n"
         "  objects               the objects and instances the client exposes\n"
         "  help                  the commands\n"
         "  quit                  de-register and exit (end of input does the same)\n"
         "\n"
         "Exit codes: 0 after quit, end of input or a signal (a second Ctrl-C exits at once\n"
         "with 130); 1 when every attempt to register failed (without --keep-trying), or at\n"
         "the end of piped input when a command failed; 2 for a bad option.\n";
}

}  // namespace lwm2m::client_tool
