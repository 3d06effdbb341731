#include "report/report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/dtype.h"
#include "core/failure.h"
#include "core/fp_env.h"
#include "replay/triage.h"
#include "replay/worker.h"
#include "report/svg.h"
#include "snapshot/file_system.h"
#include "snapshot/profile.h"
#include "testing/synthesizer.h"

namespace repro {
namespace {

// The style and the table sorting of every page: inline, so that the
// folder is self-contained.
constexpr char kHead[] = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1d2330; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.muted { color: #667085; } a { color: #1f5fbf; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border-bottom: 1px solid #e4e7ec; padding: 5px 10px; text-align: left; vertical-align: top; }
th { background: #f2f4f7; cursor: pointer; user-select: none; white-space: nowrap; }
th.sorted-asc::after { content: " \25B2"; } th.sorted-desc::after { content: " \25BC"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
td code { word-break: break-all; }
pre { background: #f8f9fb; border: 1px solid #e4e7ec; padding: 10px; overflow-x: auto; }
.tag { display: inline-block; padding: 1px 7px; border-radius: 9px; font-size: 12px; background: #eef2f6; }
.tag.kernel { background: #fde2e1; } .tag.caller { background: #fdf1d6; } .tag.injected { background: #e0ecfd; }
.tag.reproduced { background: #fde2e1; } .tag.not-reproduced { background: #dcf5e3; }
.note { background: #fff8e6; border-left: 3px solid #f0b429; padding: 6px 10px; margin: 8px 0; }
svg.chart { background: #fbfcfd; border: 1px solid #e4e7ec; margin: 4px 12px 4px 0; }
svg .title { font: bold 13px sans-serif; fill: #1d2330; } svg .label, svg .tick, svg .value { font: 11px sans-serif; fill: #475467; }
svg .axis { stroke: #98a2b3; } svg .bar.positive { fill: #4e79a7; } svg .bar.negative { fill: #e15759; }
svg .bar.count { fill: #76b7b2; } svg .overlay { fill: none; stroke: #1d2330; stroke-width: 1.5; stroke-dasharray: 4 2; }
.charts { display: flex; flex-wrap: wrap; align-items: flex-start; }
</style>
<script>
// Sorts a table by the clicked column (numbers as numbers).
function sortTable(th) {
  const table = th.closest("table"), body = table.tBodies[0];
  const col = Array.from(th.parentNode.children).indexOf(th);
  const asc = !th.classList.contains("sorted-asc");
  for (const h of th.parentNode.children) h.classList.remove("sorted-asc", "sorted-desc");
  th.classList.add(asc ? "sorted-asc" : "sorted-desc");
  const key = (row) => { const c = row.children[col]; return c ? c.textContent.trim() : ""; };
  const rows = Array.from(body.rows).sort((a, b) => {
    const x = key(a), y = key(b), nx = Number(x), ny = Number(y);
    const d = (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
    return asc ? d : -d;
  });
  for (const r of rows) body.appendChild(r);
}
</script>
</head><body>
)";

std::string Head(absl::string_view title) {
  return absl::StrFormat(kHead, XmlEscape(title));
}

std::string Num(double v) { return absl::StrFormat("%.6g", v); }

std::string FileName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

std::string CaptureOf(const fb::Snapshot& s) {
  if (s.capture() == fb::Capture_Stats) return "stats";
  for (const auto* list : {s.inputs(), s.outputs()}) {
    if (list == nullptr) continue;
    for (const fb::TensorRecord* t : *list) {
      if (t->partial()) return "partial";
    }
  }
  return "full";
}

// The generated packages under `dir`, by snapshot fingerprint: their
// folder.
std::map<uint64_t, std::filesystem::path> GeneratedPackages(const std::string& dir) {
  std::map<uint64_t, std::filesystem::path> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename() != "snapshot.fb") continue;
    absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Load(it->path().string());
    if (s.ok()) out[s->root().fingerprint()] = it->path().parent_path();
  }
  return out;
}

ReportEntry Entry(const std::string& path, const ReportOptions& options,
                  const std::map<uint64_t, std::filesystem::path>& generated) {
  ReportEntry e;
  e.path = path;
  e.page = absl::StrCat("snapshots/", FileName(path), ".html");
  absl::StatusOr<LoadedSnapshot> snap = LoadedSnapshot::Load(path);
  if (!snap.ok()) {
    e.error = std::string(snap.status().message());
    return e;
  }
  e.snapshot = *snap;
  const fb::Snapshot& s = snap->root();
  e.kernel = s.kernel()->str();
  e.category = std::string(FailureKindName(
      static_cast<FailureKind>(s.outcome() ? s.outcome()->failure() : 0)));
  e.repeat_count = s.repeat_count();
  e.call_site = s.stack() && s.stack()->size() > 0 ? s.stack()->Get(0)->str() : "";
  std::vector<std::string> crumbs;
  if (s.breadcrumbs()) {
    for (const fb::Breadcrumb* b : *s.breadcrumbs()) {
      crumbs.push_back(absl::StrCat(b->key() ? b->key()->str() : "", "=",
                                    b->value() ? b->value()->str() : ""));
    }
  }
  e.breadcrumbs = absl::StrJoin(crumbs, " ");
  e.capture = CaptureOf(s);
  const Triage triage = TriageSnapshot(*snap);
  e.triage = BlameName(triage.blame);
  e.triage_detail = triage.detail;
  if (options.replay) {
    absl::StatusOr<ReplayResult> r = ReplayIsolated(*snap, WorkerOptions());
    e.verdict = r.ok() ? VerdictName(r->verdict) : "not replayed";
    e.verdict_detail = r.ok() ? r->detail : std::string(r.status().message());
  }
  if (auto it = generated.find(s.fingerprint()); it != generated.end()) {
    const std::string name = it->second.filename().string();
    const std::string package = options.generated_package.empty()
                                    ? name
                                    : absl::StrCat(options.generated_package, "/", name);
    e.target = absl::StrCat("//", package, ":", name, "_test");
    absl::StatusOr<std::string> source = FileSystem::Default().Read(
        (it->second / (name + "_test.cc")).string(), 1 << 22);
    if (source.ok()) e.test_source = *source;
  }
  return e;
}

// The histogram a profile keeps (a recorded one: ProfileFromRecord).
ExponentHistogram HistogramOf(const Profile& p) {
  ExponentHistogram h;
  h.lo = p.log2_hist_lo;
  h.all.assign(p.log2_hist.begin(), p.log2_hist.end());
  h.negative.assign(p.log2_hist_negative.begin(), p.log2_hist_negative.end());
  return h;
}

std::string ShapeText(const flatbuffers::Vector<int64_t>* v) {
  if (v == nullptr) return "[]";
  return absl::StrCat("[", absl::StrJoin(*v, ","), "]");
}

// One tensor's section of a snapshot page; inputs get the synthesized
// look-alike data's histogram overlaid (what a generated test runs on).
std::string TensorSection(const char* what, int i, const fb::TensorRecord& t, bool stats) {
  const bool input = absl::string_view(what) == "input";
  const DType dtype = static_cast<DType>(t.dtype());
  std::string html = absl::StrFormat("<h3>%s %d: %s%s, strides %s</h3>", what, i,
                                     std::string(DTypeName(dtype)), ShapeText(t.shape()),
                                     ShapeText(t.strides()));
  if (stats) {
    absl::StrAppend(&html, "<p class=\"note\">Statistics only (stats capture): the values "
                           "were not kept; what follows is their profile.</p>");
  } else if (t.partial() && t.digest().has_value()) {
    absl::StrAppend(&html, absl::StrFormat(
                               "<p class=\"note\">Left out for its size: the snapshot keeps "
                               "a digest (XXH3 %016x), %d sampled values and the bad "
                               "elements, not the data or its distribution.</p>",
                               *t.digest(), t.sample() ? t.sample()->size() : 0));
  } else if (t.partial()) {
    absl::StrAppend(&html, absl::StrFormat(
                               "<p class=\"note\">Partial capture (over the byte cap): the "
                               "data was left out; %d sampled values and the profile are "
                               "kept.</p>",
                               t.sample() ? t.sample()->size() : 0));
  }
  const fb::Profile* p = t.profile();
  if (p == nullptr) return html;
  std::optional<ExponentHistogram> overlay;
  if (input && p->count() > 0 && p->count() <= (int64_t{1} << 24) && t.shape()) {
    const std::vector<int64_t> shape(t.shape()->begin(), t.shape()->end());
    overlay = HistogramOf(
        ComputeProfile(testing::Synthesize(dtype, shape, ProfileFromRecord(t), 1)));
  }
  absl::StrAppend(
      &html, "<div class=\"charts\">",
      ExponentHistogramSvg(
          absl::StrCat(what, " ", i, ": values by magnitude (bars: recorded",
                       overlay ? "; dashed: synthesized look-alike)" : ")"),
          HistogramOf(ProfileFromRecord(t)), overlay ? &*overlay : nullptr),
      CountBarsSvg(absl::StrCat(what, " ", i, ": special values of ", p->count()),
                   {{"NaN", p->nan()},
                    {"+Inf", p->pos_inf()},
                    {"-Inf", p->neg_inf()},
                    {"zeros", p->zeros()},
                    {"subnormals", p->subnormals()},
                    {"negatives", p->negatives()}}),
      "</div>");
  absl::StrAppend(&html, "<table><tr><th>min</th><th>max</th><th>mean</th><th>std</th>");
  if (p->quantiles() && p->quantile_levels()) {
    for (double q : *p->quantile_levels()) absl::StrAppend(&html, "<th>q", Num(100 * q), "</th>");
  }
  absl::StrAppend(&html, "</tr><tr><td class=\"num\">", Num(p->min()), "</td><td class=\"num\">",
                  Num(p->max()), "</td><td class=\"num\">", Num(p->mean()),
                  "</td><td class=\"num\">", Num(p->std()), "</td>");
  if (p->quantiles()) {
    for (double q : *p->quantiles()) absl::StrAppend(&html, "<td class=\"num\">", Num(q), "</td>");
  }
  absl::StrAppend(&html, "</tr></table>");
  return html;
}

std::string Tag(absl::string_view cls, absl::string_view text) {
  return absl::StrCat("<span class=\"tag ", XmlEscape(cls), "\">", XmlEscape(text), "</span>");
}

// True when `dir` is missing, empty, or holds only an earlier report.
bool IsReportFolder(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name != "index.html" && name != "snapshots") return false;
  }
  return true;
}

}  // namespace

Report BuildReport(const std::vector<std::string>& paths, const ReportOptions& options) {
  Report report;
  std::map<uint64_t, std::filesystem::path> generated;
  if (!options.generated_dir.empty()) generated = GeneratedPackages(options.generated_dir);
  for (const std::string& path : paths) {
    if (options.progress) options.progress(report.entries.size(), paths.size(), path);
    report.entries.push_back(Entry(path, options, generated));
    const ReportEntry& e = report.entries.back();
    if (e.snapshot) report.totals[e.category] += e.repeat_count;
  }
  return report;
}

std::string RenderIndex(const Report& report) {
  int64_t calls = 0;
  std::vector<std::pair<std::string, int64_t>> bars;
  for (const auto& [category, n] : report.totals) {
    calls += n;
    bars.emplace_back(category, n);
  }
  std::string html = Head("Repro report");
  absl::StrAppend(&html, "<h1>Repro report</h1><p class=\"muted\">", report.entries.size(),
                  " snapshot(s), ", calls, " failing call(s)</p>");
  absl::StrAppend(&html, "<h2>Failing calls per category</h2>",
                  CountBarsSvg("failing calls per category", bars));
  const bool verdicts = std::any_of(report.entries.begin(), report.entries.end(),
                                    [](const ReportEntry& e) { return !e.verdict.empty(); });
  const bool targets = std::any_of(report.entries.begin(), report.entries.end(),
                                   [](const ReportEntry& e) { return !e.target.empty(); });
  absl::StrAppend(&html, "<h2>Snapshots</h2><p class=\"muted\">Click a column to sort.</p>"
                         "<table id=\"snapshots\"><thead><tr>");
  std::vector<std::string> columns = {"snapshot", "kernel", "category", "failing calls",
                                      "call site", "breadcrumbs", "capture", "triage"};
  if (verdicts) columns.push_back("replay today");
  if (targets) columns.push_back("generated test");
  for (const std::string& c : columns) {
    absl::StrAppend(&html, "<th onclick=\"sortTable(this)\">", XmlEscape(c), "</th>");
  }
  absl::StrAppend(&html, "</tr></thead><tbody>");
  for (const ReportEntry& e : report.entries) {
    absl::StrAppend(&html, "<tr class=\"snapshot\">");
    if (!e.snapshot) {
      absl::StrAppend(&html, "<td>", XmlEscape(FileName(e.path)), "</td><td colspan=\"",
                      columns.size() - 1, "\">cannot be read: ", XmlEscape(e.error), "</td></tr>");
      continue;
    }
    absl::StrAppend(&html, "<td><a href=\"", XmlEscape(e.page), "\">", XmlEscape(FileName(e.path)),
                    "</a></td><td>", XmlEscape(e.kernel), "</td><td>", XmlEscape(e.category),
                    "</td><td class=\"num\">", e.repeat_count, "</td><td><code>",
                    XmlEscape(e.call_site), "</code></td><td>", XmlEscape(e.breadcrumbs),
                    "</td><td>", XmlEscape(e.capture), "</td><td title=\"",
                    XmlEscape(e.triage_detail), "\">", Tag(e.triage, e.triage), "</td>");
    if (verdicts) {
      absl::StrAppend(&html, "<td title=\"", XmlEscape(e.verdict_detail), "\">",
                      Tag(e.verdict, e.verdict), "</td>");
    }
    if (targets) absl::StrAppend(&html, "<td><code>", XmlEscape(e.target), "</code></td>");
    absl::StrAppend(&html, "</tr>");
  }
  absl::StrAppend(&html, "</tbody></table>");
  // Grouped by call site.
  std::map<std::string, std::vector<const ReportEntry*>> by_site;
  for (const ReportEntry& e : report.entries) {
    if (e.snapshot) by_site[e.call_site].push_back(&e);
  }
  absl::StrAppend(&html, "<h2>By call site</h2><table id=\"call-sites\"><thead><tr>"
                         "<th onclick=\"sortTable(this)\">call site</th>"
                         "<th onclick=\"sortTable(this)\">snapshots</th>"
                         "<th onclick=\"sortTable(this)\">failing calls</th>"
                         "</tr></thead><tbody>");
  for (const auto& [site, entries] : by_site) {
    int64_t n = 0;
    std::vector<std::string> links;
    for (const ReportEntry* e : entries) {
      n += e->repeat_count;
      links.push_back(absl::StrCat("<a href=\"", XmlEscape(e->page), "\">", XmlEscape(e->kernel),
                                   " (", XmlEscape(e->category), ")</a>"));
    }
    absl::StrAppend(&html, "<tr><td><code>", XmlEscape(site.empty() ? "(unknown)" : site),
                    "</code></td><td>", absl::StrJoin(links, ", "), "</td><td class=\"num\">", n,
                    "</td></tr>");
  }
  absl::StrAppend(&html, "</tbody></table></body></html>\n");
  return html;
}

std::string RenderPage(const ReportEntry& e) {
  const fb::Snapshot& s = e.snapshot->root();
  std::string html = Head(absl::StrCat(e.kernel, ": ", e.category));
  absl::StrAppend(&html, "<p><a href=\"../index.html\">&larr; all snapshots</a></p>");
  absl::StrAppend(&html, "<h1>", XmlEscape(e.kernel), ": ", XmlEscape(e.category), "</h1>");
  absl::StrAppend(&html, "<p class=\"muted\">", XmlEscape(FileName(e.path)), " &middot; failed ",
                  e.repeat_count, " time(s) &middot; ", XmlEscape(e.capture),
                  " capture &middot; fingerprint ", absl::StrFormat("%016x", s.fingerprint()),
                  "</p>");
  absl::StrAppend(&html, "<table><tr><th>call site</th><td><code>", XmlEscape(e.call_site),
                  "</code></td></tr><tr><th>breadcrumbs</th><td>", XmlEscape(e.breadcrumbs),
                  "</td></tr><tr><th>triage</th><td>", Tag(e.triage, e.triage), " ",
                  XmlEscape(e.triage_detail), "</td></tr>");
  if (!e.verdict.empty()) {
    absl::StrAppend(&html, "<tr><th>replay today</th><td>", Tag(e.verdict, e.verdict), " ",
                    XmlEscape(e.verdict_detail), "</td></tr>");
  }
  if (!e.target.empty()) {
    absl::StrAppend(&html, "<tr><th>generated test</th><td><code>bazel test ",
                    XmlEscape(e.target), "</code></td></tr>");
  }
  absl::StrAppend(&html, "</table>");
  if (const fb::Outcome* o = s.outcome()) {
    absl::StrAppend(&html, "<h2>Outcome</h2><p>", XmlEscape(e.category));
    if (o->fp_flags()) absl::StrAppend(&html, ", flags ", FpFlagsToString(o->fp_flags()));
    if (o->signal()) absl::StrAppend(&html, ", signal ", o->signal());
    if (o->injected()) absl::StrAppend(&html, ", injected by REPRO_INJECT");
    absl::StrAppend(&html, "</p>");
    if (o->message() && o->message()->size()) {
      absl::StrAppend(&html, "<pre>", XmlEscape(o->message()->str()), "</pre>");
    }
    if (o->bad_count() > 0 && o->bad_indices()) {
      const size_t n_in = s.inputs() ? s.inputs()->size() : 0;
      absl::StrAppend(&html, "<h3>Bad output elements: ", o->bad_count(),
                      " (the first listed)</h3><table><tr><th>flat index</th><th>output</th>");
      for (size_t k = 0; k < n_in; ++k) absl::StrAppend(&html, "<th>input ", k, "</th>");
      absl::StrAppend(&html, "</tr>");
      for (flatbuffers::uoffset_t k = 0; k < o->bad_indices()->size(); ++k) {
        absl::StrAppend(&html, "<tr><td class=\"num\">", o->bad_indices()->Get(k),
                        "</td><td class=\"num\">");
        if (o->bad_output_values() && k < o->bad_output_values()->size()) {
          absl::StrAppend(&html, Num(o->bad_output_values()->Get(k)));
        }
        absl::StrAppend(&html, "</td>");
        for (size_t j = 0; j < n_in; ++j) {
          const size_t at = k * n_in + j;
          const bool have = o->bad_input_values() && at < o->bad_input_values()->size();
          absl::StrAppend(&html, "<td class=\"num\">",
                          have ? Num(o->bad_input_values()->Get(at)) : "(not kept)", "</td>");
        }
        absl::StrAppend(&html, "</tr>");
      }
      absl::StrAppend(&html, "</table>");
    }
  }
  const bool stats = s.capture() == fb::Capture_Stats;
  absl::StrAppend(&html, "<h2>Inputs</h2>");
  if (s.inputs()) {
    for (flatbuffers::uoffset_t i = 0; i < s.inputs()->size(); ++i) {
      absl::StrAppend(&html, TensorSection("input", i, *s.inputs()->Get(i), stats));
    }
  }
  if (s.outputs() && s.outputs()->size() > 0) {
    absl::StrAppend(&html, "<h2>Outputs</h2>");
    for (flatbuffers::uoffset_t i = 0; i < s.outputs()->size(); ++i) {
      absl::StrAppend(&html, TensorSection("output", i, *s.outputs()->Get(i), stats));
    }
  }
  absl::StrAppend(&html, "<h2>Call stack</h2><pre>");
  if (s.stack()) {
    int k = 0;
    for (const flatbuffers::String* f : *s.stack()) {
      absl::StrAppend(&html, "#", k++, " ", XmlEscape(f->str()), "\n");
    }
  }
  absl::StrAppend(&html, "</pre>");
  if (const fb::Environment* env = s.environment()) {
    absl::StrAppend(&html, "<h2>Environment</h2><table>");
    const std::pair<const char*, const flatbuffers::String*> rows[] = {
        {"compiler", env->compiler()}, {"build mode", env->build_mode()},
        {"CPU features", env->cpu_features()}, {"libraries", env->libraries()},
        {"host", env->host()}};
    for (const auto& [name, value] : rows) {
      absl::StrAppend(&html, "<tr><th>", name, "</th><td>", XmlEscape(value ? value->str() : ""),
                      "</td></tr>");
    }
    absl::StrAppend(&html, "<tr><th>FTZ / DAZ</th><td>", env->flush_to_zero() ? "on" : "off",
                    " / ", env->denormals_are_zero() ? "on" : "off", "</td></tr></table>");
  }
  if (!e.test_source.empty()) {
    absl::StrAppend(&html, "<h2>Generated test</h2><p><code>bazel test ", XmlEscape(e.target),
                    "</code></p><pre>", XmlEscape(e.test_source), "</pre>");
  }
  absl::StrAppend(&html, "</body></html>\n");
  return html;
}

absl::Status WriteReport(const Report& report, const std::string& dir) {
  if (!IsReportFolder(dir)) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, " holds other files than a report; choose a new or empty folder (--out)"));
  }
  FileSystem& fs = FileSystem::Default();
  if (absl::Status s = fs.CreateDirs(dir + "/snapshots"); !s.ok()) return s;
  for (const ReportEntry& e : report.entries) {
    if (!e.snapshot) continue;
    if (absl::Status s = fs.WriteAtomically(dir + "/" + e.page, RenderPage(e)); !s.ok()) {
      return s;
    }
  }
  return fs.WriteAtomically(dir + "/index.html", RenderIndex(report));
}

}  // namespace repro
