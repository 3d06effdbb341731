#include "codegen/pytest.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "codegen/codegen.h"
#include "codegen/literals.h"
#include "core/failure.h"

namespace repro {
namespace {

const char* NumpyDType(DType d) {
  switch (d) {
    case DType::kFloat32: return "np.float32";
    case DType::kFloat64: return "np.float64";
    case DType::kInt32: return "np.int32";
    case DType::kInt64: return "np.int64";
  }
  return "np.float64";
}

// (d0, d1,) as a Python tuple.
std::string ShapeTuple(const Shape& shape) {
  return absl::StrCat("(", absl::StrJoin(shape, ", "), shape.size() == 1 ? ",)" : ")");
}

// `t` written out as a NumPy array expression, exactly (integers as
// integers, floats as their shortest round-trip decimals).
std::string ArrayExpression(const Tensor& t) {
  const Tensor c = t.Contiguous();
  std::vector<std::string> values;
  VisitDType(c.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t i = 0; i < c.size(); ++i) {
      if constexpr (std::is_floating_point_v<T>) {
        values.push_back(Literal(static_cast<double>(c.data<T>()[i])));
      } else {
        values.push_back(absl::StrCat(c.data<T>()[i]));
      }
    }
  });
  return absl::StrCat("np.array([", absl::StrJoin(values, ", "), "], dtype=",
                      NumpyDType(c.dtype()), ").reshape(", ShapeTuple(c.shape()), ")");
}

// `s` as a Python string literal (the Starlark one: same escapes).
std::string PyString(absl::string_view s) { return StarlarkStringLiteral(s); }

std::string SynthesizedTest(const SynthesisPlan& plan, absl::string_view kernel) {
  std::string out = absl::StrCat("\n\ndef test_synthesized_data():\n    # ",
                                 CommentText(plan.note), ".\n    inputs = [\n");
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const SynthesizedInput& in = plan.inputs[i];
    const uint64_t seed = plan.seed + i * 0x9e3779b97f4a7c15ull;
    if (WrittenOut(in)) {
      absl::StrAppend(&out, absl::StrFormat("        # Synthesized from the profile (seed 0x%x).\n", seed),
                      "        ", ArrayExpression(BuildInput(plan, i)), ",\n");
      continue;
    }
    const Profile& p = in.profile;
    std::vector<std::string> q;
    for (double v : p.quantiles) q.push_back(Literal(v));
    absl::StrAppend(
        &out, "        synth.synthesize(\n            ", NumpyDType(in.dtype), ", ",
        ShapeTuple(in.shape), ",\n            synth.Profile(\n                count=", p.count,
        ", min=", Literal(p.min), ", max=", Literal(p.max), ", mean=", Literal(p.mean),
        ", std=", Literal(p.std), ",\n                quantiles=[", absl::StrJoin(q, ", "),
        "],\n                nan=", p.nan, ", pos_inf=", p.pos_inf, ", neg_inf=", p.neg_inf,
        ", zeros=", p.zeros, ", negatives=", p.negatives, ", subnormals=", p.subnormals,
        ", integers=", p.integers, "),\n",
        absl::StrFormat("            seed=0x%x),\n", seed));
  }
  absl::StrAppend(&out, "    ]\n");
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const SynthesizedInput& in = plan.inputs[i];
    if (!in.overrides.empty()) {
      std::vector<std::string> pairs;
      for (const auto& [index, value] : in.overrides) {
        pairs.push_back(absl::StrCat("(", index, ", ", Literal(value), ")"));
      }
      absl::StrAppend(&out, "    synth.set_elements(inputs[", i, "], [",
                      absl::StrJoin(pairs, ", "), "])\n");
    }
    if (in.profile.symmetric && !WrittenOut(in)) {
      absl::StrAppend(&out, "    inputs[", i, "] = synth.symmetrized(inputs[", i, "])\n");
    }
  }
  std::vector<std::string> attrs;
  for (const Attrs::Attr& a : plan.attrs.items()) {
    attrs.push_back(absl::StrCat(PyString(a.name), ": ", Literal(a.value)));
  }
  absl::StrAppend(&out, "    testing.expect_call(", PyString(kernel), ", inputs, {",
                  absl::StrJoin(attrs, ", "), "},\n                        ",
                  PyString(plan.policy.bits() ? plan.policy.ToString() : "none"),
                  ", EXPECT, ", PyString(FailureKindName(plan.recorded)), ")\n");
  return out;
}

}  // namespace

bool NumpyHasKernel(absl::string_view kernel) {
  static const char* const kKernels[] = {
      "negative", "abs", "sqrt", "square", "reciprocal", "exp", "expm1", "log", "log1p",
      "sin", "cos", "tanh", "add", "subtract", "multiply", "divide", "power", "maximum",
      "minimum", "floor_divide", "remainder", "matmul", "sum", "prod", "max", "min",
      "inv", "solve", "cholesky", "norm"};
  for (const char* k : kKernels) {
    if (kernel == k) return true;
  }
  return false;
}

std::string RenderPytest(const SynthesisPlan& plan, absl::string_view kernel,
                         absl::string_view header, absl::string_view snapshot_runfile,
                         bool synthesized, testing::Expect expect) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(header, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&out, "#", absl::StripPrefix(line, "//"), "\n");
  }
  absl::StrAppend(&out,
                  "# The pytest twin of the C++ test: the same call on NumPy "
                  "(run it with bazel test).\n"
                  "import sys\n\nimport numpy as np\nimport pytest\n\n"
                  "from repro import synth, testing\n\n"
                  "kInf = float(\"inf\")\nkNaN = float(\"nan\")\nEXPECT = \"",
                  expect == testing::Expect::kFixed ? "fixed" : "failure", "\"\n");
  if (!snapshot_runfile.empty()) {
    absl::StrAppend(&out, "\n\ndef test_exact_replay():\n    testing.expect_replay(",
                    PyString(snapshot_runfile), ", EXPECT)\n");
  }
  if (synthesized) absl::StrAppend(&out, SynthesizedTest(plan, kernel));
  absl::StrAppend(&out,
                  "\n\nif __name__ == \"__main__\":\n"
                  "    sys.exit(pytest.main([__file__, \"-q\", \"-p\", \"no:cacheprovider\"]))\n");
  return out;
}

std::string PytestRule(absl::string_view name, absl::string_view src, bool with_snapshot) {
  return absl::StrCat("\npy_test(\n    name = \"", name, "_pytest\",\n    size = \"small\",\n"
                      "    srcs = [\"", src, "\"],\n    main = \"", src, "\",\n",
                      with_snapshot ? "    data = [\"snapshot.fb\"],\n" : "",
                      "    python_version = \"PY3\",\n    deps = [\"//python:repro\"],\n)\n");
}

}  // namespace repro
