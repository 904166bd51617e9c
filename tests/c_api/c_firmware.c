/* SPDX-License-Identifier: Apache-2.0 */
/* Firmware pull and the Access Control object through the C facade only (lwm2m_client.h,
 * C11), with the state kept in a directory: the image lands in a RAM "flash" that outlives
 * the client, as a device's flash outlives a reboot. Driven by c_firmware_test.cpp. */
#include <string.h>

#include "lwm2m_client.h"

#define FLASH_SIZE (64 * 1024)

static struct {
  lwm2m_client_data_t data;
  bool running;
} g;

/* The "flash": kept across clients. */
static uint8_t flash[FLASH_SIZE];
static uint32_t flash_len;
static int opens, resumes, finished;

static lwm2m_firmware_result_t fw_open(void* arg) {
  (void)arg;
  flash_len = 0;
  opens++;
  return LWM2M_FIRMWARE_RESULT_INITIAL;
}

static lwm2m_firmware_result_t fw_write(uint32_t offset, const uint8_t* data, size_t len,
                                        void* arg) {
  (void)arg;
  if (offset > flash_len || offset + len > FLASH_SIZE)
    return LWM2M_FIRMWARE_RESULT_NOT_ENOUGH_STORAGE;
  memcpy(flash + offset, data, len);
  flash_len = offset + (uint32_t)len;
  return LWM2M_FIRMWARE_RESULT_INITIAL;
}

static lwm2m_firmware_result_t fw_finish(uint32_t size, void* arg) {
  (void)arg;
  finished = size == flash_len;
  return finished ? LWM2M_FIRMWARE_RESULT_INITIAL : LWM2M_FIRMWARE_RESULT_INTEGRITY_FAILURE;
}

static void fw_discard(void* arg) {
  (void)arg;
  flash_len = 0;
}

static lwm2m_firmware_result_t fw_update(void* arg) {
  (void)arg;
  return LWM2M_FIRMWARE_RESULT_INITIAL;
}

static bool fw_resume(uint32_t offset, void* arg) {
  (void)arg;
  resumes++;
  if (offset > flash_len) return false;
  flash_len = offset;
  return true;
}

/* A client of the server at `uri` with Firmware Update (push and pull) and Access Control
 * (a factory instance for /5/0 owned by server 1, server 9 may read it), its state in
 * `state_dir`. 0 on success, a negative step number otherwise. */
int c_firmware_start(const char* uri, const char* endpoint, const char* state_dir) {
  memset(&g, 0, sizeof g);
  lwm2m_client_config_t config = LWM2M_CLIENT_CONFIG_INIT;
  config.endpoint = endpoint;
  config.local_port = 0;
  lwm2m_client_init_with_config(&g.data, &config);

  lwm2m_obj_firmware_pull_args_t early = {false, fw_resume};
  if (lwm2m_object_firmware_enable_pull(&g.data, &early) != LWM2M_CLIENT_ERR_INVALID_STATE)
    return -1; /* before lwm2m_object_firmware_init */

  lwm2m_object_t* objs[4];
  objs[0] = lwm2m_object_security_init(&g.data);
  objs[1] = lwm2m_object_server_init(&g.data);
  objs[2] = lwm2m_object_access_control_init(&g.data);
  lwm2m_obj_firmware_args_t fw = {fw_open, fw_write, fw_finish, fw_discard, fw_update, NULL};
  objs[3] = lwm2m_object_firmware_init(&g.data, &fw);
  for (int i = 0; i < 4; ++i)
    if (!objs[i]) return -2 - i;
  if (lwm2m_object_access_control_init(&g.data) != objs[2]) return -6;
  if (lwm2m_object_id(objs[2]) != 2) return -7;

  lwm2m_obj_firmware_pull_args_t pull = {false, fw_resume};
  if (lwm2m_object_firmware_enable_pull(&g.data, &pull) != LWM2M_CLIENT_OK) return -8;
  if (lwm2m_object_firmware_init(&g.data, &fw) != objs[3]) return -9; /* the same handle */

  int acl = lwm2m_object_access_control_instance_create(objs[2], 5, 0, 1);
  if (acl != 0) return -10;
  if (lwm2m_object_access_control_add(objs[2], 0, 9, LWM2M_ACCESS_READ) != LWM2M_CLIENT_OK)
    return -11;
  if (lwm2m_object_access_control_add(objs[2], 7, 9, LWM2M_ACCESS_READ) !=
      LWM2M_CLIENT_ERR_NOT_FOUND)
    return -12;
  if (lwm2m_object_access_control_add(objs[2], 0, 9, 64) != LWM2M_CLIENT_ERR_INVALID_ARGUMENT)
    return -13;

  lwm2m_obj_security_args_t sec = LWM2M_OBJ_SECURITY_ARGS_INIT;
  sec.server_uri = uri;
  if (lwm2m_object_security_instance_create(objs[0], 0, &sec) != LWM2M_CLIENT_OK) return -14;
  lwm2m_obj_server_args_t srv = LWM2M_OBJ_SERVER_ARGS_INIT;
  srv.lifetime = 60;
  if (lwm2m_object_server_instance_create(objs[1], 0, &srv) != LWM2M_CLIENT_OK) return -15;
  if (lwm2m_client_set_state_dir(&g.data, state_dir) != LWM2M_CLIENT_OK) return -16;
  if (!lwm2m_client_run(&g.data, objs, 4)) return -17;
  g.running = true;
  if (lwm2m_object_firmware_enable_pull(&g.data, &pull) != LWM2M_CLIENT_ERR_INVALID_STATE)
    return -18; /* after lwm2m_client_run */
  if (lwm2m_object_access_control_add(objs[2], 0, 9, LWM2M_ACCESS_ALL) !=
      LWM2M_CLIENT_ERR_INVALID_STATE)
    return -19;
  return 0;
}

/* The image in the "flash" once finished (its length), else -1. */
long c_firmware_image(const uint8_t** data) {
  *data = flash;
  return finished ? (long)flash_len : -1;
}

int c_firmware_opens(void) {
  return opens;
}

void c_firmware_stop(void) {
  if (!g.running) return;
  lwm2m_client_stop(&g.data);
  lwm2m_client_deinit(&g.data);
  g.running = false;
}
