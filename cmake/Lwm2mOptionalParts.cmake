# SPDX-License-Identifier: Apache-2.0
# The developer parts (tests, benchmarks, host tools) and what they need beyond a compiler.
# Each LWM2M_BUILD_<PART> is ON (build it; a missing dependency is an error), OFF, or AUTO
# (the default in a top-level build: built when its dependencies are found). The library
# itself needs none of them, so `cmake -S . -B build` works with a compiler and CMake alone;
# what AUTO leaves out is said in one message. Afterwards each LWM2M_BUILD_<PART> is a plain
# ON/OFF variable for the rest of the build.

# lwm2m_part(PART DEFAULT DOC): declares the cache entry LWM2M_BUILD_<PART>.
macro(lwm2m_part part default doc)
  set(LWM2M_BUILD_${part} ${default} CACHE STRING "${doc}: ON, OFF or AUTO (when its dependencies are found)")
  set_property(CACHE LWM2M_BUILD_${part} PROPERTY STRINGS ON OFF AUTO)
endmacro()

# lwm2m_resolve_part(PART FOUND WHAT PACKAGES): ON/OFF from the setting and whether the
# dependencies were found; WHAT names the part, PACKAGES the Debian packages it needs.
function(lwm2m_resolve_part part found what packages)
  set(setting "${LWM2M_BUILD_${part}}")
  if(setting STREQUAL "AUTO")
    if(found)
      set(LWM2M_BUILD_${part} ON PARENT_SCOPE)
    else()
      set(LWM2M_BUILD_${part} OFF PARENT_SCOPE)
      set(LWM2M_SKIPPED "${LWM2M_SKIPPED}\n  - ${what} (Debian: ${packages})" PARENT_SCOPE)
    endif()
  elseif(setting)
    if(NOT found)
      message(FATAL_ERROR "LWM2M_BUILD_${part}=${setting}, but ${what} need ${packages}: "
        "install them (scripts/install-deps.sh test) or configure with -DLWM2M_BUILD_${part}=OFF")
    endif()
    set(LWM2M_BUILD_${part} ON PARENT_SCOPE)
  else()
    set(LWM2M_BUILD_${part} OFF PARENT_SCOPE)
  endif()
endfunction()

if(PROJECT_IS_TOP_LEVEL)
  set(LWM2M_DEV_DEFAULT AUTO)
else()
  set(LWM2M_DEV_DEFAULT OFF)  # a user's add_subdirectory gets just the library
endif()
# The libcoap-based test server is a host tool.
if(CMAKE_CROSSCOMPILING)
  set(LWM2M_TOOLS_DEFAULT OFF)
else()
  set(LWM2M_TOOLS_DEFAULT ${LWM2M_DEV_DEFAULT})
endif()
lwm2m_part(TESTS ${LWM2M_DEV_DEFAULT} "Build the test suite (GoogleTest)")
lwm2m_part(BENCH ${LWM2M_DEV_DEFAULT} "Build the benchmarks (Google Benchmark)")
lwm2m_part(TOOLS ${LWM2M_TOOLS_DEFAULT} "Build the LwM2M test server and its CLI (libcoap3-dev)")

set(LWM2M_SKIPPED "")
set(LWM2M_BUILD_TESTS_SETTING "${LWM2M_BUILD_TESTS}")
if(LWM2M_BUILD_TESTS)
  find_package(GTest QUIET)
  set(found OFF)
  if(TARGET GTest::gtest AND TARGET GTest::gmock)
    set(found ON)
  endif()
  lwm2m_resolve_part(TESTS ${found} "the tests" "googletest libgtest-dev libgmock-dev")
endif()
if(LWM2M_BUILD_BENCH)
  find_package(benchmark QUIET)
  lwm2m_resolve_part(BENCH "${benchmark_FOUND}" "the benchmarks" "libbenchmark-dev")
endif()
if(LWM2M_BUILD_TOOLS)
  find_package(PkgConfig QUIET)
  set(found OFF)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(LWM2M_LIBCOAP QUIET libcoap-3-openssl)
    set(found ${LWM2M_LIBCOAP_FOUND})
  endif()
  lwm2m_resolve_part(TOOLS ${found} "the test server and the integration and C facade tests"
    "libcoap3-dev pkg-config")
endif()
# The interop tests run libcoap's example programs; with AUTO tests and without them, only
# those tests are left out.
set(LWM2M_BUILD_INTEROP ${LWM2M_BUILD_TESTS})
if(LWM2M_BUILD_TESTS)
  find_program(LWM2M_COAP_CLIENT NAMES coap-client-notls coap-client)
  find_program(LWM2M_COAP_SERVER NAMES coap-server-notls coap-server)
  if(NOT LWM2M_COAP_CLIENT OR NOT LWM2M_COAP_SERVER)
    set(LWM2M_BUILD_INTEROP OFF)
    if("${LWM2M_BUILD_TESTS_SETTING}" STREQUAL "AUTO")
      string(APPEND LWM2M_SKIPPED "\n  - the interop tests (Debian: libcoap3-bin)")
    else()
      message(FATAL_ERROR "LWM2M_BUILD_TESTS=ON, but the interop tests need libcoap's "
        "coap-client/coap-server: install libcoap3-bin (scripts/install-deps.sh test) or "
        "configure with -DLWM2M_BUILD_TESTS=OFF")
    endif()
  endif()
endif()
if(LWM2M_SKIPPED)
  message(NOTICE "lwm2m: the library is built; left out for missing dependencies:${LWM2M_SKIPPED}\n"
    "  Get them all with `scripts/install-deps.sh test` (Debian, as root), or say which parts "
    "you want with -DLWM2M_BUILD_TESTS|BENCH|TOOLS=ON|OFF (ON makes a missing dependency an error).")
endif()
