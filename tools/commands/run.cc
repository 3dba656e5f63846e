// leanrt run MODEL --input [NAME=]PATH ... --output-dir DIR [--batch N] [--format npy|csv|jsonl] [--top-k K]
//                  [--resume] [--overwrite] [--mean M] [--scale S] [--outputs A,B]
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "commands/commands.h"
#include "commands/engine_flags.h"
#include "leanrt/base/process_memory.h"
#include "leanrt/engine/engine.h"

namespace leanrt::cli {
namespace {

// Set by SIGINT/SIGTERM; the engine polls it between batches.
std::atomic<bool> stop_requested{false};
volatile sig_atomic_t stop_signal = 0;

void on_stop_signal(int signal_number) {
  stop_signal = signal_number;
  stop_requested.store(true);
}

// The first SIGINT/SIGTERM asks for a clean stop after the batch in flight;
// SA_RESETHAND makes a second one kill at once (the partial outputs and the
// resume state stay consistent either way).
void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  action.sa_flags = SA_RESTART | SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int terminal_columns() {
  struct winsize size {};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

// Redraws the progress line at most ten times a second, only on a terminal.
class ProgressBar {
 public:
  void draw(const engine::RunProgress& progress) {
    const auto now = std::chrono::steady_clock::now();
    const bool last = progress.samples_done == progress.samples_total;
    if (!last && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    drawn_ = true;
    const std::string line =
        engine::progress_line(progress, read_process_memory().rss_bytes, terminal_columns() - 1);
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
  }
  void end() {
    if (drawn_) std::fputc('\n', stderr);
  }

 private:
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_;
};

// "0.5", "1/255" or "123.7,116.3,103.5" (one value per channel).
Expected<std::vector<float>> parse_numbers(const std::string& flag, const std::string& text) {
  std::vector<float> values;
  for (const std::string& item : split_list(text)) {
    char* end = nullptr;
    double value = std::strtod(item.c_str(), &end);
    if (*end == '/') {
      const char* denominator = end + 1;
      const double divisor = std::strtod(denominator, &end);
      if (end == denominator || divisor == 0) end = const_cast<char*>(item.c_str());
      else value /= divisor;
    }
    if (end == item.c_str() || *end != '\0')
      return invalid_argument("{} \"{}\": expected numbers (or fractions like 1/255) separated by commas, found \"{}\"",
                              flag, text, item);
    values.push_back(static_cast<float>(value));
  }
  return values;
}

Expected<data::OutputFormat> parse_format(const std::string& text) {
  if (text == "npy") return data::OutputFormat::kNpy;
  if (text == "csv") return data::OutputFormat::kCsv;
  if (text == "jsonl") return data::OutputFormat::kJsonl;
  return invalid_argument("--format \"{}\": expected npy, csv or jsonl", text);
}

void print_summary(const engine::RunRequest& request, const engine::RunSummary& summary) {
  const std::string resumed =
      summary.samples_resumed > 0 ? " (resumed after " + std::to_string(summary.samples_resumed) + ")" : "";
  const std::string dynamic =
      summary.dynamic_peak_bytes > 0 ? " + dynamic region peak " + std::to_string(summary.dynamic_peak_bytes) + " bytes"
                                     : "";
  std::fprintf(stderr,
               "leanrt: %lld samples%s in %lld batches of %lld (%.1f samples/s, %.2f s), %zu output file%s written to %s, "
               "arena %zu bytes%s, weights %zu bytes, peak RSS %.1f MiB (at exit: RssAnon %.1f MiB, RssFile %.1f MiB)\n",
               static_cast<long long>(summary.samples), resumed.c_str(), static_cast<long long>(summary.batches),
               static_cast<long long>(summary.batch_rows), summary.samples_per_second, summary.seconds,
               summary.written.size(), summary.written.size() == 1 ? "" : "s", request.output_dir.c_str(),
               summary.arena_bytes, dynamic.c_str(), summary.weights_bytes,
               summary.peak_rss_bytes / 1048576.0, summary.rss_anon_bytes / 1048576.0,
               summary.rss_file_bytes / 1048576.0);
}

}  // namespace

Command add_run_command(CLI::App& app) {
  struct Flags {
    engine::RunRequest request;
    std::vector<std::string> inputs;
    std::string outputs;
    std::string format = "npy";
    std::string mean;
    std::string scale;
    EngineFlags engine;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand(
      "run",
      "Run the model over datasets a batch at a time and stream the predictions to files; memory stays flat "
      "whatever the dataset size.");
  command->add_option("MODEL", flags->request.model, "model file or directory")->required();
  command->add_option("--input", flags->inputs,
                      "NAME=PATH for each model input (a bare PATH for a single-input model). PATH: .npy "
                      "(memory-mapped; the leading dim is the sample axis), .npz (np.savez / savez_compressed; arrays "
                      "named after the inputs), a directory or list file (one path per line) of JPEG/PNG images, or "
                      "one image; images are resized (bilinear) to the model input")
      ->required();
  command->add_option("--outputs", flags->outputs,
                      "comma-separated output tensor names (default: the model's declared outputs)");
  command->add_option("--output-dir", flags->request.output_dir,
                      "directory for DIR/<name>.npy, name = tensor name with chars outside [A-Za-z0-9._-] as '_' "
                      "(csv/jsonl: DIR/predictions.csv or .jsonl)")
      ->required();
  command->add_option("--batch", flags->request.batch, "samples per model call; the last batch takes what is left")
      ->capture_default_str();
  command->add_option("--format", flags->format, "npy (one file per output), csv or jsonl (one row per sample)")
      ->capture_default_str();
  command->add_option("--top-k", flags->request.top_k, "csv/jsonl: write the K best classes and scores per output");
  command->add_flag("--resume", flags->request.resume,
                    "continue an interrupted or killed run into DIR from its last recorded batch (starts afresh if "
                    "there is none)");
  command->add_flag("--overwrite", flags->request.overwrite, "replace existing output files");
  command->add_option("--mean", flags->mean, "image inputs: subtract, one value or one per channel (e.g. 127.5)");
  command->add_option("--scale", flags->scale,
                      "image inputs: then multiply, one value or one per channel (e.g. 1/255); pixels are 0..255");
  add_engine_flags(command, flags->engine);
  return {command, [flags]() {
            engine::RunRequest& request = flags->request;
            auto kernels = kernel_options(flags->engine);
            if (!kernels) return report_error(kernels.status());
            request.kernels = *kernels;
            request.load = load_options(flags->engine);
            apply_limits(flags->engine, request);
            for (const std::string& input : flags->inputs) {
              auto equals = input.find('=');
              if (equals == std::string::npos) request.inputs.emplace_back("", input);
              else request.inputs.emplace_back(input.substr(0, equals), input.substr(equals + 1));
            }
            request.outputs = split_list(flags->outputs);
            auto format = parse_format(flags->format);
            if (!format) return report_error(format.status());
            request.format = *format;
            auto mean = parse_numbers("--mean", flags->mean);
            if (!mean) return report_error(mean.status());
            auto scale = parse_numbers("--scale", flags->scale);
            if (!scale) return report_error(scale.status());
            request.image_mean = *mean;
            request.image_scale = *scale;

            install_stop_handlers();
            request.stop_requested = &stop_requested;
            ProgressBar bar;
            if (isatty(STDERR_FILENO)) request.on_batch = [&bar](const engine::RunProgress& p) { bar.draw(p); };
            auto summary = engine::run_model(request);
            bar.end();
            if (!summary) return report_error(summary.status());
            if (summary->stopped) {
              std::fprintf(stderr,
                           "leanrt: stopped by signal %d after %lld of %lld samples; the partial outputs in %s are "
                           "valid up to there; rerun with --resume to continue\n",
                           static_cast<int>(stop_signal),
                           static_cast<long long>(summary->samples_resumed + summary->samples_written),
                           static_cast<long long>(summary->samples), request.output_dir.c_str());
              return 128 + static_cast<int>(stop_signal);
            }
            print_summary(request, *summary);
            return 0;
          }};
}

}  // namespace leanrt::cli
