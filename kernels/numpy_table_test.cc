// Holds both implementations of every kernel against the expected values
// and floating-point flags NumPy produced (testdata/numpy_cases.txt, written
// by testdata/make_numpy_tables.py).
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/failure.h"
#include "core/fp_env.h"
#include "core/registry.h"
#include "core/run_and_classify.h"
#include "gtest/gtest.h"
#include "kernels/kernels.h"

namespace repro {
namespace {

// "float64[2,1]:0x1p+0,nan" -> a tensor.
Tensor ParseTensor(absl::string_view text) {
  std::vector<std::string> head_values = absl::StrSplit(text, ':');
  std::vector<std::string> dtype_shape = absl::StrSplit(head_values[0], '[');
  DType dtype = *ParseDType(dtype_shape[0]);
  Shape shape;
  for (absl::string_view d :
       absl::StrSplit(absl::StripSuffix(dtype_shape[1], "]"), ',',
                      absl::SkipEmpty())) {
    int64_t v;
    EXPECT_TRUE(absl::SimpleAtoi(d, &v));
    shape.push_back(v);
  }
  std::vector<double> doubles;
  std::vector<int64_t> ints;
  for (absl::string_view v :
       absl::StrSplit(head_values[1], ',', absl::SkipEmpty())) {
    std::string s(v);
    if (IsFloat(dtype)) {
      doubles.push_back(std::strtod(s.c_str(), nullptr));
    } else {
      ints.push_back(std::strtoll(s.c_str(), nullptr, 10));
    }
  }
  Tensor t = Tensor::Empty(dtype, shape);
  VisitDType(dtype, [&](auto z) {
    using T = decltype(z);
    for (int64_t i = 0; i < t.size(); ++i) {
      t.data<T>()[i] = IsFloat(dtype) ? static_cast<T>(doubles[i])
                                      : static_cast<T>(ints[i]);
    }
  });
  return t;
}

Attrs ParseAttrs(absl::string_view text) {
  Attrs attrs;
  if (text == "-") return attrs;
  for (absl::string_view kv : absl::StrSplit(text, ',')) {
    std::pair<std::string, std::string> p = absl::StrSplit(kv, '=');
    double v;
    EXPECT_TRUE(absl::SimpleAtod(p.second, &v));
    attrs.Set(p.first, v);
  }
  return attrs;
}

FpFlags ParseFlags(absl::string_view text) {
  FpFlags f = 0;
  for (absl::string_view w : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    if (w == "invalid") f |= kFpInvalid;
    if (w == "divide") f |= kFpDivide;
    if (w == "overflow") f |= kFpOverflow;
    if (w == "underflow") f |= kFpUnderflow;
  }
  return f;
}

// Kernels whose results are exact (correctly rounded or integer): every bit
// must match NumPy's, the sign of zero included.
bool IsExactKernel(const std::string& name) {
  static const std::set<std::string> kExact = {
      "negative", "abs",      "sqrt",    "square",       "reciprocal",
      "add",      "subtract", "multiply", "divide",      "maximum",
      "minimum",  "floor_divide", "remainder", "max",    "min"};
  return kExact.count(name) > 0;
}

// The elementwise kernels, whose optimized variants run in SIMD packets of
// 4 (float64) or 8 (float32) elements and a scalar tail.
bool IsElementwise(const std::string& name) {
  static const std::set<std::string> kElementwise = {
      "negative", "abs", "sqrt", "square", "reciprocal", "exp", "expm1", "log", "log1p",
      "sin", "cos", "tanh", "sigmoid", "add", "subtract", "multiply", "divide", "power",
      "maximum", "minimum", "floor_divide", "remainder"};
  return kElementwise.count(name) > 0;
}

// The flags Repro must raise for a case NumPy answered with `want` and
// `numpy_flags`. Underflow is IEEE 754's on the result, which NumPy 1.24's
// own paths do not agree on: its float32 sin and cos of inputs below 1e-19
// and the formulas of sigmoid and log_softmax flag an intermediate
// underflow whose output is normal, and its AVX-512 (SVML) expm1, log1p,
// sin and tanh raise none for the subnormal results of subnormal inputs
// (glibc does, and so does Repro). So for the approximate kernels NumPy's
// underflow counts only where an output element is zero or subnormal, and
// an elementwise function's subnormal result always underflows; the exact
// kernels (hardware arithmetic) raise NumPy's flags as they are.
FpFlags ExpectedFlags(const std::string& kernel, absl::string_view numpy_flags,
                      const Tensor& want) {
  const FpFlags numpy = ParseFlags(numpy_flags);
  if (IsExactKernel(kernel) || !IsFloat(want.dtype())) return numpy;
  bool tiny = false, subnormal = false;
  for (int64_t i = 0; i < want.size(); ++i) {
    const double v = std::fabs(want.GetAsDouble(i));
    const double min_normal = want.dtype() == DType::kFloat32 ? 0x1p-126 : 0x1p-1022;
    tiny |= v < min_normal;
    subnormal |= v > 0 && v < min_normal;
  }
  const bool underflow =
      ((numpy & kFpUnderflow) && tiny) || (IsElementwise(kernel) && subnormal);
  return (numpy & ~kFpUnderflow) | (underflow ? kFpUnderflow : 0);
}

// Relative tolerance of the approximate kernels: a few ulps for elementwise
// functions, more for kernels that sum in a different order than NumPy.
double Tolerance(const std::string& name, DType dtype) {
  static const std::set<std::string> kElementwise = {
      "exp", "expm1", "log", "log1p", "sin", "cos", "tanh", "sigmoid", "power"};
  const bool f32 = dtype == DType::kFloat32;
  if (kElementwise.count(name)) return f32 ? 4 * 0x1p-23 : 4 * 0x1p-52;
  return f32 ? 2e-5 : 1e-12;
}

std::string Describe(const Tensor& t) {
  std::string s = t.DebugString() + ":";
  for (int64_t i = 0; i < t.size() && i < 8; ++i) {
    absl::StrAppend(&s, i ? "," : "", t.GetAsDouble(i));
  }
  return s;
}

// Compares got with want; returns "" or what differs.
std::string Compare(const std::string& kernel, const Tensor& got,
                    const Tensor& want) {
  if (got.dtype() != want.dtype() || got.shape() != want.shape()) {
    return absl::StrCat("got ", got.DebugString(), ", want ",
                        want.DebugString());
  }
  const bool exact = IsExactKernel(kernel) || !IsFloat(want.dtype());
  double scale = 1.0;  // for absolute slack in sums that cancel
  for (int64_t i = 0; i < want.size(); ++i) {
    if (std::isfinite(want.GetAsDouble(i))) {
      scale = std::max(scale, std::fabs(want.GetAsDouble(i)));
    }
  }
  for (int64_t i = 0; i < want.size(); ++i) {
    const double g = got.GetAsDouble(i), w = want.GetAsDouble(i);
    bool same;
    if (std::isnan(w) || std::isnan(g)) {
      same = std::isnan(w) && std::isnan(g);
    } else if (std::isinf(w) || std::isinf(g)) {
      same = g == w;
    } else if (exact) {
      same = g == w && std::signbit(g) == std::signbit(w);
    } else {
      const double tol = Tolerance(kernel, want.dtype());
      const bool elementwise = want.size() == got.size() &&
                               Tolerance(kernel, DType::kFloat64) < 1e-14;
      same = std::fabs(g - w) <=
             tol * (elementwise ? std::fabs(w) : scale) +
                 (want.dtype() == DType::kFloat32 ? 1e-44 : 1e-300);
    }
    if (!same) {
      return absl::StrCat("element ", i, ": got ", g, ", want ", w, " (",
                          Describe(got), ")");
    }
  }
  return "";
}

struct Case {
  int line;
  std::string text;
};

std::vector<Case> LoadCases() {
  std::ifstream in("kernels/testdata/numpy_cases.txt");
  EXPECT_TRUE(in.good()) << "cannot open the NumPy table";
  std::vector<Case> cases;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line[0] != '#') cases.push_back({n, line});
  }
  return cases;
}

class NumPyTableTest : public ::testing::TestWithParam<Variant> {};

TEST_P(NumPyTableTest, EveryCaseMatchesNumPy) {
  const std::vector<Case> cases = LoadCases();
  ASSERT_GT(cases.size(), 5000u);
  int failures = 0;
  for (const Case& c : cases) {
    std::vector<std::string> f = absl::StrSplit(c.text, '|');
    ASSERT_EQ(f.size(), 5u) << "line " << c.line;
    std::vector<Tensor> inputs;
    for (absl::string_view t : absl::StrSplit(f[2], ';')) {
      inputs.push_back(ParseTensor(t));
    }
    FpFlags saved = SaveAndClearFpFlags();
    absl::StatusOr<Tensor> got = Call(f[0], inputs, ParseAttrs(f[1]), GetParam());
    FpFlags raised = RestoreFpFlags(saved);
    std::string problem;
    if (f[3] == "error") {
      if (got.ok()) problem = "expected an error, got " + Describe(*got);
    } else if (!got.ok()) {
      problem = "unexpected error: " + got.status().ToString();
    } else {
      problem = Compare(f[0], *got, ParseTensor(f[3]));
      const FpFlags expected = ExpectedFlags(f[0], f[4], ParseTensor(f[3]));
      if (problem.empty() && raised != expected) {
        problem = absl::StrCat("flags: got '", FpFlagsToString(raised), "', want '",
                               FpFlagsToString(expected), "' (NumPy: '", f[4], "')");
      }
    }
    if (!problem.empty() && ++failures <= 40) {
      ADD_FAILURE() << "line " << c.line << ": " << f[0] << "(" << f[2]
                    << "): " << problem;
    }
  }
  EXPECT_EQ(failures, 0);
}

// A kernel declares exact_fp_flags only where this test proves it: every
// built-in kernel that does is in the table, and on every case the flags it
// raised classify the call as the output scan would (a call that raised no
// flag has no NaN out of NaN-free inputs and no infinity out of finite
// ones), so the monitor may trust the flags and skip the scan.
TEST_P(NumPyTableTest, ExactFlagsMakeTheOutputScanRedundant) {
  const std::vector<Case> cases = LoadCases();
  std::set<std::string> tabled;
  for (const Case& c : cases) tabled.insert(c.text.substr(0, c.text.find('|')));
  for (const std::string& name : Registry::Global().Names()) {
    if (Registry::Global().Find(name)->exact_fp_flags) {
      EXPECT_TRUE(tabled.count(name)) << name << " declares exact flags but has no NumPy case";
    }
  }
  const Policy all = *ParsePolicy("all");
  int failures = 0;
  for (const Case& c : cases) {
    std::vector<std::string> f = absl::StrSplit(c.text, '|');
    const KernelDef& exact = *Registry::Global().Find(f[0]);
    if (!exact.exact_fp_flags) continue;
    KernelDef scanned = exact;
    scanned.exact_fp_flags = false;
    std::vector<Tensor> inputs;
    for (absl::string_view t : absl::StrSplit(f[2], ';')) inputs.push_back(ParseTensor(t));
    CallOutcome trusted, checked;
    RunAndClassify(exact, exact.fn(GetParam()), inputs, ParseAttrs(f[1]), all, Fault::kNone,
                   &trusted);
    RunAndClassify(scanned, scanned.fn(GetParam()), inputs, ParseAttrs(f[1]), all,
                   Fault::kNone, &checked);
    if (trusted.failure != checked.failure && ++failures <= 20) {
      ADD_FAILURE() << "line " << c.line << ": " << f[0] << "(" << f[2] << "): flags say "
                    << FailureKindName(trusted.failure) << ", the output scan "
                    << FailureKindName(checked.failure);
    }
  }
  EXPECT_EQ(failures, 0);
}

// `x` (one element) at position `at` of a view of kLanes elements filled
// with `filler`: contiguous from `offset` elements into its buffer, or a
// [kLanes, 1] view with stride 2 (every other element).
constexpr int kLanes = 67;  // two 256-bit packets of float32 eight times over, and a tail
Tensor InLane(const Tensor& x, double filler, int at, int offset, bool strided) {
  const int step = strided ? 2 : 1;
  Tensor buffer = Tensor::Empty(x.dtype(), {offset + kLanes * step});
  VisitDType(x.dtype(), [&](auto z) {
    using T = decltype(z);
    T* d = buffer.data<T>();
    for (int64_t i = 0; i < buffer.size(); ++i) d[i] = static_cast<T>(filler);
    d[offset + at * step] = x.data<T>()[0];
  });
  Tensor view = *buffer.Slice(0, offset, offset + kLanes * step);
  return strided ? *view.Reshape({kLanes, 2})->Slice(1, 0, 1) : view;
}

// Every one-element elementwise case of the table, its input at every
// position of a 67-element array (aligned, one element off, strided) among
// fillers whose own result raises no flag, and for binary kernels in every
// position at once against a broadcast operand: NumPy's value in every
// SIMD lane and the scalar tail, and NumPy's flags.
TEST_P(NumPyTableTest, EveryLaneMatchesNumPy) {
  int failures = 0, checked = 0;
  for (const Case& c : LoadCases()) {
    std::vector<std::string> f = absl::StrSplit(c.text, '|');
    if (!IsElementwise(f[0]) || f[3] == "error") continue;
    std::vector<Tensor> inputs;
    for (absl::string_view t : absl::StrSplit(f[2], ';')) inputs.push_back(ParseTensor(t));
    const Tensor want = ParseTensor(f[3]);
    if (want.size() != 1 || inputs[0].size() != 1 || inputs.back().size() != 1 ||
        inputs[0].dtype() != inputs.back().dtype()) {
      continue;
    }
    const double filler = IsFloat(inputs[0].dtype()) ? 0.75 : 3;
    int bad_lanes = 0;
    std::string first;
    for (int offset = 0; offset < 2; ++offset) {
      for (bool strided : {false, true}) {
        for (int at = 0; at < kLanes; ++at) {
          std::vector<Tensor> lanes;
          for (const Tensor& x : inputs) lanes.push_back(InLane(x, filler, at, offset, strided));
          FpFlags saved = SaveAndClearFpFlags();
          absl::StatusOr<Tensor> got = Call(f[0], lanes, Attrs(), GetParam());
          FpFlags raised = RestoreFpFlags(saved);
          ClearFpFlags();
          ++checked;
          std::string problem;
          if (!got.ok()) {
            problem = got.status().ToString();
          } else {
            problem = Compare(f[0], *got->Contiguous().Reshape({kLanes})->Slice(0, at, at + 1),
                              want);
            if (problem.empty() && raised != ExpectedFlags(f[0], f[4], want)) {
              problem = absl::StrCat("flags: got '", FpFlagsToString(raised), "', want '",
                                     FpFlagsToString(ExpectedFlags(f[0], f[4], want)), "'");
            }
          }
          if (!problem.empty() && bad_lanes++ == 0) {
            first = absl::StrCat("lane ", at, offset ? ", one element off" : "",
                                 strided ? ", strided" : "", ": ", problem);
          }
        }
      }
    }
    // Broadcast: the whole array holds the case's first input, the other
    // operand is one element (and the other way round), so every lane
    // computes the case and the flags are the case's.
    for (size_t scalar = 0; inputs.size() == 2 && scalar < 2; ++scalar) {
      std::vector<Tensor> operands = inputs;
      Tensor& full = operands[1 - scalar];
      full = InLane(full, 0, 0, 0, false);
      VisitDType(full.dtype(), [&](auto z) {
        using T = decltype(z);
        for (int i = 0; i < kLanes; ++i) full.data<T>()[i] = inputs[1 - scalar].data<T>()[0];
      });
      FpFlags saved = SaveAndClearFpFlags();
      absl::StatusOr<Tensor> got = Call(f[0], operands, Attrs(), GetParam());
      FpFlags raised = RestoreFpFlags(saved);
      ClearFpFlags();
      ++checked;
      for (int at = 0; got.ok() && at < kLanes; ++at) {
        std::string problem = Compare(f[0], *got->Slice(0, at, at + 1), want);
        if (problem.empty() && raised != ExpectedFlags(f[0], f[4], want)) {
          problem = absl::StrCat("flags: got '", FpFlagsToString(raised), "'");
        }
        if (!problem.empty() && bad_lanes++ == 0) {
          first = absl::StrCat("lane ", at, ", broadcast operand ", scalar, ": ", problem);
        }
      }
    }
    if (bad_lanes > 0 && ++failures <= 60) {
      ADD_FAILURE() << "line " << c.line << ": " << f[0] << "(" << f[2] << "): " << bad_lanes
                    << " of " << 4 * kLanes << " placements fail, first " << first;
    }
  }
  EXPECT_GT(checked, 1000000);
  EXPECT_EQ(failures, 0);
}

INSTANTIATE_TEST_SUITE_P(BothVariants, NumPyTableTest,
                         ::testing::Values(Variant::kOptimized,
                                           Variant::kReference),
                         [](const auto& info) {
                           return info.param == Variant::kOptimized
                                      ? "Optimized"
                                      : "Reference";
                         });

}  // namespace
}  // namespace repro
