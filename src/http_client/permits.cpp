#include "http_client/permits.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace nfmetrics::http_client {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

struct Permits::WakeUp {
  explicit WakeUp(const asio::any_io_executor& executor) : channel(executor, 1) {}
  asio::experimental::concurrent_channel<void(boost::system::error_code)> channel;
};

Permits::Permits(std::size_t count) : free_(std::max<std::size_t>(1, count)) {}

Permits::~Permits() = default;

asio::awaitable<bool> Permits::Acquire(std::chrono::steady_clock::time_point deadline) {
  std::shared_ptr<WakeUp> wake_up;
  {
    std::lock_guard lock(mutex_);
    if (free_ > 0) {
      --free_;
      co_return true;
    }
    wake_up = std::make_shared<WakeUp>(co_await asio::this_coro::executor);
    waiting_.push_back(wake_up);
  }
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto outcome = co_await (wake_up->channel.async_receive(asio::as_tuple(asio::use_awaitable)) ||
                           timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (outcome.index() == 0) co_return true;
  std::lock_guard lock(mutex_);
  auto it = std::find(waiting_.begin(), waiting_.end(), wake_up);
  if (it != waiting_.end()) {
    waiting_.erase(it);
    co_return false;
  }
  // The permit was handed over just as the deadline passed: it is ours, give it on.
  ReleaseLocked();
  co_return false;
}

void Permits::Release() {
  std::lock_guard lock(mutex_);
  ReleaseLocked();
}

void Permits::ReleaseLocked() {
  if (waiting_.empty()) {
    ++free_;
    return;
  }
  std::shared_ptr<WakeUp> next = waiting_.front();
  waiting_.erase(waiting_.begin());
  next->channel.try_send(boost::system::error_code());
}

}  // namespace nfmetrics::http_client
