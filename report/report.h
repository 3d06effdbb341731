// The report: snapshots (with today's replay verdicts and the generated
// tests, when asked) as a static, self-contained HTML folder that a person
// reads: an index with a row per snapshot, and a page per snapshot with its
// value distributions drawn as SVG. No network, no external scripts or
// fonts: it opens from disk and can be attached to a bug report.
//
// BuildReport reads and triages; RenderIndex and RenderPage only write
// text; WriteReport puts the folder on disk.
//
// Example:
//   Report r = BuildReport({"snapshots/log-45b7.fb"}, ReportOptions());
//   absl::Status s = WriteReport(r, "repro-report");  // index.html, ...
#ifndef REPRO_REPORT_REPORT_H_
#define REPRO_REPORT_REPORT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "snapshot/reader.h"

namespace repro {

struct ReportOptions {
  // Replay every snapshot (in a worker process) and show today's verdict.
  bool replay = false;
  // codegen's output folder and its Bazel package ("generated"): each
  // snapshot's generated test target and source. Empty: none.
  std::string generated_dir;
  std::string generated_package;
  // Called before each snapshot is read (for a progress line); may be empty.
  std::function<void(size_t index, size_t total, const std::string& path)> progress;
};

// One snapshot as the report shows it.
struct ReportEntry {
  std::string path;  // as given
  std::string page;  // "snapshots/<file name>.html", relative to the index
  std::optional<LoadedSnapshot> snapshot;  // none when it could not be read
  std::string error;                       // why not
  std::string kernel, category, call_site, breadcrumbs;
  std::string capture;  // "full", "partial" (some data left out) or "stats"
  int64_t repeat_count = 0;
  // Whose failure it is: "kernel" (the kernel misbehaved), "caller" (the
  // kernel did what NumPy does on bad input), "injected", or "unknown";
  // and why, in words.
  std::string triage, triage_detail;
  std::string verdict, verdict_detail;  // with ReportOptions::replay
  std::string target, test_source;      // with a generated folder
};

struct Report {
  std::vector<ReportEntry> entries;
  // Failing calls (repeats included) per failure category.
  std::map<std::string, int64_t> totals;
};

// Reads, triages (running the kernel's reference implementation on the
// recorded inputs, in a worker process) and, per `options`, replays each
// snapshot. A file that cannot be read is an entry with `error` set.
Report BuildReport(const std::vector<std::string>& paths, const ReportOptions& options);

// index.html: totals per category, a sortable table with a row per
// snapshot, and the snapshots grouped by call site.
std::string RenderIndex(const Report& report);

// The page of one readable snapshot: its outcome, per tensor the value
// distribution (the recorded profile's histogram, signs apart, with the
// synthesized look-alike data's overlaid for inputs) and special-value
// counts, the bad output elements, the call stack, the environment and the
// generated test.
std::string RenderPage(const ReportEntry& entry);

// Writes index.html and snapshots/*.html into `dir` (created if missing).
// FailedPrecondition when `dir` holds anything but an earlier report (a
// source folder is never written into); otherwise an error naming the file
// that could not be written.
absl::Status WriteReport(const Report& report, const std::string& dir);

}  // namespace repro

#endif  // REPRO_REPORT_REPORT_H_
