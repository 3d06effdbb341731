#include "search/coverage.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace repro {
namespace search {
namespace {

CoverageRegion* g_region = nullptr;

// The record of the site at `pc` in this evaluation (open addressing by
// pc); null when the table is full.
SiteRecord* Site(CoverageRegion* r, uint64_t pc, bool floating) {
  uint32_t i = static_cast<uint32_t>((pc * 0x9e3779b97f4a7c15ull) >> 54) % kMaxSites;
  for (int probe = 0; probe < kMaxSites; ++probe, i = (i + 1) % kMaxSites) {
    if (r->site_epoch[i] != r->epoch) {  // free in this evaluation
      if (r->num_sites >= kMaxSites / 2) {  // keep probing short
        r->overflowed = true;
        return nullptr;
      }
      r->site_epoch[i] = r->epoch;
      SiteRecord& s = r->sites[i];
      s = SiteRecord();
      s.pc = pc;
      s.floating = floating;
      s.order = r->num_sites;
      for (double& d : s.distance) d = INFINITY;
      ++r->num_sites;
      return &s;
    }
    if (r->sites[i].pc == pc) return &r->sites[i];
  }
  r->overflowed = true;
  return nullptr;
}

// Files one execution of a comparison: the outcome taken, and the distance
// to each other outcome (dist: |a - b| in the operands' own measure).
void Compare(uint64_t pc, Outcome taken, double dist, double a, double b, bool floating) {
  CoverageRegion* r = g_region;
  if (r == nullptr) return;
  SiteRecord* s = Site(r, pc, floating);
  if (s == nullptr) return;
  s->outcomes |= 1u << taken;
  s->distance[taken] = 0;
  if (taken == kUnordered) return;
  // To equal: the gap; to the strict outcomes: past equality by one step.
  const double to_equal = dist, to_other = dist + 1;
  if (taken != kEqual && to_equal < s->distance[kEqual]) {
    s->distance[kEqual] = to_equal;
    s->a = a, s->b = b;
  }
  if (taken == kEqual) s->a = a, s->b = b;
  const Outcome other = taken == kLess ? kGreater : kLess;
  if (taken == kEqual) {
    s->distance[kLess] = std::min(s->distance[kLess], 1.0);
    s->distance[kGreater] = std::min(s->distance[kGreater], 1.0);
  } else {
    s->distance[other] = std::min(s->distance[other], to_other);
  }
}

void CompareInts(uint64_t pc, int64_t a, int64_t b) {
  const Outcome o = a < b ? kLess : a == b ? kEqual : kGreater;
  const double d = std::fabs(static_cast<double>(a) - static_cast<double>(b));
  Compare(pc, o, d, static_cast<double>(a), static_cast<double>(b), false);
}

void CompareFloats(uint64_t pc, double a, double b) {
  if (std::isnan(a) || std::isnan(b)) {
    Compare(pc, kUnordered, 0, a, b, true);
    return;
  }
  const Outcome o = a < b ? kLess : a == b ? kEqual : kGreater;
  const double d = std::fabs(static_cast<double>(FloatOrdinal(a)) -
                             static_cast<double>(FloatOrdinal(b)));
  Compare(pc, o, d, a, b, true);
}

uint64_t Caller(void* ret) { return reinterpret_cast<uint64_t>(ret); }

}  // namespace

void AttachCoverage(CoverageRegion* region) { g_region = region; }

void BeginCoverage(CoverageRegion* region) {
  ++region->epoch;
  if (region->epoch == 0) {  // wrapped: every slot must read as free
    std::memset(region->site_epoch, 0xff, sizeof(region->site_epoch));
    region->epoch = 1;
  }
  region->num_sites = 0;
  region->num_edges = 0;
  region->overflowed = false;
}

CallCoverage ReadCoverage(const CoverageRegion& region) {
  CallCoverage c;
  if (region.epoch == 0) return c;
  for (int i = 0; i < kMaxSites; ++i) {
    if (region.site_epoch[i] == region.epoch) c.sites.push_back(region.sites[i]);
  }
  std::sort(c.sites.begin(), c.sites.end(),
            [](const SiteRecord& x, const SiteRecord& y) { return x.order < y.order; });
  c.edges.assign(region.edges, region.edges + std::min<uint32_t>(region.num_edges, kMaxEdges));
  return c;
}

int64_t FloatOrdinal(double x) {
  int64_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  return bits < 0 ? -(bits & INT64_MAX) : bits;
}

}  // namespace search
}  // namespace repro

// The callbacks gcc's -fsanitize-coverage=trace-pc,trace-cmp calls. Written
// here: libFuzzer's runtime, the only one in Debian, refuses trace-pc and
// has no floating-point callbacks (docs/search-design.md).
using repro::search::Caller;
using repro::search::CompareFloats;
using repro::search::CompareInts;

extern "C" {

void __sanitizer_cov_trace_pc() {
  repro::search::CoverageRegion* r = repro::search::g_region;
  if (r == nullptr) return;
  const uint64_t pc = Caller(__builtin_return_address(0));
  // Few edges per call: a linear scan of this evaluation's list.
  for (uint32_t i = 0; i < r->num_edges; ++i) {
    if (r->edges[i] == pc) return;
  }
  if (r->num_edges < repro::search::kMaxEdges) {
    r->edges[r->num_edges++] = pc;
  } else {
    r->overflowed = true;
  }
}

#define REPRO_CMP(name, type)                                                  \
  void name(type a, type b) {                                                  \
    CompareInts(Caller(__builtin_return_address(0)), static_cast<int64_t>(a), \
                static_cast<int64_t>(b));                                      \
  }
REPRO_CMP(__sanitizer_cov_trace_cmp1, uint8_t)
REPRO_CMP(__sanitizer_cov_trace_cmp2, uint16_t)
REPRO_CMP(__sanitizer_cov_trace_cmp4, uint32_t)
REPRO_CMP(__sanitizer_cov_trace_cmp8, uint64_t)
REPRO_CMP(__sanitizer_cov_trace_const_cmp1, uint8_t)
REPRO_CMP(__sanitizer_cov_trace_const_cmp2, uint16_t)
REPRO_CMP(__sanitizer_cov_trace_const_cmp4, uint32_t)
REPRO_CMP(__sanitizer_cov_trace_const_cmp8, uint64_t)
#undef REPRO_CMP

void __sanitizer_cov_trace_cmpf(float a, float b) {
  CompareFloats(Caller(__builtin_return_address(0)), a, b);
}

void __sanitizer_cov_trace_cmpd(double a, double b) {
  CompareFloats(Caller(__builtin_return_address(0)), a, b);
}

// A switch: cases[0] is the number of cases, cases[1] their bit width,
// cases[2..] the values; filed as comparisons with each case.
void __sanitizer_cov_trace_switch(uint64_t value, uint64_t* cases) {
  const uint64_t pc = Caller(__builtin_return_address(0));
  for (uint64_t i = 0; i < cases[0]; ++i) {
    CompareInts(pc + i, static_cast<int64_t>(value), static_cast<int64_t>(cases[2 + i]));
  }
}

}  // extern "C"
