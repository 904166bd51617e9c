/* SPDX-License-Identifier: Apache-2.0 */
/* The standard and IPSO objects through the C facade only (lwm2m_client.h, C11): Device
 * values, Connectivity Monitoring, Location, Temperature and Humidity, Light Control with a
 * callback, On/Off Switch. Driven by c_objects_test.cpp against the test server. */
#include <math.h>
#include <string.h>

#include "lwm2m_client.h"

static struct {
  lwm2m_client_data_t data;
  int light_calls;
  bool light_on;
  uint8_t light_dimmer;
  char light_colour[32];
} g;

static void on_light(uint16_t instance_id, bool on, uint8_t dimmer, const char* colour, void* arg) {
  (void)instance_id;
  (void)arg;
  g.light_calls++;
  g.light_on = on;
  g.light_dimmer = dimmer;
  strncpy(g.light_colour, colour, sizeof g.light_colour - 1);
}

/* 0 on success, a negative step number otherwise. */
int c_objects_start(const char* uri, const char* endpoint) {
  memset(&g, 0, sizeof g);
  lwm2m_client_config_t config = LWM2M_CLIENT_CONFIG_INIT;
  config.endpoint = endpoint;
  config.local_port = 0;
  lwm2m_client_init_with_config(&g.data, &config);

  lwm2m_object_t* objs[10];
  objs[0] = lwm2m_object_security_init(&g.data);
  objs[1] = lwm2m_object_server_init(&g.data);
  lwm2m_obj_device_args_t dev = {"ACME", "C-2", "7", "1.0", "test", "hw1", "sw1"};
  objs[2] = lwm2m_object_device_init(&g.data, &dev);
  objs[3] = lwm2m_object_connectivity_monitoring_init(&g.data);
  objs[4] = lwm2m_object_location_init(&g.data);
  objs[5] = lwm2m_object_temperature_init(&g.data);
  objs[6] = lwm2m_object_humidity_init(&g.data);
  objs[7] = lwm2m_object_light_control_init(&g.data);
  objs[8] = lwm2m_object_on_off_switch_init(&g.data);
  objs[9] = lwm2m_object_temperature_init(&g.data); /* the same object again */
  for (int i = 0; i < 9; ++i)
    if (!objs[i]) return -1 - i;
  if (objs[9] != objs[5] || lwm2m_object_id(objs[6]) != 3304) return -10;
  if (lwm2m_object_ipso_sensor_init(&g.data, 3302, 4) != NULL) return -11; /* not a sensor */

  lwm2m_obj_ipso_sensor_args_t t = LWM2M_OBJ_IPSO_SENSOR_ARGS_INIT;
  t.units = "Cel";
  t.has_range = true;
  t.min_range = -40.5;
  t.max_range = 85;
  t.value = 21.5;
  if (lwm2m_object_ipso_sensor_instance_create(objs[5], &t) != LWM2M_CLIENT_OK) return -12;
  if (lwm2m_object_ipso_sensor_instance_create(objs[5], &t) != LWM2M_CLIENT_ERR_INVALID_ARGUMENT)
    return -13; /* instance 0 exists */
  lwm2m_obj_ipso_sensor_args_t h = LWM2M_OBJ_IPSO_SENSOR_ARGS_INIT;
  h.units = "%RH";
  h.value = 40;
  if (lwm2m_object_ipso_sensor_instance_create(objs[6], &h) != LWM2M_CLIENT_OK) return -14;
  lwm2m_obj_light_control_args_t l = {0, "white", NULL, "hall", on_light, NULL};
  if (lwm2m_object_light_control_instance_create(objs[7], &l) != LWM2M_CLIENT_OK) return -15;
  lwm2m_obj_on_off_switch_args_t s = {0, "door"};
  if (lwm2m_object_on_off_switch_instance_create(objs[8], &s) != LWM2M_CLIENT_OK) return -16;

  lwm2m_client_connectivity_t c = LWM2M_CLIENT_CONNECTIVITY_INIT;
  c.network_bearer = 41;
  c.radio_signal_strength = -60;
  c.ip_addresses[0] = "192.0.2.1";
  if (lwm2m_client_connectivity_update(&g.data, &c) != LWM2M_CLIENT_OK) return -17;
  if (lwm2m_client_location_update(&g.data, 1.5, 2.5, NAN, NAN, NAN, 1700000000) != LWM2M_CLIENT_OK)
    return -18;
  if (lwm2m_client_device_set_battery(&g.data, 90, 1) != LWM2M_CLIENT_OK) return -19;
  if (lwm2m_client_device_set_battery(&g.data, 101, 1) != LWM2M_CLIENT_ERR_INVALID_ARGUMENT)
    return -20;
  if (lwm2m_client_device_add_power_source(&g.data, 1, 3700, 100) != LWM2M_CLIENT_OK) return -21;
  if (lwm2m_client_device_add_error_code(&g.data, 2) != LWM2M_CLIENT_OK) return -22;

  lwm2m_obj_security_args_t sec = LWM2M_OBJ_SECURITY_ARGS_INIT;
  sec.server_uri = uri;
  if (lwm2m_object_security_instance_create(objs[0], 0, &sec) != LWM2M_CLIENT_OK) return -23;
  lwm2m_obj_server_args_t srv = LWM2M_OBJ_SERVER_ARGS_INIT;
  srv.lifetime = 60;
  if (lwm2m_object_server_instance_create(objs[1], 0, &srv) != LWM2M_CLIENT_OK) return -24;
  if (!lwm2m_client_run(&g.data, objs, 9)) return -25;
  if (lwm2m_object_location_init(&g.data) == NULL) return -26; /* made before: still given */
  return 0;
}

int c_objects_registered(void) {
  return lwm2m_client_is_registered(&g.data, 1);
}

int c_objects_temperature(double v) {
  return lwm2m_client_sensor_update(&g.data, 3303, 0, v);
}

int c_objects_switch(bool on) {
  return lwm2m_client_switch_update(&g.data, 0, on);
}

int c_objects_light(bool on, int dimmer) {
  return lwm2m_client_light_control_update(&g.data, 0, on, dimmer);
}

int c_objects_unknown_sensor(void) {
  return lwm2m_client_sensor_update(&g.data, 3301, 0, 1.0);
}

typedef struct {
  int calls;
  bool on;
  uint8_t dimmer;
  char colour[32];
} light_seen_t;

static void copy_light(void* arg) {
  light_seen_t* out = arg;
  out->calls = g.light_calls;
  out->on = g.light_on;
  out->dimmer = g.light_dimmer;
  memcpy(out->colour, g.light_colour, sizeof out->colour);
}

/* What the light callback saw, read under the client's lock (it runs on the client thread). */
int c_objects_light_calls(bool* on, uint8_t* dimmer, char colour[32]) {
  light_seen_t seen;
  lwm2m_client_locked(&g.data, copy_light, &seen);
  *on = seen.on;
  *dimmer = seen.dimmer;
  memcpy(colour, seen.colour, sizeof seen.colour);
  return seen.calls;
}

void c_objects_deinit(void) {
  lwm2m_client_stop(&g.data);
  lwm2m_client_deinit(&g.data);
}
