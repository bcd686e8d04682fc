# kontobot_unity_nolint(DIR) marks the generated unity sources of every
# target under DIR for clang-tidy.
#
# scripts/test.sh builds with CMAKE_UNITY_BUILD=ON: CMake compiles a target's
# sources in batches of eight, each batch one translation unit that
# #includes the .cc files. A batch parses the headers every file includes
# (cpprestsdk, Boost, nlohmann/json, GoogleTest) once instead of eight
# times, and instantiates their templates once; that is most of what a file
# costs, in the compiler and in clang-tidy alike (clang-tidy's checks walk
# the whole syntax tree, third-party headers included, and report only on
# ours: HeaderFilterRegex in .clang-tidy). clang-tidy runs over the batches,
# and every .cc file in them is checked as a header of the batch, with every
# check, the project's files matching HeaderFilterRegex.
#
# The one finding a batch itself gives is bugprone-suspicious-include on
# each of its #include "x.cc" lines, which are CMake's, not ours: this
# puts a NOLINTNEXTLINE for exactly that check before each of them.
#
# A file whose anonymous-namespace names would clash with a neighbour's,
# or that GCC treats differently once included, is compiled on its own:
# SKIP_UNITY_BUILD_INCLUSION, with the reason where it is set.
function(kontobot_unity_nolint dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS targets)
    get_target_property(type ${t} TYPE)
    if(type MATCHES "^(STATIC_LIBRARY|SHARED_LIBRARY|OBJECT_LIBRARY|EXECUTABLE)$")
      set_target_properties(${t} PROPERTIES UNITY_BUILD_CODE_BEFORE_INCLUDE
        "// NOLINTNEXTLINE(bugprone-suspicious-include): CMake's unity batch")
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    kontobot_unity_nolint(${sub})
  endforeach()
endfunction()
