// SPDX-License-Identifier: Apache-2.0
// lwm2m-server: an interactive LwM2M Server (UDP and DTLS PSK) and Bootstrap Server on
// libcoap, driven by console commands on stdin (a terminal or a pipe).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "bootstrap_file.hpp"
#include "console.hpp"
#include "lwm2m/testserver/server.hpp"

using namespace lwm2m::testserver;
using namespace std::chrono_literals;

namespace {

const char kUsage[] = R"(Usage: lwm2m-server [options]

An LwM2M Server for trying a client by hand or from a script: it listens on UDP (and on
DTLS with pre-shared keys when given any), keeps every registration while it runs, and reads
commands from stdin, one per line (type help). Replies show the CoAP code and the payload
decoded as a tree of paths and values; registrations, notifications and Send data are
printed as they arrive. A prompt is shown only when stdin is a terminal; end of input or
"quit" stops the server.

Options:
  --port N               UDP port (default 5683; 0 picks a free one)
  --bind ADDR            bind one numeric address, e.g. 0.0.0.0 (default: 127.0.0.1 and ::1)
  --psk-identity ID      accept DTLS clients with this identity (with --psk-key; repeatable)
  --psk-identity-prefix P
                         accept DTLS clients whose identity starts with P (with --psk-key;
                         repeatable), e.g. a whole lwm2m-fleet: --psk-identity-prefix
                         fleet- --psk-key HEX takes fleet-0, fleet-1, ... with that key
                         (an identity given exactly keeps its own key)
  --psk-key HEX          the key of the --psk-identity or --psk-identity-prefix before it, in
                         hex, e.g. 736563726574
  --psk-file FILE        identities and keys, one "IDENTITY HEXKEY" per line, # comments
  --dtls-port N          DTLS port when any PSK is given (default 5684; 0 picks a free one)
  --bootstrap FILE       also run a Bootstrap Server configured by FILE (format below)
  --bootstrap-port N     its UDP port (default 5783; 0 picks a free one)
  --timeout S            seconds to wait for each answer (default 10)
  --hex                  also print every payload's raw bytes in hex
  -v, --verbose          log every CoAP message (libcoap) on stderr
  -h, --help             this text

)";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "lwm2m-server: " << message << "\n(see lwm2m-server --help)\n";
  std::exit(2);
}

uint16_t parse_port(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end || n < 0 || n > 65535) {
    usage_error(flag + " needs a port number 0-65535, e.g. " + flag + " 5683 (got \"" + v + "\")");
  }
  return static_cast<uint16_t>(n);
}

Bytes parse_key(const std::string& where, const std::string& v) {
  try {
    Bytes key = from_hex(v);
    if (!key.empty()) return key;
  } catch (const Error&) {
  }
  usage_error(where + " needs the key in hex digits, e.g. 736563726574 (got \"" + v + "\")");
}

std::string read_file(const std::string& flag, const std::string& name) {
  std::ifstream in(name);
  if (!in) usage_error(flag + ": cannot read \"" + name + "\"");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void load_psk_file(const std::string& name, std::vector<PskCredential>& out) {
  std::istringstream in(read_file("--psk-file", name));
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string id, key, extra;
    words >> id >> key >> extra;
    if (id.empty()) continue;
    std::string where = name + ":" + std::to_string(number);
    if (key.empty() || !extra.empty()) usage_error(where + ": expected \"IDENTITY HEXKEY\"");
    out.push_back({id, parse_key(where, key)});
  }
  if (out.empty()) usage_error("--psk-file " + name + " lists no \"IDENTITY HEXKEY\" line");
}

bool numeric_address(const std::string& a) {
  in6_addr buf;
  return inet_pton(AF_INET, a.c_str(), &buf) == 1 || inet_pton(AF_INET6, a.c_str(), &buf) == 1;
}

// libcoap binds with SO_REUSEADDR, so a second server on a taken UDP port would start and
// share (steal) the first one's datagrams. A plain bind tells whether the port is free.
bool udp_port_in_use(const std::string& address, uint16_t port) {
  if (port == 0) return false;
  std::string host = address.empty() ? "127.0.0.1" : address;
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    return false;
  }
  int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  bool in_use = bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno == EADDRINUSE;
  close(fd);
  return in_use;
}

struct Config {
  Options udp;
  std::vector<PskCredential> psk;
  uint16_t dtls_port = 5684;
  std::optional<std::string> bootstrap_file;
  uint16_t bootstrap_port = 5783;
  Duration timeout{10000};
  bool hex = false;
};

Config parse_args(int argc, char** argv) {
  Config c;
  c.udp.port = 5683;
  std::optional<std::string> pending_identity;
  bool pending_prefix = false;  // the pending identity came from --psk-identity-prefix
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "-h" || flag == "--help") {
      std::cout << kUsage << lwm2m::testserver::console::Console::help() << "\n"
                << lwm2m::testserver::console::kBootstrapFileHelp;
      std::exit(0);
    } else if (flag == "--port") {
      c.udp.port = parse_port(flag, value());
    } else if (flag == "--bind") {
      c.udp.bind_address = value();
      if (!numeric_address(c.udp.bind_address)) {
        usage_error("--bind needs a numeric IPv4 or IPv6 address, e.g. 0.0.0.0 or :: (got \"" +
                    c.udp.bind_address + "\")");
      }
    } else if (flag == "--psk-identity" || flag == "--psk-identity-prefix") {
      if (pending_identity)
        usage_error((pending_prefix ? "--psk-identity-prefix " : "--psk-identity ") +
                    *pending_identity + " has no --psk-key");
      pending_identity = value();
      pending_prefix = flag == "--psk-identity-prefix";
      if (pending_identity->empty()) usage_error(flag + " needs a non-empty identity");
    } else if (flag == "--psk-key") {
      if (!pending_identity)
        usage_error("--psk-key needs a --psk-identity before it (or a --psk-identity-prefix)");
      c.psk.push_back({*pending_identity, parse_key(flag, value()), pending_prefix});
      pending_identity.reset();
    } else if (flag == "--psk-file") {
      load_psk_file(value(), c.psk);
    } else if (flag == "--dtls-port") {
      c.dtls_port = parse_port(flag, value());
    } else if (flag == "--bootstrap") {
      c.bootstrap_file = value();
    } else if (flag == "--bootstrap-port") {
      c.bootstrap_port = parse_port(flag, value());
    } else if (flag == "--timeout") {
      std::string v = value();
      char* end = nullptr;
      long s = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || s <= 0) {
        usage_error("--timeout needs seconds > 0, e.g. --timeout 10 (got \"" + v + "\")");
      }
      c.timeout = Duration{s * 1000};
    } else if (flag == "--hex") {
      c.hex = true;
    } else if (flag == "-v" || flag == "--verbose") {
      c.udp.verbose = true;
    } else {
      usage_error("unknown option \"" + flag + "\"");
    }
  }
  if (pending_identity)
    usage_error((pending_prefix ? "--psk-identity-prefix " : "--psk-identity ") +
                *pending_identity + " has no --psk-key");
  c.udp.request_timeout = c.timeout;
  return c;
}

// One writer at a time: command replies and the watcher's events never interleave mid-line.
std::mutex g_out;
void print(const std::string& text) {
  std::lock_guard<std::mutex> lock(g_out);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg = parse_args(argc, argv);
  namespace con = lwm2m::testserver::console;
  std::optional<con::BootstrapFile> bs_file;
  if (cfg.bootstrap_file) {
    bs_file = con::parse_bootstrap_file(read_file("--bootstrap", *cfg.bootstrap_file),
                                        *cfg.bootstrap_file);
    if (!bs_file->error.empty()) usage_error(bs_file->error);
  }
  const std::pair<const char*, uint16_t> ports[] = {
      {"UDP port (--port)", cfg.udp.port},
      {"DTLS port (--dtls-port)", cfg.psk.empty() ? uint16_t{0} : cfg.dtls_port},
      {"bootstrap port (--bootstrap-port)", bs_file ? cfg.bootstrap_port : uint16_t{0}}};
  for (const auto& [name, port] : ports) {
    if (udp_port_in_use(cfg.udp.bind_address, port)) {
      std::cerr << "lwm2m-server: " << name << " " << port
                << " is in use (another server?); pick another, or 0 for a free one\n";
      return 1;
    }
  }
  std::unique_ptr<Server> udp, dtls;
  std::unique_ptr<BootstrapServer> bootstrap;
  std::string what = "UDP port " + std::to_string(cfg.udp.port);
  try {
    udp = std::make_unique<Server>(cfg.udp);
    if (!cfg.psk.empty()) {
      what = "DTLS port " + std::to_string(cfg.dtls_port);
      Options o = cfg.udp;
      o.port = cfg.dtls_port;
      o.psk = cfg.psk;
      dtls = std::make_unique<Server>(o);
    }
    if (bs_file) {
      what = "bootstrap port " + std::to_string(cfg.bootstrap_port);
      Options o = cfg.udp;
      o.port = cfg.bootstrap_port;
      bootstrap = std::make_unique<BootstrapServer>(o);
      bootstrap->set_script(bs_file->script);
    }
  } catch (const Error& e) {
    std::cerr << "lwm2m-server: " << what << ": " << e.what()
              << "\n(pick another port, or 0 for a free one)\n";
    return 1;
  }
  print("LwM2M server listening on " + udp->uri() + "\n");
  if (dtls) {
    size_t prefixes = 0;
    for (const PskCredential& p : cfg.psk)
      prefixes += p.prefix ? 1 : 0;
    std::string what_psk = std::to_string(cfg.psk.size() - prefixes) + " identities";
    if (prefixes > 0) what_psk += ", " + std::to_string(prefixes) + " identity prefixes";
    print("LwM2M server listening on " + dtls->uri() + " (DTLS PSK, " + what_psk + ")\n");
  }
  if (bootstrap) {
    print("bootstrap server listening on " + bootstrap->uri() + " (" +
          std::to_string(bs_file->servers) + " server(s) from " + *cfg.bootstrap_file + ")\n");
  }
  std::vector<Server*> servers{udp.get()};
  if (dtls) servers.push_back(dtls.get());
  con::Console console(servers, bootstrap.get(), print, cfg.hex, cfg.timeout);

  // Events and notifications are printed while a command waits for its answer, too.
  std::atomic<bool> stop{false};
  std::thread watcher([&] {
    while (!stop) {
      console.poll();
      std::this_thread::sleep_for(50ms);
    }
  });
  const bool terminal = isatty(STDIN_FILENO) != 0;
  if (terminal) print("type help for the commands\n");
  std::string line;
  while (true) {
    if (terminal) print("> ");
    if (!std::getline(std::cin, line)) break;
    if (!console.execute(line)) break;
  }
  console.poll();
  stop = true;
  watcher.join();
  return 0;
}
