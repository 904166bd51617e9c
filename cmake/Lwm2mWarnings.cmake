# SPDX-License-Identifier: Apache-2.0
# lwm2m_set_warnings(target): the project's warning set, errors when LWM2M_WERROR is on.
function(lwm2m_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion)
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
