/* SPDX-License-Identifier: Apache-2.0 */
/* C11, only lwm2m_client.h, compiled with -DLWM2M_CLIENT_REBOOT_TIME=1 (an override the
 * header must honour): a client with Security, Server, Device and an application object,
 * driven by the gtest side (c_api_test.cpp) against the libcoap test server.
 *
 * Object 32769 ("test"), instance 0:
 *   0 value   float,   R   (set with c_client_set_value, reported with value_changed)
 *   1 note    string,  RW  (up to 511 bytes)
 *   2 poke    execute      (counts calls, keeps the arguments)
 *   3 counter integer, RW  (negative writes refused with 4.00) */
#include "lwm2m_client.h"

#include <stdatomic.h>
#include <string.h>

_Static_assert(LWM2M_CLIENT_REBOOT_TIME == 1, "the -D override reaches the header");

static struct {
  lwm2m_client_data_t data;
  lwm2m_context_t* ctx;
  double value;
  char note[512];
  size_t note_len;
  int64_t counter;
  char poke_args[64];
  atomic_int pokes;
  atomic_int reboots;
  atomic_int logs;
} g;

static int read_cb(uint16_t iid, uint16_t rid, lwm2m_client_value_t* v, void* arg) {
  (void)arg;
  if (iid != 0) return LWM2M_CLIENT_ERR_NOT_FOUND;
  switch (rid) {
    case 0:
      lwm2m_client_value_set_float(v, g.value);
      return LWM2M_CLIENT_OK;
    case 1:
      v->type = LWM2M_CLIENT_TYPE_STRING;
      v->v.bytes.data = (const uint8_t*)g.note;
      v->v.bytes.len = g.note_len;
      return LWM2M_CLIENT_OK;
    case 3:
      lwm2m_client_value_set_integer(v, g.counter);
      return LWM2M_CLIENT_OK;
    default:
      return LWM2M_CLIENT_ERR_NOT_FOUND;
  }
}

static int write_cb(uint16_t iid, uint16_t rid, const lwm2m_client_value_t* v, void* arg) {
  (void)iid, (void)arg;
  if (rid == 1) {
    if (v->type != LWM2M_CLIENT_TYPE_STRING || v->v.bytes.len >= sizeof g.note)
      return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
    memcpy(g.note, v->v.bytes.data, v->v.bytes.len);
    g.note_len = v->v.bytes.len;
    return LWM2M_CLIENT_OK;
  }
  if (rid == 3) {
    if (v->type != LWM2M_CLIENT_TYPE_INTEGER || v->v.integer < 0)
      return LWM2M_CLIENT_ERR_INVALID_ARGUMENT;
    g.counter = v->v.integer;
    return LWM2M_CLIENT_OK;
  }
  return LWM2M_CLIENT_ERR_METHOD_NOT_ALLOWED;
}

static int exec_cb(uint16_t iid, uint16_t rid, const uint8_t* args, size_t len, void* arg) {
  (void)iid, (void)rid, (void)arg;
  if (len >= sizeof g.poke_args) len = sizeof g.poke_args - 1;
  if (len) memcpy(g.poke_args, args, len);
  g.poke_args[len] = 0;
  atomic_fetch_add(&g.pokes, 1);
  return LWM2M_CLIENT_OK;
}

static void on_reboot(void* arg) {
  (void)arg;
  atomic_fetch_add(&g.reboots, 1);
}

static void on_log(const char* line, void* arg) {
  (void)line, (void)arg;
  atomic_fetch_add(&g.logs, 1);
}

static const lwm2m_client_resource_desc_t resources[] = {
    /* listed out of order on purpose: the facade sorts them */
    {3, LWM2M_CLIENT_TYPE_INTEGER, LWM2M_CLIENT_OP_READ_WRITE, false, "counter", read_cb, write_cb,
     NULL},
    {0, LWM2M_CLIENT_TYPE_FLOAT, LWM2M_CLIENT_OP_READ, true, "value", read_cb, NULL, NULL},
    {1, LWM2M_CLIENT_TYPE_STRING, LWM2M_CLIENT_OP_READ_WRITE, false, "note", read_cb, write_cb,
     NULL},
    {2, LWM2M_CLIENT_TYPE_NONE, LWM2M_CLIENT_OP_EXECUTE, false, "poke", NULL, NULL, exec_cb},
};
static const uint16_t instances[] = {0};

/* Starts the client against `uri`; PSK when psk_identity is not NULL. 0 on success. */
int c_client_start(const char* uri, const char* endpoint, const char* psk_identity,
                   const uint8_t* psk_key, size_t psk_key_len) {
  memset(&g, 0, sizeof g);
  g.value = 21.5;
  lwm2m_client_config_t config = LWM2M_CLIENT_CONFIG_INIT;
  if (config.reboot_time_ms != 1000) return -100;
  config.endpoint = endpoint;
  config.local_port = 0;
  lwm2m_client_init_with_config(&g.data, &config);
  lwm2m_client_set_reboot_hook(&g.data, on_reboot, NULL);
  lwm2m_client_set_log_hook(&g.data, on_log, NULL);

  lwm2m_object_t* objs[4];
  objs[0] = lwm2m_object_security_init(&g.data);
  objs[1] = lwm2m_object_server_init(&g.data);
  lwm2m_obj_device_args_t dev = {"ACME", "C-1", "42", "1.0", "test", "hw1", "sw1"};
  objs[2] = lwm2m_object_device_init(&g.data, &dev);
  lwm2m_client_object_desc_t desc = {32769, "1.1", "test", false, resources, 4, instances, 1, NULL};
  objs[3] = lwm2m_client_object_create(&g.data, &desc);
  if (!objs[0] || !objs[1] || !objs[2] || !objs[3]) return -1;

  lwm2m_obj_security_args_t sec = LWM2M_OBJ_SECURITY_ARGS_INIT;
  sec.server_uri = uri;
  sec.short_server_id = 1;
  if (psk_identity) {
    sec.security_mode = LWM2M_SECURITY_MODE_PRE_SHARED_KEY;
    sec.psk_identity = (const uint8_t*)psk_identity;
    sec.psk_identity_len = strlen(psk_identity);
    sec.psk_key = psk_key;
    sec.psk_key_len = psk_key_len;
  }
  int st = lwm2m_object_security_instance_create(objs[0], 0, &sec);
  if (st != LWM2M_CLIENT_OK) return st;
  lwm2m_obj_server_args_t srv = LWM2M_OBJ_SERVER_ARGS_INIT;
  srv.lifetime = 60;
  st = lwm2m_object_server_instance_create(objs[1], 0, &srv);
  if (st != LWM2M_CLIENT_OK) return st;
  g.ctx = lwm2m_client_run(&g.data, objs, 4);
  if (!g.ctx) return -2;
  if (g.ctx != lwm2m_client_get_ctx(&g.data) || g.ctx != g.data.lwm2m_ctx) return -3;
  if (g.data.sock < 0) return -4;
  return 0;
}

uint16_t c_client_local_port(void) {
  const struct sockaddr_storage* ep = &g.data.local_ep;
  const unsigned char* p = (const unsigned char*)ep;
  /* sin_port and sin6_port sit right after the family, in network order */
  if (ep->ss_family != AF_INET && ep->ss_family != AF_INET6) return 0;
  return (uint16_t)((p[2] << 8) | p[3]);
}

int c_client_registered(void) {
  return lwm2m_client_is_registered(&g.data, 1);
}
int c_client_running(void) {
  return lwm2m_client_is_running(&g.data);
}
int c_client_pid_is_set(void) {
  pthread_t zero;
  memset(&zero, 0, sizeof zero);
  return memcmp(&g.data.pid, &zero, sizeof zero) != 0;
}

/* Connections seen through conn_list: how many, and the first one's type, port and
 * whether it has sent anything. */
int c_client_connections(int* type, uint16_t* remote_port, int* has_sent, int* secured) {
  lwm2m_client_connection_t* c = lwm2m_client_refresh_connections(&g.data);
  if (c != g.data.conn_list) return -1;
  int n = 0;
  for (lwm2m_client_connection_t* i = c; i; i = i->next)
    ++n;
  if (c) {
    const unsigned char* p = (const unsigned char*)&c->remote;
    *type = (int)c->type;
    *remote_port = (uint16_t)((p[2] << 8) | p[3]);
    *has_sent = c->last_send != 0;
    *secured = c->session.secured;
  }
  return n;
}

static void set_value(void* arg) {
  g.value = *(const double*)arg;
  lwm2m_client_value_changed(&g.data, 32769, 0, 0); /* from inside: must not deadlock */
}

void c_client_set_value(double v) {
  lwm2m_client_locked(&g.data, set_value, &v);
}

/* The value changes without lwm2m_client_locked, reported from this (non-client) thread. */
static void store_value(void* arg) {
  g.value = *(const double*)arg;
}
int c_client_set_value_and_report(double v) {
  lwm2m_client_locked(&g.data, store_value, &v);
  return lwm2m_client_value_changed(&g.data, 32769, 0, 0);
}

int c_client_pokes(void) {
  return atomic_load(&g.pokes);
}
static void get_poke_args(void* arg) {
  memcpy(arg, g.poke_args, sizeof g.poke_args);
}
void c_client_poke_args(char out[64]) {
  lwm2m_client_locked(&g.data, get_poke_args, out);
}
int c_client_reboots(void) {
  return atomic_load(&g.reboots);
}
int c_client_logs(void) {
  return atomic_load(&g.logs);
}
/* Read under the client's lock: the client thread writes them. */
static void get_note_len(void* arg) {
  *(size_t*)arg = g.note_len;
}
static void get_counter(void* arg) {
  *(int64_t*)arg = g.counter;
}
size_t c_client_note_len(void) {
  size_t n = 0;
  lwm2m_client_locked(&g.data, get_note_len, &n);
  return n;
}
int64_t c_client_counter(void) {
  int64_t n = 0;
  lwm2m_client_locked(&g.data, get_counter, &n);
  return n;
}

void c_client_stop(void) {
  lwm2m_client_stop(&g.data);
}
void c_client_deinit(void) {
  lwm2m_client_deinit(&g.data);
}
