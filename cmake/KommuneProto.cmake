# kommune_proto_library(NAME PROTOS a.proto b.proto [IMPORT_DIRS dir...] [DEPS lib...])
# Generates C++ messages and gRPC stubs for PROTOS (paths relative to the
# first import dir) and wraps them in a static library NAME.
set(KOMMUNE_PROTO_GEN_DIR "${CMAKE_BINARY_DIR}/gen")
file(MAKE_DIRECTORY "${KOMMUNE_PROTO_GEN_DIR}")

function(kommune_proto_library NAME)
  cmake_parse_arguments(ARG "" "" "PROTOS;IMPORT_DIRS;DEPS" ${ARGN})
  list(GET ARG_IMPORT_DIRS 0 root)
  set(include_flags)
  foreach(dir ${ARG_IMPORT_DIRS})
    list(APPEND include_flags "-I${dir}")
  endforeach()
  list(APPEND include_flags "-I${Protobuf_INCLUDE_DIRS}")
  set(srcs)
  foreach(proto ${ARG_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" base "${proto}")
    set(out
        "${KOMMUNE_PROTO_GEN_DIR}/${base}.pb.cc"
        "${KOMMUNE_PROTO_GEN_DIR}/${base}.pb.h"
        "${KOMMUNE_PROTO_GEN_DIR}/${base}.grpc.pb.cc"
        "${KOMMUNE_PROTO_GEN_DIR}/${base}.grpc.pb.h")
    add_custom_command(
      OUTPUT ${out}
      COMMAND protobuf::protoc ARGS
              --cpp_out=${KOMMUNE_PROTO_GEN_DIR}
              --grpc_out=${KOMMUNE_PROTO_GEN_DIR}
              --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>
              ${include_flags} "${root}/${proto}"
      DEPENDS "${root}/${proto}" protobuf::protoc gRPC::grpc_cpp_plugin
      COMMENT "protoc ${proto}"
      VERBATIM)
    list(APPEND srcs ${out})
  endforeach()
  add_library(${NAME} STATIC ${srcs})
  target_include_directories(${NAME} PUBLIC "${KOMMUNE_PROTO_GEN_DIR}")
  target_link_libraries(${NAME} PUBLIC protobuf::libprotobuf gRPC::grpc++
                                       ${ARG_DEPS})
endfunction()
