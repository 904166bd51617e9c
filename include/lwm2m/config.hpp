// SPDX-License-Identifier: Apache-2.0
// Compile-time sizes of the library's fixed storage: LWM2M_SECURITY_URI_MAX,
// LWM2M_SECURITY_IDENTITY_MAX, LWM2M_SECURITY_SERVER_KEY_MAX, LWM2M_SECURITY_SECRET_MAX,
// LWM2M_SERVER_BINDING_MAX, LWM2M_SERVER_ROLLBACK_MAX and the credential store's
// LWM2M_CREDENTIAL_*_MAX. Each is a
// CMake option of the same name, fixed when the library is built (e.g.
// `cmake -DLWM2M_SECURITY_IDENTITY_MAX=600`) and recorded in the generated
// lwm2m/build_config.hpp, installed with the library.
#pragma once

#include "lwm2m/build_config.hpp"
