// Linear algebra: matmul (2-D, 1-D and batched with broadcasting), solve,
// inv, cholesky. solve, inv and cholesky take 2-D matrices and compute in
// float (ints become float64), as NumPy's linalg does.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/LU>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/shape.h"
#include "kernels/internal/blis_gemm.h"
#include "kernels/internal/kernel_util.h"

namespace repro {
namespace kernels_internal {
namespace {

template <typename T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using MatrixMap = Eigen::Map<Matrix<T>>;
template <typename T>
using ConstMatrixMap = Eigen::Map<const Matrix<T>>;

// One n x k times k x m product into c (row-major, contiguous).
// Products of at least this many multiply-adds go to BLIS.
constexpr int64_t kBlisMinFlops = int64_t{32} * 32 * 32;

template <typename T, bool kOptimized>
void MatmulOne(const T* a, const T* b, T* c, int64_t n, int64_t k,
               int64_t m) {
  if constexpr (kOptimized && !std::is_integral_v<T>) {
    // BLIS for products large enough to pay for its packing (blis_gemm.h);
    // Eigen's for the small ones, where BLIS's start-up per call dominates.
    if (n * k * m >= kBlisMinFlops) {
      BlisGemm(a, b, c, n, k, m);
    } else {
      MatrixMap<T>(c, n, m).noalias() =
          ConstMatrixMap<T>(a, n, k) * ConstMatrixMap<T>(b, k, m);
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < m; ++j) {
        T s = 0;
        for (int64_t p = 0; p < k; ++p) {
          if constexpr (std::is_integral_v<T>) {
            s = WrapAdd(s, WrapMul(a[i * k + p], b[p * m + j]));
          } else {
            s += a[i * k + p] * b[p * m + j];
          }
        }
        c[i * m + j] = s;
      }
    }
  }
}

template <bool kOptimized>
absl::StatusOr<Tensor> Matmul(absl::Span<const Tensor> in, const Attrs&) {
  if (in[0].rank() == 0 || in[1].rank() == 0) {
    return absl::InvalidArgumentError(
        "matmul: input operand does not have enough dimensions (a scalar)");
  }
  const DType dtype = PromoteTypes(in[0].dtype(), in[1].dtype());
  Tensor a = in[0].Cast(dtype);
  Tensor b = in[1].Cast(dtype);
  // NumPy: a 1-D left operand is a row, a 1-D right operand a column, and
  // the added dimension is dropped from the result.
  const bool a_vec = a.rank() == 1, b_vec = b.rank() == 1;
  if (a_vec) a = *a.Reshape({1, a.dim(0)});
  if (b_vec) b = *b.Reshape({b.dim(0), 1});
  const int64_t n = a.dim(a.rank() - 2), k = a.dim(a.rank() - 1);
  const int64_t m = b.dim(b.rank() - 1);
  if (b.dim(b.rank() - 2) != k) {
    return absl::InvalidArgumentError(absl::StrCat(
        "matmul: inner dimensions differ: ", ShapeToString(in[0].shape()),
        " @ ", ShapeToString(in[1].shape()), " (", k,
        " != ", b.dim(b.rank() - 2), ")"));
  }
  Shape a_batch(a.shape().begin(), a.shape().end() - 2);
  Shape b_batch(b.shape().begin(), b.shape().end() - 2);
  auto batch = BroadcastShapes(a_batch, b_batch);
  if (!batch.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("matmul: batch dimensions: ", batch.status().message()));
  }
  Shape out_shape = *batch;
  if (!a_vec) out_shape.push_back(n);
  if (!b_vec) out_shape.push_back(m);
  if (absl::StatusOr<int64_t> count = CheckedNumElements(out_shape); !count.ok()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("matmul: the result ", ShapeToString(out_shape), ": ",
                     count.status().message()));
  }
  Tensor out = Tensor::Empty(dtype, out_shape);
  // Batch positions of a and b (in matrices) for each output matrix.
  Tensor a_index = Tensor::Empty(DType::kInt64, a_batch);
  Tensor b_index = Tensor::Empty(DType::kInt64, b_batch);
  const Shape sa = BroadcastStrides(a_index, *batch);
  const Shape sb = BroadcastStrides(b_index, *batch);
  auto compute = [&] {
    VisitDType(dtype, [&](auto t) {
      using T = decltype(t);
      const T* ap = a.data<T>();
      const T* bp = b.data<T>();
      T* cp = out.data<T>();
      ForEachStrided(*batch, sa, [&](int64_t i, int64_t pa) {
        int64_t pb = 0, rest = i;
        for (int d = static_cast<int>(batch->size()) - 1; d >= 0; --d) {
          pb += (rest % (*batch)[d]) * sb[d];
          rest /= (*batch)[d];
        }
        MatmulOne<T, kOptimized>(ap + pa * n * k, bp + pb * k * m,
                                 cp + i * n * m, n, k, m);
      });
    });
  };
  if (!IsFloat(dtype)) {
    compute();
  } else {
    FpFlags saved = SaveAndClearFpFlags();
    compute();
    DiscardFpFlags(saved);
    RaiseFpFlags(WholeTensorFlags(out, {a, b}));
  }
  return out;
}

// Checks that `a` is a square 2-D matrix; returns its float compute type.
absl::StatusOr<DType> CheckSquare(const Tensor& a, absl::string_view kernel) {
  if (a.rank() != 2 || a.dim(0) != a.dim(1)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kernel, ": expected a square 2-D matrix, got ",
                     ShapeToString(a.shape())));
  }
  return FloatTypeFor(a.dtype());
}

absl::Status Singular(absl::string_view kernel) {
  return absl::InvalidArgumentError(absl::StrCat(kernel, ": singular matrix"));
}

// Solves a x = b in place of b (n x m) by Gaussian elimination with partial
// pivoting, the reference for LU. False when a pivot is exactly zero, the
// case where LAPACK's getrf (under NumPy) reports a singular matrix.
template <typename T>
bool GaussSolve(Matrix<T> a, Matrix<T>* b) {
  const int64_t n = a.rows();
  for (int64_t c = 0; c < n; ++c) {
    int64_t p = c;
    for (int64_t r = c + 1; r < n; ++r) {
      if (std::fabs(a(r, c)) > std::fabs(a(p, c))) p = r;
    }
    if (a(p, c) == 0) return false;
    a.row(c).swap(a.row(p));
    b->row(c).swap(b->row(p));
    for (int64_t r = c + 1; r < n; ++r) {
      const T f = a(r, c) / a(c, c);
      for (int64_t j = c; j < n; ++j) a(r, j) -= f * a(c, j);
      for (int64_t j = 0; j < b->cols(); ++j) (*b)(r, j) -= f * (*b)(c, j);
    }
  }
  for (int64_t c = n - 1; c >= 0; --c) {
    for (int64_t j = 0; j < b->cols(); ++j) {
      T s = (*b)(c, j);
      for (int64_t k = c + 1; k < n; ++k) s -= a(c, k) * (*b)(k, j);
      (*b)(c, j) = s / a(c, c);
    }
  }
  return true;
}

// Solves a x = b into *x with an LU factorization; false if singular.
template <typename T, bool kOptimized>
bool LuSolve(const Matrix<T>& a, const Matrix<T>& b, Matrix<T>* x) {
  if constexpr (kOptimized) {
    Eigen::PartialPivLU<Matrix<T>> lu(a);
    if ((lu.matrixLU().diagonal().array() == T{0}).any()) return false;
    *x = lu.solve(b);
    return true;
  } else {
    *x = b;
    return GaussSolve(a, x);
  }
}

// solve(a, b) and inv(a) (= solve(a, I)).
template <bool kOptimized, bool kInverse>
absl::StatusOr<Tensor> SolveKernel(absl::Span<const Tensor> in,
                                   const Attrs&) {
  const char* name = kInverse ? "inv" : "solve";
  auto dtype = CheckSquare(in[0], name);
  if (!dtype.ok()) return dtype.status();
  DType t = *dtype;
  if (!kInverse) t = PromoteTypes(t, FloatTypeFor(in[1].dtype()));
  const int64_t n = in[0].dim(0);
  if (!kInverse && (in[1].rank() < 1 || in[1].rank() > 2 ||
                    in[1].dim(0) != n)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "solve: b must have ", n, " rows (a is ", ShapeToString(in[0].shape()),
        ", b is ", ShapeToString(in[1].shape()), ")"));
  }
  Tensor a = in[0].Cast(t);
  Shape out_shape = kInverse ? in[0].shape() : in[1].shape();
  Tensor out = Tensor::Empty(t, out_shape);
  bool ok = true;
  FpFlags saved = SaveAndClearFpFlags();
  VisitFloat(t, [&](auto z) {
    using T = decltype(z);
    Matrix<T> am = ConstMatrixMap<T>(a.data<T>(), n, n);
    Matrix<T> bm;
    if constexpr (kInverse) {
      bm = Matrix<T>::Identity(n, n);
    } else {
      Tensor b = in[1].Cast(t);
      bm = ConstMatrixMap<T>(b.data<T>(), n, b.rank() == 2 ? b.dim(1) : 1);
    }
    Matrix<T> x;
    ok = LuSolve<T, kOptimized>(am, bm, &x);
    if (ok) MatrixMap<T>(out.data<T>(), x.rows(), x.cols()) = x;
  });
  DiscardFpFlags(saved);
  if (!ok) return Singular(name);
  if (!kInverse) {
    RaiseFpFlags(WholeTensorFlags(out, {a, in[1]}));
  } else {
    RaiseFpFlags(WholeTensorFlags(out, {a}));
  }
  return out;
}

template <bool kOptimized>
absl::StatusOr<Tensor> Cholesky(absl::Span<const Tensor> in, const Attrs&) {
  auto dtype = CheckSquare(in[0], "cholesky");
  if (!dtype.ok()) return dtype.status();
  Tensor a = in[0].Cast(*dtype);
  const int64_t n = a.dim(0);
  Tensor out = Tensor::Zeros(*dtype, a.shape());
  bool ok = true;
  FpFlags saved = SaveAndClearFpFlags();
  VisitFloat(*dtype, [&](auto z) {
    using T = decltype(z);
    ConstMatrixMap<T> am(a.data<T>(), n, n);
    MatrixMap<T> l(out.data<T>(), n, n);
    if constexpr (kOptimized) {
      Eigen::LLT<Matrix<T>, Eigen::Lower> llt(am);
      ok = llt.info() == Eigen::Success;
      if (ok) l = llt.matrixL();
    } else {
      for (int64_t j = 0; j < n && ok; ++j) {
        T d = am(j, j);
        for (int64_t k = 0; k < j; ++k) d -= l(j, k) * l(j, k);
        ok = d > 0;  // false for NaN too, as LAPACK's potrf
        if (!ok) break;
        l(j, j) = std::sqrt(d);
        for (int64_t i = j + 1; i < n; ++i) {
          T s = am(i, j);
          for (int64_t k = 0; k < j; ++k) s -= l(i, k) * l(j, k);
          l(i, j) = s / l(j, j);
        }
      }
    }
    // LAPACK stops at a NaN pivot; Eigen lets it through.
    for (int64_t j = 0; j < n && ok; ++j) ok = !std::isnan(l(j, j));
  });
  DiscardFpFlags(saved);
  if (!ok) {
    return absl::InvalidArgumentError(
        "cholesky: matrix is not positive definite");
  }
  RaiseFpFlags(WholeTensorFlags(out, {a}));
  return out;
}

// Eigen's GEMM blocks its loops by the cache sizes it detects (CPUID), and
// the blocking decides the order of the sums: two machines of the same
// instruction-set level with other caches computed other bits. Pinned to
// one x86-64-v3 server's sizes (L1d 32 KiB, L2 512 KiB, L3 8 MiB), matmul,
// solve and inv give the same bits everywhere (build_identity_test).
[[maybe_unused]] const bool kBlockingPinned = [] {
  Eigen::setCpuCacheSizes(std::ptrdiff_t{32} << 10, std::ptrdiff_t{512} << 10,
                          std::ptrdiff_t{8} << 20);
  return true;
}();

const KernelRegistrar kRegistrars[] = {
    // matmul 2: BLIS for large products, Eigen's blocking pinned for small.
    KernelRegistrar({"matmul", 2, 2, &Matmul<true>, &Matmul<false>, true}),
    KernelRegistrar({"solve", 1, 2, &SolveKernel<true, false>,
                     &SolveKernel<false, false>, true}),
    KernelRegistrar({"inv", 1, 1, &SolveKernel<true, true>,
                     &SolveKernel<false, true>, true}),
    KernelRegistrar({"cholesky", 1, 1, &Cholesky<true>, &Cholesky<false>,
                     true}),
};

}  // namespace
}  // namespace kernels_internal
}  // namespace repro
