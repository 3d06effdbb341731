#include "codegen/codegen.h"

#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "codegen/synthesis.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snapshot/profile.h"
#include "snapshot/writer.h"

namespace repro {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

LoadedSnapshot Encode(CallRecord r, CaptureOptions capture = {}) {
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(*EncodeSnapshot(r, capture));
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

// The plan the synthesis search finds for the golden snapshot (plain
// synthesized data, seed 1), written out so that the golden files check
// RenderPackage alone, whatever today's kernels compute.
SynthesisPlan GoldenPlan(const LoadedSnapshot& s) {
  SynthesisPlan plan;
  plan.found = true;
  plan.seed = 1;
  plan.policy = Policy::FromBits(s.root().policy());
  plan.recorded = FailureKind::kDivide;
  plan.note = "synthesized data fails as recorded with seed 1";
  const fb::TensorRecord* in = s.root().inputs()->Get(0);
  plan.inputs.push_back({static_cast<DType>(in->dtype()),
                         Shape(in->shape()->begin(), in->shape()->end()),
                         ProfileFromRecord(*in),
                         {}});
  return plan;
}

// Golden files: regenerate with
//   bazel run //tools:codegen -- --expect=fixed snapshot/testdata/v1_log_divide.fb
//   cp generated/log_aa31dab8/BUILD.bazel codegen/testdata/log_aa31dab8.BUILD.golden
//   cp generated/log_aa31dab8/log_aa31dab8_test.cc codegen/testdata/log_aa31dab8_test.cc.golden
TEST(CodegenTest, RenderPackageMatchesTheGoldenFiles) {
  absl::StatusOr<LoadedSnapshot> s =
      LoadedSnapshot::Load("snapshot/testdata/v1_log_divide.fb");
  ASSERT_TRUE(s.ok());
  absl::StatusOr<GeneratedPackage> p =
      RenderPackage(*s, GoldenPlan(*s), CodegenOptions(), /*triage=*/nullptr);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "log_aa31dab8");
  EXPECT_TRUE(p->exact_replay);
  EXPECT_TRUE(p->synthesized);
  EXPECT_EQ(p->build, ReadFile("codegen/testdata/log_aa31dab8.BUILD.golden"));
  EXPECT_EQ(p->test_cc, ReadFile("codegen/testdata/log_aa31dab8_test.cc.golden"));
  // Only the expectation and the triage's comment change with a triage.
  const Triage caller{Blame::kCaller, "the reference fails the same way"};
  absl::StatusOr<GeneratedPackage> t = RenderPackage(*s, GoldenPlan(*s), CodegenOptions(), &caller);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->expect, testing::Expect::kFailure);
  EXPECT_THAT(t->test_cc, HasSubstr("// Triage: caller. the reference fails the same way.\n"));
}

// GeneratePackage = today's synthesis search + RenderPackage: on the golden
// snapshot the search finds the golden plan.
TEST(CodegenTest, GeneratePackageFindsTheGoldenPlan) {
  absl::StatusOr<LoadedSnapshot> s =
      LoadedSnapshot::Load("snapshot/testdata/v1_log_divide.fb");
  ASSERT_TRUE(s.ok());
  absl::StatusOr<GeneratedPackage> p = GeneratePackage(*s, CodegenOptions());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->test_cc, ReadFile("codegen/testdata/log_aa31dab8_test.cc.golden"));
  EXPECT_EQ(GeneratePackage(*s, CodegenOptions())->test_cc, p->test_cc);  // idempotent
}

TEST(CodegenTest, SynthesisFindsTheShrunkFailingElements) {
  CallRecord r;
  r.kernel = "log";
  Tensor x = Tensor::Empty(DType::kFloat64, {100});
  for (int i = 0; i < 100; ++i) x.data<double>()[i] = 1.0 + i;
  x.data<double>()[37] = 0.0;  // the one failing element
  r.inputs = {x};
  r.outputs = {*Call("log", {x})};
  ClearFpFlags();
  r.failure = FailureKind::kDivide;
  r.bad_count = 1;
  r.bad_indices = {37};
  r.bad_input_values = {0.0};
  SynthesisPlan plan = FindSynthesizedInputs(Encode(r));
  ASSERT_TRUE(plan.found) << plan.note;
  // Either plain synthesized data fails (the profile says one zero) or one
  // literal element is enough.
  EXPECT_LE(plan.inputs[0].overrides.size(), 1u);
  EXPECT_EQ(*testing::RunAndClassify("log", BuildInputs(plan), plan.attrs, plan.policy),
            FailureKind::kDivide);
}

TEST(CodegenTest, AHugeStatsInputIsNotSynthesized) {
  // Found by the consumers fuzzer: a stats snapshot may describe any shape
  // the reader accepts; synthesizing 2^40 elements would not end well.
  CallRecord r;
  r.kernel = "log";
  r.failure = FailureKind::kDivide;
  CaptureOptions stats;
  stats.mode = CaptureMode::kStats;
  r.inputs = {Tensor::Zeros(DType::kFloat64, {4})};
  std::string flat = *EncodeSnapshot(r, stats);
  absl::StatusOr<LoadedSnapshot> small = LoadedSnapshot::Parse(flat);
  ASSERT_TRUE(small.ok());
  // The same snapshot with its shape made huge, through the FlatBuffer.
  std::string buffer = small->flatbuffer();
  auto* shape = fb::GetMutableSnapshot(buffer.data())->mutable_inputs()->GetMutableObject(0)
                    ->mutable_shape();
  shape->Mutate(0, int64_t{1} << 40);
  auto* profile = fb::GetMutableSnapshot(buffer.data())->mutable_inputs()->GetMutableObject(0)
                      ->mutable_profile();
  profile->mutate_count(int64_t{1} << 40);
  absl::StatusOr<LoadedSnapshot> huge = LoadedSnapshot::FromFlatBuffer(buffer);
  ASSERT_TRUE(huge.ok()) << huge.status();
  const SynthesisPlan plan = FindSynthesizedInputs(*huge);
  EXPECT_FALSE(plan.found);
  EXPECT_THAT(plan.note, ::testing::HasSubstr("more than codegen synthesizes"));
}

TEST(CodegenTest, StatsSnapshotGetsOnlyTheSynthesizedTest) {
  CallRecord r;
  r.kernel = "power";
  r.inputs = {Tensor::FromValues<double>({27, 8, -8, 1}, {4}),
              Tensor::FromValues<double>({1.0 / 3}, {})};
  r.failure = FailureKind::kInvalid;
  CaptureOptions stats;
  stats.mode = CaptureMode::kStats;
  absl::StatusOr<GeneratedPackage> p = GeneratePackage(Encode(r, stats), CodegenOptions());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->exact_replay);
  EXPECT_TRUE(p->synthesized) << p->note;
  EXPECT_THAT(p->test_cc, HasSubstr("No ExactReplay"));
  EXPECT_THAT(p->build, Not(HasSubstr("data =")));
  // Plain synthesized data fails (a negative base is in the profile): no
  // element of the original is written as a literal.
  EXPECT_THAT(p->test_cc, Not(HasSubstr("SetElements")));
}

// Issue 13: a test generated from a stats snapshot holds no recorded value,
// in any spelling, for a few elements (statistics withheld) and for many.
TEST(CodegenTest, StatsSnapshotTestContainsNoOriginalValue) {
  for (int64_t n : {3, 40}) {
    std::vector<double> values;
    for (int64_t i = 0; i < n; ++i) values.push_back(std::sqrt(2.0 + i) * (i % 7 == 1 ? -1.0137 : 1.0137));
    CallRecord r;
    r.kernel = "log";
    r.inputs = {Tensor::FromValues<double>(values, {n})};
    r.failure = FailureKind::kInvalid;
    CaptureOptions stats;
    stats.mode = CaptureMode::kStats;
    absl::StatusOr<GeneratedPackage> p = GeneratePackage(Encode(r, stats), CodegenOptions());
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_TRUE(p->synthesized) << p->note;
    for (double v : values) {
      for (const std::string& spelled :
           {absl::StrFormat("%.17g", v), absl::StrFormat("%a", v), absl::StrCat(v),
            absl::StrFormat("%.6g", v)}) {
        EXPECT_THAT(p->test_cc, Not(HasSubstr(spelled))) << n << " elements";
      }
    }
  }
}

TEST(CodegenTest, TriagePinsTheCallersFailureAndExpectsTheKernelsFixed) {
  CallRecord r;
  r.kernel = "log";
  r.inputs = {Tensor::FromValues<double>({0.0, 2.0}, {2})};
  r.failure = FailureKind::kDivide;
  CodegenOptions options;
  options.triage = true;
  absl::StatusOr<GeneratedPackage> p = GeneratePackage(Encode(r), options);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->triage, "caller");
  EXPECT_EQ(p->expect, testing::Expect::kFailure);
  EXPECT_THAT(p->test_cc, HasSubstr("Expect::kFailure"));
  EXPECT_THAT(p->test_cc, HasSubstr("fix the caller"));
  CallRecord crash;
  crash.kernel = "some_user_kernel";
  crash.inputs = {Tensor::Zeros(DType::kFloat64, {2})};
  crash.failure = FailureKind::kCrash;
  p = GeneratePackage(Encode(crash), options);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->triage, "kernel");
  EXPECT_THAT(p->test_cc, HasSubstr("Expect::kFixed"));
}

TEST(CodegenTest, SynthesizedDataKeepsTheRecordedLayout) {
  Tensor base = Tensor::FromValues<double>({1.5, 0.0, 2.5, 3.5, 4.5, 5.5}, {2, 3});
  const int axes[] = {1, 0};
  CallRecord r;
  r.kernel = "log";
  r.inputs = {*base.Transpose(axes)};  // [3, 2], strides {1, 3}
  r.failure = FailureKind::kDivide;
  const LoadedSnapshot snap = Encode(r);
  const SynthesisPlan plan = FindSynthesizedInputs(snap);
  ASSERT_TRUE(plan.found) << plan.note;
  EXPECT_EQ(plan.inputs[0].strides, Shape({1, 3}));
  EXPECT_EQ(BuildInputs(plan)[0].strides(), Shape({1, 3}));
  absl::StatusOr<GeneratedPackage> p = GeneratePackage(snap, CodegenOptions());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->test_cc, HasSubstr("inputs[0] = repro::testing::WithStrides(inputs[0], {1, 3});"));
  // A contiguous input keeps none.
  r.inputs = {base};
  EXPECT_TRUE(FindSynthesizedInputs(Encode(r)).inputs[0].strides.empty());
}

// A Cholesky input that was symmetric and indefinite: look-alike data stays
// symmetric and fails for the recorded reason, also from a stats snapshot.
TEST(CodegenTest, SymmetricMatricesStaySymmetric) {
  std::vector<double> a(36);
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j < 6; ++j) a[i * 6 + j] = std::cos(1.3 * (i + 1) * (j + 1)) * 2.7;
  }
  CallRecord r;
  r.kernel = "cholesky";
  r.inputs = {Tensor::FromValues<double>(a, {6, 6})};
  r.failure = FailureKind::kError;
  CaptureOptions stats;
  stats.mode = CaptureMode::kStats;
  const LoadedSnapshot snap = Encode(r, stats);
  const SynthesisPlan plan = FindSynthesizedInputs(snap);
  ASSERT_TRUE(plan.found) << plan.note;
  EXPECT_TRUE(plan.inputs[0].profile.symmetric);
  EXPECT_TRUE(ComputeProfile(BuildInputs(plan)[0]).symmetric);
  absl::StatusOr<GeneratedPackage> p = GeneratePackage(snap, CodegenOptions());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->test_cc, HasSubstr("inputs[0] = repro::testing::Symmetrized(inputs[0]);"));
}

TEST(CodegenTest, CrashAndUnknownKernelsKeepOnlyTheExactReplay) {
  CallRecord r;
  r.kernel = "some_user_kernel";
  r.inputs = {Tensor::Zeros(DType::kFloat64, {2})};
  r.failure = FailureKind::kCrash;
  absl::StatusOr<GeneratedPackage> p = GeneratePackage(Encode(r), CodegenOptions());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->exact_replay);
  EXPECT_FALSE(p->synthesized);
  EXPECT_THAT(p->test_cc, HasSubstr("No SynthesizedData test: a crash is checked"));
}

// Checks generated C++: `literal` occurs, and once it is taken out, no
// "system(" is left outside comments; no comment has a backslash (which
// would continue it onto the next line); only printable ASCII.
void ExpectSafe(const GeneratedPackage& p, const std::string& literal) {
  if (!literal.empty()) {
    EXPECT_THAT(p.test_cc, HasSubstr(literal));
  }
  std::string code;
  for (absl::string_view line : absl::StrSplit(p.test_cc, '\n')) {
    absl::string_view t = absl::StripLeadingAsciiWhitespace(line);
    if (absl::StartsWith(t, "//")) {
      EXPECT_THAT(std::string(t), Not(HasSubstr("\\"))) << line;
      continue;
    }
    code += std::string(line) + "\n";
  }
  if (!literal.empty()) code = absl::StrReplaceAll(code, {{literal, "LITERAL"}});
  EXPECT_THAT(code, Not(HasSubstr("system("))) << code;
  for (char c : p.test_cc + p.build) {
    const unsigned char u = static_cast<unsigned char>(c);
    EXPECT_TRUE(c == '\n' || (u >= 0x20 && u < 0x7f)) << static_cast<int>(u);
  }
}

const char kHostile[] =
    "evil\"); system(\"rm -rf /\"); //\n*/ ?\?/ \\ \x01\xff\xc3\xa9 #include <x>";

TEST(CodegenTest, HostileKernelNameIsSanitizedAndEscaped) {
  CallRecord r;
  r.kernel = kHostile;
  r.inputs = {Tensor::Zeros(DType::kFloat64, {2})};
  r.failure = FailureKind::kInvalid;
  CodegenOptions o;
  o.kernel_deps = {"//kernels", "//x:y\"\n)"};
  absl::StatusOr<GeneratedPackage> p = GeneratePackage(Encode(r), o);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(std::regex_match(p->name, std::regex("[a-z_][a-z0-9_]*")));
  EXPECT_EQ(p->name.substr(0, 12), "evil_system_");
  ExpectSafe(*p, "");
  EXPECT_THAT(p->build, HasSubstr("\"//x:y\\\"\\012)\""));
}

TEST(CodegenTest, HostileAttributeNameIsAnEscapedLiteral) {
  CallRecord r;
  r.kernel = "log";
  r.attrs.Set(kHostile, 1);
  r.inputs = {Tensor::Zeros(DType::kFloat64, {2})};
  r.failure = FailureKind::kDivide;
  absl::StatusOr<GeneratedPackage> p = GeneratePackage(Encode(r), CodegenOptions());
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->synthesized) << p->note;
  ExpectSafe(*p, CppStringLiteral(kHostile));
}

TEST(CodegenTest, Literals) {
  EXPECT_EQ(CppStringLiteral("a\"b\\c\n?"), "\"a\\\"b\\\\c\\012\\077\"");
  EXPECT_EQ(StarlarkStringLiteral("a\"\n"), "\"a\\\"\\012\"");
  EXPECT_EQ(CommentText("x\\y\nz"), "x?y?z");
  EXPECT_EQ(SanitizeName("123"), "k_123");
  EXPECT_EQ(SanitizeName(""), "k_");
  EXPECT_EQ(SanitizeName("Log Softmax!"), "log_softmax");
}

}  // namespace
}  // namespace repro
