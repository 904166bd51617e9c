/* SPDX-License-Identifier: Apache-2.0 */
/* C11, only lwm2m_client.h: several clients in one process, each with its own settings and
 * credentials, driven by the gtest side (c_api_test.cpp) against the test server. Each has
 * Security, Server and Device; c_multi_start takes what differs between them. */
#include "c_multi.h"

#include <string.h>

static lwm2m_client_data_t clients[C_MULTI_MAX];
static bool started[C_MULTI_MAX];

static int make_objects(lwm2m_client_data_t* data, const c_multi_args_t* a,
                        lwm2m_object_t* objs[3]) {
  static const lwm2m_obj_device_args_t dev = {"ACME", "C-2", "7", "1.0", "test", "hw", "sw"};
  objs[0] = lwm2m_object_security_init(data);
  objs[1] = lwm2m_object_server_init(data);
  objs[2] = lwm2m_object_device_init(data, &dev);
  if (!objs[0] || !objs[1] || !objs[2]) return -1;
  lwm2m_obj_security_args_t sec = LWM2M_OBJ_SECURITY_ARGS_INIT;
  sec.server_uri = a->uri;
  if (a->psk_identity) {
    sec.security_mode = LWM2M_SECURITY_MODE_PRE_SHARED_KEY;
    sec.psk_identity = (const uint8_t*)a->psk_identity;
    sec.psk_identity_len = strlen(a->psk_identity);
    sec.psk_key = a->psk_key;
    sec.psk_key_len = a->psk_key_len;
  }
  int st = lwm2m_object_security_instance_create(objs[0], 0, &sec);
  if (st != LWM2M_CLIENT_OK) return st;
  lwm2m_obj_server_args_t srv = LWM2M_OBJ_SERVER_ARGS_INIT;
  srv.lifetime = 60;
  if (a->binding) srv.binding = a->binding;
  return lwm2m_object_server_instance_create(objs[1], 0, &srv);
}

/* Starts client `i` on a free local port; 0 on success. */
int c_multi_start(int i, const c_multi_args_t* a) {
  if (i < 0 || i >= C_MULTI_MAX || started[i]) return -100;
  lwm2m_client_config_t config = LWM2M_CLIENT_CONFIG_INIT;
  config.endpoint = a->endpoint;
  config.local_port = 0;
  config.lwm2m_version = a->lwm2m_version;
  config.queue_mode = a->queue_mode;
  config.max_observations = a->max_observations;
  config.coap_message_size = a->coap_message_size;
  config.uplink_buffer = a->uplink_buffer;
  config.scratch = a->scratch;
  config.max_servers = a->max_servers;
  lwm2m_client_data_t* data = &clients[i];
  lwm2m_client_init_with_config(data, &config);
  started[i] = true;
  lwm2m_object_t* objs[3];
  int st = make_objects(data, a, objs);
  if (st != LWM2M_CLIENT_OK) return st;
  return lwm2m_client_run(data, objs, 3) ? 0 : -2;
}

lwm2m_client_data_t* c_multi_data(int i) {
  return &clients[i];
}

void c_multi_deinit_all(void) {
  for (int i = 0; i < C_MULTI_MAX; ++i) {
    if (started[i]) lwm2m_client_deinit(&clients[i]);
    started[i] = false;
  }
}

/* The settings in use after lwm2m_client_init: what the knobs left at 0 became. NULL when
 * they are today's defaults, else what differs. */
const char* c_multi_config_defaults(void) {
  lwm2m_client_data_t data;
  lwm2m_client_init(&data);
  const lwm2m_client_config_t* c = lwm2m_client_get_config(&data);
  const char* err = NULL;
  if (!c)
    err = "no config";
  else if (c->lwm2m_version != LWM2M_CLIENT_VERSION_1_1)
    err = "lwm2m_version is not 1.1";
  else if (c->queue_mode)
    err = "queue_mode is on";
  else if (c->coap_message_size != 1152)
    err = "coap_message_size is not 1152";
  else if (c->uplink_buffer != 512)
    err = "uplink_buffer is not 512";
  else if (c->scratch != 256)
    err = "scratch is not 256";
  else if (c->max_servers != 2)
    err = "max_servers is not 2";
  else if (c->max_observations != 8)
    err = "max_observations is not 8";
  lwm2m_client_deinit(&data);
  return err;
}
