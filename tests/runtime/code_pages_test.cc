// Compile's release of code pages (base/code_pages.h): the process's file
// pages of the binary and its libraries drop, its anonymous memory (heap,
// relocated data) does not, and everything still runs afterwards; while an
// ExactCodeFaults lives, touching a page of libdnnl maps that page alone.
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "leanrt/base/code_pages.h"
#include "leanrt/base/process_memory.h"
#include "leanrt/import/load_model.h"
#include "leanrt/runtime/compiled_model.h"
#include "support/corpus.h"

namespace leanrt::testing {
namespace {

constexpr size_t kMiB = 1024 * 1024;

TEST(CodePages, ReleaseDropsFilePagesOnly) {
  const ProcessMemory before = read_process_memory();
  const size_t released = release_code_pages();
  const ProcessMemory after = read_process_memory();
  std::printf("released %.2f MiB; RssFile %.2f -> %.2f MiB, RssAnon %.2f -> %.2f MiB\n", released / double(kMiB),
              before.rss_file_bytes / double(kMiB), after.rss_file_bytes / double(kMiB),
              before.rss_anon_bytes / double(kMiB), after.rss_anon_bytes / double(kMiB));
  EXPECT_GT(released, kMiB) << "a gtest binary linked with leanrt has megabytes of library code resident";
  EXPECT_LT(after.rss_file_bytes + released / 2, before.rss_file_bytes);
  EXPECT_LT(after.rss_anon_bytes, before.rss_anon_bytes + kMiB) << "anonymous pages are never dropped";
}

TEST(CodePages, ModelsCompileAndRunAfterARelease) {
  auto corpus = corpus_dir();
  if (!corpus) GTEST_SKIP() << "corpus not found";
  std::vector<std::vector<float>> outputs;
  for (bool release : {true, false}) {
    auto graph = importer::load_model(*corpus + "/models/emotion/emotion.json", {});
    ASSERT_TRUE(graph.has_value()) << graph.status().message();
    runtime::CompileOptions options;
    options.release_code_pages = release;
    auto model = runtime::CompiledModel::compile(std::move(*graph), options);
    ASSERT_TRUE(model.has_value()) << model.status().message();
    std::vector<float> input(static_cast<size_t>(num_elements((*model)->inputs()[0].shape)), 0.5f);
    (*model)->set_input(0, input.data());
    for (int run = 0; run < 3; ++run) ASSERT_TRUE((*model)->run().is_ok());
    const kernels::TensorView& output = (*model)->output(0);
    outputs.emplace_back(output.as<float>(), output.as<float>() + output.elements());
  }
  EXPECT_EQ(outputs[0], outputs[1]) << "the same model with and without the release";
}

struct LibraryMappings {
  std::vector<std::pair<uintptr_t, uintptr_t>> text;  // r-x mappings, [start, end)
  size_t count = 0;                                   // mappings of any kind
  size_t rss_kib = 0;                                 // summed over them
};

// libdnnl's mappings in /proc/self/smaps.
LibraryMappings libdnnl_mappings() {
  LibraryMappings found;
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    unsigned long start = 0, end = 0;
    char perms[8] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %7s", &start, &end, perms) == 3) {  // a mapping's header line
      inside = line.find("libdnnl") != std::string::npos;
      if (!inside) continue;
      ++found.count;
      if (std::strcmp(perms, "r-xp") == 0) found.text.push_back({start, end});
    } else if (inside) {
      size_t kib = 0;
      if (std::sscanf(line.c_str(), "Rss: %zu kB", &kib) == 1) found.rss_kib += kib;
    }
  }
  return found;
}

TEST(CodePages, ExactCodeFaultsMapOnePagePerFault) {
  LibraryMappings before = libdnnl_mappings();
  if (before.text.empty()) GTEST_SKIP() << "libdnnl is not mapped";
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const auto [text_start, text_end] = before.text.front();
  // Pages in the middle of the text, 256 KiB apart: each in a 64 KiB
  // fault-around window of its own, and in the page cache (the library was
  // read when it was loaded).
  std::vector<uintptr_t> pages;
  for (uintptr_t at = (text_start + text_end) / 2 & ~(page - 1); pages.size() < 8 && at < text_end; at += 64 * page)
    pages.push_back(at);
  auto touch_and_measure = [&] {
    ::madvise(reinterpret_cast<void*>(text_start), text_end - text_start, MADV_DONTNEED);
    const size_t dropped_kib = libdnnl_mappings().rss_kib;
    volatile unsigned char sum = 0;
    for (uintptr_t at : pages) sum += *reinterpret_cast<const volatile unsigned char*>(at);
    return libdnnl_mappings().rss_kib - dropped_kib;
  };
  const size_t around_kib = touch_and_measure();
  size_t exact_kib = 0, split_count = 0;
  const auto split_start = std::chrono::steady_clock::now();
  double split_ms = 0.0;
  {
    ExactCodeFaults exact("libdnnl");
    split_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - split_start).count();
    EXPECT_GT(exact.pages(), (text_end - text_start) / page) << "every read-only mapping of libdnnl is split";
    split_count = libdnnl_mappings().count;
    exact_kib = touch_and_measure();
  }
  const LibraryMappings after = libdnnl_mappings();
  std::printf("%zu pages touched: %zu KiB mapped with fault-around, %zu KiB split; mappings %zu -> %zu -> %zu; "
              "split in %.1f ms\n",
              pages.size(), around_kib, exact_kib, before.count, split_count, after.count, split_ms);
  EXPECT_EQ(exact_kib, pages.size() * page / 1024) << "one page per fault while split";
  EXPECT_GT(around_kib, exact_kib) << "fault-around maps more than the faulting page (the reason for the split)";
  EXPECT_GT(split_count, before.count + (text_end - text_start) / page / 2);
  EXPECT_EQ(after.count, before.count) << "the split mappings merge back";
}

}  // namespace
}  // namespace leanrt::testing
