#include "services/esdh/case_system_sink.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/esdh/sink_http.h"
#include "services/esdh/sink_url.h"

namespace kommune::esdh {
namespace {

std::string KleText(const common::v1::KleClass& kle) {
  if (kle.action_facet().empty()) return kle.subject();
  return absl::StrCat(kle.subject(), "-", kle.action_facet());
}

// An id the system gave us goes into a URL path: "." and ".." would walk
// the path instead of naming something.
bool UsableId(absl::string_view id) {
  return !id.empty() && id != "." && id != "..";
}

class CaseSystemSink : public Sink {
 public:
  CaseSystemSink(CaseSystemOptions options, SinkUrl base)
      : options_(std::move(options)),
        // scheme://host:port/path: the query is refused, so nothing is lost.
        base_(absl::StripSuffix(base.display, "/")) {}

  absl::StatusOr<Receipt> Deliver(const v1::JournalRecord& record) override {
    if (record.idempotency_key().empty()) {
      return absl::InvalidArgumentError(
          "record.idempotency_key: is empty; the case system could not tell "
          "a repeated delivery from a new document");
    }
    if (absl::Status s = CheckHeaderValue(record.idempotency_key(),
                                          "record.idempotency_key");
        !s.ok()) {
      return s;
    }
    if (record.esdh_case().case_number().empty()) {
      return absl::InvalidArgumentError(
          "record.esdh_case.case_number: is empty; the document has no case to "
          "go "
          "into");
    }
    std::string document;
    auto json = google::protobuf::util::MessageToJsonString(record.document(),
                                                            &document);
    if (!json.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the document cannot be written as JSON: ",
                       json.message().ToString()));
    }
    if (document.size() > options_.max_document_bytes) {
      return absl::OutOfRangeError(absl::StrCat(
          "document too large for the sink: its JSON body is ", document.size(),
          " bytes, case_system.max_document_bytes allows ",
          options_.max_document_bytes));
    }

    HttpClient client;  // one connection for the delivery's requests
    auto case_id = FindOrCreateCase(client, record.esdh_case());
    if (!case_id.ok()) return case_id.status();

    HttpCall add = Call(
        "POST", absl::StrCat("/cases/", UrlEscape(*case_id), "/documents"));
    add.headers.push_back(
        absl::StrCat("Idempotency-Key: ", record.idempotency_key()));
    add.body = std::move(document);
    auto added = Exchange(client, add, "a document id");
    if (!added.ok()) return added.status();
    auto document_id =
        StringField(added->answer, added->object, "document_id",
                    /*required=*/true, add.what, "a document id");
    if (!document_id.ok()) return document_id.status();
    if (!UsableId(*document_id)) {
      return absl::UnavailableError(absl::StrCat(
          add.what, ": the receiver answered with an unusable document_id \"",
          *document_id, "\""));
    }
    auto number = StringField(added->answer, added->object, "document_number",
                              /*required=*/false, add.what, "a document id");
    if (!number.ok()) return number.status();

    HttpCall journalize = Call(
        "POST",
        absl::StrCat("/documents/", UrlEscape(*document_id), "/journalize"));
    journalize.body = "{}";
    auto answer = client.Send(journalize);
    if (!answer.ok()) return answer.status();
    if (absl::Status s = StatusFromAnswer(*answer, journalize.what); !s.ok()) {
      return s;
    }
    return Receipt{*std::move(number)};
  }

 private:
  struct JsonAnswer {
    HttpAnswer answer;
    google::protobuf::Struct object;
  };

  HttpCall Call(std::string method, absl::string_view path,
                absl::string_view query = "") const {
    HttpCall call;
    call.method = std::move(method);
    call.url = absl::StrCat(base_, path, query.empty() ? "" : "?", query);
    call.what = absl::StrCat("case system ", call.method, " ", base_, path);
    call.timeout = options_.timeout;
    call.headers = {absl::StrCat("Authorization: Bearer ", options_.api_token),
                    "Accept: application/json"};
    if (call.method == "POST") {
      call.headers.push_back("Content-Type: application/json");
    }
    return call;
  }

  // Sends `call` and reads the 2xx answer's JSON object.
  static absl::StatusOr<JsonAnswer> Exchange(HttpClient& client,
                                             const HttpCall& call,
                                             absl::string_view expected) {
    auto answer = client.Send(call);
    if (!answer.ok()) return answer.status();
    if (absl::Status s = StatusFromAnswer(*answer, call.what); !s.ok()) {
      return s;
    }
    auto object = ParseJsonAnswer(*answer, call.what, expected);
    if (!object.ok()) return object.status();
    return JsonAnswer{*std::move(answer), *std::move(object)};
  }

  // The case's id, or "" when the system answers 404.
  absl::StatusOr<std::string> LookUpCase(HttpClient& client,
                                         const v1::JournalCase& c) const {
    HttpCall find = Call("GET", "/cases",
                         absl::StrCat("number=", UrlEscape(c.case_number())));
    auto answer = client.Send(find);
    if (!answer.ok()) return answer.status();
    if (answer->status == 404) return std::string();
    return IdOf(*answer, find.what);
  }

  static absl::StatusOr<std::string> IdOf(const HttpAnswer& answer,
                                          absl::string_view what) {
    if (absl::Status s = StatusFromAnswer(answer, what); !s.ok()) return s;
    auto object = ParseJsonAnswer(answer, what, "a case id");
    if (!object.ok()) return object.status();
    auto id = StringField(answer, *object, "id", /*required=*/true, what,
                          "a case id");
    if (!id.ok()) return id.status();
    if (!UsableId(*id)) {
      return absl::UnavailableError(absl::StrCat(
          what, ": the receiver answered with an unusable case id \"", *id,
          "\""));
    }
    return id;
  }

  absl::StatusOr<std::string> FindOrCreateCase(HttpClient& client,
                                               const v1::JournalCase& c) const {
    auto found = LookUpCase(client, c);
    if (!found.ok() || !found->empty()) return found;

    google::protobuf::Struct request;
    auto& fields = *request.mutable_fields();
    fields["number"].set_string_value(c.case_number());
    fields["title"].set_string_value(c.title());
    fields["kle"].set_string_value(KleText(c.kle_class()));
    fields["template"].set_string_value(options_.case_template);
    HttpCall create = Call("POST", "/cases");
    auto json =
        google::protobuf::util::MessageToJsonString(request, &create.body);
    if (!json.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the case cannot be written as JSON: ", json.message().ToString()));
    }
    auto answer = client.Send(create);
    if (!answer.ok()) return answer.status();
    if (answer->status == 409) {
      // Created by someone else between our lookup and now.
      auto again = LookUpCase(client, c);
      if (!again.ok() || !again->empty()) return again;
      return absl::UnavailableError(
          absl::StrCat(create.what, ": the case system says case \"",
                       c.case_number(), "\" exists (409) but cannot find it"));
    }
    return IdOf(*answer, create.what);
  }

  const CaseSystemOptions options_;
  const std::string base_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Sink>> MakeCaseSystemSink(
    CaseSystemOptions options) {
  auto base = CheckSinkUrl(options.base_url, options.allowed_urls,
                           "case_system.base_url", "case_system.allowed_urls");
  if (!base.ok()) return base.status();
  if (!base->query.empty()) {
    return absl::InvalidArgumentError(
        "case_system.base_url: must not have a query; paths are appended to "
        "it");
  }
  if (options.api_token.empty()) {
    return absl::InvalidArgumentError("case_system.api_token: is empty");
  }
  if (absl::Status s =
          CheckHeaderValue(options.api_token, "case_system.api_token");
      !s.ok()) {
    return s;
  }
  if (options.case_template.empty()) {
    return absl::InvalidArgumentError(
        "case_system.case_template: is empty; new cases are made from it");
  }
  if (options.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("case_system.timeout: must be positive");
  }
  return std::make_unique<CaseSystemSink>(std::move(options), *std::move(base));
}

}  // namespace kommune::esdh
