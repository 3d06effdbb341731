#include "search/findings.h"

#include <cmath>
#include <csignal>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/run_and_classify.h"
#include "replay/worker.h"
#include "snapshot/digest.h"
#include "snapshot/file_system.h"
#include "snapshot/reader.h"
#include "snapshot/writer.h"
#include "xxhash.h"

namespace repro {
namespace search {
namespace {

// How hard a value is to read in a generated test.
double ValueCost(double v) {
  if (v == 0) return 0;
  if (std::fabs(v) == 1) return 0.1;
  if (v == std::round(v) && std::fabs(v) <= 10) return 0.2;
  return 0.3;
}

// What the shrinker lowers: the genome's size, then simpler values, a
// contiguous layout and fewer dims.
double Complexity(const CallGene& g) {
  double c = GeneSize(g);
  for (int i = 0; i < g.num_inputs; ++i) {
    const InputGene& in = g.inputs[i];
    c += ValueCost(in.fill) + (in.layout == Layout::kContiguous ? 0 : 0.5) + 0.05 * in.rank;
    for (int o = 0; o < in.num_overrides; ++o) c += ValueCost(in.override_value[o]);
  }
  return c;
}

// The value with two significant digits.
double Rounded(double v) {
  if (v == 0 || !std::isfinite(v)) return v;
  const double scale = std::pow(10.0, 1 - std::floor(std::log10(std::fabs(v))));
  return std::round(v * scale) / scale;
}

// One round of smaller variants of `g`, simplest first.
std::vector<CallGene> Candidates(const CallGene& g, const KernelSchema& schema) {
  std::vector<CallGene> out;
  const double complexity = Complexity(g);
  auto add = [&](auto&& edit) {
    CallGene c = g;
    edit(c);
    if (Complexity(c) < complexity) out.push_back(c);
  };
  for (size_t a = 0; a < schema.attrs.size() && a < kMaxAttrs; ++a) {
    if (g.attr_set[a] && schema.attrs[a].optional) add([a](CallGene& c) { c.attr_set[a] = false; });
  }
  for (int i = 0; i < g.num_inputs; ++i) {
    const InputGene& in = g.inputs[i];
    add([i](CallGene& c) { c.inputs[i].layout = Layout::kContiguous; });
    for (int o = 0; o < in.num_overrides; ++o) {
      // Drop the override, or make its value the fill and drop it.
      for (bool to_fill : {false, true}) {
        add([i, o, to_fill](CallGene& c) {
          InputGene& x = c.inputs[i];
          if (to_fill) x.fill = x.override_value[o];
          std::copy(x.override_at + o + 1, x.override_at + x.num_overrides, x.override_at + o);
          std::copy(x.override_value + o + 1, x.override_value + x.num_overrides,
                    x.override_value + o);
          --x.num_overrides;
        });
      }
    }
    for (int d = 0; d < in.rank; ++d) {
      add([i, d](CallGene& c) { c.inputs[i].shape[d] = 1; });
      add([i, d](CallGene& c) { c.inputs[i].shape[d] /= 2; });
      add([i, d](CallGene& c) {
        InputGene& x = c.inputs[i];
        std::copy(x.shape + d + 1, x.shape + x.rank, x.shape + d);
        --x.rank;
      });
    }
    for (double v : {0.0, 1.0, -1.0}) add([i, v](CallGene& c) { c.inputs[i].fill = v; });
    add([i](CallGene& c) { c.inputs[i].fill = Rounded(c.inputs[i].fill); });
    for (int o = 0; o < in.num_overrides; ++o) {
      for (double v : {0.0, 1.0, -1.0}) {
        add([i, o, v](CallGene& c) { c.inputs[i].override_value[o] = v; });
      }
      add([i, o](CallGene& c) {
        c.inputs[i].override_value[o] = Rounded(c.inputs[i].override_value[o]);
      });
    }
  }
  return out;
}

uint64_t FingerprintOf(const KernelDef& kernel, Objective objective, const std::string& detail,
                       const Call& call) {
  std::string key = absl::StrCat(kernel.name, "\n", ObjectiveName(objective), "\n", detail);
  for (const Tensor& t : call.inputs) {
    absl::StrAppend(&key, "\n", t.DebugString(), ":", TensorDigest(t));
  }
  for (const Attrs::Attr& a : call.attrs.items()) {
    absl::StrAppend(&key, "\n", a.name, "=", absl::StrFormat("%a", a.value));
  }
  return XXH3_64bits(key.data(), key.size());
}

// The snapshot of a finding; `dropped` says why there is none.
std::string EncodeFinding(const KernelDef& kernel, const KernelSchema& schema,
                          const Finding& f, const CallGene& gene, const FindingOptions& options,
                          std::string* dropped) {
  const Call call = Materialize(gene, schema);
  CallRecord r;
  r.kernel = kernel.name;
  r.kernel_version = kernel.version;
  r.attrs = call.attrs;
  // A NaN or Inf out of finite inputs is recorded as the category its
  // flags say (log(0) is divide); the others as their own category.
  const bool by_flags =
      f.objective == Objective::kNanFromFinite || f.objective == Objective::kInfFromFinite;
  r.policy = by_flags ? AllCategories() : Policy::None().Add(CategoryOf(f.objective));
  r.inputs = call.inputs;
  if (f.objective == Objective::kHang) {
    r.failure = FailureKind::kCrash;
    r.signal = SIGKILL;
    r.message = "hang: no result before the search's deadline; killed";
  } else if (f.objective == Objective::kCrash) {
    r.failure = FailureKind::kCrash;
    r.signal = f.evaluation.signal;
    r.message = absl::StrCat(f.detail, " in the search worker");
  } else {
    CallOutcome o;
    absl::StatusOr<Tensor> out = RunAndClassify(kernel, kernel.optimized, call.inputs,
                                                call.attrs, r.policy, Fault::kNone, &o);
    if (o.failure == FailureKind::kNone) {
      *dropped = "no flag was raised and the output scan found nothing (the kernel "
                 "promises exact flags): there is no category to replay";
      return "";
    }
    if (!by_flags && o.failure != CategoryOf(f.objective)) {
      *dropped = absl::StrCat("run again, the call was classified ", FailureKindName(o.failure));
      return "";
    }
    r.failure = o.failure;
    r.fp_flags = o.raised;
    if (out.ok()) {
      r.outputs.push_back(*std::move(out));
    } else {
      r.message = std::string(out.status().message());
    }
  }
  r.environment = CurrentEnvironment();
  r.environment.time_unix_ms = 0;
  r.environment.pid = 0;
  r.environment.host = "";
  r.breadcrumbs = {{"search.seed", absl::StrCat(options.seed)},
                   {"search.objective", ObjectiveName(f.objective)},
                   {"search.evaluation", absl::StrCat(f.evaluation_index)},
                   {"search.generation", absl::StrCat(f.generation)}};
  if (!f.detail.empty()) r.breadcrumbs.push_back({"search.detail", f.detail});
  r.fingerprint = FingerprintOf(kernel, f.objective, f.detail, call);
  absl::StatusOr<std::string> bytes = EncodeSnapshot(r, CaptureOptions());
  if (!bytes.ok()) {
    *dropped = std::string(bytes.status().message());
    return "";
  }
  return *std::move(bytes);
}

// Whether two fresh replays give the finding's verdict: reproduced, or a
// timeout for a hang.
bool Reproduces(const LoadedSnapshot& snap, Objective objective, const FindingOptions& options,
                std::string* dropped) {
  WorkerOptions replay;
  replay.timeout_seconds = options.replay_timeout_seconds;
  const Verdict wanted = objective == Objective::kHang ? Verdict::kTimeout : Verdict::kReproduced;
  for (int run = 0; run < 2; ++run) {
    absl::StatusOr<ReplayResult> r = ReplayIsolated(snap, replay);
    if (!r.ok() || r->verdict != wanted) {
      *dropped = r.ok() ? absl::StrCat("replay ", run + 1, ": ", VerdictName(r->verdict), " — ",
                                       r->detail)
                        : std::string(r.status().message());
      return false;
    }
  }
  return true;
}

}  // namespace

CallGene Shrink(const KernelDef& kernel, const KernelSchema& schema, Evaluator& evaluator,
                Objective objective, const std::string& detail, const CallGene& gene,
                int budget) {
  CallGene best = gene;
  std::vector<Evaluation> evals;
  while (budget > 0) {
    std::vector<CallGene> candidates = Candidates(best, schema);
    if (candidates.size() > static_cast<size_t>(budget)) candidates.resize(budget);
    if (candidates.empty()) break;
    budget -= static_cast<int>(candidates.size());
    evals.assign(candidates.size(), Evaluation());
    evaluator.EvaluateAll(kernel, schema, candidates, absl::MakeSpan(evals));
    bool improved = false;
    for (size_t i = 0; i < candidates.size() && !improved; ++i) {
      if (Covers(objective, evals[i]) && FindingDetail(objective, evals[i]) == detail) {
        best = candidates[i];
        improved = true;
      }
    }
    if (!improved) break;
  }
  return best;
}

absl::StatusOr<std::vector<WrittenFinding>> WriteFindings(const SearchResult& result,
                                                          const KernelDef& kernel,
                                                          const KernelSchema& schema,
                                                          Evaluator& evaluator,
                                                          const FindingOptions& options) {
  std::vector<WrittenFinding> written;
  FileSystem& fs = FileSystem::Default();
  for (const Finding& f : result.findings) {
    WrittenFinding w;
    w.objective = f.objective;
    w.detail = f.detail;
    w.first_covered_at = f.first_covered_at;
    // A hang costs a deadline per candidate: it is kept as found.
    const CallGene gene =
        f.objective == Objective::kHang
            ? f.gene
            : Shrink(kernel, schema, evaluator, f.objective, f.detail, f.gene,
                     options.shrink_evaluations);
    w.call = DescribeGene(gene, schema);
    const std::string bytes = EncodeFinding(kernel, schema, f, gene, options, &w.dropped);
    // Parsed once: replayed, and named by its fingerprint.
    absl::StatusOr<LoadedSnapshot> snap = LoadedSnapshot::Parse(bytes);
    if (!bytes.empty() && !snap.ok()) {
      w.dropped = absl::StrCat("the snapshot does not verify: ", snap.status().message());
    }
    if (!bytes.empty() && snap.ok() && Reproduces(*snap, f.objective, options, &w.dropped)) {
      const std::string dir =
          f.objective == Objective::kHang ? absl::StrCat(options.out_dir, "/hangs") : options.out_dir;
      if (absl::Status s = fs.CreateDirs(dir); !s.ok()) return s;
      w.path = absl::StrFormat("%s/%s-%s-%016x.fb", dir, kernel.name, ObjectiveName(f.objective),
                               snap->root().fingerprint());
      if (absl::Status s = fs.WriteAtomically(w.path, bytes); !s.ok()) return s;
    }
    written.push_back(std::move(w));
  }
  return written;
}

}  // namespace search
}  // namespace repro
