# Fails when a file in bot/ includes an I/O or platform header: the domain
# library is pure logic (see STYLE.md), so handlers and store depend on it
# and never the reverse.
file(GLOB_RECURSE files ${DIR}/*.h ${DIR}/*.cc)
set(bad "")
foreach(f ${files})
  file(STRINGS ${f} lines REGEX "^#include")
  foreach(l ${lines})
    if(l MATCHES "(fstream|iostream|cstdio|filesystem|thread|mutex|sqlite|SQLiteCpp|cpprest|spdlog|yaml|boost|store/|handlers/|config/)")
      list(APPEND bad "${f}: ${l}")
    endif()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "I/O includes in bot/:\n${bad}")
endif()
