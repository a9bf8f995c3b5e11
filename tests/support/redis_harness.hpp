// A real Redis (Debian's redis-server) on a free loopback port, in memory only, for the shared
// results cache tests: it can be paused (SIGSTOP: connections are still accepted by the kernel,
// nothing is answered), resumed, killed and started again on the same port. Stopped with the
// harness.
#pragma once

#include <memory>
#include <string>

#include "support/child_process.hpp"

namespace nfmetrics::testing {

class RedisHarness {
 public:
  // Starts redis-server and waits until it answers PING (timeout 10 s); throws on failure.
  static std::unique_ptr<RedisHarness> Start();
  ~RedisHarness();
  RedisHarness(const RedisHarness&) = delete;
  RedisHarness& operator=(const RedisHarness&) = delete;

  std::string url() const;  // redis://127.0.0.1:PORT
  unsigned short port() const { return port_; }
  std::string LogTail() const { return process_->LogTail(); }

  // SIGSTOP (returns once the process is stopped) and SIGCONT: a Redis that stalls, as under a
  // long fork or a frozen VM.
  void Pause();
  void Resume();
  // SIGKILL, reaped: its data is gone (it keeps none on disk).
  void Kill();
  // redis-server again on the same port, empty; returns once it answers PING (throws after 10 s).
  void Restart();

 private:
  RedisHarness(std::unique_ptr<ChildProcess> process, unsigned short port, std::string log)
      : process_(std::move(process)), port_(port), log_(std::move(log)) {}
  std::unique_ptr<ChildProcess> process_;
  unsigned short port_;
  std::string log_;
  bool paused_ = false;
};

}  // namespace nfmetrics::testing
