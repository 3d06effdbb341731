// The search's random numbers: a counter-based generator, so that every
// candidate's randomness depends only on (seed, generation, index) and never
// on how many workers ran, in which order, or after how many restarts.
//
// Written here rather than taken from absl/random: absl's engines are
// documented as not stable across library versions, and the search promises
// the same findings for the same --seed. SplitMix64 (Steele, Lea and Flood,
// OOPSLA 2014) is a dozen lines and passes BigCrush.
//
// Example:
//   Rng rng(seed, generation, index);
//   if (rng.Chance(0.25)) shape[0] = rng.Below(64);
#ifndef REPRO_SEARCH_RNG_H_
#define REPRO_SEARCH_RNG_H_

#include <cstdint>

namespace repro {
namespace search {

class Rng {
 public:
  // A stream keyed by (seed, a, b): the same key gives the same stream.
  Rng(uint64_t seed, uint64_t a, uint64_t b)
      : state_(Mix(Mix(Mix(seed) ^ a) ^ (b * 0x9e3779b97f4a7c15ull))) {}

  // The next 64 random bits.
  uint64_t Next() { return Mix(state_ += 0x9e3779b97f4a7c15ull); }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1p-53; }
  // Uniform in [0, n); 0 for n <= 0.
  int64_t Below(int64_t n) {
    return n <= 0 ? 0 : static_cast<int64_t>(Next() % static_cast<uint64_t>(n));
  }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) { return lo + Below(hi - lo + 1); }
  // True with probability p.
  bool Chance(double p) { return Uniform() < p; }

 private:
  static uint64_t Mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t state_;
};

}  // namespace search
}  // namespace repro

#endif  // REPRO_SEARCH_RNG_H_
