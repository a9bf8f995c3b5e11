#include "redis/pending_reply.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace nfmetrics::redis {

namespace asio = boost::asio;

void PendingReply::Resolve(Reply reply) {
  if (decided_ || reply_) return;
  reply_ = std::move(reply);
  timer_.cancel();  // wakes Wait, if it is waiting
}

asio::awaitable<std::optional<Reply>> PendingReply::Wait(Clock::time_point deadline) {
  if (!reply_) {
    timer_.expires_at(deadline);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  decided_ = true;
  co_return std::move(reply_);
}

}  // namespace nfmetrics::redis
