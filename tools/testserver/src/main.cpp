// SPDX-License-Identifier: Apache-2.0
// lwm2m-testserver: runs the test server (and optionally a bootstrap server) and plays a
// scenario against the first client that registers, printing each step.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "lwm2m/testserver/server.hpp"

using namespace lwm2m::testserver;
using namespace std::chrono_literals;

namespace {

const char kHelp[] = R"(Usage: lwm2m-testserver [options] [steps]

Runs an LwM2M server (libcoap) on UDP, waits for a client to register, plays the steps
against it, waits for it to de-register, and exits 0 when every step succeeded.

Options:
  --port N               LwM2M server port (default 5683; 0 picks a free one)
  --bind ADDR            bind one numeric address, e.g. 0.0.0.0 (default: 127.0.0.1 and ::1)
  --bootstrap-port N     also run a bootstrap server on port N; it deletes everything and
                         writes a Security and a Server instance pointing at this server
  --lifetime S           lifetime the bootstrap server writes (default 60)
  --psk-identity ID      DTLS with a pre-shared key (both servers); needs --psk-key
  --psk-key HEX          the key in hex, e.g. 736563726574
  --endpoint NAME        wait for this endpoint name (default: the first to register)
  --timeout S            seconds to wait for each step (default 30)
  --format F             Accept for read/observe: text, tlv, senml-json, senml-cbor,
                         lwm2m-cbor, lwm2m-json (default: none, the client chooses)
  --serve                no scenario: print every event until interrupted (Ctrl-C)
  -v, --verbose          log every CoAP message (libcoap debug output) on stderr
  -h, --help             this text

Steps (in the order given; without any, the scenario is: --read /3/0):
  --read PATH            Read, e.g. --read /3/0
  --discover PATH        Discover
  --write PATH=VALUE     Write (replace) a text value, e.g. --write /1/0/1=120
  --execute PATH         Execute, e.g. --execute /3/0/4
  --observe PATH         Observe until --notifications N arrive, then cancel (GET Observe 1)
  --notifications N      notifications for the --observe before it (default 3)
  --script FILE          steps from a file, one per line: read /3/0 | discover /3 |
                         write /1/0/1=120 | execute /3/0/4 | observe /3/0/13 3 | # comment
  --no-deregister        do not wait for the client to de-register at the end

Example: lwm2m-testserver --read /3/0 --observe /3/0/13 --notifications 3
)";

struct Step {
  std::string kind;  // read, discover, write, execute, observe
  std::string path;
  std::string value;
  int notifications = 3;
};

struct Config {
  Options server;
  std::optional<uint16_t> bootstrap_port;
  int64_t lifetime = 60;
  std::string endpoint;
  Duration timeout{30000};
  std::optional<ContentFormat> format;
  bool serve = false;
  bool wait_deregister = true;
  std::vector<Step> steps;
  std::string psk_identity;
  std::optional<Bytes> psk_key;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "lwm2m-testserver: " << message << "\n(see lwm2m-testserver --help)\n";
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

long parse_positive(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end || n <= 0) {
    usage_error(flag + " needs a positive whole number, e.g. " + flag + " 3 (got \"" + v + "\")");
  }
  return n;
}

std::optional<ContentFormat> parse_format(const std::string& v) {
  if (v == "text") return ContentFormat::text;
  if (v == "tlv") return ContentFormat::tlv;
  if (v == "senml-json") return ContentFormat::senml_json;
  if (v == "senml-cbor") return ContentFormat::senml_cbor;
  if (v == "lwm2m-cbor") return ContentFormat::lwm2m_cbor;
  if (v == "lwm2m-json") return ContentFormat::lwm2m_json;
  if (v == "opaque") return ContentFormat::opaque;
  usage_error("--format must be one of text, tlv, senml-json, senml-cbor, lwm2m-cbor, " +
              std::string("lwm2m-json, opaque (got \"") + v + "\")");
}

void check_path(const std::string& flag, const std::string& path) {
  if (path.empty() || path[0] != '/') {
    usage_error(flag + " needs an LwM2M path starting with '/', e.g. " + flag + " /3/0 (got \"" +
                path + "\")");
  }
}

Step make_step(const std::string& flag, const std::string& kind, const std::string& arg) {
  Step s;
  s.kind = kind;
  if (kind == "write") {
    size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      usage_error(flag + " needs PATH=VALUE, e.g. " + flag + " /1/0/1=120 (got \"" + arg + "\")");
    }
    s.path = arg.substr(0, eq);
    s.value = arg.substr(eq + 1);
  } else {
    s.path = arg;
  }
  check_path(flag, s.path);
  return s;
}

void load_script(const std::string& file, Config& c) {
  std::ifstream in(file);
  if (!in) usage_error("--script: cannot read \"" + file + "\"");
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream words(line);
    std::string kind, arg, extra;
    words >> kind;
    if (kind.empty() || kind[0] == '#') continue;
    words >> arg >> extra;
    std::string where = file + ":" + std::to_string(number);
    if (kind != "read" && kind != "discover" && kind != "write" && kind != "execute" &&
        kind != "observe") {
      usage_error(where + ": unknown step \"" + kind +
                  "\"; use read, discover, write, execute or observe");
    }
    Step s = make_step(where + ": " + kind, kind, arg);
    if (kind == "observe" && !extra.empty()) {
      s.notifications = static_cast<int>(parse_positive(where + ": observe", extra));
    }
    c.steps.push_back(s);
  }
}

Config parse_args(int argc, char** argv) {
  Config c;
  c.server.port = 5683;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "-h" || flag == "--help") {
      std::cout << kHelp;
      std::exit(0);
    } else if (flag == "--port") {
      c.server.port = parse_port(flag, value());
    } else if (flag == "--bind") {
      c.server.bind_address = value();
    } else if (flag == "--bootstrap-port") {
      c.bootstrap_port = parse_port(flag, value());
    } else if (flag == "--lifetime") {
      c.lifetime = parse_positive(flag, value());
    } else if (flag == "--psk-identity") {
      c.psk_identity = value();
    } else if (flag == "--psk-key") {
      std::string v = value();
      try {
        c.psk_key = from_hex(v);
      } catch (const Error&) {
        usage_error("--psk-key needs the key in hex digits, e.g. --psk-key 736563726574 (got \"" +
                    v + "\")");
      }
    } else if (flag == "--endpoint") {
      c.endpoint = value();
    } else if (flag == "--timeout") {
      c.timeout = Duration{parse_positive(flag, value()) * 1000};
    } else if (flag == "--format") {
      c.format = parse_format(value());
    } else if (flag == "--serve") {
      c.serve = true;
    } else if (flag == "-v" || flag == "--verbose") {
      c.server.verbose = true;
    } else if (flag == "--read" || flag == "--discover" || flag == "--write" ||
               flag == "--execute" || flag == "--observe") {
      c.steps.push_back(make_step(flag, flag.substr(2), value()));
    } else if (flag == "--notifications") {
      long n = parse_positive(flag, value());
      if (c.steps.empty() || c.steps.back().kind != "observe") {
        usage_error(
            "--notifications applies to an --observe given before it, e.g. "
            "--observe /3/0/13 --notifications 3");
      }
      c.steps.back().notifications = static_cast<int>(n);
    } else if (flag == "--script") {
      load_script(value(), c);
    } else if (flag == "--no-deregister") {
      c.wait_deregister = false;
    } else {
      usage_error("unknown option \"" + flag + "\"");
    }
  }
  if (c.psk_key.has_value() != !c.psk_identity.empty()) {
    usage_error("DTLS needs both --psk-identity ID and --psk-key HEX");
  }
  if (c.psk_key) c.server.psk.push_back({c.psk_identity, *c.psk_key});
  if (c.steps.empty()) c.steps.push_back(Step{"read", "/3/0", "", 3});
  return c;
}

volatile std::sig_atomic_t g_interrupted = 0;

void print_events_since(const std::vector<Event>& events, size_t& seen) {
  for (; seen < events.size(); ++seen)
    std::cout << "event: " << describe(events[seen]) << "\n";
  std::cout.flush();
}

std::string indent(const std::string& text) {
  std::string out = "   ";
  for (char ch : text) {
    out += ch;
    if (ch == '\n') out += "   ";
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg = parse_args(argc, argv);
  std::unique_ptr<Server> server;
  std::unique_ptr<BootstrapServer> bootstrap;
  try {
    server = std::make_unique<Server>(cfg.server);
    if (cfg.bootstrap_port) {
      Options bo = cfg.server;
      bo.port = *cfg.bootstrap_port;
      bootstrap = std::make_unique<BootstrapServer>(bo);
      tlv::SecurityInstance sec;
      sec.server_uri = server->uri();
      sec.short_server_id = 1;
      if (cfg.psk_key) {
        sec.security_mode = 0;
        sec.identity = to_bytes(cfg.psk_identity);
        sec.secret_key = *cfg.psk_key;
      }
      tlv::ServerInstance srv;
      srv.short_server_id = 1;
      srv.lifetime = cfg.lifetime;
      BootstrapScript script;
      script.steps.push_back(BootstrapStep::delete_path("/"));
      script.steps.push_back(BootstrapStep::write("/0", tlv::security_instance(1, sec)));
      script.steps.push_back(BootstrapStep::write("/1", tlv::server_instance(0, srv)));
      bootstrap->set_script(script);
    }
  } catch (const Error& e) {
    std::cerr << "lwm2m-testserver: " << e.what()
              << "\n(pick another port with --port, or --port 0 for a free one)\n";
    return 1;
  }
  std::cout << "LwM2M server listening on " << server->uri() << "\n";
  if (bootstrap) std::cout << "bootstrap server listening on " << bootstrap->uri() << "\n";
  std::cout.flush();

  if (cfg.serve) {
    std::signal(SIGINT, [](int) { g_interrupted = 1; });
    std::signal(SIGTERM, [](int) { g_interrupted = 1; });
    size_t seen = 0, bseen = 0;
    while (!g_interrupted) {
      std::this_thread::sleep_for(100ms);
      print_events_since(server->events(), seen);
      if (bootstrap) print_events_since(bootstrap->events(), bseen);
    }
    return 0;
  }

  int failures = 0;
  auto fail = [&](const std::string& what) {
    std::cout << "FAILED: " << what << "\n";
    std::cout.flush();
    ++failures;
  };

  std::cout << "waiting for " << (cfg.endpoint.empty() ? "a client" : cfg.endpoint)
            << " to register (timeout " << cfg.timeout.count() / 1000 << " s)\n";
  std::cout.flush();
  size_t bseen = 0;
  std::optional<ClientInfo> client;
  auto deadline = Clock::now() + cfg.timeout;
  while (!client && Clock::now() < deadline) {
    client = server->wait_registered(cfg.endpoint, 100ms);
    if (bootstrap) print_events_since(bootstrap->events(), bseen);
  }
  if (!client) {
    fail("no client registered within " + std::to_string(cfg.timeout.count() / 1000) +
         " s (is the client pointed at " + server->uri() + "?)");
    return 1;
  }
  const std::string ep = client->endpoint;
  std::cout << "registered: " << ep << " lwm2m=" << client->lwm2m_version
            << " lifetime=" << client->lifetime << " binding=" << client->binding
            << (client->queue_mode ? " queue-mode" : "") << " from " << client->address << "\n"
            << "   objects: " << client->links_raw << "\n";
  std::cout.flush();

  for (const Step& s : cfg.steps) {
    Response r;
    if (s.kind == "observe") {
      std::cout << "-> observe " << s.path << " until " << s.notifications << " notifications\n";
      std::cout.flush();
      Observation obs = server->observe(ep, s.path, cfg.format, cfg.timeout);
      std::cout << "<- " << indent(obs.response().describe()).substr(3) << "\n";
      if (!obs.established()) {
        fail("observe " + s.path + ": " + obs.response().describe());
        continue;
      }
      for (int n = 1; n <= s.notifications; ++n) {
        auto note = obs.wait_notification(cfg.timeout);
        if (!note) {
          fail("observe " + s.path + ": notification " + std::to_string(n) + " of " +
               std::to_string(s.notifications) + " did not arrive within " +
               std::to_string(cfg.timeout.count() / 1000) + " s");
          break;
        }
        std::cout << "<- notification " << n << " (Observe " << note->observe.value_or(0)
                  << "): " << note->text() << "\n";
        std::cout.flush();
      }
      std::cout << "-> cancel observe " << s.path << "\n";
      r = server->cancel_observe(obs, cfg.timeout);
      std::cout << "<- " << indent(r.describe()).substr(3) << "\n";
      if (!r.ok()) fail("cancel observe " + s.path + ": " + r.describe());
      continue;
    }
    if (s.kind == "read") {
      std::cout << "-> read " << s.path << "\n";
      std::cout.flush();
      r = server->read(ep, s.path, cfg.format, cfg.timeout);
    } else if (s.kind == "discover") {
      std::cout << "-> discover " << s.path << "\n";
      std::cout.flush();
      r = server->discover(ep, s.path, cfg.timeout);
    } else if (s.kind == "write") {
      std::cout << "-> write " << s.path << " = " << s.value << "\n";
      std::cout.flush();
      r = server->write(ep, s.path, to_bytes(s.value), ContentFormat::text, true, cfg.timeout);
    } else if (s.kind == "execute") {
      std::cout << "-> execute " << s.path << "\n";
      std::cout.flush();
      r = server->execute(ep, s.path, "", cfg.timeout);
    }
    std::cout << "<- " << indent(r.describe()).substr(3) << "\n";
    std::cout.flush();
    if (!r.ok()) fail(s.kind + " " + s.path + ": " + r.describe());
  }

  if (cfg.wait_deregister) {
    std::cout << "waiting for " << ep << " to de-register\n";
    std::cout.flush();
    if (server->wait_deregistered(ep, cfg.timeout)) {
      std::cout << "de-registered: " << ep << "\n";
    } else {
      fail(ep + " did not de-register within " + std::to_string(cfg.timeout.count() / 1000) + " s");
    }
  }
  if (failures) {
    std::cout << failures << " step(s) failed\n";
    return 1;
  }
  std::cout << "all steps succeeded\n";
  return 0;
}
