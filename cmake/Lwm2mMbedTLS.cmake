# SPDX-License-Identifier: Apache-2.0
# Finds the mbedTLS that lwm2m::dtls is built on, the first of:
#  1. LWM2M_MBEDTLS_SOURCE: an mbedTLS source release, as its archive (.tar.xz, .tar.gz,
#     .tgz, .zip) or an extracted directory, built here with the project (its programs and
#     tests off). Nothing is ever downloaded. Its libraries and headers are installed with
#     the project, and the installed lwm2m package finds them again (find_dependency).
#  2. An installed mbedTLS 3.x: find_package(MbedTLS 3) (point CMAKE_PREFIX_PATH at it).
#  3. Debian's libmbedtls-dev (2.28): headers and libraries in the system paths.
# Sets LWM2M_MBEDTLS_FOUND, LWM2M_MBEDTLS_LIBRARIES (what to link), LWM2M_MBEDTLS_VERSION
# and LWM2M_MBEDTLS_PACKAGE (ON when the installed package needs find_dependency(MbedTLS)).
set(LWM2M_MBEDTLS_SOURCE "" CACHE FILEPATH
    "mbedTLS source archive or directory to build lwm2m::dtls on (e.g. mbedtls-3.6.6.tar.xz)")
set(LWM2M_MBEDTLS_FOUND OFF)
set(LWM2M_MBEDTLS_PACKAGE OFF)
set(LWM2M_MBEDTLS_VERSION "")

# The version macro of the headers in `include_dir` (3.x: build_info.h, 2.x: version.h).
function(lwm2m_mbedtls_header_version include_dir out)
  foreach(header build_info.h version.h)
    if(EXISTS ${include_dir}/mbedtls/${header})
      file(STRINGS ${include_dir}/mbedtls/${header} line
           REGEX "^#define MBEDTLS_VERSION_STRING +\"[0-9.]+\"")
      if(line)
        string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" version "${line}")
        set(${out} ${version} PARENT_SCOPE)
        return()
      endif()
    endif()
  endforeach()
  set(${out} "" PARENT_SCOPE)
endfunction()

# Extracts an archive once per content (a stamp holds its hash) and returns the directory
# holding mbedTLS's top-level CMakeLists.txt.
function(lwm2m_mbedtls_tree source out)
  if(IS_DIRECTORY ${source})
    set(root ${source})
  elseif(EXISTS ${source})
    file(SHA256 ${source} hash)
    set(dest ${CMAKE_BINARY_DIR}/_deps/mbedtls-src)
    set(stamp ${dest}/.lwm2m-extracted)
    set(have "")
    if(EXISTS ${stamp})
      file(READ ${stamp} have)
    endif()
    if(NOT have STREQUAL hash)
      message(STATUS "mbedTLS: extracting ${source}")
      file(REMOVE_RECURSE ${dest})
      file(ARCHIVE_EXTRACT INPUT ${source} DESTINATION ${dest})
      file(WRITE ${stamp} ${hash})
    endif()
    file(GLOB candidates LIST_DIRECTORIES true ${dest}/*)
    set(root "")
    foreach(c ${dest} ${candidates})
      if(EXISTS ${c}/CMakeLists.txt AND EXISTS ${c}/include/mbedtls/ssl.h)
        set(root ${c})
        break()
      endif()
    endforeach()
  else()
    message(FATAL_ERROR "LWM2M_MBEDTLS_SOURCE=${source} does not exist: give an mbedTLS source "
                        "archive (e.g. mbedtls-3.6.6.tar.xz) or its extracted directory")
  endif()
  if(NOT root OR NOT EXISTS ${root}/include/mbedtls/ssl.h)
    message(FATAL_ERROR "LWM2M_MBEDTLS_SOURCE=${source} holds no mbedTLS source tree "
                        "(no CMakeLists.txt next to include/mbedtls/ssl.h)")
  endif()
  set(${out} ${root} PARENT_SCOPE)
endfunction()

if(LWM2M_MBEDTLS_SOURCE)
  lwm2m_mbedtls_tree(${LWM2M_MBEDTLS_SOURCE} mbedtls_root)
  lwm2m_mbedtls_header_version(${mbedtls_root}/include LWM2M_MBEDTLS_VERSION)
  # mbedTLS's own switches, as cache entries so its option() calls keep them.
  set(ENABLE_PROGRAMS OFF CACHE BOOL "mbedTLS programs (off: lwm2m builds the libraries only)")
  set(ENABLE_TESTING OFF CACHE BOOL "mbedTLS tests (off: lwm2m builds the libraries only)")
  set(MBEDTLS_FATAL_WARNINGS OFF CACHE BOOL "mbedTLS warnings are not lwm2m's errors")
  set(USE_SHARED_MBEDTLS_LIBRARY OFF CACHE BOOL "static mbedTLS only")
  set(USE_STATIC_MBEDTLS_LIBRARY ON CACHE BOOL "static mbedTLS only")
  set(GEN_FILES OFF CACHE BOOL "a release archive carries its generated files")
  # Installed with the project so the lwm2m package can find it again.
  set(DISABLE_PACKAGE_CONFIG_AND_INSTALL OFF CACHE BOOL "install mbedTLS with lwm2m")
  # Not EXCLUDE_FROM_ALL: that would drop its install rules too.
  add_subdirectory(${mbedtls_root} ${CMAKE_BINARY_DIR}/_deps/mbedtls-build)
  set(LWM2M_MBEDTLS_LIBRARIES MbedTLS::mbedtls MbedTLS::mbedx509 MbedTLS::mbedcrypto)
  set(LWM2M_MBEDTLS_FOUND ON)
  set(LWM2M_MBEDTLS_PACKAGE ON)
  message(STATUS "mbedTLS ${LWM2M_MBEDTLS_VERSION}: built from ${LWM2M_MBEDTLS_SOURCE}")
else()
  find_package(MbedTLS 3 QUIET CONFIG)
  if(MbedTLS_FOUND)
    set(LWM2M_MBEDTLS_LIBRARIES MbedTLS::mbedtls MbedTLS::mbedx509 MbedTLS::mbedcrypto)
    set(LWM2M_MBEDTLS_VERSION ${MbedTLS_VERSION})
    set(LWM2M_MBEDTLS_FOUND ON)
    set(LWM2M_MBEDTLS_PACKAGE ON)
    message(STATUS "mbedTLS ${MbedTLS_VERSION}: installed package at ${MbedTLS_DIR}")
  else()
    find_path(LWM2M_MBEDTLS_INCLUDE_DIR mbedtls/ssl.h)
    find_library(LWM2M_MBEDTLS_LIBRARY mbedtls)
    if(LWM2M_MBEDTLS_INCLUDE_DIR AND LWM2M_MBEDTLS_LIBRARY)
      lwm2m_mbedtls_header_version(${LWM2M_MBEDTLS_INCLUDE_DIR} LWM2M_MBEDTLS_VERSION)
      # Plain library names, so the exported package links them from the system paths.
      set(LWM2M_MBEDTLS_LIBRARIES mbedtls mbedx509 mbedcrypto)
      set(LWM2M_MBEDTLS_FOUND ON)
      if(LWM2M_MBEDTLS_VERSION VERSION_LESS 3)
        message(STATUS "mbedTLS ${LWM2M_MBEDTLS_VERSION} (system): DTLS without Connection ID "
                       "(RFC 9146); -DLWM2M_MBEDTLS_SOURCE=<mbedtls-3.6 archive> adds it")
      else()
        message(STATUS "mbedTLS ${LWM2M_MBEDTLS_VERSION} (system)")
      endif()
    endif()
  endif()
endif()
