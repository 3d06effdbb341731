#include "codegen/codegen.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "codegen/literals.h"
#include "codegen/pytest.h"
#include "codegen/synthesis.h"
#include "core/failure.h"
#include "core/registry.h"
#include "replay/replay.h"
#include "replay/triage.h"

namespace repro {
namespace {

// A double-quoted literal: printable ASCII as is (but for `keep_question`
// false, '?', which could start a C++ trigraph), '"' and '\\' escaped,
// every other byte as an octal escape, which C++ and Starlark both read.
std::string QuotedLiteral(absl::string_view s, bool keep_question) {
  std::string out = "\"";
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u >= 0x20 && u < 0x7f && (keep_question || c != '?')) {
      out += c;
    } else {
      out += absl::StrFormat("\\%03o", u);
    }
  }
  return out + "\"";
}


// The policy as the generated test spells it: by category names.
std::string PolicyExpression(const Policy& policy) {
  return absl::StrCat("repro::ParsePolicy(\"", policy.bits() ? policy.ToString() : "none",
                      "\").value()");
}

// Where the call came from, as comment lines: the recorded call stack and
// breadcrumbs (the search's provenance among them).
std::string ProvenanceComment(const fb::Snapshot& s) {
  std::string out;
  if (s.stack() && s.stack()->size() > 0) {
    out += "// Recorded call stack, call site first:\n";
    for (const flatbuffers::String* frame : *s.stack()) {
      absl::StrAppend(&out, "//   ", CommentText(frame ? frame->str() : ""), "\n");
    }
  }
  if (s.breadcrumbs() && s.breadcrumbs()->size() > 0) {
    std::vector<std::string> crumbs;
    for (const fb::Breadcrumb* b : *s.breadcrumbs()) {
      crumbs.push_back(absl::StrCat(b->key() ? b->key()->str() : "", "=",
                                    b->value() ? b->value()->str() : ""));
    }
    absl::StrAppend(&out, "// Breadcrumbs: ", CommentText(absl::StrJoin(crumbs, ", ")), "\n");
  }
  return out;
}

std::string DTypeConstant(DType d) {
  switch (d) {
    case DType::kFloat32:
      return "repro::DType::kFloat32";
    case DType::kFloat64:
      return "repro::DType::kFloat64";
    case DType::kInt32:
      return "repro::DType::kInt32";
    case DType::kInt64:
      return "repro::DType::kInt64";
  }
  return "repro::DType::kFloat64";
}

std::string FailureConstant(FailureKind k) {
  static const char* kNames[] = {"kNone",     "kInvalid", "kDivide", "kOverflow",
                                 "kUnderflow", "kError",  "kCrash"};
  const int i = static_cast<int>(k);
  return absl::StrCat("repro::FailureKind::", i >= 0 && i < 7 ? kNames[i] : "kNone");
}

std::string SynthesizedTest(const SynthesisPlan& plan, const std::string& kernel) {
  std::string out = "TEST(Snapshot, SynthesizedData) {\n";
  absl::StrAppend(&out, "  // ", CommentText(plan.note), ".\n");
  absl::StrAppend(&out, plan.full_capture
                            ? "  // Not anonymous (full capture): a profile's min, max, mean and "
                              "quantiles and the elements\n  // SetElements sets are recorded "
                              "values; values written out are drawn from the profile.\n"
                            : "  // Anonymous: stats capture rounded these statistics; no "
                              "recorded value is written here.\n");
  absl::StrAppend(&out, "  std::vector<repro::Tensor> inputs = {\n");
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const SynthesizedInput& in = plan.inputs[i];
    if (WrittenOut(in)) {
      absl::StrAppend(&out, "      // Synthesized from the profile (seed ",
                      absl::StrFormat("0x%x", plan.seed + i * 0x9e3779b97f4a7c15ull), ").\n",
                      "      ", ValuesExpression(BuildInput(plan, i)), ",\n");
      continue;
    }
    const Profile& p = in.profile;
    std::vector<std::string> q;
    for (double v : p.quantiles) q.push_back(Literal(v));
    absl::StrAppend(
        &out, "      repro::testing::Synthesize(\n          ", DTypeConstant(in.dtype),
        ", {", absl::StrJoin(in.shape, ", "), "},\n",
        "          repro::testing::MakeProfile(\n              /*count=*/", p.count,
        ", /*min=*/", Literal(p.min), ", /*max=*/", Literal(p.max), ", /*mean=*/",
        Literal(p.mean), ", /*std=*/", Literal(p.std), ",\n",
        "              /*quantiles=*/{", absl::StrJoin(q, ", "), "},\n",
        "              /*nan=*/", p.nan, ", /*pos_inf=*/", p.pos_inf, ", /*neg_inf=*/",
        p.neg_inf, ", /*zeros=*/", p.zeros, ", /*negatives=*/", p.negatives,
        ", /*subnormals=*/", p.subnormals, ", /*integers=*/", p.integers, "),\n",
        absl::StrFormat("          /*seed=*/0x%xull),\n",
                        plan.seed + i * 0x9e3779b97f4a7c15ull));
  }
  absl::StrAppend(&out, "  };\n");
  bool any = false;
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const auto& o = plan.inputs[i].overrides;
    if (o.empty()) continue;
    if (!any) {
      absl::StrAppend(&out, "  // The fewest elements that still fail, found by codegen",
                      plan.full_capture ? " (recorded values).\n" : ".\n");
      any = true;
    }
    std::vector<std::string> pairs;
    for (const auto& [index, value] : o) {
      pairs.push_back(absl::StrCat("{", index, ", ", Literal(value), "}"));
    }
    absl::StrAppend(&out, "  repro::testing::SetElements(inputs[", i, "], {",
                    absl::StrJoin(pairs, ", "), "});\n");
  }
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    if (plan.inputs[i].profile.symmetric && !WrittenOut(plan.inputs[i])) {
      absl::StrAppend(&out, "  // The recorded input was symmetric.\n", "  inputs[", i,
                      "] = repro::testing::Symmetrized(inputs[", i, "]);\n");
    }
    if (plan.inputs[i].strides.empty()) continue;
    absl::StrAppend(&out, "  // The recorded layout: a strided view, not a contiguous array.\n",
                    "  inputs[", i, "] = repro::testing::WithStrides(inputs[", i, "], {",
                    absl::StrJoin(plan.inputs[i].strides, ", "), "});\n");
  }
  absl::StrAppend(&out, "  repro::Attrs attrs;\n");
  for (const Attrs::Attr& a : plan.attrs.items()) {
    absl::StrAppend(&out, "  attrs.Set(", CppStringLiteral(a.name), ", ", Literal(a.value),
                    ");\n");
  }
  absl::StrAppend(&out, "  repro::testing::ExpectCall(", CppStringLiteral(kernel),
                  ", inputs, attrs,\n                             ",
                  PolicyExpression(plan.policy), ", kExpect,\n                             ",
                  FailureConstant(plan.recorded), ");\n}\n");
  return out;
}

}  // namespace

std::string SanitizeName(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (out.size() >= 48) break;
    const unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u)) {
      out += absl::ascii_tolower(u);
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty() || absl::ascii_isdigit(static_cast<unsigned char>(out[0]))) {
    out = "k_" + out;
  }
  return out;
}

std::string CppStringLiteral(absl::string_view s) {
  return QuotedLiteral(s, /*keep_question=*/false);
}

std::string StarlarkStringLiteral(absl::string_view s) {
  return QuotedLiteral(s, /*keep_question=*/true);
}

std::string TestBuildFile(absl::string_view generator, absl::string_view name,
                          absl::string_view src, const std::vector<std::string>& data,
                          const std::vector<std::string>& kernel_deps,
                          const std::vector<std::string>& deps) {
  std::vector<std::string> quoted;
  for (const std::string& d : kernel_deps) quoted.push_back(StarlarkStringLiteral(d));
  for (const std::string& d : deps) quoted.push_back(absl::StrCat("\"", d, "\""));
  std::vector<std::string> files;
  for (const std::string& f : data) files.push_back(absl::StrCat("\"", f, "\""));
  return absl::StrCat(
      "# Generated by ", generator, "; do not edit (regenerate instead).\n"
      "load(\"@rules_cc//cc:defs.bzl\", \"cc_test\")\n\n"
      "cc_test(\n    name = \"", name, "_test\",\n    size = \"small\",\n"
      "    srcs = [\"", src, "\"],\n",
      files.empty() ? "" : absl::StrCat("    data = [", absl::StrJoin(files, ", "), "],\n"),
      "    deps = [\n        ", absl::StrJoin(quoted, ",\n        "), ",\n    ],\n)\n");
}

std::string CommentText(absl::string_view s) {
  std::string out;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f && c != '\\') ? c : '?';
  }
  return out;
}

absl::StatusOr<GeneratedPackage> GeneratePackage(const LoadedSnapshot& snapshot,
                                                 const CodegenOptions& options) {
  const fb::Snapshot& s = snapshot.root();
  if (s.kernel() == nullptr) return absl::InvalidArgumentError("snapshot names no kernel");
  if (const KernelDef* k = Registry::Global().Find(s.kernel()->str()); k != nullptr) {
    if (absl::Status arity = CheckInputCount(snapshot, *k); !arity.ok()) return arity;
  }
  const SynthesisPlan plan = FindSynthesizedInputs(snapshot);
  if (!options.triage) return RenderPackage(snapshot, plan, options, nullptr);
  const Triage triage = TriageSnapshot(snapshot);
  return RenderPackage(snapshot, plan, options, &triage);
}

absl::StatusOr<GeneratedPackage> RenderPackage(const LoadedSnapshot& snapshot,
                                               const SynthesisPlan& plan,
                                               const CodegenOptions& options,
                                               const Triage* triage) {
  const fb::Snapshot& s = snapshot.root();
  if (s.kernel() == nullptr) return absl::InvalidArgumentError("snapshot names no kernel");
  const std::string kernel = s.kernel()->str();
  GeneratedPackage pkg;
  pkg.name = absl::StrFormat("%s_%08x", SanitizeName(kernel),
                             static_cast<uint32_t>(s.fingerprint() >> 32));
  pkg.test_file = pkg.name + "_test.cc";
  pkg.note = plan.note;
  pkg.exact_replay = options.exact_replay && snapshot.HasFullInputs();
  const bool injected = s.outcome() && s.outcome()->injected();
  const FailureKind recorded = plan.recorded;
  std::string triage_comment;
  testing::Expect expect = options.expect;
  if (triage != nullptr) {
    expect = triage->blame == Blame::kCaller ? testing::Expect::kFailure
                                             : testing::Expect::kFixed;
    pkg.triage = BlameName(triage->blame);
    triage_comment = absl::StrCat(
        "// Triage: ", BlameName(triage->blame), ". ", CommentText(triage->detail), ".\n",
        triage->blame == Blame::kCaller
            ? "// The test pins the kernel's behaviour on this input; fix the caller "
              "(codegen --expect=fixed\n// to want the failure gone instead).\n"
            : "");
  }
  const bool fixed = expect == testing::Expect::kFixed;
  pkg.expect = expect;
  // An injected fault never reproduces on synthesized data, so there is
  // nothing for a --expect=failure synthesized test to pin.
  pkg.synthesized = plan.found && !(injected && !fixed);

  const bool numpy_made = s.environment() && s.environment()->producer() &&
                          s.environment()->producer()->size() > 0;
  TestLanguage lang = options.lang;
  if (lang == TestLanguage::kAuto) {
    lang = numpy_made && NumpyHasKernel(kernel) ? TestLanguage::kBoth : TestLanguage::kCpp;
  }
  if (lang != TestLanguage::kCpp && !NumpyHasKernel(kernel)) {
    return absl::FailedPreconditionError(
        absl::StrCat("no pytest: NumPy has no function for kernel '", kernel, "'"));
  }
  const std::string header = absl::StrCat(
      "// Generated by Repro codegen from a snapshot of kernel '", CommentText(kernel), "'",
      ",\n// recorded failure: ", FailureKindName(recorded),
      absl::StrFormat(", fingerprint %016x", s.fingerprint()), ".\n",
      injected
          ? "// The failure was injected by REPRO_INJECT: the real kernel does not fail.\n"
          : "",
      fixed ? "// Red while the failure is there; green once it is fixed.\n"
            : "// Green while the failure still reproduces.\n",
      "// Regenerate with: bazel run //tools:codegen -- <the snapshot>\n", triage_comment,
      ProvenanceComment(s));
  std::string cc = absl::StrCat(
      header,
      "#include <limits>\n#include <vector>\n\n"
      "#include \"gtest/gtest.h\"\n#include \"testing/expect.h\"\n"
      "#include \"testing/synthesizer.h\"\n\nnamespace {\n\n",
      kSpecialValueConstants,
      "constexpr repro::testing::Expect kExpect = repro::testing::Expect::",
      fixed ? "kFixed" : "kFailure", ";\n\n");
  const std::string snapshot_runfile =
      absl::StrCat(options.package_root, "/", pkg.name, "/snapshot.fb");
  if (pkg.exact_replay) {
    absl::StrAppend(&cc, "TEST(Snapshot, ExactReplay) {\n  repro::testing::ExpectReplay(",
                    CppStringLiteral(snapshot_runfile), ", kExpect);\n}\n");
  } else {
    absl::StrAppend(&cc, snapshot.HasFullInputs()
                             ? "// No ExactReplay: the snapshot was too large to copy here "
                               "(codegen --max_copy_bytes).\n"
                             : "// No ExactReplay: the snapshot keeps statistics only.\n");
  }
  if (pkg.synthesized) {
    absl::StrAppend(&cc, "\n", SynthesizedTest(plan, kernel));
  } else {
    absl::StrAppend(&cc, "\n// No SynthesizedData test: ", CommentText(plan.note), ".\n");
  }
  absl::StrAppend(&cc, "\n}  // namespace\n");
  if (lang != TestLanguage::kPytest) {
    pkg.test_cc = std::move(cc);
    pkg.build = TestBuildFile(
        "Repro codegen", pkg.name, pkg.test_file,
        pkg.exact_replay ? std::vector<std::string>{"snapshot.fb"}
                         : std::vector<std::string>(),
        options.kernel_deps, {"//testing", "//testing:synthesizer", "@system//:gtest_main"});
  } else {
    pkg.test_file.clear();
    pkg.build = "# Generated by Repro codegen; do not edit (regenerate instead).\n";
  }
  if (lang != TestLanguage::kCpp) {
    pkg.test_py_file = pkg.name + "_test.py";
    pkg.test_py = RenderPytest(plan, kernel, header,
                               pkg.exact_replay ? snapshot_runfile : "", pkg.synthesized,
                               expect);
    absl::StrAppend(&pkg.build, PytestRule(pkg.name, pkg.test_py_file, pkg.exact_replay));
  }
  if (!pkg.exact_replay && !pkg.synthesized) {
    return absl::FailedPreconditionError(absl::StrCat(
        "nothing to test: ",
        snapshot.HasFullInputs() ? "no exact replay (--max_copy_bytes)"
                                 : "the snapshot keeps statistics only",
        " and ", plan.note));
  }
  return pkg;
}

}  // namespace repro
