/* SPDX-License-Identifier: Apache-2.0 */
/* C11, only lwm2m_client.h, linked against the facade built without DTLS
 * (LWM2M_CLIENT_HAVE_DTLS=0): the credential functions and a PSK Security instance answer
 * with a clear error. Exit 0 when they do. */
#include "lwm2m_client.h"

#include <stdio.h>

const char* c_defaults_credentials(void);

int main(void) {
  if (lwm2m_client_dtls_available()) {
    puts("FAIL: lwm2m_client_dtls_available() is true in the no-DTLS build");
    return 1;
  }
  const char* err = c_defaults_credentials();
  if (err) {
    printf("FAIL: %s\n", err);
    return 1;
  }
  lwm2m_client_data_t data;
  lwm2m_client_init(&data);
  lwm2m_obj_security_args_t sec = LWM2M_OBJ_SECURITY_ARGS_INIT;
  static const uint8_t key[] = {1, 2, 3};
  sec.server_uri = "coaps://127.0.0.1";
  sec.security_mode = LWM2M_SECURITY_MODE_PRE_SHARED_KEY;
  sec.psk_identity = key;
  sec.psk_identity_len = sizeof key;
  sec.psk_key = key;
  sec.psk_key_len = sizeof key;
  int st = lwm2m_object_security_instance_create(lwm2m_object_security_init(&data), 0, &sec);
  lwm2m_client_deinit(&data);
  if (st != LWM2M_CLIENT_ERR_NOT_SUPPORTED) {
    printf("FAIL: a PSK instance without DTLS gave %d (%s)\n", st, lwm2m_client_strerror(st));
    return 1;
  }
  puts("ok: without DTLS the credential functions say so");
  return 0;
}
