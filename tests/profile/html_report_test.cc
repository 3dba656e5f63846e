// `leanrt profile --html` opened in headless Chromium: the page renders
// (a screenshot is kept as build/tests/artifacts/profile_report.png), logs
// no console message, its script ran, and each chart is an <svg> with
// non-empty mark paths and text-labelled axes. The page must need no
// network: no external URL appears in it.
//
// The harness checks itself: a deliberately broken page must produce a
// console error, so a Chromium that logs nothing cannot pass for a clean
// page.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "leanrt/profile/child_process.h"
#include "support/cli.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kChromium = "/usr/bin/chromium";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Chromium without anything that reaches out: on this machine its
// background connections are refused many at a time and slow it down.
std::vector<std::string> chromium(const std::string& profile_dir, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {"/usr/bin/timeout", "120", kChromium, "--headless", "--no-sandbox", "--disable-gpu",
                                   "--disable-quic", "--no-first-run", "--disable-background-networking",
                                   "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                                   "--user-data-dir=" + profile_dir};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// Lines Chromium logs for the page's console (console.log/error, uncaught
// exceptions): "...:INFO:CONSOLE(12)] \"message\", source: file:///... (12)".
std::vector<std::string> console_lines(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
  return lines;
}

struct PageLoad {
  std::string dom;
  std::vector<std::string> console;
  int exit_code = -1;
};

PageLoad load_page(const std::string& url) {
  char dir_template[] = "/tmp/leanrt-chromium-XXXXXX";
  const std::string profile_dir = ::mkdtemp(dir_template);
  auto output = profile::run_child(
      chromium(profile_dir, {"--enable-logging=stderr", "--v=0", "--virtual-time-budget=2000", "--dump-dom", url}));
  fs::remove_all(profile_dir);
  PageLoad page;
  if (!output) return page;
  page.exit_code = output->exit_code;
  page.dom = output->out;
  page.console = console_lines(output->err);
  return page;
}

// The <svg id="..."> element's markup, or "".
std::string svg_of(const std::string& dom, const std::string& id) {
  const size_t start = dom.find("<svg id=\"" + id + "\"");
  if (start == std::string::npos) return "";
  const size_t end = dom.find("</svg>", start);
  return end == std::string::npos ? "" : dom.substr(start, end + 6 - start);
}

// Mark paths: every <path> that is not part of the axes, with a non-empty d.
int mark_paths(const std::string& svg) {
  static const std::regex path(R"re(<path class="([^"]*)" d="([^"]*)")re");
  int marks = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), path); it != std::sregex_iterator(); ++it) {
    const std::string css = (*it)[1], d = (*it)[2];
    if (css == "axis" || css == "tick" || css == "grid") continue;
    if (d.size() > 2 && d[0] == 'M') ++marks;
  }
  return marks;
}

// The text of the axis label with class `axis-label <which>...`, or "".
std::string axis_label(const std::string& svg, const std::string& which) {
  const std::regex label("<text class=\"axis-label " + which + "[^\"]*\"[^>]*>([^<]*)</text>");
  std::smatch match;
  return std::regex_search(svg, match, label) ? match[1].str() : "";
}

TEST(HtmlReport, RendersInChromiumWithLabelledChartsAndNoConsoleErrors) {
  if (::access(kChromium, X_OK) != 0) GTEST_SKIP() << kChromium << " not installed (scripts/deps.sh installs it)";
  auto corpus = corpus_dir();
  if (!corpus) GTEST_SKIP() << "corpus not found";
  const fs::path artifacts = LEANRT_TEST_ARTIFACTS;
  fs::create_directories(artifacts);
  const std::string html_path = (artifacts / "profile_report.html").string();
  const std::string png_path = (artifacts / "profile_report.png").string();
  fs::remove(png_path);

  // A batched model, so the sweep has something to show; the sweep and the
  // comparison each run their configurations in child processes.
  const CliResult profiled =
      run_cli({"profile", *corpus + "/models/emotion/emotion.json", "--runs", "2", "--sweep", "1,4,16",
               "--memory-limit", "64M", "--compare", "--html", html_path});
  ASSERT_EQ(profiled.exit_code, 0) << profiled.err;
  const std::string html = read_file(html_path);
  ASSERT_FALSE(html.empty());
  EXPECT_EQ(html.find("http://"), std::string::npos) << "the page must not reference the network";
  EXPECT_EQ(html.find("https://"), std::string::npos) << "the page must not reference the network";
  EXPECT_EQ(html.find(" src="), std::string::npos) << "the page must load nothing";

  char dir_template[] = "/tmp/leanrt-chromium-XXXXXX";
  const std::string profile_dir = ::mkdtemp(dir_template);
  auto shot = profile::run_child(chromium(
      profile_dir, {"--window-size=1100,5200", "--virtual-time-budget=2000", "--screenshot=" + png_path, "file://" + html_path}));
  fs::remove_all(profile_dir);
  ASSERT_TRUE(shot.has_value()) << shot.status().message();
  EXPECT_EQ(shot->exit_code, 0) << shot->err.substr(0, 2000);
  ASSERT_TRUE(fs::exists(png_path)) << shot->err.substr(0, 2000);
  EXPECT_GT(fs::file_size(png_path), 20000u) << "a blank screenshot is a few KiB";
  std::printf("screenshot: %s (%ju bytes)\n", png_path.c_str(), static_cast<uintmax_t>(fs::file_size(png_path)));

  const PageLoad page = load_page("file://" + html_path);
  ASSERT_EQ(page.exit_code, 0);
  for (const std::string& line : page.console) ADD_FAILURE() << "console: " << line;
  EXPECT_NE(page.dom.find("data-script=\"ran\""), std::string::npos) << "the page's script did not run to its end";

  const std::vector<std::string> charts = {"chart-live", "chart-arena", "chart-time", "chart-sweep", "chart-compare"};
  for (const std::string& id : charts) {
    const std::string svg = svg_of(page.dom, id);
    ASSERT_FALSE(svg.empty()) << "no <svg id=\"" << id << "\"> in the rendered page";
    const int marks = mark_paths(svg);
    const std::string x_label = axis_label(svg, "x-label"), y_label = axis_label(svg, "y-label");
    std::printf("%-14s %4d mark paths, x axis \"%s\", y axis \"%s\"\n", id.c_str(), marks, x_label.c_str(),
                y_label.c_str());
    EXPECT_GT(marks, 0) << id << ": no non-empty mark path";
    EXPECT_FALSE(x_label.empty()) << id << ": x axis has no label";
    EXPECT_FALSE(y_label.empty()) << id << ": y axis has no label";
  }
  EXPECT_FALSE(axis_label(svg_of(page.dom, "chart-sweep"), "y-label right").empty()) << "sweep: no throughput axis label";
  EXPECT_NE(svg_of(page.dom, "chart-live").find("class=\"peak\""), std::string::npos) << "the peak is not marked";
}

TEST(HtmlReport, HarnessSeesConsoleErrors) {
  if (::access(kChromium, X_OK) != 0) GTEST_SKIP() << kChromium << " not installed (scripts/deps.sh installs it)";
  const fs::path artifacts = LEANRT_TEST_ARTIFACTS;
  fs::create_directories(artifacts);
  const std::string broken = (artifacts / "broken_page.html").string();
  std::ofstream(broken) << "<!DOCTYPE html><html><body><script>undefined_function();</script></body></html>\n";
  const PageLoad page = load_page("file://" + broken);
  EXPECT_FALSE(page.console.empty()) << "Chromium logged no console error for a page that throws";
}

}  // namespace
}  // namespace leanrt::testing
