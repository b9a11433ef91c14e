// The connector's API refuses bad input by field name and changes nothing:
// skipping without a reason, a document number that is empty or too long,
// an unknown state filter, a page token from another list, a delivery of
// another municipality, a malformed case number.
#include "services/esdh/esdh_admin_service.h"

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/migrations.h"
#include "services/common/test_support.h"

namespace kommune::esdh {

std::vector<EmbeddedFile> EsdhMigrationFiles();

namespace {

using ::kommune::testing::Caller;
using ::testing::HasSubstr;

const Identity kIntegration = Caller("190", {Role::kIntegration}, "esdh@190");

class EsdhAdminServiceTest : public ::kommune::testing::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (db_ == nullptr) return;
    ASSERT_TRUE(ApplyMigrations(*db_, "esdh", EsdhMigrationFiles()).ok());
    store_ = std::make_unique<EsdhStore>(db_);
    admin_ = std::make_unique<EsdhAdminServiceImpl>(store_.get(), nullptr,
                                                    [] { return absl::Now(); });
    v1::JournalRecord record;
    record.mutable_esdh_case()->set_case_number("18/12386");
    record.set_idempotency_key("hearing-4-response.submitted");
    record.mutable_origin()->set_resource(
        "municipalities/190/hearings/h/responses/1");
    ASSERT_TRUE(db_->Write([&](Transaction& tx) -> absl::Status {
                     return store_
                         ->Enqueue(tx, "190", record, absl::Now(),
                                   "parked for the test")
                         .status();
                   })
                    .ok());
    name_ = DeliveryName("190", record.idempotency_key());
  }

  // The delivery as stored, to show a refused call changed nothing.
  v1::Delivery Stored() {
    v1::GetDeliveryRequest get;
    get.set_name(name_);
    auto d = admin_->Get(kIntegration, get);
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? *d : v1::Delivery();
  }

  static void ExpectInvalid(const absl::Status& s, const std::string& field) {
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(field));
  }

  std::unique_ptr<EsdhStore> store_;
  std::unique_ptr<EsdhAdminServiceImpl> admin_;
  std::string name_;
};

TEST_P(EsdhAdminServiceTest, SkippingNeedsAReason) {
  v1::SkipDeliveryRequest skip;
  skip.set_name(name_);
  ExpectInvalid(admin_->Skip(kIntegration, skip).status(), "reason");
  EXPECT_EQ(Stored().state(), v1::DELIVERY_STATE_PARKED);
  skip.set_reason("Journaliseret i hånden");
  auto skipped = admin_->Skip(kIntegration, skip);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->state(), v1::DELIVERY_STATE_SKIPPED);
}

TEST_P(EsdhAdminServiceTest, ADocumentNumberIsOneToSixtyFourBytes) {
  v1::ReportDocumentNumberRequest report;
  report.set_name(name_);
  ExpectInvalid(admin_->ReportNumber(kIntegration, report).status(),
                "document_number");
  report.set_document_number(std::string(65, '7'));
  ExpectInvalid(admin_->ReportNumber(kIntegration, report).status(),
                "document_number");
  EXPECT_TRUE(Stored().record().document().document_number().empty());
  report.set_document_number("99657/18");
  auto reported = admin_->ReportNumber(kIntegration, report);
  ASSERT_TRUE(reported.ok()) << reported.status();
  EXPECT_EQ(Stored().record().document().document_number(), "99657/18");
}

TEST_P(EsdhAdminServiceTest, ListingRefusesAnUnknownStateAndAForeignToken) {
  v1::ListDeliveriesRequest list;
  list.set_parent("municipalities/190");
  list.set_state(static_cast<v1::DeliveryState>(42));
  ExpectInvalid(admin_->List(kIntegration, list).status(), "state");
  list.set_state(v1::DELIVERY_STATE_UNSPECIFIED);
  list.set_page_token("not-a-token");
  ExpectInvalid(admin_->List(kIntegration, list).status(), "page_token");
  list.clear_page_token();
  auto all = admin_->List(kIntegration, list);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->deliveries_size(), 1);
}

TEST_P(EsdhAdminServiceTest, AnotherMunicipalitysDeliveriesAreRefused) {
  const Identity outsider = Caller("101", {Role::kIntegration}, "esdh@101");
  v1::RetryDeliveryRequest retry;
  retry.set_name(name_);
  EXPECT_EQ(admin_->Retry(outsider, retry).status().code(),
            absl::StatusCode::kPermissionDenied);
  const Identity viewer = Caller("190", {Role::kViewer}, "viewer@190");
  EXPECT_EQ(admin_->Retry(viewer, retry).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Stored().state(), v1::DELIVERY_STATE_PARKED);
}

TEST_P(EsdhAdminServiceTest, AMalformedCaseNumberIsRefusedByName) {
  v1::LookupEsdhCaseRequest lookup;
  lookup.set_parent("municipalities/190");
  for (const char* bad : {"", "/18", "18 12386", "18/12386;DROP",
                          "1234567890123456789012345678901234567890123456789"
                          "01234567890123456"}) {
    lookup.set_case_number(bad);
    ExpectInvalid(admin_->Lookup(kIntegration, lookup).status(), "case_number");
  }
  lookup.set_case_number("27.00.00-G01-1-24");
  EXPECT_TRUE(admin_->Lookup(kIntegration, lookup).ok());
}

KOMMUNE_INSTANTIATE_ENGINE_TEST(EsdhAdminServiceTest);

}  // namespace
}  // namespace kommune::esdh
