// SPDX-License-Identifier: Apache-2.0
// The C facade (include/lwm2m_client.h): RIOT's lwm2m_client names over core::Client and
// posix::Runner. Platform code, not core: it uses the heap (once per object and per run),
// a thread and a mutex. No exception leaves a C function.
#include "lwm2m_client.h"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "lwm2m/core/client.hpp"
#include "lwm2m/core/download.hpp"
#include "lwm2m/credentials.hpp"
#include "lwm2m/objects/access_control.hpp"
#include "lwm2m/objects/connectivity.hpp"
#include "lwm2m/objects/device.hpp"
#include "lwm2m/objects/firmware_update.hpp"
#include "lwm2m/objects/ipso_sensor.hpp"
#include "lwm2m/objects/light_control.hpp"
#include "lwm2m/objects/saved_state.hpp"
#include "lwm2m/objects/security.hpp"
#include "lwm2m/objects/server.hpp"
#include "lwm2m/platform/device_defaults.hpp"
#include "lwm2m/platform/directory_storage.hpp"
#include "lwm2m/platform/runner.hpp"
#include "lwm2m/random.hpp"
#include "lwm2m/uri.hpp"

#if LWM2M_CLIENT_HAVE_DTLS
#include "lwm2m/platform/dtls_channel.hpp"
#endif

using namespace lwm2m;

namespace {

constexpr size_t kMaxSecurityInstances = 4;
constexpr size_t kMaxServerInstances = 4;
constexpr size_t kMaxObjects = 32;
static_assert(LWM2M_CLIENT_MAX_ENDPOINT == core::ClientConfig::kMaxEndpoint,
              "the C and C++ endpoint limits are one");

void say(const char* fmt, const char* a = "", const char* b = "") {
  std::fprintf(stderr, "lwm2m_client: ");
  std::fprintf(stderr, fmt, a, b);
  std::fprintf(stderr, "\n");
}

int status_of(Errc e) {
  switch (e) {
    case Errc::ok:
      return LWM2M_CLIENT_OK;
    case Errc::invalid_argument:
    case Errc::bad_request:
    case Errc::malformed:
    case Errc::request_entity_too_large:
      return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
    case Errc::not_found:
      return LWM2M_CLIENT_ERR_NOT_FOUND;
    case Errc::method_not_allowed:
      return LWM2M_CLIENT_ERR_METHOD_NOT_ALLOWED;
    case Errc::no_space:
    case Errc::buffer_too_small:
      return LWM2M_CLIENT_ERR_NO_SPACE;
    case Errc::already_exists:
      return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
    case Errc::unsupported:
    case Errc::not_implemented:
      return LWM2M_CLIENT_ERR_NOT_SUPPORTED;
    case Errc::invalid_state:
      return LWM2M_CLIENT_ERR_INVALID_STATE;
    default:
      return LWM2M_CLIENT_ERR_INTERNAL;
  }
}

Errc errc_of(int status) {
  switch (status) {
    case LWM2M_CLIENT_OK:
      return Errc::ok;
    case LWM2M_CLIENT_ERR_INVALID_ARGUMENT:
      return Errc::bad_request;
    case LWM2M_CLIENT_ERR_NOT_FOUND:
      return Errc::not_found;
    case LWM2M_CLIENT_ERR_METHOD_NOT_ALLOWED:
      return Errc::method_not_allowed;
    case LWM2M_CLIENT_ERR_NOT_SUPPORTED:
      return Errc::not_implemented;
    default:
      return Errc::internal_error;
  }
}

dm::DataType type_of(lwm2m_client_data_type_t t) {
  switch (t) {
    case LWM2M_CLIENT_TYPE_STRING:
      return dm::DataType::string;
    case LWM2M_CLIENT_TYPE_INTEGER:
      return dm::DataType::integer;
    case LWM2M_CLIENT_TYPE_UNSIGNED:
      return dm::DataType::unsigned_integer;
    case LWM2M_CLIENT_TYPE_FLOAT:
      return dm::DataType::floating;
    case LWM2M_CLIENT_TYPE_BOOLEAN:
      return dm::DataType::boolean;
    case LWM2M_CLIENT_TYPE_OPAQUE:
      return dm::DataType::opaque;
    case LWM2M_CLIENT_TYPE_TIME:
      return dm::DataType::time;
    case LWM2M_CLIENT_TYPE_OBJLNK:
      return dm::DataType::objlnk;
    default:
      return dm::DataType::none;
  }
}

bool c_type_known(lwm2m_client_data_type_t t) {
  return t >= LWM2M_CLIENT_TYPE_NONE && t <= LWM2M_CLIENT_TYPE_OBJLNK;
}

dm::Value to_value(const lwm2m_client_value_t& v) {
  switch (v.type) {
    case LWM2M_CLIENT_TYPE_STRING:
      return dm::Value::string(
          {reinterpret_cast<const char*>(v.v.bytes.data), v.v.bytes.data ? v.v.bytes.len : 0});
    case LWM2M_CLIENT_TYPE_OPAQUE:
      return dm::Value::opaque({v.v.bytes.data, v.v.bytes.data ? v.v.bytes.len : 0});
    case LWM2M_CLIENT_TYPE_INTEGER:
      return dm::Value::integer(v.v.integer);
    case LWM2M_CLIENT_TYPE_UNSIGNED:
      return dm::Value::unsigned_integer(v.v.unsigned_integer);
    case LWM2M_CLIENT_TYPE_FLOAT:
      return dm::Value::floating(v.v.floating);
    case LWM2M_CLIENT_TYPE_BOOLEAN:
      return dm::Value::boolean(v.v.boolean);
    case LWM2M_CLIENT_TYPE_TIME:
      return dm::Value::time(v.v.integer);
    case LWM2M_CLIENT_TYPE_OBJLNK:
      return dm::Value::objlnk(v.v.objlnk.object_id, v.v.objlnk.instance_id);
    default:
      return {};
  }
}

lwm2m_client_value_t from_value(const dm::Value& v) {
  lwm2m_client_value_t out;
  std::memset(&out, 0, sizeof out);
  switch (v.type()) {
    case dm::DataType::string:
    case dm::DataType::corelnk:
      out.type = LWM2M_CLIENT_TYPE_STRING;
      out.v.bytes.data = v.as_bytes().data();
      out.v.bytes.len = v.as_bytes().size();
      break;
    case dm::DataType::opaque:
      out.type = LWM2M_CLIENT_TYPE_OPAQUE;
      out.v.bytes.data = v.as_bytes().data();
      out.v.bytes.len = v.as_bytes().size();
      break;
    case dm::DataType::integer:
      out.type = LWM2M_CLIENT_TYPE_INTEGER;
      out.v.integer = v.as_integer();
      break;
    case dm::DataType::unsigned_integer:
      out.type = LWM2M_CLIENT_TYPE_UNSIGNED;
      out.v.unsigned_integer = v.as_unsigned();
      break;
    case dm::DataType::floating:
      out.type = LWM2M_CLIENT_TYPE_FLOAT;
      out.v.floating = v.as_float();
      break;
    case dm::DataType::boolean:
      out.type = LWM2M_CLIENT_TYPE_BOOLEAN;
      out.v.boolean = v.as_bool();
      break;
    case dm::DataType::time:
      out.type = LWM2M_CLIENT_TYPE_TIME;
      out.v.integer = v.as_time();
      break;
    case dm::DataType::objlnk:
      out.type = LWM2M_CLIENT_TYPE_OBJLNK;
      out.v.objlnk.object_id = v.as_objlnk().object_id;
      out.v.objlnk.instance_id = v.as_objlnk().instance_id;
      break;
    default:
      out.type = LWM2M_CLIENT_TYPE_NONE;
  }
  return out;
}

// The context whose runner lock this thread holds (inside a callback, a hook or
// lwm2m_client_locked): calls from there must not take the lock again.
thread_local lwm2m_context_t* tl_locked = nullptr;

struct LockedScope {
  lwm2m_context_t* previous;
  explicit LockedScope(lwm2m_context_t* ctx) : previous(tl_locked) { tl_locked = ctx; }
  ~LockedScope() { tl_locked = previous; }
};

// An application object described in C: descriptors copied, values through callbacks.
struct CObjectDefs {
  std::vector<dm::ResourceDef> resources;
  std::vector<lwm2m_client_resource_desc_t> callbacks;  // same order as resources
  std::vector<std::string> names;
  std::string version, name;
  std::vector<dm::InstanceId> instances;
  dm::ObjectDef def{0};
  void* arg = nullptr;
};

class CObject final : public dm::Object {
 public:
  CObject(lwm2m_context_t* ctx, std::unique_ptr<CObjectDefs> defs) noexcept
      : dm::Object(defs->def), ctx_(ctx), defs_(std::move(defs)) {}

  size_t instance_count() const noexcept override { return defs_->instances.size(); }
  dm::InstanceId instance_at(size_t index) const noexcept override {
    return defs_->instances[index];
  }
  Result<dm::Value> read(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
                         MutableByteView) noexcept override {
    const lwm2m_client_resource_desc_t* r = find(rid);
    if (!r || !r->read || riid != dm::kInvalidId) return Errc::method_not_allowed;
    lwm2m_client_value_t v;
    std::memset(&v, 0, sizeof v);
    v.type = r->type;
    int st;
    {
      LockedScope scope(ctx_);
      st = r->read(iid, rid, &v, defs_->arg);
    }
    if (st != LWM2M_CLIENT_OK) return errc_of(st);
    auto converted = dm::convert(to_value(v), type_of(r->type));
    if (!converted) return Errc::internal_error;  // the callback answered another type
    return *converted;
  }
  Status write(dm::InstanceId iid, dm::ResourceId rid, dm::ResourceInstanceId riid,
               const dm::Value& value) noexcept override {
    const lwm2m_client_resource_desc_t* r = find(rid);
    if (!r || !r->write || riid != dm::kInvalidId) return Errc::method_not_allowed;
    lwm2m_client_value_t v = from_value(value);
    LockedScope scope(ctx_);
    return errc_of(r->write(iid, rid, &v, defs_->arg));
  }
  Status execute(dm::InstanceId iid, dm::ResourceId rid, ByteView arguments) noexcept override {
    const lwm2m_client_resource_desc_t* r = find(rid);
    if (!r || !r->execute) return Errc::method_not_allowed;
    LockedScope scope(ctx_);
    return errc_of(r->execute(iid, rid, arguments.data(), arguments.size(), defs_->arg));
  }

 private:
  const lwm2m_client_resource_desc_t* find(dm::ResourceId rid) const noexcept {
    for (size_t i = 0; i < defs_->resources.size(); ++i)
      if (defs_->resources[i].id == rid) return &defs_->callbacks[i];
    return nullptr;
  }
  lwm2m_context_t* ctx_;
  std::unique_ptr<CObjectDefs> defs_;
};

// A credential tag list (RIOT's credential_tags), bounded by LWM2M_CLIENT_MAX_CREDENTIALS.
struct TagList {
  std::vector<credman_tag_t> tags;

  bool has(credman_tag_t tag) const {
    return std::find(tags.begin(), tags.end(), tag) != tags.end();
  }
  bool add(credman_tag_t tag) {
    if (has(tag)) return true;
    if (tags.size() >= LWM2M_CLIENT_MAX_CREDENTIALS) return false;
    tags.push_back(tag);
    return true;
  }
  void remove(credman_tag_t tag) {
    tags.erase(std::remove(tags.begin(), tags.end(), tag), tags.end());
  }
};

// ---- process-wide state: only the table of live clients --------------------------------
// It validates handles and finds "the" client for the seed's calls without a client
// argument. Each client's credentials and lock are its own (lwm2m_context). g_live_mutex
// is held only to look the table up, never while a client does work.

std::mutex g_live_mutex;
std::vector<lwm2m_context_t*> g_live;  // in lwm2m_client_init order
TagList g_pending_tags;                // added while no client existed: the next one takes them

bool is_live_locked(const lwm2m_context_t* ctx) {
  return std::find(g_live.begin(), g_live.end(), ctx) != g_live.end();
}

int no_dtls(const char* function) {
  say("%s: this build has no DTLS (lwm2m::dtls needs Debian's libmbedtls-dev); credentials "
      "cannot be used",
      function);
  return LWM2M_CLIENT_ERR_NOT_SUPPORTED;
}

// The standard and IPSO objects beyond Security, Server and Device, each with its storage
// and the strings it views. Made by their constructors, at most one of each per client.
struct IpsoSensorHolder {
  std::vector<objects::IpsoSensorInstance> slots;
  std::vector<std::unique_ptr<std::string>> units;
  std::unique_ptr<objects::IpsoSensorObject> object;
};

struct LightHolder final : objects::LightControlObject::Listener {
  struct Callback {
    uint16_t iid;
    lwm2m_client_light_cb_t cb;
    void* arg;
  };
  lwm2m_context_t* ctx = nullptr;
  std::vector<objects::LightControlInstance> slots;
  std::vector<std::unique_ptr<std::string>> units;
  std::vector<Callback> callbacks;
  std::unique_ptr<objects::LightControlObject> object;
  void on_light_changed(const objects::LightControlInstance& light) noexcept override;
};

struct ExtraObjects {
  std::unique_ptr<objects::ConnectivityMonitoringObject> connectivity;
  std::unique_ptr<objects::LocationObject> location;
  std::vector<std::unique_ptr<IpsoSensorHolder>> sensors;
  std::unique_ptr<LightHolder> light;
  std::vector<objects::OnOffSwitchInstance> switch_slots;
  std::unique_ptr<objects::OnOffSwitchObject> on_off_switch;
};

}  // namespace

struct lwm2m_object {
  lwm2m_context_t* ctx;
  dm::Object* object;
};

struct lwm2m_context {
  lwm2m_client_config_t config{};
  std::string endpoint;

  // This client's credentials: the tags it may use and the keys behind them. Their own
  // lock, not the runner's: the DTLS factory reads them on the client thread while another
  // thread may add or remove a tag.
  std::mutex credentials_mutex;
  TagList tags;
#if LWM2M_CLIENT_HAVE_DTLS
  StaticCredentialStore<LWM2M_CLIENT_MAX_CREDENTIALS, 4096> store;
#endif

  // Objects first: they outlive the registry, the client and the runner (destroyed later).
  std::array<objects::SecurityInstance, kMaxSecurityInstances> security_storage{};
  std::array<objects::ServerInstance, kMaxServerInstances> server_storage{};
  objects::SecurityObject security{security_storage};
  objects::ServerObject server{server_storage};
  std::array<std::string, 7> device_strings;
  std::unique_ptr<objects::DeviceObject> device;
  std::vector<std::unique_ptr<CObject>> custom;
  ExtraObjects extra;
  std::vector<std::pair<dm::ObjectId, lwm2m_object*>> extra_handles;
  std::unique_ptr<objects::FirmwareSink> firmware_sink;
  std::unique_ptr<objects::FirmwareUpdateObject> firmware;
  lwm2m_object* firmware_handle = nullptr;
  // Boxed: the downloader's destructor is not virtual (so that images without a pull do not
  // link it through its vtable), and deleting it directly is a warning.
  struct DownloaderBox {
    core::PackageDownloader d;
  };
  std::unique_ptr<DownloaderBox> downloader_box;  // lwm2m_object_firmware_enable_pull
  core::PackageDownloader* downloader = nullptr;
  std::unique_ptr<std::array<objects::AclInstance, LWM2M_CLIENT_ACL_INSTANCES_MAX>> acl_storage;
  std::unique_ptr<objects::AccessControlObject> acl;
  lwm2m_object* acl_handle = nullptr;
  std::vector<std::unique_ptr<lwm2m_object>> handles;
  lwm2m_object* security_handle = nullptr;
  lwm2m_object* server_handle = nullptr;
  lwm2m_object* device_handle = nullptr;

  // Persistence (lwm2m_client_set_state_dir): the records of Security and Server in a file.
  struct Persistence {
    explicit Persistence(lwm2m_context& ctx, std::string dir)
        : storage(std::move(dir)), security(ctx.security), server(ctx.server) {}
    posix::DirectoryStorage storage;
    objects::SecurityRecord security;
    objects::ServerRecord server;
    // Other objects' records (Access Control, a firmware update in progress) join in
    // lwm2m_client_run, when they are among its objects.
    std::optional<objects::AccessControlRecord> acl;
    std::optional<objects::FirmwareUpdateRecord> firmware;
    std::vector<StateRecord*> records{&security, &server};
    std::vector<uint8_t> buffer = std::vector<uint8_t>(16 * 1024);
    std::optional<SavedState> state;  // made by lwm2m_client_run, once the records are known
  };
  std::unique_ptr<Persistence> persistence;

  std::array<dm::Object*, kMaxObjects> slots{};
  std::unique_ptr<dm::Registry> registry;
  XorShiftRandom rng{std::random_device{}() | (uint64_t{std::random_device{}()} << 32)};
  std::unique_ptr<core::Client> client;
  std::unique_ptr<posix::Runner> runner;

  lwm2m_client_reboot_hook_t reboot_hook = nullptr;
  void* reboot_arg = nullptr;
  lwm2m_client_log_hook_t log_hook = nullptr;
  void* log_arg = nullptr;
  std::vector<lwm2m_client_connection_t> connections;

  lwm2m_object* wrap(dm::Object& o) {
    handles.push_back(std::make_unique<lwm2m_object>(lwm2m_object{this, &o}));
    return handles.back().get();
  }

  // Runs f with the client's objects to itself: under the runner's lock when another thread
  // holds them, directly when this thread already does or nothing runs.
  template <class F>
  void with_lock(F&& f) {
    if (!runner || tl_locked == this) {
      f();
      return;
    }
    runner->locked([&](core::Client&) {
      LockedScope scope(this);
      f();
    });
  }
};

namespace {

lwm2m_context_t* live(const lwm2m_client_data_t* data, const char* function) {
  if (!data) {
    say("%s: client_data is NULL", function);
    return nullptr;
  }
  std::lock_guard<std::mutex> guard(g_live_mutex);
  if (!data->lwm2m_ctx || !is_live_locked(data->lwm2m_ctx)) {
    say("%s: call lwm2m_client_init(client_data) first", function);
    return nullptr;
  }
  return data->lwm2m_ctx;
}

lwm2m_context_t* owner(const lwm2m_object_t* object, const char* function) {
  if (!object) {
    say("%s: object is NULL", function);
    return nullptr;
  }
  std::lock_guard<std::mutex> guard(g_live_mutex);
  if (!is_live_locked(object->ctx)) {
    say("%s: the object's client was freed (lwm2m_client_deinit)", function);
    return nullptr;
  }
  return object->ctx;
}

// Copies every Security instance's credential into the store and makes its tag available.
// The caller has the context's objects to itself.
void refresh_credentials_of(lwm2m_context_t* ctx) {
#if LWM2M_CLIENT_HAVE_DTLS
  dtls::ChannelOptions options;
  options.tag_base = LWM2M_CLIENT_CREDMAN_TAG_BASE;
  for (const objects::SecurityInstance& inst : ctx->security.instances()) {
    if (inst.id == dm::kInvalidId) continue;
    if (inst.mode != objects::SecurityMode::psk && inst.mode != objects::SecurityMode::certificate)
      continue;
    if (inst.identity.size == 0 && inst.secret_key.size == 0) continue;
    CredentialTag tag = dtls::credential_tag(options, inst.id);
    std::lock_guard<std::mutex> guard(ctx->credentials_mutex);
    Status st = dtls::store_security_credential(ctx->store, tag, inst.peer());
    if (!st) {
      char t[8];
      std::snprintf(t, sizeof t, "%u", tag);
      say("credential tag %s: cannot store it: %s", t, to_string(st.error()));
      continue;
    }
    if (!ctx->tags.add(tag)) say("credential list full (LWM2M_CLIENT_MAX_CREDENTIALS)");
  }
#else
  (void)ctx;
#endif
}

void fill_connections(lwm2m_client_data_t* data, lwm2m_context_t* ctx) {
  ctx->connections.clear();
  // A stopped client has closed its socket: no connection is left, whatever the runner
  // remembers of them.
  if (ctx->runner && ctx->runner->running()) {
    for (const posix::ConnectionInfo& c : ctx->runner->connections()) {
      lwm2m_client_connection_t out;
      std::memset(&out, 0, sizeof out);
      std::memcpy(&out.remote, c.remote.data(),
                  std::min<size_t>(c.remote.size(), sizeof out.remote));
      out.session.short_server_id = c.ssid;
      out.session.secured = c.secure;
      out.type = c.secure ? LWM2M_CLIENT_CONN_DTLS : LWM2M_CLIENT_CONN_UDP;
      out.last_send = c.last_send.time_since_epoch().count() == 0
                          ? 0
                          : std::chrono::system_clock::to_time_t(c.last_send);
      ctx->connections.push_back(out);
    }
  }
  for (size_t i = 0; i + 1 < ctx->connections.size(); ++i)
    ctx->connections[i].next = &ctx->connections[i + 1];
  data->conn_list = ctx->connections.empty() ? nullptr : ctx->connections.data();
}

// Fills the core settings left at 0 with core::ClientConfig's defaults, so that
// lwm2m_client_get_config shows what is in use.
void apply_core_defaults(lwm2m_client_config_t& c) {
  const core::ClientConfig d;
  if (c.lwm2m_version == LWM2M_CLIENT_VERSION_DEFAULT)
    c.lwm2m_version = d.version == core::LwM2MVersion::v1_0   ? LWM2M_CLIENT_VERSION_1_0
                      : d.version == core::LwM2MVersion::v1_2 ? LWM2M_CLIENT_VERSION_1_2
                                                              : LWM2M_CLIENT_VERSION_1_1;
  if (!c.coap_message_size) c.coap_message_size = d.coap.max_message_size;
  if (!c.uplink_buffer) c.uplink_buffer = d.uplink_buffer;
  if (!c.scratch) c.scratch = d.scratch;
  if (!c.max_servers) c.max_servers = d.max_servers;
  if (!c.max_observations) c.max_observations = d.max_observations;
}

// The largest Block2/Block1 size that fits a message of `size` bytes with its header and
// options (the engine keeps 64 bytes for them); 16 at least.
uint16_t block_size_for(uint16_t size) {
  uint16_t block = 1024;
  while (block > 16 && block + 64 > size)
    block /= 2;
  return block;
}

core::ClientConfig core_config_of(const lwm2m_client_config_t& c) {
  core::ClientConfig cc;
  cc.version = c.lwm2m_version == LWM2M_CLIENT_VERSION_1_0   ? core::LwM2MVersion::v1_0
               : c.lwm2m_version == LWM2M_CLIENT_VERSION_1_2 ? core::LwM2MVersion::v1_2
                                                             : core::LwM2MVersion::v1_1;
  cc.queue_mode = c.queue_mode;
  cc.coap.max_message_size = c.coap_message_size;
  cc.coap.block_size = std::min(cc.coap.block_size, block_size_for(c.coap_message_size));
  cc.uplink_buffer = c.uplink_buffer;
  cc.scratch = c.scratch;
  cc.max_servers = c.max_servers;
  cc.max_observations = c.max_observations;
  cc.coap.observations = std::max(cc.coap.observations, c.max_observations);
  return cc;
}

int add_tag(TagList& tags, credman_tag_t tag, const char* fn) {
  if (tags.add(tag)) return LWM2M_CLIENT_OK;
  say("%s: the list is full (LWM2M_CLIENT_MAX_CREDENTIALS)", fn);
  return LWM2M_CLIENT_ERR_NO_SPACE;
}

// Runs f on the tags of the client behind `data`, under its credential lock.
template <class F>
bool with_client_tags(const lwm2m_client_data_t* data, const char* fn, F&& f) {
  lwm2m_context_t* ctx = live(data, fn);
  if (!ctx) return false;
  std::lock_guard<std::mutex> guard(ctx->credentials_mutex);
  f(ctx->tags);
  return true;
}

// The seed's calls without a client argument: they act on the only client, or before any
// client exists on the tags the next lwm2m_client_init takes. With several clients they are
// ambiguous and refused (the *_for variants name the client).
template <class F>
bool with_process_tags(const char* fn, F&& f) {
  std::lock_guard<std::mutex> guard(g_live_mutex);
  if (g_live.empty()) {
    f(g_pending_tags);
    return true;
  }
  if (g_live.size() > 1) {
    say("%s: several clients run in this process: name one with %s_for", fn, fn);
    return false;
  }
  std::lock_guard<std::mutex> client_guard(g_live.front()->credentials_mutex);
  f(g_live.front()->tags);
  return true;
}

}  // namespace

extern "C" {

const char* lwm2m_client_strerror(int status) {
  switch (status) {
    case LWM2M_CLIENT_OK:
      return "ok";
    case LWM2M_CLIENT_ERR_INVALID_ARGUMENT:
      return "invalid argument";
    case LWM2M_CLIENT_ERR_NOT_FOUND:
      return "not found";
    case LWM2M_CLIENT_ERR_METHOD_NOT_ALLOWED:
      return "method not allowed";
    case LWM2M_CLIENT_ERR_NO_SPACE:
      return "no space left";
    case LWM2M_CLIENT_ERR_NOT_SUPPORTED:
      return "not supported (is DTLS compiled in?)";
    case LWM2M_CLIENT_ERR_INVALID_STATE:
      return "invalid state (lwm2m_client_init not called, or already running?)";
    case LWM2M_CLIENT_ERR_INTERNAL:
      return "internal error";
    default:
      return "unknown status";
  }
}

void lwm2m_client_init_with_config(lwm2m_client_data_t* client_data,
                                   const lwm2m_client_config_t* config) {
  if (!client_data) {
    say("lwm2m_client_init: client_data is NULL");
    return;
  }
  std::memset(client_data, 0, sizeof *client_data);
  client_data->sock = -1;
  lwm2m_context_t* ctx = new (std::nothrow) lwm2m_context_t;
  if (!ctx) {
    say("lwm2m_client_init: out of memory");
    return;
  }
  lwm2m_client_config_t defaults = LWM2M_CLIENT_CONFIG_INIT;
  ctx->config = config ? *config : defaults;
  ctx->endpoint = ctx->config.endpoint && *ctx->config.endpoint ? ctx->config.endpoint
                                                                : LWM2M_CLIENT_DEVICE_NAME;
  ctx->config.endpoint = ctx->endpoint.c_str();
  apply_core_defaults(ctx->config);
  ctx->security_handle = ctx->wrap(ctx->security);
  ctx->server_handle = ctx->wrap(ctx->server);
  {
    std::lock_guard<std::mutex> guard(g_live_mutex);
    ctx->tags = std::move(g_pending_tags);
    g_pending_tags = {};
    g_live.push_back(ctx);
  }
  client_data->lwm2m_ctx = ctx;
}

const lwm2m_client_config_t* lwm2m_client_get_config(const lwm2m_client_data_t* client_data) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_client_get_config");
  return ctx ? &ctx->config : nullptr;
}

lwm2m_context_t* lwm2m_client_run(lwm2m_client_data_t* client_data, lwm2m_object_t* obj_list[],
                                  uint16_t obj_numof) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_client_run");
  if (!ctx) return nullptr;
  if (ctx->runner) {
    say("lwm2m_client_run: this client already ran; lwm2m_client_deinit and init a new one");
    return nullptr;
  }
  if (!obj_list && obj_numof) {
    say("lwm2m_client_run: obj_list is NULL");
    return nullptr;
  }
  ctx->registry = std::make_unique<dm::Registry>(std::span<dm::Object*>(ctx->slots));
  auto fail = [&](const char* fmt, const char* a = "", const char* b = "") -> lwm2m_context_t* {
    say(fmt, a, b);
    ctx->runner.reset();
    ctx->client.reset();
    ctx->registry.reset();
    return nullptr;
  };
  for (uint16_t i = 0; i < obj_numof; ++i) {
    lwm2m_object_t* o = obj_list[i];
    char index[8];
    std::snprintf(index, sizeof index, "%u", i);
    if (!o) return fail("lwm2m_client_run: obj_list[%s] is NULL", index);
    if (o->ctx != ctx)
      return fail("lwm2m_client_run: obj_list[%s] was made for another client", index);
    if (Status st = ctx->registry->add(*o->object); !st)
      return fail("lwm2m_client_run: obj_list[%s] cannot be added: %s", index,
                  st.error() == Errc::invalid_argument ? "it is listed twice"
                  : st.error() == Errc::already_exists ? "another object has the same id"
                                                       : to_string(st.error()));
  }
  if (ctx->registry->find(0) != &ctx->security || ctx->registry->find(1) != &ctx->server)
    return fail(
        "lwm2m_client_run: obj_list needs the Security and Server objects "
        "(lwm2m_object_security_init, lwm2m_object_server_init)");

  if (ctx->endpoint.size() > LWM2M_CLIENT_MAX_ENDPOINT) {
    const std::string size = std::to_string(ctx->endpoint.size());
    return fail("lwm2m_client_run: the endpoint name is %s bytes, the limit is %s", size.c_str(),
                std::to_string(LWM2M_CLIENT_MAX_ENDPOINT).c_str());
  }
  core::ClientConfig cc = core_config_of(ctx->config);
  cc.endpoint = ctx->endpoint;
  try {
    ctx->client = std::make_unique<core::Client>(cc, *ctx->registry, ctx->rng);
  } catch (const std::bad_alloc&) {
    return fail("lwm2m_client_run: out of memory");
  }
  if (!ctx->client->valid()) return fail("lwm2m_client_run: the client cannot be configured");

  posix::RunnerConfig rc;
  rc.local_port = ctx->config.local_port;
  rc.receive_buffer = ctx->config.rcv_buffer_size;
  rc.min_refresh = Duration{ctx->config.min_refresh_ms};
  rc.reboot_delay = Duration{ctx->config.reboot_time_ms};
  rc.keep_trying = ctx->config.keep_trying;
  try {
    ctx->runner = std::make_unique<posix::Runner>(*ctx->client, rc);
  } catch (const std::bad_alloc&) {
    return fail("lwm2m_client_run: out of memory");
  }
  if (ctx->log_hook) {
    ctx->runner->set_log([ctx](const char* line) { ctx->log_hook(line, ctx->log_arg); });
  }
  if (ctx->reboot_hook) {
    // The runner calls hooks without its lock; the C hook keeps running with the client's
    // objects to itself, as lwm2m_client.h promises.
    ctx->runner->set_reboot_hook(
        [ctx] { ctx->with_lock([ctx] { ctx->reboot_hook(ctx->reboot_arg); }); });
  }
  ctx->runner->set_event_hook([ctx](const core::Event& e) {
    // A bootstrap server may have written new keys: make them available (as RIOT does).
    if (e.kind == core::EventKind::bootstrap_finished)
      ctx->with_lock([ctx] { refresh_credentials_of(ctx); });
  });
  if (ctx->downloader && ctx->registry->find(5) == ctx->firmware.get()) {
    // Blocks whose datagrams fit the receive buffer (RIOT's 200 bytes: 128-byte blocks).
    ctx->downloader->set_block_size(block_size_for(
        static_cast<uint16_t>(std::min<uint32_t>(ctx->config.rcv_buffer_size, 1088))));
    ctx->client->set_downloader(ctx->downloader);
  }
  if (ctx->persistence) {
    // Restored before the credentials are loaded from the Security instances below.
    auto& p = *ctx->persistence;
    if (ctx->acl && ctx->registry->find(2) == ctx->acl.get() && !p.acl) {
      p.acl.emplace(*ctx->acl);
      p.records.push_back(&*p.acl);
    }
    if (ctx->firmware && ctx->registry->find(5) == ctx->firmware.get() && !p.firmware) {
      p.firmware.emplace(*ctx->firmware);
      p.records.push_back(&*p.firmware);
    }
    p.state.emplace(p.storage, p.records, p.buffer);
    ctx->runner->set_saved_state(&*p.state);
    (void)ctx->runner->restore_saved_state();
  }
#if LWM2M_CLIENT_HAVE_DTLS
  {
    dtls::ChannelOptions options;
    options.tag_base = LWM2M_CLIENT_CREDMAN_TAG_BASE;
    auto inner = dtls::secure_channel_factory(ctx->store, options);
    ctx->runner->set_secure_channel_factory(
        [ctx, inner, options](const PeerSecurity& sec, Errc& error,
                              std::string& reason) -> std::unique_ptr<SecureChannel> {
          CredentialTag tag = dtls::credential_tag(options, sec.security_iid);
          std::lock_guard<std::mutex> guard(ctx->credentials_mutex);
          if (!ctx->tags.has(tag)) {
            error = Errc::not_found;
            reason = "credential tag " + std::to_string(tag) +
                     " is not available to the client (lwm2m_client_add_credential or "
                     "lwm2m_client_refresh_dtls_credentials)";
            return nullptr;
          }
          return inner(sec, error, reason);
        });
  }
  refresh_credentials_of(ctx);
#endif
  if (Status st = ctx->runner->start(); !st)
    return fail("lwm2m_client_run: the client cannot start: %s (see the line above)",
                to_string(st.error()));
  client_data->pid = ctx->runner->native_thread();
  client_data->sock = ctx->runner->socket_fd();
  socklen_t len = sizeof client_data->local_ep;
  if (::getsockname(client_data->sock, reinterpret_cast<sockaddr*>(&client_data->local_ep), &len) !=
      0)
    std::memset(&client_data->local_ep, 0, sizeof client_data->local_ep);
  fill_connections(client_data, ctx);
  return ctx;
}

void lwm2m_client_stop(lwm2m_client_data_t* client_data) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_client_stop");
  if (!ctx || !ctx->runner) return;
  if (tl_locked == ctx) {
    if (!pthread_equal(pthread_self(), ctx->runner->native_thread())) {
      say("lwm2m_client_stop: not from inside lwm2m_client_locked (it would wait for itself)");
      return;
    }
    // From a hook or a callback on the client thread: ask, do not wait for ourselves.
    ctx->runner->stop();
    return;
  }
  ctx->runner->stop();
  client_data->sock = -1;
}

void lwm2m_client_deinit(lwm2m_client_data_t* client_data) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_client_deinit");
  if (!ctx) return;
  if (tl_locked == ctx) {
    say("lwm2m_client_deinit: not from the client's own thread (a hook or a callback)");
    return;
  }
  {
    std::lock_guard<std::mutex> guard(g_live_mutex);
    g_live.erase(std::find(g_live.begin(), g_live.end(), ctx));
  }
  delete ctx;  // the runner stops (De-register) and joins first
  std::memset(client_data, 0, sizeof *client_data);
  client_data->sock = -1;
}

bool lwm2m_client_is_running(const lwm2m_client_data_t* client_data) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_client_is_running");
  return ctx && ctx->runner && ctx->runner->running();
}

bool lwm2m_client_reboot_requested(const lwm2m_client_data_t* client_data) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_client_reboot_requested");
  return ctx && ctx->runner && ctx->runner->reboot_requested();
}

bool lwm2m_client_gave_up(const lwm2m_client_data_t* client_data) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_client_gave_up");
  return ctx && ctx->runner && ctx->runner->gave_up();
}

void lwm2m_client_set_reboot_hook(lwm2m_client_data_t* client_data, lwm2m_client_reboot_hook_t hook,
                                  void* arg) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_client_set_reboot_hook");
  if (!ctx) return;
  if (ctx->runner) {
    say("lwm2m_client_set_reboot_hook: set it before lwm2m_client_run");
    return;
  }
  ctx->reboot_hook = hook;
  ctx->reboot_arg = arg;
}

void lwm2m_client_set_log_hook(lwm2m_client_data_t* client_data, lwm2m_client_log_hook_t hook,
                               void* arg) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_client_set_log_hook");
  if (!ctx) return;
  if (ctx->runner) {
    say("lwm2m_client_set_log_hook: set it before lwm2m_client_run");
    return;
  }
  ctx->log_hook = hook;
  ctx->log_arg = arg;
}

lwm2m_client_connection_t* lwm2m_client_refresh_connections(lwm2m_client_data_t* client_data) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_client_refresh_connections");
  if (!ctx) return nullptr;
  if (tl_locked == ctx) return client_data->conn_list;  // the list is read under the lock
  fill_connections(client_data, ctx);
  return client_data->conn_list;
}

bool lwm2m_client_is_registered(lwm2m_client_data_t* client_data, uint16_t short_server_id) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_client_is_registered");
  if (!ctx || !ctx->client) return false;
  bool registered = false;
  ctx->with_lock([&] { registered = ctx->client->registered(short_server_id); });
  return registered;
}

void lwm2m_client_locked(lwm2m_client_data_t* client_data, void (*fn)(void* arg), void* arg) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_client_locked");
  if (!ctx || !fn) return;
  ctx->with_lock([&] {
    LockedScope scope(ctx);
    fn(arg);
  });
}

int lwm2m_client_value_changed(lwm2m_client_data_t* client_data, uint16_t object_id,
                               uint16_t instance_id, uint16_t resource_id) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_client_value_changed");
  if (!ctx) return LWM2M_CLIENT_ERR_INVALID_STATE;
  if (!ctx->registry) return LWM2M_CLIENT_OK;  // not running: nobody observes yet
  dm::Path path = resource_id == UINT16_MAX ? dm::Path(object_id, instance_id)
                                            : dm::Path(object_id, instance_id, resource_id);
  ctx->with_lock([&] { ctx->registry->value_changed(path); });
  return LWM2M_CLIENT_OK;
}

// ---- credentials --------------------------------------------------------------------------

bool lwm2m_client_dtls_available(void) {
  return LWM2M_CLIENT_HAVE_DTLS != 0;
}

int lwm2m_client_refresh_dtls_credentials(void) {
  if (!LWM2M_CLIENT_HAVE_DTLS) return no_dtls("lwm2m_client_refresh_dtls_credentials");
  std::vector<lwm2m_context_t*> contexts;
  {
    std::lock_guard<std::mutex> guard(g_live_mutex);
    contexts = g_live;
  }
  for (lwm2m_context_t* ctx : contexts)
    ctx->with_lock([&] { refresh_credentials_of(ctx); });
  return LWM2M_CLIENT_OK;
}

int lwm2m_client_refresh_dtls_credentials_for(lwm2m_client_data_t* client_data) {
  static const char* fn = "lwm2m_client_refresh_dtls_credentials_for";
  if (!LWM2M_CLIENT_HAVE_DTLS) return no_dtls(fn);
  lwm2m_context_t* ctx = live(client_data, fn);
  if (!ctx) return LWM2M_CLIENT_ERR_INVALID_STATE;
  ctx->with_lock([&] { refresh_credentials_of(ctx); });
  return LWM2M_CLIENT_OK;
}

int lwm2m_client_add_credential(credman_tag_t tag) {
  static const char* fn = "lwm2m_client_add_credential";
  if (!LWM2M_CLIENT_HAVE_DTLS) return no_dtls(fn);
  int st = LWM2M_CLIENT_ERR_INVALID_STATE;
  with_process_tags(fn, [&](TagList& tags) { st = add_tag(tags, tag, fn); });
  return st;
}

int lwm2m_client_add_credential_for(lwm2m_client_data_t* client_data, credman_tag_t tag) {
  static const char* fn = "lwm2m_client_add_credential_for";
  if (!LWM2M_CLIENT_HAVE_DTLS) return no_dtls(fn);
  int st = LWM2M_CLIENT_ERR_INVALID_STATE;
  with_client_tags(client_data, fn, [&](TagList& tags) { st = add_tag(tags, tag, fn); });
  return st;
}

int lwm2m_client_remove_credential(credman_tag_t tag) {
  static const char* fn = "lwm2m_client_remove_credential";
  if (!LWM2M_CLIENT_HAVE_DTLS) return no_dtls(fn);
  return with_process_tags(fn, [&](TagList& tags) { tags.remove(tag); })
             ? LWM2M_CLIENT_OK
             : LWM2M_CLIENT_ERR_INVALID_STATE;
}

int lwm2m_client_remove_credential_for(lwm2m_client_data_t* client_data, credman_tag_t tag) {
  static const char* fn = "lwm2m_client_remove_credential_for";
  if (!LWM2M_CLIENT_HAVE_DTLS) return no_dtls(fn);
  return with_client_tags(client_data, fn, [&](TagList& tags) { tags.remove(tag); })
             ? LWM2M_CLIENT_OK
             : LWM2M_CLIENT_ERR_INVALID_STATE;
}

size_t lwm2m_client_credential_count(void) {
  size_t n = 0;
  with_process_tags("lwm2m_client_credential_count", [&](TagList& tags) { n = tags.tags.size(); });
  return n;
}

size_t lwm2m_client_credential_count_for(const lwm2m_client_data_t* client_data) {
  size_t n = 0;
  with_client_tags(client_data, "lwm2m_client_credential_count_for",
                   [&](TagList& tags) { n = tags.tags.size(); });
  return n;
}

bool lwm2m_client_has_credential(credman_tag_t tag) {
  bool has = false;
  with_process_tags("lwm2m_client_has_credential", [&](TagList& tags) { has = tags.has(tag); });
  return has;
}

bool lwm2m_client_has_credential_for(const lwm2m_client_data_t* client_data, credman_tag_t tag) {
  bool has = false;
  with_client_tags(client_data, "lwm2m_client_has_credential_for",
                   [&](TagList& tags) { has = tags.has(tag); });
  return has;
}

// ---- standard objects ---------------------------------------------------------------------

lwm2m_object_t* lwm2m_object_security_init(lwm2m_client_data_t* client_data) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_object_security_init");
  return ctx ? ctx->security_handle : nullptr;
}

int lwm2m_object_security_instance_create(lwm2m_object_t* object, uint16_t instance_id,
                                          const lwm2m_obj_security_args_t* args) {
  lwm2m_context_t* ctx = owner(object, "lwm2m_object_security_instance_create");
  if (!ctx) return LWM2M_CLIENT_ERR_INVALID_STATE;
  if (object != ctx->security_handle || !args || !args->server_uri) {
    say("lwm2m_object_security_instance_create: needs the Security object and args with a "
        "server_uri");
    return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
  }
  auto uri = parse_server_uri(args->server_uri);
  if (!uri) {
    say("lwm2m_object_security_instance_create: bad server URI \"%s\" (expected "
        "coap://host[:port] or coaps://host[:port])",
        args->server_uri);
    return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
  }
  objects::SecurityConfig cfg;
  cfg.uri = args->server_uri;
  cfg.bootstrap = args->is_bootstrap;
  cfg.short_server_id = args->short_server_id;
  cfg.client_hold_off_s = args->client_hold_off_time;
  cfg.bootstrap_timeout_s = args->bootstrap_account_timeout;
  if (args->security_mode == LWM2M_SECURITY_MODE_PRE_SHARED_KEY) {
    if (!LWM2M_CLIENT_HAVE_DTLS) return no_dtls("lwm2m_object_security_instance_create (PSK)");
    if (!args->psk_identity || !args->psk_identity_len || !args->psk_key || !args->psk_key_len) {
      say("lwm2m_object_security_instance_create: PSK mode needs psk_identity and psk_key");
      return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
    }
    cfg.mode = objects::SecurityMode::psk;
    cfg.identity = {args->psk_identity, args->psk_identity_len};
    cfg.secret_key = {args->psk_key, args->psk_key_len};
  } else if (args->security_mode == LWM2M_SECURITY_MODE_NONE) {
    cfg.mode = objects::SecurityMode::nosec;
  } else {
    say("lwm2m_object_security_instance_create: only PSK and NoSec modes are offered here");
    return LWM2M_CLIENT_ERR_NOT_SUPPORTED;
  }
  if (uri->secure() != (cfg.mode == objects::SecurityMode::psk)) {
    say("lwm2m_object_security_instance_create: %s",
        uri->secure() ? "a coaps:// server needs PSK mode and keys"
                      : "a coap:// server needs NoSec mode (keys need coaps://)");
    return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
  }
  int st = LWM2M_CLIENT_OK;
  ctx->with_lock([&] { st = status_of(ctx->security.add(cfg, instance_id).status().error()); });
  if (st != LWM2M_CLIENT_OK)
    say("lwm2m_object_security_instance_create: %s", lwm2m_client_strerror(st));
  return st;
}

lwm2m_object_t* lwm2m_object_server_init(lwm2m_client_data_t* client_data) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_object_server_init");
  return ctx ? ctx->server_handle : nullptr;
}

int lwm2m_object_server_instance_create(lwm2m_object_t* object, uint16_t instance_id,
                                        const lwm2m_obj_server_args_t* args) {
  lwm2m_context_t* ctx = owner(object, "lwm2m_object_server_instance_create");
  if (!ctx) return LWM2M_CLIENT_ERR_INVALID_STATE;
  if (object != ctx->server_handle || !args) {
    say("lwm2m_object_server_instance_create: needs the Server object and args");
    return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
  }
  objects::ServerConfig cfg;
  cfg.short_server_id = args->short_server_id;
  cfg.lifetime_s = args->lifetime;
  cfg.binding = args->binding ? args->binding : "U";
  cfg.notification_storing = args->notification_storing;
  cfg.default_pmin_s = args->default_min_period;
  cfg.default_pmax_s = args->default_max_period;
  if (args->communication_retry_count)
    cfg.communication_retry_count = args->communication_retry_count;
  if (args->communication_retry_timer)
    cfg.communication_retry_timer_s = args->communication_retry_timer;
  if (!objects::binding_valid(cfg.binding)) {
    say("lwm2m_object_server_instance_create: bad binding \"%s\" (use \"U\" or \"UQ\")",
        args->binding);
    return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
  }
  int st = LWM2M_CLIENT_OK;
  ctx->with_lock([&] { st = status_of(ctx->server.add(cfg, instance_id).status().error()); });
  if (st != LWM2M_CLIENT_OK)
    say("lwm2m_object_server_instance_create: %s", lwm2m_client_strerror(st));
  return st;
}

lwm2m_object_t* lwm2m_object_device_init(lwm2m_client_data_t* client_data,
                                         const lwm2m_obj_device_args_t* args) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_object_device_init");
  if (!ctx) return nullptr;
  if (ctx->device_handle) return ctx->device_handle;
  const char* in[7] = {};
  if (args) {
    const char* given[7] = {args->manufacturer,     args->model_number, args->serial_number,
                            args->firmware_version, args->device_type,  args->hardware_version,
                            args->software_version};
    std::copy(std::begin(given), std::end(given), in);
  }
  for (size_t i = 0; i < 7; ++i)
    ctx->device_strings[i] = in[i] ? in[i] : "";
  objects::DeviceInfo info;
  info.manufacturer = ctx->device_strings[0];
  info.model_number = ctx->device_strings[1];
  info.serial_number = ctx->device_strings[2];
  info.firmware_version = ctx->device_strings[3];
  info.device_type = ctx->device_strings[4];
  info.hardware_version = ctx->device_strings[5];
  info.software_version = ctx->device_strings[6];
  try {
    ctx->device = std::make_unique<objects::DeviceObject>(info);
    ctx->device_handle = ctx->wrap(*ctx->device);
  } catch (const std::bad_alloc&) {
    say("lwm2m_object_device_init: out of memory");
    return nullptr;
  }
  return ctx->device_handle;
}

// ---- application objects -----------------------------------------------------------------

void lwm2m_client_value_set_string(lwm2m_client_value_t* value, const char* text) {
  value->type = LWM2M_CLIENT_TYPE_STRING;
  value->v.bytes.data = reinterpret_cast<const uint8_t*>(text);
  value->v.bytes.len = text ? std::strlen(text) : 0;
}
void lwm2m_client_value_set_float(lwm2m_client_value_t* value, double number) {
  value->type = LWM2M_CLIENT_TYPE_FLOAT;
  value->v.floating = number;
}
void lwm2m_client_value_set_integer(lwm2m_client_value_t* value, int64_t number) {
  value->type = LWM2M_CLIENT_TYPE_INTEGER;
  value->v.integer = number;
}
void lwm2m_client_value_set_boolean(lwm2m_client_value_t* value, bool b) {
  value->type = LWM2M_CLIENT_TYPE_BOOLEAN;
  value->v.boolean = b;
}

lwm2m_object_t* lwm2m_client_object_create(lwm2m_client_data_t* client_data,
                                           const lwm2m_client_object_desc_t* desc) {
  static const char* fn = "lwm2m_client_object_create";
  lwm2m_context_t* ctx = live(client_data, fn);
  if (!ctx) return nullptr;
  if (!desc || (desc->resource_count && !desc->resources) ||
      (desc->instance_count && !desc->instance_ids)) {
    say("%s: needs a descriptor with its resources and instance ids", fn);
    return nullptr;
  }
  char id[8];
  std::snprintf(id, sizeof id, "%u", desc->id);
  if (desc->id <= 3 || desc->id == 0xFFFF) {
    say("%s: object %s: ids 0-3 are the standard objects (use their constructors)", fn, id);
    return nullptr;
  }
  try {
    auto defs = std::make_unique<CObjectDefs>();
    defs->arg = desc->arg;
    defs->name = desc->name ? desc->name : "";
    defs->version = desc->version ? desc->version : "1.0";
    std::vector<lwm2m_client_resource_desc_t> sorted(desc->resources,
                                                     desc->resources + desc->resource_count);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    defs->names.reserve(sorted.size());
    for (size_t i = 0; i < sorted.size(); ++i) {
      const lwm2m_client_resource_desc_t& r = sorted[i];
      char rid[8];
      std::snprintf(rid, sizeof rid, "%u", r.id);
      if (i > 0 && sorted[i - 1].id == r.id) {
        say("%s: resource %s is listed twice", fn, rid);
        return nullptr;
      }
      if (!c_type_known(r.type) || r.operations == 0 || r.operations > 4) {
        say("%s: resource %s: unknown type or operations (use LWM2M_CLIENT_TYPE_*, "
            "LWM2M_CLIENT_OP_*)",
            fn, rid);
        return nullptr;
      }
      bool exec = r.operations == LWM2M_CLIENT_OP_EXECUTE;
      if (exec != (r.type == LWM2M_CLIENT_TYPE_NONE)) {
        say("%s: resource %s: executable resources (and only they) have LWM2M_CLIENT_TYPE_NONE", fn,
            rid);
        return nullptr;
      }
      if (((r.operations & LWM2M_CLIENT_OP_READ) && !exec && !r.read) ||
          ((r.operations & LWM2M_CLIENT_OP_WRITE) && !exec && !r.write) || (exec && !r.execute)) {
        say("%s: resource %s: a callback is missing for its operations", fn, rid);
        return nullptr;
      }
      defs->names.emplace_back(r.name ? r.name : "");
      dm::ResourceDef d{r.id,  type_of(r.type), static_cast<dm::Operations>(r.operations),
                        false, r.mandatory,     defs->names.back()};
      defs->resources.push_back(d);
      defs->callbacks.push_back(r);
    }
    defs->instances.assign(desc->instance_ids, desc->instance_ids + desc->instance_count);
    std::sort(defs->instances.begin(), defs->instances.end());
    if (std::adjacent_find(defs->instances.begin(), defs->instances.end()) !=
        defs->instances.end()) {
      say("%s: object %s: an instance id is listed twice", fn, id);
      return nullptr;
    }
    if (!desc->multiple_instances && defs->instances.size() > 1) {
      say("%s: object %s: several instances need multiple_instances = true", fn, id);
      return nullptr;
    }
    defs->def.id = desc->id;
    defs->def.version = defs->version;
    defs->def.multiple = desc->multiple_instances;
    defs->def.resources = defs->resources;
    defs->def.name = defs->name;
    ctx->custom.push_back(std::make_unique<CObject>(ctx, std::move(defs)));
    return ctx->wrap(*ctx->custom.back());
  } catch (const std::bad_alloc&) {
    say("%s: out of memory", fn);
    return nullptr;
  }
}

uint16_t lwm2m_object_id(const lwm2m_object_t* object) {
  return object ? object->object->id() : UINT16_MAX;
}

// ---- Firmware Update ----------------------------------------------------------------------

}  // extern "C"

namespace {

// The C callbacks as a FirmwareSink.
struct CFirmwareSink final : objects::FirmwareSink {
  explicit CFirmwareSink(const lwm2m_obj_firmware_args_t& a) : args(a) {}
  static objects::UpdateResult r(lwm2m_firmware_result_t v) {
    return static_cast<objects::UpdateResult>(v);
  }
  objects::UpdateResult open() noexcept override {
    return args.open ? r(args.open(args.arg)) : objects::UpdateResult::initial;
  }
  objects::UpdateResult write(uint32_t offset, ByteView bytes) noexcept override {
    return args.write ? r(args.write(offset, bytes.data(), bytes.size(), args.arg))
                      : objects::UpdateResult::not_enough_storage;
  }
  objects::UpdateResult finish(uint32_t size) noexcept override {
    return args.finish ? r(args.finish(size, args.arg)) : objects::UpdateResult::initial;
  }
  void discard() noexcept override {
    if (args.discard) args.discard(args.arg);
  }
  objects::UpdateResult update() noexcept override {
    return args.update ? r(args.update(args.arg)) : objects::UpdateResult::update_failed;
  }
  bool resume(uint32_t offset) noexcept override {
    return resume_cb && resume_cb(offset, args.arg);
  }
  lwm2m_obj_firmware_args_t args;
  bool (*resume_cb)(uint32_t offset, void* arg) = nullptr;  // lwm2m_object_firmware_enable_pull
};

}  // namespace

extern "C" {

lwm2m_object_t* lwm2m_object_firmware_init(lwm2m_client_data_t* client_data,
                                           const lwm2m_obj_firmware_args_t* args) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_object_firmware_init");
  if (!ctx) return nullptr;
  if (ctx->firmware_handle) return ctx->firmware_handle;
  if (!args || !args->write) {
    say("lwm2m_object_firmware_init: args->write is needed (where the image goes)");
    return nullptr;
  }
  try {
    ctx->firmware_sink = std::make_unique<CFirmwareSink>(*args);
    ctx->firmware = std::make_unique<objects::FirmwareUpdateObject>(*ctx->firmware_sink);
    ctx->firmware_handle = ctx->wrap(*ctx->firmware);
  } catch (const std::bad_alloc&) {
    say("lwm2m_object_firmware_init: out of memory");
    return nullptr;
  }
  return ctx->firmware_handle;
}

int lwm2m_object_firmware_update_finished(lwm2m_client_data_t* client_data,
                                          lwm2m_firmware_result_t result) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_object_firmware_update_finished");
  if (!ctx || !ctx->firmware) return LWM2M_CLIENT_ERR_INVALID_STATE;
  int rc = LWM2M_CLIENT_OK;
  ctx->with_lock([&] {
    if (!ctx->firmware->update_finished(static_cast<objects::UpdateResult>(result)))
      rc = LWM2M_CLIENT_ERR_INVALID_STATE;
  });
  return rc;
}

int lwm2m_object_device_set_firmware_version(lwm2m_client_data_t* client_data,
                                             const char* version) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_object_device_set_firmware_version");
  if (!ctx || !ctx->device) return LWM2M_CLIENT_ERR_INVALID_STATE;
  if (!version) return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
  ctx->with_lock([&] {
    ctx->device_strings[3] = version;
    ctx->device->set_firmware_version(ctx->device_strings[3]);
  });
  return LWM2M_CLIENT_OK;
}

// ---- persistence ----------------------------------------------------------------------------

int lwm2m_client_set_state_dir(lwm2m_client_data_t* client_data, const char* dir) {
  static const char* fn = "lwm2m_client_set_state_dir";
  lwm2m_context_t* ctx = live(client_data, fn);
  if (!ctx) return LWM2M_CLIENT_ERR_INVALID_STATE;
  if (ctx->runner) {
    say("%s: call it before lwm2m_client_run", fn);
    return LWM2M_CLIENT_ERR_INVALID_STATE;
  }
  if (!dir || !*dir) {
    say("%s: needs a directory", fn);
    return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
  }
  try {
    auto p = std::make_unique<lwm2m_context::Persistence>(*ctx, dir);
    if (Status st = p->storage.prepare(); !st) {
      const std::string why(p->storage.error_detail());
      say("%s: cannot use \"%s\" for the saved configuration", fn, dir);
      say("  %s (give a directory that exists or can be created, e.g. /var/lib/NAME)", why.c_str());
      return st.error() == Errc::invalid_argument ? LWM2M_CLIENT_ERR_INVALID_ARGUMENT
                                                  : LWM2M_CLIENT_ERR_INTERNAL;
    }
    ctx->persistence = std::move(p);
  } catch (const std::bad_alloc&) {
    say("%s: out of memory", fn);
    return LWM2M_CLIENT_ERR_NO_SPACE;
  }
  return LWM2M_CLIENT_OK;
}

}  // extern "C"

// ---- Device values, Connectivity Monitoring, Location, IPSO objects ----------------------

void LightHolder::on_light_changed(const objects::LightControlInstance& light) noexcept {
  // On the client thread, with the objects held (the transaction's commit): a callback may
  // call the facade, as object callbacks may.
  for (const Callback& c : callbacks) {
    if (c.iid != light.id || !c.cb) continue;
    char colour[sizeof light.live.colour.text + 1];
    std::memcpy(colour, light.live.colour.text, light.live.colour.len);
    colour[light.live.colour.len] = '\0';
    LockedScope scope(ctx);
    c.cb(light.id, light.live.on, static_cast<uint8_t>(light.live.dimmer), colour, c.arg);
  }
}

namespace {

// Runs f(ctx) with the client's objects held; f returns a status. Errors are said once.
template <class F>
int update_objects(lwm2m_client_data_t* client_data, const char* fn, F&& f) {
  lwm2m_context_t* ctx = live(client_data, fn);
  if (!ctx) return LWM2M_CLIENT_ERR_INVALID_STATE;
  int st = LWM2M_CLIENT_OK;
  ctx->with_lock([&] { st = f(ctx); });
  if (st != LWM2M_CLIENT_OK) say("%s: %s", fn, lwm2m_client_strerror(st));
  return st;
}

// The handle of an extra object, made by `make` on the first call.
template <class F>
lwm2m_object_t* extra_handle(lwm2m_client_data_t* client_data, const char* fn, dm::ObjectId id,
                             F&& make) {
  lwm2m_context_t* ctx = live(client_data, fn);
  if (!ctx) return nullptr;
  for (auto& [oid, handle] : ctx->extra_handles)
    if (oid == id) return handle;
  if (ctx->runner) {
    say("%s: objects are made before lwm2m_client_run", fn);
    return nullptr;
  }
  try {
    dm::Object& o = make(ctx);
    ctx->extra_handles.emplace_back(id, ctx->wrap(o));
    return ctx->extra_handles.back().second;
  } catch (const std::bad_alloc&) {
    say("%s: out of memory", fn);
    return nullptr;
  }
}

std::string_view text_or_empty(const char* s) {
  return s ? std::string_view(s) : std::string_view();
}

int created(const char* fn, Status st) {
  int out = status_of(st.error());
  if (out != LWM2M_CLIENT_OK) say("%s: %s", fn, lwm2m_client_strerror(out));
  return out;
}

}  // namespace

extern "C" {

int lwm2m_client_device_set_battery(lwm2m_client_data_t* client_data, int level, int status) {
  return update_objects(
      client_data, "lwm2m_client_device_set_battery", [&](lwm2m_context_t* ctx) -> int {
        if (!ctx->device) return LWM2M_CLIENT_ERR_INVALID_STATE;
        if ((level != LWM2M_CLIENT_ABSENT && (level < 0 || level > 100)) ||
            (status != LWM2M_CLIENT_ABSENT && (status < 0 || status > 6)))
          return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
        ctx->device->set_battery_level(level == LWM2M_CLIENT_ABSENT ? -1 : level);
        ctx->device->set_battery_status(static_cast<objects::DeviceObject::BatteryStatus>(
            status == LWM2M_CLIENT_ABSENT ? -1 : status));
        return LWM2M_CLIENT_OK;
      });
}

int lwm2m_client_device_add_power_source(lwm2m_client_data_t* client_data, int source,
                                         int voltage_mv, int current_ma) {
  return update_objects(
      client_data, "lwm2m_client_device_add_power_source", [&](lwm2m_context_t* ctx) -> int {
        if (!ctx->device) return LWM2M_CLIENT_ERR_INVALID_STATE;
        return status_of(ctx->device->add_power_source(source, voltage_mv, current_ma).error());
      });
}

int lwm2m_client_device_add_error_code(lwm2m_client_data_t* client_data, int code) {
  return update_objects(client_data, "lwm2m_client_device_add_error_code",
                        [&](lwm2m_context_t* ctx) -> int {
                          if (!ctx->device) return LWM2M_CLIENT_ERR_INVALID_STATE;
                          return status_of(ctx->device->add_error_code(code).error());
                        });
}

lwm2m_object_t* lwm2m_object_connectivity_monitoring_init(lwm2m_client_data_t* client_data) {
  return extra_handle(client_data, "lwm2m_object_connectivity_monitoring_init", 4,
                      [](lwm2m_context_t* ctx) -> dm::Object& {
                        ctx->extra.connectivity =
                            std::make_unique<objects::ConnectivityMonitoringObject>();
                        return *ctx->extra.connectivity;
                      });
}

int lwm2m_client_connectivity_update(lwm2m_client_data_t* client_data,
                                     const lwm2m_client_connectivity_t* v) {
  return update_objects(
      client_data, "lwm2m_client_connectivity_update", [&](lwm2m_context_t* ctx) -> int {
        objects::ConnectivityMonitoringObject* cm = ctx->extra.connectivity.get();
        if (!cm) return LWM2M_CLIENT_ERR_INVALID_STATE;
        if (!v) return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
        const std::pair<dm::ResourceId, int> integers[] = {
            {0, v->network_bearer}, {2, v->radio_signal_strength},
            {3, v->link_quality},   {6, v->link_utilization},
            {8, v->cell_id},        {9, v->smnc},
            {10, v->smcc},          {12, v->lac}};
        for (auto [rid, value] : integers) {
          if (value == LWM2M_CLIENT_ABSENT)
            (void)cm->clear(rid);
          else
            (void)cm->set_integer(rid, value);
        }
        const int bearer[] = {v->network_bearer};
        (void)cm->set_available_bearers(bearer);
        auto strings = [&](dm::ResourceId rid, std::initializer_list<const char*> given) {
          std::string_view list[objects::ConnectivityMonitoringObject::kMaxAddresses];
          size_t n = 0;
          for (const char* g : given)
            if (g && n < std::size(list)) list[n++] = g;
          return cm->set_strings(rid, std::span<const std::string_view>(list, n));
        };
        Status st = strings(4, {v->ip_addresses[0], v->ip_addresses[1]});
        if (st) st = strings(5, {v->router_ip_addresses[0], v->router_ip_addresses[1]});
        if (st) st = strings(7, {v->apn});
        return status_of(st.error());
      });
}

lwm2m_object_t* lwm2m_object_location_init(lwm2m_client_data_t* client_data) {
  return extra_handle(client_data, "lwm2m_object_location_init", 6,
                      [](lwm2m_context_t* ctx) -> dm::Object& {
                        ctx->extra.location = std::make_unique<objects::LocationObject>();
                        return *ctx->extra.location;
                      });
}

int lwm2m_client_location_update(lwm2m_client_data_t* client_data, double latitude,
                                 double longitude, double altitude, double radius, double speed,
                                 time_t timestamp) {
  return update_objects(client_data, "lwm2m_client_location_update",
                        [&](lwm2m_context_t* ctx) -> int {
                          objects::LocationObject* loc = ctx->extra.location.get();
                          if (!loc) return LWM2M_CLIENT_ERR_INVALID_STATE;
                          loc->set_position(latitude, longitude, static_cast<int64_t>(timestamp));
                          loc->set_altitude(altitude);
                          loc->set_radius(radius);
                          loc->set_speed(speed);
                          return LWM2M_CLIENT_OK;
                        });
}

lwm2m_object_t* lwm2m_object_ipso_sensor_init(lwm2m_client_data_t* client_data, uint16_t object_id,
                                              uint16_t max_instances) {
  static const char* fn = "lwm2m_object_ipso_sensor_init";
  const dm::ObjectDef* def = objects::ipso_sensor_def(object_id);
  if (!def || max_instances == 0) {
    say("%s: needs an IPSO sensor id (3301, 3303, 3304, 3315, 3316, 3317) and room for an "
        "instance",
        fn);
    return nullptr;
  }
  return extra_handle(client_data, fn, object_id, [&](lwm2m_context_t* ctx) -> dm::Object& {
    auto h = std::make_unique<IpsoSensorHolder>();
    h->slots.resize(max_instances);
    h->object = std::make_unique<objects::IpsoSensorObject>(*def, h->slots);
    ctx->extra.sensors.push_back(std::move(h));
    return *ctx->extra.sensors.back()->object;
  });
}

int lwm2m_object_ipso_sensor_instance_create(lwm2m_object_t* object,
                                             const lwm2m_obj_ipso_sensor_args_t* args) {
  static const char* fn = "lwm2m_object_ipso_sensor_instance_create";
  lwm2m_context_t* ctx = owner(object, fn);
  if (!ctx) return LWM2M_CLIENT_ERR_INVALID_STATE;
  IpsoSensorHolder* holder = nullptr;
  for (auto& h : ctx->extra.sensors)
    if (h->object.get() == object->object) holder = h.get();
  if (!holder || !args) {
    say("%s: needs an IPSO sensor object (lwm2m_object_temperature_init...) and args", fn);
    return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
  }
  Status st;
  ctx->with_lock([&] {
    holder->units.push_back(std::make_unique<std::string>(text_or_empty(args->units)));
    objects::IpsoSensorConfig cfg;
    cfg.units = *holder->units.back();
    cfg.has_range = args->has_range;
    cfg.min_range = args->min_range;
    cfg.max_range = args->max_range;
    cfg.application_type = text_or_empty(args->application_type);
    cfg.value = args->value;
    st = holder->object->add(args->instance_id, cfg);
  });
  return created(fn, st);
}

int lwm2m_client_sensor_update(lwm2m_client_data_t* client_data, uint16_t object_id,
                               uint16_t instance_id, double value) {
  return update_objects(
      client_data, "lwm2m_client_sensor_update", [&](lwm2m_context_t* ctx) -> int {
        for (auto& h : ctx->extra.sensors)
          if (h->object->id() == object_id)
            return status_of(
                h->object->set_value(instance_id, value, static_cast<int64_t>(std::time(nullptr)))
                    .error());
        return LWM2M_CLIENT_ERR_NOT_FOUND;
      });
}

lwm2m_object_t* lwm2m_object_light_control_init(lwm2m_client_data_t* client_data) {
  return extra_handle(client_data, "lwm2m_object_light_control_init", 3311,
                      [](lwm2m_context_t* ctx) -> dm::Object& {
                        auto h = std::make_unique<LightHolder>();
                        h->ctx = ctx;
                        h->slots.resize(LWM2M_CLIENT_IPSO_INSTANCES_MAX);
                        h->object = std::make_unique<objects::LightControlObject>(h->slots);
                        h->object->set_clock(&posix::system_clock());
                        h->object->set_listener(h.get());
                        ctx->extra.light = std::move(h);
                        return *ctx->extra.light->object;
                      });
}

int lwm2m_object_light_control_instance_create(lwm2m_object_t* object,
                                               const lwm2m_obj_light_control_args_t* args) {
  static const char* fn = "lwm2m_object_light_control_instance_create";
  lwm2m_context_t* ctx = owner(object, fn);
  if (!ctx) return LWM2M_CLIENT_ERR_INVALID_STATE;
  LightHolder* h = ctx->extra.light.get();
  if (!h || h->object.get() != object->object || !args) {
    say("%s: needs the Light Control object (lwm2m_object_light_control_init) and args", fn);
    return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
  }
  Status st;
  ctx->with_lock([&] {
    h->units.push_back(std::make_unique<std::string>(text_or_empty(args->units)));
    st = h->object->add(args->instance_id, *h->units.back(), text_or_empty(args->colour),
                        text_or_empty(args->application_type));
    if (st) h->callbacks.push_back({args->instance_id, args->cb, args->cb_arg});
  });
  return created(fn, st);
}

int lwm2m_client_light_control_update(lwm2m_client_data_t* client_data, uint16_t instance_id,
                                      bool on, int dimmer) {
  return update_objects(
      client_data, "lwm2m_client_light_control_update", [&](lwm2m_context_t* ctx) -> int {
        if (!ctx->extra.light) return LWM2M_CLIENT_ERR_INVALID_STATE;
        return status_of(ctx->extra.light->object->set(instance_id, on, dimmer).error());
      });
}

lwm2m_object_t* lwm2m_object_on_off_switch_init(lwm2m_client_data_t* client_data) {
  return extra_handle(client_data, "lwm2m_object_on_off_switch_init", 3342,
                      [](lwm2m_context_t* ctx) -> dm::Object& {
                        ctx->extra.switch_slots.resize(LWM2M_CLIENT_IPSO_INSTANCES_MAX);
                        ctx->extra.on_off_switch =
                            std::make_unique<objects::OnOffSwitchObject>(ctx->extra.switch_slots);
                        ctx->extra.on_off_switch->set_clock(&posix::system_clock());
                        return *ctx->extra.on_off_switch;
                      });
}

int lwm2m_object_on_off_switch_instance_create(lwm2m_object_t* object,
                                               const lwm2m_obj_on_off_switch_args_t* args) {
  static const char* fn = "lwm2m_object_on_off_switch_instance_create";
  lwm2m_context_t* ctx = owner(object, fn);
  if (!ctx) return LWM2M_CLIENT_ERR_INVALID_STATE;
  if (!ctx->extra.on_off_switch || ctx->extra.on_off_switch.get() != object->object || !args) {
    say("%s: needs the On/Off Switch object (lwm2m_object_on_off_switch_init) and args", fn);
    return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
  }
  Status st;
  ctx->with_lock([&] {
    st = ctx->extra.on_off_switch->add(args->instance_id, text_or_empty(args->application_type));
  });
  return created(fn, st);
}

int lwm2m_client_switch_update(lwm2m_client_data_t* client_data, uint16_t instance_id, bool on) {
  return update_objects(
      client_data, "lwm2m_client_switch_update", [&](lwm2m_context_t* ctx) -> int {
        if (!ctx->extra.on_off_switch) return LWM2M_CLIENT_ERR_INVALID_STATE;
        return status_of(ctx->extra.on_off_switch->set_state(instance_id, on).error());
      });
}

}  // extern "C"

// ---- Firmware Update pull, Access Control -------------------------------------------------

extern "C" {

int lwm2m_object_firmware_enable_pull(lwm2m_client_data_t* client_data,
                                      const lwm2m_obj_firmware_pull_args_t* args) {
  static const char* fn = "lwm2m_object_firmware_enable_pull";
  lwm2m_context_t* ctx = live(client_data, fn);
  if (!ctx) return LWM2M_CLIENT_ERR_INVALID_STATE;
  if (!ctx->firmware || ctx->runner) {
    say("%s: call it after lwm2m_object_firmware_init and before lwm2m_client_run", fn);
    return LWM2M_CLIENT_ERR_INVALID_STATE;
  }
  objects::FirmwareUpdateConfig config;
  config.pull = true;
  config.coaps = LWM2M_CLIENT_HAVE_DTLS && args && args->coaps;  // else Update Result 9
  try {
    if (!ctx->downloader) {
      ctx->downloader_box = std::make_unique<lwm2m_context::DownloaderBox>();
      ctx->downloader = &ctx->downloader_box->d;
    }
    // The object's configuration is fixed at construction: a new one in the same handle.
    ctx->firmware = std::make_unique<objects::FirmwareUpdateObject>(*ctx->firmware_sink, config);
  } catch (const std::bad_alloc&) {
    say("%s: out of memory", fn);
    return LWM2M_CLIENT_ERR_NO_SPACE;
  }
  ctx->firmware_handle->object = ctx->firmware.get();
  static_cast<CFirmwareSink&>(*ctx->firmware_sink).resume_cb = args ? args->resume : nullptr;
  return LWM2M_CLIENT_OK;
}

lwm2m_object_t* lwm2m_object_access_control_init(lwm2m_client_data_t* client_data) {
  lwm2m_context_t* ctx = live(client_data, "lwm2m_object_access_control_init");
  if (!ctx) return nullptr;
  if (ctx->acl_handle) return ctx->acl_handle;
  try {
    ctx->acl_storage =
        std::make_unique<std::array<objects::AclInstance, LWM2M_CLIENT_ACL_INSTANCES_MAX>>();
    ctx->acl = std::make_unique<objects::AccessControlObject>(*ctx->acl_storage);
    ctx->acl_handle = ctx->wrap(*ctx->acl);
  } catch (const std::bad_alloc&) {
    say("lwm2m_object_access_control_init: out of memory");
    return nullptr;
  }
  return ctx->acl_handle;
}

int lwm2m_object_access_control_instance_create(lwm2m_object_t* object, uint16_t object_id,
                                                uint16_t instance_id, uint16_t owner) {
  static const char* fn = "lwm2m_object_access_control_instance_create";
  lwm2m_context_t* ctx = ::owner(object, fn);
  if (!ctx) return LWM2M_CLIENT_ERR_INVALID_STATE;
  if (object != ctx->acl_handle) {
    say("%s: needs the object made by lwm2m_object_access_control_init", fn);
    return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
  }
  if (ctx->runner) {
    say("%s: call it before lwm2m_client_run", fn);
    return LWM2M_CLIENT_ERR_INVALID_STATE;
  }
  auto iid = ctx->acl->add(object_id, instance_id, owner);
  if (!iid) {
    say("%s: no room for another instance (LWM2M_CLIENT_ACL_INSTANCES_MAX is %s)", fn,
        std::to_string(LWM2M_CLIENT_ACL_INSTANCES_MAX).c_str());
    return LWM2M_CLIENT_ERR_NO_SPACE;
  }
  return *iid;
}

int lwm2m_object_access_control_add(lwm2m_object_t* object, uint16_t acl_instance_id,
                                    uint16_t short_server_id, uint8_t access) {
  static const char* fn = "lwm2m_object_access_control_add";
  lwm2m_context_t* ctx = ::owner(object, fn);
  if (!ctx) return LWM2M_CLIENT_ERR_INVALID_STATE;
  if (object != ctx->acl_handle || access > LWM2M_ACCESS_ALL) {
    say("%s: needs the object made by lwm2m_object_access_control_init and LWM2M_ACCESS_* "
        "bits",
        fn);
    return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
  }
  if (ctx->runner) {
    say("%s: call it before lwm2m_client_run", fn);
    return LWM2M_CLIENT_ERR_INVALID_STATE;
  }
  Status st = ctx->acl->grant(acl_instance_id, short_server_id, access);
  if (st) return LWM2M_CLIENT_OK;
  const std::string iid = std::to_string(acl_instance_id);
  if (st.error() == Errc::not_found) {
    say("%s: there is no ACL instance %s", fn, iid.c_str());
    return LWM2M_CLIENT_ERR_NOT_FOUND;
  }
  say("%s: no room for another entry in ACL instance %s", fn, iid.c_str());
  return LWM2M_CLIENT_ERR_NO_SPACE;
}

}  // extern "C"
