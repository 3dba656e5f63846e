// Test helpers for the streaming tests: scratch directories, files as
// bytes, deterministic data, and numpy (Debian's python3-numpy) to make the
// .npz files a user would bring.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#ifndef LEANRT_SOURCE_DIR
#define LEANRT_SOURCE_DIR "."
#endif

namespace leanrt::testing {

namespace fs = std::filesystem;

// A fresh directory named after the running test, removed by the caller.
inline fs::path scratch_dir(const std::string& tag) {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::temp_directory_path() / ("leanrt-" + tag + "-" + std::to_string(::getpid()) + "-" +
                                                    test->test_suite_name() + "-" + test->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

inline std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

inline void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Values in [0, 1) from a fixed linear congruential sequence: the same on
// every machine, no two neighbours equal.
inline std::vector<float> pattern(int64_t count, uint32_t seed = 1) {
  std::vector<float> values(static_cast<size_t>(count));
  uint32_t state = seed * 2654435761u + 1;
  for (float& value : values) {
    state = state * 1664525u + 1013904223u;
    value = static_cast<float>(state >> 8) / 16777216.0f;
  }
  return values;
}

inline std::string source_path(const std::string& relative) { return std::string(LEANRT_SOURCE_DIR) + "/" + relative; }

inline bool numpy_available() { return std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0; }

// Runs a Python script with numpy in `dir`; true when it exits 0.
inline bool run_numpy_script(const fs::path& dir, const std::string& script) {
  write_bytes(dir / "make.py", "import numpy as np\n" + script);
  const std::string command = "cd '" + dir.string() + "' && /usr/bin/python3 make.py";
  return std::system(command.c_str()) == 0;
}

}  // namespace leanrt::testing
