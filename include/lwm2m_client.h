/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwm2m_client.h: the C facade of the library, with the names of RIOT's `lwm2m_client` API
 * (the Wakaama adaption), on POSIX. Usable from C11 and C++.
 *
 * A client is driven by one thread (started by lwm2m_client_run) that owns the client and
 * its objects. Object callbacks run on that thread. Other threads talk to it through
 * lwm2m_client_value_changed() and lwm2m_client_locked(), which are thread-safe. Several
 * clients may run in one process: each has its own thread, lock, settings and DTLS
 * credentials (see "DTLS credentials" for the calls without a client argument).
 *
 *   lwm2m_client_data_t data;
 *   lwm2m_client_init(&data);                         // before any object creation
 *   lwm2m_object_t *objs[3];
 *   objs[0] = lwm2m_object_security_init(&data);
 *   objs[1] = lwm2m_object_server_init(&data);
 *   objs[2] = lwm2m_object_device_init(&data, &device_args);
 *   lwm2m_obj_security_args_t sec = LWM2M_OBJ_SECURITY_ARGS_INIT;
 *   sec.server_uri = "coap://[::1]:5683";
 *   lwm2m_object_security_instance_create(objs[0], 0, &sec);
 *   ...
 *   lwm2m_client_run(&data, objs, 3);
 *   ...
 *   lwm2m_client_stop(&data);                         // De-register, join the thread
 *   lwm2m_client_deinit(&data);                       // free the context and the objects
 *
 * Differences from RIOT, all forced by POSIX: `pid` is the pthread_t of the client thread,
 * `sock` a file descriptor, endpoints are `struct sockaddr_storage`, and `conn_list` is a
 * snapshot (see lwm2m_client_refresh_connections). The credential functions return a status
 * instead of nothing, so that a build without DTLS can say so.
 */
#ifndef LWM2M_CLIENT_H
#define LWM2M_CLIENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- compile-time defaults (RIOT's), overridable with -D ----------------------------- */

/** Size of the buffer for the UDP packet reception: longer datagrams are dropped. */
#ifndef LWM2M_CLIENT_RCV_BUFFER_SIZE
#define LWM2M_CLIENT_RCV_BUFFER_SIZE 200
#endif

/** Time in seconds to wait until reboot after a server request (Execute /3/0/4). */
#ifndef LWM2M_CLIENT_REBOOT_TIME
#define LWM2M_CLIENT_REBOOT_TIME 5
#endif

/** Time in seconds to wait until LwM2M is refreshed: the longest wait for a datagram, and
 *  the longest time between two calls into the client core. */
#ifndef LWM2M_CLIENT_MIN_REFRESH_TIME
#define LWM2M_CLIENT_MIN_REFRESH_TIME 1
#endif

/** The longest Endpoint Client Name, in bytes: a longer one makes lwm2m_client_run fail. */
#define LWM2M_CLIENT_MAX_ENDPOINT 128

/** Endpoint Client Name used unless the configuration names another (RIOT's
 *  CONFIG_LWM2M_DEVICE_NAME). */
#ifndef LWM2M_CLIENT_DEVICE_NAME
#define LWM2M_CLIENT_DEVICE_NAME "lwm2m-c-client"
#endif

/** Local UDP port (RIOT's CONFIG_LWM2M_LOCAL_PORT); 0 picks a free one. */
#ifndef LWM2M_CLIENT_LOCAL_PORT
#define LWM2M_CLIENT_LOCAL_PORT 5683
#endif

/** Credential tag of Security instance 0; instance N uses LWM2M_CLIENT_CREDMAN_TAG_BASE + N
 *  (RIOT's CONFIG_LWM2M_CREDMAN_TAG_BASE). */
#ifndef LWM2M_CLIENT_CREDMAN_TAG_BASE
#define LWM2M_CLIENT_CREDMAN_TAG_BASE 10
#endif

/** Tags lwm2m_client_add_credential can hold. */
#define LWM2M_CLIENT_MAX_CREDENTIALS 8

/* ---- status codes --------------------------------------------------------------------- */

/** Results of the facade's functions, and what object callbacks return (each error becomes
 *  the CoAP response code named in its comment). */
typedef enum {
  LWM2M_CLIENT_OK = 0,
  LWM2M_CLIENT_ERR_INVALID_ARGUMENT = -1,   /**< 4.00 Bad Request */
  LWM2M_CLIENT_ERR_NOT_FOUND = -2,          /**< 4.04 Not Found */
  LWM2M_CLIENT_ERR_METHOD_NOT_ALLOWED = -3, /**< 4.05 Method Not Allowed */
  LWM2M_CLIENT_ERR_NO_SPACE = -4,           /**< 5.00 (storage full) */
  LWM2M_CLIENT_ERR_NOT_SUPPORTED = -5,      /**< 5.01; DTLS not compiled in */
  LWM2M_CLIENT_ERR_INVALID_STATE = -6,      /**< 5.00; e.g. lwm2m_client_init not called */
  LWM2M_CLIENT_ERR_INTERNAL = -7,           /**< 5.00 Internal Server Error */
} lwm2m_client_status_t;

/** Words for a status ("not supported"). */
const char* lwm2m_client_strerror(int status);

/* ---- RIOT's types ---------------------------------------------------------------------- */

/** Credential tag (RIOT's credman_tag_t). */
typedef uint16_t credman_tag_t;

/** The LwM2M context: opaque. */
typedef struct lwm2m_context lwm2m_context_t;

/** An object handed to lwm2m_client_run: opaque, made by the constructors below. */
typedef struct lwm2m_object lwm2m_object_t;

/** Type of connection to the LwM2M server. */
typedef enum {
  LWM2M_CLIENT_CONN_UDP,  /**< UDP */
  LWM2M_CLIENT_CONN_DTLS, /**< DTLS over UDP */
} lwm2m_client_connection_type_t;

/** What stands for RIOT's sock_dtls_session_t: the account the connection serves and
 *  whether it is secured (only with LWM2M_CLIENT_CONN_DTLS). */
typedef struct {
  uint16_t short_server_id; /**< 0 for the bootstrap server */
  bool secured;             /**< a DTLS session (coaps://) */
} lwm2m_client_dtls_session_t;

/** Connection to server descriptor. */
typedef struct lwm2m_client_connection {
  struct lwm2m_client_connection* next; /**< pointer to the next connection */
  struct sockaddr_storage remote;       /**< remote endpoint */
  lwm2m_client_dtls_session_t session;  /**< DTLS session */
  lwm2m_client_connection_type_t type;  /**< type of connection */
  time_t last_send;                     /**< last sent packet to the server (0: none) */
} lwm2m_client_connection_t;

/** LwM2M client descriptor. */
typedef struct {
  pthread_t pid;                        /**< the client thread (valid while it runs) */
  int sock;                             /**< UDP socket (file descriptor; -1 when closed) */
  struct sockaddr_storage local_ep;     /**< local endpoint (port set once running) */
  lwm2m_context_t* lwm2m_ctx;           /**< LwM2M context */
  lwm2m_client_connection_t* conn_list; /**< LwM2M connections list (a snapshot) */
} lwm2m_client_data_t;

/* ---- initialisation and configuration ------------------------------------------------- */

/** The LwM2M version the client registers with ("lwm2m=" of the Register). */
typedef enum {
  LWM2M_CLIENT_VERSION_DEFAULT = 0, /**< the library's default: 1.1 */
  LWM2M_CLIENT_VERSION_1_0 = 10,
  LWM2M_CLIENT_VERSION_1_1 = 11,
  LWM2M_CLIENT_VERSION_1_2 = 12,
} lwm2m_client_version_t;

/**
 * Run-time settings; LWM2M_CLIENT_CONFIG_INIT fills them from the defines above.
 *
 * The fields after reboot_time_ms are the client core's sizes and protocol choices: 0 (or
 * LWM2M_CLIENT_VERSION_DEFAULT, false) keeps the library's default, and
 * lwm2m_client_get_config() shows the values in use. The binding ("U", "UQ") is a Server
 * instance's (lwm2m_obj_server_args_t.binding).
 */
typedef struct {
  const char* endpoint;     /**< Endpoint Client Name (copied) */
  uint16_t local_port;      /**< 0: a free port */
  uint32_t min_refresh_ms;  /**< LWM2M_CLIENT_MIN_REFRESH_TIME */
  uint32_t rcv_buffer_size; /**< LWM2M_CLIENT_RCV_BUFFER_SIZE */
  uint32_t reboot_time_ms;  /**< LWM2M_CLIENT_REBOOT_TIME */

  lwm2m_client_version_t lwm2m_version; /**< default 1.1 */
  /** Queue mode for every server (1.1: the Register's "Q"; 1.0: binding "UQ"); a Server
   *  instance with binding "UQ" asks for it too. Default false. */
  bool queue_mode;
  uint16_t coap_message_size; /**< largest CoAP message the client builds; default 1152 */
  /** Longest Register payload (the object links) and Send payload; default 512. At most the
   *  block size (the largest of 16..1024 bytes that fits coap_message_size with 64 bytes to
   *  spare) it takes no memory: each payload is written into its request's message.
   *  Larger, the client keeps a buffer of this size and sends such payloads block-wise. */
  uint16_t uplink_buffer;
  uint16_t scratch;          /**< room for decoded strings and computed values; default 256 */
  uint8_t max_servers;       /**< management servers served at once; default 2 */
  uint16_t max_observations; /**< observations over all servers; default 8 */
  /** When every attempt to register (and to bootstrap) failed: false (default) stops the
   *  client, so lwm2m_client_is_running() turns false and lwm2m_client_gave_up() true (exit
   *  and let a supervisor restart you); true starts over a minute later, for ever. */
  bool keep_trying;
} lwm2m_client_config_t;

#define LWM2M_CLIENT_CONFIG_INIT                                                              \
  {                                                                                           \
    LWM2M_CLIENT_DEVICE_NAME, LWM2M_CLIENT_LOCAL_PORT, LWM2M_CLIENT_MIN_REFRESH_TIME * 1000u, \
        LWM2M_CLIENT_RCV_BUFFER_SIZE, LWM2M_CLIENT_REBOOT_TIME * 1000u,                       \
        LWM2M_CLIENT_VERSION_DEFAULT, false, 0, 0, 0, 0, 0, false                             \
  }

/** Initializes a client with `config` (copied). Comes before any object creation. */
void lwm2m_client_init_with_config(lwm2m_client_data_t* client_data,
                                   const lwm2m_client_config_t* config);

/**
 * Initializes a LwM2M client with the defines' values as the caller's translation unit
 * sees them (so -D on the application's command line takes effect).
 *
 * Needed before calling any object creation.
 */
static inline void lwm2m_client_init(lwm2m_client_data_t* client_data) {
  lwm2m_client_config_t config = LWM2M_CLIENT_CONFIG_INIT;
  lwm2m_client_init_with_config(client_data, &config);
}

/** The settings in use (null before lwm2m_client_init). */
const lwm2m_client_config_t* lwm2m_client_get_config(const lwm2m_client_data_t* client_data);

/**
 * Starts a LwM2M client: registers `obj_list` (which must hold the Security and Server
 * objects), opens the socket and starts the client thread, which registers with the
 * configured servers (or bootstraps).
 *
 * @return the context, or NULL when the client cannot start (the reason is logged).
 */
lwm2m_context_t* lwm2m_client_run(lwm2m_client_data_t* client_data, lwm2m_object_t* obj_list[],
                                  uint16_t obj_numof);

/** Returns the LwM2M context of a LwM2M client. */
static inline lwm2m_context_t* lwm2m_client_get_ctx(lwm2m_client_data_t* client_data) {
  return client_data->lwm2m_ctx;
}

/** De-registers from every server (waiting up to 5 s for the answers), stops and joins the
 *  client thread. Safe to call more than once and from a reboot hook (it then does not
 *  join: the thread ends on its own). */
void lwm2m_client_stop(lwm2m_client_data_t* client_data);

/** Stops the client if needed and frees the context and every object made for it. */
void lwm2m_client_deinit(lwm2m_client_data_t* client_data);

/** True while the client thread runs (false after a stop, or after the default reboot). */
bool lwm2m_client_is_running(const lwm2m_client_data_t* client_data);

/** True when the server asked for a reboot (Execute /3/0/4) and no hook was set: the
 *  client then de-registered and stopped by itself. */
bool lwm2m_client_reboot_requested(const lwm2m_client_data_t* client_data);

/** True when the client stopped by itself because every attempt to register (and to
 *  bootstrap) failed (lwm2m_client_config_t.keep_trying is false); the log says why. */
bool lwm2m_client_gave_up(const lwm2m_client_data_t* client_data);

/** Called LWM2M_CLIENT_REBOOT_TIME after an Execute on /3/0/4 was answered, on the client
 *  thread. Without a hook the client de-registers and stops. Set before lwm2m_client_run. */
typedef void (*lwm2m_client_reboot_hook_t)(void* arg);
void lwm2m_client_set_reboot_hook(lwm2m_client_data_t* client_data, lwm2m_client_reboot_hook_t hook,
                                  void* arg);

/** One line per state change and per request served ("registered (server 1)", "served GET
 *  /3/0 from server 1: 2.05"). Default: stderr. Set before lwm2m_client_run. */
typedef void (*lwm2m_client_log_hook_t)(const char* line, void* arg);
void lwm2m_client_set_log_hook(lwm2m_client_data_t* client_data, lwm2m_client_log_hook_t hook,
                               void* arg);

/** Refreshes client_data->conn_list from the client thread's connections and returns it. */
lwm2m_client_connection_t* lwm2m_client_refresh_connections(lwm2m_client_data_t* client_data);

/** Whether the server with this Short Server ID has accepted our registration. */
bool lwm2m_client_is_registered(lwm2m_client_data_t* client_data, uint16_t short_server_id);

/** Runs `fn(arg)` while the client thread cannot touch the objects, then lets it look at
 *  changes at once: the way for another thread to update values object callbacks read.
 *  lwm2m_client_value_changed may be called from inside `fn`. */
void lwm2m_client_locked(lwm2m_client_data_t* client_data, void (*fn)(void* arg), void* arg);

/** A value changed (thread-safe): observations of it are notified. `resource_id` may be
 *  UINT16_MAX for the whole instance. */
int lwm2m_client_value_changed(lwm2m_client_data_t* client_data, uint16_t object_id,
                               uint16_t instance_id, uint16_t resource_id);

/* ---- DTLS credentials (only with DTLS compiled in) ------------------------------------ */
/*
 * Each client has its own credentials: the tags it may use and the keys behind them (copied
 * from its Security instances), so clients with different keys run in one process. RIOT's
 * functions without a client argument act on the only client of the process (before
 * any lwm2m_client_init: on tags the next client initialised takes over); with several
 * clients they are refused (LWM2M_CLIENT_ERR_INVALID_STATE, false, 0) and the *_for
 * variants name the client. lwm2m_client_refresh_dtls_credentials() refreshes every client.
 */

/** Whether this build has DTLS (coaps://). Without it the credential functions return
 *  LWM2M_CLIENT_ERR_NOT_SUPPORTED and say so on stderr. */
bool lwm2m_client_dtls_available(void);

/** Refreshes the client available credentials using the currently registered security
 *  objects: each instance with a key gets tag LWM2M_CLIENT_CREDMAN_TAG_BASE + instance id. */
int lwm2m_client_refresh_dtls_credentials(void);
int lwm2m_client_refresh_dtls_credentials_for(lwm2m_client_data_t* client_data);

/** Adds a credential tag to be used with the LwM2M DTLS sock; a tag already available is
 *  not added again. */
int lwm2m_client_add_credential(credman_tag_t tag);
int lwm2m_client_add_credential_for(lwm2m_client_data_t* client_data, credman_tag_t tag);

/** Removes a credential tag from the available ones; an unknown tag changes nothing. */
int lwm2m_client_remove_credential(credman_tag_t tag);
int lwm2m_client_remove_credential_for(lwm2m_client_data_t* client_data, credman_tag_t tag);

/** How many tags are available, and whether one is. */
size_t lwm2m_client_credential_count(void);
size_t lwm2m_client_credential_count_for(const lwm2m_client_data_t* client_data);
bool lwm2m_client_has_credential(credman_tag_t tag);
bool lwm2m_client_has_credential_for(const lwm2m_client_data_t* client_data, credman_tag_t tag);

/* ---- standard objects ------------------------------------------------------------------ */

typedef enum {
  LWM2M_SECURITY_MODE_PRE_SHARED_KEY = 0,
  LWM2M_SECURITY_MODE_NONE = 3,
} lwm2m_security_mode_t;

/** One Security instance (/0/x): a server URI and how to reach it. */
typedef struct {
  const char* server_uri;              /**< "coap://host:port" or "coaps://..." */
  bool is_bootstrap;                   /**< a bootstrap server account */
  lwm2m_security_mode_t security_mode; /**< how the connection is secured: PSK or none */
  const uint8_t* psk_identity;         /**< PSK mode */
  size_t psk_identity_len;             /**< bytes of psk_identity */
  const uint8_t* psk_key;              /**< PSK mode: the key's bytes */
  size_t psk_key_len;                  /**< bytes of psk_key */
  uint16_t short_server_id;            /**< 1..65534 for a management server */
  uint32_t client_hold_off_time;       /**< seconds (bootstrap server) */
  uint32_t bootstrap_account_timeout;  /**< seconds; 0 never */
} lwm2m_obj_security_args_t;

#define LWM2M_OBJ_SECURITY_ARGS_INIT \
  { NULL, false, LWM2M_SECURITY_MODE_NONE, NULL, 0, NULL, 0, 1, 0, 0 }

/** One Server instance (/1/x). */
typedef struct {
  uint16_t short_server_id;    /**< the server this instance configures (1..65534) */
  uint32_t lifetime;           /**< seconds */
  const char* binding;         /**< "U" or "UQ" (queue mode) */
  bool notification_storing;   /**< keep notifications while the server is unreachable */
  uint32_t default_min_period; /**< seconds */
  uint32_t default_max_period; /**< seconds; 0 none */
  /** Register attempts in one retry sequence (/1/x/17); 0: the default, 5. */
  uint32_t communication_retry_count;
  /** Seconds before the second attempt, doubled after each failure (/1/x/18); 0: the
   *  default, 60. */
  uint32_t communication_retry_timer;
} lwm2m_obj_server_args_t;

#define LWM2M_OBJ_SERVER_ARGS_INIT \
  { 1, 86400, "U", true, 0, 0, 0, 0 }

/** The Device object's identity (strings are copied). */
typedef struct {
  const char* manufacturer;     /**< 3/0/0 Manufacturer */
  const char* model_number;     /**< 3/0/1 Model Number */
  const char* serial_number;    /**< 3/0/2 Serial Number */
  const char* firmware_version; /**< 3/0/3 Firmware Version */
  const char* device_type;      /**< 3/0/17 Device Type */
  const char* hardware_version; /**< 3/0/18 Hardware Version */
  const char* software_version; /**< 3/0/19 Software Version */
} lwm2m_obj_device_args_t;

/** The Security object (/0) of this client; the same object on every call. NULL (and a
 *  message) when lwm2m_client_init was not called. */
lwm2m_object_t* lwm2m_object_security_init(lwm2m_client_data_t* client_data);
/** Adds an instance (factory bootstrap); a PSK is also stored as a credential. */
int lwm2m_object_security_instance_create(lwm2m_object_t* object, uint16_t instance_id,
                                          const lwm2m_obj_security_args_t* args);

lwm2m_object_t* lwm2m_object_server_init(lwm2m_client_data_t* client_data);
int lwm2m_object_server_instance_create(lwm2m_object_t* object, uint16_t instance_id,
                                        const lwm2m_obj_server_args_t* args);

/** The Device object (/3/0); Reboot (/3/0/4) leads to the reboot hook. Current Time
 *  (/3/0/13) follows the system clock from lwm2m_client_run on; a server's Write of it sets
 *  the time, which then advances from the written value. Observed with pmax, each
 *  notification carries the time it was sent. */
lwm2m_object_t* lwm2m_object_device_init(lwm2m_client_data_t* client_data,
                                         const lwm2m_obj_device_args_t* args);

/* ---- application objects ---------------------------------------------------------------- */

typedef enum {
  LWM2M_CLIENT_TYPE_NONE, /**< executable resources */
  LWM2M_CLIENT_TYPE_STRING,
  LWM2M_CLIENT_TYPE_INTEGER,
  LWM2M_CLIENT_TYPE_UNSIGNED,
  LWM2M_CLIENT_TYPE_FLOAT,
  LWM2M_CLIENT_TYPE_BOOLEAN,
  LWM2M_CLIENT_TYPE_OPAQUE,
  LWM2M_CLIENT_TYPE_TIME,
  LWM2M_CLIENT_TYPE_OBJLNK,
} lwm2m_client_data_type_t;

/** A resource value. String and opaque bytes are views: a read callback points them at
 *  memory that stays valid until the next call into the same object; a write callback
 *  copies them before returning. */
typedef struct {
  lwm2m_client_data_type_t type; /**< which member of `v` holds the value */
  union {
    int64_t integer; /**< INTEGER and TIME */
    uint64_t unsigned_integer;
    double floating;
    bool boolean;
    struct {
      const uint8_t* data;
      size_t len;
    } bytes; /**< STRING and OPAQUE */
    struct {
      uint16_t object_id;
      uint16_t instance_id;
    } objlnk;
  } v; /**< the value, by type */
} lwm2m_client_value_t;

/* Value helpers for read callbacks. */
void lwm2m_client_value_set_string(lwm2m_client_value_t* value, const char* text);
void lwm2m_client_value_set_float(lwm2m_client_value_t* value, double number);
void lwm2m_client_value_set_integer(lwm2m_client_value_t* value, int64_t number);
void lwm2m_client_value_set_boolean(lwm2m_client_value_t* value, bool b);

enum {
  LWM2M_CLIENT_OP_READ = 1,
  LWM2M_CLIENT_OP_WRITE = 2,
  LWM2M_CLIENT_OP_READ_WRITE = 3,
  LWM2M_CLIENT_OP_EXECUTE = 4,
};

/** Callbacks return LWM2M_CLIENT_OK or an error status (its CoAP code goes to the server).
 *  `arg` is the object descriptor's `arg`. They run on the client thread. */
typedef int (*lwm2m_client_read_cb_t)(uint16_t instance_id, uint16_t resource_id,
                                      lwm2m_client_value_t* value, void* arg);
typedef int (*lwm2m_client_write_cb_t)(uint16_t instance_id, uint16_t resource_id,
                                       const lwm2m_client_value_t* value, void* arg);
typedef int (*lwm2m_client_execute_cb_t)(uint16_t instance_id, uint16_t resource_id,
                                         const uint8_t* arguments, size_t arguments_len, void* arg);

/** One (single-instance) resource: its definition and its callbacks. */
typedef struct {
  uint16_t id;                       /**< resource id */
  lwm2m_client_data_type_t type;     /**< its data type */
  uint8_t operations;                /**< LWM2M_CLIENT_OP_* */
  bool mandatory;                    /**< mandatory in every instance */
  const char* name;                  /**< the OMA name (shown by servers and tools) */
  lwm2m_client_read_cb_t read;       /**< for OP_READ */
  lwm2m_client_write_cb_t write;     /**< for OP_WRITE (value has the declared type) */
  lwm2m_client_execute_cb_t execute; /**< for OP_EXECUTE */
} lwm2m_client_resource_desc_t;

/** An application object: its id, its resources (any order; ids unique) and its
 *  instances (fixed). Everything is copied at creation except `arg`. */
typedef struct {
  uint16_t id;                                   /**< object id */
  const char* version;                           /**< NULL or "1.0": not advertised */
  const char* name;                              /**< the object's name */
  bool multiple_instances;                       /**< a multiple-instance object */
  const lwm2m_client_resource_desc_t* resources; /**< its resources (count: resource_count) */
  uint16_t resource_count;                       /**< number of resources */
  const uint16_t* instance_ids;                  /**< its instance ids (count: instance_count) */
  uint16_t instance_count;                       /**< number of instances */
  void* arg;                                     /**< handed to every callback */
} lwm2m_client_object_desc_t;

/** Makes an object from a descriptor; NULL (and a message) for an invalid descriptor or
 *  before lwm2m_client_init. */
lwm2m_object_t* lwm2m_client_object_create(lwm2m_client_data_t* client_data,
                                           const lwm2m_client_object_desc_t* desc);

/** The object id of an object made by any constructor above. */
uint16_t lwm2m_object_id(const lwm2m_object_t* object);

/* ---- Firmware Update (/5) ------------------------------------------------------------- */

/** Update Result (/5/0/5) values; the callbacks below answer LWM2M_FIRMWARE_RESULT_INITIAL
 *  to go on and another value to fail the download or update with it. */
typedef enum {
  LWM2M_FIRMWARE_RESULT_INITIAL = 0,
  LWM2M_FIRMWARE_RESULT_SUCCESS = 1,
  LWM2M_FIRMWARE_RESULT_NOT_ENOUGH_STORAGE = 2,
  LWM2M_FIRMWARE_RESULT_OUT_OF_MEMORY = 3,
  LWM2M_FIRMWARE_RESULT_CONNECTION_LOST = 4,
  LWM2M_FIRMWARE_RESULT_INTEGRITY_FAILURE = 5,
  LWM2M_FIRMWARE_RESULT_UNSUPPORTED_PACKAGE = 6,
  LWM2M_FIRMWARE_RESULT_INVALID_URI = 7,
  LWM2M_FIRMWARE_RESULT_UPDATE_FAILED = 8,
  LWM2M_FIRMWARE_RESULT_UNSUPPORTED_PROTOCOL = 9,
} lwm2m_firmware_result_t;

/** Where a pushed image (Write of /5/0/0 with Block1) goes, block by block as it arrives:
 *  the image is never held in memory whole. Callbacks run on the client thread. */
typedef struct {
  lwm2m_firmware_result_t (*open)(void* arg); /**< a new image begins */
  lwm2m_firmware_result_t (*write)(uint32_t offset, const uint8_t* data, size_t len,
                                   void* arg); /**< the image's bytes at `offset`, in order */
  lwm2m_firmware_result_t (*finish)(uint32_t size, void* arg); /**< the whole image arrived */
  void (*discard)(void* arg);                                  /**< drop the image */
  /** Update (/5/0/2) executed: start installing and return; report the outcome with
   *  lwm2m_object_firmware_update_finished. */
  lwm2m_firmware_result_t (*update)(void* arg);
  void* arg; /**< handed to every callback */
} lwm2m_obj_firmware_args_t;

/** The Firmware Update object (/5/0, push delivery); the same object on every call. */
lwm2m_object_t* lwm2m_object_firmware_init(lwm2m_client_data_t* client_data,
                                           const lwm2m_obj_firmware_args_t* args);
/** The outcome of the update the update callback started: SUCCESS (State Idle, Result 1),
 *  INTEGRITY_FAILURE or UNSUPPORTED_PACKAGE (Idle), another failure (Downloaded, Result 8).
 *  From any thread; LWM2M_CLIENT_ERR_INVALID_STATE when no update is in progress. */
int lwm2m_object_firmware_update_finished(lwm2m_client_data_t* client_data,
                                          lwm2m_firmware_result_t result);
/** Sets the Device object's Firmware Version (/3/0/3), e.g. after an update; from any
 *  thread. */
int lwm2m_object_device_set_firmware_version(lwm2m_client_data_t* client_data, const char* version);

/* ---- persistence ------------------------------------------------------------------------ */

/**
 * Keeps the client's configuration in directory `dir` (created, mode 0700, when missing)
 * across restarts: what a bootstrap server or a management server wrote into the Security
 * and Server objects is saved in `dir`/lwm2m-state.bin after each committed change
 * (atomically: a crash leaves the old file or the new one). lwm2m_client_run restores it
 * before the client starts, replacing the instances the application created (they are the
 * fallback when nothing valid is saved); a damaged, truncated or newer-format file is
 * logged and not used. A Factory Reset (/3/0/5) or a Bootstrap-Request Trigger (/1/x/9)
 * removes the file. Call before lwm2m_client_run.
 *
 * @return LWM2M_CLIENT_OK, or an error (and a message) when `dir` cannot be used.
 */
int lwm2m_client_set_state_dir(lwm2m_client_data_t* client_data, const char* dir);

/* ---- Device values, Connectivity Monitoring, Location ------------------------------------ */
/*
 * Memory Free/Total (/3/0/10, /3/0/21), Current Time, UTC Offset and Timezone of the Device
 * object come from the host (/proc/meminfo, the system clock, the local time zone) with
 * nothing to call. The calls below set what the host cannot know; like every
 * lwm2m_client_*_update call they are thread-safe and notify observers of what changed.
 */

/** A value an application does not have: the resource is absent (4.04 on a read). */
#define LWM2M_CLIENT_ABSENT INT32_MIN

/** Battery Level (/3/0/9, 0..100) and Battery Status (/3/0/20, 0 normal, 1 charging, 2
 *  charge complete, 3 damaged, 4 low, 5 not installed, 6 unknown); LWM2M_CLIENT_ABSENT
 *  for either leaves the resource out. */
int lwm2m_client_device_set_battery(lwm2m_client_data_t* client_data, int level, int status);
/** Adds a power source (/3/0/6: 0 DC, 1 internal battery, 2 external battery, 4 PoE, 5 USB,
 *  6 AC mains, 7 solar) with its voltage (mV, /3/0/7) and current (mA, /3/0/8); another
 *  source is LWM2M_CLIENT_ERR_INVALID_ARGUMENT. */
int lwm2m_client_device_add_power_source(lwm2m_client_data_t* client_data, int source,
                                         int voltage_mv, int current_ma);
/** Appends an error code to /3/0/11 (a server clears the list with Execute /3/0/12); a code
 *  outside the object's 0..32 is LWM2M_CLIENT_ERR_INVALID_ARGUMENT. */
int lwm2m_client_device_add_error_code(lwm2m_client_data_t* client_data, int code);

/** The Connectivity Monitoring object (/4/0); the same object on every call. */
lwm2m_object_t* lwm2m_object_connectivity_monitoring_init(lwm2m_client_data_t* client_data);

/** What the network looks like. Integers LWM2M_CLIENT_ABSENT and NULL strings are left
 *  out (bearer and signal strength are mandatory: they read 0 until given). */
typedef struct {
  int network_bearer;                 /**< /4/0/0: 0 GSM ... 6 LTE-TDD, 21 WLAN, 41 Ethernet ... */
  int radio_signal_strength;          /**< /4/0/2, dBm */
  int link_quality;                   /**< /4/0/3 */
  int link_utilization;               /**< /4/0/6, percent */
  int cell_id;                        /**< /4/0/8 */
  int smnc;                           /**< /4/0/9 */
  int smcc;                           /**< /4/0/10 */
  int lac;                            /**< /4/0/12 */
  const char* ip_addresses[2];        /**< /4/0/4 (copied) */
  const char* router_ip_addresses[2]; /**< /4/0/5 */
  const char* apn;                    /**< /4/0/7 */
} lwm2m_client_connectivity_t;

#define LWM2M_CLIENT_CONNECTIVITY_INIT                                                        \
  {                                                                                           \
    0, 0, LWM2M_CLIENT_ABSENT, LWM2M_CLIENT_ABSENT, LWM2M_CLIENT_ABSENT, LWM2M_CLIENT_ABSENT, \
        LWM2M_CLIENT_ABSENT, LWM2M_CLIENT_ABSENT, {NULL, NULL}, {NULL, NULL}, NULL            \
  }

/** Replaces the Connectivity Monitoring values (the available bearers become the current
 *  one). LWM2M_CLIENT_ERR_INVALID_STATE before lwm2m_object_connectivity_monitoring_init. */
int lwm2m_client_connectivity_update(lwm2m_client_data_t* client_data,
                                     const lwm2m_client_connectivity_t* values);

/** The Location object (/6/0). */
lwm2m_object_t* lwm2m_object_location_init(lwm2m_client_data_t* client_data);
/** A new position (degrees) measured at `timestamp`; altitude and radius in metres, speed in
 *  m/s, each NAN (math.h) when unknown. */
int lwm2m_client_location_update(lwm2m_client_data_t* client_data, double latitude,
                                 double longitude, double altitude, double radius, double speed,
                                 time_t timestamp);

/* ---- IPSO sensors, Light Control, On/Off Switch ----------------------------------------- */

/** Instances each IPSO object made by the constructors below can hold. */
#ifndef LWM2M_CLIENT_IPSO_INSTANCES_MAX
#define LWM2M_CLIENT_IPSO_INSTANCES_MAX 4
#endif

/** One IPSO sensor instance: Sensor Value (5700) with Min/Max Measured (5601/5602, Reset
 *  5605), Units (5701), Min/Max Range (5603/5604), Application Type (5750), Timestamp (5518,
 *  the time of each update). Strings are copied. */
typedef struct {
  uint16_t instance_id;         /**< the instance id, e.g. 0 */
  const char* units;            /**< "Cel", "%RH", "lx", "hPa", "V", "A"; NULL: absent */
  bool has_range;               /**< whether Min/Max Range Value (5603/5604) exist */
  double min_range;             /**< 5603 Min Range Value */
  double max_range;             /**< 5604 Max Range Value */
  const char* application_type; /**< NULL: empty */
  double value;                 /**< the first value */
} lwm2m_obj_ipso_sensor_args_t;

#define LWM2M_OBJ_IPSO_SENSOR_ARGS_INIT \
  { 0, NULL, false, 0, 0, NULL, 0 }

/** The IPSO sensor object `object_id` (3301 Illuminance, 3303 Temperature, 3304 Humidity,
 *  3315 Barometer, 3316 Voltage, 3317 Current) of this client, with room for
 *  `max_instances`; the same object on every call. NULL (and a message) for another id. */
lwm2m_object_t* lwm2m_object_ipso_sensor_init(lwm2m_client_data_t* client_data, uint16_t object_id,
                                              uint16_t max_instances);
int lwm2m_object_ipso_sensor_instance_create(lwm2m_object_t* object,
                                             const lwm2m_obj_ipso_sensor_args_t* args);
/** A new Sensor Value of /object_id/instance_id, timestamped now. */
int lwm2m_client_sensor_update(lwm2m_client_data_t* client_data, uint16_t object_id,
                               uint16_t instance_id, double value);

static inline lwm2m_object_t* lwm2m_object_illuminance_init(lwm2m_client_data_t* client_data) {
  return lwm2m_object_ipso_sensor_init(client_data, 3301, LWM2M_CLIENT_IPSO_INSTANCES_MAX);
}
static inline lwm2m_object_t* lwm2m_object_temperature_init(lwm2m_client_data_t* client_data) {
  return lwm2m_object_ipso_sensor_init(client_data, 3303, LWM2M_CLIENT_IPSO_INSTANCES_MAX);
}
static inline lwm2m_object_t* lwm2m_object_humidity_init(lwm2m_client_data_t* client_data) {
  return lwm2m_object_ipso_sensor_init(client_data, 3304, LWM2M_CLIENT_IPSO_INSTANCES_MAX);
}
static inline lwm2m_object_t* lwm2m_object_barometer_init(lwm2m_client_data_t* client_data) {
  return lwm2m_object_ipso_sensor_init(client_data, 3315, LWM2M_CLIENT_IPSO_INSTANCES_MAX);
}
static inline lwm2m_object_t* lwm2m_object_voltage_init(lwm2m_client_data_t* client_data) {
  return lwm2m_object_ipso_sensor_init(client_data, 3316, LWM2M_CLIENT_IPSO_INSTANCES_MAX);
}
static inline lwm2m_object_t* lwm2m_object_current_init(lwm2m_client_data_t* client_data) {
  return lwm2m_object_ipso_sensor_init(client_data, 3317, LWM2M_CLIENT_IPSO_INSTANCES_MAX);
}

/** Called on the client thread after a server changed a light (On/Off, Dimmer, Colour);
 *  `colour` is NUL-terminated and valid during the call. */
typedef void (*lwm2m_client_light_cb_t)(uint16_t instance_id, bool on, uint8_t dimmer,
                                        const char* colour, void* arg);

/** One Light Control instance (3311). Strings are copied. */
typedef struct {
  uint16_t instance_id;         /**< the instance id, e.g. 0 */
  const char* colour;           /**< 5706, e.g. "white"; NULL: empty */
  const char* units;            /**< 5701, of the colour; NULL: absent */
  const char* application_type; /**< 5750 */
  lwm2m_client_light_cb_t cb;   /**< NULL: not told */
  void* cb_arg;                 /**< handed to `cb` */
} lwm2m_obj_light_control_args_t;

lwm2m_object_t* lwm2m_object_light_control_init(lwm2m_client_data_t* client_data);
int lwm2m_object_light_control_instance_create(lwm2m_object_t* object,
                                               const lwm2m_obj_light_control_args_t* args);
/** The application switched or dimmed the light (dimmer 0..100; -1 keeps it). */
int lwm2m_client_light_control_update(lwm2m_client_data_t* client_data, uint16_t instance_id,
                                      bool on, int dimmer);

/** One On/Off Switch instance (3342). */
typedef struct {
  uint16_t instance_id;         /**< the instance id, e.g. 0 */
  const char* application_type; /**< 5750; NULL: empty */
} lwm2m_obj_on_off_switch_args_t;

lwm2m_object_t* lwm2m_object_on_off_switch_init(lwm2m_client_data_t* client_data);
int lwm2m_object_on_off_switch_instance_create(lwm2m_object_t* object,
                                               const lwm2m_obj_on_off_switch_args_t* args);
/** The input's new state (5500); a rising edge counts (5501). */
int lwm2m_client_switch_update(lwm2m_client_data_t* client_data, uint16_t instance_id, bool on);

/* ---- Firmware Update: pull, and the state across restarts ------------------------------ */

/** Update Result 10 and 11 (object version 1.1): Cancel (/5/0/10) was executed; the update
 *  was deferred (the update callback may answer it: State stays Downloaded). */
#define LWM2M_FIRMWARE_RESULT_CANCELLED ((lwm2m_firmware_result_t)10)
#define LWM2M_FIRMWARE_RESULT_DEFERRED ((lwm2m_firmware_result_t)11)

/** How the Firmware Update object pulls an image from a Package URI (/5/0/1). */
typedef struct {
  /** coaps:// URIs too (DTLS, with the credentials of the server that wrote the URI; needs
   *  the library built with DTLS). */
  bool coaps;
  /** After a restart in the middle of a pull (with lwm2m_client_set_state_dir): the first
   *  `offset` bytes of the image arrived before it. Return true to go on from there (keep
   *  them; the next write is at or below `offset`), false to start over (open follows).
   *  NULL: always start over. Runs on the thread that calls lwm2m_client_run. */
  bool (*resume)(uint32_t offset, void* arg);
} lwm2m_obj_firmware_pull_args_t;

/**
 * Lets the Firmware Update object made by lwm2m_object_firmware_init also download: a
 * server writes a coap:// (or coaps://) URI to Package URI (/5/0/1) and the client fetches
 * it block by block (Block2) into the same callbacks as a pushed image (open, write,
 * finish, with the `arg` given to lwm2m_object_firmware_init), asking again for a block
 * that was lost instead of starting over. Firmware Update Delivery Method (/5/0/9) then
 * reads 2 (push and pull). Call after lwm2m_object_firmware_init and before
 * lwm2m_client_run.
 *
 * With lwm2m_client_set_state_dir the object's State, Update Result, Package URI and the
 * progress of a pull are saved too: after a restart a pull goes on (see `resume`), a
 * downloaded image stays Downloaded and an update in progress stays Updating until
 * lwm2m_object_firmware_update_finished reports it (e.g. SUCCESS once the new firmware
 * runs: the server then reads Update Result 1).
 *
 * @return LWM2M_CLIENT_OK; LWM2M_CLIENT_ERR_INVALID_STATE before
 *         lwm2m_object_firmware_init or after lwm2m_client_run.
 */
int lwm2m_object_firmware_enable_pull(lwm2m_client_data_t* client_data,
                                      const lwm2m_obj_firmware_pull_args_t* args);

/* ---- Access Control (/2) ---------------------------------------------------------------- */

/** Access rights of an ACL entry (/2/x/2), to be or-ed. */
#define LWM2M_ACCESS_READ 1u /**< Read, Observe, Discover, Write-Attributes */
#define LWM2M_ACCESS_WRITE 2u
#define LWM2M_ACCESS_EXECUTE 4u
#define LWM2M_ACCESS_DELETE 8u
#define LWM2M_ACCESS_CREATE 16u
#define LWM2M_ACCESS_ALL 31u

/** Instances the Access Control object of a client can hold. */
#define LWM2M_CLIENT_ACL_INSTANCES_MAX 16

/** The Access Control object (/2); the same object on every call. Pass it to
 *  lwm2m_client_run with the others: the client enforces it once more than one management
 *  server is configured, a bootstrap server may write it, and with
 *  lwm2m_client_set_state_dir what was written is saved with Security and Server. */
lwm2m_object_t* lwm2m_object_access_control_init(lwm2m_client_data_t* client_data);
/** Adds an instance governing /object_id/instance_id (65535: the object itself, for
 *  Create) owned by the server `owner` (its Short Server ID). Before lwm2m_client_run.
 *  @return the new instance id (>= 0) or an LWM2M_CLIENT_ERR_* value (< 0). */
int lwm2m_object_access_control_instance_create(lwm2m_object_t* object, uint16_t object_id,
                                                uint16_t instance_id, uint16_t owner);
/** Gives server `short_server_id` (0: every server without an entry of its own) the
 *  `access` bits (LWM2M_ACCESS_*) in ACL instance `acl_instance_id`. Before
 *  lwm2m_client_run. */
int lwm2m_object_access_control_add(lwm2m_object_t* object, uint16_t acl_instance_id,
                                    uint16_t short_server_id, uint8_t access);

#ifdef __cplusplus
}
#endif

#endif /* LWM2M_CLIENT_H */
