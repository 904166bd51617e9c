/* A C11 program that only includes lwm2m_client.h: it links against the installed
 * lwm2m::c_api and builds the objects a client needs. */
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
  lwm2m_client_deinit(&data);
  return 0;
}
