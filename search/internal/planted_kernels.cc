// Test kernels with failures planted behind conditions random calls rarely
// meet, for the search's tests and its evaluation (docs/search.md):
//
//   planted_crash  SIGSEGV for a matrix (rank 2) holding a value above
//                  1e300 in magnitude (an infinity too)
//   planted_hang   never returns for 4 or more elements holding a NaN
//   planted_window the overflow flag for a value in [41.5, 41.500001]: a
//                  window random values miss and nothing observable leads
//                  to, but for the operands of the comparisons themselves
//                  (the guided search, --config=search)
//   planted_constant the overflow flag for exactly 41.5 (an exact
//                  floating-point constant)
//   planted_integer an error status for an integer element equal to 31337
//                  (an integer equality; integer inputs only)
#include <cmath>
#include <csignal>

#include "absl/status/status.h"
#include "core/fp_env.h"
#include "core/registry.h"
#include "search/schema.h"

namespace repro {
namespace search {
namespace {

template <typename Pred>
bool AnyElement(const Tensor& x, Pred pred) {
  for (int64_t i = 0; i < x.size(); ++i) {
    if (pred(x.GetAsDouble(i))) return true;
  }
  return false;
}

absl::StatusOr<Tensor> PlantedCrash(absl::Span<const Tensor> in, const Attrs&) {
  const Tensor& x = in[0];
  if (x.rank() == 2 && AnyElement(x, [](double v) { return std::fabs(v) > 1e300; })) {
    raise(SIGSEGV);
  }
  return x.Contiguous();
}

absl::StatusOr<Tensor> PlantedHang(absl::Span<const Tensor> in, const Attrs&) {
  const Tensor& x = in[0];
  if (x.size() >= 4 && AnyElement(x, [](double v) { return std::isnan(v); })) {
    for (volatile int spin = 0;; spin = spin + 1) {
    }
  }
  return x.Contiguous();
}

absl::StatusOr<Tensor> PlantedWindow(absl::Span<const Tensor> in, const Attrs&) {
  const Tensor& x = in[0];
  if (AnyElement(x, [](double v) { return v >= 41.5 && v <= 41.500001; })) {
    RaiseFpFlags(kFpOverflow);
  }
  return x.Contiguous();
}

absl::StatusOr<Tensor> PlantedConstant(absl::Span<const Tensor> in, const Attrs&) {
  const Tensor& x = in[0];
  if (AnyElement(x, [](double v) { return v == 41.5; })) RaiseFpFlags(kFpOverflow);
  return x.Contiguous();
}

absl::StatusOr<Tensor> PlantedInteger(absl::Span<const Tensor> in, const Attrs&) {
  const Tensor x = in[0].Cast(DType::kInt64);
  for (int64_t i = 0; i < x.size(); ++i) {
    if (x.data<int64_t>()[i] == 31337) {
      return absl::InvalidArgumentError("planted_integer: the magic value");
    }
  }
  return in[0].Contiguous();
}

const KernelRegistrar kCrash({.name = "planted_crash", .num_inputs = 1,
                              .optimized = &PlantedCrash, .reference = &PlantedCrash});
const KernelRegistrar kHang({.name = "planted_hang", .num_inputs = 1,
                             .optimized = &PlantedHang, .reference = &PlantedHang});
const KernelRegistrar kWindow({.name = "planted_window", .num_inputs = 1,
                               .optimized = &PlantedWindow, .reference = &PlantedWindow});
const KernelRegistrar kConstant({.name = "planted_constant", .num_inputs = 1,
                                 .optimized = &PlantedConstant, .reference = &PlantedConstant});
const KernelRegistrar kInteger({.name = "planted_integer", .num_inputs = 1,
                                .optimized = &PlantedInteger, .reference = &PlantedInteger});
const SchemaRegistrar kIntegerSchema({.kernel = "planted_integer",
                                      .num_inputs = 1,
                                      .dtypes = {DType::kInt32, DType::kInt64}});

}  // namespace
}  // namespace search
}  // namespace repro
