// SPDX-License-Identifier: Apache-2.0
// Built by CMakeLists.txt twice: as it is (must compile) and with a storage size the
// library was not built with (must not: the layouts would differ from the library's).
#include <lwm2m/config.hpp>

int main() {
  return LWM2M_SECURITY_URI_MAX > 0 ? 0 : 1;
}
