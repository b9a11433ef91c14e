# kommune_embed_files(TARGET [BINARY] NAMESPACE ns FUNCTION fn FILES f1 f2 ...)
# Compiles the files into TARGET as
#   std::vector<kommune::EmbeddedFile> ns::fn();
# sorted by file name, so that data (SQL migrations, reference tables) ship
# inside the binary and cannot drift from it.
set(KOMMUNE_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/embed_files.cmake")

function(kommune_embed_files TARGET)
  cmake_parse_arguments(ARG "BINARY" "NAMESPACE;FUNCTION" "FILES" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${TARGET}_${ARG_FUNCTION}_embedded.cc")
  set(abs_files)
  foreach(f ${ARG_FILES})
    get_filename_component(abs "${f}" ABSOLUTE)
    list(APPEND abs_files "${abs}")
  endforeach()
  list(SORT abs_files)
  string(REPLACE ";" "|" files_arg "${abs_files}")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${ARG_NAMESPACE}
            -DFUNCTION=${ARG_FUNCTION} "-DFILES=${files_arg}"
            -DBINARY=${ARG_BINARY}
            -P "${KOMMUNE_EMBED_SCRIPT}"
    DEPENDS ${abs_files} "${KOMMUNE_EMBED_SCRIPT}"
    COMMENT "embedding ${ARG_FUNCTION}"
    VERBATIM)
  target_sources(${TARGET} PRIVATE "${out}")
endfunction()
