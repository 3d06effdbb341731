#include "search/coverage.h"

#include <cmath>
#include <limits>
#include <memory>

#include "gtest/gtest.h"

extern "C" {
void __sanitizer_cov_trace_pc();
void __sanitizer_cov_trace_cmpd(double a, double b);
void __sanitizer_cov_trace_cmp8(uint64_t a, uint64_t b);
}

namespace repro {
namespace search {
namespace {

// Each call a site of its own (the runtime files sites by return address).
__attribute__((noinline)) void SiteA(double a, double b) { __sanitizer_cov_trace_cmpd(a, b); }
__attribute__((noinline)) void SiteB(double a, double b) { __sanitizer_cov_trace_cmpd(a, b); }
__attribute__((noinline)) void IntSite(uint64_t a, uint64_t b) { __sanitizer_cov_trace_cmp8(a, b); }
__attribute__((noinline)) void Block1() { __sanitizer_cov_trace_pc(); }
__attribute__((noinline)) void Block2() { __sanitizer_cov_trace_pc(); }

class CoverageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AttachCoverage(region_.get());
    BeginCoverage(region_.get());
  }
  void TearDown() override { AttachCoverage(nullptr); }
  std::unique_ptr<CoverageRegion> region_ = std::make_unique<CoverageRegion>();
};

TEST_F(CoverageTest, OutcomesDistancesAndNearMissesPerSite) {
  SiteB(1.0, 2.0);   // reached first
  SiteA(41.0, 41.5);  // less: 41.5 is what the input wants to be
  SiteA(50.0, 41.5);  // greater, farther from equal
  const CallCoverage c = ReadCoverage(*region_);
  ASSERT_EQ(c.sites.size(), 2u);
  const SiteRecord& b = c.sites[0];
  const SiteRecord& a = c.sites[1];
  EXPECT_EQ(b.outcomes, 1u << kLess);
  EXPECT_EQ(a.outcomes, (1u << kLess) | (1u << kGreater));
  EXPECT_TRUE(a.floating);
  EXPECT_EQ(a.distance[kLess], 0);
  EXPECT_EQ(a.distance[kEqual],
            static_cast<double>(FloatOrdinal(41.5) - FloatOrdinal(41.0)));
  EXPECT_EQ(a.a, 41.0);  // the nearest miss
  EXPECT_EQ(a.b, 41.5);
  EXPECT_TRUE(std::isinf(a.distance[kUnordered]));
}

TEST_F(CoverageTest, NanIsUnorderedAndIntegersArePlain) {
  SiteA(std::nan(""), 1.0);
  IntSite(7, 10);
  const CallCoverage c = ReadCoverage(*region_);
  ASSERT_EQ(c.sites.size(), 2u);
  EXPECT_EQ(c.sites[0].outcomes, 1u << kUnordered);
  EXPECT_FALSE(c.sites[1].floating);
  EXPECT_EQ(c.sites[1].distance[kEqual], 3);
  EXPECT_EQ(c.sites[1].distance[kGreater], 4);
}

TEST_F(CoverageTest, EdgesAreDeduplicatedAndEvaluationsStartEmpty) {
  Block1();
  Block2();
  Block1();
  EXPECT_EQ(ReadCoverage(*region_).edges.size(), 2u);
  BeginCoverage(region_.get());
  const CallCoverage c = ReadCoverage(*region_);
  EXPECT_TRUE(c.sites.empty());
  EXPECT_TRUE(c.edges.empty());
  AttachCoverage(nullptr);  // detached: nothing is filed
  SiteA(1, 2);
  EXPECT_TRUE(ReadCoverage(*region_).sites.empty());
}

TEST(FloatOrdinal, NeighboursAreNeighboursAndZerosMeet) {
  EXPECT_EQ(FloatOrdinal(0.0), 0);
  EXPECT_EQ(FloatOrdinal(-0.0), 0);
  EXPECT_EQ(FloatOrdinal(std::nextafter(0.0, 1.0)), 1);
  EXPECT_EQ(FloatOrdinal(std::nextafter(0.0, -1.0)), -1);
  EXPECT_EQ(FloatOrdinal(std::nextafter(1.0, 2.0)) - FloatOrdinal(1.0), 1);
  EXPECT_LT(FloatOrdinal(-2.0), FloatOrdinal(-1.0));
  EXPECT_LT(FloatOrdinal(1.0), FloatOrdinal(std::numeric_limits<double>::infinity()));
}

}  // namespace
}  // namespace search
}  // namespace repro
