// followup_bench: the follow-up service at the scale of every municipality
// following up a large policy. FollowUpManager (no gRPC) on an SQLite file
// in WAL mode, opened as the service opens it, with a fake policy service
// and analyst callers:
//   1. load: BatchRecordMeasurements in batches of one municipality's
//      values, and (into a second, fresh file) ImportMeasurements with one
//      CSV file in the suite's own layout per municipality;
//   2. one policy's report: PreviewFollowUpReport, median and p95;
//   3. RecomputeAll over every municipality, after a change of day and
//      again with nothing changed;
//   4. peak RSS after each phase and the SQLite file sizes.
// Default scale: 98 municipalities x 200 monthly indicators x 120 months
// (2007-01..2016-12) = 2,352,000 values, plus the reference group's values
// of the parity indicators (one in ten): 2,587,200 measurements. Every flag can
// also be set by an environment variable, FOLLOWUP_BENCH_<FLAG IN CAPITALS>.
// Results and the machine they ran on go to docs/performance.md.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "kommune/followup/v1/followup_service.pb.h"
#include "services/common/change_feed_migrations.h"
#include "services/common/database.h"
#include "services/common/embedded_file.h"
#include "services/common/event_log.h"
#include "services/common/identity.h"
#include "services/common/migrations.h"
#include "services/common/municipalities.h"
#include "services/common/time_zone.h"
#include "services/common/validation.h"
#include "services/followup/followup_manager.h"
#include "services/followup/followup_store.h"
#include "services/policy/client/policy_client.h"

ABSL_FLAG(int, municipalities, 98,
          "How many municipalities (the first of AllMunicipalities()).");
ABSL_FLAG(int, indicators, 200,
          "Indicators per municipality, one per success criterion.");
ABSL_FLAG(int, months, 120,
          "Monthly values per indicator and series, from 2007-01 (at most "
          "132: the follow-up period ends 2017-12-31).");
ABSL_FLAG(int, focus_areas, 5,
          "Focus areas of each generated policy; the criteria are spread "
          "evenly over them.");
ABSL_FLAG(int, batch_size, 10000,
          "Values per BatchRecordMeasurements call (at most 10000); a batch "
          "never spans two municipalities.");
ABSL_FLAG(int, report_runs, 50, "Measured PreviewFollowUpReport calls.");
ABSL_FLAG(int, recompute_runs, 2,
          "RecomputeAll calls: the first after a change of day, the rest "
          "with nothing changed (the median of those is reported).");
ABSL_FLAG(bool, csv, true,
          "Also load everything again into a fresh file with "
          "ImportMeasurements (one CSV file per municipality).");
ABSL_FLAG(std::string, dir, "",
          "Folder for the SQLite files; a new temporary folder under /tmp "
          "when empty.");
ABSL_FLAG(bool, keep, false, "Keep the SQLite files afterwards.");
ABSL_FLAG(bool, reuse, false,
          "With --dir: when the file of the batch load is already loaded "
          "(kept by an earlier run with --keep at the same scale), skip "
          "creating and loading and measure the report and the recompute "
          "on it (statuses then are as that run left them). Implies "
          "--keep.");

namespace kommune::followup {

// Defined by the build from services/followup/migrations/.
std::vector<EmbeddedFile> FollowUpMigrationFiles();

namespace {

using Clock = std::chrono::steady_clock;

constexpr char kPolicyId[] = "opfoelgning-bench";
constexpr char kSubject[] = "bench";
constexpr char kSource[] = "bench";
constexpr int kFirstYear = 2007;
constexpr int kMaxMonths = 132;  // 2007-01..2017-12
constexpr int kKinds = 10;       // indicator i has variant i % kKinds

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// CPU time of the process (user and system), in seconds. On this shared
// two-core machine it shows the work apart from waiting for a core.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// Wall and CPU seconds since it was made.
class Stopwatch {
 public:
  Stopwatch() : wall_(Clock::now()), cpu_(CpuSeconds()) {}
  double Wall() const { return Seconds(Clock::now() - wall_); }
  double Cpu() const { return CpuSeconds() - cpu_; }

 private:
  Clock::time_point wall_;
  double cpu_;
};

void Die(const absl::Status& status, absl::string_view what) {
  std::fprintf(stderr, "followup_bench: %s: %s\n", std::string(what).c_str(),
               status.ToString().c_str());
  std::exit(1);
}

common::v1::Date Day(int y, int m, int d) {
  return FromCivilDay(absl::CivilDay(y, m, d));
}

// Noon in Copenhagen on the day.
absl::Time Noon(int y, int m, int d) {
  absl::StatusOr<absl::TimeZone> zone = CopenhagenZone();
  if (!zone.ok()) Die(zone.status(), "time zone");
  return absl::FromCivil(absl::CivilHour(y, m, d, 12), *zone);
}

// Deterministic pseudo-random numbers (splitmix64), so every run and both
// load paths see the same values.
uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
// In [0, 1).
double Unit(uint64_t a, uint64_t b, uint64_t c = 0) {
  return static_cast<double>(Mix(Mix(Mix(a) ^ b) ^ c) >> 11) * 0x1.0p-53;
}
// One decimal, as the CSV file writes it, so both paths store the same.
double Round1(double v) { return std::round(v * 10) / 10; }

std::string PolicyName(const std::string& code) {
  return absl::StrCat("municipalities/", code, "/policies/", kPolicyId);
}
std::string CriterionId(int indicator) {
  return absl::StrFormat("kriterie-%03d", indicator + 1);
}
std::string IndicatorId(int indicator) {
  return absl::StrFormat("indikator-%03d", indicator + 1);
}
std::string Period(int month) {
  return absl::StrFormat("%04d-%02d", kFirstYear + month / 12, month % 12 + 1);
}

struct Scale {
  int municipalities;
  int indicators;
  int months;
  int focus_areas;
  int CriteriaPerArea() const {
    return (indicators + focus_areas - 1) / focus_areas;
  }
};

// A policy with focus_areas x CriteriaPerArea() success criteria, for one
// municipality.
policy::v1::Policy MakePolicy(const std::string& code, const Scale& scale) {
  policy::v1::Policy p;
  p.set_name(PolicyName(code));
  p.set_display_name("Opfølgningspolitik 2007-2017");
  p.set_revision_id("1");
  p.set_state(policy::v1::POLICY_STATE_ADOPTED);
  *p.mutable_period()->mutable_start_date() = Day(kFirstYear, 1, 1);
  *p.mutable_period()->mutable_end_date() = Day(2017, 12, 31);
  int n = 0;
  for (int a = 0; a < scale.focus_areas; ++a) {
    policy::v1::FocusArea* area = p.mutable_content()->add_focus_areas();
    area->set_id(absl::StrCat("indsatsomraade-", a + 1));
    area->set_title(absl::StrCat("Indsatsområde ", a + 1));
    for (int c = 0; c < scale.CriteriaPerArea(); ++c, ++n) {
      policy::v1::SuccessCriterion* criterion = area->add_success_criteria();
      criterion->set_id(CriterionId(n));
      criterion->set_label(absl::StrCat(a + 1, ".", c + 1));
      criterion->set_text(absl::StrCat(
          "Succeskriterium ", a + 1, ".", c + 1,
          ": indsatsen skal følges op måned for måned frem til udgangen af "
          "2017."));
    }
  }
  return p;
}

// The policy service: one generated policy per municipality.
class FakePolicyClient : public PolicyClient {
 public:
  FakePolicyClient(const std::vector<std::string>& codes, const Scale& scale) {
    for (const std::string& code : codes) {
      policies_.emplace(PolicyName(code), MakePolicy(code, scale));
    }
  }

  absl::StatusOr<policy::v1::Policy> GetPolicy(
      const Identity&, const std::string& name) override {
    auto it = policies_.find(name);
    if (it == policies_.end()) {
      return absl::NotFoundError(absl::StrCat("no policy '", name, "'"));
    }
    return it->second;
  }
  absl::StatusOr<policy::v1::Policy> SendToHearing(
      const Identity&, const std::string&) override {
    return absl::UnimplementedError("not used");
  }
  absl::StatusOr<policy::v1::Policy> Adopt(const Identity&, const std::string&,
                                           const common::v1::Date&) override {
    return absl::UnimplementedError("not used");
  }

 private:
  std::map<std::string, policy::v1::Policy> policies_;
};

Identity Analyst(const std::string& code) {
  return Identity{{code}, {Role::kAnalyst}, kSubject};
}

const char* const kCommittees[] = {
    "Økonomiudvalget", "Børne- og Ungdomsudvalget",
    "Erhvervs- og Beskæftigelsesudvalget", "Social- og Sundhedsudvalget",
    "Teknik- og Miljøudvalget"};

// Indicator i of municipality m: a kind by i % kKinds, a deadline at the end
// of 2015, 2016 or 2017, followed up monthly 2007-01-01..2017-12-31.
v1::Indicator MakeIndicator(const std::string& code, int m, int i,
                            const Scale& scale) {
  v1::Indicator in;
  in.set_display_name(absl::StrCat("Indikator ", i + 1));
  v1::CriterionReference* c = in.add_criteria();
  c->set_policy_name(PolicyName(code));
  c->set_criterion_id(CriterionId(i));
  in.set_reporting_period(v1::REPORTING_PERIOD_MONTH);
  in.mutable_owner_committee()->set_kind(common::v1::BODY_KIND_COMMITTEE);
  in.mutable_owner_committee()->set_display_name(
      kCommittees[(i / scale.CriteriaPerArea()) % 5]);
  in.set_data_source("Kommunens fagsystem");
  *in.mutable_follow_up_period()->mutable_start_date() = Day(kFirstYear, 1, 1);
  *in.mutable_follow_up_period()->mutable_end_date() = Day(2017, 12, 31);
  common::v1::Date deadline = Day(2015 + (m + i) % 3, 12, 31);
  v1::Target& t = *in.mutable_target();
  auto baseline = [&](double value) {
    in.mutable_baseline()->set_value(value);
    *in.mutable_baseline()->mutable_date() = Day(kFirstYear, 1, 1);
  };
  switch (i % kKinds) {
    case 0:  // a level to reach: 400 from 100
      in.set_kind(v1::INDICATOR_KIND_COUNT_BY_DEADLINE);
      in.set_unit("pladser");
      baseline(100);
      t.set_value(400);
      *t.mutable_deadline() = deadline;
      break;
    case 1:  // amounts per month that add up to 1,200
      in.set_kind(v1::INDICATOR_KIND_COUNT_BY_DEADLINE);
      in.set_aggregation(v1::AGGREGATION_SUM);
      in.set_unit("forløb");
      t.set_value(1200);
      *t.mutable_deadline() = deadline;
      break;
    case 2:  // at least 20 a month, every month
      in.set_kind(v1::INDICATOR_KIND_RATE_PER_PERIOD);
      in.set_unit("besøg");
      t.set_value(20);
      break;
    case 3:  // a share of at least 80 %, from 60 %
    case 9:
      in.set_kind(v1::INDICATOR_KIND_SHARE_AT_LEAST);
      in.set_unit("%");
      in.set_measure_type(v1::MEASURE_TYPE_OUTCOME);
      baseline(60);
      t.set_value(80);
      *t.mutable_deadline() = deadline;
      break;
    case 4:  // a share of at most 5 %, from 12 %
      in.set_kind(v1::INDICATOR_KIND_SHARE_AT_LEAST);
      in.set_direction(v1::DIRECTION_LOWER_IS_BETTER);
      in.set_unit("%");
      in.set_measure_type(v1::MEASURE_TYPE_OUTCOME);
      baseline(12);
      t.set_value(5);
      *t.mutable_deadline() = deadline;
      break;
    case 5:  // halve, from 20
      in.set_kind(v1::INDICATOR_KIND_RELATIVE_CHANGE);
      in.set_direction(v1::DIRECTION_LOWER_IS_BETTER);
      in.set_unit("%");
      in.set_measure_type(v1::MEASURE_TYPE_OUTCOME);
      baseline(20);
      t.set_relative_change(-0.5);
      *t.mutable_deadline() = deadline;
      break;
    case 6:  // the target group as the rest, within 2 points
      in.set_kind(v1::INDICATOR_KIND_PARITY);
      in.set_unit("%");
      in.set_measure_type(v1::MEASURE_TYPE_OUTCOME);
      t.set_parity_bound(v1::PARITY_BOUND_WITHIN_TOLERANCE);
      t.set_tolerance(2);
      break;
    case 7:  // done or not
      in.set_kind(v1::INDICATOR_KIND_MILESTONE);
      *t.mutable_deadline() = deadline;
      break;
    case 8:  // a count to bring down: 50 from 200
      in.set_kind(v1::INDICATOR_KIND_COUNT_BY_DEADLINE);
      in.set_direction(v1::DIRECTION_LOWER_IS_BETTER);
      in.set_unit("sager");
      baseline(200);
      t.set_value(50);
      *t.mutable_deadline() = deadline;
      break;
  }
  if (in.measure_type() == v1::MEASURE_TYPE_UNSPECIFIED) {
    in.set_measure_type(v1::MEASURE_TYPE_ACTIVITY);
  }
  return in;
}

// The value of indicator i of municipality m in month j (0 = 2007-01), for
// the target group or (parity only) the reference group; valid for the
// kind. Each indicator gets its own pace, so statuses differ.
double ValueAt(int m, int i, int j, bool reference, int months) {
  double pace = 0.4 + 1.0 * Unit(m, i, 1);    // 0.4..1.4 of what is needed
  double noise = Unit(m, i, 1000 + j) - 0.5;  // -0.5..0.5
  double x = static_cast<double>(j) / std::max(1, months - 1);
  double v = 0;
  switch (i % kKinds) {
    case 0:
      v = 100 + 300 * pace * x + 10 * noise;
      break;
    case 1:
      v = std::max(0.0, 10 * pace + 4 * noise);
      break;
    case 2:
      v = std::max(0.0, 16 + 8 * pace + 6 * noise);
      break;
    case 3:
    case 9:
      v = 60 + 20 * pace * x + 3 * noise;
      break;
    case 4:
      v = 12 - 7 * pace * x + 1 * noise;
      break;
    case 5:
      v = 20 - 10 * pace * x + 1 * noise;
      break;
    case 6:
      v = reference ? 75 + 1 * noise : 60 + 15 * pace * x + 2 * noise;
      break;
    case 7:
      return x >= 1.3 - 0.6 * pace ? 1 : 0;
    case 8:
      v = std::max(0.0, 200 - 150 * pace * x + 8 * noise);
      break;
  }
  if (i % kKinds == 3 || i % kKinds == 4 || i % kKinds == 9 ||
      i % kKinds == 6) {
    v = std::clamp(v, 0.0, 100.0);
  }
  return Round1(v);
}

bool HasReference(int i) { return i % kKinds == 6; }

// FNV-1a, 64 bits.
uint64_t Fnv1a(absl::string_view bytes) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Peak resident set (getrusage) and current resident set (/proc), in MiB.
double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}
double CurrentRssMiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}
double FileMiB(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return static_cast<double>(st.st_size) / (1 << 20);
}

struct SummaryRow {
  std::string phase;
  std::string result;
  std::string peak_rss;
};

class Bench {
 public:
  Bench(const Scale& scale, std::string dir)
      : scale_(scale), dir_(std::move(dir)) {
    const auto& all = AllMunicipalities();
    for (int m = 0; m < scale.municipalities; ++m) {
      codes_.push_back(all[m].code);
    }
    policies_ = std::make_unique<FakePolicyClient>(codes_, scale);
  }

  void Run() {
    std::printf(
        "Scale: %d municipalities x %d indicators x %d months (%s..%s), "
        "%d focus areas; SQLite files in %s\n",
        scale_.municipalities, scale_.indicators, scale_.months,
        Period(0).c_str(), Period(scale_.months - 1).c_str(),
        scale_.focus_areas, dir_.c_str());
    Open("batch", &main_);
    loaded_values_ = absl::GetFlag(FLAGS_reuse) ? CurrentValues(main_) : 0;
    if (loaded_values_ > 0) {
      std::printf("Reusing %s: %lld current values\n", main_.path.c_str(),
                  static_cast<long long>(loaded_values_));
    } else {
      CreateIndicators(main_, "create indicators (batch file)");
      LoadByBatches();
    }
    Report();
    Recompute();
    if (absl::GetFlag(FLAGS_csv)) {
      Store csv;
      Open("csv", &csv);
      CreateIndicators(csv, "create indicators (CSV file)");
      LoadByCsv(csv);
      CompareCounts(csv);
    }
    PrintSummary();
  }

 private:
  struct Store {
    std::string path;
    std::unique_ptr<Database> db;
    EventLog events;
    std::unique_ptr<FollowUpStore> store;
    std::unique_ptr<FollowUpManager> manager;
  };

  void Open(const std::string& name, Store* s) {
    s->path = absl::StrCat(dir_, "/followup_", name, ".db");
    absl::StatusOr<std::unique_ptr<Database>> db =
        OpenDatabase(absl::StrCat("sqlite://", s->path));
    if (!db.ok()) Die(db.status(), "open database");
    s->db = *std::move(db);
    if (auto st = ApplyChangeFeedMigrations(*s->db); !st.ok()) {
      Die(st, "change feed migrations");
    }
    if (auto st = ApplyMigrations(*s->db, "followup", FollowUpMigrationFiles());
        !st.ok()) {
      Die(st, "follow-up migrations");
    }
    s->store = std::make_unique<FollowUpStore>(s->db.get(), &s->events);
    s->manager = std::make_unique<FollowUpManager>(
        s->store.get(), policies_.get(), [this] { return now_; });
  }

  void Record(const std::string& phase, const std::string& result) {
    rows_.push_back({phase, result, absl::StrFormat("%.0f MiB", PeakRssMiB())});
    std::printf("  peak RSS %.0f MiB, current RSS %.0f MiB\n", PeakRssMiB(),
                CurrentRssMiB());
    std::fflush(stdout);
  }

  std::string Files(const Store& s) {
    return absl::StrFormat("%.0f MiB file + %.0f MiB WAL", FileMiB(s.path),
                           FileMiB(s.path + "-wal"));
  }

  void CreateIndicators(Store& s, const std::string& phase) {
    now_ = load_time_;
    Stopwatch watch;
    int n = 0;
    for (int m = 0; m < scale_.municipalities; ++m) {
      const std::string& code = codes_[m];
      Identity caller = Analyst(code);
      for (int i = 0; i < scale_.indicators; ++i, ++n) {
        v1::CreateIndicatorRequest r;
        r.set_parent(absl::StrCat("municipalities/", code));
        r.set_indicator_id(IndicatorId(i));
        *r.mutable_indicator() = MakeIndicator(code, m, i, scale_);
        auto created = s.manager->CreateIndicator(caller, r);
        if (!created.ok()) Die(created.status(), "CreateIndicator");
      }
    }
    double secs = watch.Wall(), cpu = watch.Cpu();
    std::printf("%s: %d indicators in %.1f s, CPU %.1f s (%.0f/s)\n",
                phase.c_str(), n, secs, cpu, n / secs);
    Record(phase, absl::StrFormat("%d in %.1f s (CPU %.1f s), %.0f/s", n, secs,
                                  cpu, n / secs));
  }

  // Every value of one municipality, in indicator, month, series order.
  template <typename Fn>
  void ForEachValue(int m, Fn fn) {
    for (int i = 0; i < scale_.indicators; ++i) {
      for (int j = 0; j < scale_.months; ++j) {
        fn(i, j, false, ValueAt(m, i, j, false, scale_.months));
        if (HasReference(i)) {
          fn(i, j, true, ValueAt(m, i, j, true, scale_.months));
        }
      }
    }
  }

  // Throughput of the first and last tenth of the municipalities, to show
  // whether a call gets slower as the file fills.
  std::string Trend(const std::vector<double>& secs,
                    const std::vector<int64_t>& counts) {
    size_t tenth = std::max<size_t>(1, secs.size() / 10);
    auto rate = [&](size_t from, size_t to) {
      double s = 0;
      int64_t n = 0;
      for (size_t k = from; k < to; ++k) {
        s += secs[k];
        n += counts[k];
      }
      return n / s;
    };
    return absl::StrFormat("first %zu municipalities %.0f/s, last %zu %.0f/s",
                           tenth, rate(0, tenth), tenth,
                           rate(secs.size() - tenth, secs.size()));
  }

  void LoadByBatches() {
    now_ = load_time_;
    int batch_size = absl::GetFlag(FLAGS_batch_size);
    double total = 0, cpu = 0;
    int64_t values = 0;
    int calls = 0;
    double slowest = 0;
    std::vector<double> per_municipality;
    std::vector<int64_t> counts;
    for (int m = 0; m < scale_.municipalities; ++m) {
      const std::string& code = codes_[m];
      Identity caller = Analyst(code);
      std::string parent = absl::StrCat("municipalities/", code);
      double secs = 0;
      int64_t n = 0;
      v1::BatchRecordMeasurementsRequest request;
      auto flush = [&] {
        if (request.requests_size() == 0) return;
        Stopwatch watch;
        auto recorded = main_.manager->Record(caller, request);
        double s = watch.Wall();
        cpu += watch.Cpu();
        if (!recorded.ok()) Die(recorded.status(), "BatchRecordMeasurements");
        secs += s;
        slowest = std::max(slowest, s);
        n += request.requests_size();
        ++calls;
        request.clear_requests();
      };
      request.set_parent(parent);
      ForEachValue(m, [&](int i, int j, bool reference, double value) {
        v1::RecordMeasurementRequest* r = request.add_requests();
        r->set_indicator_name(
            absl::StrCat(parent, "/indicators/", IndicatorId(i)));
        v1::Measurement* v = r->mutable_measurement();
        v->set_period(Period(j));
        v->set_series(reference ? v1::SERIES_REFERENCE_GROUP
                                : v1::SERIES_TARGET_GROUP);
        v->set_value(value);
        v->set_source(kSource);
        if (request.requests_size() == batch_size) flush();
      });
      flush();
      total += secs;
      values += n;
      per_municipality.push_back(secs);
      counts.push_back(n);
      if ((m + 1) % 10 == 0 || m + 1 == scale_.municipalities) {
        std::printf("  batches: %d municipalities, %lld values, %.1f s\n",
                    m + 1, static_cast<long long>(values), total);
        std::fflush(stdout);
      }
    }
    loaded_values_ = values;
    std::string trend = Trend(per_municipality, counts);
    std::printf(
        "BatchRecordMeasurements: %lld values in %d calls of <= %d in %.1f s "
        "(CPU %.1f s) = %.0f values/s (slowest call %.2f s; %s); %s\n",
        static_cast<long long>(values), calls, batch_size, total, cpu,
        values / total, slowest, trend.c_str(), Files(main_).c_str());
    Record(absl::StrFormat("BatchRecordMeasurements, %d values a call",
                           batch_size),
           absl::StrFormat("%.0f values/s (%lld in %.1f s, CPU %.1f s; %s)",
                           values / total, static_cast<long long>(values),
                           total, cpu, trend));
  }

  void LoadByCsv(Store& s) {
    now_ = load_time_;
    double total = 0, cpu = 0;
    int64_t values = 0;
    size_t bytes = 0, largest = 0;
    std::vector<double> per_municipality;
    std::vector<int64_t> counts;
    for (int m = 0; m < scale_.municipalities; ++m) {
      const std::string& code = codes_[m];
      v1::ImportMeasurementsRequest request;
      request.set_parent(absl::StrCat("municipalities/", code));
      request.set_layout(v1::CSV_LAYOUT_MEASUREMENTS);
      request.set_source(kSource);
      std::string csv = "indicator_id,period,value,series\n";
      csv.reserve(64 * scale_.indicators * scale_.months);
      int64_t n = 0;
      ForEachValue(m, [&](int i, int j, bool reference, double value) {
        absl::StrAppend(&csv, IndicatorId(i), ",", Period(j), ",",
                        absl::StrFormat("%.1f", value), ",",
                        reference ? "reference_group" : "target_group", "\n");
        ++n;
      });
      bytes += csv.size();
      largest = std::max(largest, csv.size());
      request.set_csv(std::move(csv));
      Stopwatch watch;
      auto imported = s.manager->Import(Analyst(code), request);
      double secs = watch.Wall();
      cpu += watch.Cpu();
      if (!imported.ok()) Die(imported.status(), "ImportMeasurements");
      if (imported->imported_count() != n) {
        Die(absl::InternalError(
                absl::StrCat(imported->imported_count(), " imported of ", n)),
            "ImportMeasurements");
      }
      total += secs;
      values += n;
      per_municipality.push_back(secs);
      counts.push_back(n);
      if ((m + 1) % 10 == 0 || m + 1 == scale_.municipalities) {
        std::printf("  CSV: %d municipalities, %lld values, %.1f s\n", m + 1,
                    static_cast<long long>(values), total);
        std::fflush(stdout);
      }
    }
    std::string trend = Trend(per_municipality, counts);
    std::printf(
        "ImportMeasurements: %lld values in %d files (%.1f MiB, largest %.2f "
        "MiB) in %.1f s (CPU %.1f s) = %.0f values/s (%s); %s\n",
        static_cast<long long>(values), scale_.municipalities,
        bytes / double(1 << 20), largest / double(1 << 20), total, cpu,
        values / total, trend.c_str(), Files(s).c_str());
    Record("ImportMeasurements, one CSV file a municipality",
           absl::StrFormat("%.0f values/s (%lld in %.1f s, CPU %.1f s; files "
                           "of up to %.1f MiB; %s)",
                           values / total, static_cast<long long>(values),
                           total, cpu, largest / double(1 << 20), trend));
  }

  static int64_t CurrentValues(Store& s) {
    int64_t n = -1;
    auto st = s.db->Read([&](Transaction& tx) -> absl::Status {
      auto rows =
          tx.Query("SELECT COUNT(*) FROM measurements WHERE is_current = 1");
      if (!rows.ok()) return rows.status();
      n = (*rows)[0].Int(0);
      return absl::OkStatus();
    });
    if (!st.ok()) Die(st, "count");
    return n;
  }

  // Both files must hold the same current values.
  void CompareCounts(Store& csv) {
    int64_t a = CurrentValues(main_), b = CurrentValues(csv);
    std::printf("Current measurements: batch file %lld, CSV file %lld\n",
                static_cast<long long>(a), static_cast<long long>(b));
    if (a != b || a != loaded_values_) {
      Die(absl::InternalError("the two loads differ"), "compare");
    }
  }

  void Report() {
    now_ = load_time_;
    const std::string& code = codes_[0];
    v1::PreviewFollowUpReportRequest request;
    request.set_policy_name(PolicyName(code));
    *request.mutable_as_of() =
        FromCivilDay(absl::CivilDay(kFirstYear + (scale_.months - 1) / 12,
                                    (scale_.months - 1) % 12 + 1, 28));
    Identity caller = Analyst(code);
    int runs = std::max(1, absl::GetFlag(FLAGS_report_runs));
    std::vector<double> ms, cpu_ms;
    size_t bytes = 0;
    int indicators = 0;
    for (int r = 0; r <= runs; ++r) {  // the first run warms up
      Stopwatch watch;
      auto report = main_.manager->PreviewReport(caller, request);
      double t = watch.Wall() * 1000, cpu = watch.Cpu() * 1000;
      if (!report.ok()) Die(report.status(), "PreviewFollowUpReport");
      if (r == 0) {
        bytes = report->ByteSizeLong();
        const v1::StatusCounts& c = report->totals();
        indicators = c.total();
        // The same digest before and after a change to the service shows
        // the report did not change.
        std::string bytes_out;
        google::protobuf::io::StringOutputStream stream(&bytes_out);
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.SetSerializationDeterministic(true);
        report->SerializeToCodedStream(&coded);
        coded.Trim();
        std::printf(
            "Report statuses: %d achieved, %d on track, %d at risk, %d off "
            "track, %d missed, %d no data; digest %016llx\n",
            c.achieved(), c.on_track(), c.at_risk(), c.off_track(), c.missed(),
            c.no_data(), static_cast<unsigned long long>(Fnv1a(bytes_out)));
        continue;
      }
      ms.push_back(t);
      cpu_ms.push_back(cpu);
    }
    std::sort(ms.begin(), ms.end());
    double median = Median(ms), cpu_median = Median(cpu_ms);
    double p95 = ms[std::min(
        ms.size() - 1, static_cast<size_t>(std::ceil(0.95 * ms.size())) - 1)];
    std::printf(
        "PreviewFollowUpReport of %s (%d indicators, %.1f KiB): median %.1f "
        "ms (CPU %.1f ms), p95 %.1f ms, min %.1f ms, max %.1f ms over %zu "
        "runs\n",
        PolicyName(code).c_str(), indicators, bytes / 1024.0, median,
        cpu_median, p95, ms.front(), ms.back(), ms.size());
    Record("PreviewFollowUpReport, one policy",
           absl::StrFormat("median %.1f ms (CPU %.1f ms), p95 %.1f ms (%zu "
                           "runs; %d indicators, report %.0f KiB)",
                           median, cpu_median, p95, ms.size(), indicators,
                           bytes / 1024.0));
  }

  int64_t StatusEvents() {
    int64_t n = 0;
    auto st = main_.db->Read([&](Transaction& tx) -> absl::Status {
      auto rows = tx.Query(
          "SELECT COUNT(*) FROM events WHERE type = "
          "'indicator.status_changed'");
      if (!rows.ok()) return rows.status();
      n = (*rows)[0].Int(0);
      return absl::OkStatus();
    });
    if (!st.ok()) Die(st, "count events");
    return n;
  }

  void Recompute() {
    // A year after the load: every deadline has passed, so many statuses
    // change the first time and none the second.
    now_ = recompute_time_;
    int runs = std::max(2, absl::GetFlag(FLAGS_recompute_runs));
    std::vector<double> wall, cpu;
    int64_t changed_again = 0;
    for (int run = 1; run <= runs; ++run) {
      int64_t before = StatusEvents();
      Stopwatch watch;
      if (auto s = main_.manager->RecomputeAll(); !s.ok()) {
        Die(s, "RecomputeAll");
      }
      double secs = watch.Wall(), cpu_secs = watch.Cpu();
      int64_t changed = StatusEvents() - before;
      int64_t indicators = int64_t{scale_.municipalities} * scale_.indicators;
      std::printf(
          "RecomputeAll %s: %lld indicators, %lld statuses changed, %.2f s "
          "(CPU %.2f s)\n",
          run == 1 ? "after a change of day" : "again, nothing changed",
          static_cast<long long>(indicators), static_cast<long long>(changed),
          secs, cpu_secs);
      if (run == 1) {
        Record(
            "RecomputeAll, a year later",
            absl::StrFormat("%.2f s (CPU %.2f s; %lld statuses changed)", secs,
                            cpu_secs, static_cast<long long>(changed)));
      } else {
        wall.push_back(secs);
        cpu.push_back(cpu_secs);
        changed_again += changed;
      }
    }
    Record("RecomputeAll again, nothing changed",
           absl::StrFormat(
               "%.2f s (CPU %.2f s; %lld statuses changed)%s", Median(wall),
               Median(cpu), static_cast<long long>(changed_again),
               wall.size() > 1
                   ? absl::StrFormat("; median of %zu runs", wall.size())
                   : ""));
    std::printf("After RecomputeAll: %s\n", Files(main_).c_str());
    rows_.push_back(
        {"SQLite file after load and recompute (batch)", Files(main_), ""});
  }

  void PrintSummary() {
    std::printf("\n| phase | result | peak RSS after |\n|---|---|---|\n");
    for (const SummaryRow& r : rows_) {
      std::printf("| %s | %s | %s |\n", r.phase.c_str(), r.result.c_str(),
                  r.peak_rss.c_str());
    }
    std::fflush(stdout);
  }

  Scale scale_;
  std::string dir_;
  std::vector<std::string> codes_;
  std::unique_ptr<FakePolicyClient> policies_;
  Store main_;
  absl::Time now_;
  const absl::Time load_time_ = Noon(2017, 1, 16);
  const absl::Time recompute_time_ = Noon(2018, 1, 16);
  int64_t loaded_values_ = 0;
  std::vector<SummaryRow> rows_;
};

// FOLLOWUP_BENCH_<NAME> sets --<name>; the command line wins.
void FlagsFromEnvironment() {
  for (const char* name :
       {"municipalities", "indicators", "months", "focus_areas", "batch_size",
        "report_runs", "recompute_runs", "csv", "dir", "keep", "reuse"}) {
    std::string env = absl::StrCat("FOLLOWUP_BENCH_", name);
    absl::AsciiStrToUpper(&env);
    const char* value = std::getenv(env.c_str());
    if (value == nullptr) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::string error;
    if (flag == nullptr || !flag->ParseFrom(value, &error)) {
      std::fprintf(stderr, "followup_bench: %s: %s\n", env.c_str(),
                   error.c_str());
      std::exit(2);
    }
  }
}

}  // namespace
}  // namespace kommune::followup

int main(int argc, char** argv) {
  kommune::followup::FlagsFromEnvironment();
  absl::ParseCommandLine(argc, argv);
  using kommune::followup::Scale;
  Scale scale{absl::GetFlag(FLAGS_municipalities),
              absl::GetFlag(FLAGS_indicators), absl::GetFlag(FLAGS_months),
              absl::GetFlag(FLAGS_focus_areas)};
  if (scale.municipalities < 1 ||
      scale.municipalities >
          static_cast<int>(kommune::AllMunicipalities().size()) ||
      scale.indicators < 1 || scale.indicators > 999 || scale.months < 2 ||
      scale.months > kommune::followup::kMaxMonths || scale.focus_areas < 1 ||
      absl::GetFlag(FLAGS_batch_size) < 1 ||
      absl::GetFlag(FLAGS_batch_size) > 10000) {
    std::fprintf(stderr,
                 "followup_bench: --municipalities 1..98, --indicators "
                 "1..999, --months 2..132, --focus_areas >= 1, --batch_size "
                 "1..10000\n");
    return 2;
  }
  std::string dir = absl::GetFlag(FLAGS_dir);
  bool made = false;
  if (dir.empty()) {
    char pattern[] = "/tmp/followup_bench.XXXXXX";
    if (mkdtemp(pattern) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
    dir = pattern;
    made = true;
  }
  kommune::followup::Bench(scale, dir).Run();
  if (!absl::GetFlag(FLAGS_keep) && !absl::GetFlag(FLAGS_reuse)) {
    for (const char* name : {"batch", "csv"}) {
      for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(
            absl::StrCat(dir, "/followup_", name, ".db", suffix));
      }
    }
    if (made) std::filesystem::remove(dir);
  } else {
    std::printf("Files kept in %s\n", dir.c_str());
  }
  return 0;
}
