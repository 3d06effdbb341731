#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snapshot/codec.h"
#include "snapshot/file_system.h"
#include "snapshot/format.h"
#include "snapshot/profile.h"
#include "snapshot/reader.h"
#include "snapshot/writer.h"

namespace repro {
namespace {

using ::testing::HasSubstr;

CallRecord SampleRecord() {
  CallRecord r;
  r.kernel = "log";
  r.attrs.Set("axis", 1);
  r.inputs = {Tensor::FromValues<double>({0.0, 1.0, -2.0, 4.0}, {2, 2})};
  r.outputs = {Tensor::FromValues<double>({-1.0 / 0.0, 0.0, 0.0 / 0.0, 1.38}, {2, 2})};
  r.failure = FailureKind::kDivide;
  r.fp_flags = kFpDivide | kFpInvalid;
  r.bad_count = 2;
  r.bad_indices = {0, 2};
  r.bad_input_values = {0.0, -2.0};
  r.environment = CurrentEnvironment();
  r.stack = {"main", "Train"};
  r.breadcrumbs = {{"epoch", "7"}};
  r.fingerprint = 0x1234abcd;
  return r;
}

std::string TempDir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t ? t : "/tmp";
}

TEST(SnapshotTest, RoundTrip) {
  absl::StatusOr<std::string> file = EncodeSnapshot(SampleRecord(), {});
  ASSERT_TRUE(file.ok());
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(*file);
  ASSERT_TRUE(s.ok()) << s.status();
  const fb::Snapshot& root = s->root();
  EXPECT_EQ(root.format_version(), kFormatVersion);
  EXPECT_EQ(root.kernel()->str(), "log");
  EXPECT_EQ(root.outcome()->failure(), fb::Failure_Divide);
  EXPECT_EQ(root.outcome()->bad_indices()->size(), 2u);
  EXPECT_EQ(root.breadcrumbs()->Get(0)->key()->str(), "epoch");
  EXPECT_EQ(root.fingerprint(), 0x1234abcdu);
  EXPECT_EQ(root.repeat_count(), 1);
  absl::StatusOr<std::vector<Tensor>> in = s->Inputs();
  ASSERT_TRUE(in.ok());
  EXPECT_EQ((*in)[0].ToBytes(), SampleRecord().inputs[0].ToBytes());
  const fb::Profile* p = root.inputs()->Get(0)->profile();
  EXPECT_EQ(p->count(), 4);
  EXPECT_EQ(p->zeros(), 1);
  EXPECT_EQ(p->negatives(), 1);
  EXPECT_EQ(p->min(), -2.0);
}

TEST(SnapshotTest, StridesAreKept) {
  CallRecord r = SampleRecord();
  Tensor base = Tensor::FromValues<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  r.inputs = {*base.Transpose({1, 0})};
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(*EncodeSnapshot(r, {}));
  ASSERT_TRUE(s.ok());
  Tensor t = (*s->Inputs())[0];
  EXPECT_THAT(t.strides(), ::testing::ElementsAre(1, 3));
  EXPECT_EQ(t.ToBytes(), r.inputs[0].ToBytes());
}

TEST(SnapshotTest, StatsCaptureKeepsNoRawValues) {
  CaptureOptions stats;
  stats.mode = CaptureMode::kStats;
  absl::StatusOr<LoadedSnapshot> s =
      LoadedSnapshot::Parse(*EncodeSnapshot(SampleRecord(), stats));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->root().capture(), fb::Capture_Stats);
  const fb::TensorRecord* t = s->root().inputs()->Get(0);
  EXPECT_TRUE(t->partial());
  EXPECT_EQ(t->data(), nullptr);
  EXPECT_EQ(t->sample(), nullptr);
  EXPECT_EQ(s->root().outcome()->bad_input_values()->size(), 0u);
  EXPECT_FALSE(s->HasFullInputs());
  EXPECT_EQ(s->Inputs().status().code(), absl::StatusCode::kFailedPrecondition);
}

// Every value of `t` as the strings a generated test or a tool could print.
std::vector<std::string> Spellings(const Tensor& t) {
  std::vector<std::string> out;
  for (int64_t i = 0; i < t.size(); ++i) {
    const double v = t.GetAsDouble(i);
    out.push_back(absl::StrFormat("%.17g", v));
    out.push_back(absl::StrFormat("%a", v));
    out.push_back(absl::StrCat(v));
  }
  return out;
}

// The profile's numbers as the strings they would print as.
std::set<std::string> ProfileSpellings(const fb::Profile& p) {
  std::set<std::string> out;
  std::vector<double> numbers = {p.min(), p.max(), p.mean(), p.std()};
  if (p.quantiles()) numbers.insert(numbers.end(), p.quantiles()->begin(), p.quantiles()->end());
  for (double v : numbers) {
    out.insert(absl::StrFormat("%.17g", v));
    out.insert(absl::StrFormat("%a", v));
    out.insert(absl::StrCat(v));
  }
  return out;
}

TEST(SnapshotTest, StatsCaptureKeepsNoOriginalValueInItsProfile) {
  CaptureOptions stats;
  stats.mode = CaptureMode::kStats;
  for (int64_t n : {1, 2, 5, 15, 16, 100, 5000}) {
    std::vector<double> values(n);
    uint64_t x = 88172645463325252ull;
    for (double& v : values) {  // full-precision values of both signs
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      v = (static_cast<double>(x >> 11) * 0x1p-53 - 0.3) * 1000;
    }
    CallRecord r = SampleRecord();
    r.inputs = {Tensor::FromValues<double>(values, {n})};
    absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(*EncodeSnapshot(r, stats));
    ASSERT_TRUE(s.ok()) << s.status();
    const fb::Profile& p = *s->root().inputs()->Get(0)->profile();
    const std::set<std::string> printed = ProfileSpellings(p);
    for (const std::string& v : Spellings(r.inputs[0])) {
      EXPECT_EQ(printed.count(v), 0u) << n << " elements: " << v << " is in the profile";
    }
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    EXPECT_LE(p.min(), *lo);  // the range still holds every value
    EXPECT_GE(p.max(), *hi);
    if (n < kStatsMinCount) {
      EXPECT_EQ(p.quantiles()->size(), 0u);
      EXPECT_TRUE(std::isnan(p.mean()));
      EXPECT_TRUE(std::isnan(p.std()));
    } else {
      EXPECT_EQ(p.quantiles()->size(), std::size(kQuantileLevels));
      EXPECT_NEAR(p.mean(), std::accumulate(values.begin(), values.end(), 0.0) / n,
                  std::fabs(p.mean()) / 16);
    }
  }
}

TEST(SnapshotTest, TheProfileSaysWhetherMatricesAreSymmetric) {
  const Tensor sym = Tensor::FromValues<double>({4, 1, NAN, 1, 3, 2, NAN, 2, 5}, {3, 3});
  const Tensor asym = Tensor::FromValues<double>({4, 1, 0, 1, 3, 2, 0, 2.5, 5}, {3, 3});
  EXPECT_TRUE(ComputeProfile(sym).symmetric);
  EXPECT_FALSE(ComputeProfile(asym).symmetric);
  const int axes[] = {1, 0};
  EXPECT_TRUE(ComputeProfile(*sym.Transpose(axes)).symmetric);  // any layout
  EXPECT_FALSE(ComputeProfile(Tensor::FromValues<double>({1, 1}, {2})).symmetric);
  // Kept by stats capture (it is no value), read back by the reader.
  CallRecord r = SampleRecord();
  r.inputs = {sym};
  CaptureOptions stats;
  stats.mode = CaptureMode::kStats;
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(*EncodeSnapshot(r, stats));
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(ProfileFromRecord(*s->root().inputs()->Get(0)).symmetric);
}

TEST(SnapshotTest, FullCaptureKeepsTheExactProfile) {
  CallRecord r = SampleRecord();
  r.inputs = {Tensor::FromValues<double>({0.1, 0.7, 3}, {3})};
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(*EncodeSnapshot(r, {}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->root().inputs()->Get(0)->profile()->min(), 0.1);
  EXPECT_EQ(s->root().inputs()->Get(0)->profile()->quantiles()->size(),
            std::size(kQuantileLevels));
}

TEST(SnapshotTest, ByteCapMakesAPartialSnapshotWithASample) {
  CallRecord r = SampleRecord();
  r.inputs = {Tensor::Zeros(DType::kFloat64, {5000})};
  CaptureOptions small;
  small.max_bytes = 1000;
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(*EncodeSnapshot(r, small));
  ASSERT_TRUE(s.ok());
  const fb::TensorRecord* t = s->root().inputs()->Get(0);
  EXPECT_TRUE(t->partial());
  EXPECT_EQ(t->sample()->size(), 1024u);  // an evenly spaced sample
  EXPECT_EQ(t->profile()->zeros(), 5000);
  EXPECT_FALSE(s->root().outputs()->Get(0)->partial());  // 32 bytes fit
}

TEST(SnapshotTest, TruncatedAndBitFlippedAreDataLoss) {
  std::string file = *EncodeSnapshot(SampleRecord(), {});
  for (size_t cut : {size_t{0}, size_t{3}, file.size() / 2, file.size() - 1}) {
    absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(file.substr(0, cut));
    EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss) << cut;
  }
  // A flipped bit is either caught, or sits in a header field that does not
  // change the content (the checksum covers the content): never a silently
  // different snapshot.
  const std::string original = LoadedSnapshot::Parse(file)->flatbuffer();
  int caught = 0;
  for (size_t pos = 0; pos < file.size(); ++pos) {
    std::string flipped = file;
    flipped[pos] ^= 0x10;
    absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(flipped);
    if (s.ok()) {
      EXPECT_EQ(s->flatbuffer(), original) << "flip at " << pos;
    } else {
      ++caught;
    }
  }
  EXPECT_GT(caught, static_cast<int>(file.size()) * 9 / 10);
  EXPECT_THAT(LoadedSnapshot::Parse(file + "x").status().message(),
              HasSubstr("unexpected bytes"));
}

TEST(SnapshotTest, WrongIdentifierAndVersion) {
  absl::StatusOr<std::string> not_ours = CompressFrame("hello, this is not a flatbuffer");
  EXPECT_THAT(LoadedSnapshot::Parse(*not_ours).status().message(),
              HasSubstr("not a Repro snapshot"));

  flatbuffers::FlatBufferBuilder b;
  fb::FinishSnapshotBuffer(b, fb::CreateSnapshotDirect(b, kFormatVersion + 1, "add"));
  std::string newer(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::FromFlatBuffer(newer);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(s.status().message(),
              HasSubstr(absl::StrCat("version ", kFormatVersion + 1, " is newer")));
}

TEST(SnapshotTest, DataSizeMismatchIsDataLoss) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<int64_t> shape = {4};
  std::vector<uint8_t> data(8);  // 4 float64 need 32 bytes
  auto t = fb::CreateTensorRecordDirect(b, fb::DType_Float64, &shape, nullptr, &data);
  std::vector<flatbuffers::Offset<fb::TensorRecord>> inputs = {t};
  fb::FinishSnapshotBuffer(
      b, fb::CreateSnapshotDirect(b, kFormatVersion, "add", 1, nullptr, 0,
                                  fb::Capture_Full, &inputs));
  std::string raw(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::FromFlatBuffer(raw);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.status().message(), HasSubstr("input 0: data holds 8 bytes"));
}

// A bare snapshot of "log" with one input record built by `make`.
template <typename Make>
absl::Status LoadWithInput(Make make) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<flatbuffers::Offset<fb::TensorRecord>> inputs = {make(b)};
  fb::FinishSnapshotBuffer(
      b, fb::CreateSnapshotDirect(b, kFormatVersion, "log", 1, nullptr, 0,
                                  fb::Capture_Full, &inputs));
  return LoadedSnapshot::FromFlatBuffer(
             std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()))
      .status();
}

TEST(SnapshotTest, WhatConsumersRelyOnIsVerified) {
  std::vector<int64_t> shape = {4};
  // A partial tensor's sample must lie inside it.
  absl::Status s = LoadWithInput([&](flatbuffers::FlatBufferBuilder& b) {
    std::vector<int64_t> index = {7};
    std::vector<double> value = {1.0};
    return fb::CreateTensorRecordDirect(b, fb::DType_Float64, &shape, nullptr, nullptr,
                                        true, &index, &value);
  });
  EXPECT_THAT(s.message(), HasSubstr("input 0: sample index 7 is out of range"));
  // A profile's quantiles match its levels, and its counts its elements.
  s = LoadWithInput([&](flatbuffers::FlatBufferBuilder& b) {
    std::vector<double> levels = {0, 0.5, 1}, quantiles = {0};
    auto p = fb::CreateProfileDirect(b, 4, 0, 0, 0, 0, &levels, &quantiles);
    return fb::CreateTensorRecordDirect(b, fb::DType_Float64, &shape, nullptr, nullptr,
                                        true, nullptr, nullptr, p);
  });
  EXPECT_THAT(s.message(), HasSubstr("1 quantiles for 3 levels"));
  s = LoadWithInput([&](flatbuffers::FlatBufferBuilder& b) {
    auto p = fb::CreateProfileDirect(b, 4, 0, 0, 0, 0, nullptr, nullptr, /*nan=*/9);
    return fb::CreateTensorRecordDirect(b, fb::DType_Float64, &shape, nullptr, nullptr,
                                        true, nullptr, nullptr, p);
  });
  EXPECT_THAT(s.message(), HasSubstr("profile count 9 is out of range"));
  // A partial tensor's shape is checked too.
  std::vector<int64_t> huge = {int64_t{1} << 40, int64_t{1} << 40};
  s = LoadWithInput([&](flatbuffers::FlatBufferBuilder& b) {
    return fb::CreateTensorRecordDirect(b, fb::DType_Float64, &huge, nullptr, nullptr, true);
  });
  EXPECT_THAT(s.message(), HasSubstr("is too large"));
}

TEST(SnapshotTest, DecompressionIsCapped) {
  std::string big(1 << 20, 'a');
  std::string frame = *CompressFrame(big);
  EXPECT_THAT(DecompressFrame(frame, 1000).status().message(),
              HasSubstr("more than the limit"));
  EXPECT_EQ(*DecompressFrame(frame, 1 << 20), big);
}

TEST(SnapshotTest, VersionOneSnapshotStillLoads) {
  absl::StatusOr<LoadedSnapshot> s =
      LoadedSnapshot::Load("snapshot/testdata/v1_log_divide.fb");
  ASSERT_TRUE(s.ok()) << s.status();
  const fb::Snapshot& root = s->root();
  EXPECT_EQ(root.format_version(), 1u);
  EXPECT_EQ(root.kernel()->str(), "log");
  EXPECT_EQ(root.outcome()->failure(), fb::Failure_Divide);
  EXPECT_EQ(root.repeat_count(), 2);
  EXPECT_EQ(root.breadcrumbs()->Get(0)->key()->str(), "batch");
  absl::StatusOr<std::vector<Tensor>> in = s->Inputs();
  ASSERT_TRUE(in.ok());
  ASSERT_EQ(in->size(), 1u);
  EXPECT_EQ((*in)[0].GetAsDouble(0), 0.0);  // the underflowed product
  EXPECT_EQ(root.outcome()->bad_indices()->Get(0), 0);
}

TEST(SnapshotTest, RepeatCountTrailerIsPatchedInPlace) {
  std::string file = *EncodeSnapshot(SampleRecord(), {});
  // What the recorder does as the count grows: rewrite the last bytes.
  char patch[kCountPatchBytes];
  EncodeCountPatch(41, patch);
  file.replace(file.size() - kCountPatchBytes, kCountPatchBytes, patch,
               kCountPatchBytes);
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(file);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->root().repeat_count(), 41);
  // The count and its complement disagree: DataLoss, not a wrong count.
  file[file.size() - 1] ^= 1;
  EXPECT_THAT(LoadedSnapshot::Parse(file).status().message(),
              HasSubstr("repeat count in the trailer is damaged"));
  // `zstd -d` skips the trailer (a skippable frame): the frame alone still
  // parses, with the count it was written with.
  absl::string_view frame(file.data(), file.size() - kCountTrailerBytes);
  EXPECT_EQ(LoadedSnapshot::Parse(frame)->root().repeat_count(), 1);
}

TEST(SnapshotEncoderTest, EncodesWithoutTouchingTheHeap) {
  CallRecord r = SampleRecord();
  r.inputs = {Tensor::Zeros(DType::kFloat64, {1 << 16})};
  std::vector<absl::string_view> frames;
  const CallView view = r.View(&frames);
  SnapshotEncoder encoder(SnapshotEncoder::CapacityFor(1 << 20));
  ASSERT_FALSE(encoder.Encode(view, {}).empty()) << encoder.error();
  // The second Encode (as in a signal handler) allocates nothing.
  const struct mallinfo2 before = mallinfo2();
  absl::string_view file = encoder.Encode(view, {});
  const struct mallinfo2 after = mallinfo2();
  EXPECT_EQ(after.uordblks, before.uordblks);
  EXPECT_EQ(after.hblks, before.hblks);
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(std::string(file));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->root().inputs()->Get(0)->partial());
  EXPECT_EQ(s->root().inputs()->Get(0)->profile()->zeros(), 1 << 16);
}

TEST(SnapshotEncoderTest, DataBeyondTheReservedMemoryIsCapturedPartially) {
  CallRecord r = SampleRecord();
  r.inputs = {Tensor::Zeros(DType::kFloat64, {1 << 20})};  // 8 MiB
  std::vector<absl::string_view> frames;
  SnapshotEncoder encoder(SnapshotEncoder::CapacityFor(1 << 20));  // room for 1 MiB
  absl::string_view file = encoder.Encode(r.View(&frames), {});
  ASSERT_FALSE(file.empty()) << encoder.error();
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(std::string(file));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->root().inputs()->Get(0)->partial());
  EXPECT_EQ(s->root().inputs()->Get(0)->sample()->size(), 1024u);
  EXPECT_EQ(s->root().inputs()->Get(0)->profile()->count(), 1 << 20);
}

TEST(SnapshotEncoderTest, StridedInputsKeepTheirValues) {
  CallRecord r = SampleRecord();
  Tensor m = Tensor::FromValues<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  r.inputs = {*m.Transpose({1, 0})};
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(*EncodeSnapshot(r, {}));
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<std::vector<Tensor>> in = s->Inputs();
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ((*in)[0].ToBytes(), r.inputs[0].ToBytes());
  EXPECT_EQ(s->root().inputs()->Get(0)->profile()->max(), 6);
}

TEST(FileSystemTest, AtomicWriteReadList) {
  FileSystem& fs = FileSystem::Default();
  std::string dir = TempDir() + "/fs_test/a/b";
  ASSERT_TRUE(fs.CreateDirs(dir).ok());
  ASSERT_TRUE(fs.WriteAtomically(dir + "/x.fb", "hello").ok());
  EXPECT_EQ(*fs.Read(dir + "/x.fb", 100), "hello");
  EXPECT_EQ(fs.Read(dir + "/x.fb", 2).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(fs.Read(dir + "/missing.fb", 100).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(*fs.List(dir, ".fb"), ::testing::ElementsAre(dir + "/x.fb"));
  // A folder that cannot exist (its parent is a file): a clear error and
  // no temporary file left behind.
  absl::Status s = fs.WriteAtomically(dir + "/x.fb/y.fb", "data");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("x.fb/y.fb"));
  EXPECT_THAT(*fs.List(dir, ""), ::testing::ElementsAre(dir + "/x.fb"));
}

TEST(ProfileTest, CountsSpecialValues) {
  Tensor x = Tensor::FromValues<double>(
      {0.0, -1.5, 2.0, 1e-310, 0.0 / 0.0, 1.0 / 0.0, -1.0 / 0.0, 8.0}, {8});
  Profile p = ComputeProfile(x);
  EXPECT_EQ(p.count, 8);
  EXPECT_EQ(p.nan, 1);
  EXPECT_EQ(p.pos_inf, 1);
  EXPECT_EQ(p.neg_inf, 1);
  EXPECT_EQ(p.zeros, 1);
  EXPECT_EQ(p.negatives, 1);
  EXPECT_EQ(p.subnormals, 1);
  EXPECT_EQ(p.integers, 3);  // 0, 2, 8
  EXPECT_EQ(p.min, -1.5);
  EXPECT_EQ(p.max, 8.0);
  EXPECT_EQ(p.quantiles.size(), 9u);
  EXPECT_EQ(p.log2_hist_lo, -1030);  // ilogb(1e-310)
  // Signs apart: -1.5 is the only negative, in the bin of 2^0.
  ASSERT_EQ(p.log2_hist_negative.size(), p.log2_hist.size());
  EXPECT_EQ(p.log2_hist_negative[0 - p.log2_hist_lo], 1);
  EXPECT_EQ(p.log2_hist[0 - p.log2_hist_lo], 1);
  EXPECT_EQ(p.log2_hist[3 - p.log2_hist_lo], 1);  // 8
  EXPECT_EQ(p.log2_hist_negative[3 - p.log2_hist_lo], 0);
}

}  // namespace
}  // namespace repro
