// An app calling a user kernel (tree_depth, examples/tree_depth_kernel.cc)
// on a parent table with a cycle: the kernel recurses until the stack
// overflows. The recorder's handler runs on its own stack, so the crash
// still leaves a snapshot, and the process still dies of SIGSEGV.
#include <cstdio>

#include "core/registry.h"
#include "kernels/kernels.h"

int main() {
  using repro::Tensor;
  const Tensor tree = Tensor::FromValues<int64_t>({-1, 0, 0, 1}, {4});
  const Tensor cycle = Tensor::FromValues<int64_t>({-1, 0, 3, 2}, {4});  // 2 <-> 3
  for (const Tensor* parents : {&tree, &cycle}) {
    absl::StatusOr<Tensor> depth = repro::Call("tree_depth", {*parents});
    std::printf("depths: %lld %lld %lld %lld\n",
                static_cast<long long>(depth->GetAsDouble(0)),
                static_cast<long long>(depth->GetAsDouble(1)),
                static_cast<long long>(depth->GetAsDouble(2)),
                static_cast<long long>(depth->GetAsDouble(3)));
    std::fflush(stdout);
  }
  return 0;
}
