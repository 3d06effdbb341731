#include "core/registry.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::StatusOr<Tensor> Identity(absl::Span<const Tensor> in, const Attrs&) {
  return in[0];
}

absl::StatusOr<Tensor> Fails(absl::Span<const Tensor>, const Attrs&) {
  return absl::InvalidArgumentError("nope");
}

TEST(RegistryTest, RegisterFindList) {
  Registry r;
  ASSERT_TRUE(r.Register({"b", 1, 1, &Identity, nullptr, false}).ok());
  ASSERT_TRUE(r.Register({"a", 2, 1, &Fails, &Identity, true}).ok());
  EXPECT_THAT(r.Names(), ElementsAre("a", "b"));
  const KernelDef* b = r.Find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->reference, &Identity);  // defaults to the optimized one
  EXPECT_EQ(r.Find("c"), nullptr);
  absl::StatusOr<const KernelDef*> c = r.Lookup("c");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(c.status().message(), HasSubstr("known kernels: a, b"));
}

TEST(RegistryTest, DuplicateAndIncompleteAreErrors) {
  Registry r;
  ASSERT_TRUE(r.Register({"x", 1, 1, &Identity}).ok());
  EXPECT_EQ(r.Register({"x", 1, 1, &Identity}).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(r.Register({"", 1, 1, &Identity}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.Register({"y", 1, 1, nullptr}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AttrsTest, SetGet) {
  Attrs a;
  a.Set("axis", -1).Set("eps", 1e-5).Set("axis", 2);
  EXPECT_EQ(a.GetInt("axis", 0), 2);
  EXPECT_EQ(a.GetDouble("eps", 0), 1e-5);
  EXPECT_EQ(a.GetInt("keepdims", 7), 7);
  EXPECT_EQ(a.items().size(), 2u);
}

class CountingMonitor : public Monitor {
 public:
  absl::StatusOr<Tensor> Watch(const KernelDef& kernel, KernelFn fn,
                               absl::Span<const Tensor> inputs,
                               const Attrs& attrs) override {
    ++calls;
    last = kernel.name;
    return fn(inputs, attrs);
  }
  int calls = 0;
  std::string last;
};

TEST(DispatchTest, GoesThroughTheMonitorWhenInstalled) {
  KernelDef k{"ident", 1, 1, &Identity, &Fails};
  Tensor x = Tensor::FromValues<double>({1, 2}, {2});
  EXPECT_TRUE(Dispatch(k, {x}, Attrs()).ok());
  EXPECT_FALSE(Dispatch(k, {x}, Attrs(), Variant::kReference).ok());

  CountingMonitor m;
  EXPECT_EQ(InstallMonitor(&m), nullptr);
  EXPECT_TRUE(Dispatch(k, {x}, Attrs()).ok());
  EXPECT_EQ(m.calls, 1);
  EXPECT_EQ(m.last, "ident");
  EXPECT_EQ(InstallMonitor(nullptr), &m);
  EXPECT_TRUE(Dispatch(k, {x}, Attrs()).ok());
  EXPECT_EQ(m.calls, 1);
}

TEST(DispatchTest, WrongInputCount) {
  KernelDef k{"ident", 1, 1, &Identity};
  Tensor x = Tensor::FromValues<double>({1}, {1});
  absl::StatusOr<Tensor> r = Dispatch(k, {x, x}, Attrs());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("ident takes 1 input(s), got 2"));
}

}  // namespace
}  // namespace repro
