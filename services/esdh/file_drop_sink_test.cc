#include "services/esdh/file_drop_sink.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace kommune::esdh {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

v1::JournalRecord MakeRecord(const std::string& key = "hearing-169-h1-memo",
                             const std::string& case_number = "18/12386") {
  v1::JournalRecord record;
  record.set_name("municipalities/169/deliveries/1");
  record.set_idempotency_key(key);
  record.mutable_esdh_case()->set_case_number(case_number);
  record.mutable_esdh_case()->set_title("Høring om klimapolitik");
  auto* document = record.mutable_document();
  document->set_title("Høringsnotat");
  document->set_document_type("Høringsnotat");
  auto* memo = document->add_files();
  memo->set_file_name("hoeringsnotat.md");
  memo->set_media_type("text/markdown; charset=utf-8");
  memo->set_content("# Høringsnotat\n\nTre svar.\n");
  auto* attachment = document->add_files();
  attachment->set_file_name("bilag 1.pdf");
  attachment->set_media_type("application/pdf");
  attachment->set_content(std::string("%PDF-1.7\0\x01\x02", 11));
  record.mutable_origin()->set_service("hearing");
  record.mutable_origin()->set_resource("municipalities/169/hearings/h1");
  return record;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::vector<std::string> List(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return names;
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), len));
}

// Undoes SafeFileName, to show it loses nothing.
std::string PercentDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    int value = 0;
    if (text[i] == '%' && i + 2 < text.size() &&
        absl::SimpleHexAtoi(text.substr(i + 1, 2), &value)) {
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

class FileDropSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    root_ = absl::StrCat(::testing::TempDir(), "file_drop_", getpid(), "_",
                         counter++);
    ASSERT_EQ(mkdir(root_.c_str(), 0755), 0);
    auto sink = MakeFileDropSink(root_);
    ASSERT_TRUE(sink.ok()) << sink.status();
    sink_ = *std::move(sink);
  }

  void TearDown() override {
    std::string command = absl::StrCat("rm -rf '", root_, "'");
    ASSERT_EQ(system(command.c_str()), 0);
  }

  std::string CaseFolder(const std::string& name = "18%2F12386") const {
    return absl::StrCat(root_, "/169/", name);
  }

  std::string root_;
  std::unique_ptr<Sink> sink_;
};

TEST_F(FileDropSinkTest, WritesTheFilesAndTheMetadata) {
  v1::JournalRecord record = MakeRecord();
  auto receipt = sink_->Deliver(record);
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->document_number, "");

  EXPECT_THAT(List(root_), ElementsAre("169"));
  EXPECT_THAT(List(root_ + "/169"), ElementsAre("18%2F12386"));
  // No temporary file is left: every entry is a finished one.
  EXPECT_THAT(List(CaseFolder()),
              ElementsAre("0001-bilag 1.pdf", "0001-hearing-169-h1-memo.json",
                          "0001-hoeringsnotat.md"));
  EXPECT_EQ(ReadFile(CaseFolder() + "/0001-hoeringsnotat.md"),
            record.document().files(0).content());
  EXPECT_EQ(ReadFile(CaseFolder() + "/0001-bilag 1.pdf"),
            record.document().files(1).content());

  std::string json = ReadFile(CaseFolder() + "/0001-hearing-169-h1-memo.json");
  google::protobuf::Struct metadata;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &metadata).ok())
      << json;
  const auto& fields = metadata.fields();
  EXPECT_EQ(fields.at("idempotencyKey").string_value(), "hearing-169-h1-memo");
  EXPECT_EQ(fields.at("esdhCase")
                .struct_value()
                .fields()
                .at("caseNumber")
                .string_value(),
            "18/12386");
  // The record without contents: file names and media types, no bytes.
  const auto& files = fields.at("document")
                          .struct_value()
                          .fields()
                          .at("files")
                          .list_value()
                          .values();
  ASSERT_EQ(files.size(), 2);
  EXPECT_EQ(files[0].struct_value().fields().at("fileName").string_value(),
            "hoeringsnotat.md");
  EXPECT_EQ(files[0].struct_value().fields().count("content"), 0u);
  EXPECT_THAT(json, ::testing::Not(HasSubstr(absl::Base64Escape(
                        record.document().files(0).content()))));
  const auto& stored = fields.at("storedFiles").list_value().values();
  ASSERT_EQ(stored.size(), 2);
  for (int i = 0; i < 2; ++i) {
    const auto& entry = stored[i].struct_value().fields();
    const auto& file = record.document().files(i);
    EXPECT_EQ(entry.at("fileName").string_value(),
              absl::StrCat("0001-", file.file_name()));
    EXPECT_EQ(entry.at("mediaType").string_value(), file.media_type());
    EXPECT_EQ(entry.at("sha256").string_value(), Sha256Hex(file.content()));
    EXPECT_EQ(entry.at("sizeBytes").number_value(), file.content().size());
  }
}

TEST_F(FileDropSinkTest, ASecondDeliveryOfTheSameKeyIsANoOp) {
  ASSERT_TRUE(sink_->Deliver(MakeRecord()).ok());
  std::vector<std::string> before = List(CaseFolder());
  std::string metadata =
      ReadFile(CaseFolder() + "/0001-hearing-169-h1-memo.json");

  // A fresh sink, as after a restart, finds it on disk.
  auto again = MakeFileDropSink(root_);
  ASSERT_TRUE(again.ok());
  v1::JournalRecord changed = MakeRecord();
  changed.mutable_document()->set_title("Changed, but the same key");
  ASSERT_TRUE((*again)->Deliver(changed).ok());
  ASSERT_TRUE(sink_->Deliver(MakeRecord()).ok());

  EXPECT_EQ(List(CaseFolder()), before);
  EXPECT_EQ(ReadFile(CaseFolder() + "/0001-hearing-169-h1-memo.json"),
            metadata);
}

TEST_F(FileDropSinkTest, NumbersTheDocumentsOfACase) {
  ASSERT_TRUE(sink_->Deliver(MakeRecord("a")).ok());
  ASSERT_TRUE(sink_->Deliver(MakeRecord("b")).ok());
  ASSERT_TRUE(sink_->Deliver(MakeRecord("a")).ok());  // no-op
  ASSERT_TRUE(sink_->Deliver(MakeRecord("c", "2010-2752")).ok());
  std::vector<std::string> names = List(CaseFolder());
  EXPECT_THAT(names, ElementsAre("0001-a.json", "0001-bilag 1.pdf",
                                 "0001-hoeringsnotat.md", "0002-b.json",
                                 "0002-bilag 1.pdf", "0002-hoeringsnotat.md"));
  EXPECT_THAT(
      List(CaseFolder("2010-2752")),
      ElementsAre("0001-bilag 1.pdf", "0001-c.json", "0001-hoeringsnotat.md"));
}

TEST_F(FileDropSinkTest, LeftoversOfACrashAreNotMixedIn) {
  // A document whose files were written but not its metadata, and a
  // temporary file, as a crash would leave them.
  ASSERT_EQ(mkdir((root_ + "/169").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(CaseFolder().c_str(), 0755), 0);
  std::ofstream(CaseFolder() + "/0001-hoeringsnotat.md") << "half";
  std::ofstream(CaseFolder() + "/.0001-x.json.1-0.tmp") << "{";
  ASSERT_TRUE(sink_->Deliver(MakeRecord()).ok());
  EXPECT_EQ(ReadFile(CaseFolder() + "/0001-hoeringsnotat.md"), "half");
  EXPECT_EQ(ReadFile(CaseFolder() + "/0002-hoeringsnotat.md"),
            MakeRecord().document().files(0).content());
}

TEST_F(FileDropSinkTest, CaseFolderNamesAreInjective) {
  ASSERT_TRUE(sink_->Deliver(MakeRecord("a", "18/12386")).ok());
  ASSERT_TRUE(sink_->Deliver(MakeRecord("b", "18%2F12386")).ok());
  EXPECT_THAT(List(root_ + "/169"),
              UnorderedElementsAre("18%2F12386", "18%252F12386"));
  EXPECT_THAT(
      List(CaseFolder("18%252F12386")),
      ElementsAre("0001-b.json", "0001-bilag 1.pdf", "0001-hoeringsnotat.md"));

  EXPECT_EQ(SafeFileName("27.00.00-G01-1-24"), "27.00.00-G01-1-24");
  EXPECT_EQ(SafeFileName("."), "%2E");
  EXPECT_EQ(SafeFileName(".."), "%2E.");
  EXPECT_EQ(SafeFileName("a b/æ"), "a%20b%2F%C3%A6");
  std::set<std::string> names;
  std::vector<std::string> numbers = {
      "18/12386", "18%2F12386", "18_12386", "18 12386", "18%12386",
      "%2E",      ".",          "..",       "...",      "a.b",
      "a%2Eb",    "",           "ÆØÅ",      "\xC3",     std::string(1, '\0')};
  for (const std::string& number : numbers) {
    std::string name = SafeFileName(number);
    EXPECT_EQ(PercentDecode(name), number);
    EXPECT_FALSE(absl::StartsWith(name, ".")) << name;
    EXPECT_FALSE(absl::StrContains(name, "/")) << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), numbers.size());
}

TEST_F(FileDropSinkTest, RefusesUnsafeFileNames) {
  for (const char* name :
       {"../etc/passwd", "a/b", "..", "a..b", "a\\b", "", "line\nbreak"}) {
    v1::JournalRecord record = MakeRecord();
    record.mutable_document()->mutable_files(0)->set_file_name(name);
    absl::Status status = sink_->Deliver(record).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(status.message(),
                HasSubstr("record.document.files[0].file_name"));
  }
  v1::JournalRecord twice = MakeRecord();
  twice.mutable_document()->mutable_files(1)->set_file_name("hoeringsnotat.md");
  EXPECT_THAT(sink_->Deliver(twice).status().message(), HasSubstr("twice"));
  EXPECT_THAT(List(root_), IsEmpty());
}

TEST_F(FileDropSinkTest, FindsTheMunicipality) {
  v1::JournalRecord record = MakeRecord();
  record.clear_name();  // falls back to origin.resource
  record.mutable_origin()->set_resource("municipalities/101/policies/p");
  ASSERT_TRUE(sink_->Deliver(record).ok());
  EXPECT_THAT(List(root_), ElementsAre("101"));

  record.mutable_origin()->set_resource("policies/p");
  EXPECT_EQ(sink_->Deliver(record).status().code(),
            absl::StatusCode::kInvalidArgument);
  record.set_name("municipalities/999/deliveries/1");
  EXPECT_EQ(sink_->Deliver(record).status().code(),
            absl::StatusCode::kInvalidArgument);
  record.set_name("municipalities/../deliveries/1");
  EXPECT_EQ(sink_->Deliver(record).status().code(),
            absl::StatusCode::kInvalidArgument);
  record.set_name("municipalities/169/deliveries/1");
  record.mutable_esdh_case()->clear_case_number();
  EXPECT_EQ(sink_->Deliver(record).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(FileDropSinkTest, FileSystemFailuresAreTemporary) {
  // A file where the municipality's folder should be.
  std::ofstream(root_ + "/169") << "in the way";
  absl::Status status = sink_->Deliver(MakeRecord()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_TRUE(IsTemporary(status));
  EXPECT_THAT(status.message(), HasSubstr(root_ + "/169"));
}

TEST(FileDropSinkOptionsTest, RefusesAMissingRoot) {
  EXPECT_EQ(MakeFileDropSink("").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status status = MakeFileDropSink("/no/such/folder").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("file_drop.root_dir"));
}

}  // namespace
}  // namespace kommune::esdh
