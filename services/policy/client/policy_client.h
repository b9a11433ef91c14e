#ifndef KOMMUNE_SERVICES_POLICY_CLIENT_POLICY_CLIENT_H_
#define KOMMUNE_SERVICES_POLICY_CLIENT_POLICY_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kommune/common/v1/types.pb.h"
#include "kommune/policy/v1/policy.pb.h"
#include "services/common/identity.h"

namespace kommune {

// The policy service as other services use it: through its public
// contract, on behalf of the caller (whose identity it signs with the
// suite's shared secret, as the gateway does). An interface, so tests can
// stand in a policy service that is down or slow.
class PolicyClient {
 public:
  virtual ~PolicyClient() = default;

  // A policy or one revision of it ("name@3").
  virtual absl::StatusOr<policy::v1::Policy> GetPolicy(
      const Identity& caller, const std::string& name) = 0;
  // draft -> in_hearing. A policy already in hearing is returned as it is.
  virtual absl::StatusOr<policy::v1::Policy> SendToHearing(
      const Identity& caller, const std::string& name) = 0;
  // -> adopted, on `adopt_date`. An already adopted policy is returned as
  // it is, so a retried adoption is harmless.
  virtual absl::StatusOr<policy::v1::Policy> Adopt(
      const Identity& caller, const std::string& name,
      const common::v1::Date& adopt_date) = 0;
};

// A PolicyClient over gRPC. Calls time out after `timeout`; UNAVAILABLE and
// DEADLINE_EXCEEDED come back as they are, for the caller to decide.
std::unique_ptr<PolicyClient> MakeGrpcPolicyClient(
    std::shared_ptr<grpc::Channel> channel, std::string identity_secret,
    absl::Duration timeout = absl::Seconds(10));

}  // namespace kommune

#endif  // KOMMUNE_SERVICES_POLICY_CLIENT_POLICY_CLIENT_H_
