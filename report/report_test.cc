#include "report/report.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snapshot/file_system.h"
#include "snapshot/writer.h"

namespace repro {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string TempDir(const std::string& name) {
  const char* t = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(t ? t : "/tmp") + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// log of a zero and a negative value: invalid (NumPy's category order puts
// it before divide), recorded in full.
CallRecord LogRecord() {
  CallRecord r;
  r.kernel = "log";
  r.inputs = {Tensor::FromValues<double>({0.0, -1.0, 2.0, 4.0}, {4})};
  r.outputs = {Tensor::FromValues<double>({-INFINITY, NAN, 0.69, 1.38}, {4})};
  r.failure = FailureKind::kInvalid;
  r.fp_flags = kFpDivide | kFpInvalid;
  r.bad_count = 2;
  r.bad_indices = {0, 1};
  r.bad_input_values = {0.0, -1.0};
  r.bad_output_values = {-INFINITY, NAN};
  r.environment = CurrentEnvironment();
  r.stack = {"main (app+0x1234)", "libc.so.6+0x2724a"};
  r.breadcrumbs = {{"epoch", "<7>"}};
  r.fingerprint = 0x1234;
  r.repeat_count = 3;
  return r;
}

std::string Write(const std::string& dir, const std::string& name, const CallRecord& r,
                  const CaptureOptions& options = CaptureOptions()) {
  const std::string path = dir + "/" + name;
  EXPECT_TRUE(FileSystem::Default().WriteAtomically(path, *EncodeSnapshot(r, options)).ok());
  return path;
}

TEST(ReportTest, IndexRowsTotalsAndTriage) {
  const std::string dir = TempDir("index");
  CallRecord hostile = LogRecord();
  hostile.kernel = "<script>alert(1)</script>";  // a user kernel's name, not linked
  hostile.fingerprint = 0x99;
  const Report report = BuildReport(
      {Write(dir, "log-1.fb", LogRecord()), Write(dir, "hostile.fb", hostile),
       dir + "/missing.fb"},
      ReportOptions());
  ASSERT_EQ(report.entries.size(), 3u);
  // The kernel's reference implementation fails the same way: bad input.
  EXPECT_EQ(report.entries[0].triage, "caller");
  EXPECT_EQ(report.entries[1].triage, "unknown");
  EXPECT_THAT(report.entries[1].triage_detail, HasSubstr("unknown kernel"));
  EXPECT_FALSE(report.entries[2].snapshot.has_value());
  EXPECT_EQ(report.totals.at("invalid"), 6);

  const std::string html = RenderIndex(report);
  EXPECT_EQ(Count(html, "<tr class=\"snapshot\">"), 3);
  EXPECT_THAT(html, HasSubstr("cannot be read"));
  EXPECT_THAT(html, HasSubstr("href=\"snapshots/log-1.fb.html\""));
  EXPECT_THAT(html, HasSubstr("epoch=&lt;7&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(html, HasSubstr("onclick=\"sortTable(this)\""));
  EXPECT_THAT(html, HasSubstr("<h2>By call site</h2>"));
  // Self-contained: nothing is fetched from elsewhere (the SVG namespace
  // is a name, not a fetch).
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
}

TEST(ReportTest, APageDrawsEachInputAndSaysWhatIsMissing) {
  const std::string dir = TempDir("pages");
  CaptureOptions stats;
  stats.mode = CaptureMode::kStats;
  CallRecord big = LogRecord();
  big.outputs = {Tensor::Zeros(DType::kFloat64, {1 << 14})};  // above the output cap
  const Report report = BuildReport(
      {Write(dir, "full.fb", LogRecord()), Write(dir, "stats.fb", LogRecord(), stats),
       Write(dir, "big.fb", big)},
      ReportOptions());
  const std::string full = RenderPage(report.entries[0]);
  // Input: the recorded histogram with the synthesized one overlaid, and the
  // special values; output: the histogram alone.
  EXPECT_EQ(Count(full, "class=\"chart histogram\""), 2);
  EXPECT_EQ(Count(full, "<polyline class=\"overlay\""), 2);
  EXPECT_EQ(Count(full, "class=\"chart bars\""), 2);
  EXPECT_THAT(full, HasSubstr("Bad output elements: 2"));
  EXPECT_THAT(full, HasSubstr("#0 main (app+0x1234)"));
  EXPECT_THAT(full, HasSubstr("<th>compiler</th>"));
  EXPECT_THAT(RenderPage(report.entries[1]), HasSubstr("Statistics only (stats capture)"));
  EXPECT_THAT(RenderPage(report.entries[2]), HasSubstr("keeps a digest"));
}

TEST(ReportTest, WritesTheFolder) {
  const std::string dir = TempDir("folder");
  const Report report = BuildReport({Write(dir, "log-1.fb", LogRecord())}, ReportOptions());
  ASSERT_TRUE(WriteReport(report, dir + "/report").ok());
  EXPECT_TRUE(std::filesystem::exists(dir + "/report/index.html"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/report/snapshots/log-1.fb.html"));
  // A folder that cannot be made: an error naming it.
  std::ofstream(dir + "/file") << "x";
  absl::Status s = WriteReport(report, dir + "/file/report");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("file/report"));
}

}  // namespace
}  // namespace repro
