// The ESDH connector under a soak: ten public hearings of municipality 190,
// each in an ESDH case of its own, take 10,000 responses from concurrent
// citizens while the receiver fails at random (503, 500, 502, 429, garbage
// after taking the document, connection resets, one answer slower than the
// webhook's timeout) and the connector is killed with SIGKILL and restarted
// on the same database several times. At the end the receiver holds every
// document exactly once after dedup by Idempotency-Key, each case's
// documents first arrived in the order of their events, and nothing is
// parked or left pending.
//
// The random moments come from a seed printed in the output; set
// KOMMUNE_SOAK_SEED to repeat a run's kill points.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "kommune/common/v1/change_feed.grpc.pb.h"
#include "kommune/esdh/v1/esdh_service.grpc.pb.h"
#include "kommune/esdh/v1/journal.pb.h"
#include "kommune/hearing/v1/hearing_service.grpc.pb.h"
#include "kommune/policy/v1/policy_service.grpc.pb.h"
#include "services/common/grpc_util.h"
#include "services/common/time_zone.h"
#include "services/common/validation.h"
#include "services/esdh/testing/recording_receiver.h"
#include "tests/server_process.h"

namespace kommune::testing {
namespace {

namespace cv1 = ::kommune::common::v1;
namespace ev1 = ::kommune::esdh::v1;
namespace hv1 = ::kommune::hearing::v1;
namespace pv1 = ::kommune::policy::v1;
using esdh::testing::Fault;
using esdh::testing::ReceivedDocument;
using esdh::testing::RecordedRequest;
using esdh::testing::RecordingReceiver;

constexpr char kSecret[] = "esdh-soak-test-secret";
constexpr char kWebhookSecret[] = "webhook-hmac-secret";
constexpr int kHearings = 10;
constexpr int kResponsesPerHearing = 1000;
constexpr int kSubmitters = 4;
constexpr int kKills = 5;
constexpr double kFaultProbability = 0.1;

std::string Bin(const std::string& name) {
  return std::string(KOMMUNE_BIN_DIR) + "/" + name;
}

std::string CaseNumber(int hearing) {
  return absl::StrCat("18/", 1000 + hearing);
}

std::string FaultName(Fault::Kind kind) {
  switch (kind) {
    case Fault::Kind::kNone:
      return "none";
    case Fault::Kind::kStatus:
      return "status";
    case Fault::Kind::kDelay:
      return "delay";
    case Fault::Kind::kGarbage:
      return "garbage";
    case Fault::Kind::kReset:
      return "reset";
  }
  return "?";
}

// The event sequence in an idempotency key "hearing-<sequence>-<type>";
// -1 when the key is not of that form.
int64_t SequenceOf(const std::string& key) {
  std::vector<std::string> parts = absl::StrSplit(key, absl::MaxSplits('-', 2));
  int64_t sequence = -1;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[1], &sequence)) return -1;
  return sequence;
}

class EsdhSoakTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* seed = std::getenv("KOMMUNE_SOAK_SEED");
    seed_ = seed != nullptr
                ? static_cast<unsigned>(std::strtoul(seed, nullptr, 10))
                : static_cast<unsigned>(absl::ToUnixMicros(absl::Now()));
    random_.seed(seed_);
    dir_ = absl::StrCat(::testing::TempDir(), "esdh_soak_", PickFreePort());
    std::string mkdir = "mkdir -p " + dir_;
    ASSERT_EQ(std::system(mkdir.c_str()), 0);
    esdh::testing::RecordingReceiverOptions options;
    options.secret = kWebhookSecret;
    auto receiver = RecordingReceiver::Start(options);
    ASSERT_TRUE(receiver.ok()) << receiver.status();
    receiver_ = *std::move(receiver);
    std::ofstream(dir_ + "/webhook-secret") << kWebhookSecret;
    policy_address_ = Start(policy_, "policy_server", {});
    hearing_address_ = Start(hearing_, "hearing_server",
                             {"--policy_address=" + policy_address_});
    // Attempts enough that random failures never park a delivery, and
    // backoffs short enough that 10,000 documents go through in minutes.
    std::ofstream(dir_ + "/connector.textproto")
        << "feeds { service: \"policy\" address: \"" << policy_address_
        << "\" }\n"
        << "feeds { service: \"hearing\" address: \"" << hearing_address_
        << "\" }\n"
        << "sinks { municipality_code: \"190\" webhook { url: \""
        << receiver_->Url() << "\" secret_file: \"webhook-secret\" "
        << "allowed_urls: \"http://127.0.0.1:" << receiver_->port()
        << "/\" } }\n"
        << "max_attempts: 1000\n"
        << "initial_backoff { nanos: 10000000 }\n"
        << "max_backoff { nanos: 200000000 }\n"
        << "poll_interval { nanos: 50000000 }\n";
    StartConnector();
    hearings_ = hv1::HearingService::NewStub(grpc::CreateChannel(
        hearing_address_, grpc::InsecureChannelCredentials()));
    for (int i = 0; i < kHearings; ++i) {
      ASSERT_NO_FATAL_FAILURE(CreateHearing(i));
    }
  }

  void TearDown() override {
    for (auto* p : {&connector_, &hearing_, &policy_}) {
      if (*p == nullptr) continue;
      (*p)->Signal(SIGTERM);
      (*p)->Wait(absl::Seconds(30));
    }
  }

  std::string Start(std::unique_ptr<ServerProcess>& process,
                    const std::string& binary, std::vector<std::string> extra) {
    std::string address = absl::StrCat("127.0.0.1:", PickFreePort());
    std::vector<std::string> args = {
        "--listen=" + address,
        "--database=sqlite://" + dir_ + "/" + binary + ".db",
        std::string("--identity_secret=") + kSecret};
    args.insert(args.end(), extra.begin(), extra.end());
    process = std::make_unique<ServerProcess>();
    EXPECT_TRUE(process->Start(Bin(binary), args).ok());
    EXPECT_TRUE(process->WaitForLog("\"serving\"", absl::Seconds(30)))
        << process->Log();
    return address;
  }

  void StartConnector() {
    connector_address_ = Start(connector_, "esdh_connector",
                               {"--config=" + dir_ + "/connector.textproto"});
  }

  // SIGKILL, then a new process on the same database. The dead one's log
  // is kept for the report.
  void KillAndRestartConnector() {
    connector_->Signal(SIGKILL);
    connector_->Wait(absl::Seconds(10));
    connector_logs_ += connector_->Log();
    StartConnector();
    ++restarts_;
  }

  std::unique_ptr<grpc::ClientContext> As(std::vector<Role> roles,
                                          const std::string& subject) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    if (!subject.empty()) {
      Identity who;
      who.municipality_codes = {"190"};
      who.roles = std::move(roles);
      who.subject = subject;
      AttachIdentity(*context, who, kSecret);
    }
    return context;
  }

  // A policy and its public hearing, both in case 18/100<i>, opened.
  void CreateHearing(int i) {
    auto policies = pv1::PolicyService::NewStub(grpc::CreateChannel(
        policy_address_, grpc::InsecureChannelCredentials()));
    pv1::CreatePolicyRequest create;
    create.set_parent("municipalities/190");
    create.set_policy_id(absl::StrCat("soak-politik-", i));
    create.mutable_policy()->set_display_name(
        absl::StrCat("Integrationspolitik ", i));
    create.mutable_policy()->mutable_esdh_case()->set_case_number(
        CaseNumber(i));
    pv1::Policy policy;
    grpc::Status s = policies->CreatePolicy(
        As({Role::kEditor}, "editor@190").get(), create, &policy);
    ASSERT_TRUE(s.ok()) << s.error_message();

    absl::CivilDay today = *CopenhagenDay(absl::Now());
    hv1::CreateHearingRequest request;
    request.set_parent("municipalities/190");
    request.set_hearing_id(absl::StrCat("soak-hoering-", i));
    hv1::Hearing* h = request.mutable_hearing();
    h->set_display_name(absl::StrCat("Offentlig høring ", i));
    h->set_policy_revision(
        absl::StrCat(policy.name(), "@", policy.revision_id()));
    h->set_kind(hv1::HEARING_KIND_PUBLIC);
    h->mutable_letter()->set_text("Forslaget er i offentlig høring.");
    h->mutable_esdh_case()->set_case_number(CaseNumber(i));
    *h->mutable_open_date() = FromCivilDay(today);
    *h->mutable_deadline() = FromCivilDay(today + 21);
    hv1::Hearing created;
    s = hearings_->CreateHearing(As({Role::kSecretary}, "sekretær@190").get(),
                                 request, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
    hv1::OpenHearingRequest open;
    open.set_name(created.name());
    s = hearings_->OpenHearing(As({Role::kSecretary}, "sekretær@190").get(),
                               open, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
    hearing_names_.push_back(created.name());
  }

  // Submits response `n` (of hearing n % kHearings) as an anonymous
  // citizen; a failed call is sent again under the same request id, so a
  // response is submitted once however often it is retried.
  bool Respond(int n) {
    hv1::SubmitResponseRequest r;
    r.set_parent(hearing_names_[n % kHearings]);
    r.set_request_id(absl::StrCat("soak-", n));
    r.mutable_response()->set_text(absl::StrCat("Svar nummer ", n));
    r.mutable_response()->mutable_responder()->set_display_name("Borger");
    r.mutable_response()->mutable_responder()->set_anonymous(true);
    r.mutable_response()->mutable_responder()->set_consent(true);
    grpc::Status s;
    for (int attempt = 0; attempt < 20; ++attempt) {
      hv1::Response out;
      s = hearings_->SubmitResponse(As({}, "").get(), r, &out);
      if (s.ok()) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    ADD_FAILURE() << "response " << n << ": " << s.error_message();
    return false;
  }

  // The keys of the documents the hearings' events should make (their
  // letters and responses), with each event's case, from the feed itself.
  std::map<int64_t, std::string> ExpectedDocuments(
      std::map<std::string, int>* responses_by_hearing) {
    auto feed = cv1::ChangeFeedService::NewStub(grpc::CreateChannel(
        hearing_address_, grpc::InsecureChannelCredentials()));
    std::map<std::string, int> hearing_index;
    for (int i = 0; i < kHearings; ++i) hearing_index[hearing_names_[i]] = i;
    std::map<int64_t, std::string> out;
    int64_t after = 0;
    for (;;) {
      cv1::ListEventsRequest request;
      request.set_parent("municipalities/190");
      request.set_after_sequence(after);
      request.set_page_size(1000);
      cv1::ListEventsResponse response;
      grpc::Status s = feed->ListEvents(
          As({Role::kIntegration}, "esdh@190").get(), request, &response);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok() || response.events().empty()) break;
      for (const cv1::Event& e : response.events()) {
        after = e.sequence();
        std::string hearing =
            e.resource().substr(0, e.resource().find("/responses/"));
        auto it = hearing_index.find(hearing);
        if (it == hearing_index.end()) continue;
        if (e.type() == "hearing.opened") {
          out[e.sequence()] = CaseNumber(it->second);
        } else if (e.type() == "response.submitted") {
          out[e.sequence()] = CaseNumber(it->second);
          ++(*responses_by_hearing)[hearing];
        }
      }
    }
    return out;
  }

  std::unique_ptr<ev1::EsdhConnectorService::Stub> Admin() {
    return ev1::EsdhConnectorService::NewStub(grpc::CreateChannel(
        connector_address_, grpc::InsecureChannelCredentials()));
  }

  // Every delivery in `state`, all pages.
  std::vector<ev1::Delivery> Deliveries(ev1::DeliveryState state) {
    std::vector<ev1::Delivery> out;
    ev1::ListDeliveriesRequest r;
    r.set_parent("municipalities/190");
    r.set_state(state);
    r.set_page_size(500);
    auto admin = Admin();
    for (;;) {
      ev1::ListDeliveriesResponse page;
      grpc::Status s = admin->ListDeliveries(
          As({Role::kIntegration}, "esdh@190").get(), r, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      out.insert(out.end(), page.deliveries().begin(), page.deliveries().end());
      if (page.next_page_token().empty()) break;
      r.set_page_token(page.next_page_token());
    }
    return out;
  }

  unsigned seed_ = 0;
  std::mt19937 random_;
  std::string dir_;
  std::unique_ptr<RecordingReceiver> receiver_;
  std::unique_ptr<ServerProcess> policy_, hearing_, connector_;
  std::string policy_address_, hearing_address_, connector_address_;
  std::unique_ptr<hv1::HearingService::Stub> hearings_;
  std::vector<std::string> hearing_names_;
  std::string connector_logs_;
  int restarts_ = 0;
};

TEST_F(EsdhSoakTest, TenThousandDocumentsThroughFaultsAndKillsArriveOnce) {
  absl::Time start = absl::Now();
  std::cout << "seed " << seed_ << " (KOMMUNE_SOAK_SEED repeats the run)\n";

  // The receiver fails at random, a different way every 200 ms.
  absl::Notification calm;
  std::thread chaos([&, seed = seed_] {
    std::mt19937 pick(seed + 1);
    std::vector<Fault> faults = {
        Fault::ServerError(),   Fault::Status(500, "internal error"),
        Fault::Status(502, ""), Fault::TooManyRequests(),
        Fault::Garbage(),       Fault::Garbage("{\"document_number\": 7}"),
        Fault::Reset(),         Fault::Reset()};
    for (unsigned round = 0; !calm.HasBeenNotified(); ++round) {
      receiver_->FailWithProbability(
          kFaultProbability, faults[pick() % faults.size()], seed + round);
      calm.WaitForNotificationWithTimeout(absl::Milliseconds(200));
    }
    receiver_->ClearFaults();
  });

  // Citizens answer from a few threads at once.
  std::atomic<int> submitted{0};
  absl::Mutex submitted_mu;
  absl::Duration submitting;  // until the last response was in
  std::vector<std::thread> submitters;
  for (int t = 0; t < kSubmitters; ++t) {
    submitters.emplace_back([&, t] {
      for (int n = t; n < kHearings * kResponsesPerHearing; n += kSubmitters) {
        if (Respond(n)) submitted.fetch_add(1);
      }
      absl::MutexLock lock(&submitted_mu);
      submitting = std::max(submitting, absl::Now() - start);
    });
  }

  // Kills at random points of the delivery, one per stretch of the
  // receiver's requests (about 11,000 with the failures), each a random
  // moment after its point; one answer comes after the webhook's timeout.
  const int total = kHearings * kResponsesPerHearing + kHearings;
  const int first = 400, last = total - 800;
  const int stretch = (last - first) / kKills;
  for (int k = 0; k < kKills; ++k) {
    int point = first + k * stretch +
                static_cast<int>(random_() % static_cast<unsigned>(stretch));
    if (!receiver_->WaitForRequests(point, absl::Seconds(120))) {
      ADD_FAILURE() << "the receiver got no " << point << " requests";
      break;
    }
    absl::SleepFor(absl::Milliseconds(random_() % 300));
    std::cout << "kill " << k + 1 << " after " << receiver_->Requests().size()
              << " requests, " << submitted.load()
              << " responses submitted, at "
              << absl::FormatDuration(absl::Now() - start) << "\n";
    KillAndRestartConnector();
    if (k == 1) receiver_->FailNext(1, Fault::Delay(absl::Seconds(11)));
  }
  for (std::thread& t : submitters) t.join();
  calm.Notify();
  chaos.join();
  ASSERT_EQ(submitted.load(), kHearings * kResponsesPerHearing);

  // What the feed says should be journalised: every letter and response.
  std::map<std::string, int> responses_by_hearing;
  std::map<int64_t, std::string> expected =
      ExpectedDocuments(&responses_by_hearing);
  for (const std::string& h : hearing_names_) {
    EXPECT_EQ(responses_by_hearing[h], kResponsesPerHearing) << h;
  }
  ASSERT_EQ(expected.size(), static_cast<size_t>(total));

  // Faults stopped: everything arrives.
  absl::Time end = absl::Now() + absl::Seconds(240);
  std::vector<ReceivedDocument> docs;
  while (absl::Now() < end) {
    docs = receiver_->Documents();
    if (docs.size() >= expected.size()) break;
    absl::SleepFor(absl::Milliseconds(500));
  }
  absl::Duration delivering = absl::Now() - start;
  // The last acknowledgement is recorded a moment after the receiver has it.
  std::vector<ev1::Delivery> pending;
  for (absl::Time settle = absl::Now() + absl::Seconds(30);
       absl::Now() < settle; absl::SleepFor(absl::Milliseconds(200))) {
    pending = Deliveries(ev1::DELIVERY_STATE_PENDING);
    if (pending.empty()) break;
  }
  absl::SleepFor(absl::Milliseconds(500));
  docs = receiver_->Documents();
  std::vector<RecordedRequest> requests = receiver_->Requests();

  // The numbers, so a reader sees the redelivery happen.
  int deliveries = 0, duplicated = 0;
  for (const ReceivedDocument& d : docs) {
    deliveries += d.deliveries;
    if (d.deliveries > 1) ++duplicated;
  }
  std::map<std::string, int> by_fault;
  int bad_signatures = 0;
  for (const RecordedRequest& r : requests) {
    ++by_fault[FaultName(r.fault)];
    // Status faults and resets answer before the webhook looks at it.
    bool checked = r.fault == Fault::Kind::kNone ||
                   r.fault == Fault::Kind::kGarbage ||
                   r.fault == Fault::Kind::kDelay;
    if (checked && !(r.signature_valid.has_value() && *r.signature_valid)) {
      ++bad_signatures;
    }
  }
  connector_logs_ += connector_->Log();
  int parked_logs = 0;
  for (absl::string_view line : absl::StrSplit(connector_logs_, '\n')) {
    if (absl::StrContains(line, "a delivery is parked")) ++parked_logs;
  }
  std::cout << "responses submitted: " << submitted.load() << " in "
            << absl::FormatDuration(submitting) << "\n"
            << "documents expected: " << expected.size()
            << ", distinct received: " << docs.size() << " (all by "
            << absl::FormatDuration(delivering) << ")\n"
            << "deliveries the receiver took (with duplicates): " << deliveries
            << ", documents delivered more than once: " << duplicated << "\n"
            << "requests: " << requests.size();
  for (const auto& [kind, n] : by_fault) std::cout << ", " << kind << " " << n;
  // A document answered cleanly twice: its receipt died with a killed
  // connector before it was recorded.
  std::cout << "\nclean receipts given again (lost with a killed connector): "
            << by_fault["none"] - static_cast<int>(docs.size())
            << "\nconnector restarts after SIGKILL: " << restarts_
            << ", parked-delivery log lines: " << parked_logs << "\n"
            << "total time: " << absl::FormatDuration(absl::Now() - start)
            << std::endl;

  // Every expected document exactly once, nothing else.
  std::map<int64_t, std::string> received;  // sequence -> key
  std::vector<std::string> extra, repeated;
  for (const ReceivedDocument& d : docs) {
    int64_t sequence = SequenceOf(d.idempotency_key);
    if (!absl::StartsWith(d.idempotency_key, "hearing-") ||
        expected.count(sequence) == 0) {
      extra.push_back(d.idempotency_key);
    } else if (!received.emplace(sequence, d.idempotency_key).second) {
      repeated.push_back(d.idempotency_key);
    }
  }
  std::vector<int64_t> missing;
  for (const auto& [sequence, case_number] : expected) {
    if (received.count(sequence) == 0) missing.push_back(sequence);
  }
  EXPECT_TRUE(extra.empty())
      << extra.size() << " unexpected, first " << extra.front();
  EXPECT_TRUE(repeated.empty())
      << repeated.size() << " sequences twice, first " << repeated.front();
  EXPECT_TRUE(missing.empty())
      << missing.size() << " missing, first sequence " << missing.front();
  EXPECT_EQ(docs.size(), expected.size());

  // Per case, first arrivals follow the feed; each document is in its case.
  std::map<std::string, int64_t> last_by_case;
  std::map<std::string, int> documents_by_case;
  int out_of_order = 0, wrong_case = 0;
  for (const ReceivedDocument& d : docs) {
    ev1::JournalRecord record;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(d.body, &record, options)
            .ok())
        << d.idempotency_key;
    const std::string& number = record.esdh_case().case_number();
    int64_t sequence = SequenceOf(d.idempotency_key);
    EXPECT_EQ(record.idempotency_key(), d.idempotency_key);
    EXPECT_EQ(record.origin().event_sequence(), sequence);
    auto it = expected.find(sequence);
    if (it != expected.end() && it->second != number && ++wrong_case <= 5) {
      ADD_FAILURE() << d.idempotency_key << " came in case " << number
                    << ", its hearing is in " << it->second;
    }
    auto [last, first_of_case] = last_by_case.emplace(number, sequence);
    if (!first_of_case) {
      if (sequence <= last->second && ++out_of_order <= 5) {
        ADD_FAILURE() << "case " << number << ": " << d.idempotency_key
                      << " arrived after sequence " << last->second;
      }
      last->second = std::max(last->second, sequence);
    }
    ++documents_by_case[number];
  }
  EXPECT_EQ(out_of_order, 0);
  EXPECT_EQ(wrong_case, 0);
  EXPECT_EQ(documents_by_case.size(), static_cast<size_t>(kHearings));
  for (const auto& [number, n] : documents_by_case) {
    EXPECT_EQ(n, kResponsesPerHearing + 1) << number;
  }

  // Nothing parked or waiting; every delivery done, once.
  std::vector<ev1::Delivery> parked = Deliveries(ev1::DELIVERY_STATE_PARKED);
  EXPECT_TRUE(parked.empty())
      << parked.size() << " parked, first " << parked.front().name() << ": "
      << parked.front().last_error();
  EXPECT_TRUE(pending.empty())
      << pending.size() << " pending, first " << pending.front().name()
      << " after " << pending.front().attempts() << " attempts";
  EXPECT_EQ(parked_logs, 0);
  // Each delivery is done on a receipt the receiver really gave: the
  // document number the receiver assigned to that key, never one read from
  // a garbage answer or guessed after a lost one.
  std::map<std::string, std::string> number_by_key;
  for (const ReceivedDocument& d : docs) {
    number_by_key[d.idempotency_key] = d.document_number;
  }
  std::map<std::string, int> clean_answers;
  for (const RecordedRequest& r : requests) {
    auto key = r.Header("idempotency-key");
    if (key && r.fault == Fault::Kind::kNone) ++clean_answers[*key];
  }
  std::vector<ev1::Delivery> delivered =
      Deliveries(ev1::DELIVERY_STATE_DELIVERED);
  EXPECT_EQ(delivered.size(), expected.size());
  int wrong_number = 0, unacknowledged = 0;
  for (const ev1::Delivery& d : delivered) {
    const std::string& key = d.record().idempotency_key();
    if (d.record().document().document_number() != number_by_key[key] &&
        ++wrong_number <= 5) {
      ADD_FAILURE() << key << ": delivered as "
                    << d.record().document().document_number()
                    << ", the receiver numbered it " << number_by_key[key];
    }
    if (clean_answers[key] == 0 && ++unacknowledged <= 5) {
      ADD_FAILURE() << key << ": delivered, yet never answered with a receipt";
    }
  }
  EXPECT_EQ(wrong_number, 0);
  EXPECT_EQ(unacknowledged, 0);

  // The kills and garbage answers made the connector send again, and the
  // receiver's dedup kept one of each.
  EXPECT_EQ(restarts_, kKills);
  EXPECT_GT(deliveries, static_cast<int>(docs.size()));
  EXPECT_EQ(bad_signatures, 0);
}

}  // namespace
}  // namespace kommune::testing
