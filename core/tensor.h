// Tensor: an n-dimensional array of one DType, NumPy style.
//
// A Tensor is a view (shape, strides and offset, all counted in elements)
// onto a reference-counted buffer. Copying a Tensor is cheap and shares the
// buffer; views and slices share it too. Kernels always return tensors with
// fresh contiguous (row-major) buffers. A Tensor may be read from several
// threads at once; writing through data() while others read is a race, as
// with any array.
//
// Example:
//   Tensor x = Tensor::FromValues<double>({1, 2, 3, 4, 5, 6}, {2, 3});
//   absl::StatusOr<Tensor> col = x.Slice(/*axis=*/1, 1, 2);  // shape {2, 1}
//   Tensor packed = col->Contiguous();
#ifndef REPRO_CORE_TENSOR_H_
#define REPRO_CORE_TENSOR_H_

#include <atomic>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/base/internal/raw_logging.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/dtype.h"

namespace repro {

// Dimensions or strides of a tensor; four inline before any allocation.
using Shape = absl::InlinedVector<int64_t, 4>;

// Number of elements of `shape` (1 for a scalar, 0 if any dimension is 0).
int64_t NumElements(absl::Span<const int64_t> shape);

// NumElements for an untrusted shape: InvalidArgument for a negative
// dimension or a count that would overflow (above 2^58 elements).
absl::StatusOr<int64_t> CheckedNumElements(absl::Span<const int64_t> shape);

// Row-major strides, in elements, of a contiguous array of `shape`.
Shape ContiguousStrides(absl::Span<const int64_t> shape);

// "[2,3]" for {2, 3}; "[]" for a scalar.
std::string ShapeToString(absl::Span<const int64_t> shape);

namespace tensor_internal {
// A reference-counted, 64-byte aligned block of bytes. Hand-written rather
// than std::shared_ptr because a tensor then costs one allocation instead of
// two, which matters for the ≤ 50 ns target of a small kernel call. It
// aligns within a plain malloc block: glibc serves malloc from its
// per-thread cache, while aligned_alloc always takes the slow path. The
// alignment is fixed because Eigen's vectorized reductions peel elements up
// to an aligned address: a varying alignment would vary the summation order,
// and with it the last bits of a result.
class Buffer {
 public:
  static Buffer* Allocate(size_t bytes);
  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) Free();
  }
  uint8_t* data() { return reinterpret_cast<uint8_t*>(this) + data_offset_; }
  size_t size() const { return size_; }

 private:
  static constexpr size_t kAlign = 64;
  void Free();
  std::atomic<int64_t> refs_{1};
  size_t size_ = 0;
  size_t data_offset_ = 0;
};
}  // namespace tensor_internal

class Tensor {
 public:
  // An empty float64 tensor of shape {0}.
  Tensor();
  Tensor(const Tensor& other);
  Tensor(Tensor&& other) noexcept;
  Tensor& operator=(const Tensor& other);
  Tensor& operator=(Tensor&& other) noexcept;
  ~Tensor();

  // A contiguous tensor with uninitialized elements. Dimensions must be >= 0
  // and the count must fit (CheckedNumElements): anything else is a
  // programming error and aborts, rather than allocating a wrapped size.
  static Tensor Empty(DType dtype, absl::Span<const int64_t> shape);

  // A contiguous tensor of zeros.
  static Tensor Zeros(DType dtype, absl::Span<const int64_t> shape);

  // A contiguous tensor holding `values` in row-major order. The number of
  // values must equal NumElements(shape): a mismatch is a programming error
  // and aborts.
  template <typename T>
  static Tensor FromValues(absl::Span<const T> values,
                           absl::Span<const int64_t> shape);
  template <typename T>
  static Tensor FromValues(std::initializer_list<T> values,
                           std::initializer_list<int64_t> shape) {
    return FromValues<T>(absl::MakeConstSpan(values.begin(), values.size()),
                         absl::MakeConstSpan(shape.begin(), shape.size()));
  }

  // A tensor built from untrusted parts (a snapshot): `bytes` holds the
  // elements in row-major order of `shape`, little-endian; `strides` (may be
  // empty for contiguous) is the layout to rebuild, with the elements placed
  // at the strided positions of a fresh buffer. InvalidArgument when a
  // dimension is negative, the byte count does not match, a stride is
  // negative, or the sizes overflow.
  static absl::StatusOr<Tensor> FromBytes(DType dtype,
                                          absl::Span<const int64_t> shape,
                                          absl::Span<const int64_t> strides,
                                          absl::Span<const uint8_t> bytes);

  // The checks of FromBytes without building the tensor: OK when `shape`,
  // `strides` and a data size of `byte_count` bytes describe a valid tensor.
  static absl::Status CheckLayout(DType dtype, absl::Span<const int64_t> shape,
                                  absl::Span<const int64_t> strides,
                                  uint64_t byte_count);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  // Strides in elements (not bytes, unlike NumPy).
  const Shape& strides() const { return strides_; }
  int64_t offset() const { return offset_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int axis) const { return shape_[axis]; }
  int64_t size() const { return size_; }
  size_t element_size() const { return DTypeSize(dtype_); }

  // True when the elements are in row-major order with no gaps.
  bool IsContiguous() const;

  // Pointer to the first element (at offset()). T must match dtype(); a
  // mismatch aborts.
  template <typename T>
  T* data() const {
    ABSL_RAW_CHECK(DTypeOf<T>::value == dtype_, "Tensor::data: wrong type");
    return reinterpret_cast<T*>(raw_data());
  }
  uint8_t* raw_data() const {
    return buffer_->data() + offset_ * static_cast<int64_t>(element_size());
  }

  // The element at row-major position `flat` (0 <= flat < size()) through
  // the strides, converted to double.
  double GetAsDouble(int64_t flat) const;

  // The element at multi-index `index`, as T (must match dtype()).
  template <typename T>
  T At(absl::Span<const int64_t> index) const {
    int64_t pos = 0;
    for (size_t i = 0; i < index.size(); ++i) pos += index[i] * strides_[i];
    return data<T>()[pos];
  }

  // This tensor if contiguous, otherwise a contiguous copy.
  Tensor Contiguous() const;

  // The elements in row-major order as little-endian bytes (a copy).
  std::vector<uint8_t> ToBytes() const;

  // The elements converted to `dtype` (C++ conversion rules), contiguous.
  Tensor Cast(DType dtype) const;

  // A view of elements start, start+step, ... < stop along `axis`.
  // InvalidArgument for a bad axis, step <= 0 or bounds outside [0, dim].
  absl::StatusOr<Tensor> Slice(int axis, int64_t start, int64_t stop,
                               int64_t step = 1) const;

  // A view with the axes permuted (NumPy's transpose(axes)).
  absl::StatusOr<Tensor> Transpose(absl::Span<const int> axes) const;

  // A view with a new shape of the same size; needs a contiguous tensor.
  // `shape` may hold one -1, inferred from the element count (NumPy's rule).
  absl::StatusOr<Tensor> Reshape(absl::Span<const int64_t> shape) const;

  // The element at index 0 of a one-element tensor, as double.
  double item() const { return GetAsDouble(0); }

  // "float64[2,3]".
  std::string DebugString() const;

  // A view of `t` that does not hold a reference to its buffer, for building
  // a call's input array without touching reference counts. It must not
  // outlive `t`; copies of it are ordinary tensors.
  static Tensor Borrow(const Tensor& t);

 private:
  Tensor(DType dtype, tensor_internal::Buffer* buffer, Shape shape,
         Shape strides, int64_t offset);

  tensor_internal::Buffer* buffer_;
  DType dtype_;
  Shape shape_;
  Shape strides_;
  int64_t offset_;
  int64_t size_;
  bool borrowed_ = false;  // see Borrow(): no reference held
};

// Calls fn(flat, pos) for every element in row-major order, where `pos` is the
// element's position in the buffer relative to offset(), following `strides`.
template <typename Fn>
void ForEachStrided(absl::Span<const int64_t> shape,
                    absl::Span<const int64_t> strides, Fn&& fn) {
  const int rank = static_cast<int>(shape.size());
  const int64_t n = NumElements(shape);
  if (n == 0) return;
  Shape index(rank, 0);
  int64_t pos = 0;
  for (int64_t flat = 0; flat < n; ++flat) {
    fn(flat, pos);
    for (int d = rank - 1; d >= 0; --d) {
      if (++index[d] < shape[d]) {
        pos += strides[d];
        break;
      }
      pos -= strides[d] * (shape[d] - 1);
      index[d] = 0;
    }
  }
}

template <typename T>
Tensor Tensor::FromValues(absl::Span<const T> values,
                          absl::Span<const int64_t> shape) {
  ABSL_RAW_CHECK(static_cast<int64_t>(values.size()) == NumElements(shape),
                 "Tensor::FromValues: value count does not match the shape");
  Tensor t = Empty(DTypeOf<T>::value, shape);
  if (!values.empty()) {
    std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(T));
  }
  return t;
}

}  // namespace repro

#endif  // REPRO_CORE_TENSOR_H_
