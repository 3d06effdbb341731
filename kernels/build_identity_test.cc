// The same bits in every build: a fixed sweep of calls of every built-in
// kernel (both variants; float32 and float64, ints where they apply;
// special values in every lane position of 2-D arrays, reductions along
// each axis, matrices of odd sizes and one larger than Eigen's blocks),
// hashed per call with the flags it raised and its status when it fails
// (NaNs compared as NaN: see CanonicalNans). The digests
// are held in testdata/build_digests.txt; ./test.sh runs this test in
// fastbuild and in -c opt, so an optimization that changes a kernel's bits
// (an FMA contraction, a different code path) is caught. After an
// intended change of results, regenerate the file with
//   bazel run //kernels:build_identity_test -- --update=$PWD/kernels/testdata/build_digests.txt
// (and bump the kernel's version). To see which elements two builds
// disagree on, run it in each with --dump=DIR and compare the files.
#include <xxhash.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "Eigen/Core"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "core/fp_env.h"
#include "core/registry.h"
#include "gtest/gtest.h"
#include "kernels/kernels.h"
#include "testing/expect.h"

namespace repro {
namespace {

std::string g_update;  // --update=PATH: write the digests there instead
std::string g_dump;    // --dump=DIR: write each call's outputs there too

// 7 x 67 values: each special value at every column position over the
// rows, the rest spread over many binades (a fixed SplitMix64 stream).
template <typename T>
Tensor Sweep(uint64_t seed, int rows = 7, int cols = 67) {
  using L = std::numeric_limits<T>;
  const T specials[] = {T(0),          T(-0.0),      T(1),        T(-1),
                        L::infinity(), -L::infinity(), L::quiet_NaN(), L::max(),
                        L::min(),      L::denorm_min(), T(0.5),      T(-3.75)};
  std::vector<T> v(rows * cols);
  uint64_t s = seed;
  for (size_t i = 0; i < v.size(); ++i) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    const double mantissa = static_cast<double>(z >> 11) * 0x1p-53 * 2 - 1;
    const int exponent = static_cast<int>(z % 41) - 20;
    v[i] = static_cast<T>(std::ldexp(mantissa, exponent));
  }
  for (int r = 0; r < rows; ++r) {
    for (size_t k = 0; k < std::size(specials); ++k) {
      v[r * cols + (r * 5 + k * 7) % cols] = specials[k];
    }
  }
  return Tensor::FromValues<T>(v, {rows, cols});
}

// A symmetric positive definite n x n matrix: B Bᵀ + n I.
Tensor Spd(int n, uint64_t seed) {
  const Tensor b = Sweep<double>(seed, n, n);
  std::vector<double> a(n * n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      double sum = i == j ? n : 0;
      for (int k = 0; k < n; ++k) {
        const double x = b.data<double>()[i * n + k], y = b.data<double>()[j * n + k];
        if (std::isfinite(x) && std::isfinite(y) && std::fabs(x) < 1e3 && std::fabs(y) < 1e3) {
          sum += x * y;
        }
      }
      a[i * n + j] = sum;
    }
  }
  return Tensor::FromValues<double>(a, {n, n});
}

// The calls of the sweep for `kernel` (inputs, attrs).
std::vector<std::pair<std::vector<Tensor>, Attrs>> Calls(const KernelDef& k) {
  std::vector<std::pair<std::vector<Tensor>, Attrs>> calls;
  const std::string& name = k.name;
  auto both_types = [&](auto make) {
    make(Sweep<float>(1), Sweep<float>(2));
    make(Sweep<double>(1), Sweep<double>(2));
  };
  if (name == "matmul") {
    // The last is larger than Eigen's blocks: the pinned blocking counts.
    for (auto [m, kk, n] : {std::tuple{17, 33, 9}, {64, 64, 64}, {129, 70, 65}, {300, 700, 280}}) {
      calls.push_back({{Sweep<double>(3, m, kk), Sweep<double>(4, kk, n)}, Attrs()});
      calls.push_back({{Sweep<float>(3, m, kk), Sweep<float>(4, kk, n)}, Attrs()});
    }
  } else if (name == "solve" || name == "inv" || name == "cholesky") {
    for (int n : {5, 17}) {
      std::vector<Tensor> in = {Spd(n, 5)};
      if (name == "solve") in.push_back(Sweep<double>(6, n, 3));
      calls.push_back({in, Attrs()});
      in[0] = Sweep<double>(7, n, n);  // not positive definite, maybe singular
      calls.push_back({in, Attrs()});
    }
  } else if (name == "cross_entropy") {
    std::vector<int64_t> labels(7);
    for (int i = 0; i < 7; ++i) labels[i] = (i * 13) % 67;
    calls.push_back({{Sweep<double>(8), Tensor::FromValues<int64_t>(labels, {7})}, Attrs()});
    calls.push_back({{Sweep<float>(8), Tensor::FromValues<int64_t>(labels, {7})}, Attrs()});
  } else if (k.num_inputs == 2) {
    both_types([&](Tensor a, Tensor b) {
      calls.push_back({{a, b}, Attrs()});
      calls.push_back({{a, *b.Slice(0, 2, 3)}, Attrs()});  // broadcast a row
    });
    for (DType d : {DType::kInt32, DType::kInt64}) {
      const Tensor a = Sweep<double>(9).Cast(d), b = Sweep<double>(10).Cast(d);
      calls.push_back({{a, b}, Attrs()});
    }
  } else {
    both_types([&](Tensor a, Tensor) {
      calls.push_back({{a}, Attrs()});
      Attrs axis0, axis1;
      axis0.Set("axis", 0);
      axis1.Set("axis", 1);
      calls.push_back({{a}, axis0});
      calls.push_back({{a}, axis1});
      calls.push_back({{*a.Transpose({1, 0})}, Attrs()});  // a strided view
    });
  }
  return calls;
}

// `t` with every NaN made the same quiet NaN. A NaN's sign and payload are
// not pinned: when both operands of an operation are NaN, x86 returns the
// first one, and gcc orders commutative operands differently at -O0 and
// -O2 (NumPy does not define them either; the lanes and NumPy table tests
// match NaN with NaN of either sign too).
Tensor CanonicalNans(const Tensor& t) {
  Tensor c = t.Contiguous();
  if (!IsFloat(c.dtype())) return c;
  Tensor out = Tensor::Empty(c.dtype(), c.shape());
  VisitDType(c.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t i = 0; i < c.size(); ++i) {
      const T v = c.data<T>()[i];
      out.data<T>()[i] = std::isnan(v) ? std::numeric_limits<T>::quiet_NaN() : v;
    }
  });
  return out;
}

// The digest of each call of the sweep of `k`'s `variant`: its flags, its
// status, its output bytes. With --dump, the outputs also go to files
// DIR/<kernel>.<variant>.<call> (to compare two builds element by element).
std::vector<std::string> Digests(const KernelDef& k, Variant variant, const std::string& key) {
  std::vector<std::string> digests;
  const auto calls = Calls(k);
  for (size_t i = 0; i < calls.size(); ++i) {
    const auto& [inputs, attrs] = calls[i];
    const FpFlags saved = SaveAndClearFpFlags();
    absl::StatusOr<Tensor> out = k.fn(variant)(inputs, attrs);
    const FpFlags flags = RestoreFpFlags(saved);
    ClearFpFlags();
    std::string bytes = absl::StrCat(flags, out.ok() ? "" : out.status().ToString(), ";");
    if (out.ok()) {
      const std::vector<uint8_t> data = CanonicalNans(*out).ToBytes();
      bytes.append(data.begin(), data.end());
    }
    digests.push_back(absl::StrFormat("%016x", XXH64(bytes.data(), bytes.size(), 0)));
    if (!g_dump.empty()) {
      std::ofstream(absl::StrCat(g_dump, "/", key, ".", i), std::ios::binary) << bytes;
    }
  }
  return digests;
}

TEST(BuildIdentity, MatmulBlockingIsPinned) {
  // What the kernels set at start-up, whatever this machine's caches.
  EXPECT_EQ(Eigen::l1CacheSize(), std::ptrdiff_t{32} << 10);
  EXPECT_EQ(Eigen::l2CacheSize(), std::ptrdiff_t{512} << 10);
  EXPECT_EQ(Eigen::l3CacheSize(), std::ptrdiff_t{8} << 20);
}

TEST(BuildIdentity, EveryKernelGivesTheRecordedBits) {
  std::map<std::string, std::string> want;
  std::ifstream in(testing::Runfile("kernels/testdata/build_digests.txt"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() == 2) want[f[0]] = f[1];
  }
  std::string table =
      "# kernel/variant digest: //kernels:build_identity_test (regenerate: see the test)\n";
  int checked = 0;
  for (const std::string& name : Registry::Global().Names()) {
    const KernelDef& k = *Registry::Global().Find(name);
    for (Variant v : {Variant::kOptimized, Variant::kReference}) {
      const std::string variant = v == Variant::kOptimized ? "optimized" : "reference";
      const std::vector<std::string> got = Digests(k, v, absl::StrCat(name, ".", variant));
      for (size_t i = 0; i < got.size(); ++i) {
        const std::string key = absl::StrCat(name, "/", variant, "#", i);
        absl::StrAppend(&table, key, " ", got[i], "\n");
        if (g_update.empty()) {
          EXPECT_EQ(want[key], got[i]) << key << ": other bits than the recorded build's";
          ++checked;
        }
      }
    }
  }
  if (!g_update.empty()) {
    std::ofstream(g_update) << table;
    std::printf("wrote %s\n", g_update.c_str());
  } else {
    EXPECT_GE(checked, 2 * 36 * 2);
    EXPECT_EQ(want.size(), static_cast<size_t>(checked)) << "kernels missing from the sweep";
  }
}

}  // namespace
}  // namespace repro

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--update=", 0) == 0) repro::g_update = arg.substr(9);
    if (arg.rfind("--dump=", 0) == 0) repro::g_dump = arg.substr(7);
  }
  return RUN_ALL_TESTS();
}
