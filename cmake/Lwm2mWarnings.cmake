# SPDX-License-Identifier: Apache-2.0
# lwm2m_set_warnings(target): the project's warning set, errors when LWM2M_WERROR is on.
function(lwm2m_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion)
  # GCC 12 at -O3 reports copies and compares of many exabytes inside libstdc++: overlaps
  # in std::string ("lit" + str: GCC bugs 105329 and 105651) and a memcmp bound past the
  # largest object in std::vector's <=>. False positives that stopped a Release build of
  # the tests and tools with LWM2M_WERROR.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wno-restrict -Wno-stringop-overread>)
  endif()
  if(LWM2M_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# lwm2m_embedded_flags(target): the core is built as it would be for a microcontroller.
function(lwm2m_embedded_flags target)
  if(LWM2M_CORE_NO_EXCEPTIONS)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti>)
  endif()
endfunction()
