# Installs the already-built project into WORK_DIR/prefix and builds tests/package/consumer
# against it with find_package(lwm2m); fails if either step fails.
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install failed")
endif()
# Only the headers an application needs are installed: the generated configuration, not
# the content formats' private headers.
if(NOT EXISTS ${WORK_DIR}/prefix/include/lwm2m/build_config.hpp)
  message(FATAL_ERROR "lwm2m/build_config.hpp is not installed")
endif()
foreach(private codec/tlv.hpp codec/senml.hpp codec/decoder.hpp codec/link_format.hpp)
  if(EXISTS ${WORK_DIR}/prefix/include/lwm2m/${private})
    message(FATAL_ERROR "private header lwm2m/${private} is installed")
  endif()
endforeach()
# A sanitized library needs the sanitizer runtime in the consumer's link as well.
set(extra "")
if(SANITIZE)
  set(extra "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${SANITIZE}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/package/consumer
  -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_C_COMPILER=${CC}
  ${extra}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the consumer failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the consumer failed")
endif()
execute_process(COMMAND ${WORK_DIR}/build/consumer RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the consumer failed")
endif()
execute_process(COMMAND ${WORK_DIR}/build/consumer_c RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the C consumer failed")
endif()
