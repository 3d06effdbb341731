#include "search/genome.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace repro {
namespace search {
namespace {

// Probability that a new call breaks its schema, to reach error statuses
// (Pynguin's ML mode ignores constraints with p = 0.25; the kernels here
// reject most broken calls at once, so less is enough).
constexpr double kBreakSchema = 0.1;

// The value as stored in an element of `dtype`: integers saturate, NaN is 0.
template <typename T>
T Convert(double v) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    if (std::isnan(v)) return 0;
    if (v <= static_cast<double>(std::numeric_limits<T>::min())) {
      return std::numeric_limits<T>::min();
    }
    if (v >= static_cast<double>(std::numeric_limits<T>::max())) {
      return std::numeric_limits<T>::max();
    }
    return static_cast<T>(v);
  }
}

// The special values of `dtype`: where kernels change behaviour.
double SpecialValue(DType dtype, Rng& rng) {
  if (!IsFloat(dtype)) {
    const double big = dtype == DType::kInt32 ? 2147483647.0 : 9223372036854775807.0;
    const double values[] = {0, 1, -1, 2, -2, big, -big - 1};
    return values[rng.Below(std::size(values))];
  }
  const bool f32 = dtype == DType::kFloat32;
  const double max = f32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
  const double tiny = f32 ? std::numeric_limits<float>::min() : std::numeric_limits<double>::min();
  const double denorm =
      f32 ? std::numeric_limits<float>::denorm_min() : std::numeric_limits<double>::denorm_min();
  const double eps =
      f32 ? std::numeric_limits<float>::epsilon() : std::numeric_limits<double>::epsilon();
  const double inf = std::numeric_limits<double>::infinity();
  const double values[] = {0.0,      -0.0,    1.0,       -1.0,  inf,        -inf,
                           NAN,      max,     -max,      tiny,  denorm,     1 + eps,
                           1 - eps / 2, 0.5,  -0.5,      2.0};
  return values[rng.Below(std::size(values))];
}

// A value a caller would plausibly pass: signed magnitudes over six decades,
// small integers, or a special value.
double FreshValue(DType dtype, Rng& rng) {
  const double u = rng.Uniform();
  if (u < 0.2) return SpecialValue(dtype, rng);
  if (u < 0.45 || !IsFloat(dtype)) return static_cast<double>(rng.Between(-10, 10));
  const double magnitude = std::pow(10.0, rng.Uniform() * 6 - 3);
  return rng.Chance(0.3) ? -magnitude : magnitude;
}

int64_t RandomDim(Rng& rng) {
  const double u = rng.Uniform();
  if (u < 0.03) return 0;
  if (u < 0.25) return 1;
  if (u < 0.9) return rng.Between(2, 8);
  return rng.Between(9, kMaxDim);
}

// Shrinks the largest dims until `input` holds at most kMaxElements.
void Bound(InputGene* input) {
  while (NumElements(*input) > kMaxElements) {
    int64_t* largest = std::max_element(input->shape, input->shape + input->rank);
    *largest = std::max<int64_t>(1, *largest / 2);
  }
}

void SetShape(InputGene* input, std::initializer_list<int64_t> dims) {
  input->rank = 0;
  for (int64_t d : dims) input->shape[input->rank++] = d;
  Bound(input);
}

InputGene RandomInput(DType dtype, int min_rank, int max_rank, Rng& rng) {
  InputGene in;
  in.dtype = dtype;
  in.rank = static_cast<uint8_t>(rng.Between(min_rank, std::min(max_rank, kMaxRank)));
  for (int d = 0; d < in.rank; ++d) in.shape[d] = RandomDim(rng);
  Bound(&in);
  in.fill = FreshValue(dtype, rng);
  const int overrides = static_cast<int>(rng.Below(3));
  for (int i = 0; i < overrides; ++i) {
    in.override_at[i] = rng.Below(kMaxElements);
    in.override_value[i] = FreshValue(dtype, rng);
  }
  in.num_overrides = static_cast<uint8_t>(overrides);
  if (rng.Chance(0.15)) in.layout = static_cast<Layout>(rng.Between(1, 3));
  return in;
}

// Makes input `i` broadcast with input 0: the same shape, a suffix of it, or
// the same shape with some dims set to 1.
void MakeBroadcastable(CallGene* gene, int i, Rng& rng) {
  const InputGene& a = gene->inputs[0];
  InputGene& b = gene->inputs[i];
  const double u = rng.Uniform();
  const int drop = u < 0.5 ? 0 : static_cast<int>(rng.Below(a.rank + 1));
  b.rank = static_cast<uint8_t>(a.rank - drop);
  for (int d = 0; d < b.rank; ++d) {
    b.shape[d] = (u > 0.75 && rng.Chance(0.5)) ? 1 : a.shape[d + drop];
  }
}

void ApplyShapeRule(CallGene* g, const KernelSchema& schema, Rng& rng) {
  InputGene* in = g->inputs;
  const int64_t n = rng.Between(1, 8), k = rng.Between(1, 8), m = rng.Between(1, 8);
  switch (schema.shapes) {
    case ShapeRule::kBroadcast:
      for (int i = 1; i < g->num_inputs; ++i) {
        if (rng.Chance(0.8)) MakeBroadcastable(g, i, rng);
      }
      return;
    case ShapeRule::kMatmul:
      SetShape(&in[0], {m, k});
      SetShape(&in[1], {k, n});
      return;
    case ShapeRule::kSquare:
      SetShape(&in[0], {n, n});
      return;
    case ShapeRule::kSolve:
      SetShape(&in[0], {n, n});
      if (rng.Chance(0.5)) {
        SetShape(&in[1], {n});
      } else {
        SetShape(&in[1], {n, k});
      }
      return;
    case ShapeRule::kLogitsLabels:
      SetShape(&in[0], {n, k});
      SetShape(&in[1], {n});
      in[1].dtype = DType::kInt64;
      in[1].fill = static_cast<double>(rng.Below(k));
      in[1].num_overrides = 0;
      return;
  }
}

double* PickValue(InputGene* in, Rng& rng, bool may_add) {
  if (may_add && in->num_overrides < kMaxOverrides && rng.Chance(0.4)) {
    const int i = in->num_overrides++;
    in->override_at[i] = rng.Below(std::max<int64_t>(1, NumElements(*in)));
    in->override_value[i] = in->fill;
    return &in->override_value[i];
  }
  if (in->num_overrides == 0 || rng.Chance(0.4)) return &in->fill;
  return &in->override_value[rng.Below(in->num_overrides)];
}

// Scales by 2^k, or pushes the exponent to the top or the bottom of the
// dtype's range (the exponent/significand split of Zou et al., ICSE'15).
double ExponentMove(double v, DType dtype, Rng& rng) {
  const bool f32 = dtype == DType::kFloat32;
  const int emax = f32 ? 127 : 1023, emin = f32 ? -126 : -1022;
  const double sign = std::signbit(v) ? -1 : 1;
  const double u = rng.Uniform();
  if (u < 0.2) return sign * std::ldexp(1.0 + rng.Uniform(), emax - static_cast<int>(rng.Below(8)));
  if (u < 0.4) return sign * std::ldexp(1.0 + rng.Uniform(), emin + static_cast<int>(rng.Below(8)));
  if (v == 0 || !std::isfinite(v)) v = sign;
  int k = 1;
  while (k < 512 && rng.Chance(0.7)) k *= 2;
  return std::ldexp(v, rng.Chance(0.5) ? k : -k);
}

double UlpWalk(double v, DType dtype, Rng& rng) {
  const double to = rng.Chance(0.5) ? INFINITY : -INFINITY;
  const int steps = 1 << rng.Below(6);
  for (int i = 0; i < steps; ++i) {
    v = dtype == DType::kFloat32 ? std::nextafter(static_cast<float>(v), static_cast<float>(to))
                                 : std::nextafter(v, to);
  }
  return v;
}

void MutateShape(CallGene* g, InputGene* in, Rng& rng) {
  const double u = rng.Uniform();
  if (u < 0.2 && in->rank < kMaxRank) {  // append or prepend a dimension
    std::copy_backward(in->shape, in->shape + in->rank, in->shape + in->rank + 1);
    in->shape[0] = rng.Chance(0.7) ? 1 : RandomDim(rng);
    ++in->rank;
  } else if (u < 0.35 && in->rank > 0) {  // drop one
    const int d = static_cast<int>(rng.Below(in->rank));
    std::copy(in->shape + d + 1, in->shape + in->rank, in->shape + d);
    --in->rank;
  } else if (u < 0.5 && in->rank >= 2) {  // swap two
    std::swap(in->shape[rng.Below(in->rank)], in->shape[rng.Below(in->rank)]);
  } else if (in->rank > 0) {  // set one dim to 0, 1, k or another input's
    int64_t& dim = in->shape[rng.Below(in->rank)];
    const InputGene& other = g->inputs[rng.Below(g->num_inputs)];
    const double v = rng.Uniform();
    dim = v < 0.15 ? 0 : v < 0.4 ? 1 : v < 0.7 && other.rank > 0 ? other.shape[rng.Below(other.rank)]
                                                                  : RandomDim(rng);
  }
  Bound(in);
}

void MutateAttr(CallGene* g, const KernelSchema& schema, Rng& rng) {
  const int n = static_cast<int>(std::min<size_t>(schema.attrs.size(), kMaxAttrs));
  if (n == 0) return;
  const int i = static_cast<int>(rng.Below(n));
  const AttrDomain& a = schema.attrs[i];
  const double u = rng.Uniform();
  g->attr_set[i] = true;
  if (u < 0.15 && a.optional) {
    g->attr_set[i] = false;
  } else if (u < 0.45) {  // a boundary
    g->attr_value[i] = rng.Chance(0.5) ? a.lo : a.hi;
  } else if (u < 0.7) {  // out of the domain
    g->attr_value[i] = rng.Chance(0.5) ? a.lo - 1 - rng.Below(4) : a.hi + 1 + rng.Below(4);
  } else if (a.integer) {
    g->attr_value[i] = static_cast<double>(rng.Between(static_cast<int64_t>(a.lo),
                                                       static_cast<int64_t>(a.hi)));
  } else {
    g->attr_value[i] = a.lo + (a.hi - a.lo) * rng.Uniform();
  }
}

}  // namespace

int64_t NumElements(const InputGene& input) {
  int64_t n = 1;
  for (int d = 0; d < input.rank; ++d) n *= input.shape[d];
  return n;
}

double GeneSize(const CallGene& gene) {
  double size = 0;
  for (int i = 0; i < gene.num_inputs; ++i) {
    size += gene.inputs[i].num_overrides + std::log2(1.0 + NumElements(gene.inputs[i]));
  }
  for (bool set : gene.attr_set) size += set ? 1 : 0;
  return size;
}

Call Materialize(const CallGene& gene, const KernelSchema& schema) {
  Call call;
  for (int i = 0; i < gene.num_inputs && i < kMaxInputs; ++i) {
    const InputGene& g = gene.inputs[i];
    const Shape shape(g.shape, g.shape + std::min<int>(g.rank, kMaxRank));
    const int rank = static_cast<int>(shape.size());
    const int64_t n = NumElements(g);
    Tensor t;
    if (g.layout == Layout::kTransposed && rank >= 2) {
      std::vector<int> axes(rank);
      for (int d = 0; d < rank; ++d) axes[d] = rank - 1 - d;
      Shape reversed(shape.rbegin(), shape.rend());
      t = *Tensor::Empty(g.dtype, reversed).Transpose(axes);
    } else if (g.layout == Layout::kStrided && rank >= 1) {
      Shape wide = shape;
      wide.back() *= 2;
      t = *Tensor::Empty(g.dtype, wide).Slice(rank - 1, 0, wide.back(), 2);
    } else if (g.layout == Layout::kOffset) {
      const int64_t flat[] = {n + 1};
      t = *Tensor::Empty(g.dtype, flat).Slice(0, 1, n + 1)->Reshape(shape);
    } else {
      t = Tensor::Empty(g.dtype, shape);
    }
    VisitDType(g.dtype, [&](auto zero) {
      using T = decltype(zero);
      T* p = t.data<T>();
      std::vector<T> values(static_cast<size_t>(n), Convert<T>(g.fill));
      for (int o = 0; o < g.num_overrides && o < kMaxOverrides && n > 0; ++o) {
        values[static_cast<size_t>(g.override_at[o] % n)] = Convert<T>(g.override_value[o]);
      }
      ForEachStrided(t.shape(), t.strides(), [&](int64_t flat, int64_t pos) { p[pos] = values[flat]; });
    });
    call.inputs.push_back(std::move(t));
  }
  for (size_t a = 0; a < schema.attrs.size() && a < kMaxAttrs; ++a) {
    if (gene.attr_set[a]) call.attrs.Set(schema.attrs[a].name, gene.attr_value[a]);
  }
  return call;
}

CallGene RandomGene(const KernelSchema& schema, Rng& rng) {
  CallGene g;
  const bool broken = rng.Chance(kBreakSchema);
  g.num_inputs = static_cast<uint8_t>(std::clamp(schema.num_inputs, 1, kMaxInputs));
  const std::vector<DType>& dtypes = schema.dtypes;
  const DType dtype = broken || dtypes.empty() ? static_cast<DType>(rng.Below(4))
                                               : dtypes[rng.Below(dtypes.size())];
  for (int i = 0; i < g.num_inputs; ++i) {
    g.inputs[i] = broken ? RandomInput(dtype, 0, kMaxRank, rng)
                         : RandomInput(dtype, schema.min_rank, schema.max_rank, rng);
  }
  if (!broken) ApplyShapeRule(&g, schema, rng);
  for (size_t a = 0; a < schema.attrs.size() && a < kMaxAttrs; ++a) {
    if (!schema.attrs[a].optional || rng.Chance(0.5)) {
      MutateAttr(&g, schema, rng);
    }
  }
  return g;
}

void Mutate(CallGene* g, const KernelSchema& schema, Rng& rng, absl::Span<const double> seeds) {
  InputGene* in = &g->inputs[rng.Below(g->num_inputs)];
  // Dynamic seeding (Pynguin reuses seen constants with p = 0.2 * 0.6).
  if (!seeds.empty() && rng.Chance(0.12)) {
    double v = seeds[rng.Below(seeds.size())];
    if (rng.Chance(0.3)) v = std::nextafter(v, rng.Chance(0.5) ? INFINITY : -INFINITY);
    *PickValue(in, rng, true) = v;
    return;
  }
  // Weights: values move most, shapes and types less, attributes when any.
  const double u = rng.Uniform() * (schema.attrs.empty() ? 0.92 : 1.0);
  if (u < 0.14) {
    MutateShape(g, in, rng);
  } else if (u < 0.2) {
    const DType d = rng.Chance(0.7) && !schema.dtypes.empty()
                        ? schema.dtypes[rng.Below(schema.dtypes.size())]
                        : static_cast<DType>(rng.Below(4));
    if (rng.Chance(0.7)) {
      for (int i = 0; i < g->num_inputs; ++i) g->inputs[i].dtype = d;
    } else {
      in->dtype = d;
    }
  } else if (u < 0.25) {
    in->layout = static_cast<Layout>(rng.Below(4));
  } else if (u < 0.45) {
    *PickValue(in, rng, true) = SpecialValue(in->dtype, rng);
  } else if (u < 0.62) {
    double* v = PickValue(in, rng, true);
    *v = ExponentMove(*v, in->dtype, rng);
  } else if (u < 0.72) {
    double* v = PickValue(in, rng, false);
    *v = UlpWalk(*v, in->dtype, rng);
  } else if (u < 0.78) {
    const InputGene& from = g->inputs[rng.Below(g->num_inputs)];
    *PickValue(in, rng, true) = from.fill;
  } else if (u < 0.86) {
    *PickValue(in, rng, true) = FreshValue(in->dtype, rng);
  } else if (u < 0.92) {
    if (in->num_overrides > 0) {
      const int i = static_cast<int>(rng.Below(in->num_overrides));
      --in->num_overrides;
      in->override_at[i] = in->override_at[in->num_overrides];
      in->override_value[i] = in->override_value[in->num_overrides];
    }
  } else {
    MutateAttr(g, schema, rng);
  }
}

CallGene Crossover(const CallGene& a, const CallGene& b, Rng& rng) {
  const bool from_a = rng.Chance(0.5);
  CallGene child = from_a ? a : b;
  const CallGene& other = from_a ? b : a;
  for (int i = 0; i < child.num_inputs && i < other.num_inputs; ++i) {
    if (rng.Chance(0.5)) child.inputs[i] = other.inputs[i];
  }
  return child;
}

std::string DescribeGene(const CallGene& gene, const KernelSchema& schema) {
  static const char* const kLayouts[] = {"", " transposed", " strided", " offset"};
  std::vector<std::string> parts;
  for (int i = 0; i < gene.num_inputs; ++i) {
    const InputGene& in = gene.inputs[i];
    parts.push_back(absl::StrCat(DTypeName(in.dtype), "[",
                                 absl::StrJoin(in.shape, in.shape + in.rank, ","), "]",
                                 kLayouts[static_cast<int>(in.layout) & 3], " fill=", in.fill,
                                 in.num_overrides ? absl::StrCat(" +", in.num_overrides) : ""));
  }
  for (size_t a = 0; a < schema.attrs.size() && a < kMaxAttrs; ++a) {
    if (gene.attr_set[a]) parts.push_back(absl::StrCat(schema.attrs[a].name, "=", gene.attr_value[a]));
  }
  return absl::StrJoin(parts, " ");
}

}  // namespace search
}  // namespace repro
