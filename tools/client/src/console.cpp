// SPDX-License-Identifier: Apache-2.0
#include "console.hpp"

#include <cstdarg>
#include <cstring>
#include <sstream>

#include "lwm2m/dm/slot_object.hpp"

namespace lwm2m::client_tool {
namespace {

constexpr dm::ResourceId kSensorValue = 5700;

constexpr const char* kCommands =
    "get, set, send, update, deregister, register, bootstrap, status, objects, help, quit";

TimePoint now() {
  auto t = std::chrono::steady_clock::now().time_since_epoch();
  return TimePoint{std::chrono::duration_cast<Duration>(t)};
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

std::string path_text(const dm::Path& p) {
  char buf[dm::Path::kMaxTextLength + 1];
  size_t n = p.format(buf);
  return std::string(buf, n);
}

std::string value_text(const dm::Value& v) {
  char buf[64];
  switch (v.type()) {
    case dm::DataType::string:
    case dm::DataType::corelnk:
      return "\"" + std::string(v.as_string()) + "\"";
    case dm::DataType::integer:
    case dm::DataType::time:
      return std::to_string(v.as_integer());
    case dm::DataType::unsigned_integer:
      return std::to_string(v.as_unsigned());
    case dm::DataType::floating:
      std::snprintf(buf, sizeof buf, "%.15g", v.as_float());
      return buf;
    case dm::DataType::boolean:
      return v.as_bool() ? "true" : "false";
    case dm::DataType::objlnk:
      return std::to_string(v.as_objlnk().object_id) + ":" +
             std::to_string(v.as_objlnk().instance_id);
    case dm::DataType::opaque: {
      std::string s = "0x";
      for (uint8_t b : v.as_bytes()) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        s += buf;
      }
      return s;
    }
    default:
      return "(no value)";
  }
}

// `text` as a value of type `t`; nullopt (and `expected` set) when it is not one.
std::optional<dm::Value> parse_value(const std::string& text, dm::DataType t,
                                     std::vector<uint8_t>& bytes, std::string& expected) {
  char* end = nullptr;
  errno = 0;
  switch (t) {
    case dm::DataType::string:
      return dm::Value::string(text);
    case dm::DataType::integer:
    case dm::DataType::time: {
      long long n = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end || errno) break;
      return t == dm::DataType::time ? dm::Value::time(n) : dm::Value::integer(n);
    }
    case dm::DataType::unsigned_integer: {
      unsigned long long n = std::strtoull(text.c_str(), &end, 10);
      if (text.empty() || *end || errno || text[0] == '-') break;
      return dm::Value::unsigned_integer(n);
    }
    case dm::DataType::floating: {
      double d = std::strtod(text.c_str(), &end);
      if (text.empty() || *end || errno) break;
      return dm::Value::floating(d);
    }
    case dm::DataType::boolean:
      if (text == "true" || text == "1") return dm::Value::boolean(true);
      if (text == "false" || text == "0") return dm::Value::boolean(false);
      break;
    case dm::DataType::opaque: {
      std::string h = text.rfind("0x", 0) == 0 ? text.substr(2) : text;
      if (h.size() % 2) break;
      bytes.clear();
      for (size_t i = 0; i < h.size(); i += 2) {
        unsigned b = 0;
        if (std::sscanf(h.c_str() + i, "%2x", &b) != 1) return std::nullopt;
        bytes.push_back(static_cast<uint8_t>(b));
      }
      return dm::Value::opaque({bytes.data(), bytes.size()});
    }
    case dm::DataType::objlnk: {
      unsigned o = 0, i = 0;
      char tail = 0;
      if (std::sscanf(text.c_str(), "%u:%u%c", &o, &i, &tail) != 2 || o > 65535 || i > 65535) break;
      return dm::Value::objlnk(static_cast<uint16_t>(o), static_cast<uint16_t>(i));
    }
    default:
      break;
  }
  switch (t) {
    case dm::DataType::integer:
    case dm::DataType::time:
      expected = "an integer, e.g. 42";
      break;
    case dm::DataType::unsigned_integer:
      expected = "an unsigned integer, e.g. 42";
      break;
    case dm::DataType::floating:
      expected = "a number, e.g. 21.5";
      break;
    case dm::DataType::boolean:
      expected = "true or false";
      break;
    case dm::DataType::opaque:
      expected = "hex bytes, e.g. 0x0102ff";
      break;
    case dm::DataType::objlnk:
      expected = "an object link OBJECT:INSTANCE, e.g. 3:0";
      break;
    default:
      expected = "nothing: it cannot be set";
  }
  return std::nullopt;
}

// Prints every readable value under `path` (object, instance, resource or resource
// instance) from the client's objects; the caller holds the runner's lock.
void print_values(std::FILE* out, dm::Object& o, const dm::Path& path, size_t& printed) {
  uint8_t scratch[512];
  for (size_t k = 0; k < o.instance_count(); ++k) {
    const dm::InstanceId iid = o.instance_at(k);
    if (path.has_instance() && path.instance() != iid) continue;
    for (const dm::ResourceDef& r : o.def().resources) {
      if (path.has_resource() && path.resource() != r.id) continue;
      if (!r.readable() || !o.has_resource(iid, r.id)) continue;
      auto one = [&](dm::ResourceInstanceId riid) {
        dm::Path p = riid == dm::kInvalidId ? dm::Path(o.def().id, iid, r.id)
                                            : dm::Path(o.def().id, iid, r.id, riid);
        auto v = o.read(iid, r.id, riid, scratch);
        std::fprintf(
            out, "%s = %s\n", path_text(p).c_str(),
            v ? value_text(*v).c_str() : (std::string("(") + to_string(v.error()) + ")").c_str());
        ++printed;
      };
      if (!r.multiple) {
        one(dm::kInvalidId);
        continue;
      }
      for (size_t j = 0; j < o.resource_instance_count(iid, r.id); ++j) {
        dm::ResourceInstanceId riid = o.resource_instance_at(iid, r.id, j);
        if (path.has_resource_instance() && path.resource_instance() != riid) continue;
        one(riid);
      }
    }
  }
}

}  // namespace

objects::IpsoSensorObject* Console::sensor(dm::ObjectId id) const {
  for (objects::IpsoSensorObject* s : sensors_)
    if (s->def().id == id) return s;
  return nullptr;
}

Console::Result Console::fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(err_, fmt, ap);
  va_end(ap);
  std::fputc('\n', err_);
  std::fflush(err_);
  return Result::failed;
}

Console::Result Console::execute(const std::string& line) {
  const std::vector<std::string> args = words(line);
  if (args.empty() || args[0][0] == '#') return Result::ok;
  const std::string& cmd = args[0];
  auto no_args = [&]() -> bool {
    if (args.size() == 1) return true;
    fail("%s: takes no argument (got \"%s\")", cmd.c_str(), args[1].c_str());
    return false;
  };
  Result r = Result::ok;
  if (cmd == "get") {
    r = get(args);
  } else if (cmd == "set") {
    r = set(args, line);
  } else if (cmd == "send") {
    r = send(args);
  } else if (cmd == "update") {
    r = no_args() ? update() : Result::failed;
  } else if (cmd == "deregister") {
    if (!no_args()) return Result::failed;
    runner_.locked([](core::Client& c) { c.stop(now()); });
    std::fprintf(out_, "deregister: de-registering from every server\n");
  } else if (cmd == "register") {
    if (!no_args()) return Result::failed;
    std::string busy;
    Status st = runner_.locked([&](core::Client& c) -> Status {
      // start() picks up the accounts that are idle (after deregister) or failed.
      for (size_t i = 0; i < c.server_count(); ++i) {
        core::ServerStatus s = c.server_status(i);
        const bool restartable = !std::strcmp(s.state, "idle") || !std::strcmp(s.state, "failed");
        if (!s.bootstrap && !restartable)
          busy = "server " + std::to_string(s.ssid) + " is " + s.state;
      }
      return busy.empty() ? c.start(now()) : Status{};
    });
    if (!busy.empty())
      return fail(
          "register: %s; expected every server idle (after deregister) or failed (status shows "
          "them)",
          busy.c_str());
    if (!st) return fail("register: cannot start: %s", to_string(st.error()));
    std::fprintf(out_, "register: registering with every server\n");
  } else if (cmd == "bootstrap") {
    if (!no_args()) return Result::failed;
    runner_.locked([](core::Client& c) { c.request_bootstrap(now()); });
    std::fprintf(out_, "bootstrap: requested\n");
  } else if (cmd == "status") {
    r = no_args() ? status() : Result::failed;
  } else if (cmd == "objects") {
    r = no_args() ? objects() : Result::failed;
  } else if (cmd == "help") {
    std::fprintf(out_, "commands: %s (lwm2m-client --help explains each)\n", kCommands);
  } else if (cmd == "quit" || cmd == "exit") {
    return no_args() ? Result::quit : Result::failed;
  } else {
    return fail("unknown command \"%s\": expected one of %s", cmd.c_str(), kCommands);
  }
  std::fflush(out_);
  return r;
}

Console::Result Console::get(const std::vector<std::string>& args) {
  if (args.size() != 2) return fail("get: expected one path, e.g. get /3303/0/5700");
  auto path = dm::Path::parse(args[1]);
  if (!path || path->is_root())
    return fail("get: \"%s\" is not a path; expected /OBJECT[/INSTANCE[/RESOURCE]], e.g. /3/0",
                args[1].c_str());
  size_t printed = 0;
  bool found = runner_.locked([&](core::Client& c) {
    dm::Object* o = c.registry().find(path->object());
    if (!o) return false;
    print_values(out_, *o, *path, printed);
    return true;
  });
  if (!found) return fail("get: no object %u (the command objects lists them)", path->object());
  if (printed == 0) return fail("get: nothing readable at %s", args[1].c_str());
  return Result::ok;
}

Console::Result Console::set(const std::vector<std::string>& args, const std::string& line) {
  if (args.size() < 3)
    return fail("set: expected a resource path and a value, e.g. set /3303/0/5700 22.5");
  auto path = dm::Path::parse(args[1]);
  if (!path || path->depth() != 3)
    return fail(
        "set: \"%s\" is not a resource path; expected /OBJECT/INSTANCE/RESOURCE, e.g. /3303/0/5700",
        args[1].c_str());
  // The value is the rest of the line (strings may have spaces).
  size_t at = line.find(args[1]) + args[1].size();
  at = line.find_first_not_of(" \t", at);
  std::string text = line.substr(at);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r' || text.back() == '\t'))
    text.pop_back();
  std::string problem;
  runner_.locked([&](core::Client& c) {
    dm::Object* o = c.registry().find(path->object());
    const dm::ResourceDef* def = c.registry().resource_def(*path);
    if (!o || !def) {
      problem = "no resource " + args[1] + " (the command objects lists the objects)";
      return;
    }
    if (def->multiple || def->type == dm::DataType::none) {
      problem = args[1] + " is " + (def->multiple ? "a multiple resource" : "executable") +
                ": only single values can be set";
      return;
    }
    std::vector<uint8_t> bytes;
    std::string expected;
    auto v = parse_value(text, def->type, bytes, expected);
    if (!v) {
      problem = args[1] + " is " + dm::to_string(def->type) + ": expected " + expected;
      return;
    }
    // A sensor's value is a measurement (Min/Max Measured follow; the object notifies);
    // anything else is written as a server would, in a transaction of its own so that the
    // object keeps it, and observers are told.
    if (objects::IpsoSensorObject* s = sensor(path->object());
        s && path->resource() == kSensorValue) {
      Status st = s->set_value(path->instance(), v->as_float());
      if (!st) problem = args[1] + " cannot be set: " + to_string(st.error());
      return;
    }
    Status st = o->transaction_begin();
    if (st) st = o->write(path->instance(), path->resource(), dm::kInvalidId, *v);
    if (st) st = o->transaction_validate();
    if (!st) {
      o->transaction_rollback();
      problem = args[1] + " cannot be set: " + to_string(st.error());
      return;
    }
    o->transaction_commit();
    c.registry().value_changed(*path);
  });
  if (!problem.empty()) return fail("set: %s", problem.c_str());
  std::fprintf(out_, "set: %s = %s\n", args[1].c_str(), text.c_str());
  return Result::ok;
}

Console::Result Console::send(const std::vector<std::string>& args) {
  if (args.size() < 2) return fail("send: expected one or more paths, e.g. send /3303/0/5700");
  std::vector<dm::Path> paths;
  for (size_t i = 1; i < args.size(); ++i) {
    auto p = dm::Path::parse(args[i]);
    if (!p || p->is_root())
      return fail(
          "send: \"%s\" is not a path; expected /OBJECT/INSTANCE/RESOURCE, e.g. /3303/0/5700",
          args[i].c_str());
    paths.push_back(*p);
  }
  uint16_t ssid = 0;
  Status st = runner_.locked([&](core::Client& c) -> Status {
    for (size_t i = 0; i < c.server_count(); ++i) {
      core::ServerStatus s = c.server_status(i);
      if (!s.bootstrap && s.registered) {
        ssid = s.ssid;
        break;
      }
    }
    if (!ssid) return Errc::invalid_state;
    return c.send(ssid, paths, now());
  });
  if (!ssid) return fail("send: not registered with any server (status shows the servers)");
  if (!st)
    return fail("send: refused: %s (the server's Mute Send, /1/x/23, or a Send in flight?)",
                to_string(st.error()));
  std::fprintf(out_, "send: sent to server %u\n", ssid);
  return Result::ok;
}

Console::Result Console::update() {
  size_t n = runner_.locked([](core::Client& c) {
    size_t count = 0;
    for (size_t i = 0; i < c.server_count(); ++i) {
      core::ServerStatus s = c.server_status(i);
      if (s.bootstrap || !s.registered) continue;
      c.request_update(s.ssid, now());
      ++count;
    }
    return count;
  });
  if (n == 0) return fail("update: not registered with any server (status shows the servers)");
  std::fprintf(out_, "update: sent to %zu server(s)\n", n);
  return Result::ok;
}

Console::Result Console::status() {
  runner_.locked([&](core::Client& c) {
    const TimePoint t = now();
    if (c.server_count() == 0) std::fprintf(out_, "status: no server configured\n");
    for (size_t i = 0; i < c.server_count(); ++i) {
      core::ServerStatus s = c.server_status(i);
      std::string due = "none";
      if (s.next_due != kNever) {
        auto ms = std::chrono::duration_cast<Duration>(s.next_due - t).count();
        due = ms <= 0 ? "now" : "in " + std::to_string((ms + 999) / 1000) + " s";
      }
      if (s.bootstrap) {
        std::fprintf(out_, "bootstrap server: %s, next request %s\n", s.state, due.c_str());
        continue;
      }
      std::string location = s.location.empty() ? "none" : "/" + std::string(s.location);
      std::fprintf(out_, "server %u: %s, location %s, lifetime %u s, next %s %s%s\n", s.ssid,
                   s.state, location.c_str(), s.lifetime_s,
                   s.registered ? "Update" : "Register attempt", due.c_str(),
                   s.asleep ? ", asleep (queue mode)" : "");
    }
  });
  return Result::ok;
}

Console::Result Console::objects() {
  runner_.locked([&](core::Client& c) {
    for (dm::Object* o : c.registry().objects()) {
      std::string ids;
      for (size_t k = 0; k < o->instance_count(); ++k)
        ids += (ids.empty() ? "" : " ") + std::to_string(o->instance_at(k));
      std::fprintf(out_, "/%u %.*s: instances %s\n", o->def().id,
                   static_cast<int>(o->def().name.size()), o->def().name.data(),
                   ids.empty() ? "none" : ids.c_str());
    }
  });
  return Result::ok;
}

}  // namespace lwm2m::client_tool
