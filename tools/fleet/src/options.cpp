// SPDX-License-Identifier: Apache-2.0
#include "options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "lwm2m/uri.hpp"

namespace lwm2m::fleet {
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

double decimal(const std::string& flag, const std::string& text, const std::string& fix) {
  double d = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, d);
  if (text.empty() || ec != std::errc{} || p != end || !std::isfinite(d) || d < 0)
    throw UsageError(flag, fix);
  return d;
}

void shard(Options& o, const std::string& text) {
  const std::string fix =
      "needs I/N with 0 <= I < N (the I-th of N slices, counted from 0), e.g. --shard 0/4 ... "
      "--shard 3/4 for four processes (got \"" +
      text + "\")";
  const size_t slash = text.find('/');
  if (slash == std::string::npos) throw UsageError("--shard", fix);
  o.shard_index = number("--shard", text.substr(0, slash), 0, 1'000'000, fix);
  o.shard_count = number("--shard", text.substr(slash + 1), 1, 1'000'000, fix);
  if (o.shard_index >= o.shard_count) throw UsageError("--shard", fix);
}

void check_server(const std::string& value) {
  auto uri = parse_server_uri(value);
  if (!uri || (uri->scheme != UriScheme::coap && uri->scheme != UriScheme::coaps))
    throw UsageError("--server",
                     "needs coap://HOST[:PORT], or coaps://HOST[:PORT] with --psk-key, e.g. "
                     "--server coap://127.0.0.1:5683");
}

// Hex digits, two per byte, 1 to 64 bytes (the longest PSK the credential store holds).
std::vector<uint8_t> psk_key(const std::string& text) {
  const std::string fix =
      "needs the pre-shared key in hex, 2 to 128 digits (1 to 64 bytes), e.g. --psk-key "
      "736563726574 (got \"" +
      text + "\")";
  if (text.empty() || text.size() % 2 != 0 || text.size() > 128) throw UsageError("--psk-key", fix);
  std::vector<uint8_t> key;
  for (size_t i = 0; i < text.size(); i += 2) {
    uint8_t byte = 0;
    auto [p, ec] = std::from_chars(text.data() + i, text.data() + i + 2, byte, 16);
    if (ec != std::errc{} || p != text.data() + i + 2) throw UsageError("--psk-key", fix);
    key.push_back(byte);
  }
  return key;
}

// coaps:// and --psk-key go together, whatever the order of the flags.
void check_security(const Options& o) {
  const bool secure = parse_server_uri(o.server)->secure();
  if (secure && !o.dtls())
    throw UsageError("--server",
                     "a coaps:// server needs --psk-key HEX (each client's PSK identity is its "
                     "endpoint name), e.g. --server " +
                         o.server + " --psk-key 736563726574");
  if (!secure && o.dtls())
    throw UsageError("--psk-key",
                     "is for DTLS: give a coaps:// server with it, e.g. --server "
                     "coaps://127.0.0.1:5684 --psk-key HEX");
}

void check_prefix(const std::string& p) {
  if (p.empty() || p.size() > 100 || p.find_first_of("&?/ \t\"") != std::string::npos)
    throw UsageError("--endpoint-prefix",
                     "needs 1-100 characters without spaces, quotes, '&', '?' or '/', e.g. "
                     "--endpoint-prefix sensor (endpoints are then sensor-0, sensor-1, ...)");
}

}  // namespace

Options parse_options(const std::vector<std::string>& args) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      continue;
    }
    if (flag == "--report-memory") {
      o.report_memory = true;
      continue;
    }
    if (flag.rfind("--", 0) != 0) throw UsageError(flag, "is not a flag; --help lists them");
    if (i + 1 >= args.size()) throw UsageError(flag, "needs a value; --help lists the flags");
    const std::string& v = args[++i];
    if (flag == "--count") {
      o.count =
          number(flag, v, 1, 10'000'000, "needs a number of clients from 1, e.g. --count 100");
    } else if (flag == "--server") {
      check_server(v);
      o.server = v;
    } else if (flag == "--endpoint-prefix") {
      check_prefix(v);
      o.prefix = v;
    } else if (flag == "--rate") {
      o.rate = decimal(flag, v,
                       "needs registrations per second, 0 or more (0: no limit), e.g. --rate 200");
    } else if (flag == "--lifetime") {
      o.lifetime = static_cast<uint32_t>(
          number(flag, v, 1, 0xFFFFFFFF, "needs seconds from 1, e.g. --lifetime 300"));
    } else if (flag == "--shard") {
      shard(o, v);
    } else if (flag == "--change-period") {
      o.change_period = static_cast<uint32_t>(
          number(flag, v, 1, 86400, "needs seconds from 1 to 86400, e.g. --change-period 10"));
    } else if (flag == "--psk-key") {
      o.psk_key = psk_key(v);
    } else if (flag == "--psk-identity") {
      throw UsageError(flag,
                       "lwm2m-fleet gives each client its endpoint name (PREFIX-i) as PSK "
                       "identity: choose them with --endpoint-prefix, the key with --psk-key "
                       "HEX (lwm2m-server accepts them all with --psk-identity-prefix PREFIX- "
                       "--psk-key HEX)");
    } else {
      throw UsageError(flag, "is not a flag of lwm2m-fleet; --help lists them");
    }
  }
  check_security(o);
  if (o.shard_count > o.count)
    throw UsageError("--shard", "has " + std::to_string(o.shard_count) + " slices for --count " +
                                    std::to_string(o.count) +
                                    " clients: use at most as many slices as clients");
  return o;
}

Slice shard_slice(size_t count, size_t index, size_t shards) {
  // The first count % shards slices take one client more.
  const auto at = [&](size_t i) { return i * (count / shards) + std::min(i, count % shards); };
  return {at(index), at(index + 1)};
}

std::string usage() {
  return R"(usage: lwm2m-fleet [FLAGS]
Runs many LwM2M clients in one process on one event loop (epoll), each with its own UDP
socket: endpoints PREFIX-0 ... PREFIX-(COUNT-1), each exposing Security, Server, Device (3)
and a Temperature sensor (3303/0) whose value changes. Ctrl-C (SIGINT) or SIGTERM
de-registers every client, then the fleet exits (a second Ctrl-C exits at once).

  --count N            clients in the whole fleet (default 1)
  --server URI         coap://HOST[:PORT] of the LwM2M server (default coap://127.0.0.1:5683),
                       or coaps://HOST[:PORT] (default port 5684) with --psk-key
  --endpoint-prefix P  endpoint names P-0, P-1, ... (default fleet)
  --psk-key HEX        DTLS 1.2 with a pre-shared key, in hex (1 to 64 bytes): every client
                       uses this key, and its PSK identity is its endpoint name, P-0, P-1,
                       ... (lwm2m-server accepts them all with --psk-identity-prefix P-
                       --psk-key HEX). Each client holds its own DTLS session: about
                       105 kB of memory per client on Debian's mbedTLS 2.28, 71 kB on
                       mbedTLS 3.6, many times what a client without DTLS takes
                       (docs/many-clients.md)
  --rate R             registrations (and de-registrations) per second, so a server is not
                       flooded (with DTLS, the handshakes too); 0: no limit (default 100)
  --lifetime S         registration lifetime in seconds (default 300)
  --shard I/N          run only the I-th of N slices of the endpoints (0 <= I < N), so a
                       larger fleet runs as N processes, e.g. a Kubernetes indexed Job with
                       --shard $JOB_COMPLETION_INDEX/N; the slices cover every endpoint once
  --change-period S    seconds between two readings of each temperature (default 10)
  --report-memory      say the resident memory per client at exit (growth from a tenth
                       of this process's clients registered to all of them)
  --help               this text

Progress (registered / total, requests served per second, failures; with DTLS the sessions
up and the handshakes that failed) goes to stderr every second, and a summary at exit. A
client whose DTLS handshake the server refuses (wrong key or unknown identity) says so and
tries again as its retry timers say; when every client was refused and none registered, the
fleet exits. Exit status: 0 when every client registered and de-registered, 1 otherwise, 2
for a bad command line or a limit that cannot be raised.
)";
}

}  // namespace lwm2m::fleet
