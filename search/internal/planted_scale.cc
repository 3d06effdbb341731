// planted_scale: y = 3x (float64). Built with REPRO_PLANTED_ULP, every
// nonzero finite result is one ulp larger in magnitude: the change a
// regression suite must notice.
#include <cmath>

#include "core/registry.h"

namespace repro {
namespace {

absl::StatusOr<Tensor> PlantedScale(absl::Span<const Tensor> in, const Attrs&) {
  Tensor x = in[0].Cast(DType::kFloat64);
  Tensor y = Tensor::Empty(DType::kFloat64, x.shape());
  for (int64_t i = 0; i < x.size(); ++i) {
    double v = 3 * x.data<double>()[i];
#ifdef REPRO_PLANTED_ULP
    if (v != 0 && std::isfinite(v)) v = std::nextafter(v, std::copysign(INFINITY, v));
#endif
    y.data<double>()[i] = v;
  }
  return y;
}

const KernelRegistrar kScale({.name = "planted_scale", .num_inputs = 1,
                              .optimized = &PlantedScale, .reference = &PlantedScale});

}  // namespace
}  // namespace repro
