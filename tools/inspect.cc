// inspect: what is in a snapshot.
//
//   bazel run //tools:inspect -- [--json] [--npy=DIR] SNAP...
//
// Prints a readable summary (kernel, outcome, inputs with their profiles,
// stack, breadcrumbs, environment); --json prints the whole snapshot as JSON
// through FlatBuffers reflection; --npy=DIR writes every fully captured
// input and output as a .npy file that numpy.load reads. Exits 2 with one
// line on an unreadable snapshot.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "core/dtype.h"
#include "core/failure.h"
#include "core/fp_env.h"
#include "snapshot/file_system.h"
#include "snapshot/reader.h"
#include "tools/cli.h"
#include "tools/snapshot_json.h"
#include "tools/npy.h"

ABSL_FLAG(bool, json, false, "print the whole snapshot as JSON (one line per snapshot)");
ABSL_FLAG(bool, no_data, false, "with --json: leave tensor data out");
ABSL_FLAG(std::string, npy, "", "write inputs and outputs as .npy files into this folder");

namespace repro {
namespace {

constexpr char kTool[] = "inspect";

std::string Shape(const flatbuffers::Vector<int64_t>* v) {
  std::vector<int64_t> s;
  if (v) s.assign(v->begin(), v->end());
  return ShapeToString(s);
}

std::string Num(double v) { return absl::StrFormat("%.6g", v); }

// What a tensor record keeps of its data, in words.
std::string Kept(const fb::TensorRecord& t, bool stats) {
  const size_t sampled = t.sample() ? t.sample()->size() : 0;
  if (stats) return "statistics only (stats capture: no values kept)";
  if (t.partial() && t.digest().has_value()) {
    return absl::StrFormat("left out for its size: digest %016x, %d sampled values",
                           *t.digest(), sampled);
  }
  if (t.partial()) {
    return absl::StrCat("left out (over the byte cap): profile and ", sampled,
                        " sampled values");
  }
  return "full data";
}

void PrintTensor(const char* what, int i, const fb::TensorRecord& t, bool stats) {
  std::printf("  %s %d   %s%s strides %s, %s\n", what, i,
              std::string(DTypeName(static_cast<DType>(t.dtype()))).c_str(),
              Shape(t.shape()).c_str(), Shape(t.strides()).c_str(), Kept(t, stats).c_str());
  const fb::Profile* p = t.profile();
  if (p == nullptr) return;
  if (stats && std::isnan(p->mean())) {  // CoarsenForStats withheld them
    std::printf("             between %s and %s (powers of two), %lld values: too few for "
                "statistics that keep them private\n",
                Num(p->min()).c_str(), Num(p->max()).c_str(), static_cast<long long>(p->count()));
  } else {
    std::printf("             min %s, max %s, mean %s, std %s over %lld values%s\n",
                Num(p->min()).c_str(), Num(p->max()).c_str(), Num(p->mean()).c_str(),
                Num(p->std()).c_str(), static_cast<long long>(p->count()),
                stats ? " (rounded to 4 significant bits)" : "");
  }
  std::printf("             nan %lld, +inf %lld, -inf %lld, zeros %lld, negatives %lld, "
              "subnormals %lld, integers %lld%s\n",
              static_cast<long long>(p->nan()), static_cast<long long>(p->pos_inf()),
              static_cast<long long>(p->neg_inf()), static_cast<long long>(p->zeros()),
              static_cast<long long>(p->negatives()),
              static_cast<long long>(p->subnormals()),
              static_cast<long long>(p->integers()), p->symmetric() ? ", symmetric" : "");
  if (p->quantiles() && p->quantile_levels() && p->quantiles()->size() > 0 &&
      p->quantiles()->size() == p->quantile_levels()->size()) {
    std::vector<std::string> q;
    for (flatbuffers::uoffset_t k = 0; k < p->quantiles()->size(); ++k) {
      q.push_back(absl::StrCat("q", Num(100 * p->quantile_levels()->Get(k)), "=",
                               Num(p->quantiles()->Get(k))));
    }
    std::printf("             %s\n", absl::StrJoin(q, " ").c_str());
  }
}

void PrintText(const std::string& path, const fb::Snapshot& s) {
  std::printf("%s\n", DisplayPath(path).c_str());
  std::vector<std::string> attrs;
  if (s.attrs()) {
    for (const fb::Attr* a : *s.attrs()) {
      attrs.push_back(absl::StrCat(a->name() ? a->name()->str() : "?", "=", Num(a->value())));
    }
  }
  std::printf("  kernel     %s (version %d)%s%s\n", s.kernel()->c_str(), s.kernel_version(),
              attrs.empty() ? "" : ", ", absl::StrJoin(attrs, ", ").c_str());
  const fb::Outcome* o = s.outcome();
  if (o != nullptr) {
    std::printf("  outcome    %s%s", std::string(FailureKindName(static_cast<FailureKind>(o->failure()))).c_str(),
                o->injected() ? " (injected by REPRO_INJECT)" : "");
    if (o->fp_flags()) std::printf(", flags %s", FpFlagsToString(o->fp_flags()).c_str());
    if (o->signal()) std::printf(", signal %d", o->signal());
    std::printf("\n");
    if (o->message() && o->message()->size()) {
      std::printf("             %s\n", o->message()->c_str());
    }
    if (o->bad_count() > 0 && o->bad_indices()) {
      const size_t n_in = s.inputs() ? s.inputs()->size() : 0;
      std::vector<std::string> bad;
      for (flatbuffers::uoffset_t k = 0; k < o->bad_indices()->size() && k < 4; ++k) {
        std::string e = absl::StrCat("[", o->bad_indices()->Get(k), "]");
        if (o->bad_input_values() && o->bad_input_values()->size() >= (k + 1) * n_in) {
          std::vector<std::string> vals;
          for (size_t j = 0; j < n_in; ++j) vals.push_back(Num(o->bad_input_values()->Get(k * n_in + j)));
          absl::StrAppend(&e, " from (", absl::StrJoin(vals, ", "), ")");
        }
        bad.push_back(e);
      }
      std::printf("             %lld bad output element(s): %s\n",
                  static_cast<long long>(o->bad_count()), absl::StrJoin(bad, ", ").c_str());
    }
  }
  const bool stats = s.capture() == fb::Capture_Stats;
  if (s.inputs()) {
    for (flatbuffers::uoffset_t i = 0; i < s.inputs()->size(); ++i) {
      PrintTensor("input", i, *s.inputs()->Get(i), stats);
    }
  }
  if (s.outputs()) {
    for (flatbuffers::uoffset_t i = 0; i < s.outputs()->size(); ++i) {
      PrintTensor("output", i, *s.outputs()->Get(i), stats);
    }
  }
  if (s.stack() && s.stack()->size()) {
    std::printf("  stack\n");
    for (flatbuffers::uoffset_t i = 0; i < s.stack()->size() && i < 12; ++i) {
      std::printf("    #%u %s\n", i, s.stack()->Get(i)->c_str());
    }
  }
  if (s.breadcrumbs() && s.breadcrumbs()->size()) {
    std::vector<std::string> b;
    for (const fb::Breadcrumb* c : *s.breadcrumbs()) {
      b.push_back(absl::StrCat(c->key() ? c->key()->str() : "", "=", c->value() ? c->value()->str() : ""));
    }
    std::printf("  breadcrumbs %s\n", absl::StrJoin(b, ", ").c_str());
  }
  if (const fb::Environment* e = s.environment()) {
    static const char* kRounding[] = {"nearest", "down", "up", "toward-zero"};
    std::printf("  environment %s, %s build, %s, rounding %s, FTZ %s, DAZ %s, %d thread(s)\n",
                e->compiler() ? e->compiler()->c_str() : "?",
                e->build_mode() ? e->build_mode()->c_str() : "?",
                e->cpu_features() ? e->cpu_features()->c_str() : "?",
                e->rounding() < 4 ? kRounding[e->rounding()] : "?",
                e->flush_to_zero() ? "on" : "off", e->denormals_are_zero() ? "on" : "off",
                e->threads());
    if (e->producer() && e->producer()->size() > 0) {
      std::printf("              produced by %s\n", e->producer()->c_str());
    }
    if (e->pid() == 0 && e->time_unix_ms() == 0) {
      // The search leaves them out: its snapshots depend only on the call.
      std::printf("              host, pid and time not recorded\n");
    } else {
      std::printf("              host %s, pid %lld, %s\n", e->host() ? e->host()->c_str() : "?",
                  static_cast<long long>(e->pid()),
                  absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                                   absl::FromUnixMillis(e->time_unix_ms()), absl::UTCTimeZone())
                      .c_str());
    }
  }
  std::printf("  fingerprint %016llx, failed %lld time(s) in the run, %s capture, policy %s\n",
              static_cast<unsigned long long>(s.fingerprint()),
              static_cast<long long>(s.repeat_count()),
              s.capture() == fb::Capture_Stats ? "stats" : "full",
              Policy::FromBits(s.policy()).ToString().c_str());
}


int WriteNpy(const std::string& path, const LoadedSnapshot& snap, const std::string& dir) {
  absl::Status made = FileSystem::Default().CreateDirs(dir);
  if (!made.ok()) FailUsage(kTool, made.message());
  std::string stem = path.substr(path.find_last_of('/') + 1);
  stem = stem.substr(0, stem.rfind('.'));
  int written = 0;
  const struct {
    const char* name;
    const flatbuffers::Vector<flatbuffers::Offset<fb::TensorRecord>>* records;
  } groups[] = {{"input", snap.root().inputs()}, {"output", snap.root().outputs()}};
  for (int g = 0; g < 2; ++g) {
    const auto* records = groups[g].records;
    if (records == nullptr) continue;
    for (flatbuffers::uoffset_t i = 0; i < records->size(); ++i) {
      absl::StatusOr<Tensor> t = TensorFromRecord(*records->Get(i));
      const std::string out = absl::StrCat(dir, "/", stem, "_", groups[g].name, i, ".npy");
      if (!t.ok()) {
        std::fprintf(stderr, "inspect: %s %u: %s; no .npy written\n", groups[g].name, i,
                     std::string(t.status().message()).c_str());
        continue;
      }
      absl::Status s = FileSystem::Default().WriteAtomically(out, NpyBytes(*t));
      if (!s.ok()) FailUsage(kTool, s.message());
      std::printf("wrote %s\n", DisplayPath(out).c_str());
      ++written;
    }
  }
  return written;
}

}  // namespace
}  // namespace repro

int main(int argc, char** argv) {
  using namespace repro;
  std::vector<std::string> args = ParseToolFlags(
      argc, argv, kTool,
      "inspect: shows what a snapshot holds.\n\nUsage: bazel run //tools:inspect -- "
      "[--json [--no_data]] [--npy=DIR] SNAP|DIR...",
      /*stop_at_first_positional=*/false);
  if (args.empty()) FailUsage(kTool, "give snapshot files or folders");
  std::vector<std::string> bad;
  const std::vector<std::string> files = ExpandSnapshotArgs(args, &bad);
  if (files.empty() && bad.empty()) FailUsage(kTool, "no snapshot files (*.fb) found");
  for (const std::string& path : files) {
    absl::StatusOr<LoadedSnapshot> snap = LoadedSnapshot::Load(path);
    if (!snap.ok()) {
      bad.push_back(std::string(snap.status().message()));
      continue;
    }
    if (absl::GetFlag(FLAGS_json)) {
      std::printf("%s\n", SnapshotToJson(*snap, !absl::GetFlag(FLAGS_no_data)).c_str());
    } else if (absl::GetFlag(FLAGS_npy).empty()) {
      PrintText(path, snap->root());
    }
    if (!absl::GetFlag(FLAGS_npy).empty()) {
      WriteNpy(path, *snap, ResolveUserPath(absl::GetFlag(FLAGS_npy)));
    }
  }
  // A bad file is one line each, and the good ones are still shown.
  for (const std::string& b : bad) std::fprintf(stderr, "inspect: %s\n", b.c_str());
  return bad.empty() ? 0 : 2;
}
