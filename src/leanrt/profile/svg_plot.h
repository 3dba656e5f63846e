// A small SVG plot: two linear (or log2) axes with ticks and labels, marks
// drawn as paths. Used by the HTML report; every chart it makes has its axes
// labelled with <text> elements and its marks as non-empty <path>s.
//
//   SvgPlot plot("live", {0, steps, "step"}, {0, peak_mib, "live arena (MiB)"});
//   plot.add_path(plot.polyline(xs, ys), "line");
//   html += plot.svg();
#pragma once

#include <string>
#include <vector>

namespace leanrt::profile {

struct PlotAxis {
  double min = 0;
  double max = 1;
  std::string label;
  bool log2 = false;  // ticks at powers of two (batch sizes)
  bool ticks = true;  // false for categories (the bars carry their own labels)
};

class SvgPlot {
 public:
  SvgPlot(std::string id, PlotAxis x, PlotAxis y, int width = 960, int height = 320);

  // A second y axis on the right, for a second quantity (throughput).
  void set_right_axis(PlotAxis axis);

  double to_x(double x) const;
  double to_y(double y) const;
  double to_right_y(double y) const;

  // Path data for a line through the points (in data units).
  std::string polyline(const std::vector<double>& xs, const std::vector<double>& ys, bool right_axis = false) const;
  // Path data for the rectangle [x0, x1] x [y0, y1] (in data units).
  std::string rectangle(double x0, double x1, double y0, double y1, bool right_axis = false) const;

  // A mark: `tooltip` becomes its <title> (shown on hover) and its
  // data-info (shown in the page's detail line).
  void add_path(const std::string& d, const std::string& css_class, const std::string& tooltip = "");
  void add_circle(double x, double y, double radius, const std::string& css_class, const std::string& tooltip = "");
  void add_text(double x, double y, const std::string& text, const std::string& css_class,
                const std::string& anchor = "start");
  // A horizontal line across the plot at y (data units), labelled.
  void add_horizontal_rule(double y, const std::string& label, const std::string& css_class);

  std::string svg() const;

 private:
  std::string axes() const;
  std::string id_;
  PlotAxis x_, y_, right_;
  bool has_right_ = false;
  int width_, height_;
  double left_ = 70, right_margin_ = 70, top_ = 20, bottom_ = 48;
  std::string marks_;
};

// &, <, >, " and ' as entities.
std::string html_escape(const std::string& text);

}  // namespace leanrt::profile
