#include "services/esdh/connector_config.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/municipalities.h"
#include "services/esdh/case_system_sink.h"
#include "services/esdh/file_drop_sink.h"
#include "services/esdh/webhook_sink.h"

namespace kommune::esdh {
namespace {

absl::StatusOr<std::string> ReadText(const std::string& path,
                                     absl::string_view field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": cannot read ", path));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return absl::StrCat(base_dir, "/", path);
}

// The first parse error, with its line, for the message.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (error_.empty()) {
      error_ = absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
    }
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

absl::Duration DurationOr(const google::protobuf::Duration& d,
                          absl::Duration fallback) {
  if (d.seconds() == 0 && d.nanos() == 0) return fallback;
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

}  // namespace

absl::StatusOr<ConnectorSetup> MakeConnectorSetup(
    const v1::ConnectorConfig& config, const std::string& base_dir) {
  ConnectorSetup setup;
  ConnectorOptions& o = setup.options;
  if (config.max_attempts() < 0) {
    return absl::InvalidArgumentError("max_attempts: must not be negative");
  }
  if (config.max_attempts() > 0) o.max_attempts = config.max_attempts();
  o.initial_backoff = DurationOr(config.initial_backoff(), o.initial_backoff);
  o.max_backoff = DurationOr(config.max_backoff(), o.max_backoff);
  o.poll_interval = DurationOr(config.poll_interval(), o.poll_interval);
  if (o.initial_backoff <= absl::ZeroDuration() ||
      o.max_backoff < o.initial_backoff ||
      o.poll_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "initial_backoff, max_backoff, poll_interval: must be positive, with "
        "max_backoff at least initial_backoff");
  }
  std::set<std::string> services;
  for (int i = 0; i < config.feeds_size(); ++i) {
    const v1::FeedSource& feed = config.feeds(i);
    std::string field = absl::StrCat("feeds[", i, "]");
    if (!services.insert(feed.service()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".service: \"", feed.service(), "\" twice"));
    }
    if (feed.address().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".address: is required"));
    }
    if (feed.service() == "policy") {
      setup.addresses.policy = feed.address();
    } else if (feed.service() == "hearing") {
      setup.addresses.hearing = feed.address();
    } else if (feed.service() == "followup") {
      setup.addresses.followup = feed.address();
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".service: \"", feed.service(),
                       "\" is not policy, hearing or followup"));
    }
  }
  for (int i = 0; i < config.sinks_size(); ++i) {
    const v1::MunicipalitySink& sink = config.sinks(i);
    std::string field = absl::StrCat("sinks[", i, "]");
    if (auto s = ValidateMunicipalityCode(sink.municipality_code(),
                                          field + ".municipality_code");
        !s.ok()) {
      return s;
    }
    if (setup.sinks.count(sink.municipality_code()) > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".municipality_code: ", sink.municipality_code(),
                       " has a sink already"));
    }
    absl::StatusOr<std::unique_ptr<Sink>> made;
    switch (sink.kind_case()) {
      case v1::MunicipalitySink::kWebhook: {
        const v1::WebhookSinkConfig& w = sink.webhook();
        auto secret = ReadText(Resolve(base_dir, w.secret_file()),
                               field + ".webhook.secret_file");
        if (!secret.ok()) return secret.status();
        WebhookOptions options;
        options.url = w.url();
        options.secret = std::string(absl::StripAsciiWhitespace(*secret));
        options.allowed_urls.assign(w.allowed_urls().begin(),
                                    w.allowed_urls().end());
        if (w.max_document_bytes() > 0) {
          options.max_document_bytes =
              static_cast<size_t>(w.max_document_bytes());
        }
        made = MakeWebhookSink(std::move(options));
        break;
      }
      case v1::MunicipalitySink::kFileDrop:
        if (sink.file_drop().directory().empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat(field, ".file_drop.directory: is required"));
        }
        made =
            MakeFileDropSink(Resolve(base_dir, sink.file_drop().directory()));
        break;
      case v1::MunicipalitySink::kCaseSystem: {
        const v1::CaseSystemSinkConfig& c = sink.case_system();
        auto token = ReadText(Resolve(base_dir, c.api_token_file()),
                              field + ".case_system.api_token_file");
        if (!token.ok()) return token.status();
        CaseSystemOptions options;
        options.base_url = c.base_url();
        options.api_token = std::string(absl::StripAsciiWhitespace(*token));
        options.case_template = c.case_template();
        options.allowed_urls.assign(c.allowed_urls().begin(),
                                    c.allowed_urls().end());
        made = MakeCaseSystemSink(std::move(options));
        break;
      }
      default:
        return absl::InvalidArgumentError(absl::StrCat(
            field, ": give a webhook, a file_drop or a case_system"));
    }
    if (!made.ok()) {
      return absl::Status(made.status().code(),
                          absl::StrCat(field, ".", made.status().message()));
    }
    setup.sinks.emplace(sink.municipality_code(), *std::move(made));
  }
  return setup;
}

absl::StatusOr<ConnectorSetup> LoadConnectorConfig(const std::string& path) {
  auto content = ReadText(path, "--config");
  if (!content.ok()) return content.status();
  v1::ConnectorConfig config;
  if (absl::EndsWith(path, ".json")) {
    google::protobuf::util::JsonParseOptions options;
    auto status =
        google::protobuf::util::JsonStringToMessage(*content, &config, options);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", status.message().ToString()));
    }
  } else {
    google::protobuf::TextFormat::Parser parser;
    FirstError errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(*content, &config)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", errors.error()));
    }
  }
  size_t slash = path.rfind('/');
  return MakeConnectorSetup(
      config, slash == std::string::npos ? "." : path.substr(0, slash));
}

}  // namespace kommune::esdh
