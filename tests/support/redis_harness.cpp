#include "support/redis_harness.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/harness_common.hpp"

namespace nfmetrics::testing {
namespace {

// True when a Redis on 127.0.0.1:port answers PING with +PONG.
bool Pong(unsigned short port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  timeval timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      write(fd, "PING\r\n", 6) == 6) {
    char buffer[16] = {};
    ok = read(fd, buffer, sizeof buffer - 1) >= 5 && std::string_view(buffer).starts_with("+PONG");
  }
  close(fd);
  return ok;
}

// redis-server on 127.0.0.1:port, in memory only; nullptr when it exited before answering PING
// (another process took the port). Throws when it neither answers nor exits within 10 s.
std::unique_ptr<ChildProcess> StartRedis(unsigned short port, const std::string& log) {
  auto process = ChildProcess::Start(
      "redis-server",
      {"--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
       "--daemonize", "no", "--dir", std::filesystem::temp_directory_path().string()},
      log);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Pong(port)) return process;
    if (process->Wait(std::chrono::milliseconds(50)).has_value()) return nullptr;
  }
  throw std::runtime_error("redis-server did not answer PING within 10 s: " + process->LogTail());
}

}  // namespace

std::unique_ptr<RedisHarness> RedisHarness::Start() {
  for (int attempt = 0; attempt < 3; ++attempt) {
    unsigned short port = FreeLoopbackPort();
    std::string log = (std::filesystem::temp_directory_path() /
                       fmt::format("nfmetrics-redis-{}-{}.log", getpid(), port))
                          .string();
    if (auto process = StartRedis(port, log)) {
      return std::unique_ptr<RedisHarness>(new RedisHarness(std::move(process), port, log));
    }
  }
  throw std::runtime_error("redis-server did not start: no free port after 3 attempts");
}

void RedisHarness::Pause() {
  kill(process_->pid(), SIGSTOP);
  paused_ = true;
  // Stopped once the kernel says so (state T in /proc/PID/stat), not when kill returns.
  const std::string stat = fmt::format("/proc/{}/stat", process_->pid());
  for (int i = 0; i < 100; ++i) {
    std::ifstream file(stat);
    std::string line;
    std::getline(file, line);
    const std::size_t paren = line.rfind(')');
    if (paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'T') return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("redis-server did not stop on SIGSTOP");
}

void RedisHarness::Resume() {
  kill(process_->pid(), SIGCONT);
  paused_ = false;
}

void RedisHarness::Kill() {
  kill(process_->pid(), SIGKILL);
  process_->Wait(std::chrono::seconds(5));
  paused_ = false;
}

void RedisHarness::Restart() {
  process_->Stop();
  // The port was ours a moment ago; a lingering socket or another process may hold it briefly.
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (auto process = StartRedis(port_, log_)) {
      process_ = std::move(process);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error(fmt::format("redis-server did not start again on port {}", port_));
}

RedisHarness::~RedisHarness() {
  if (paused_) Resume();  // a stopped process would not act on SIGTERM
  process_->Stop();
  std::error_code ignored;
  std::filesystem::remove(log_, ignored);
}

std::string RedisHarness::url() const { return fmt::format("redis://127.0.0.1:{}", port_); }

}  // namespace nfmetrics::testing
