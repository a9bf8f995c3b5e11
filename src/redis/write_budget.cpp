#include "redis/write_budget.hpp"

#include <cassert>

namespace nfmetrics::redis {

bool WriteBudget::TryAcquire(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  if (writes_ >= max_writes_ || bytes > max_bytes_ - bytes_) return false;
  ++writes_;
  bytes_ += bytes;
  return true;
}

void WriteBudget::Release(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  assert(writes_ > 0 && bytes_ >= bytes);
  --writes_;
  bytes_ -= bytes;
}

std::size_t WriteBudget::writes() const {
  std::lock_guard lock(mutex_);
  return writes_;
}

std::size_t WriteBudget::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace nfmetrics::redis
