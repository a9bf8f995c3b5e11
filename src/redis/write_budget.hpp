// How much may wait to be written to Redis: a number of writes and their bytes, both bounded, so
// that a Redis that stalls cannot make the writes queued for it grow memory. A write takes its
// share before it is queued and gives it back once Redis answered it or the connection that would
// have carried it is gone. Thread-safe.
#pragma once

#include <cstddef>
#include <mutex>

namespace nfmetrics::redis {

class WriteBudget {
 public:
  WriteBudget(std::size_t max_writes, std::size_t max_bytes)
      : max_writes_(max_writes), max_bytes_(max_bytes) {}

  // Takes one write of `bytes` when both still fit; false (and nothing taken) otherwise.
  bool TryAcquire(std::size_t bytes);
  // Gives back what one TryAcquire(bytes) took.
  void Release(std::size_t bytes);

  std::size_t writes() const;
  std::size_t bytes() const;

 private:
  const std::size_t max_writes_;
  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::size_t writes_ = 0;  // guarded by mutex_
  std::size_t bytes_ = 0;   // guarded by mutex_
};

}  // namespace nfmetrics::redis
