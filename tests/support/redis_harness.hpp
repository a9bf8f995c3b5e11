// A real Redis (Debian's redis-server) on a free loopback port, in memory only, for the shared
// results cache tests. Stopped with the harness.
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

  std::string url() const;  // redis://127.0.0.1:PORT
  unsigned short port() const { return port_; }
  std::string LogTail() const { return process_->LogTail(); }

 private:
  RedisHarness(std::unique_ptr<ChildProcess> process, unsigned short port, std::string log)
      : process_(std::move(process)), port_(port), log_(std::move(log)) {}
  std::unique_ptr<ChildProcess> process_;
  unsigned short port_;
  std::string log_;
};

}  // namespace nfmetrics::testing
