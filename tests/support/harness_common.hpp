// What the real-backend harnesses share: a scratch directory, a free loopback port, a plain HTTP
// exchange with the child on loopback, and the check that the synthetic data is queryable.
// Self-contained on purpose: a harness must not depend on the code it helps to test.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "nfmetrics/core/time.hpp"

namespace nfmetrics::testing {

// Binds 127.0.0.1:0, reads the port the kernel chose, closes. Racy by nature: callers retry.
unsigned short FreeLoopbackPort();

// A fresh directory under $TMPDIR (or /tmp) named <prefix>-XXXXXX, removed with everything in it
// on destruction. Move-only.
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view prefix);
  ~ScratchDir();
  ScratchDir(ScratchDir&& other) noexcept;
  ScratchDir& operator=(ScratchDir&& other) noexcept;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct LoopbackAnswer {
  int status = 0;
  std::string body;
};

// One request to 127.0.0.1:port on a fresh connection; nullopt when nothing complete came back
// within `timeout`. A non-empty body is sent as-is with `content_type`.
std::optional<LoopbackAnswer> LoopbackRequest(
    unsigned short port, std::string_view method, const std::string& target, std::string body = {},
    std::string_view content_type = {},
    std::chrono::milliseconds timeout = std::chrono::seconds(5));

class ChildProcess;

// A GET of `target` on 127.0.0.1:port, for a server that needs more than LoopbackRequest offers
// (TLS, credentials: see tls_fixtures.hpp). Empty: LoopbackRequest.
using LoopbackGet =
    std::function<std::optional<LoopbackAnswer>(unsigned short port, const std::string& target)>;

// Polls GET `path` on `port` until it answers 200, for up to `patience` or until `process` exits.
// Empty when it answered; otherwise "<name> on port <port> exited|not ready after N s:\n<log>",
// with the process stopped. `exited` tells a lost race for the port from a real failure.
std::string WaitUntilServing(ChildProcess& process, std::string_view name, unsigned short port,
                             const std::string& path, std::chrono::seconds patience, bool& exited,
                             const LoopbackGet& get = {});

// "1795467600.000": unix seconds with milliseconds, as the HTTP APIs take them.
std::string UnixSecondsParam(TimePoint t);

// Polls the engine on `port` until an instant query at `at` counts a positive number of synthetic
// sink-latency series, for up to `patience`. Empty on success; otherwise what the engine last
// answered, for the error message.
std::string WaitForSyntheticData(unsigned short port, TimePoint at,
                                 std::chrono::milliseconds patience, const LoopbackGet& get = {});

}  // namespace nfmetrics::testing
