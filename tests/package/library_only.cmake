# SPDX-License-Identifier: Apache-2.0
# A library-only build as a user without the developer dependencies gets it: GoogleTest,
# Google Benchmark and pkg-config (so libcoap) hidden from CMake. Configures,
# checks the one message naming what is left out, builds, installs, and checks that only the
# library (and the examples) were built.
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build
  -DCMAKE_BUILD_TYPE=${BUILD_TYPE} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_C_COMPILER=${CC}
  -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER} -DCMAKE_C_COMPILER_LAUNCHER=${LAUNCHER}
  -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON
  -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring without the developer dependencies failed:\n${out}\n${err}")
endif()
foreach(expected "left out for missing dependencies" "the tests \\(Debian: googletest"
    "the benchmarks \\(Debian: libbenchmark-dev" "the test server .*libcoap3-dev"
    "scripts/install-deps.sh test")
  if(NOT err MATCHES "${expected}")
    message(FATAL_ERROR "the configure message does not say '${expected}':\n${err}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build -j2 RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the library-only build failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --install ${WORK_DIR}/build --prefix ${WORK_DIR}/prefix
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "installing the library-only build failed")
endif()
foreach(absent tests/unit_tests bench/lwm2m_bench tools/testserver)
  if(EXISTS ${WORK_DIR}/build/${absent})
    message(FATAL_ERROR "${absent} was built although its dependencies were hidden")
  endif()
endforeach()
