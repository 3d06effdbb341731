#include "search/genome.h"

#include <cmath>
#include <cstring>
#include <set>

#include "gtest/gtest.h"
#include "search/rng.h"
#include "search/schema.h"

namespace repro {
namespace search {
namespace {

const KernelDef& Kernel(const char* name) { return *Registry::Global().Find(name); }

TEST(Rng, SameKeySameStreamOtherKeyOtherStream) {
  Rng a(7, 3, 2), b(7, 3, 2), c(7, 3, 1), d(8, 3, 2);
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    EXPECT_NE(x, c.Next());
    EXPECT_NE(x, d.Next());
  }
  Rng r(1, 0, 0);
  for (int i = 0; i < 1000; ++i) {
    const double u = r.Uniform();
    ASSERT_GE(u, 0);
    ASSERT_LT(u, 1);
    ASSERT_LT(r.Below(5), 5);
  }
}

CallGene OneInput(DType dtype, std::initializer_list<int64_t> shape, Layout layout) {
  CallGene g;
  g.num_inputs = 1;
  InputGene& in = g.inputs[0];
  in.dtype = dtype;
  in.layout = layout;
  for (int64_t d : shape) in.shape[in.rank++] = d;
  in.fill = 2.5;
  in.num_overrides = 2;
  in.override_at[0] = 1;
  in.override_value[0] = -7;
  in.override_at[1] = 6 + 11;  // taken modulo the 6 elements: position 5
  in.override_value[1] = INFINITY;
  return g;
}

TEST(Materialize, EveryLayoutHoldsTheFillAndTheOverridesAtTheirRowMajorPositions) {
  const KernelSchema schema = SchemaFor(Kernel("exp"));
  for (Layout layout : {Layout::kContiguous, Layout::kTransposed, Layout::kStrided,
                        Layout::kOffset}) {
    const Call call = Materialize(OneInput(DType::kFloat64, {2, 3}, layout), schema);
    ASSERT_EQ(call.inputs.size(), 1u);
    const Tensor& t = call.inputs[0];
    EXPECT_EQ(t.shape(), Shape({2, 3}));
    EXPECT_EQ(t.IsContiguous(), layout == Layout::kContiguous || layout == Layout::kOffset)
        << static_cast<int>(layout);
    const double want[] = {2.5, -7, 2.5, 2.5, 2.5, INFINITY};
    for (int i = 0; i < 6; ++i) EXPECT_EQ(t.GetAsDouble(i), want[i]) << i;
  }
  const Call offset = Materialize(OneInput(DType::kFloat64, {2, 3}, Layout::kOffset), schema);
  EXPECT_NE(reinterpret_cast<uintptr_t>(offset.inputs[0].raw_data()) % 16, 0u);
}

TEST(Materialize, IntegersSaturateAndNanBecomesZero) {
  CallGene g = OneInput(DType::kInt32, {3}, Layout::kContiguous);
  g.inputs[0].fill = NAN;
  g.inputs[0].override_at[1] = 2;
  g.inputs[0].override_value[1] = 1e300;
  const Call call = Materialize(g, SchemaFor(Kernel("add")));
  EXPECT_EQ(call.inputs[0].GetAsDouble(0), 0);
  EXPECT_EQ(call.inputs[0].GetAsDouble(1), -7);
  EXPECT_EQ(call.inputs[0].GetAsDouble(2), 2147483647.0);
}

TEST(Materialize, SetAttributesOnly) {
  const KernelSchema schema = SchemaFor(Kernel("layer_norm"));
  CallGene g = OneInput(DType::kFloat32, {2, 3}, Layout::kContiguous);
  g.attr_set[1] = true;
  g.attr_value[1] = 0.25;
  const Call call = Materialize(g, schema);
  EXPECT_FALSE(call.attrs.Get("axis").has_value());
  EXPECT_EQ(call.attrs.GetDouble("eps", 0), 0.25);
}

TEST(RandomGene, FollowsTheSchemaMostlyAndBreaksItSometimes) {
  const KernelSchema schema = SchemaFor(Kernel("matmul"));
  int matching = 0, float32_or_64 = 0;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    Rng rng(1, 0, i);
    const CallGene g = RandomGene(schema, rng);
    ASSERT_EQ(g.num_inputs, 2);
    for (int k = 0; k < 2; ++k) ASSERT_LE(NumElements(g.inputs[k]), kMaxElements);
    const InputGene &a = g.inputs[0], &b = g.inputs[1];
    matching += a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[0];
    float32_or_64 += IsFloat(a.dtype);
  }
  EXPECT_GT(matching, n * 8 / 10);  // 10% break the schema on purpose
  EXPECT_LT(matching, n);
  EXPECT_GT(float32_or_64, n / 3);
}

TEST(Mutate, StaysWithinTheBoundsAndReachesEveryOperator) {
  const KernelSchema schema = SchemaFor(Kernel("sum"));
  Rng rng(3, 0, 0);
  CallGene g = RandomGene(schema, rng);
  std::set<int> ranks, layouts, dtypes;
  bool special = false, huge = false, attr = false;
  for (int i = 0; i < 20000; ++i) {
    Mutate(&g, schema, rng);
    const InputGene& in = g.inputs[0];
    ASSERT_EQ(g.num_inputs, 1);
    ASSERT_LE(in.rank, kMaxRank);
    ASSERT_LE(in.num_overrides, kMaxOverrides);
    ASSERT_LE(NumElements(in), kMaxElements);
    ranks.insert(in.rank);
    layouts.insert(static_cast<int>(in.layout));
    dtypes.insert(static_cast<int>(in.dtype));
    special |= std::isnan(in.fill) || std::isinf(in.fill);
    huge |= std::fabs(in.fill) > 1e300 && std::isfinite(in.fill);
    attr |= g.attr_set[0];
  }
  EXPECT_EQ(ranks.size(), 5u);
  EXPECT_EQ(layouts.size(), 4u);
  EXPECT_EQ(dtypes.size(), 4u);
  EXPECT_TRUE(special);
  EXPECT_TRUE(huge);
  EXPECT_TRUE(attr);
}

TEST(GeneSize, CountsOverridesElementsAndAttributes) {
  CallGene g = OneInput(DType::kFloat64, {2, 3}, Layout::kContiguous);
  EXPECT_DOUBLE_EQ(GeneSize(g), 2 + std::log2(7.0));
  g.attr_set[0] = true;
  EXPECT_DOUBLE_EQ(GeneSize(g), 3 + std::log2(7.0));
}

TEST(Schema, UserKernelsGetADefaultOrTheirOwn) {
  static const KernelRegistrar reg({.name = "schema_test_kernel", .num_inputs = 3,
                                    .optimized = Kernel("add").optimized});
  const KernelDef& k = Kernel("schema_test_kernel");
  EXPECT_EQ(SchemaFor(k).num_inputs, 3);
  EXPECT_EQ(SchemaFor(k).shapes, ShapeRule::kBroadcast);
  RegisterSchema({.kernel = "schema_test_kernel", .num_inputs = 2, .max_rank = 1});
  EXPECT_EQ(SchemaFor(k).num_inputs, 2);
  EXPECT_EQ(SchemaFor(k).max_rank, 1);
  EXPECT_EQ(SchemaFor(Kernel("cholesky")).shapes, ShapeRule::kSquare);
}

}  // namespace
}  // namespace search
}  // namespace repro
