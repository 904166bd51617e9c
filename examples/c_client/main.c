/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwm2m-c-client: an LwM2M client in C11 that uses only lwm2m_client.h, as RIOT's LwM2M
 * example does: Security, Server, Device (with the host's memory, time and time zone),
 * Connectivity Monitoring, and the IPSO set (temperature, humidity, illuminance, barometer,
 * voltage, current, a light and a switch) with simulated values that change every second.
 * It logs each state change and each request served, and runs until SIGINT/SIGTERM, which
 * de-register it (exit 0; a second signal exits at once with 130). When every attempt to
 * register failed it exits with 1, unless --keep-trying.
 *
 *   lwm2m-c-client --server coap://127.0.0.1:5683 --endpoint node-1
 *   lwm2m-c-client --server coaps://leshan.example --psk-identity node-1 --psk-key 0102ab
 *   lwm2m-c-client --server coap://leshan.example:5783 --bootstrap --endpoint node-1
 *   lwm2m-c-client --server coap://127.0.0.1:5783 --bootstrap --state-dir /var/lib/node-1
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lwm2m_client.h"

static const char usage[] =
    "Usage: lwm2m-c-client [options]\n"
    "\n"
    "An LwM2M client (C facade example): Security, Server, Device (host memory and time),\n"
    "Connectivity Monitoring (/4), and simulated IPSO objects that change every second:\n"
    "temperature (/3303/0/5700), humidity, illuminance, barometer, voltage, current, a light\n"
    "(/3311) and a switch (/3342). Runs until Ctrl-C or SIGTERM, which de-register\n"
    "(a second Ctrl-C exits at once). Exit codes: 0 after a signal or a reboot request, 1 when\n"
    "every attempt to register failed, 2 for a bad option.\n"
    "\n"
    "Options:\n"
    "  --endpoint NAME       Endpoint Client Name, at most 128 bytes (default lwm2m-c-client)\n"
    "  --server URI          coap://host[:port] or coaps://host[:port]; host name or literal,\n"
    "                        IPv6 in brackets; default port 5683 (coap) / 5684 (coaps)\n"
    "                        (default coap://127.0.0.1)\n"
    "  --psk-identity ID     PSK identity for coaps://\n"
    "  --psk-key HEX         PSK key in hex digits for coaps://, e.g. 736563726574\n"
    "  --bootstrap           --server is a bootstrap server (e.g. Leshan's on port 5783): the\n"
    "                        client asks it for its configuration, then registers\n"
    "  --lifetime SECONDS    registration lifetime (default 300)\n"
    "  --local-port PORT     local UDP port (default 0: a free one)\n"
    "  --lwm2m VERSION       LwM2M version to register with: 1.0, 1.1 or 1.2 (default 1.1)\n"
    "  --queue               queue mode: the server holds its requests until we wake\n"
    "  --firmware-dir DIR    Firmware Update (/5): a pushed image (Write of /5/0/0) streams to\n"
    "                        DIR/firmware.bin; Update (/5/0/2) installs an image that begins\n"
    "                        with the 4 bytes LWFW as DIR/installed.bin and, after the reboot\n"
    "                        delay, reports Update Result 1 and the new firmware version (the\n"
    "                        text after LWFW up to the first newline); any other image gets\n"
    "                        Update Result 6 (unsupported package)\n"
    "  --state-dir DIR       keep the configuration a bootstrap server (or a server) wrote in\n"
    "                        DIR/lwm2m-state.bin; when DIR holds one, it is used and --server\n"
    "                        is only the fallback (also when the file is damaged). Factory\n"
    "                        Reset (/3/0/5) and Bootstrap-Request Trigger (/1/x/9) remove it\n"
    "  --retries N           Register attempts before giving up (Server /1/0/17, default 5)\n"
    "  --retry-delay SECONDS wait after the first failed attempt, doubled after each\n"
    "                        (Server /1/0/18, default 60)\n"
    "  --keep-trying         when every attempt to register failed, start over a minute later\n"
    "                        instead of exiting with 1\n"
    "  --help                this text\n";

typedef struct {
  const char* endpoint;
  const char* server;
  const char* psk_identity;
  uint8_t psk_key[64];
  size_t psk_key_len;
  unsigned long lifetime;
  unsigned long local_port;
  int bootstrap;
  lwm2m_client_version_t version;
  int queue;
  const char* firmware_dir;
  const char* state_dir;
  int keep_trying;
  unsigned long retries;     /* 0: the library's default */
  unsigned long retry_delay; /* seconds; 0: the library's default */
} options_t;

static void usage_error(const char* flag, const char* fix) {
  fprintf(stderr, "lwm2m-c-client: %s: %s\n(see lwm2m-c-client --help)\n", flag, fix);
  exit(2);
}

static unsigned long parse_number(const char* flag, const char* text, unsigned long min,
                                  unsigned long max, const char* fix) {
  char* end = NULL;
  errno = 0;
  unsigned long n = strtoul(text, &end, 10);
  if (errno || !*text || *end || text[0] == '-' || n < min || n > max) usage_error(flag, fix);
  return n;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void parse_args(int argc, char** argv, options_t* o) {
  o->endpoint = "lwm2m-c-client";
  o->server = "coap://127.0.0.1";
  o->psk_identity = NULL;
  o->psk_key_len = 0;
  o->lifetime = 300;
  o->local_port = 0;
  o->bootstrap = 0;
  o->version = LWM2M_CLIENT_VERSION_DEFAULT;
  o->queue = 0;
  o->firmware_dir = NULL;
  o->state_dir = NULL;
  o->keep_trying = 0;
  o->retries = 0;
  o->retry_delay = 0;
  for (int i = 1; i < argc; ++i) {
    const char* flag = argv[i];
    if (!strcmp(flag, "--help") || !strcmp(flag, "-h")) {
      fputs(usage, stdout);
      exit(0);
    }
    if (!strcmp(flag, "--bootstrap")) {
      o->bootstrap = 1;
      continue;
    }
    if (!strcmp(flag, "--queue")) {
      o->queue = 1;
      continue;
    }
    if (!strcmp(flag, "--keep-trying")) {
      o->keep_trying = 1;
      continue;
    }
    int known = !strcmp(flag, "--endpoint") || !strcmp(flag, "--server") ||
                !strcmp(flag, "--psk-identity") || !strcmp(flag, "--psk-key") ||
                !strcmp(flag, "--lifetime") || !strcmp(flag, "--local-port") ||
                !strcmp(flag, "--lwm2m") || !strcmp(flag, "--firmware-dir") ||
                !strcmp(flag, "--state-dir") || !strcmp(flag, "--retries") ||
                !strcmp(flag, "--retry-delay");
    if (!known) usage_error(flag, "unknown option; the options are listed by --help");
    if (i + 1 >= argc) usage_error(flag, "needs a value, e.g. --endpoint node-1");
    const char* value = argv[++i];
    if (!strcmp(flag, "--endpoint")) {
      if (!*value) usage_error(flag, "needs a non-empty name, e.g. --endpoint node-1");
      if (strlen(value) > LWM2M_CLIENT_MAX_ENDPOINT) {
        char fix[96];
        snprintf(fix, sizeof fix, "the endpoint name is %zu bytes, the limit is %d", strlen(value),
                 LWM2M_CLIENT_MAX_ENDPOINT);
        usage_error(flag, fix);
      }
      o->endpoint = value;
    } else if (!strcmp(flag, "--server")) {
      const char* host = NULL;
      if (!strncmp(value, "coap://", 7)) host = value + 7;
      if (!strncmp(value, "coaps://", 8)) host = value + 8;
      if (!host || !*host || *host == ':' || *host == '/')
        usage_error(flag,
                    "needs coap://HOST[:PORT] or coaps://HOST[:PORT], e.g. "
                    "--server coap://127.0.0.1:5683");
      o->server = value;
    } else if (!strcmp(flag, "--firmware-dir")) {
      if (!*value) usage_error(flag, "needs a directory, e.g. --firmware-dir /tmp/fw");
      o->firmware_dir = value;
    } else if (!strcmp(flag, "--psk-identity")) {
      if (!*value) usage_error(flag, "needs a non-empty identity");
      o->psk_identity = value;
    } else if (!strcmp(flag, "--psk-key")) {
      size_t len = strlen(value);
      if (len == 0 || len % 2 || len / 2 > sizeof o->psk_key)
        usage_error(flag,
                    "needs an even number of hex digits (at most 128), e.g. "
                    "--psk-key 736563726574");
      for (size_t k = 0; k < len / 2; ++k) {
        int hi = hex_digit(value[2 * k]), lo = hex_digit(value[2 * k + 1]);
        if (hi < 0 || lo < 0)
          usage_error(flag, "needs hex digits 0-9 a-f only, e.g. --psk-key 736563726574");
        o->psk_key[k] = (uint8_t)(hi * 16 + lo);
      }
      o->psk_key_len = len / 2;
    } else if (!strcmp(flag, "--lwm2m")) {
      o->version = !strcmp(value, "1.0")   ? LWM2M_CLIENT_VERSION_1_0
                   : !strcmp(value, "1.1") ? LWM2M_CLIENT_VERSION_1_1
                   : !strcmp(value, "1.2") ? LWM2M_CLIENT_VERSION_1_2
                                           : LWM2M_CLIENT_VERSION_DEFAULT;
      if (o->version == LWM2M_CLIENT_VERSION_DEFAULT)
        usage_error(flag, "needs 1.0, 1.1 or 1.2, e.g. --lwm2m 1.0");
    } else if (!strcmp(flag, "--state-dir")) {
      if (!*value) usage_error(flag, "needs a directory, e.g. --state-dir /var/lib/node-1");
      o->state_dir = value;
    } else if (!strcmp(flag, "--retries")) {
      o->retries =
          parse_number(flag, value, 1, 255, "needs a number of attempts 1-255, e.g. --retries 5");
    } else if (!strcmp(flag, "--retry-delay")) {
      o->retry_delay = parse_number(flag, value, 1, 86400,
                                    "needs a number of seconds 1-86400, e.g. --retry-delay 60");
    } else if (!strcmp(flag, "--lifetime")) {
      o->lifetime = parse_number(flag, value, 1, 0xFFFFFFFFul,
                                 "needs a number of seconds >= 1, e.g. --lifetime 300");
    } else {
      o->local_port =
          parse_number(flag, value, 0, 65535, "needs a port 0-65535, e.g. --local-port 5683");
    }
  }
  int secure = !strncmp(o->server, "coaps://", 8);
  int psk = o->psk_identity != NULL || o->psk_key_len != 0;
  if (secure && (!o->psk_identity || !o->psk_key_len))
    usage_error("--server", "a coaps:// server needs --psk-identity ID and --psk-key HEX");
  if (!secure && psk)
    usage_error("--psk-identity/--psk-key", "keys need a coaps:// server (--server coaps://...)");
}

/* ---- the device's objects: Device values, Connectivity Monitoring, the IPSO set ---------- */

#define OBJECT_COUNT 12 /* Security, Server, Device and the nine below */

typedef struct {
  uint16_t id;
  const char* units;
  double min_range, max_range, base, swing; /* simulated: base +- swing */
} simulated_sensor_t;

static const simulated_sensor_t sensors[] = {
    {3303, "Cel", -40, 85, 22.5, 2.5}, {3304, "%RH", 0, 100, 45, 5},
    {3301, "lx", 0, 100000, 300, 200}, {3315, "hPa", 300, 1100, 1013, 4},
    {3316, "V", 0, 60, 12, 0.5},       {3317, "A", 0, 10, 1.5, 0.5},
};
#define SENSOR_COUNT (sizeof sensors / sizeof sensors[0])

/* Called on the client thread (under its lock) when a server switches or dims the light. */
static void on_light(uint16_t instance_id, bool on, uint8_t dimmer, const char* colour, void* arg) {
  (void)arg;
  printf("lwm2m-c-client: light %u is %s, dimmer %u, colour \"%s\"\n", instance_id,
         on ? "on" : "off", dimmer, colour);
  fflush(stdout);
}

/* The objects after Security and Server, with their instances: fills objects[2..]. */
static int make_device_objects(lwm2m_client_data_t* client, lwm2m_object_t** objects) {
  lwm2m_obj_device_args_t device = {"lwm2m project", "lwm2m-c-client", "0001", "0.1.0", "example",
                                    "1.0",           "0.1.0"};
  objects[2] = lwm2m_object_device_init(client, &device);
  objects[3] = lwm2m_object_connectivity_monitoring_init(client);
  objects[4] = lwm2m_object_light_control_init(client);
  objects[5] = lwm2m_object_on_off_switch_init(client);
  for (int i = 2; i < 6; ++i)
    if (!objects[i]) return -1;
  for (size_t k = 0; k < SENSOR_COUNT; ++k) {
    lwm2m_object_t* o = lwm2m_object_ipso_sensor_init(client, sensors[k].id, 1);
    lwm2m_obj_ipso_sensor_args_t args = LWM2M_OBJ_IPSO_SENSOR_ARGS_INIT;
    args.units = sensors[k].units;
    args.has_range = true;
    args.min_range = sensors[k].min_range;
    args.max_range = sensors[k].max_range;
    args.value = sensors[k].base;
    if (!o || lwm2m_object_ipso_sensor_instance_create(o, &args) != LWM2M_CLIENT_OK) return -1;
    objects[6 + k] = o;
  }
  lwm2m_obj_light_control_args_t light = {0, "white", NULL, "desk lamp", on_light, NULL};
  lwm2m_obj_on_off_switch_args_t sw = {0, "door contact"};
  if (lwm2m_object_light_control_instance_create(objects[4], &light) != LWM2M_CLIENT_OK ||
      lwm2m_object_on_off_switch_instance_create(objects[5], &sw) != LWM2M_CLIENT_OK)
    return -1;
  /* What the host cannot tell: simulated battery and power, a wired network. */
  lwm2m_client_connectivity_t net = LWM2M_CLIENT_CONNECTIVITY_INIT;
  net.network_bearer = 41; /* Ethernet */
  net.radio_signal_strength = 0;
  net.ip_addresses[0] = "127.0.0.1";
  if (lwm2m_client_device_set_battery(client, 100, 0) != LWM2M_CLIENT_OK ||
      lwm2m_client_device_add_power_source(client, 6, 230000, 50) != LWM2M_CLIENT_OK ||
      lwm2m_client_connectivity_update(client, &net) != LWM2M_CLIENT_OK)
    return -1;
  return 0;
}

/* ---- firmware update (--firmware-dir) ------------------------------------------------- */

/* The image streams to DIR/firmware.bin as the blocks arrive; Update checks it, moves it
 * to DIR/installed.bin and, after the reboot delay, reports the new version. */
typedef struct {
  char image_path[4096];
  char installed_path[4096];
  FILE* file;
  char new_version[33];
  time_t done_at; /* 0: no update in progress */
} firmware_t;

static firmware_t firmware;

static lwm2m_firmware_result_t firmware_open(void* arg) {
  firmware_t* fw = arg;
  if (fw->file) fclose(fw->file);
  fw->file = fopen(fw->image_path, "wb");
  if (!fw->file) {
    fprintf(stderr, "lwm2m-c-client: firmware: cannot create %s: %s (Update Result 2)\n",
            fw->image_path, strerror(errno));
    return LWM2M_FIRMWARE_RESULT_NOT_ENOUGH_STORAGE;
  }
  return LWM2M_FIRMWARE_RESULT_INITIAL;
}

static lwm2m_firmware_result_t firmware_write(uint32_t offset, const uint8_t* data, size_t len,
                                              void* arg) {
  firmware_t* fw = arg;
  if (!fw->file || fseek(fw->file, (long)offset, SEEK_SET) != 0 ||
      fwrite(data, 1, len, fw->file) != len) {
    fprintf(stderr, "lwm2m-c-client: firmware: cannot write %s: %s (Update Result 2)\n",
            fw->image_path, strerror(errno));
    return LWM2M_FIRMWARE_RESULT_NOT_ENOUGH_STORAGE;
  }
  return LWM2M_FIRMWARE_RESULT_INITIAL;
}

static lwm2m_firmware_result_t firmware_finish(uint32_t size, void* arg) {
  firmware_t* fw = arg;
  int failed = !fw->file || fflush(fw->file) != 0;
  if (fw->file) fclose(fw->file);
  fw->file = NULL;
  if (failed) return LWM2M_FIRMWARE_RESULT_NOT_ENOUGH_STORAGE;
  printf("lwm2m-c-client: firmware: %u bytes stored in %s\n", (unsigned)size, fw->image_path);
  fflush(stdout);
  return LWM2M_FIRMWARE_RESULT_INITIAL;
}

static void firmware_discard(void* arg) {
  firmware_t* fw = arg;
  if (fw->file) fclose(fw->file);
  fw->file = NULL;
  remove(fw->image_path);
}

/* The version an image announces: the text after LWFW up to a newline (at most 32 bytes). */
static void firmware_version_of(const char* header, size_t n, char* out) {
  size_t k = 0;
  for (size_t i = 4; i < n && k < 32 && header[i] >= ' ' && header[i] <= '~'; ++i)
    out[k++] = header[i];
  out[k] = 0;
  if (k == 0) strcpy(out, "updated");
}

static lwm2m_firmware_result_t firmware_update(void* arg) {
  firmware_t* fw = arg;
  char header[36] = {0};
  FILE* f = fopen(fw->image_path, "rb");
  size_t n = f ? fread(header, 1, sizeof header, f) : 0;
  if (f) fclose(f);
  if (n < 4 || memcmp(header, "LWFW", 4) != 0) {
    printf("lwm2m-c-client: firmware: %s does not begin with LWFW: Update Result 6\n",
           fw->image_path);
    fflush(stdout);
    return LWM2M_FIRMWARE_RESULT_UNSUPPORTED_PACKAGE;
  }
  if (rename(fw->image_path, fw->installed_path) != 0) {
    fprintf(stderr, "lwm2m-c-client: firmware: cannot move %s to %s: %s (Update Result 8)\n",
            fw->image_path, fw->installed_path, strerror(errno));
    return LWM2M_FIRMWARE_RESULT_UPDATE_FAILED;
  }
  firmware_version_of(header, n, fw->new_version);
  fw->done_at = time(NULL) + LWM2M_CLIENT_REBOOT_TIME;
  printf("lwm2m-c-client: firmware: installed as %s; \"rebooting\" for %d s\n", fw->installed_path,
         LWM2M_CLIENT_REBOOT_TIME);
  fflush(stdout);
  return LWM2M_FIRMWARE_RESULT_INITIAL;
}

/* The Firmware Update object writing to `dir`; NULL (with a message) when it cannot. */
static lwm2m_object_t* firmware_init(lwm2m_client_data_t* client, const char* dir) {
  int a = snprintf(firmware.image_path, sizeof firmware.image_path, "%s/firmware.bin", dir);
  int b =
      snprintf(firmware.installed_path, sizeof firmware.installed_path, "%s/installed.bin", dir);
  if (a < 0 || b < 0 || (size_t)b >= sizeof firmware.installed_path) {
    fprintf(stderr, "lwm2m-c-client: --firmware-dir: the path is too long\n");
    return NULL;
  }
  lwm2m_obj_firmware_args_t args = {firmware_open,    firmware_write,  firmware_finish,
                                    firmware_discard, firmware_update, &firmware};
  return lwm2m_object_firmware_init(client, &args);
}

/* Main thread, once a second: the end of the simulated reboot after an update. */
static void firmware_poll(lwm2m_client_data_t* client) {
  if (firmware.done_at == 0 || time(NULL) < firmware.done_at) return;
  firmware.done_at = 0;
  lwm2m_object_device_set_firmware_version(client, firmware.new_version);
  lwm2m_object_firmware_update_finished(client, LWM2M_FIRMWARE_RESULT_SUCCESS);
  printf("lwm2m-c-client: firmware: now running version %s (Update Result 1)\n",
         firmware.new_version);
  fflush(stdout);
}

typedef struct {
  lwm2m_client_data_t* client;
  unsigned step;
} tick_t;

/* Every second: each sensor follows a slow triangle wave around its base value, the switch
 * toggles every 10 s, the battery drains by 1 % a minute and recharges. */
static void tick(void* arg) {
  tick_t* t = arg;
  t->step++;
  unsigned phase = t->step % 20;
  double wave = (phase < 10 ? (double)phase : 20.0 - phase) / 10.0; /* 0..1..0 */
  for (size_t k = 0; k < SENSOR_COUNT; ++k)
    lwm2m_client_sensor_update(t->client, sensors[k].id, 0,
                               sensors[k].base + sensors[k].swing * (2 * wave - 1));
  if (t->step % 10 == 0) lwm2m_client_switch_update(t->client, 0, (t->step / 10) % 2 == 1);
  if (t->step % 60 == 0) {
    int level = 100 - (int)((t->step / 60) % 100);
    lwm2m_client_device_set_battery(t->client, level, level < 20 ? 4 : 0);
  }
}

static void log_line(const char* line, void* arg) {
  (void)arg;
  printf("lwm2m-c-client: %s\n", line);
  fflush(stdout);
}

/* ---- persistence (--state-dir) -------------------------------------------------------- */

/* The configuration survives restarts in the directory: restored by lwm2m_client_run, so
 * the Security and Server instances made below from --server are only the fallback. */
static int use_state_dir(lwm2m_client_data_t* client, const options_t* o) {
  if (!o->state_dir) return 1;
  if (lwm2m_client_set_state_dir(client, o->state_dir) != LWM2M_CLIENT_OK) {
    fprintf(stderr, "lwm2m-c-client: --state-dir %s: cannot be used (see above)\n", o->state_dir);
    return 0;
  }
  printf("lwm2m-c-client: configuration kept in %s\n", o->state_dir);
  return 1;
}

static volatile sig_atomic_t interrupted = 0;

/* The first signal asks for a clean stop (De-register); a second one, while that waits for
 * the server, exits at once. */
static void on_signal(int sig) {
  (void)sig;
  if (interrupted) _exit(130);
  interrupted = 1;
}

int main(int argc, char** argv) {
  options_t opt;
  parse_args(argc, argv, &opt);
  if (!strncmp(opt.server, "coaps://", 8) && !lwm2m_client_dtls_available()) {
    fprintf(stderr,
            "lwm2m-c-client: --server: coaps:// needs DTLS, which this build lacks "
            "(install libmbedtls-dev and rebuild)\n");
    return 2;
  }

  lwm2m_client_data_t client;
  lwm2m_client_config_t config = LWM2M_CLIENT_CONFIG_INIT;
  config.endpoint = opt.endpoint;
  config.local_port = (uint16_t)opt.local_port;
  config.lwm2m_version = opt.version;
  config.queue_mode = opt.queue != 0;
  config.keep_trying = opt.keep_trying != 0;
  lwm2m_client_init_with_config(&client, &config);
  lwm2m_client_set_log_hook(&client, log_line, NULL);
  if (!use_state_dir(&client, &opt)) {
    lwm2m_client_deinit(&client);
    return 2;
  }

  lwm2m_object_t* objects[OBJECT_COUNT + 1]; /* + Firmware Update with --firmware-dir */
  uint16_t object_count = OBJECT_COUNT;
  objects[0] = lwm2m_object_security_init(&client);
  objects[1] = lwm2m_object_server_init(&client);
  int made = make_device_objects(&client, objects);

  lwm2m_obj_security_args_t sec = LWM2M_OBJ_SECURITY_ARGS_INIT;
  sec.server_uri = opt.server;
  /* With --bootstrap, a bootstrap account only (no Short Server ID): the bootstrap server
   * writes the Security and Server instances of the management server. */
  sec.is_bootstrap = opt.bootstrap != 0;
  sec.short_server_id = opt.bootstrap ? 0 : 1;
  if (opt.psk_identity) {
    sec.security_mode = LWM2M_SECURITY_MODE_PRE_SHARED_KEY;
    sec.psk_identity = (const uint8_t*)opt.psk_identity;
    sec.psk_identity_len = strlen(opt.psk_identity);
    sec.psk_key = opt.psk_key;
    sec.psk_key_len = opt.psk_key_len;
  }
  lwm2m_obj_server_args_t srv = LWM2M_OBJ_SERVER_ARGS_INIT;
  srv.short_server_id = 1;
  srv.lifetime = (uint32_t)opt.lifetime;
  srv.communication_retry_count = (uint32_t)opt.retries;
  srv.communication_retry_timer = (uint32_t)opt.retry_delay;
  if (opt.firmware_dir) objects[object_count++] = firmware_init(&client, opt.firmware_dir);
  if (!objects[0] || !objects[1] || made != 0 || !objects[object_count - 1] ||
      lwm2m_object_security_instance_create(objects[0], 0, &sec) != LWM2M_CLIENT_OK ||
      (!opt.bootstrap &&
       lwm2m_object_server_instance_create(objects[1], 0, &srv) != LWM2M_CLIENT_OK)) {
    fprintf(stderr, "lwm2m-c-client: cannot build the objects (see above)\n");
    lwm2m_client_deinit(&client);
    return 2;
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  printf("lwm2m-c-client: endpoint %s, %s %s, lifetime %lu s\n", opt.endpoint,
         opt.bootstrap ? "bootstrap server" : "server", opt.server, opt.lifetime);
  fflush(stdout);
  if (!lwm2m_client_run(&client, objects, object_count)) {
    fprintf(stderr, "lwm2m-c-client: the client did not start (see above)\n");
    lwm2m_client_deinit(&client);
    return 1;
  }

  tick_t t = {&client, 0};
  while (!interrupted && lwm2m_client_is_running(&client)) {
    struct timespec second = {1, 0};
    if (nanosleep(&second, NULL) != 0) continue; /* a signal: look at the flag */
    lwm2m_client_locked(&client, tick, &t);
    firmware_poll(&client);
  }
  int code = 0;
  if (interrupted) {
    printf("lwm2m-c-client: signal received: stopping (again to exit at once)\n");
  } else if (lwm2m_client_reboot_requested(&client)) {
    printf("lwm2m-c-client: the server asked for a reboot: exiting (start me again)\n");
  } else if (lwm2m_client_gave_up(&client)) {
    printf(
        "lwm2m-c-client: every attempt to register failed (see above): exiting with 1 "
        "(--keep-trying to start over instead)\n");
    code = 1;
  } else {
    printf("lwm2m-c-client: the client stopped\n");
    code = 1;
  }
  fflush(stdout);
  lwm2m_client_stop(&client);
  lwm2m_client_deinit(&client);
  printf("lwm2m-c-client: exiting with %d\n", code);
  return code;
}
