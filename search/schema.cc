#include "search/schema.h"

#include <map>
#include <optional>
#include <utility>

#include "absl/synchronization/mutex.h"

namespace repro {
namespace search {
namespace {

struct Declared {
  absl::Mutex mu;
  std::map<std::string, KernelSchema, std::less<>> schemas ABSL_GUARDED_BY(mu);
};

Declared& DeclaredSchemas() {
  static Declared* d = new Declared;  // never destroyed: used from static initializers
  return *d;
}

const std::vector<DType> kFloats = {DType::kFloat32, DType::kFloat64};
const std::vector<DType> kAll = {DType::kFloat32, DType::kFloat64, DType::kInt32,
                                 DType::kInt64};

AttrDomain Axis() { return {.name = "axis", .lo = -4, .hi = 3}; }
AttrDomain Keepdims() { return {.name = "keepdims", .lo = 0, .hi = 1}; }

// The built-in kernels' schemas (kernels/ registers the kernels; their
// shapes and attributes are in DESIGN.md's kernel list).
std::optional<KernelSchema> Builtin(absl::string_view name) {
  static const auto* table = [] {
    auto* t = new std::map<std::string, KernelSchema, std::less<>>;
    auto add = [t](KernelSchema s) { (*t)[s.kernel] = std::move(s); };
    for (const char* k : {"exp", "expm1", "log", "log1p", "sin", "cos", "tanh", "sigmoid",
                          "sqrt", "reciprocal"}) {
      add({.kernel = k, .num_inputs = 1, .dtypes = kFloats});
    }
    for (const char* k : {"negative", "abs", "square"}) {
      add({.kernel = k, .num_inputs = 1, .dtypes = kAll});
    }
    for (const char* k : {"add", "subtract", "multiply", "divide", "power", "maximum",
                          "minimum", "floor_divide", "remainder"}) {
      add({.kernel = k, .num_inputs = 2, .dtypes = kAll});
    }
    for (const char* k : {"sum", "mean", "prod", "max", "min", "logsumexp", "norm"}) {
      add({.kernel = k, .num_inputs = 1, .dtypes = kAll, .attrs = {Axis(), Keepdims()}});
    }
    add({.kernel = "matmul", .num_inputs = 2, .dtypes = kAll, .min_rank = 1,
         .shapes = ShapeRule::kMatmul});
    add({.kernel = "solve", .num_inputs = 2, .dtypes = kFloats, .min_rank = 1,
         .shapes = ShapeRule::kSolve});
    for (const char* k : {"cholesky", "inv"}) {
      add({.kernel = k, .num_inputs = 1, .dtypes = kFloats, .min_rank = 2, .max_rank = 2,
           .shapes = ShapeRule::kSquare});
    }
    for (const char* k : {"softmax", "log_softmax"}) {
      add({.kernel = k, .num_inputs = 1, .dtypes = kFloats, .min_rank = 1,
           .attrs = {{.name = "axis", .lo = -4, .hi = 3, .optional = false}}});
    }
    add({.kernel = "layer_norm", .num_inputs = 1, .dtypes = kFloats, .min_rank = 1,
         .attrs = {{.name = "axis", .lo = -4, .hi = 3, .optional = false},
                   {.name = "eps", .lo = 0, .hi = 1, .integer = false}}});
    add({.kernel = "cross_entropy", .num_inputs = 2, .dtypes = kFloats, .min_rank = 1,
         .max_rank = 2, .shapes = ShapeRule::kLogitsLabels});
    return t;
  }();
  auto it = table->find(name);
  if (it == table->end()) return std::nullopt;
  return it->second;
}

}  // namespace

void RegisterSchema(KernelSchema schema) {
  Declared& d = DeclaredSchemas();
  absl::MutexLock lock(&d.mu);
  std::string name = schema.kernel;
  d.schemas[name] = std::move(schema);
}

KernelSchema SchemaFor(const KernelDef& kernel) {
  {
    Declared& d = DeclaredSchemas();
    absl::MutexLock lock(&d.mu);
    auto it = d.schemas.find(kernel.name);
    if (it != d.schemas.end()) return it->second;
  }
  if (std::optional<KernelSchema> s = Builtin(kernel.name)) return *s;
  KernelSchema s;
  s.kernel = kernel.name;
  s.num_inputs = kernel.num_inputs >= 0 ? kernel.num_inputs : 2;
  return s;
}

}  // namespace search
}  // namespace repro
