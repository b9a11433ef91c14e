#ifndef KOMMUNE_SERVICES_COMMON_FINGERPRINT_H_
#define KOMMUNE_SERVICES_COMMON_FINGERPRINT_H_

#include <string>

#include "google/protobuf/message.h"

namespace kommune {

// SHA-256 (hex) of the message's deterministic serialization: stable across
// processes and replicas, so a retried request_id can be told apart from a
// different request that reuses the id.
std::string Fingerprint(const google::protobuf::Message& message);

// A weak etag (AIP-154) of a resource: its fingerprint with the etag field
// itself cleared, so that it changes exactly when the resource does.
std::string ComputeEtag(const google::protobuf::Message& message);

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_COMMON_FINGERPRINT_H_
