#include "leanrt/profile/child_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "leanrt/base/process_memory.h"

extern char** environ;

namespace leanrt::profile {
namespace {

// Reads a temporary file back and removes it.
std::string take_file(const std::string& path) {
  std::string text;
  if (std::FILE* file = std::fopen(path.c_str(), "rb")) {
    char buffer[65536];
    size_t read = 0;
    while ((read = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, read);
    std::fclose(file);
  }
  std::remove(path.c_str());
  return text;
}

}  // namespace

std::string self_executable() {
  const std::string path = executable_path();
  return path.empty() ? std::string("/proc/self/exe") : path;
}

// Output goes to temporary files rather than pipes: the parent then needs no
// reader thread or poll loop, and a child printing a large report cannot
// block on a full pipe.
Expected<ChildOutput> run_child(const std::vector<std::string>& argv) {
  if (argv.empty()) return invalid_argument("run_child: expected a program, found an empty command");
  char out_path[] = "/tmp/leanrt-profile-out-XXXXXX";
  char err_path[] = "/tmp/leanrt-profile-err-XXXXXX";
  const int out_fd = ::mkstemp(out_path);
  const int err_fd = ::mkstemp(err_path);
  if (out_fd < 0 || err_fd < 0) {
    const int saved = errno;
    for (auto [fd, path] : {std::pair<int, const char*>{out_fd, out_path}, {err_fd, err_path}})
      if (fd >= 0) {
        ::close(fd);
        std::remove(path);
      }
    return io_error("/tmp: cannot create a file for a child's output: {}", std::strerror(saved));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  std::vector<std::string> storage = argv;
  std::vector<char*> pointers;
  for (std::string& argument : storage) pointers.push_back(argument.data());
  pointers.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, pointers[0], &actions, nullptr, pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_fd);
  ::close(err_fd);
  ChildOutput output;
  if (spawned == 0) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  output.out = take_file(out_path);
  output.err = take_file(err_path);
  if (spawned != 0) return io_error("{}: cannot start a child process: {}", argv[0], std::strerror(spawned));
  return output;
}

}  // namespace leanrt::profile
