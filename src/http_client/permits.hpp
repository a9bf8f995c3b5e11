// Permits to talk to one server: at most `count` requests hold one at once (hence open
// connections); the others wait for one, first come first served, until their deadline.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace nfmetrics::http_client {

class Permits {
 public:
  explicit Permits(std::size_t count);
  ~Permits();
  Permits(const Permits&) = delete;
  Permits& operator=(const Permits&) = delete;

  // True with a permit, which Release gives back; false when none came before `deadline`.
  boost::asio::awaitable<bool> Acquire(std::chrono::steady_clock::time_point deadline);
  void Release();

 private:
  struct WakeUp;
  void ReleaseLocked();

  std::mutex mutex_;
  std::size_t free_;                              // guarded by mutex_
  std::vector<std::shared_ptr<WakeUp>> waiting_;  // guarded by mutex_; first come, first served
};

// A permit Acquire gave, released when this goes out of scope, whatever the way out.
class HeldPermit {
 public:
  explicit HeldPermit(Permits& permits) : permits_(permits) {}
  ~HeldPermit() { permits_.Release(); }
  HeldPermit(const HeldPermit&) = delete;
  HeldPermit& operator=(const HeldPermit&) = delete;

 private:
  Permits& permits_;
};

}  // namespace nfmetrics::http_client
