// Every float32 input through vec_math.h's functions on AVX-512 and AVX2
// packets: the largest error against glibc's float64 function (in ulps of
// the float32 result) and the count of inputs whose two paths differ in
// their bits; for float64 expm1, log and log1p, 80 million samples (both
// signs of every binade, from 2^-70 to 2^10 and over the whole range, and
// uniform over [-30, 30] and [-50, 710]) against long double's expm1l,
// logl and log1pl. Exits 1 when a path differs or an error exceeds NumPy's
// tolerance; too slow for a unit test (2^32 inputs, about a minute per
// function on two cores), run by hand after a change of vec_math.h:
//
//   bazel run -c opt //kernels:vec_math_accuracy -- tanh
//
// The whole file is built with -mavx512f (for the F16 packets), so it runs
// only on AVX-512 CPUs.
#include <sleef.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "kernels/internal/ulp_error.h"
#include "kernels/internal/vec_math.h"

namespace repro {
namespace kernels_internal {
namespace {

using vec_math::F16;
using vec_math::F8;

// The largest error, where, and the counts over a set of inputs.
struct Tally {
  double max_error = 0;
  double worst = 0;  // the input with the largest error
  uint64_t over_one = 0, differing = 0;

  // n inputs x, their AVX-512 results a and AVX2 results b (NaN matches
  // NaN), against exact(x).
  template <typename T, class Exact>
  void Add(const T* x, const T* a, const T* b, int n, Exact exact) {
    for (int j = 0; j < n; ++j) {
      differing += std::memcmp(&a[j], &b[j], sizeof(T)) != 0 && !(std::isnan(a[j]) && std::isnan(b[j]));
      const double e = UlpError(a[j], exact(x[j]));
      over_one += e > 1;
      if (e > max_error) max_error = e, worst = x[j];
    }
  }
};

// The float32 inputs whose bit patterns lie in [first, last).
template <class Wide, class Narrow, class Exact>
Tally Sweep(Wide wide, Narrow narrow, Exact exact, uint64_t first, uint64_t last) {
  Tally t;
  float x[16], a[16], b[16];
  for (uint64_t bits = first; bits < last; bits += 16) {
    for (int j = 0; j < 16; ++j) {
      const uint32_t u = static_cast<uint32_t>(bits + j);
      std::memcpy(&x[j], &u, 4);
    }
    F16::Store(a, wide(F16::Load(x)));
    F8::Store(b, narrow(F8::Load(x)));
    F8::Store(b + 8, narrow(F8::Load(x + 8)));
    t.Add(x, a, b, 16, exact);
  }
  return t;
}

// A float64 function on `count` samples from `seed` (SplitMix64).
template <class Wide, class Narrow>
Tally SampleF64(Wide wide, Narrow narrow, long double (*exact)(long double), uint64_t seed,
                int64_t count) {
  Tally t;
  double x[8], a[8], b[8];
  for (int64_t i = 0; i < count; i += 8) {
    for (int j = 0; j < 8; ++j) {
      uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      z ^= z >> 31;
      const double unit = static_cast<double>(z >> 11) * 0x1p-53;
      switch (z % 4) {
        case 0: x[j] = std::ldexp(1 + unit, static_cast<int>((z >> 2) % 80) - 70); break;
        case 1: x[j] = std::ldexp(1 + unit, static_cast<int>((z >> 2) % 2098) - 1074); break;
        case 2: x[j] = unit * 60 - 30; break;
        default: x[j] = unit * 760 - 50; break;
      }
      if (z % 4 < 2 && (z & 4096)) x[j] = -x[j];
    }
    _mm512_storeu_pd(a, wide(_mm512_loadu_pd(x)));
    _mm256_storeu_pd(b, narrow(_mm256_loadu_pd(x)));
    _mm256_storeu_pd(b + 4, narrow(_mm256_loadu_pd(x + 4)));
    t.Add(x, a, b, 8, exact);
  }
  return t;
}

// Runs half(0) and half(1) on two threads, prints their sum and returns
// the exit code. `inputs` says what was counted ("of 2^32 inputs").
template <class Half>
int Report(const char* name, double tolerance, const char* inputs, Half half) {
  Tally halves[2];
  std::thread other([&] { halves[1] = half(1); });
  halves[0] = half(0);
  other.join();
  const Tally& worse = halves[0].max_error >= halves[1].max_error ? halves[0] : halves[1];
  const uint64_t differing = halves[0].differing + halves[1].differing;
  std::printf("%s: max %.3f ulp at %a (NumPy's tolerance %g), %llu %s above 1 ulp; "
              "AVX-512 and AVX2 differ on %llu\n",
              name, worse.max_error, worse.worst, tolerance,
              static_cast<unsigned long long>(halves[0].over_one + halves[1].over_one), inputs,
              static_cast<unsigned long long>(differing));
  return differing == 0 && worse.max_error <= tolerance ? 0 : 1;
}

// Every float32 input, half of the bit patterns per thread.
template <class Wide, class Narrow, class Exact>
int Check(const char* name, double tolerance, Wide wide, Narrow narrow, Exact exact) {
  return Report(name, tolerance, "of 2^32 inputs", [&](int h) {
    return Sweep(wide, narrow, exact, uint64_t(h) << 31, uint64_t(h + 1) << 31);
  });
}

// 80 million float64 samples, 40 million per thread.
template <class Wide, class Narrow>
int CheckF64(const char* name, double tolerance, Wide wide, Narrow narrow,
             long double (*exact)(long double)) {
  return Report(name, tolerance, "of 80000000 samples", [&](int h) {
    return SampleF64(wide, narrow, exact, h + 1, 40'000'000);
  });
}

int Main(const std::string& fn) {
  if (fn == "expm1") {
    return Check("expm1", 3,
                 [](__m512 v) { return vec_math::Expm1<F16>(v, Sleef_finz_expm1f16_u10avx512f); },
                 [](__m256 v) { return vec_math::Expm1<F8>(v, Sleef_finz_expm1f8_u10avx2); },
                 [](double x) { return std::expm1(x); });
  }
  if (fn == "sin") {
    return Check("sin", 2,
                 [](__m512 v) { return vec_math::SinCos<F16, false>(v, Sleef_finz_sinf16_u10avx512f); },
                 [](__m256 v) { return vec_math::SinCos<F8, false>(v, Sleef_finz_sinf8_u10avx2); },
                 [](double x) { return std::sin(x); });
  }
  if (fn == "cos") {
    return Check("cos", 2,
                 [](__m512 v) { return vec_math::SinCos<F16, true>(v, Sleef_finz_cosf16_u10avx512f); },
                 [](__m256 v) { return vec_math::SinCos<F8, true>(v, Sleef_finz_cosf8_u10avx2); },
                 [](double x) { return std::cos(x); });
  }
  if (fn == "tanh") {
    return Check("tanh", 2,
                 [](__m512 v) { return vec_math::Tanh<F16>(v, Sleef_finz_tanhf16_u10avx512f); },
                 [](__m256 v) { return vec_math::Tanh<F8>(v, Sleef_finz_tanhf8_u10avx2); },
                 [](double x) { return std::tanh(x); });
  }
  if (fn == "expm1_f64") {
    return CheckF64(
        "expm1_f64", 3,
        [](__m512d v) { return vec_math::Expm1F64<vec_math::D8>(v, Sleef_finz_expm1d8_u10avx512f); },
        [](__m256d v) { return vec_math::Expm1F64<vec_math::D4>(v, Sleef_finz_expm1d4_u10avx2); },
        expm1l);
  }
  if (fn == "tanh_f64") {
    return CheckF64(
        "tanh_f64", 2,
        [](__m512d v) { return vec_math::TanhF64<vec_math::D8>(v, Sleef_finz_tanhd8_u10avx512f); },
        [](__m256d v) { return vec_math::TanhF64<vec_math::D4>(v, Sleef_finz_tanhd4_u10avx2); },
        tanhl);
  }
  if (fn == "log_f64") {
    return CheckF64(
        "log_f64", 2,
        [](__m512d v) { return vec_math::LogF64<vec_math::D8>(v, Sleef_finz_logd8_u10avx512f); },
        [](__m256d v) { return vec_math::LogF64<vec_math::D4>(v, Sleef_finz_logd4_u10avx2); }, logl);
  }
  if (fn == "log1p_f64") {
    return CheckF64(
        "log1p_f64", 2,
        [](__m512d v) { return vec_math::Log1pF64<vec_math::D8>(v, Sleef_finz_log1pd8_u10avx512f); },
        [](__m256d v) { return vec_math::Log1pF64<vec_math::D4>(v, Sleef_finz_log1pd4_u10avx2); },
        log1pl);
  }
  std::fprintf(stderr, "vec_math_accuracy: unknown function '%s' (expm1, sin, cos, tanh, expm1_f64, tanh_f64, log_f64 or log1p_f64)\n",
               fn.c_str());
  return 2;
}

}  // namespace
}  // namespace kernels_internal
}  // namespace repro

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]) == "--help") {
    std::fprintf(argc == 2 ? stdout : stderr,
                 "usage: vec_math_accuracy expm1|sin|cos|tanh|expm1_f64|tanh_f64|log_f64|log1p_f64\n"
                 "Every float32 input on both packet paths: the largest error and the bits.\n");
    return argc == 2 ? 0 : 2;
  }
  if (!__builtin_cpu_supports("avx512f")) {
    std::fprintf(stderr, "vec_math_accuracy: this CPU has no AVX-512F\n");
    return 2;
  }
  return repro::kernels_internal::Main(argv[1]);
}
