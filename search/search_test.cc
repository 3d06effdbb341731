#include "search/search.h"

#include <cfloat>
#include <csignal>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "search/findings.h"
#include "search/worker_pool.h"
#include "snapshot/file_system.h"
#include "snapshot/reader.h"

namespace repro {
namespace search {
namespace {

using ::testing::Contains;

const KernelDef& Kernel(const char* name) { return *Registry::Global().Find(name); }

SearchResult SearchFor(const char* kernel, Evaluator& evaluator, int64_t budget = 3000,
                 uint64_t seed = 1) {
  const KernelDef& k = Kernel(kernel);
  SearchOptions options;
  options.seed = seed;
  options.evaluations = budget;
  return RunSearch(k, SchemaFor(k), evaluator, options);
}

std::vector<std::string> Covered(const SearchResult& r) {
  std::vector<std::string> names;
  for (const Finding& f : r.findings) names.push_back(ObjectiveName(f.objective));
  return names;
}

// A finding covers its objective: evaluated again, the call does it again.
void ExpectFindingsHold(const SearchResult& r) {
  const KernelDef& k = Kernel(r.kernel.c_str());
  for (const Finding& f : r.findings) {
    if (f.objective == Objective::kCrash || f.objective == Objective::kHang) continue;
    EXPECT_TRUE(Covers(f.objective, Evaluate(k, SchemaFor(k), f.gene)))
        << r.kernel << " " << ObjectiveName(f.objective) << " " << DescribeGene(f.gene, SchemaFor(k));
  }
}

TEST(Search, FindsTheFailuresOfTheBuiltInKernels) {
  InProcessEvaluator in_process;
  struct Want {
    const char* kernel;
    const char* objective;
  } wants[] = {{"exp", "overflow"},     {"log", "invalid"},       {"log", "divide"},
               {"power", "invalid"},    {"divide", "divide"},     {"floor_divide", "divide"},
               {"matmul", "error"},     {"cholesky", "error"},    {"exp", "underflow"}};
  for (const Want& w : wants) {
    const SearchResult r = SearchFor(w.kernel, in_process);
    EXPECT_THAT(Covered(r), Contains(w.objective)) << w.kernel;
    EXPECT_LE(r.evaluations, 3000);
    ExpectFindingsHold(r);
  }
}

TEST(Search, FloorDivideByAnIntegerZeroIsFound) {
  InProcessEvaluator in_process;
  KernelSchema ints = SchemaFor(Kernel("floor_divide"));
  ints.dtypes = {DType::kInt32, DType::kInt64};
  SearchOptions options;
  options.evaluations = 2000;
  const SearchResult r = RunSearch(Kernel("floor_divide"), ints, in_process, options);
  bool found = false;
  for (const Finding& f : r.findings) {
    if (f.objective != Objective::kDivide) continue;
    const Call call = Materialize(f.gene, ints);
    found = !IsFloat(call.inputs[0].dtype()) && !IsFloat(call.inputs[1].dtype());
  }
  EXPECT_TRUE(found);
}

std::string Signature(const SearchResult& r) {
  std::string s;
  const KernelSchema schema = SchemaFor(Kernel(r.kernel.c_str()));
  for (const Finding& f : r.findings) {
    s += std::string(ObjectiveName(f.objective)) + "|" + f.detail + "|" +
         DescribeGene(f.gene, schema) + "|" + std::to_string(f.evaluation_index) + "\n";
  }
  return s + std::to_string(r.evaluations);
}

TEST(Search, TheSameSeedGivesTheSameFindingsWhateverRunsTheCalls) {
  InProcessEvaluator in_process;
  const SearchResult a = SearchFor("power", in_process, 2000, 42);
  const SearchResult b = SearchFor("power", in_process, 2000, 42);
  EXPECT_EQ(Signature(a), Signature(b));
  EXPECT_NE(Signature(a), Signature(SearchFor("power", in_process, 2000, 43)));
  absl::StatusOr<std::unique_ptr<WorkerPool>> pool = WorkerPool::Start({.workers = 2});
  ASSERT_TRUE(pool.ok()) << pool.status();
  EXPECT_EQ(Signature(a), Signature(SearchFor("power", **pool, 2000, 42)));
}

TEST(Search, RandomOnlyUsesTheSameBudget) {
  InProcessEvaluator in_process;
  SearchOptions options;
  options.evaluations = 500;
  options.random_only = true;
  const SearchResult r = RunSearch(Kernel("log"), SchemaFor(Kernel("log")), in_process, options);
  EXPECT_EQ(r.evaluations, 500);
}

TEST(WorkerPool, TheMasterSurvivesCrashingAndHangingWorkers) {
  absl::StatusOr<std::unique_ptr<WorkerPool>> pool =
      WorkerPool::Start({.workers = 2, .timeout_ms = 100});
  ASSERT_TRUE(pool.ok()) << pool.status();
  const SearchResult crash = SearchFor("planted_crash", **pool, 3000);
  EXPECT_THAT(Covered(crash), Contains("crash"));
  EXPECT_GT(crash.crashes, 0);
  EXPECT_EQ(crash.evaluations, 3000);  // the budget went on after each crash
  for (const Finding& f : crash.findings) {
    if (f.objective == Objective::kCrash) EXPECT_EQ(f.detail, "SIGSEGV");
  }
  const SearchResult hang = SearchFor("planted_hang", **pool, 300);
  EXPECT_THAT(Covered(hang), Contains("hang"));
  EXPECT_GT(hang.hangs, 0);
  EXPECT_EQ(hang.evaluations, 300);
  EXPECT_GE((*pool)->restarts(), crash.crashes + hang.hangs);
  // And the pool still evaluates ordinary calls afterwards.
  EXPECT_THAT(Covered(SearchFor("exp", **pool, 1000)), Contains("overflow"));
}

TEST(Objectives, TracedOperandsGradeOverflow) {
  Evaluation e;  // ran, no flag, no finite output to grade
  const double alone = Fitness(Objective::kOverflow, e);
  auto traced = [&](double x) {
    CallCoverage c;
    SiteRecord isfinite_check;  // |x| compared with the largest double
    isfinite_check.floating = true;
    isfinite_check.a = x;
    isfinite_check.b = DBL_MAX;
    c.sites.push_back(isfinite_check);
    return FitnessWithCoverage(Objective::kOverflow, e, c);
  };
  EXPECT_LT(traced(1e10), alone);
  EXPECT_LT(traced(1e200), traced(1e10));  // nearer overflow, fitter
  EXPECT_GT(traced(1e200), 0);              // not covered: no flag yet
  EXPECT_EQ(FitnessWithCoverage(Objective::kDivide, e, CallCoverage()),
            Fitness(Objective::kDivide, e));
  e.raised = kFpOverflow;
  EXPECT_EQ(traced(1e10), 0);
}

TEST(WorkerPool, RejectsBadOptions) {
  EXPECT_FALSE(WorkerPool::Start({.workers = 0}).ok());
  EXPECT_FALSE(WorkerPool::Start({.workers = 1, .timeout_ms = 0}).ok());
}

TEST(Shrink, KeepsTheObjectiveAndMakesTheCallSmaller) {
  InProcessEvaluator in_process;
  const KernelDef& k = Kernel("log");
  const KernelSchema schema = SchemaFor(k);
  CallGene g;
  g.num_inputs = 1;
  InputGene& in = g.inputs[0];
  in.dtype = DType::kFloat64;
  in.layout = Layout::kTransposed;
  in.rank = 3;
  in.shape[0] = 4, in.shape[1] = 5, in.shape[2] = 6;
  in.fill = 3.7;
  in.num_overrides = 2;
  in.override_at[0] = 17, in.override_value[0] = -2.25;
  in.override_at[1] = 3, in.override_value[1] = 8;
  ASSERT_TRUE(Covers(Objective::kInvalid, Evaluate(k, schema, g)));
  const CallGene s = Shrink(k, schema, in_process, Objective::kInvalid, "", g, 400);
  EXPECT_TRUE(Covers(Objective::kInvalid, Evaluate(k, schema, s)));
  EXPECT_EQ(s.inputs[0].rank, 0) << DescribeGene(s, schema);
  EXPECT_EQ(s.inputs[0].num_overrides, 0) << DescribeGene(s, schema);
  EXPECT_EQ(s.inputs[0].layout, Layout::kContiguous);
  EXPECT_EQ(s.inputs[0].fill, -1) << DescribeGene(s, schema);
}

std::string TempDir() {
  char tmpl[] = "/tmp/search_test.XXXXXX";
  return mkdtemp(tmpl);
}

TEST(WriteFindings, WritesReplayableSnapshotsWithTheSameBytesEachRun) {
  absl::StatusOr<std::unique_ptr<WorkerPool>> pool =
      WorkerPool::Start({.workers = 1, .timeout_ms = 200});
  ASSERT_TRUE(pool.ok());
  std::vector<std::string> bytes[2];
  for (int run = 0; run < 2; ++run) {
    for (const char* kernel : {"exp", "planted_crash", "planted_hang"}) {
      const SearchResult r = SearchFor(kernel, **pool, kernel[0] == 'e' ? 1500 : 300, 5);
      const std::string dir = TempDir();
      absl::StatusOr<std::vector<WrittenFinding>> w = WriteFindings(
          r, Kernel(kernel), SchemaFor(Kernel(kernel)), **pool,
          {.out_dir = dir, .seed = 5, .replay_timeout_seconds = 0.5});
      ASSERT_TRUE(w.ok()) << w.status();
      ASSERT_FALSE(w->empty());
      for (const WrittenFinding& f : *w) {
        ASSERT_FALSE(f.path.empty()) << kernel << " " << ObjectiveName(f.objective) << ": "
                                     << f.dropped;
        absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Load(f.path);
        ASSERT_TRUE(s.ok()) << s.status();
        EXPECT_EQ(s->root().kernel()->str(), kernel);
        EXPECT_EQ(f.objective == Objective::kHang, f.path.find("/hangs/") != std::string::npos);
        bytes[run].push_back(*FileSystem::Default().Read(f.path, 1 << 20));
      }
    }
  }
  EXPECT_EQ(bytes[0], bytes[1]);
}

}  // namespace
}  // namespace search
}  // namespace repro
