// The ESDH case lookup through the gateway: a policy filed under case
// 18/12386 is found by that number by anyone of its municipality, and by no
// one else.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "kommune/esdh/v1/esdh_service.grpc.pb.h"
#include "kommune/policy/v1/policy_service.grpc.pb.h"
#include "tests/gateway_stack.h"

namespace kommune::testing {
namespace {

namespace ev1 = ::kommune::esdh::v1;
namespace pv1 = ::kommune::policy::v1;

std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

TEST(EsdhGatewayTest, EverythingOfACaseIsFoundThroughTheGateway) {
  GatewayStack stack;
  absl::Status started = stack.Start();
  ASSERT_TRUE(started.ok()) << started;

  std::ifstream in(std::string(KOMMUNE_FIXTURES_DIR) +
                   "/demo/furesoe_integration_2018.json");
  std::stringstream json;
  json << in.rdbuf();
  pv1::ImportPolicyRequest import;
  import.set_parent("municipalities/190");
  import.set_policy_id("integration-2018");
  import.set_format(pv1::DOCUMENT_FORMAT_JSON);
  import.set_document(json.str());
  pv1::ImportPolicyResponse imported;
  auto policies = pv1::PolicyService::NewStub(stack.Channel());
  grpc::Status s = policies->ImportPolicy(
      As(stack.Token({"190"}, {"editor"})).get(), import, &imported);
  ASSERT_TRUE(s.ok()) << s.error_message();

  auto esdh = ev1::EsdhConnectorService::NewStub(stack.Channel());
  ev1::LookupEsdhCaseRequest lookup;
  lookup.set_parent("municipalities/190");
  lookup.set_case_number("18/12386");
  ev1::LookupEsdhCaseResponse found;
  // The connector reads the feed every 100 ms.
  absl::Time end = absl::Now() + absl::Seconds(20);
  do {
    s = esdh->LookupEsdhCase(As(stack.Token({"190"}, {"viewer"})).get(), lookup,
                             &found);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (found.members_size() > 0) break;
    absl::SleepFor(absl::Milliseconds(100));
  } while (absl::Now() < end);
  ASSERT_EQ(found.members_size(), 1);
  EXPECT_EQ(found.members(0).resource_name(),
            "municipalities/190/policies/integration-2018");
  EXPECT_EQ(found.members(0).kind(), "policy");

  // Another municipality's staff are stopped at the gateway.
  s = esdh->LookupEsdhCase(As(stack.Token({"101"}, {"viewer"})).get(), lookup,
                           &found);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Managing deliveries is for the integration role.
  ev1::ListDeliveriesRequest list;
  list.set_parent("municipalities/190");
  ev1::ListDeliveriesResponse deliveries;
  s = esdh->ListDeliveries(As(stack.Token({"190"}, {"viewer"})).get(), list,
                           &deliveries);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = esdh->ListDeliveries(As(stack.Token({"190"}, {"integration"})).get(),
                           list, &deliveries);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

}  // namespace
}  // namespace kommune::testing
