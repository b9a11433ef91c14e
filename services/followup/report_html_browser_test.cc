// The HTML report in a real browser: Debian's headless Chromium must load
// it, keep its structure in the DOM and paint a non-blank page of the size
// asked for. Skipped without Chromium unless KOMMUNE_REQUIRE_CHROMIUM=1.
// KOMMUNE_REPORT_SCREENSHOT=/path.png keeps a copy of the screenshot, and
// of the page beside it (/path.png.html), to look at.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/followup/report_builder.h"
#include "services/followup/report_html.h"
#include "services/followup/report_test_data.h"

namespace kommune::followup {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kChromium[] = "/usr/bin/chromium";
constexpr int kWidth = 1200;
constexpr int kHeight = 2000;

bool ChromiumRequired() {
  const char* v = std::getenv("KOMMUNE_REQUIRE_CHROMIUM");
  return v != nullptr && std::string(v) == "1";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

uint32_t BigEndian(const std::string& bytes, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  }
  return v;
}

int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

class ReportHtmlBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kChromium, X_OK) != 0) {
      if (ChromiumRequired()) {
        FAIL() << kChromium << " is missing and KOMMUNE_REQUIRE_CHROMIUM=1";
      }
      GTEST_SKIP() << kChromium << " is missing (apt-get install chromium)";
    }
    std::string pattern = (fs::path(::testing::TempDir()) / "report-XXXXXX");
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }

  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }

  // Runs headless Chromium on `page` with `mode` (--dump-dom or
  // --screenshot=...), in a throwaway profile, killed after a minute.
  // Returns the exit status; *out gets standard output.
  int RunChromium(const fs::path& page, const std::string& mode,
                  std::string* out) {
    fs::path profile = dir_ / absl::StrCat("profile-", ++runs_);
    std::string command = absl::StrCat(
        "timeout 60 ", kChromium,
        " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage"
        " --no-first-run --hide-scrollbars --user-data-dir='",
        profile.string(), "' --window-size=", kWidth, ",", kHeight, " ", mode,
        " 'file://", page.string(), "' 2>'",
        (dir_ / absl::StrCat("stderr-", runs_, ".txt")).string(), "'");
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return -1;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
      out->append(buffer, n);
    }
    int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string Stderr() {
    return ReadFile(dir_ / absl::StrCat("stderr-", runs_, ".txt"));
  }

  // Writes `html`, screenshots it and checks the PNG's signature and size.
  // Returns the PNG's bytes (empty on failure).
  std::string Screenshot(const std::string& name, const std::string& html) {
    fs::path page = dir_ / (name + ".html");
    fs::path png = dir_ / (name + ".png");
    WriteFile(page, html);
    std::string ignored;
    int status = RunChromium(page, absl::StrCat("--screenshot=", png.string()),
                             &ignored);
    EXPECT_EQ(status, 0) << Stderr();
    std::string bytes = ReadFile(png);
    EXPECT_GE(bytes.size(), 24u) << "no screenshot at " << png;
    if (bytes.size() < 24) return "";
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(bytes.substr(12, 4), "IHDR");
    EXPECT_EQ(BigEndian(bytes, 16), static_cast<uint32_t>(kWidth));
    EXPECT_EQ(BigEndian(bytes, 20), static_cast<uint32_t>(kHeight));
    return bytes;
  }

  fs::path dir_;
  int runs_ = 0;
};

v1::FollowUpReport SampleReport() {
  v1::FollowUpReport report = BuildFollowUpReport(
      testdata::MakePolicy(), testdata::MakeIndicators(), testdata::AsOf());
  report.set_display_name("Årlig redegørelse 2009");
  return report;
}

TEST_F(ReportHtmlBrowserTest, DomKeepsHeadingsStatusesAndCharts) {
  fs::path page = dir_ / "report.html";
  WriteFile(page, RenderReportHtml(SampleReport()));
  std::string dom;
  ASSERT_EQ(RunChromium(page, "--dump-dom", &dom), 0) << Stderr();
  EXPECT_THAT(dom, HasSubstr("<html lang=\"da\""));
  EXPECT_THAT(dom, HasSubstr("Årlig redegørelse 2009</h1>"));
  EXPECT_THAT(dom, HasSubstr("Overblik</h2>"));
  EXPECT_THAT(dom, HasSubstr("Beskæftigelse &amp; uddannelse</h2>"));
  EXPECT_THAT(dom, HasSubstr("Børn og unge</h2>"));
  EXPECT_THAT(dom, HasSubstr("Unge med ungdomsuddannelse</h4>"));
  for (const char* word : {"på vej", "i risiko", "ikke på vej"}) {
    EXPECT_THAT(dom, HasSubstr(absl::StrCat("</span> ", word, "</span>")))
        << word;
  }
  // One chart per indicator shown: the count appears under two criteria.
  EXPECT_EQ(CountOf(dom, "<svg"), 4);
  EXPECT_EQ(CountOf(dom, "role=\"img\""), 4);
  EXPECT_EQ(CountOf(dom, "<title id="), 4);
  EXPECT_EQ(CountOf(dom, "<desc id="), 4);
  EXPECT_EQ(CountOf(dom, "<polyline"),
            4 + 1 + 3);  // series, reference, forecast
  EXPECT_THAT(dom, HasSubstr("Sammenligningsgruppe</text>"));
  EXPECT_THAT(dom, Not(HasSubstr("<script")));
}

TEST_F(ReportHtmlBrowserTest, PaintsAPageOfTheRequestedSize) {
  std::string blank =
      Screenshot("blank",
                 "<!DOCTYPE html>\n<html lang=\"da\"><head><meta "
                 "charset=\"utf-8\"><title>Tom</title></head><body></body>"
                 "</html>\n");
  std::string report = Screenshot("report", RenderReportHtml(SampleReport()));
  ASSERT_FALSE(blank.empty());
  ASSERT_FALSE(report.empty());
  // A white page compresses to almost nothing; text and charts do not.
  EXPECT_GT(report.size(), 4 * blank.size() + 20000)
      << "report " << report.size() << " bytes, blank " << blank.size();
  if (const char* keep = std::getenv("KOMMUNE_REPORT_SCREENSHOT")) {
    WriteFile(keep, report);
    WriteFile(absl::StrCat(keep, ".html"), RenderReportHtml(SampleReport()));
  }
}

}  // namespace
}  // namespace kommune::followup
