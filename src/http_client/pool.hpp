// Idle keep-alive connections to one server, kept for the next request: at most `max_idle`, the
// most recently returned taken first, a connection the server has closed meanwhile skipped.
#pragma once

#include <boost/beast/core/stream_traits.hpp>
#include <cstddef>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace nfmetrics::http_client {

// Stream: beast::tcp_stream, or an ssl_stream over one.
template <class Stream>
class IdlePool {
 public:
  explicit IdlePool(std::size_t max_idle) : max_idle_(max_idle) {}

  std::optional<Stream> Take() {
    std::lock_guard lock(mutex_);
    while (!idle_.empty()) {
      Stream stream = std::move(idle_.back());
      idle_.pop_back();
      if (boost::beast::get_lowest_layer(stream).socket().is_open()) return stream;
    }
    return std::nullopt;
  }

  // A connection whose last answer was complete and kept alive, with nothing left unread.
  void Return(Stream stream) {
    boost::beast::get_lowest_layer(stream).expires_never();
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(stream));
  }

 private:
  const std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<Stream> idle_;  // guarded by mutex_
};

}  // namespace nfmetrics::http_client
