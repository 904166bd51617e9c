/* SPDX-License-Identifier: Apache-2.0 */
/* A C11 program that only includes lwm2m_client.h: it links against the installed
 * lwm2m::c_api, builds the objects a client needs and configures a server. */
#include <lwm2m_client.h>
#include <stdio.h>

int main(void) {
  lwm2m_client_data_t data;
  lwm2m_client_init(&data);
  lwm2m_object_t* security = lwm2m_object_security_init(&data);
  lwm2m_object_t* server = lwm2m_object_server_init(&data);
  if (!security || !server || lwm2m_object_id(server) != 1) {
    fprintf(stderr, "objects missing\n");
    return 1;
  }
  lwm2m_obj_security_args_t sec = LWM2M_OBJ_SECURITY_ARGS_INIT;
  sec.server_uri = "coap://127.0.0.1:5683";
  if (lwm2m_object_security_instance_create(security, 0, &sec) != 0) {
    fprintf(stderr, "security instance refused\n");
    return 1;
  }
  printf("DTLS in the facade: %s\n", lwm2m_client_dtls_available() ? "yes" : "no");
  lwm2m_client_deinit(&data);
  return 0;
}
