// One Redis reply awaited with a deadline. Whichever comes first decides, the reply or the
// deadline; the other changes nothing. The waiter and the callback hiredis calls with the reply
// both hold it (shared_ptr), so a reply that comes after the deadline, or never comes until the
// connection is freed, finds it alive. Used on one strand only: the one hiredis runs on.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <string>

namespace nfmetrics::redis {

struct Reply {
  enum class Kind {
    kString,  // a bulk string (GET's value) or a status (+PONG, +OK): `text`
    kNil,     // no value under the key
    kError,   // Redis answered an error (`text`), or something this client does not expect
    kLost,    // no answer: the connection failed or was closed first
  };
  Kind kind = Kind::kLost;
  std::string text;
};

class PendingReply {
 public:
  using Clock = std::chrono::steady_clock;

  // `strand`: where Resolve is called and Wait awaited.
  explicit PendingReply(const boost::asio::any_io_executor& strand) : timer_(strand) {}

  // The reply, from hiredis's callback. The first one counts; after the deadline it is ignored.
  void Resolve(Reply reply);

  // The reply, or nullopt when `deadline` came first. Awaited once.
  boost::asio::awaitable<std::optional<Reply>> Wait(Clock::time_point deadline);

 private:
  boost::asio::steady_timer timer_;
  std::optional<Reply> reply_;
  bool decided_ = false;  // Wait has returned: nothing changes any more
};

}  // namespace nfmetrics::redis
