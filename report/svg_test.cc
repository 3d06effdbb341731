#include "report/svg.h"

#include <regex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(SvgTest, EscapesEverythingItWrites) {
  EXPECT_EQ(XmlEscape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  const std::string svg = CountBarsSvg("<script>", {{"a<b", 1}});
  EXPECT_THAT(svg, Not(HasSubstr("<script>")));
  EXPECT_THAT(svg, HasSubstr("a&lt;b"));
}

TEST(SvgTest, HistogramBarsAboveAndBelowTheAxis) {
  ExponentHistogram h;
  h.lo = -2;
  h.all = {4, 0, 2};       // every value: 2^-2 x4, 2^0 x2
  h.negative = {1, 0, 2};  // of those, negative: one 2^-2, both 2^0
  const std::string svg = ExponentHistogramSvg("input 0", h, nullptr);
  EXPECT_EQ(Count(svg, "class=\"bar positive\""), 1);  // only 2^-2 has positives
  EXPECT_EQ(Count(svg, "class=\"bar negative\""), 2);
  EXPECT_THAT(svg, HasSubstr("<title>2^-2: 3</title>"));
  EXPECT_THAT(svg, HasSubstr("<title>-2^0: 2</title>"));
  EXPECT_EQ(Count(svg, "<polyline"), 0);
  EXPECT_THAT(svg, HasSubstr("</svg>"));
}

TEST(SvgTest, TheOverlayIsScaledToItsOwnSize) {
  ExponentHistogram recorded, synthesized;
  recorded.lo = 0;
  recorded.all = {10};
  synthesized.lo = 0;
  synthesized.all = {1000};  // the same share: the same height
  const std::string svg = ExponentHistogramSvg("t", recorded, &synthesized);
  EXPECT_EQ(Count(svg, "<polyline class=\"overlay\""), 2);
  // The bar and the overlay's top meet at the same height.
  std::smatch bar;
  ASSERT_TRUE(std::regex_search(svg, bar, std::regex("y=\"([0-9.]+)\" width")));
  EXPECT_THAT(svg, HasSubstr("points=\"48.0," + bar[1].str()));
}

TEST(SvgTest, AnEmptyHistogramSaysSo) {
  EXPECT_THAT(ExponentHistogramSvg("t", ExponentHistogram(), nullptr),
              HasSubstr("no finite nonzero values"));
}

TEST(SvgTest, CountBarsScaleToTheLargest) {
  const std::string svg = CountBarsSvg("special values", {{"NaN", 2}, {"+Inf", 4}, {"zeros", 0}});
  EXPECT_EQ(Count(svg, "class=\"bar count\""), 3);
  EXPECT_THAT(svg, HasSubstr("width=\"360.0\""));  // +Inf, the largest
  EXPECT_THAT(svg, HasSubstr("width=\"180.0\""));
  EXPECT_THAT(svg, HasSubstr("width=\"0.0\""));
}

}  // namespace
}  // namespace repro
