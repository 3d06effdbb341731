// search: finds calls of registered kernels that fail, and writes them as
// snapshots that codegen turns into tests.
//
//   bazel run //tools:search -- --kernel=NAME[,NAME...]|--all [--out=DIR]
//       [--seed=S] [--evaluations=N] [--workers=K] [--json]
//
// Per kernel: a DynaMOSA search (search/search.h) in crash-isolated workers,
// then each finding shrunk, replayed twice and written to --out (hangs to
// --out/hangs). Prints a progress line on a terminal, a table per kernel
// (or one JSON object with --json). Exit code 0, or 2 for bad usage (one
// line on stderr). The same --seed and --evaluations give the same files.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "codegen/suite.h"
#include "core/registry.h"
#include "search/findings.h"
#include "search/schema.h"
#include "search/search.h"
#include "search/worker_pool.h"
#include "snapshot/file_system.h"
#include "tools/cli.h"
#include "tools/json.h"

ABSL_FLAG(std::string, kernel, "", "kernels to search, comma-separated");
ABSL_FLAG(bool, all, false, "search every registered kernel");
ABSL_FLAG(std::string, out, "found", "folder for the snapshots of the findings");
ABSL_FLAG(uint64_t, seed, 1, "random seed: the same seed gives the same findings");
ABSL_FLAG(int64_t, evaluations, 5000, "evaluation budget per kernel");
ABSL_FLAG(int, workers, 1, "worker processes that run the calls");
ABSL_FLAG(int, timeout_ms, 1000, "a call running longer is a hang");
ABSL_FLAG(double, max_seconds, 0,
          "wall-clock cap per kernel (0: none); a run it stops is marked incomplete");
ABSL_FLAG(bool, random, false, "pure random search with the same budget (the baseline)");
ABSL_FLAG(bool, json, false, "print one JSON object instead of the table");
ABSL_FLAG(bool, coverage, false,
          "list every comparison site with its source line and the outcomes covered "
          "(kernels built with --config=search)");
ABSL_FLAG(bool, compare_random, false,
          "with --coverage: also run random search with the same budget and mark each "
          "covered outcome that random search reached too");
ABSL_FLAG(bool, suite, false,
          "also write a regression suite per kernel (calls that pass, their outputs, flags and "
          "relations) to OUT/suites/KERNEL_suite");
ABSL_FLAG(double, suite_max_ulp, 0,
          "ulps a suite lets an output move before it is red (0: bit-identical)");
ABSL_FLAG(std::string, kernel_deps, "//kernels",
          "comma-separated Bazel labels of the kernel libraries the suites link");
ABSL_FLAG(bool, bazel_shard, false,
          "run as a shard of repro_search_test (search/search.bzl): --seed plus the shard's "
          "index, findings into TEST_UNDECLARED_OUTPUTS_DIR/--out");

namespace repro {
namespace {

constexpr char kTool[] = "search";

std::vector<const KernelDef*> KernelsToSearch() {
  const std::string names = absl::GetFlag(FLAGS_kernel);
  const bool all = absl::GetFlag(FLAGS_all);
  if (names.empty() == !all) FailUsage(kTool, "give --kernel=NAME[,NAME...] or --all");
  std::vector<const KernelDef*> kernels;
  const std::vector<std::string> list =
      all ? Registry::Global().Names()
          : std::vector<std::string>(absl::StrSplit(names, ',', absl::SkipWhitespace()));
  for (const std::string& name : list) {
    absl::StatusOr<const KernelDef*> k = Registry::Global().Lookup(name);
    if (!k.ok()) FailUsage(kTool, absl::StrCat("--kernel: ", k.status().message()));
    kernels.push_back(*k);
  }
  return kernels;
}

// Where a run under `bazel test` stands: its shard and its outputs folder.
struct BazelShard {
  uint64_t index = 0;
  std::string outputs_dir;
};

// Reads Bazel's test environment; touches TEST_SHARD_STATUS_FILE, which
// tells Bazel that the test shards. InvalidArgument outside `bazel test`
// or for a malformed value.
absl::StatusOr<BazelShard> BazelTestShard() {
  BazelShard shard;
  const char* outputs = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (outputs == nullptr || *outputs == '\0') {
    return absl::InvalidArgumentError(
        "--bazel_shard: TEST_UNDECLARED_OUTPUTS_DIR is not set (not under bazel test)");
  }
  shard.outputs_dir = outputs;
  if (const char* index = std::getenv("TEST_SHARD_INDEX"); index != nullptr) {
    if (!absl::SimpleAtoi(index, &shard.index)) {
      return absl::InvalidArgumentError(absl::StrCat("TEST_SHARD_INDEX: not a number: ", index));
    }
  }
  if (const char* status = std::getenv("TEST_SHARD_STATUS_FILE"); status != nullptr) {
    if (std::FILE* f = std::fopen(status, "w")) std::fclose(f);
  }
  return shard;
}

struct KernelReport {
  uint64_t seed = 0;
  search::SearchResult result;
  std::vector<search::WrittenFinding> written;
  // With --compare_random: the outcomes random search covered, by site.
  std::map<uint64_t, uint8_t> random_outcomes;
  // With --suite: the package written (or why none was), and its summary.
  std::string suite_dir, suite_error;
  GeneratedSuite suite;
};

// Writes the regression suite of `report`'s passing calls, linking
// `kernel_deps`, under OUT/suites/; the outcome goes into `report`.
void WriteSuite(const KernelDef& kernel, const search::KernelSchema& schema,
                const std::vector<std::string>& kernel_deps, const std::string& out,
                KernelReport* report) {
  std::vector<SuiteCall> calls;
  for (const search::PassingCall& p : report->result.passing) {
    search::Call call = search::Materialize(p.gene, schema);
    calls.push_back({std::move(call.inputs), std::move(call.attrs),
                     absl::StrCat("search seed ", report->seed, ", evaluation ",
                                  p.evaluation_index, ": ",
                                  search::DescribeGene(p.gene, schema))});
  }
  SuiteOptions options;
  options.max_ulp = absl::GetFlag(FLAGS_suite_max_ulp);
  options.kernel_deps = kernel_deps;
  absl::StatusOr<GeneratedSuite> suite = GenerateSuite(kernel, calls, options);
  if (!suite.ok()) {
    report->suite_error = std::string(suite.status().message());
    return;
  }
  const std::string dir = absl::StrCat(out, "/suites/", suite->name);
  FileSystem& fs = FileSystem::Default();
  absl::Status s = fs.CreateDirs(dir);
  if (s.ok()) s = fs.WriteAtomically(dir + "/BUILD.bazel", suite->build);
  if (s.ok()) s = fs.WriteAtomically(absl::StrCat(dir, "/", suite->name, "_test.cc"), suite->test_cc);
  if (!s.ok()) FailUsage(kTool, s.message());  // the output folder is unusable
  report->suite_dir = dir;
  report->suite = *std::move(suite);
}

// "file:line function" of each pc, by addr2line on the module that holds
// it (abseil's symbolizer gives no lines). "?" where unknown.
std::vector<std::string> SourceLines(const std::vector<uint64_t>& pcs) {
  std::vector<std::string> out(pcs.size(), "?");
  std::map<std::string, std::vector<size_t>> by_module;
  std::vector<uint64_t> offsets(pcs.size());
  for (size_t i = 0; i < pcs.size(); ++i) {
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(pcs[i]), &info) == 0 || info.dli_fname == nullptr) continue;
    // The return address follows the call: one byte back is the call.
    offsets[i] = pcs[i] - 1 - reinterpret_cast<uint64_t>(info.dli_fbase);
    by_module[info.dli_fname].push_back(i);
  }
  for (const auto& [module, indices] : by_module) {
    // The module's path single-quoted for the shell, its quotes escaped.
    std::string command = absl::StrCat("addr2line -C -f -e '",
                                       absl::StrReplaceAll(module, {{"'", "'\\''"}}), "'");
    for (size_t i : indices) absl::StrAppend(&command, absl::StrFormat(" 0x%x", offsets[i]));
    std::FILE* p = popen(command.c_str(), "r");
    if (p == nullptr) continue;
    char function[4096], line[4096];
    for (size_t i : indices) {
      if (!std::fgets(function, sizeof(function), p) || !std::fgets(line, sizeof(line), p)) break;
      // The function without its parameters and template arguments.
      std::string f = absl::StrReplaceAll(absl::StripTrailingAsciiWhitespace(function),
                                          {{"(anonymous namespace)::", ""}});
      f = f.substr(0, std::min(f.find('('), f.find('<')));
      absl::string_view l = absl::StripTrailingAsciiWhitespace(line);
      l = l.substr(l.rfind('/') == absl::string_view::npos ? 0 : l.rfind('/') + 1);
      out[i] = absl::StrCat(l, " ", f);
    }
    pclose(p);
  }
  return out;
}

// Each comparison site's source line and outcomes; with --compare_random,
// a covered outcome random search did not reach is marked "(only)".
void PrintCoverage(const KernelReport& k) {
  const search::SearchResult& r = k.result;
  const bool compare = absl::GetFlag(FLAGS_compare_random);
  std::vector<uint64_t> pcs;
  for (const auto& s : r.sites) pcs.push_back(s.pc);
  const std::vector<std::string> lines = SourceLines(pcs);
  static const char* const kOutcome[] = {"<", "==", ">", "unordered"};
  for (size_t i = 0; i < r.sites.size(); ++i) {
    std::vector<std::string> taken, missed;
    const int outcomes = r.sites[i].floating ? search::kNumOutcomes : search::kUnordered;
    auto it = k.random_outcomes.find(r.sites[i].pc);
    const uint8_t by_random = it == k.random_outcomes.end() ? 0 : it->second;
    for (int o = 0; o < outcomes; ++o) {
      if (r.sites[i].outcomes & (1u << o)) {
        taken.push_back(absl::StrCat(kOutcome[o],
                                     compare && !(by_random & (1u << o)) ? " (only)" : ""));
      } else {
        missed.push_back(kOutcome[o]);
      }
    }
    std::printf("    %s: covered %s; not %s\n", lines[i].c_str(),
                taken.empty() ? "none" : absl::StrJoin(taken, " ").c_str(),
                missed.empty() ? "-" : absl::StrJoin(missed, " ").c_str());
  }
}

void PrintTable(const std::vector<KernelReport>& reports, const std::string& out) {
  std::printf("%-16s %9s %12s %11s %8s %6s %9s\n", "kernel", "covered", "evaluations",
              "first at", "crashes", "hangs", "written");
  int written = 0, dropped = 0;
  for (const KernelReport& k : reports) {
    int w = 0;
    for (const search::WrittenFinding& f : k.written) w += !f.path.empty();
    written += w;
    dropped += static_cast<int>(k.written.size()) - w;
    const std::string first =
        k.result.first_finding_at < 0 ? "-" : absl::StrCat(k.result.first_finding_at);
    std::printf("%-16s %6d/%-2d %12lld %11s %8lld %6lld %9d%s\n", k.result.kernel.c_str(),
                k.result.covered, search::kNumObjectives,
                static_cast<long long>(k.result.evaluations), first.c_str(),
                static_cast<long long>(k.result.crashes), static_cast<long long>(k.result.hangs),
                w, k.result.incomplete ? "  (incomplete: --max_seconds)" : "");
    if (!k.result.sites.empty()) {
      std::printf("  coverage: %d comparison sites, %d of %d outcomes, %lld edges\n",
                  static_cast<int>(k.result.sites.size()), k.result.OutcomesCovered(),
                  k.result.Outcomes(),
                  static_cast<long long>(k.result.edges));
      if (absl::GetFlag(FLAGS_coverage)) PrintCoverage(k);
    }
    if (!k.suite_dir.empty()) {
      std::printf("  suite: %s  (%d calls; %d vacuous, left out)\n",
                  DisplayPath(k.suite_dir).c_str(), k.suite.kept, k.suite.vacuous);
      for (const std::string& b : k.suite.broken_relations) {
        std::printf("    relation does not hold: %s\n", b.c_str());
      }
    } else if (!k.suite_error.empty()) {
      std::printf("  suite: none: %s\n", k.suite_error.c_str());
    }
    for (const search::WrittenFinding& f : k.written) {
      const std::string what =
          f.detail.empty() ? search::ObjectiveName(f.objective)
                           : absl::StrCat(search::ObjectiveName(f.objective), " (", f.detail, ")");
      std::printf("  %-40s %s\n", what.c_str(),
                  f.path.empty() ? absl::StrCat("dropped: ", f.dropped).c_str()
                                 : absl::StrCat(DisplayPath(f.path), "  ", f.call).c_str());
    }
  }
  std::printf("search: %d finding(s) written to %s", written, DisplayPath(out).c_str());
  if (dropped) std::printf(", %d dropped (did not replay)", dropped);
  std::printf("\n");
}

void PrintJson(const std::vector<KernelReport>& reports) {
  JsonWriter j;
  j.Key("seed").String(absl::StrCat(reports.empty() ? 0 : reports[0].seed));
  j.Key("evaluations_per_kernel").Int(absl::GetFlag(FLAGS_evaluations));
  j.Key("kernels").BeginArray();
  for (const KernelReport& k : reports) {
    j.BeginObject();
    j.Key("kernel").String(k.result.kernel);
    j.Key("covered").Int(k.result.covered).Key("objectives").Int(search::kNumObjectives);
    j.Key("evaluations").Int(k.result.evaluations);
    j.Key("first_finding_at").Int(k.result.first_finding_at);
    j.Key("crashes").Int(k.result.crashes).Key("hangs").Int(k.result.hangs);
    j.Key("incomplete").Bool(k.result.incomplete);
    j.Key("comparison_sites").Int(static_cast<int64_t>(k.result.sites.size()));
    j.Key("outcomes").Int(k.result.Outcomes());
    j.Key("outcomes_covered").Int(k.result.OutcomesCovered());
    j.Key("edges").Int(k.result.edges);
    if (!k.suite_dir.empty()) {
      j.Key("suite").BeginObject();
      j.Key("dir").String(DisplayPath(k.suite_dir)).Key("calls").Int(k.suite.kept);
      j.Key("vacuous").Int(k.suite.vacuous);
      j.Key("broken_relations").BeginArray();
      for (const std::string& b : k.suite.broken_relations) j.String(b);
      j.EndArray();
      j.EndObject();
    }
    j.Key("findings").BeginArray();
    for (const search::WrittenFinding& f : k.written) {
      j.BeginObject();
      j.Key("objective").String(search::ObjectiveName(f.objective));
      j.Key("detail").String(f.detail);
      j.Key("call").String(f.call);
      j.Key("first_covered_at").Int(f.first_covered_at);
      if (f.path.empty()) {
        j.Key("dropped").String(f.dropped);
      } else {
        j.Key("snapshot").String(DisplayPath(f.path));
      }
      j.EndObject();
    }
    j.EndArray();
    j.EndObject();
  }
  j.EndArray();
  std::printf("%s\n", j.Finish().c_str());
}

int Run(const std::vector<std::string>& args) {
  if (!args.empty()) FailUsage(kTool, absl::StrCat("unexpected argument '", args[0], "'"));
  const std::vector<const KernelDef*> kernels = KernelsToSearch();
  if (absl::GetFlag(FLAGS_evaluations) < 1) FailUsage(kTool, "--evaluations must be at least 1");
  if (absl::GetFlag(FLAGS_workers) < 1 || absl::GetFlag(FLAGS_workers) > 256) {
    FailUsage(kTool, "--workers must be between 1 and 256");
  }
  if (absl::GetFlag(FLAGS_timeout_ms) < 1) FailUsage(kTool, "--timeout_ms must be positive");
  if (absl::GetFlag(FLAGS_max_seconds) < 0) FailUsage(kTool, "--max_seconds must be >= 0");
  const std::vector<std::string> kernel_deps =
      KernelDepsOrDie(kTool, absl::GetFlag(FLAGS_kernel_deps));
  std::string out = ResolveUserPath(absl::GetFlag(FLAGS_out));
  if (out.empty()) FailUsage(kTool, "--out must name a folder");
  uint64_t seed = absl::GetFlag(FLAGS_seed);
  if (absl::GetFlag(FLAGS_bazel_shard)) {  // repro_search_test (search/search.bzl)
    absl::StatusOr<BazelShard> shard = BazelTestShard();
    if (!shard.ok()) FailUsage(kTool, shard.status().message());
    seed += shard->index;
    out = absl::StrCat(shard->outputs_dir, "/", absl::GetFlag(FLAGS_out));
  }
  // The search never records its own calls, even when REPRO_RECORD is set.
  InstallMonitor(nullptr);
  absl::StatusOr<std::unique_ptr<search::WorkerPool>> pool = search::WorkerPool::Start(
      {.workers = absl::GetFlag(FLAGS_workers), .timeout_ms = absl::GetFlag(FLAGS_timeout_ms)});
  if (!pool.ok()) FailUsage(kTool, pool.status().message());
  const bool progress = isatty(STDERR_FILENO);
  std::vector<KernelReport> reports;
  for (const KernelDef* kernel : kernels) {
    const search::KernelSchema schema = search::SchemaFor(*kernel);
    search::SearchOptions options;
    options.seed = seed;
    options.evaluations = absl::GetFlag(FLAGS_evaluations);
    options.max_seconds = absl::GetFlag(FLAGS_max_seconds);
    options.random_only = absl::GetFlag(FLAGS_random);
    if (progress) {
      options.progress = [kernel](const search::SearchProgress& p) {
        std::fprintf(stderr, "\rsearch: %s %lld/%lld evaluations, %d/%d objectives\033[K",
                     kernel->name.c_str(), static_cast<long long>(p.evaluations),
                     static_cast<long long>(absl::GetFlag(FLAGS_evaluations)), p.covered,
                     p.objectives);
      };
    }
    KernelReport report;
    report.seed = seed;
    report.result = search::RunSearch(*kernel, schema, **pool, options);
    if (absl::GetFlag(FLAGS_compare_random) && !options.random_only) {
      search::SearchOptions random = options;
      random.random_only = true;
      random.progress = nullptr;
      for (const auto& site : search::RunSearch(*kernel, schema, **pool, random).sites) {
        report.random_outcomes[site.pc] = site.outcomes;
      }
    }
    if (progress) std::fprintf(stderr, "\rsearch: %s: shrinking and replaying the findings\033[K", kernel->name.c_str());
    absl::StatusOr<std::vector<search::WrittenFinding>> written = search::WriteFindings(
        report.result, *kernel, schema, **pool,
        {.out_dir = out,
         .seed = options.seed,
         .replay_timeout_seconds = 2.0 * absl::GetFlag(FLAGS_timeout_ms) / 1000});
    if (progress) std::fprintf(stderr, "\r\033[K");
    if (!written.ok()) FailUsage(kTool, written.status().message());
    report.written = *std::move(written);
    if (absl::GetFlag(FLAGS_suite)) WriteSuite(*kernel, schema, kernel_deps, out, &report);
    reports.push_back(std::move(report));
  }
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(reports);
  } else {
    PrintTable(reports, out);
  }
  return 0;
}

}  // namespace
}  // namespace repro

int main(int argc, char** argv) {
  std::vector<std::string> args = repro::ParseToolFlags(
      argc, argv, repro::kTool,
      "search: finds failing calls of registered kernels and writes them as snapshots.\n\n"
      "Usage: bazel run //tools:search -- --kernel=NAME[,NAME...]|--all [flags]\n"
      "Exit code: 0 done (findings or not), 2 bad usage.",
      /*stop_at_first_positional=*/false);
  return repro::Run(args);
}
