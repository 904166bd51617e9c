# SPDX-License-Identifier: Apache-2.0
# Sizes of the library's fixed storage. They change the layout of public structs (the
# Security and Server objects' fields, the credential store's bounds), so they are chosen
# when the library is built and written into lwm2m/build_config.hpp, which is installed
# with it: an application compiled against the installed headers gets the same values, and
# one that defines a macro with another value does not compile.
set(LWM2M_BUILD_CONFIG_BODY "")

# lwm2m_size_option(NAME DEFAULT DOC): a cache option and its macro in build_config.hpp.
macro(lwm2m_size_option name default doc)
  set(${name} ${default} CACHE STRING "${doc}")
  if(NOT ${name} MATCHES "^[0-9]+$")
    message(FATAL_ERROR "${name} must be a number of bytes, not '${${name}}'")
  endif()
  string(APPEND LWM2M_BUILD_CONFIG_BODY
    "/// ${doc}\n"
    "#if defined(${name}) && ${name} != ${${name}}\n"
    "#error \"${name} is fixed when the library is built (CMake option ${name}=${${name}})\"\n"
    "#endif\n"
    "#undef ${name}\n"
    "#define ${name} ${${name}}\n\n")
endmacro()

lwm2m_size_option(LWM2M_SECURITY_URI_MAX 128
  "Longest server URI in the Security object (/0/x/0), bytes.")
lwm2m_size_option(LWM2M_SECURITY_IDENTITY_MAX 64
  "PSK identity, or our certificate or raw public key in the Security object (/0/x/3), bytes.")
lwm2m_size_option(LWM2M_SECURITY_SERVER_KEY_MAX 64
  "The server's certificate or public key (/0/x/4), bytes; 0 in PSK-only builds.")
lwm2m_size_option(LWM2M_SECURITY_SECRET_MAX 64
  "PSK key or our private key (/0/x/5), bytes.")
lwm2m_size_option(LWM2M_SERVER_BINDING_MAX 8
  "Binding string of the Server object (/1/x/7), e.g. UQ, bytes.")
lwm2m_size_option(LWM2M_CREDENTIAL_PSK_IDENTITY_MAX 128
  "Longest PSK identity the credential store takes, bytes.")
lwm2m_size_option(LWM2M_CREDENTIAL_PSK_KEY_MAX 64
  "Longest PSK key the credential store takes, bytes.")
lwm2m_size_option(LWM2M_CREDENTIAL_DER_MAX 2048
  "Longest DER blob (key, certificate, server key) the credential store takes, bytes.")

set(LWM2M_BUILD_CONFIG_DIR ${PROJECT_BINARY_DIR}/include)
configure_file(${CMAKE_CURRENT_LIST_DIR}/build_config.hpp.in
  ${LWM2M_BUILD_CONFIG_DIR}/lwm2m/build_config.hpp @ONLY)
