# kontobot_embed(NAME SYMBOL FILE...) compiles files into the binary as a
# table of {name, bytes}: migrations and the web chat's static assets ship
# inside the executable, so a deployment is one file plus its config.
function(kontobot_embed name symbol)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${name}.cc")
  # "," instead of ";": a ";" in a custom command separates shell commands.
  string(REPLACE ";" "," files "${ARGN}")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DSYMBOL=${symbol} "-DFILES=${files}"
            -P "${PROJECT_SOURCE_DIR}/cmake/EmbedRun.cmake"
    DEPENDS ${ARGN} "${PROJECT_SOURCE_DIR}/cmake/EmbedRun.cmake"
    COMMENT "Embedding ${name}"
    VERBATIM)
  # Each table's arrays are named k0, k1, ... in an anonymous namespace:
  # two tables in one unity batch (scripts/test.sh builds with
  # CMAKE_UNITY_BUILD) would define them twice, so the generated file is
  # always compiled on its own.
  set_source_files_properties("${out}" PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  set(${name}_SOURCE "${out}" PARENT_SCOPE)
endfunction()
