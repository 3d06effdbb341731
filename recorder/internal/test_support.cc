#include "recorder/internal/test_support.h"

#include <cmath>
#include <filesystem>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/registry.h"

namespace repro {
namespace recorder_internal {
namespace {

template <double (*F)(double)>
absl::StatusOr<Tensor> Elementwise(absl::Span<const Tensor> in, const Attrs&) {
  const Tensor x = in[0].Contiguous().Cast(DType::kFloat64);
  Tensor out = Tensor::Empty(DType::kFloat64, x.shape());
  for (int64_t i = 0; i < x.size(); ++i) out.data<double>()[i] = F(x.data<double>()[i]);
  return out;
}
double Log(double x) { return std::log(x); }
double Exp(double x) { return std::exp(x); }

absl::StatusOr<Tensor> Add(absl::Span<const Tensor> in, const Attrs&) {
  if (in[0].shape() != in[1].shape()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "test_add: shapes differ: ", in[0].DebugString(), " and ", in[1].DebugString()));
  }
  const Tensor a = in[0].Contiguous(), b = in[1].Contiguous();
  Tensor out = Tensor::Empty(DType::kFloat64, a.shape());
  for (int64_t i = 0; i < a.size(); ++i) {
    out.data<double>()[i] = a.data<double>()[i] + b.data<double>()[i];
  }
  return out;
}

absl::StatusOr<Tensor> Throws(absl::Span<const Tensor>, const Attrs&) {
  throw std::runtime_error("bad thing");
}

absl::StatusOr<Tensor> QuietNan(absl::Span<const Tensor> in, const Attrs&) {
  Tensor out = Tensor::Zeros(DType::kFloat64, in[0].shape());
  out.data<double>()[0] = std::nan("");  // no flag raised
  return out;
}

// Real faults, not UBSan reports, under --config=asan too.
__attribute__((no_sanitize("undefined"))) absl::StatusOr<Tensor> ReadsNull(
    absl::Span<const Tensor> in, const Attrs&) {
  volatile int* p = nullptr;
  return Tensor::FromValues<double>({static_cast<double>(*p)}, {1});
}

// Deep enough to overflow any thread's stack; the volatile frame keeps the
// compiler from turning the recursion into a loop.
__attribute__((noinline)) int64_t Recurse(int64_t depth) {
  volatile char frame[1024];
  frame[0] = static_cast<char>(depth);
  return Recurse(depth + 1) + frame[0];
}
absl::StatusOr<Tensor> OverflowsStack(absl::Span<const Tensor>, const Attrs&) {
  return Tensor::FromValues<double>({static_cast<double>(Recurse(0))}, {1});
}

__attribute__((no_sanitize("undefined"))) absl::StatusOr<Tensor> DividesByZero(
    absl::Span<const Tensor> in, const Attrs&) {
  volatile int64_t zero = static_cast<int64_t>(in[0].GetAsDouble(0) * 0);
  return Tensor::FromValues<double>({static_cast<double>(7 / zero)}, {1});
}

absl::StatusOr<Tensor> Aborts(absl::Span<const Tensor>, const Attrs&) { std::abort(); }

struct Registration {
  Registration() {
    struct {
      const char* name;
      int inputs;
      KernelFn fn;
      bool exact;
    } kernels[] = {
        {"test_log", 1, &Elementwise<Log>, true},
        {"test_exp", 1, &Elementwise<Exp>, true},
        {"test_add", 2, &Add, true},
        {"test_throws", 1, &Throws, true},
        {"test_quiet_nan", 1, &QuietNan, false},
        {"test_reads_null", 1, &ReadsNull, true},
        {"test_overflows_stack", 1, &OverflowsStack, true},
        {"test_divides_by_zero", 1, &DividesByZero, true},
        {"test_aborts", 1, &Aborts, true},
    };
    for (const auto& k : kernels) {
      KernelDef def;
      def.name = k.name;
      def.num_inputs = k.inputs;
      def.optimized = def.reference = k.fn;
      def.exact_fp_flags = k.exact;
      KernelRegistrar registrar(std::move(def));
    }
  }
} registration;

}  // namespace

std::string FreshDir(const std::string& name) {
  const char* t = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(t ? t : "/tmp") + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

Tensor Values(std::initializer_list<double> values) {
  return Tensor::FromValues<double>(std::vector<double>(values),
                                    {static_cast<int64_t>(values.size())});
}

}  // namespace recorder_internal
}  // namespace repro
