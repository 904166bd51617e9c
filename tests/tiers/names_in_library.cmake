# SPDX-License-Identifier: Apache-2.0
# cmake -DLIBRARY=FILE -DEXPECT=present|absent -DNAMES="a;b" -P names_in_library.cmake
# Fails unless each text of NAMES is among the printable strings of LIBRARY (present) or
# none of them is (absent), as `strings` would show them.
foreach(name IN LISTS NAMES)
  file(STRINGS "${LIBRARY}" found REGEX "${name}")
  if(EXPECT STREQUAL "absent" AND found)
    message(FATAL_ERROR "'${name}' is in ${LIBRARY}, built without names (LWM2M_WITH_NAMES=OFF)")
  elseif(EXPECT STREQUAL "present" AND NOT found)
    message(FATAL_ERROR "'${name}' is not in ${LIBRARY}, built with names (LWM2M_WITH_NAMES=ON)")
  endif()
endforeach()
message(STATUS "${EXPECT} in ${LIBRARY}: ${NAMES}")
