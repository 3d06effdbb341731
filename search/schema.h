// Kernel schemas: what a kernel accepts, so that the search builds calls the
// kernel can run (Pynguin's "test cluster"), and breaks them on purpose now
// and then to reach the kernel's error statuses.
//
// The built-in kernels declare theirs here; a user kernel can declare its
// own with a SchemaRegistrar, and one that declares none gets a default
// from its registry entry (any float dtype, rank <= 4, inputs broadcast
// together).
//
// Example:
//   static search::SchemaRegistrar s({.kernel = "my_clip", .num_inputs = 1,
//       .attrs = {{.name = "limit", .lo = 0, .hi = 1e6}}});
//   search::KernelSchema k = search::SchemaFor(*Registry::Global().Find("my_clip"));
#ifndef REPRO_SEARCH_SCHEMA_H_
#define REPRO_SEARCH_SCHEMA_H_

#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/registry.h"

namespace repro {
namespace search {

// How the shapes of a kernel's inputs relate.
enum class ShapeRule {
  kBroadcast,     // NumPy broadcasting among all inputs (elementwise)
  kMatmul,        // a [..., m, k] and b [..., k, n]
  kSquare,        // one square matrix [n, n] (cholesky, inv)
  kSolve,         // a [n, n] and b [n] or [n, k]
  kLogitsLabels,  // logits [n, c] and integer labels [n]
};

// The values an attribute takes.
struct AttrDomain {
  std::string name;
  double lo = 0;
  double hi = 0;
  bool integer = true;
  // Leaving the attribute unset is one of its values.
  bool optional = true;
};

struct KernelSchema {
  std::string kernel;
  // Number of inputs (a variadic kernel is searched with this many).
  int num_inputs = 1;
  // The dtypes calls use (the first input's for kLogitsLabels).
  std::vector<DType> dtypes = {DType::kFloat32, DType::kFloat64};
  int min_rank = 0;
  int max_rank = 4;
  ShapeRule shapes = ShapeRule::kBroadcast;
  std::vector<AttrDomain> attrs;
  // Attribute values `axis` may take are relative to the input's rank.
  bool axis_is_relative = true;
};

// Declares `schema` for its kernel, replacing an earlier declaration.
void RegisterSchema(KernelSchema schema);

// The schema of `kernel`: declared, built in, or the default for its arity.
KernelSchema SchemaFor(const KernelDef& kernel);

// Declares a schema from a static initializer.
class SchemaRegistrar {
 public:
  explicit SchemaRegistrar(KernelSchema schema) { RegisterSchema(std::move(schema)); }
};

}  // namespace search
}  // namespace repro

#endif  // REPRO_SEARCH_SCHEMA_H_
