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
lwm2m_size_option(LWM2M_SERVER_ROLLBACK_MAX 0
  "Server object instances (/1/x) one request may change, each copied for rollback (76 bytes on a 32-bit target); a request changing more is refused with 5.00 and rolled back. 0: one more than the management servers the build serves, 4 at most. A device with one Server slot needs 1.")
lwm2m_size_option(LWM2M_COAP_MAX_OPTIONS 24
  "Options one CoAP message holds, parsed or built (8 bytes each on a 32-bit target, and a request being answered is such a message on the stack; its response holds coap::kResponseOptions, 8); a datagram with more is malformed. 16 is enough for every LwM2M request: a Write-Attributes of a resource instance with all ten attributes has 14.")
if(LWM2M_COAP_MAX_OPTIONS LESS 8 OR LWM2M_COAP_MAX_OPTIONS GREATER 255)
  message(FATAL_ERROR "LWM2M_COAP_MAX_OPTIONS must be 8 to 255, not '${LWM2M_COAP_MAX_OPTIONS}'")
endif()
lwm2m_size_option(LWM2M_CREDENTIAL_PSK_IDENTITY_MAX 128
  "Longest PSK identity the credential store takes, bytes.")
lwm2m_size_option(LWM2M_CREDENTIAL_PSK_KEY_MAX 64
  "Longest PSK key the credential store takes, bytes.")
lwm2m_size_option(LWM2M_CREDENTIAL_DER_MAX 2048
  "Longest DER blob (key, certificate, server key) the credential store takes, bytes.")

# ---- Features: what the library serves, and so what code it carries ----------------------
# LWM2M_TIER presets them (documented in README.md, "Feature tiers"):
#   minimal  UDP, registration, Read/Write/Execute/Create/Delete, Discover, TLV, plain text,
#            opaque and link format, one server; no bootstrap, observe, block-wise transfers
#   common   minimal + bootstrap, observe with attributes, block-wise, CBOR and SenML CBOR,
#            Send, queue mode
#   full     everything: composite operations, every content format, several servers with
#            access control, firmware update (the default: nothing left out)
# Each LWM2M_WITH_* option is ON, OFF, or empty to follow the tier. A feature left out
# answers as the LwM2M and CoAP specifications say (4.05, 4.06, 4.15 or 4.02), never
# crashes, and its code is not linked.
set(LWM2M_TIER full CACHE STRING "Feature preset: minimal, common or full")
set_property(CACHE LWM2M_TIER PROPERTY STRINGS minimal common full)
if(NOT LWM2M_TIER MATCHES "^(minimal|common|full)$")
  message(FATAL_ERROR "LWM2M_TIER must be minimal, common or full, not '${LWM2M_TIER}'")
endif()

# Feature table: NAME, the lowest tier that has it, documentation (no semicolons).
set(LWM2M_FEATURES
  "BOOTSTRAP|common|Bootstrap Server support (Bootstrap-Request, -Write, -Discover, -Finish)"
  "OBSERVE|common|Observe, Write-Attributes and notification attributes"
  "BLOCKWISE|common|Block-wise transfers (RFC 7959) of requests and responses larger than a message"
  "CBOR|common|Single-value CBOR content format (60)"
  "SENML_CBOR|common|SenML CBOR content format (112)"
  "SEND|common|The Send operation (information reporting without a request)"
  "QUEUE_MODE|common|Queue mode (the device sleeps between Updates, notifications wait)"
  "SENML_JSON|full|SenML JSON content format (110)"
  "LWM2M_JSON|full|LwM2M 1.0 JSON content format (11543)"
  "LWM2M_CBOR|full|LwM2M CBOR content format (11544)"
  "COMPOSITE|full|Read-, Write- and Observe-Composite"
  "ACCESS_CONTROL|full|Access Control (object 2) between several servers"
  "FIRMWARE_UPDATE|full|Firmware Update transfers: a Package written to the object block by block, a Package URI pulled")

# lwm2m_tier_has(TIER LOWEST OUT): whether TIER includes a feature that starts at LOWEST.
function(lwm2m_tier_has tier lowest out)
  set(rank_minimal 0)
  set(rank_common 1)
  set(rank_full 2)
  if(${rank_${tier}} GREATER_EQUAL ${rank_${lowest}})
    set(${out} 1 PARENT_SCOPE)
  else()
    set(${out} 0 PARENT_SCOPE)
  endif()
endfunction()

# lwm2m_feature_body(TIER OUT [OVERRIDES]): the build_config.hpp text of the features of
# TIER; with OVERRIDES, the LWM2M_WITH_* cache options override the tier.
function(lwm2m_feature_body tier out)
  set(body "")
  foreach(entry IN LISTS LWM2M_FEATURES)
    string(REPLACE "|" ";" parts "${entry}")
    list(GET parts 0 name)
    list(GET parts 1 lowest)
    list(GET parts 2 doc)
    lwm2m_tier_has(${tier} ${lowest} value)
    if(ARGN AND NOT "${LWM2M_WITH_${name}}" STREQUAL "")
      if(LWM2M_WITH_${name})
        set(value 1)
      else()
        set(value 0)
      endif()
    endif()
    string(APPEND body
      "/// ${doc}: 1 served, 0 left out.\n"
      "#if defined(LWM2M_WITH_${name}) && LWM2M_WITH_${name} != ${value}\n"
      "#error \"LWM2M_WITH_${name} is fixed when the library is built (CMake option LWM2M_WITH_${name})\"\n"
      "#endif\n"
      "#undef LWM2M_WITH_${name}\n"
      "#define LWM2M_WITH_${name} ${value}\n\n")
  endforeach()
  set(${out} "${body}" PARENT_SCOPE)
endfunction()

foreach(entry IN LISTS LWM2M_FEATURES)
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 name)
  list(GET parts 2 doc)
  set(LWM2M_WITH_${name} "" CACHE STRING "${doc}: ON, OFF, or empty to follow LWM2M_TIER")
endforeach()

# Most servers the client keeps an account for (ClientConfig::max_servers is capped to it).
if(LWM2M_TIER STREQUAL "full")
  set(LWM2M_MAX_SERVERS_DEFAULT 255)
else()
  set(LWM2M_MAX_SERVERS_DEFAULT 1)
endif()
set(LWM2M_MAX_SERVERS "" CACHE STRING
  "Most management servers a client serves (1-255); empty: from LWM2M_TIER (1, full: 255)")
set(LWM2M_MAX_SERVERS_VALUE "${LWM2M_MAX_SERVERS}")
if("${LWM2M_MAX_SERVERS_VALUE}" STREQUAL "")
  set(LWM2M_MAX_SERVERS_VALUE ${LWM2M_MAX_SERVERS_DEFAULT})
endif()
if(NOT LWM2M_MAX_SERVERS_VALUE MATCHES "^[0-9]+$" OR LWM2M_MAX_SERVERS_VALUE EQUAL 0
   OR LWM2M_MAX_SERVERS_VALUE GREATER 255)
  message(FATAL_ERROR "LWM2M_MAX_SERVERS must be 1 to 255, not '${LWM2M_MAX_SERVERS}'")
endif()

# Object and resource names, units and range texts of object definitions (lwm2m/dm/name.hpp):
# logs and tools show them, serving requests never needs them. Left out by default when
# cross-compiling (firmware), where they take flash and each ResourceDef row 8 bytes more.
if(CMAKE_CROSSCOMPILING)
  set(LWM2M_WITH_NAMES_DEFAULT OFF)
else()
  set(LWM2M_WITH_NAMES_DEFAULT ON)
endif()
option(LWM2M_WITH_NAMES
  "Names, units and range texts of object definitions (default OFF when cross-compiling)"
  ${LWM2M_WITH_NAMES_DEFAULT})

# lwm2m_write_build_config(DIR TIER [OVERRIDES] [NAMES ON|OFF]): writes
# DIR/lwm2m/build_config.hpp with the sizes above and the features of TIER (the tests build a
# minimal-tier library this way). OVERRIDES applies the LWM2M_WITH_* and LWM2M_MAX_SERVERS
# cache options; NAMES defaults to LWM2M_WITH_NAMES.
function(lwm2m_write_build_config dir tier)
  cmake_parse_arguments(PARSE_ARGV 2 arg "OVERRIDES" "NAMES" "")
  if(arg_OVERRIDES)
    lwm2m_feature_body(${tier} features OVERRIDES)
  else()
    lwm2m_feature_body(${tier} features)
  endif()
  if(NOT DEFINED arg_NAMES)
    set(arg_NAMES ${LWM2M_WITH_NAMES})
  endif()
  if(arg_NAMES)
    set(names 1)
  else()
    set(names 0)
  endif()
  string(APPEND features
    "/// Names, units and range texts of object definitions (lwm2m/dm/name.hpp): 1 kept, 0 left out.\n"
    "#if defined(LWM2M_WITH_NAMES) && LWM2M_WITH_NAMES != ${names}\n"
    "#error \"LWM2M_WITH_NAMES is fixed when the library is built (CMake option LWM2M_WITH_NAMES)\"\n"
    "#endif\n"
    "#undef LWM2M_WITH_NAMES\n"
    "#define LWM2M_WITH_NAMES ${names}\n\n")
  if(arg_OVERRIDES)
    set(servers ${LWM2M_MAX_SERVERS_VALUE})
  else()
    lwm2m_tier_has(${tier} full several)
    if(several)
      set(servers 255)
    else()
      set(servers 1)
    endif()
  endif()
  set(LWM2M_BUILD_CONFIG_BODY "${LWM2M_BUILD_CONFIG_BODY}${features}")
  string(APPEND LWM2M_BUILD_CONFIG_BODY
    "/// Most management servers a client serves (ClientConfig::max_servers is capped to it).\n"
    "#if defined(LWM2M_MAX_SERVERS) && LWM2M_MAX_SERVERS != ${servers}\n"
    "#error \"LWM2M_MAX_SERVERS is fixed when the library is built (CMake option LWM2M_MAX_SERVERS)\"\n"
    "#endif\n"
    "#undef LWM2M_MAX_SERVERS\n"
    "#define LWM2M_MAX_SERVERS ${servers}\n")
  configure_file(${PROJECT_SOURCE_DIR}/cmake/build_config.hpp.in ${dir}/lwm2m/build_config.hpp @ONLY)
endfunction()

set(LWM2M_BUILD_CONFIG_DIR ${PROJECT_BINARY_DIR}/include)
lwm2m_write_build_config(${LWM2M_BUILD_CONFIG_DIR} ${LWM2M_TIER} OVERRIDES)
