// SPDX-License-Identifier: Apache-2.0
#include "support/libcoap.hpp"

#include <cstdlib>
#include <sstream>

namespace lwm2m::interop {

const char* coap_client_program() {
  return LWM2M_COAP_CLIENT;
}
const char* coap_server_program() {
  return LWM2M_COAP_SERVER;
}

std::optional<std::string> LibcoapPdu::option(std::string_view name) const {
  for (const std::string& o : options) {
    if (o.size() > name.size() && o.compare(0, name.size(), name) == 0 && o[name.size()] == ':')
      return o.substr(name.size() + 1);
  }
  return std::nullopt;
}

namespace {

// "v:1 t:ACK c:2.05 i:57ad {01} [ Observe:2, Max-Age:1 ] :: 'text'"
std::optional<LibcoapPdu> parse_pdu_line(const std::string& line) {
  if (line.rfind("v:1 t:", 0) != 0) return std::nullopt;
  LibcoapPdu p;
  std::istringstream in(line);
  std::string version, type, code, mid;
  in >> version >> type >> code >> mid;
  if (type.size() < 3 || code.size() < 3 || mid.size() < 3) return std::nullopt;
  p.type = type.substr(2);
  p.code = code.substr(2);
  p.mid = static_cast<unsigned>(std::strtoul(mid.c_str() + 2, nullptr, 16));
  const size_t tok_open = line.find('{');
  const size_t tok_close = line.find('}', tok_open);
  if (tok_open == std::string::npos || tok_close == std::string::npos) return std::nullopt;
  p.token = line.substr(tok_open + 1, tok_close - tok_open - 1);
  const size_t opt_open = line.find("[ ", tok_close);
  if (opt_open == std::string::npos) return std::nullopt;
  // "[ ]" when there are no options: its space also starts the closing " ]".
  const size_t opt_close = line.find(" ]", opt_open + 1);
  if (opt_close == std::string::npos) return std::nullopt;
  std::string opts =
      opt_close > opt_open + 1 ? line.substr(opt_open + 2, opt_close - opt_open - 2) : "";
  size_t start = 0;
  while (start < opts.size()) {
    size_t comma = opts.find(", ", start);
    if (comma == std::string::npos) comma = opts.size();
    p.options.push_back(opts.substr(start, comma - start));
    start = comma + 2;
  }
  const size_t payload = line.find(" :: '", opt_close);
  if (payload != std::string::npos && line.size() >= payload + 6)
    p.payload = line.substr(payload + 5, line.size() - payload - 6);
  return p;
}

}  // namespace

std::vector<LibcoapPdu> parse_libcoap_log(const std::string& log) {
  std::vector<LibcoapPdu> out;
  std::istringstream in(log);
  std::string line;
  enum class Last { other, sent, received } last = Last::other;
  while (std::getline(in, line)) {
    if (auto p = parse_pdu_line(line)) {
      if (last != Last::other) {
        p->received = last == Last::received;
        out.push_back(*p);
      }
      last = Last::other;
      continue;
    }
    if (line.find(" UDP : sent ") != std::string::npos) {
      last = Last::sent;
    } else if (line.find(" UDP : received ") != std::string::npos) {
      last = Last::received;
    } else {
      last = Last::other;
    }
  }
  return out;
}

std::optional<uint16_t> server_udp_port(const std::string& log) {
  static constexpr std::string_view kMarker = "created UDP  endpoint ";
  const size_t at = log.find(kMarker);
  if (at == std::string::npos) return std::nullopt;
  const size_t eol = log.find('\n', at);
  if (eol == std::string::npos) return std::nullopt;  // line not complete yet
  const size_t colon = log.rfind(':', eol);
  if (colon == std::string::npos || colon < at) return std::nullopt;
  const unsigned long port = std::strtoul(log.c_str() + colon + 1, nullptr, 10);
  if (port == 0 || port > 65535) return std::nullopt;
  return static_cast<uint16_t>(port);
}

std::string token_hex(ByteView token) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : token) {
    s += kDigits[b >> 4];
    s += kDigits[b & 0xF];
  }
  return s;
}

}  // namespace lwm2m::interop
