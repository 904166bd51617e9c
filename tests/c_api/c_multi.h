/* SPDX-License-Identifier: Apache-2.0 */
/* What c_multi.c offers its gtest driver: clients made from these arguments, several at a
 * time. C and C++. */
#ifndef LWM2M_TESTS_C_MULTI_H
#define LWM2M_TESTS_C_MULTI_H

#include "lwm2m_client.h"

#ifdef __cplusplus
extern "C" {
#endif

#define C_MULTI_MAX 2

typedef struct {
  const char* uri;
  const char* endpoint;
  const char* psk_identity; /* NULL: NoSec */
  const uint8_t* psk_key;
  size_t psk_key_len;
  const char* binding;                  /* of Server instance 0 */
  lwm2m_client_version_t lwm2m_version; /* the config knobs under test */
  bool queue_mode;
  uint16_t max_observations;
  uint16_t coap_message_size;
  uint16_t uplink_buffer;
  uint16_t scratch;
  uint8_t max_servers;
} c_multi_args_t;

int c_multi_start(int i, const c_multi_args_t* args);
lwm2m_client_data_t* c_multi_data(int i);
void c_multi_deinit_all(void);
const char* c_multi_config_defaults(void);

#ifdef __cplusplus
}
#endif

#endif
