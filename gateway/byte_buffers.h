#ifndef KOMMUNE_GATEWAY_BYTE_BUFFERS_H_
#define KOMMUNE_GATEWAY_BYTE_BUFFERS_H_

#include <grpcpp/support/byte_buffer.h>

#include <string>

namespace kommune::gateway {

// The bytes of a message as one string (the buffer may hold many slices).
std::string Flatten(const grpc::ByteBuffer& buffer);

// A buffer holding `bytes`, which it takes over.
grpc::ByteBuffer ToByteBuffer(std::string bytes);

}  // namespace kommune::gateway

#endif  // KOMMUNE_GATEWAY_BYTE_BUFFERS_H_
