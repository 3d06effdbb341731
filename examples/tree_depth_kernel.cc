// A user kernel with a recursion bug: "tree_depth" follows parent links
// (x[i] is the parent of node i, -1 at a root) recursively, and never
// notices a cycle. A parent table with a cycle overflows the stack.
#include "core/registry.h"
#include "core/tensor.h"

namespace {

using repro::Tensor;

// The bug: no visited set, so a cycle recurses until the stack is gone.
__attribute__((noinline)) int64_t Depth(const int64_t* parent, int64_t node) {
  if (parent[node] < 0) return 0;
  // A real frame on every level, used after the call: no optimizer turns
  // the recursion into a loop.
  volatile int64_t frame[8] = {node};
  frame[1] = Depth(parent, parent[frame[0]]);
  return frame[1] + 1;
}

absl::StatusOr<Tensor> TreeDepth(absl::Span<const Tensor> in, const repro::Attrs&) {
  const Tensor parent = in[0].Cast(repro::DType::kInt64);
  Tensor out = Tensor::Empty(repro::DType::kInt64, parent.shape());
  for (int64_t i = 0; i < parent.size(); ++i) {
    out.data<int64_t>()[i] = Depth(parent.data<int64_t>(), i);
  }
  return out;
}

const repro::KernelRegistrar kTreeDepth({"tree_depth", 1, 1, &TreeDepth});

}  // namespace
