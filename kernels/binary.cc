// Elementwise binary kernels with NumPy broadcasting and type promotion:
// add, subtract, multiply, divide, power, maximum, minimum, floor_divide,
// remainder.
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "kernels/internal/elementwise.h"
#include "kernels/internal/sleef_math.h"

namespace repro {
namespace kernels_internal {
namespace {

// NumPy's flag for a non-finite result `y` of finite or special inputs:
// NaN out of non-NaN inputs is invalid; an infinity out of finite inputs is
// `inf_flag`.
inline FpFlags GenericFlag(double a, double b, double y, FpFlags inf_flag) {
  return SpecialValueFlag(y, std::isnan(a) || std::isnan(b),
                          std::isfinite(a) && std::isfinite(b), inf_flag);
}

// The defaults of an op whose Eigen code raises exactly NumPy's flags.
struct ExactOp {
  static constexpr BinaryOut kOut = BinaryOut::kPromote;
  static constexpr bool kHasVec = true, kVecExact = true;
  static FpFlags SpecialFlag(double a, double b, double y) {
    return GenericFlag(a, b, y, kFpOverflow);
  }
};

struct Add : ExactOp {
  static constexpr Arith kArith = Arith::kAdd;  // AVX-512 loop: sleef_math.h
  static constexpr const char* kName = "add";
  template <typename T>
  static T Ref(T a, T b) { return a + b; }
  template <typename A, typename B>
  static auto Vec(const A& a, const B& b) { return a + b; }
  template <typename T>
  static T Int(T a, T b, FpFlags*, absl::Status*) { return WrapAdd(a, b); }
};

struct Subtract : ExactOp {
  static constexpr Arith kArith = Arith::kSubtract;  // AVX-512 loop: sleef_math.h
  static constexpr const char* kName = "subtract";
  template <typename T>
  static T Ref(T a, T b) { return a - b; }
  template <typename A, typename B>
  static auto Vec(const A& a, const B& b) { return a - b; }
  template <typename T>
  static T Int(T a, T b, FpFlags*, absl::Status*) { return WrapSub(a, b); }
};

struct Multiply : ExactOp {
  static constexpr Arith kArith = Arith::kMultiply;  // AVX-512 loop: sleef_math.h
  static constexpr const char* kName = "multiply";
  template <typename T>
  static T Ref(T a, T b) { return a * b; }
  template <typename A, typename B>
  static auto Vec(const A& a, const B& b) { return a * b; }
  template <typename T>
  static T Int(T a, T b, FpFlags*, absl::Status*) { return WrapMul(a, b); }
};

// True division: ints divide in float64.
struct Divide : ExactOp {
  static constexpr Arith kArith = Arith::kDivide;  // AVX-512 loop: sleef_math.h
  static constexpr const char* kName = "divide";
  static constexpr BinaryOut kOut = BinaryOut::kFloat;
  static FpFlags SpecialFlag(double a, double b, double y) {
    return GenericFlag(a, b, y, b == 0 ? kFpDivide : kFpOverflow);
  }
  template <typename T>
  static T Ref(T a, T b) { return a / b; }
  template <typename A, typename B>
  static auto Vec(const A& a, const B& b) { return a / b; }
};

struct Power {
  static constexpr int kVersion = 2;  // 2: SLEEF, and NumPy's scalar-exponent fast paths
  static constexpr const char* kName = "power";
  static constexpr BinaryOut kOut = BinaryOut::kPromote;
  static constexpr bool kHasVec = true, kVecExact = false;
  // 0 ** negative (-inf included) is a pole; other infinities out of
  // finite inputs are overflows.
  static FpFlags SpecialFlag(double a, double b, double y) {
    if (a == 0 && std::isless(b, 0.0) && std::isinf(y)) return kFpDivide;
    return GenericFlag(a, b, y, kFpOverflow);
  }
  template <typename T>
  static T Ref(T a, T b) {
    // libm raises nothing for 0 ** -inf; NumPy raises divide.
    if (a == 0 && std::isinf(b) && b < 0) RaiseFpFlags(kFpDivide);
    return std::pow(a, b);
  }
  // SLEEF's pow (sleef_math.h), with NumPy's fast paths for a scalar
  // exponent of 2, 1, 0, -1 and 0.5, which give pow's results exactly
  // (0.5 as sqrt, but pow(-0, 0.5) is +0 and pow(-inf, 0.5) is +inf).
  template <typename T>
  static void Apply(const T* a, int64_t a_step, const T* b, int64_t b_step, T* y,
                    int64_t n) {
    if (a_step == 1 && b_step == 0) {
      const T e = *b;
      if (e == 2) {
        for (int64_t i = 0; i < n; ++i) y[i] = a[i] * a[i];
        return;
      }
      if (e == 1 || e == 0) {
        for (int64_t i = 0; i < n; ++i) y[i] = e == 1 ? a[i] : T{1};
        return;
      }
      if (e == -1) {
        for (int64_t i = 0; i < n; ++i) y[i] = T{1} / a[i];
        return;
      }
      if (e == T{0.5}) {
        for (int64_t i = 0; i < n; ++i) {
          const T r = std::sqrt(a[i]);
          y[i] = a[i] == 0 ? T{0} : a[i] == -std::numeric_limits<T>::infinity()
                                        ? std::numeric_limits<T>::infinity() : r;
        }
        return;
      }
    }
    ApplyPow(a, a_step, b, b_step, y, n);
  }
  // Exponentiation by squaring, wrapping like NumPy.
  template <typename T>
  static T Int(T a, T b, FpFlags*, absl::Status* status) {
    if (b < 0) {
      *status = absl::InvalidArgumentError(
          "power: integers to negative integer powers are not allowed");
      return 0;
    }
    T result = 1;
    while (b) {
      if (b & 1) result = WrapMul(result, a);
      a = WrapMul(a, a);
      b >>= 1;
    }
    return result;
  }
};

// maximum and minimum propagate NaN and make NumPy's choice between -0 and
// +0 (the second operand when equal): `(a > b || isnan(a)) ? a : b`.
struct Maximum {
  static constexpr const char* kName = "maximum";
  static constexpr BinaryOut kOut = BinaryOut::kPromote;
  static constexpr bool kHasVec = true, kVecExact = false;  // compares raise
  static FpFlags SpecialFlag(double, double, double) { return 0; }
  template <typename T>
  static T Ref(T a, T b) {
    if (std::isnan(a)) return a;
    if (std::isnan(b)) return b;
    return a > b ? a : b;
  }
  template <typename A, typename B>
  static auto Vec(const A& a, const B& b) {
    return (a > b || a.isNaN()).select(a, b);
  }
  template <typename T>
  static T Int(T a, T b, FpFlags*, absl::Status*) { return a >= b ? a : b; }
};

struct Minimum {
  static constexpr const char* kName = "minimum";
  static constexpr BinaryOut kOut = BinaryOut::kPromote;
  static constexpr bool kHasVec = true, kVecExact = false;
  static FpFlags SpecialFlag(double, double, double) { return 0; }
  template <typename T>
  static T Ref(T a, T b) {
    if (std::isnan(a)) return a;
    if (std::isnan(b)) return b;
    return a < b ? a : b;
  }
  template <typename A, typename B>
  static auto Vec(const A& a, const B& b) {
    return (a < b || a.isNaN()).select(a, b);
  }
  template <typename T>
  static T Int(T a, T b, FpFlags*, absl::Status*) { return a <= b ? a : b; }
};

// NumPy's npy_divmod for floats (numpy/core/src/npymath): Python's floor
// division and modulo, computed from fmod so that they agree.
template <typename T>
T DivMod(T a, T b, T* mod) {
  *mod = std::fmod(a, b);
  if (!b) return a / b;
  T div = (a - *mod) / b;
  if (*mod) {
    if (std::isless(b, T{0}) != std::isless(*mod, T{0})) {
      *mod += b;
      div -= T{1};
    }
  } else {
    *mod = std::copysign(T{0}, b);
  }
  if (!div) return std::copysign(T{0}, a / b);
  T floordiv = std::floor(div);
  if (std::isgreater(div - floordiv, T{0.5})) floordiv += T{1};
  return floordiv;
}

// Integer floor division and modulo; NumPy returns 0 and raises the divide
// flag for a zero divisor, and raises overflow for MIN // -1.
template <typename T>
T IntDivMod(T a, T b, T* mod, FpFlags* flags) {
  if (b == 0) {
    *flags |= kFpDivide;
    *mod = 0;
    return 0;
  }
  if (b == -1 && a == std::numeric_limits<T>::min()) {
    *flags |= kFpOverflow;
    *mod = 0;
    return a;
  }
  T q = a / b;
  T r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) {
    --q;
    r += b;
  }
  *mod = r;
  return q;
}

struct FloorDivide {
  static constexpr const char* kName = "floor_divide";
  static constexpr BinaryOut kOut = BinaryOut::kPromote;
  static constexpr bool kHasVec = false, kVecExact = false;
  static FpFlags SpecialFlag(double a, double b, double y) {
    return GenericFlag(a, b, y, b == 0 ? kFpDivide : kFpOverflow);
  }
  template <typename T>
  static T Ref(T a, T b) {
    if (!b) return a / b;  // before fmod, which would raise invalid
    T mod;
    return DivMod(a, b, &mod);
  }
  template <typename A, typename B>
  static auto Vec(const A& a, const B&) { return a; }  // kHasVec is false
  template <typename T>
  static T Int(T a, T b, FpFlags* flags, absl::Status*) {
    T mod;
    return IntDivMod(a, b, &mod, flags);
  }
};

struct Remainder {
  static constexpr const char* kName = "remainder";
  static constexpr BinaryOut kOut = BinaryOut::kPromote;
  static constexpr bool kHasVec = false, kVecExact = false;
  static FpFlags SpecialFlag(double a, double b, double y) {
    return GenericFlag(a, b, y, kFpOverflow);
  }
  // The modulo half of DivMod alone, so that a quotient that overflows
  // raises nothing, as in NumPy.
  template <typename T>
  static T Ref(T a, T b) {
    T mod = std::fmod(a, b);
    if (!b) return mod;
    if (!mod) return std::copysign(T{0}, b);
    if (std::isless(b, T{0}) != std::isless(mod, T{0})) mod += b;
    return mod;
  }
  template <typename A, typename B>
  static auto Vec(const A& a, const B&) { return a; }  // kHasVec is false
  template <typename T>
  static T Int(T a, T b, FpFlags* flags, absl::Status*) {
    T mod;
    FpFlags ignored = 0;  // MIN % -1 is 0 without a flag in NumPy
    IntDivMod(a, b, &mod, b == 0 ? flags : &ignored);
    return mod;
  }
};

template <class Op>
KernelDef BinaryDef() {
  return {Op::kName,
          /*version=*/VersionOf<Op>::value,
          /*num_inputs=*/2,
          &BinaryKernel<Op, true>,
          &BinaryKernel<Op, false>,
          /*exact_fp_flags=*/true};
}

const KernelRegistrar kRegistrars[] = {
    KernelRegistrar(BinaryDef<Add>()),
    KernelRegistrar(BinaryDef<Subtract>()),
    KernelRegistrar(BinaryDef<Multiply>()),
    KernelRegistrar(BinaryDef<Divide>()),
    KernelRegistrar(BinaryDef<Power>()),
    KernelRegistrar(BinaryDef<Maximum>()),
    KernelRegistrar(BinaryDef<Minimum>()),
    KernelRegistrar(BinaryDef<FloorDivide>()),
    KernelRegistrar(BinaryDef<Remainder>()),
};

}  // namespace
}  // namespace kernels_internal
}  // namespace repro
