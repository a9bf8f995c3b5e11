#include "support/redis_harness.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
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

}  // namespace

std::unique_ptr<RedisHarness> RedisHarness::Start() {
  for (int attempt = 0; attempt < 3; ++attempt) {
    unsigned short port = FreeLoopbackPort();
    std::string log = (std::filesystem::temp_directory_path() /
                       fmt::format("nfmetrics-redis-{}-{}.log", getpid(), port))
                          .string();
    auto process = ChildProcess::Start(
        "redis-server",
        {"--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "no", "--dir", std::filesystem::temp_directory_path().string()},
        log);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Pong(port)) {
        return std::unique_ptr<RedisHarness>(new RedisHarness(std::move(process), port, log));
      }
      if (process->Wait(std::chrono::milliseconds(50)).has_value()) break;  // lost the port race
    }
    if (attempt == 2) {
      throw std::runtime_error("redis-server did not start: " + process->LogTail());
    }
  }
  throw std::runtime_error("redis-server did not start");
}

RedisHarness::~RedisHarness() {
  process_->Stop();
  std::error_code ignored;
  std::filesystem::remove(log_, ignored);
}

std::string RedisHarness::url() const { return fmt::format("redis://127.0.0.1:{}", port_); }

}  // namespace nfmetrics::testing
