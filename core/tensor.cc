#include "core/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <new>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace repro {
namespace tensor_internal {

Buffer* Buffer::Allocate(size_t bytes) {
  void* mem = std::malloc(sizeof(Buffer) + kAlign - 1 + (bytes ? bytes : 1));
  if (mem == nullptr) throw std::bad_alloc();
  Buffer* b = new (mem) Buffer();
  const uintptr_t start = reinterpret_cast<uintptr_t>(mem);
  const uintptr_t data = (start + sizeof(Buffer) + kAlign - 1) & ~(kAlign - 1);
  b->data_offset_ = data - start;
  b->size_ = bytes;
  return b;
}

void Buffer::Free() {
  this->~Buffer();
  std::free(this);
}

}  // namespace tensor_internal

using tensor_internal::Buffer;

int64_t NumElements(absl::Span<const int64_t> shape) {
  // A zero anywhere makes an empty tensor, whatever the other dimensions
  // (multiplying them first could overflow).
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return 0;
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

absl::StatusOr<int64_t> CheckedNumElements(absl::Span<const int64_t> shape) {
  constexpr int64_t kMax = int64_t{1} << 58;
  // The product of the nonzero dimensions is bounded too: an empty tensor's
  // strides are still computed from them.
  int64_t n = 1, nonzero = 1;
  for (int64_t d : shape) {
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("negative dimension in shape ", ShapeToString(shape)));
    }
    if (d > kMax || (d != 0 && nonzero > kMax / d)) {
      return absl::InvalidArgumentError(
          absl::StrCat("shape ", ShapeToString(shape), " is too large"));
    }
    nonzero *= d != 0 ? d : 1;
    n = d == 0 ? 0 : n * d;
  }
  return n;
}

Shape ContiguousStrides(absl::Span<const int64_t> shape) {
  Shape strides(shape.size());
  int64_t s = 1;
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
    strides[i] = s;
    s *= shape[i] > 0 ? shape[i] : 1;
  }
  return strides;
}

std::string ShapeToString(absl::Span<const int64_t> shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ","), "]");
}

Tensor::Tensor() : Tensor(Empty(DType::kFloat64, {0})) {}

Tensor::Tensor(DType dtype, Buffer* buffer, Shape shape, Shape strides,
               int64_t offset)
    : buffer_(buffer),
      dtype_(dtype),
      shape_(std::move(shape)),
      strides_(std::move(strides)),
      offset_(offset),
      size_(NumElements(shape_)) {}

Tensor::Tensor(const Tensor& other)
    : buffer_(other.buffer_),
      dtype_(other.dtype_),
      shape_(other.shape_),
      strides_(other.strides_),
      offset_(other.offset_),
      size_(other.size_) {
  buffer_->Ref();
}

Tensor::Tensor(Tensor&& other) noexcept
    : buffer_(other.buffer_),
      dtype_(other.dtype_),
      shape_(std::move(other.shape_)),
      strides_(std::move(other.strides_)),
      offset_(other.offset_),
      size_(other.size_),
      borrowed_(other.borrowed_) {
  other.buffer_ = nullptr;
}

Tensor Tensor::Borrow(const Tensor& t) {
  Tensor view(t.dtype_, t.buffer_, t.shape_, t.strides_, t.offset_);
  view.borrowed_ = true;
  return view;
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) {
    other.buffer_->Ref();
    if (buffer_ && !borrowed_) buffer_->Unref();
    borrowed_ = false;
    buffer_ = other.buffer_;
    dtype_ = other.dtype_;
    shape_ = other.shape_;
    strides_ = other.strides_;
    offset_ = other.offset_;
    size_ = other.size_;
  }
  return *this;
}

Tensor& Tensor::operator=(Tensor&& other) noexcept {
  if (this != &other) {
    if (buffer_ && !borrowed_) buffer_->Unref();
    borrowed_ = other.borrowed_;
    buffer_ = other.buffer_;
    other.buffer_ = nullptr;
    dtype_ = other.dtype_;
    shape_ = std::move(other.shape_);
    strides_ = std::move(other.strides_);
    offset_ = other.offset_;
    size_ = other.size_;
  }
  return *this;
}

Tensor::~Tensor() {
  if (buffer_ && !borrowed_) buffer_->Unref();
}

Tensor Tensor::Empty(DType dtype, absl::Span<const int64_t> shape) {
  ABSL_RAW_CHECK(CheckedNumElements(shape).ok(),
                 "Tensor::Empty: a negative dimension or too many elements");
  Shape s(shape.begin(), shape.end());
  Buffer* buffer = Buffer::Allocate(NumElements(shape) * DTypeSize(dtype));
  return Tensor(dtype, buffer, std::move(s), ContiguousStrides(shape), 0);
}

Tensor Tensor::Zeros(DType dtype, absl::Span<const int64_t> shape) {
  Tensor t = Empty(dtype, shape);
  std::memset(t.raw_data(), 0, t.size() * t.element_size());
  return t;
}

namespace {
// The number of positions a strided layout reaches (1 + the largest offset).
int64_t StridedSpan(absl::Span<const int64_t> shape,
                    absl::Span<const int64_t> strides) {
  int64_t span = 1;
  for (size_t i = 0; i < shape.size(); ++i) span += strides[i] * (shape[i] - 1);
  return span;
}
}  // namespace

absl::Status Tensor::CheckLayout(DType dtype, absl::Span<const int64_t> shape,
                                 absl::Span<const int64_t> strides,
                                 uint64_t byte_count) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 16;
  absl::StatusOr<int64_t> count = CheckedNumElements(shape);
  if (!count.ok()) return count.status();
  const int64_t n = *count;
  const size_t esize = DTypeSize(dtype);
  // Compared in elements: n * esize may wrap around to byte_count.
  if (byte_count % esize != 0 || static_cast<uint64_t>(n) != byte_count / esize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "data holds ", byte_count, " bytes but ", DTypeName(dtype),
        ShapeToString(shape), " needs ", n, " elements of ", esize));
  }
  if (strides.empty() || n == 0) return absl::OkStatus();
  if (strides.size() != shape.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "strides ", ShapeToString(strides), " do not match shape ",
        ShapeToString(shape)));
  }
  int64_t span = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (strides[i] < 0 || strides[i] > kMax) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad strides ", ShapeToString(strides)));
    }
    if (shape[i] > 1 && strides[i] > (kMax - span) / (shape[i] - 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("strides ", ShapeToString(strides), " are too large"));
    }
    span += strides[i] * (shape[i] - 1);
  }
  // A strided layout may repeat elements (stride 0) but never needs more
  // memory than 64 times the data: anything larger is hostile.
  if (span > 64 && (span - 65) / 64 >= n) {  // span > 64 * n + 64, without overflow
    return absl::InvalidArgumentError(absl::StrCat(
        "strides ", ShapeToString(strides), " spread ", n,
        " elements over ", span, " positions"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Tensor> Tensor::FromBytes(DType dtype,
                                         absl::Span<const int64_t> shape,
                                         absl::Span<const int64_t> strides,
                                         absl::Span<const uint8_t> bytes) {
  absl::Status layout = CheckLayout(dtype, shape, strides, bytes.size());
  if (!layout.ok()) return layout;
  if (strides.empty() || bytes.empty()) {
    Tensor t = Empty(dtype, shape);
    if (!bytes.empty()) std::memcpy(t.raw_data(), bytes.data(), bytes.size());
    return t;
  }
  const size_t esize = DTypeSize(dtype);
  Tensor base = Zeros(dtype, {StridedSpan(shape, strides)});
  Tensor t(dtype, base.buffer_, Shape(shape.begin(), shape.end()),
           Shape(strides.begin(), strides.end()), 0);
  base.buffer_->Ref();
  uint8_t* dst = t.raw_data();
  ForEachStrided(shape, strides, [&](int64_t flat, int64_t pos) {
    std::memcpy(dst + pos * esize, bytes.data() + flat * esize, esize);
  });
  return t;
}

bool Tensor::IsContiguous() const {
  int64_t expected = 1;
  for (int i = rank() - 1; i >= 0; --i) {
    if (shape_[i] != 1 && strides_[i] != expected) return false;
    expected *= shape_[i];
  }
  return true;
}

double Tensor::GetAsDouble(int64_t flat) const {
  int64_t pos = 0;
  for (int d = rank() - 1; d >= 0; --d) {
    pos += (flat % shape_[d]) * strides_[d];
    flat /= shape_[d];
  }
  return VisitDType(dtype_, [&](auto t) {
    using T = decltype(t);
    return static_cast<double>(data<T>()[pos]);
  });
}

Tensor Tensor::Contiguous() const {
  if (IsContiguous()) return *this;
  Tensor out = Empty(dtype_, shape_);
  const size_t esize = element_size();
  const uint8_t* src = raw_data();
  uint8_t* dst = out.raw_data();
  ForEachStrided(shape_, strides_, [&](int64_t flat, int64_t pos) {
    std::memcpy(dst + flat * esize, src + pos * esize, esize);
  });
  return out;
}

std::vector<uint8_t> Tensor::ToBytes() const {
  Tensor c = Contiguous();
  const uint8_t* p = c.raw_data();
  return std::vector<uint8_t>(p, p + c.size() * c.element_size());
}

Tensor Tensor::Cast(DType dtype) const {
  Tensor src = Contiguous();
  if (dtype == dtype_) return src;
  Tensor out = Empty(dtype, shape_);
  VisitDType(dtype_, [&](auto from) {
    using From = decltype(from);
    VisitDType(dtype, [&](auto to) {
      using To = decltype(to);
      const From* s = src.data<From>();
      To* d = out.data<To>();
      for (int64_t i = 0; i < size_; ++i) d[i] = static_cast<To>(s[i]);
    });
  });
  return out;
}

absl::StatusOr<Tensor> Tensor::Slice(int axis, int64_t start, int64_t stop,
                                     int64_t step) const {
  if (axis < 0) axis += rank();
  if (axis < 0 || axis >= rank()) {
    return absl::InvalidArgumentError(
        absl::StrCat("slice axis out of range for ", DebugString()));
  }
  if (step <= 0 || start < 0 || stop < start || stop > shape_[axis]) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad slice [", start, ":", stop, ":", step, "] of axis ", axis,
        " with ", shape_[axis], " elements"));
  }
  Shape shape = shape_;
  Shape strides = strides_;
  shape[axis] = (stop - start + step - 1) / step;
  strides[axis] *= step;
  buffer_->Ref();
  return Tensor(dtype_, buffer_, std::move(shape), std::move(strides),
                offset_ + start * strides_[axis]);
}

absl::StatusOr<Tensor> Tensor::Transpose(absl::Span<const int> axes) const {
  if (static_cast<int>(axes.size()) != rank()) {
    return absl::InvalidArgumentError("transpose: axes do not match the rank");
  }
  Shape shape(rank()), strides(rank());
  std::vector<bool> seen(rank(), false);
  for (int i = 0; i < rank(); ++i) {
    int a = axes[i];
    if (a < 0 || a >= rank() || seen[a]) {
      return absl::InvalidArgumentError("transpose: axes are not a permutation");
    }
    seen[a] = true;
    shape[i] = shape_[a];
    strides[i] = strides_[a];
  }
  buffer_->Ref();
  return Tensor(dtype_, buffer_, std::move(shape), std::move(strides), offset_);
}

absl::StatusOr<Tensor> Tensor::Reshape(absl::Span<const int64_t> requested) const {
  // One -1 stands for what the other dimensions leave.
  Shape shape(requested.begin(), requested.end());
  const auto inferred = std::find(shape.begin(), shape.end(), -1);
  if (inferred != shape.end()) *inferred = 1;
  const auto cannot = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot reshape ", DebugString(), " to ", ShapeToString(requested)));
  };
  if (std::count(requested.begin(), requested.end(), -1) > 1) return cannot();
  absl::StatusOr<int64_t> rest = CheckedNumElements(shape);
  if (!rest.ok()) return cannot();
  if (inferred != shape.end()) {
    if (*rest == 0 || size_ % *rest != 0) return cannot();
    *inferred = size_ / *rest;
  } else if (*rest != size_) {
    return cannot();
  }
  if (!IsContiguous()) {
    return absl::InvalidArgumentError("reshape needs a contiguous tensor");
  }
  buffer_->Ref();
  return Tensor(dtype_, buffer_, Shape(shape.begin(), shape.end()),
                ContiguousStrides(shape), offset_);
}

std::string Tensor::DebugString() const {
  return absl::StrCat(DTypeName(dtype_), ShapeToString(shape_));
}

}  // namespace repro
