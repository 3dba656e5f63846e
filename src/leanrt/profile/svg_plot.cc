#include "leanrt/profile/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace leanrt::profile {
namespace {

// Ticks at 1, 2 or 5 times a power of ten, about `count` of them.
std::vector<double> nice_ticks(double min, double max, int count) {
  std::vector<double> ticks;
  const double span = max - min;
  if (!(span > 0)) return {min};
  const double raw = span / count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double factor : {1.0, 2.0, 5.0, 10.0})
    if (raw <= factor * magnitude) {
      step = factor * magnitude;
      break;
    }
  for (double tick = std::ceil(min / step) * step; tick <= max + step * 1e-9; tick += step) ticks.push_back(tick);
  return ticks;
}

std::vector<double> power_of_two_ticks(double min, double max) {
  std::vector<double> ticks;
  for (double tick = 1; tick <= max * 1.0001; tick *= 2)
    if (tick >= min * 0.9999) ticks.push_back(tick);
  return ticks;
}

std::string tick_label(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e9) return fmt::format("{:.0f}", value);
  return fmt::format("{:.3g}", value);
}

double scale(double value, const PlotAxis& axis) {
  if (axis.log2) {
    const double low = std::log2(std::max(axis.min, 1e-9)), high = std::log2(std::max(axis.max, 1e-9));
    return high > low ? (std::log2(std::max(value, 1e-9)) - low) / (high - low) : 0.5;
  }
  return axis.max > axis.min ? (value - axis.min) / (axis.max - axis.min) : 0.5;
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&#39;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

SvgPlot::SvgPlot(std::string id, PlotAxis x, PlotAxis y, int width, int height)
    : id_(std::move(id)), x_(std::move(x)), y_(std::move(y)), width_(width), height_(height) {}

void SvgPlot::set_right_axis(PlotAxis axis) {
  right_ = std::move(axis);
  has_right_ = true;
}

double SvgPlot::to_x(double x) const { return left_ + scale(x, x_) * (width_ - left_ - right_margin_); }
double SvgPlot::to_y(double y) const { return height_ - bottom_ - scale(y, y_) * (height_ - top_ - bottom_); }
double SvgPlot::to_right_y(double y) const {
  return height_ - bottom_ - scale(y, right_) * (height_ - top_ - bottom_);
}

std::string SvgPlot::polyline(const std::vector<double>& xs, const std::vector<double>& ys, bool right_axis) const {
  std::string d;
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i)
    d += fmt::format("{}{:.1f},{:.1f}", i == 0 ? "M" : " L", to_x(xs[i]), right_axis ? to_right_y(ys[i]) : to_y(ys[i]));
  return d;
}

std::string SvgPlot::rectangle(double x0, double x1, double y0, double y1, bool right_axis) const {
  const double left = to_x(x0), right = to_x(x1);
  const double top = right_axis ? to_right_y(y1) : to_y(y1), bottom = right_axis ? to_right_y(y0) : to_y(y0);
  // At least half a pixel each way, so a tiny tensor still shows.
  const double width = std::max(right - left, 0.5), height = std::max(bottom - top, 0.5);
  return fmt::format("M{:.1f},{:.1f} h{:.1f} v{:.1f} h{:.1f} Z", left, top, width, height, -width);
}

void SvgPlot::add_path(const std::string& d, const std::string& css_class, const std::string& tooltip) {
  if (d.empty()) return;
  if (tooltip.empty()) {
    marks_ += fmt::format("<path class=\"{}\" d=\"{}\"/>\n", css_class, d);
    return;
  }
  const std::string info = html_escape(tooltip);
  marks_ += fmt::format("<path class=\"{}\" d=\"{}\" data-info=\"{}\"><title>{}</title></path>\n", css_class, d, info, info);
}

void SvgPlot::add_circle(double x, double y, double radius, const std::string& css_class, const std::string& tooltip) {
  const std::string info = html_escape(tooltip);
  marks_ += fmt::format("<circle class=\"{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{:.1f}\" data-info=\"{}\"><title>{}</title></circle>\n",
                        css_class, to_x(x), to_y(y), radius, info, info);
}

void SvgPlot::add_text(double x, double y, const std::string& text, const std::string& css_class,
                       const std::string& anchor) {
  marks_ += fmt::format("<text class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\">{}</text>\n", css_class, to_x(x),
                        to_y(y), anchor, html_escape(text));
}

void SvgPlot::add_horizontal_rule(double y, const std::string& label, const std::string& css_class) {
  const double py = to_y(y);
  marks_ += fmt::format("<path class=\"{}\" d=\"M{:.1f},{:.1f} H{:.1f}\"/>\n", css_class, left_, py, width_ - right_margin_);
  marks_ += fmt::format("<text class=\"rule-label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
                        width_ - right_margin_ - 4, py - 4, html_escape(label));
}

std::string SvgPlot::axes() const {
  const double plot_left = left_, plot_right = width_ - right_margin_, plot_top = top_, plot_bottom = height_ - bottom_;
  std::string text = fmt::format("<path class=\"axis\" d=\"M{:.1f},{:.1f} V{:.1f} H{:.1f}\"/>\n", plot_left, plot_top,
                                 plot_bottom, plot_right);
  std::vector<double> x_ticks = x_.log2 ? power_of_two_ticks(x_.min, x_.max) : nice_ticks(x_.min, x_.max, 8);
  if (!x_.ticks) x_ticks.clear();
  for (double tick : x_ticks) {
    const double px = to_x(tick);
    text += fmt::format("<path class=\"tick\" d=\"M{:.1f},{:.1f} v5\"/><text class=\"tick-label\" x=\"{:.1f}\" "
                        "y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                        px, plot_bottom, px, plot_bottom + 17, tick_label(tick));
  }
  for (double tick : nice_ticks(y_.min, y_.max, 5)) {
    const double py = to_y(tick);
    text += fmt::format("<path class=\"grid\" d=\"M{:.1f},{:.1f} H{:.1f}\"/><text class=\"tick-label\" x=\"{:.1f}\" "
                        "y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
                        plot_left, py, plot_right, plot_left - 6, py + 4, tick_label(tick));
  }
  text += fmt::format("<text class=\"axis-label x-label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                      (plot_left + plot_right) / 2, static_cast<double>(height_) - 8, html_escape(x_.label));
  text += fmt::format("<text class=\"axis-label y-label\" transform=\"translate(16,{:.1f}) rotate(-90)\" "
                      "text-anchor=\"middle\">{}</text>\n",
                      (plot_top + plot_bottom) / 2, html_escape(y_.label));
  if (has_right_) {
    text += fmt::format("<path class=\"axis\" d=\"M{:.1f},{:.1f} V{:.1f}\"/>\n", plot_right, plot_top, plot_bottom);
    for (double tick : nice_ticks(right_.min, right_.max, 5))
      text += fmt::format("<text class=\"tick-label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"start\">{}</text>\n",
                          plot_right + 6, to_right_y(tick) + 4, tick_label(tick));
    text += fmt::format("<text class=\"axis-label y-label right\" transform=\"translate({:.1f},{:.1f}) rotate(90)\" "
                        "text-anchor=\"middle\">{}</text>\n",
                        static_cast<double>(width_) - 14, (plot_top + plot_bottom) / 2, html_escape(right_.label));
  }
  return text;
}

std::string SvgPlot::svg() const {
  return fmt::format("<svg id=\"{}\" class=\"chart\" viewBox=\"0 0 {} {}\" "
                     "width=\"{}\" height=\"{}\" role=\"img\">\n{}{}</svg>\n",
                     id_, width_, height_, width_, height_, axes(), marks_);
}

}  // namespace leanrt::profile
