// Elementwise unary kernels: negative, abs, sqrt, square, reciprocal, exp,
// expm1, log, log1p, sin, cos, tanh, sigmoid.
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/internal/elementwise.h"
#include "kernels/internal/sleef_math.h"

namespace repro {
namespace kernels_internal {
namespace {

struct Negative {
  static constexpr int kVersion = 2;  // 2: a sign flip in every lane (NaN's sign flips too)
  static constexpr const char* kName = "negative";
  static constexpr bool kFloatOnly = false, kVecExact = true;
  static constexpr FpFlags kInfFlag = 0;
  template <typename T>
  static T Ref(T x) { return -x; }
  // A sign flip, as NumPy's negative: -(+0) = -0 and -(NaN) flips the
  // NaN's sign. Not Eigen's -x (3.4's AVX negation is 0 - x: +0 for +0)
  // nor x * -1 (keeps a NaN's sign, and gcc folds it into a sign flip at
  // -O2 only, so fastbuild and -c opt disagreed).
  template <typename A>
  static auto Vec(const A& x) {
    return x.unaryExpr([](typename A::Scalar v) { return -v; });
  }
  template <typename T>
  static T Int(T x) { return WrapSub(T{0}, x); }
};

struct Abs {
  static constexpr const char* kName = "abs";
  static constexpr bool kFloatOnly = false, kVecExact = true;
  static constexpr FpFlags kInfFlag = 0;
  template <typename T>
  static T Ref(T x) { return std::fabs(x); }
  template <typename A>
  static auto Vec(const A& x) { return x.abs(); }
  template <typename T>
  static T Int(T x) { return x < 0 ? WrapSub(T{0}, x) : x; }
};

struct Square {
  static constexpr const char* kName = "square";
  static constexpr bool kFloatOnly = false, kVecExact = true;
  static constexpr FpFlags kInfFlag = kFpOverflow;
  template <typename T>
  static T Ref(T x) { return x * x; }
  template <typename A>
  static auto Vec(const A& x) { return x.square(); }
  template <typename T>
  static T Int(T x) { return WrapMul(x, x); }
};

struct Sqrt {
  static constexpr const char* kName = "sqrt";
  static constexpr bool kFloatOnly = true, kVecExact = true;
  static constexpr FpFlags kInfFlag = 0;
  template <typename T>
  static T Ref(T x) { return std::sqrt(x); }
  template <typename A>
  static auto Vec(const A& x) { return x.sqrt(); }
};

// NumPy's reciprocal of an int is an integer division; Repro computes it in
// float64 like the other float functions (documented in kernels.h).
struct Reciprocal {
  static constexpr const char* kName = "reciprocal";
  static constexpr bool kFloatOnly = true, kVecExact = true;
  static constexpr FpFlags kInfFlag = kFpDivide;
  template <typename T>
  static T Ref(T x) { return T{1} / x; }
  template <typename A>
  static auto Vec(const A& x) { return x.inverse(); }
};

struct Exp {
  static constexpr int kVersion = 2;  // 2: SLEEF
  static constexpr const char* kName = "exp";
  static constexpr bool kFloatOnly = true, kVecExact = false;
  static constexpr FpFlags kInfFlag = kFpOverflow;
  template <typename T>  // SLEEF: sleef_math.h
  static bool Apply(const T* x, T* y, int64_t n) { return ApplyMath(MathFn::kExp, x, y, n); }
  template <typename T>
  static T Ref(T x) { return std::exp(x); }
};

struct Expm1 {
  static constexpr int kVersion = 3;  // 2: SLEEF; 3: vec_math.h
  static constexpr const char* kName = "expm1";
  static constexpr bool kFloatOnly = true, kVecExact = false;
  static constexpr FpFlags kInfFlag = kFpOverflow;
  template <typename T>  // SLEEF: sleef_math.h
  static bool Apply(const T* x, T* y, int64_t n) { return ApplyMath(MathFn::kExpm1, x, y, n); }
  template <typename T>
  static T Ref(T x) { return std::expm1(x); }
};

struct Log {
  static constexpr int kVersion = 3;  // 2: SLEEF; 3: vec_math.h, no underflow for log(1)
  static constexpr const char* kName = "log";
  static constexpr bool kFloatOnly = true, kVecExact = false;
  static constexpr FpFlags kInfFlag = kFpDivide;  // log(0) is a pole
  static constexpr double kZeroAt = 1;              // log(1) is exactly 0: no underflow
  template <typename T>  // SLEEF: sleef_math.h
  static bool Apply(const T* x, T* y, int64_t n) { return ApplyMath(MathFn::kLog, x, y, n); }
  template <typename T>
  static T Ref(T x) { return std::log(x); }
};

struct Log1p {
  static constexpr int kVersion = 3;  // 2: SLEEF; 3: vec_math.h
  static constexpr const char* kName = "log1p";
  static constexpr bool kFloatOnly = true, kVecExact = false;
  static constexpr FpFlags kInfFlag = kFpDivide;  // log1p(-1) is a pole
  template <typename T>  // SLEEF: sleef_math.h
  static bool Apply(const T* x, T* y, int64_t n) { return ApplyMath(MathFn::kLog1p, x, y, n); }
  template <typename T>
  static T Ref(T x) { return std::log1p(x); }
};

struct Sin {
  static constexpr int kVersion = 3;  // 2: SLEEF; 3: float32 through vec_math.h
  static constexpr const char* kName = "sin";
  static constexpr bool kFloatOnly = true, kVecExact = false;
  static constexpr FpFlags kInfFlag = 0;
  template <typename T>  // SLEEF: sleef_math.h
  static bool Apply(const T* x, T* y, int64_t n) { return ApplyMath(MathFn::kSin, x, y, n); }
  template <typename T>
  static T Ref(T x) { return std::sin(x); }
};

struct Cos {
  static constexpr int kVersion = 3;  // 2: SLEEF; 3: float32 through vec_math.h
  static constexpr const char* kName = "cos";
  static constexpr bool kFloatOnly = true, kVecExact = false;
  static constexpr FpFlags kInfFlag = 0;
  template <typename T>  // SLEEF: sleef_math.h
  static bool Apply(const T* x, T* y, int64_t n) { return ApplyMath(MathFn::kCos, x, y, n); }
  template <typename T>
  static T Ref(T x) { return std::cos(x); }
};

struct Tanh {
  static constexpr int kVersion = 3;  // 2: SLEEF; 3: vec_math.h
  static constexpr const char* kName = "tanh";
  static constexpr bool kFloatOnly = true, kVecExact = false;
  static constexpr FpFlags kInfFlag = 0;
  template <typename T>  // SLEEF: sleef_math.h
  static bool Apply(const T* x, T* y, int64_t n) { return ApplyMath(MathFn::kTanh, x, y, n); }
  template <typename T>
  static T Ref(T x) { return std::tanh(x); }
};

// The logistic function 1 / (1 + exp(-x)), evaluated without overflow.
struct Sigmoid {
  static constexpr int kVersion = 2;  // 2: exp through SLEEF
  static constexpr const char* kName = "sigmoid";
  static constexpr bool kFloatOnly = true, kVecExact = false;
  static constexpr FpFlags kInfFlag = 0;
  template <typename T>
  static T Ref(T x) {
    if (std::isnan(x)) return x;  // before the comparison, which would raise
    // Above 42, exp(-x) < 2^-60 and 1 + exp(-x) rounds to 1; for large x
    // exp would raise an underflow the result (1) does not have.
    if (x > T{42}) return T{1};
    if (x >= 0) return T{1} / (T{1} + std::exp(-x));
    T e = std::exp(x);
    return e / (T{1} + e);
  }
  // exp(-|x|) through SLEEF, then the branch of Ref: e / (1 + e) below 0.
  template <typename T>
  static bool Apply(const T* x, T* y, int64_t n) {
    std::vector<T> t(n);
    for (int64_t i = 0; i < n; ++i) t[i] = -std::fabs(x[i]);
    ApplyMath(MathFn::kExp, t.data(), y, n);
    for (int64_t i = 0; i < n; ++i) {
      const T e = y[i];
      y[i] = x[i] >= 0 ? T{1} / (T{1} + e) : e / (T{1} + e);
    }
    return false;  // not checked here: the kernel looks at the values
  }
};

template <class Op>
KernelDef UnaryDef() {
  return {Op::kName,
          /*version=*/VersionOf<Op>::value,
          /*num_inputs=*/1,
          &UnaryKernel<Op, true>,
          &UnaryKernel<Op, false>,
          /*exact_fp_flags=*/true};
}

const KernelRegistrar kRegistrars[] = {
    KernelRegistrar(UnaryDef<Negative>()), KernelRegistrar(UnaryDef<Abs>()),
    KernelRegistrar(UnaryDef<Sqrt>()),     KernelRegistrar(UnaryDef<Square>()),
    KernelRegistrar(UnaryDef<Reciprocal>()), KernelRegistrar(UnaryDef<Exp>()),
    KernelRegistrar(UnaryDef<Expm1>()),    KernelRegistrar(UnaryDef<Log>()),
    KernelRegistrar(UnaryDef<Log1p>()),    KernelRegistrar(UnaryDef<Sin>()),
    KernelRegistrar(UnaryDef<Cos>()),      KernelRegistrar(UnaryDef<Tanh>()),
    KernelRegistrar(UnaryDef<Sigmoid>()),
};

}  // namespace
}  // namespace kernels_internal
}  // namespace repro
