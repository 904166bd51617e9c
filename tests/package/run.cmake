# SPDX-License-Identifier: Apache-2.0
# Installs the already-built project into WORK_DIR/prefix and builds the user projects in
# tests/package against that tree only: a C++ CMake project (consumer/), a C-only CMake
# project (c_only/) and a Makefile using the pkg-config files (makefile/). Each program is
# run. Fails at the first step that fails, naming it.
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
file(GLOB pc_files ${WORK_DIR}/prefix/*/pkgconfig/lwm2m.pc ${WORK_DIR}/prefix/*/*/pkgconfig/lwm2m.pc)
if(NOT pc_files)
  message(FATAL_ERROR "lwm2m.pc is not installed")
endif()
list(GET pc_files 0 pc_file)
get_filename_component(pc_dir ${pc_file} DIRECTORY)
if(NOT EXISTS ${pc_dir}/lwm2m-client.pc)
  message(FATAL_ERROR "lwm2m-client.pc is not installed")
endif()

# A sanitized library needs the sanitizer runtime in the consumer's link as well.
set(ldflags "")
if(SANITIZE)
  set(ldflags "-fsanitize=${SANITIZE}")
endif()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (exit ${rc})")
  endif()
endfunction()

# PROJECT: a folder of tests/package, configured and built against the installed tree.
function(cmake_consumer project)
  set(dir ${WORK_DIR}/${project})
  run("configuring the ${project} consumer" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/package/${project}
    -B ${dir} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_C_COMPILER=${CC} "-DCMAKE_EXE_LINKER_FLAGS=${ldflags}")
  run("building the ${project} consumer" ${CMAKE_COMMAND} --build ${dir})
endfunction()

cmake_consumer(consumer)
run("the C++ consumer" ${WORK_DIR}/consumer/consumer)
if(EXISTS ${WORK_DIR}/consumer/consumer_dtls)
  run("the C++ DTLS consumer" ${WORK_DIR}/consumer/consumer_dtls)
elseif(EXISTS ${WORK_DIR}/prefix/lib/liblwm2m_dtls.a)
  message(FATAL_ERROR "lwm2m::dtls is installed but the consumer did not build against it")
endif()
cmake_consumer(c_only)
run("the C-only consumer" ${WORK_DIR}/c_only/consumer_c)

set(ENV{PKG_CONFIG_PATH} ${pc_dir})
file(MAKE_DIRECTORY ${WORK_DIR}/makefile)
run("the Makefile consumer (pkg-config)" make -C ${WORK_DIR}/makefile
  -f ${SOURCE_DIR}/tests/package/makefile/Makefile SRC=${SOURCE_DIR}/tests/package
  CC=${CC} CXX=${CXX} LDFLAGS=${ldflags})
run("the Makefile C consumer" ${WORK_DIR}/makefile/consumer_c)
run("the Makefile C++ consumer" ${WORK_DIR}/makefile/consumer_cpp)
