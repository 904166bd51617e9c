/* SPDX-License-Identifier: Apache-2.0 */
/* C11, only lwm2m_client.h, compiled without -D overrides: the seed's defines have RIOT's
 * defaults, lwm2m_client_init applies them, and the calls that need an initialised client
 * refuse a client that was not. Each function returns NULL on success or what failed. */
#include "lwm2m_client.h"

#include <string.h>

_Static_assert(LWM2M_CLIENT_RCV_BUFFER_SIZE == 200, "RIOT's receive buffer default");
_Static_assert(LWM2M_CLIENT_REBOOT_TIME == 5, "RIOT's reboot time default");
_Static_assert(LWM2M_CLIENT_MIN_REFRESH_TIME == 1, "RIOT's refresh time default");

const char* c_defaults_config(void) {
  lwm2m_client_data_t data;
  lwm2m_client_init(&data);
  const lwm2m_client_config_t* c = lwm2m_client_get_config(&data);
  const char* err = NULL;
  if (!c)
    err = "no config after lwm2m_client_init";
  else if (c->rcv_buffer_size != 200)
    err = "rcv_buffer_size is not 200";
  else if (c->reboot_time_ms != 5000)
    err = "reboot_time_ms is not 5000";
  else if (c->min_refresh_ms != 1000)
    err = "min_refresh_ms is not 1000";
  else if (strcmp(c->endpoint, LWM2M_CLIENT_DEVICE_NAME) != 0)
    err = "endpoint is not the default";
  else if (lwm2m_client_get_ctx(&data) != data.lwm2m_ctx || !data.lwm2m_ctx)
    err = "lwm2m_client_get_ctx differs from lwm2m_ctx";
  else if (data.conn_list != NULL || data.sock != -1)
    err = "a fresh client has connections";
  lwm2m_client_deinit(&data);
  return err;
}

const char* c_defaults_objects_need_init(void) {
  lwm2m_client_data_t data;
  memset(&data, 0, sizeof data);
  if (lwm2m_object_security_init(&data) || lwm2m_object_server_init(&data) ||
      lwm2m_object_device_init(&data, NULL))
    return "an object was made before lwm2m_client_init";
  if (lwm2m_client_run(&data, NULL, 0)) return "run succeeded before lwm2m_client_init";
  lwm2m_client_init(&data);
  const char* err = NULL;
  lwm2m_object_t* sec = lwm2m_object_security_init(&data);
  if (!sec || lwm2m_object_id(sec) != 0)
    err = "no Security object after init";
  else if (lwm2m_object_security_init(&data) != sec)
    err = "a second Security object";
  else if (!lwm2m_object_server_init(&data))
    err = "no Server object after init";
  lwm2m_client_deinit(&data);
  if (!err && lwm2m_object_security_init(&data)) err = "an object was made after deinit";
  return err;
}

const char* c_defaults_run_needs_security_and_server(void) {
  lwm2m_client_data_t data;
  lwm2m_client_init(&data);
  const char* err = NULL;
  lwm2m_object_t* objs[2];
  objs[0] = lwm2m_object_device_init(&data, NULL);
  objs[1] = lwm2m_object_server_init(&data);
  if (lwm2m_client_run(&data, objs, 2))
    err = "ran without a Security object";
  else if (lwm2m_client_is_running(&data))
    err = "running after a refused run";
  lwm2m_client_deinit(&data);
  return err;
}

static int never(uint16_t i, uint16_t r, lwm2m_client_value_t* v, void* a) {
  (void)i, (void)r, (void)v, (void)a;
  return LWM2M_CLIENT_OK;
}

const char* c_defaults_object_descriptors_checked(void) {
  lwm2m_client_data_t data;
  lwm2m_client_init(&data);
  const char* err = NULL;
  static const uint16_t one[] = {0};
  lwm2m_client_resource_desc_t twice[] = {
      {1, LWM2M_CLIENT_TYPE_INTEGER, LWM2M_CLIENT_OP_READ, false, "a", never, NULL, NULL},
      {1, LWM2M_CLIENT_TYPE_INTEGER, LWM2M_CLIENT_OP_READ, false, "b", never, NULL, NULL},
  };
  lwm2m_client_object_desc_t d = {4000, NULL, "x", false, twice, 2, one, 1, NULL};
  if (lwm2m_client_object_create(&data, &d)) err = "a resource id listed twice was accepted";
  lwm2m_client_resource_desc_t no_cb[] = {
      {1, LWM2M_CLIENT_TYPE_INTEGER, LWM2M_CLIENT_OP_READ_WRITE, false, "a", never, NULL, NULL},
  };
  d.resources = no_cb;
  d.resource_count = 1;
  if (!err && lwm2m_client_object_create(&data, &d)) err = "a writable resource without write";
  d.id = 3;
  no_cb[0].operations = LWM2M_CLIENT_OP_READ;
  if (!err && lwm2m_client_object_create(&data, &d)) err = "object id 3 (Device) was accepted";
  d.id = 4000;
  lwm2m_object_t* ok = err ? NULL : lwm2m_client_object_create(&data, &d);
  if (!err && (!ok || lwm2m_object_id(ok) != 4000)) err = "a valid descriptor was refused";
  lwm2m_client_deinit(&data);
  return err;
}

/* add_credential of an existing tag does not add it twice; remove_credential of an
 * unknown tag changes nothing; without DTLS every call says it is not supported. */
const char* c_defaults_credentials(void) {
  if (!lwm2m_client_dtls_available()) {
    if (lwm2m_client_add_credential(700) != LWM2M_CLIENT_ERR_NOT_SUPPORTED ||
        lwm2m_client_remove_credential(700) != LWM2M_CLIENT_ERR_NOT_SUPPORTED ||
        lwm2m_client_refresh_dtls_credentials() != LWM2M_CLIENT_ERR_NOT_SUPPORTED)
      return "without DTLS the credential functions must return NOT_SUPPORTED";
    if (lwm2m_client_credential_count() != 0) return "a tag was added without DTLS";
    return NULL;
  }
  size_t before = lwm2m_client_credential_count();
  if (lwm2m_client_add_credential(700) != LWM2M_CLIENT_OK) return "add failed";
  if (lwm2m_client_add_credential(700) != LWM2M_CLIENT_OK) return "second add failed";
  if (lwm2m_client_credential_count() != before + 1) return "a tag added twice counts twice";
  if (!lwm2m_client_has_credential(700)) return "the tag is not available";
  if (lwm2m_client_remove_credential(701) != LWM2M_CLIENT_OK) return "removing 701 failed";
  if (lwm2m_client_credential_count() != before + 1 || !lwm2m_client_has_credential(700))
    return "removing an unknown tag changed the list";
  if (lwm2m_client_remove_credential(700) != LWM2M_CLIENT_OK) return "remove failed";
  if (lwm2m_client_has_credential(700) || lwm2m_client_credential_count() != before)
    return "the removed tag is still available";
  return NULL;
}

/* One client: the calls without a client argument act on it, and a tag added before
 * lwm2m_client_init belongs to the next client made (RIOT's order of calls works). */
const char* c_defaults_credentials_one_client(void) {
  if (!lwm2m_client_dtls_available()) return NULL;
  if (lwm2m_client_add_credential(720) != LWM2M_CLIENT_OK) return "add before init failed";
  lwm2m_client_data_t data;
  lwm2m_client_init(&data);
  const char* err = NULL;
  if (!lwm2m_client_has_credential_for(&data, 720))
    err = "the client did not take the tag added before init";
  else if (lwm2m_client_add_credential(721) != LWM2M_CLIENT_OK)
    err = "add with one client failed";
  else if (!lwm2m_client_has_credential_for(&data, 721) || lwm2m_client_credential_count() != 2)
    err = "a tag added without a client argument did not reach the only client";
  else if (lwm2m_client_remove_credential(720) != LWM2M_CLIENT_OK ||
           lwm2m_client_has_credential_for(&data, 720))
    err = "remove with one client did not reach it";
  lwm2m_client_deinit(&data);
  if (!err && lwm2m_client_credential_count() != 0)
    err = "the freed client's tags are still counted";
  return err;
}
