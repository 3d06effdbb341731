#include "report/svg.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace repro {
namespace {

constexpr int kWidth = 640;
constexpr int kHeight = 240;
constexpr int kMarginLeft = 48, kMarginRight = 12, kMarginTop = 28, kMarginBottom = 28;

int64_t Sum(const std::vector<int64_t>& v) {
  int64_t s = 0;
  for (int64_t c : v) s += c;
  return s;
}

// The count in bin `e` (an exponent) of `v`, whose first bin is `lo`.
int64_t At(const std::vector<int64_t>& v, int lo, int e) {
  const int i = e - lo;
  return i >= 0 && i < static_cast<int>(v.size()) ? v[i] : 0;
}

// The positive values' counts: all less the negative ones.
std::vector<int64_t> PositiveOnly(const ExponentHistogram& h) {
  std::vector<int64_t> p = h.all;
  for (size_t i = 0; i < p.size() && i < h.negative.size(); ++i) p[i] -= h.negative[i];
  return p;
}

}  // namespace

std::string XmlEscape(absl::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string ExponentHistogramSvg(absl::string_view title,
                                 const ExponentHistogram& recorded,
                                 const ExponentHistogram* overlay) {
  // Positive values above the axis, negative below.
  const std::vector<int64_t> rec_pos = PositiveOnly(recorded);
  const int64_t rec_total = std::max<int64_t>(1, Sum(recorded.all));
  std::vector<int64_t> ov_pos;
  int64_t ov_total = 1;
  int lo = recorded.lo, hi = recorded.lo + static_cast<int>(recorded.all.size()) - 1;
  if (overlay != nullptr && !overlay->all.empty()) {
    ov_pos = PositiveOnly(*overlay);
    ov_total = std::max<int64_t>(1, Sum(overlay->all));
    lo = recorded.all.empty() ? overlay->lo : std::min(lo, overlay->lo);
    hi = std::max(hi, overlay->lo + static_cast<int>(overlay->all.size()) - 1);
  }
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart histogram\" "
      "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">"
      "<title>%s</title>"
      "<text x=\"%d\" y=\"16\" class=\"title\">%s</text>",
      kWidth, kHeight, kWidth, kHeight, XmlEscape(title), kMarginLeft, XmlEscape(title));
  const int axis_y = kMarginTop + (kHeight - kMarginTop - kMarginBottom) / 2;
  const double half = (kHeight - kMarginTop - kMarginBottom) / 2.0;
  absl::StrAppend(&svg, absl::StrFormat(
                            "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                            "<text x=\"4\" y=\"%d\" class=\"label\">x&gt;0</text>"
                            "<text x=\"4\" y=\"%d\" class=\"label\">x&lt;0</text>",
                            kMarginLeft, axis_y, kWidth - kMarginRight, axis_y,
                            axis_y - 6, axis_y + 16));
  if (hi < lo) {
    absl::StrAppend(&svg, absl::StrFormat(
                              "<text x=\"%d\" y=\"%d\" class=\"label\">no finite nonzero "
                              "values</text></svg>",
                              kMarginLeft + 8, axis_y - 20));
    return svg;
  }
  const int bins = hi - lo + 1;
  const double bin_w = static_cast<double>(kWidth - kMarginLeft - kMarginRight) / bins;
  // Heights as shares, scaled so that the largest share fills half the plot.
  double top = 0;
  for (int e = lo; e <= hi; ++e) {
    top = std::max({top, At(rec_pos, recorded.lo, e) / double(rec_total),
                    At(recorded.negative, recorded.lo, e) / double(rec_total)});
    if (overlay != nullptr) {
      top = std::max({top, At(ov_pos, overlay->lo, e) / double(ov_total),
                      At(overlay->negative, overlay->lo, e) / double(ov_total)});
    }
  }
  top = top > 0 ? top : 1;
  for (int e = lo; e <= hi; ++e) {
    const double x = kMarginLeft + (e - lo) * bin_w;
    const double up = At(rec_pos, recorded.lo, e) / double(rec_total) / top * half;
    const double down = At(recorded.negative, recorded.lo, e) / double(rec_total) / top * half;
    if (up > 0) {
      absl::StrAppend(&svg, absl::StrFormat(
                                "<rect class=\"bar positive\" x=\"%.1f\" y=\"%.1f\" "
                                "width=\"%.1f\" height=\"%.1f\"><title>2^%d: %d</title></rect>",
                                x + 1, axis_y - up, std::max(1.0, bin_w - 2), up, e,
                                At(rec_pos, recorded.lo, e)));
    }
    if (down > 0) {
      absl::StrAppend(&svg, absl::StrFormat(
                                "<rect class=\"bar negative\" x=\"%.1f\" y=\"%d\" "
                                "width=\"%.1f\" height=\"%.1f\"><title>-2^%d: %d</title></rect>",
                                x + 1, axis_y, std::max(1.0, bin_w - 2), down, e,
                                At(recorded.negative, recorded.lo, e)));
    }
  }
  if (overlay != nullptr && !overlay->all.empty()) {
    // Step outlines of the overlay, above and below the axis.
    for (int sign : {1, -1}) {
      std::string points;
      for (int e = lo; e <= hi; ++e) {
        const int64_t c = sign > 0 ? At(ov_pos, overlay->lo, e) : At(overlay->negative, overlay->lo, e);
        const double y = axis_y - sign * (c / double(ov_total) / top * half);
        const double x0 = kMarginLeft + (e - lo) * bin_w;
        absl::StrAppend(&points, absl::StrFormat("%.1f,%.1f %.1f,%.1f ", x0, y, x0 + bin_w, y));
      }
      absl::StrAppend(&svg, "<polyline class=\"overlay\" points=\"", points, "\"/>");
    }
  }
  // Labels: about eight powers of two along the axis.
  const int step = std::max(1, bins / 8);
  for (int e = lo; e <= hi; e += step) {
    absl::StrAppend(&svg, absl::StrFormat(
                              "<text x=\"%.1f\" y=\"%d\" class=\"tick\">2^%d</text>",
                              kMarginLeft + (e - lo) * bin_w, kHeight - 8, e));
  }
  absl::StrAppend(&svg, "</svg>");
  return svg;
}

std::string CountBarsSvg(absl::string_view title,
                         const std::vector<std::pair<std::string, int64_t>>& bars) {
  constexpr int kRow = 22, kLabelWidth = 110, kBarWidth = 360;
  const int height = 28 + kRow * static_cast<int>(bars.size()) + 4;
  int64_t most = 1;
  for (const auto& [label, count] : bars) most = std::max(most, count);
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart bars\" "
      "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">"
      "<title>%s</title><text x=\"4\" y=\"16\" class=\"title\">%s</text>",
      kLabelWidth + kBarWidth + 90, height, kLabelWidth + kBarWidth + 90, height,
      XmlEscape(title), XmlEscape(title));
  int y = 28;
  for (const auto& [label, count] : bars) {
    const double w = count * double(kBarWidth) / most;
    absl::StrAppend(&svg, absl::StrFormat(
                              "<text x=\"4\" y=\"%d\" class=\"label\">%s</text>"
                              "<rect class=\"bar count\" x=\"%d\" y=\"%d\" width=\"%.1f\" "
                              "height=\"%d\"/><text x=\"%.1f\" y=\"%d\" class=\"value\">%d</text>",
                              y + 14, XmlEscape(label), kLabelWidth, y + 2, w, kRow - 6,
                              kLabelWidth + w + 6, y + 14, count));
    y += kRow;
  }
  absl::StrAppend(&svg, "</svg>");
  return svg;
}

}  // namespace repro
