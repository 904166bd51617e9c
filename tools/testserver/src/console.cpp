// SPDX-License-Identifier: Apache-2.0
// The lwm2m-server console commands. Each bad command or argument gets one line that says
// what was expected; each request one line with its CoAP code, then the decoded payload.
#include "console.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "block_upload.hpp"
#include "render.hpp"

namespace lwm2m::testserver::console {

namespace {

const char kCommands[] =
    "list, read, write, exec, create, delete, discover, observe, cancel, attr, "
    "composite-read, push-firmware, hex, help, quit";

const char kHelp[] = R"(Commands (EP: endpoint name; PATH: /OBJECT[/INSTANCE[/RESOURCE[/RI]]]):
  list                                 registered clients (endpoint, location, lifetime, objects)
  read EP PATH [FORMAT]                Read; the value printed as a tree
  write EP PATH VALUE [FORMAT]         Write (replace) one resource; default format text;
                                       opaque values in hex; "quotes" keep spaces
  exec EP PATH [ARGS]                  Execute, e.g. exec node /3/0/4
  create EP /OBJECT[/INSTANCE] [RID=VALUE...] [FORMAT]   Create an instance (default tlv)
  delete EP PATH                       Delete an instance
  discover EP PATH                     Discover (attributes and resources)
  observe EP PATH [FORMAT]             Observe; notifications are printed as they arrive
  cancel EP PATH                       cancel an observation (GET with Observe 1)
  attr EP PATH NAME=VALUE...           Write-Attributes: pmin pmax gt lt st epmin epmax edge
                                       con hqmax; NAME alone removes it
  composite-read EP PATH... [FORMAT]   Read-Composite (FETCH with SenML paths)
  push-firmware EP FILE                Write FILE to /5/0/0 with Block1 (1024-byte blocks,
                                       smaller when the client asks with a 4.13)
  hex on|off                           also print raw payloads in hex
  help                                 this text
  quit                                 stop the server
FORMAT: text, tlv, opaque, cbor, senml-json, senml-cbor, lwm2m-json, lwm2m-cbor
)";

const char* const kAttributes[] = {"pmin",  "pmax",  "gt",   "lt",  "st",
                                   "epmin", "epmax", "edge", "con", "hqmax"};

// Thrown for a bad argument; the message is the one line the user sees.
struct Usage {
  std::string message;
};

std::optional<dm::Path> path_arg(const std::string& text) {
  auto p = dm::Path::parse(text);
  if (!p) {
    throw Usage{"\"" + text +
                "\" is not an LwM2M path; expected /OBJECT[/INSTANCE[/RESOURCE[/RI]]], "
                "e.g. /3/0/0"};
  }
  return *p;
}

ContentFormat format_arg(const std::string& text) {
  auto f = format_from_name(text);
  if (!f || *f == ContentFormat::link_format) {
    throw Usage{"\"" + text + "\" is not a content format; expected one of " +
                std::string(format_names())};
  }
  return *f;
}

void need(const std::vector<std::string>& a, size_t min, size_t max, const char* usage) {
  if (a.size() < min || a.size() > max) throw Usage{std::string("usage: ") + usage};
}

std::string header(const std::vector<std::string>& a) {
  std::string s;
  for (size_t i = 0; i < a.size() && i < 3; ++i)
    s += (i ? " " : "") + a[i];
  return s;
}

std::optional<uint32_t> uint_opt(const Response& r, uint16_t number) {
  for (const CoapOption& o : r.options) {
    if (o.number != number) continue;
    uint32_t v = 0;
    for (uint8_t b : o.value)
      v = v << 8 | b;
    return v;
  }
  return std::nullopt;
}

Bytes uint_bytes(uint32_t v) {
  Bytes b;
  for (int shift = 24; shift >= 0; shift -= 8)
    if (v >> shift || !b.empty()) b.push_back(static_cast<uint8_t>(v >> shift));
  return b;
}

}  // namespace

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::string cur;
  bool quoted = false, have = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
      have = true;
    } else if ((c == ' ' || c == '\t' || c == '\r') && !quoted) {
      if (have) words.push_back(cur);
      cur.clear();
      have = false;
    } else {
      cur += c;
      have = true;
    }
  }
  if (quoted) throw Usage{"a \" is not closed"};
  if (have) words.push_back(cur);
  return words;
}

Console::Console(std::vector<Server*> servers, BootstrapServer* bootstrap, Print print, bool hex,
                 Duration timeout)
    : servers_(std::move(servers)),
      bootstrap_(bootstrap),
      print_(std::move(print)),
      hex_(hex),
      timeout_(timeout),
      seen_(servers_.size(), 0) {}

const char* Console::help() {
  return kHelp;
}

void Console::say(const std::string& text) {
  print_(text.empty() || text.back() == '\n' ? text : text + "\n");
}

bool Console::execute(const std::string& line) {
  try {
    auto words = split_words(line);
    if (words.empty() || words[0][0] == '#') return true;
    const std::string& cmd = words[0];
    if (cmd == "quit" || cmd == "exit") {
      need(words, 1, 1, "quit");
      return false;
    }
    if (cmd == "help") {
      say(kHelp);
    } else if (cmd == "list") {
      need(words, 1, 1, "list (no arguments)");
      list();
    } else if (cmd == "read") {
      read(words);
    } else if (cmd == "write") {
      write(words);
    } else if (cmd == "exec") {
      exec(words);
    } else if (cmd == "create") {
      create(words);
    } else if (cmd == "delete") {
      remove(words);
    } else if (cmd == "discover") {
      discover(words);
    } else if (cmd == "observe") {
      observe(words);
    } else if (cmd == "cancel") {
      cancel(words);
    } else if (cmd == "attr") {
      attr(words);
    } else if (cmd == "composite-read") {
      composite_read(words);
    } else if (cmd == "push-firmware") {
      push_firmware(words);
    } else if (cmd == "hex") {
      set_hex(words);
    } else {
      throw Usage{"unknown command \"" + cmd + "\"; expected one of " + kCommands};
    }
  } catch (const Usage& u) {
    say("error: " + u.message);
  }
  return true;
}

Server* Console::server_of(const std::string& endpoint) {
  for (Server* s : servers_)
    if (s->client(endpoint)) return s;
  throw Usage{"no client \"" + endpoint + "\" is registered (list shows the registered ones)"};
}

void Console::list() {
  std::string out;
  size_t n = 0;
  for (Server* s : servers_) {
    for (const ClientInfo& c : s->clients()) {
      ++n;
      out += c.endpoint + " location=" + c.location + " lt=" + std::to_string(c.lifetime) +
             " b=" + c.binding + (c.lwm2m_version.empty() ? "" : " lwm2m=" + c.lwm2m_version) +
             (c.queue_mode ? " queue-mode" : "") + " from " + c.address + " via " + s->uri() +
             "\n  objects: " + c.links_raw + "\n";
    }
  }
  say(std::to_string(n) + " client(s) registered\n" + out);
}

void Console::read(const Args& a) {
  need(a, 3, 4, "read EP PATH [FORMAT]   e.g. read node-1 /3/0 tlv");
  path_arg(a[2]);
  std::optional<ContentFormat> accept;
  if (a.size() == 4) accept = format_arg(a[3]);
  Server* s = server_of(a[1]);
  say(header(a) + " -> " + render_response(s->read(a[1], a[2], accept, timeout_), a[2], hex_));
}

void Console::write(const Args& a) {
  need(a, 4, 5, "write EP PATH VALUE [FORMAT]   e.g. write node-1 /1/0/1 120");
  auto path = path_arg(a[2]);
  if (!path->has_resource()) {
    throw Usage{"write takes a resource path such as /1/0/1 (got " + a[2] + ")"};
  }
  ContentFormat cf = a.size() == 5 ? format_arg(a[4]) : ContentFormat::text;
  Encoded e = encode_value(*path, a[3], cf);
  if (!e.error.empty()) throw Usage{e.error};
  Server* s = server_of(a[1]);
  say(header(a) + " -> " +
      render_response(s->write(a[1], a[2], e.payload, cf, true, timeout_), a[2], hex_));
}

void Console::exec(const Args& a) {
  if (a.size() < 3) throw Usage{"usage: exec EP PATH [ARGS]   e.g. exec node-1 /3/0/4"};
  auto path = path_arg(a[2]);
  if (path->depth() != 3)
    throw Usage{"exec takes a resource path such as /3/0/4 (got " + a[2] + ")"};
  std::string args;
  for (size_t i = 3; i < a.size(); ++i)
    args += (i > 3 ? " " : "") + a[i];
  Server* s = server_of(a[1]);
  say(header(a) + " -> " + render_response(s->execute(a[1], a[2], args, timeout_), a[2], hex_));
}

void Console::create(const Args& a) {
  const char* usage =
      "create EP /OBJECT[/INSTANCE] [RID=VALUE...] [FORMAT]   e.g. "
      "create node-1 /3303 5750=kitchen";
  if (a.size() < 3) throw Usage{std::string("usage: ") + usage};
  auto path = path_arg(a[2]);
  if (path->depth() < 1 || path->depth() > 2) {
    throw Usage{"create takes an object or a new instance path such as /3303 or /3303/5 (got " +
                a[2] + ")"};
  }
  ContentFormat cf = ContentFormat::tlv;
  std::vector<std::pair<dm::ResourceId, std::string>> resources;
  for (size_t i = 3; i < a.size(); ++i) {
    size_t eq = a[i].find('=');
    if (eq == std::string::npos) {
      if (i + 1 == a.size()) {
        cf = format_arg(a[i]);
        continue;
      }
      throw Usage{"create expects RID=VALUE, e.g. 5750=kitchen (got \"" + a[i] + "\")"};
    }
    char* end = nullptr;
    std::string id = a[i].substr(0, eq);
    unsigned long rid = std::strtoul(id.c_str(), &end, 10);
    if (id.empty() || *end || rid > 65534) {
      throw Usage{"create expects a resource id before '=', e.g. 5750=kitchen (got \"" + a[i] +
                  "\")"};
    }
    resources.emplace_back(static_cast<dm::ResourceId>(rid), a[i].substr(eq + 1));
  }
  std::optional<dm::InstanceId> iid;
  if (path->depth() == 2) iid = path->instance();
  Encoded e = encode_instance(path->object(), iid, resources, cf);
  if (!e.error.empty()) throw Usage{e.error};
  Server* s = server_of(a[1]);
  std::string object = "/" + std::to_string(path->object());
  Response r = s->create(a[1], object, e.payload, cf, timeout_);
  std::string location;
  for (const CoapOption& o : r.options)
    if (o.number == 8) location += "/" + std::string(o.value.begin(), o.value.end());
  say(header(a) + " -> " + render_response(r, object, hex_) +
      (location.empty() ? "" : "  created " + location + "\n"));
}

void Console::remove(const Args& a) {
  need(a, 3, 3, "delete EP PATH   e.g. delete node-1 /3303/1");
  path_arg(a[2]);
  Server* s = server_of(a[1]);
  say(header(a) + " -> " + render_response(s->del(a[1], a[2], timeout_), a[2], hex_));
}

void Console::discover(const Args& a) {
  need(a, 3, 3, "discover EP PATH   e.g. discover node-1 /3");
  path_arg(a[2]);
  Server* s = server_of(a[1]);
  say(header(a) + " -> " + render_response(s->discover(a[1], a[2], timeout_), a[2], hex_));
}

void Console::observe(const Args& a) {
  need(a, 3, 4, "observe EP PATH [FORMAT]   e.g. observe node-1 /3303/0/5700");
  path_arg(a[2]);
  std::optional<ContentFormat> accept;
  if (a.size() == 4) accept = format_arg(a[3]);
  Server* s = server_of(a[1]);
  {
    std::lock_guard<std::mutex> lock(watch_mutex_);
    for (const Watched& w : watched_) {
      if (w.endpoint == a[1] && w.path == a[2]) {
        throw Usage{"already observing " + a[2] + " on " + a[1] + "; cancel it first"};
      }
    }
  }
  Observation o = s->observe(a[1], a[2], accept, timeout_);
  say(header(a) + " -> " + render_response(o.response(), a[2], hex_) +
      (o.established() ? "" : "  (no observation: the answer carries no Observe option)\n"));
  if (!o.established()) return;
  std::lock_guard<std::mutex> lock(watch_mutex_);
  watched_.push_back(Watched{a[1], a[2], s, o, 0});
}

void Console::cancel(const Args& a) {
  need(a, 3, 3, "cancel EP PATH   e.g. cancel node-1 /3303/0/5700");
  Watched w;
  {
    std::lock_guard<std::mutex> lock(watch_mutex_);
    auto it = std::find_if(watched_.begin(), watched_.end(),
                           [&](const Watched& x) { return x.endpoint == a[1] && x.path == a[2]; });
    if (it == watched_.end()) {
      throw Usage{"no observation of " + a[2] + " on " + a[1] + " (observe starts one)"};
    }
    w = *it;
    watched_.erase(it);
  }
  poll();  // what arrived before the cancel is printed before its answer
  say(header(a) + " -> " +
      render_response(w.server->cancel_observe(w.observation, timeout_), a[2], hex_));
}

void Console::attr(const Args& a) {
  if (a.size() < 4)
    throw Usage{"usage: attr EP PATH NAME=VALUE...   e.g. attr node-1 /3303/0/5700 pmin=1 pmax=5"};
  path_arg(a[2]);
  std::string query;
  for (size_t i = 3; i < a.size(); ++i) {
    size_t eq = a[i].find('=');
    std::string name = a[i].substr(0, eq);
    if (std::find(std::begin(kAttributes), std::end(kAttributes), name) == std::end(kAttributes)) {
      throw Usage{"\"" + name +
                  "\" is not an attribute; expected pmin, pmax, gt, lt, st, epmin, "
                  "epmax, edge, con or hqmax"};
    }
    if (eq != std::string::npos) {
      std::string v = a[i].substr(eq + 1);
      char* end = nullptr;
      std::strtod(v.c_str(), &end);
      if (v.empty() || *end)
        throw Usage{name + " takes a number, e.g. " + name + "=5 (got \"" + v + "\")"};
    }
    query += (query.empty() ? "" : "&") + a[i];
  }
  Server* s = server_of(a[1]);
  say(header(a) + " -> " +
      render_response(s->write_attributes(a[1], a[2], query, timeout_), a[2], hex_));
}

void Console::composite_read(const Args& a) {
  if (a.size() < 3)
    throw Usage{
        "usage: composite-read EP PATH... [FORMAT]   e.g. composite-read node-1 /3/0/0 "
        "/3303/0/5700"};
  std::vector<dm::Path> paths;
  std::optional<ContentFormat> accept;
  for (size_t i = 2; i < a.size(); ++i) {
    if (i + 1 == a.size() && i > 2 && a[i][0] != '/') {
      accept = format_arg(a[i]);
    } else {
      paths.push_back(*path_arg(a[i]));
    }
  }
  ContentFormat request =
      accept && (*accept == ContentFormat::senml_cbor || *accept == ContentFormat::lwm2m_cbor)
          ? ContentFormat::senml_cbor
          : ContentFormat::senml_json;
  Encoded e = encode_paths(paths, request);
  if (!e.error.empty()) throw Usage{e.error};
  Server* s = server_of(a[1]);
  std::string head = a[0] + " " + a[1];
  say(head + " -> " +
      render_response(s->read_composite(a[1], e.payload, request, accept, timeout_), "/", hex_));
}

void Console::push_firmware(const Args& a) {
  need(a, 3, 3, "push-firmware EP FILE   e.g. push-firmware node-1 firmware.bin");
  std::ifstream in(a[2], std::ios::binary);
  if (!in) throw Usage{"cannot read \"" + a[2] + "\" (push-firmware needs a readable file)"};
  Bytes image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Server* s = server_of(a[1]);
  say(header(a) + ": " + std::to_string(image.size()) + " bytes to /5/0/0");
  BlockUpload upload(image.size());
  Response r;
  bool more = true;
  while (more) {
    const BlockOption b = upload.block();
    Request req;
    req.method = coap_code(0, 3);
    req.path = "/5/0/0";
    req.content_format = ContentFormat::opaque;
    req.payload.assign(image.begin() + static_cast<long>(upload.offset()),
                       image.begin() + static_cast<long>(upload.offset() + upload.length()));
    req.options.push_back(CoapOption{27, uint_bytes(b.encode())});
    if (b.num == 0)
      req.options.push_back(CoapOption{60, uint_bytes(static_cast<uint32_t>(image.size()))});
    r = s->send_request(a[1], req, timeout_);
    if (!r.received()) {
      say("  block " + std::to_string(b.num) + " (" + std::to_string(b.size()) +
          "-byte blocks): " + r.describe());
      return;
    }
    more = upload.on_response(r.code, uint_opt(r, 27), uint_opt(r, 60));
    if (r.code == coap_code(4, 13) && more) {
      say("  block " + std::to_string(b.num) + " of " + std::to_string(b.size()) +
          " bytes -> 4.13; the client asks for " + std::to_string(upload.block().size()) +
          "-byte blocks");
    }
  }
  if (upload.done()) {
    say("push-firmware " + a[1] + " -> " + r.code_string() + " (" + std::to_string(image.size()) +
        " bytes in " + std::to_string(upload.blocks_sent()) + " requests)");
  } else {
    say("push-firmware " + a[1] + " -> " + render_response(r, "/5/0/0", hex_) +
        "  failed: " + upload.failure());
  }
}

void Console::set_hex(const Args& a) {
  if (a.size() != 2 || (a[1] != "on" && a[1] != "off")) throw Usage{"usage: hex on|off"};
  hex_ = a[1] == "on";
  say(std::string("raw payloads in hex: ") + (hex_ ? "on" : "off"));
}

void Console::poll() {
  std::lock_guard<std::mutex> polling(poll_mutex_);
  // Events of every listener in the order they happened (a bootstrap is finished before
  // the registration it leads to).
  std::vector<std::pair<Clock::time_point, std::string>> lines;
  for (size_t i = 0; i < servers_.size(); ++i) {
    const auto events = servers_[i]->events_since(seen_[i]);
    for (const Event& e : events) {
      ++seen_[i];
      if (e.kind == Event::Kind::send) {
        lines.emplace_back(
            e.time,
            "send from " + e.endpoint + " -> " + code_string(e.code) + " (" +
                (e.content_format ? format_name(*e.content_format) : std::string("no format")) +
                ", " + std::to_string(e.payload.size()) + " bytes)\n" +
                render_payload(e.content_format, e.payload, "/", hex_, "  "));
      } else {
        lines.emplace_back(e.time, describe(e));
      }
    }
  }
  if (bootstrap_) {
    auto events = bootstrap_->events();
    for (; bootstrap_seen_ < events.size(); ++bootstrap_seen_)
      lines.emplace_back(events[bootstrap_seen_].time, describe(events[bootstrap_seen_]));
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& l : lines)
    say(l.second);
  std::lock_guard<std::mutex> lock(watch_mutex_);
  for (Watched& w : watched_) {
    auto notes = w.observation.notifications();
    for (; w.printed < notes.size(); ++w.printed) {
      const Notification& n = notes[w.printed];
      Response r;
      r.outcome = Response::Outcome::response;
      r.code = n.code;
      r.content_format = n.content_format;
      r.payload = n.payload;
      say("notification " + w.endpoint + " " + w.path + " #" + std::to_string(w.printed + 1) +
          " (Observe " + std::to_string(n.observe.value_or(0)) + ") -> " +
          render_response(r, w.path, hex_));
    }
  }
}

}  // namespace lwm2m::testserver::console
