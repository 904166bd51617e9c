// SPDX-License-Identifier: Apache-2.0
// lwm2m-client: an LwM2M client on the library with a console on stdin (see --help).
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "console.hpp"
#include "firmware.hpp"
#include "lwm2m/core/client.hpp"
#include "lwm2m/core/download.hpp"
#include "lwm2m/objects/access_control.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/firmware_update.hpp"
#include "lwm2m/objects/saved_state.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "lwm2m/platform/directory_storage.hpp"
#include "lwm2m/platform/runner.hpp"
#include "lwm2m/random.hpp"
#include "options.hpp"
#include "sensors.hpp"

#if LWM2M_CLIENT_TOOL_HAVE_DTLS
#include "lwm2m/credentials.hpp"
#include "lwm2m/platform/dtls_channel.hpp"
#endif

using namespace lwm2m;
using namespace lwm2m::client_tool;

namespace {

std::atomic<bool> g_interrupted{false};

// The first signal asks for a clean stop (De-register); a second one exits at once.
void on_signal(int) {
  if (g_interrupted.exchange(true)) _exit(130);
}

int usage_error(const std::string& flag, const std::string& fix) {
  std::fprintf(stderr, "lwm2m-client: %s: %s\n(see lwm2m-client --help)\n", flag.c_str(),
               fix.c_str());
  return 2;
}

std::vector<uint8_t> read_file(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(flag, "cannot read \"" + path + "\" (a DER file is expected)");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (bytes.empty()) throw UsageError(flag, "\"" + path + "\" is empty");
  return bytes;
}

// Reads lines from stdin (typed or piped) without blocking the checks in between.
class LineReader {
 public:
  enum class Got { line, nothing, end };
  Got next(std::string& line, int timeout_ms) {
    for (;;) {
      size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return Got::line;
      }
      if (eof_) {
        if (buffer_.empty()) return Got::end;
        line = std::move(buffer_);
        buffer_.clear();
        return Got::line;
      }
      pollfd p{0, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return Got::nothing;
      char chunk[1024];
      ssize_t n = ::read(0, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) return Got::nothing;
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  std::string buffer_;
  bool eof_ = false;
};

// Creates `dir` (one level) unless it is a directory already; false with a message naming
// `flag` when it cannot be used.
bool prepare_directory(const char* flag, const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return true;
  if (::mkdir(dir.c_str(), 0700) == 0) return true;
  std::fprintf(stderr,
               "lwm2m-client: %s %s: cannot be used: %s (give a directory that exists or can be "
               "created)\n",
               flag, dir.c_str(), std::strerror(errno));
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> names = sensor_names();
  Options opt;
  std::vector<uint8_t> cert, key, server_cert;
  try {
    opt = parse_options({argv + 1, argv + argc}, names);
    if (opt.help) {
      std::fputs(usage(names).c_str(), stdout);
      return 0;
    }
    if (opt.certificates()) {
      cert = read_file("--cert", opt.cert_file);
      key = read_file("--key", opt.key_file);
      server_cert = read_file("--server-cert", opt.server_cert_file);
    }
  } catch (const UsageError& e) {
    return usage_error(e.flag, e.fix);
  }
#if !LWM2M_CLIENT_TOOL_HAVE_DTLS
  if (opt.secure())
    return usage_error("--server",
                       "coaps:// needs DTLS, which this build lacks (install libmbedtls-dev and "
                       "rebuild)");
#endif

  // The objects: Security, Server, Access Control, Device, the chosen sensors and, with
  // --firmware-dir, Firmware Update.
  objects::SecurityInstance sec_slots[3];
  objects::ServerInstance srv_slots[2];
  objects::AclInstance acl_slots[8];
  objects::SecurityObject security{sec_slots};
  objects::ServerObject server{srv_slots};
  objects::AccessControlObject acl{acl_slots};
  objects::DeviceObject device{objects::DeviceInfo{"lwm2m project", "lwm2m-client", "0001", "0.1.0",
                                                   "console client", "1.0", "0.1.0", opt.binding}};
  std::vector<std::unique_ptr<Sensor>> sensors = make_sensors(opt.objects);
  std::unique_ptr<FileFirmwareSink> firmware_sink;
  std::unique_ptr<objects::FirmwareUpdateObject> firmware;
  if (!opt.firmware_dir.empty()) {
    if (!prepare_directory("--firmware-dir", opt.firmware_dir)) return 2;
    firmware_sink = std::make_unique<FileFirmwareSink>(opt.firmware_dir, stdout);
    objects::FirmwareUpdateConfig fc;
    fc.pull = true;
    fc.coaps = LWM2M_CLIENT_TOOL_HAVE_DTLS != 0;
    firmware = std::make_unique<objects::FirmwareUpdateObject>(*firmware_sink, fc);
  }
  std::vector<dm::Object*> slots(8 + sensors.size(), nullptr);
  dm::Registry registry{slots};
  Status added = registry.add(security);
  if (added) added = registry.add(server);
  if (added) added = registry.add(acl);
  if (added) added = registry.add(device);
  if (added && firmware) added = registry.add(*firmware);
  for (auto& s : sensors)
    if (added) added = registry.add(s->object());

  objects::SecurityConfig sc;
  sc.uri = opt.server;
  sc.bootstrap = opt.bootstrap;
  sc.short_server_id = opt.bootstrap ? 0 : 1;
  if (opt.psk()) {
    sc.mode = SecurityMode::psk;
    sc.identity = {reinterpret_cast<const uint8_t*>(opt.psk_identity.data()),
                   opt.psk_identity.size()};
    sc.secret_key = {opt.psk_key.data(), opt.psk_key.size()};
  } else if (opt.certificates()) {
    sc.mode = SecurityMode::certificate;
    sc.identity = {cert.data(), cert.size()};
    sc.secret_key = {key.data(), key.size()};
    sc.server_key = {server_cert.data(), server_cert.size()};
  }
  if (added) added = security.add(sc).status();
  if (added && !opt.bootstrap) {
    objects::ServerConfig srv;
    srv.short_server_id = 1;
    srv.lifetime_s = opt.lifetime;
    srv.binding = opt.binding;
    srv.communication_retry_count = opt.retries;
    srv.communication_retry_timer_s = opt.retry_delay;
    added = server.add(srv).status();
  }
  if (!added) {
    std::fprintf(stderr, "lwm2m-client: cannot build the objects: %s\n", to_string(added.error()));
    return 1;
  }

  // --state-dir: what servers wrote in Security, Server and Access Control survives a
  // restart; the saved configuration, when valid, replaces the one from the flags.
  std::unique_ptr<posix::DirectoryStorage> storage;
  objects::SecurityRecord sec_record{security};
  objects::ServerRecord srv_record{server};
  objects::AccessControlRecord acl_record{acl};
  StateRecord* records[] = {&sec_record, &srv_record, &acl_record};
  std::vector<uint8_t> state_buffer(16 * 1024);
  std::unique_ptr<SavedState> saved;
  if (!opt.state_dir.empty()) {
    storage = std::make_unique<posix::DirectoryStorage>(opt.state_dir);
    if (Status st = storage->prepare(); !st) {
      std::fprintf(stderr,
                   "lwm2m-client: --state-dir %s: cannot be used: %.*s (give a directory that "
                   "exists or can be created)\n",
                   opt.state_dir.c_str(), static_cast<int>(storage->error_detail().size()),
                   storage->error_detail().data());
      return 2;
    }
    saved = std::make_unique<SavedState>(*storage, records, state_buffer);
  }

  core::ClientConfig cc;
  cc.endpoint = opt.endpoint;
  cc.version = opt.version;
  cc.queue_mode = opt.queue;
  cc.max_observations = 16;
  XorShiftRandom rng{std::random_device{}() | (uint64_t{std::random_device{}()} << 32)};
  core::Client client(cc, registry, rng);
  if (!client.valid()) {
    std::fprintf(stderr, "lwm2m-client: the client cannot be configured (out of memory?)\n");
    return 1;
  }
  core::PackageDownloader downloader;  // Package URI pulls (--firmware-dir)
  if (firmware) client.set_downloader(&downloader);
  posix::RunnerConfig rc;
  rc.local_port = opt.local_port;
  rc.receive_buffer = 2048;
  rc.keep_trying = opt.keep_trying;
  rc.reboot_delay = Duration{1000};  // time enough for the 2.04 to leave
  posix::Runner runner(client, rc);
  if (saved) runner.set_saved_state(saved.get());
  const LogLevel level = opt.log_level;
  runner.set_log([level](const char* line) {
    if (level == LogLevel::none) return;
    if (level == LogLevel::info && std::strncmp(line, "served ", 7) == 0) return;
    std::fprintf(stderr, "lwm2m-client: %s\n", line);
    std::fflush(stderr);
  });
#if LWM2M_CLIENT_TOOL_HAVE_DTLS
  StaticCredentialStore<4, 8192> store;
  runner.set_secure_channel_factory(dtls::secure_channel_factory(store));
#endif

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::printf("lwm2m-client: endpoint %s, %s %s, lifetime %u s (type help for the commands)\n",
              opt.endpoint.c_str(), opt.bootstrap ? "bootstrap server" : "server",
              opt.server.c_str(), opt.lifetime);
  std::fflush(stdout);
  if (!runner.start()) {
    std::fprintf(stderr, "lwm2m-client: the client did not start (see the line above)\n");
    return 1;
  }

  const bool interactive = ::isatty(0) != 0;
  std::vector<objects::IpsoSensorObject*> sensor_objects;
  for (auto& s : sensors)
    sensor_objects.push_back(&s->object());
  Console console(runner, sensor_objects, stdout, stderr);
  LineReader reader;
  std::string running_version;
  bool any_failed = false;
  int code = 0;
  for (;;) {
    if (g_interrupted) {
      std::printf("lwm2m-client: signal received: stopping (again to exit at once)\n");
      break;
    }
    if (!runner.running()) {
      if (runner.gave_up()) {
        std::printf(
            "lwm2m-client: every attempt to register failed (see above): exiting with 1 "
            "(--keep-trying to start over instead)\n");
      } else if (runner.reboot_requested()) {
        std::printf("lwm2m-client: the server asked for a reboot: exiting (start me again)\n");
        break;
      } else {
        std::printf("lwm2m-client: the client stopped\n");
      }
      code = 1;
      break;
    }
    if (firmware_sink) {
      // An update started by Execute /5/0/2 is done: report it outside that request.
      if (std::optional<std::string> version = firmware_sink->take_installed()) {
        running_version = *version;  // the Device object views it
        runner.locked([&](core::Client&) {
          device.set_firmware_version(running_version);
          (void)firmware->update_finished(objects::UpdateResult::success);
        });
        std::printf("lwm2m-client: firmware: now running version %s (Update Result 1)\n",
                    version->c_str());
        std::fflush(stdout);
      }
    }
    std::string line;
    LineReader::Got got = reader.next(line, 200);
    if (got == LineReader::Got::nothing) continue;
    if (got == LineReader::Got::end) {
      if (!interactive && any_failed) code = 1;
      break;
    }
    Console::Result r = console.execute(line);
    if (r == Console::Result::failed) any_failed = true;
    if (r == Console::Result::quit) {
      if (!interactive && any_failed) code = 1;
      break;
    }
  }
  std::fflush(stdout);
  runner.stop();
  std::printf("lwm2m-client: exiting with %d\n", code);
  return code;
}
