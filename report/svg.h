// The report's charts as inline SVG. Written by hand: Debian packages no
// C++ charting library, and the two charts the report draws are a few
// dozen lines each. Every text that lands in the SVG is escaped.
//
// Example:
//   ExponentHistogram h;
//   h.lo = -3; h.all = {1, 4, 2}; h.negative = {0, 1, 0};
//   std::string svg = ExponentHistogramSvg("input 0", h, nullptr);
#ifndef REPRO_REPORT_SVG_H_
#define REPRO_REPORT_SVG_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace repro {

// `s` with &, <, >, " and ' escaped, for XML and HTML text and attributes.
std::string XmlEscape(absl::string_view s);

// Counts of finite nonzero values by binary exponent floor(log2|x|), bin 0
// being exponent `lo`, with the negative values' counts apart (as the
// snapshot's profile keeps them).
struct ExponentHistogram {
  int lo = 0;
  std::vector<int64_t> all;       // every value's count per bin
  std::vector<int64_t> negative;  // of those, the negative ones; empty: unknown
};

// A histogram chart: positive values as bars above the axis, negative
// below, each bin's height its share of the histogram's values; `overlay`
// (may be null) as an outline on the same axes, so that two distributions
// of different sizes compare. The x axis is labelled with powers of two.
std::string ExponentHistogramSvg(absl::string_view title,
                                 const ExponentHistogram& recorded,
                                 const ExponentHistogram* overlay);

// A horizontal bar per (label, count), the bars scaled to the largest
// count, each with its count written beside it.
std::string CountBarsSvg(absl::string_view title,
                         const std::vector<std::pair<std::string, int64_t>>& bars);

}  // namespace repro

#endif  // REPRO_REPORT_SVG_H_
