// Runs one coroutine on an io_context until nothing is left to do, for tests that call the
// clients one request at a time.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <utility>

namespace nfmetrics::testing {

// The operation's result; its exception, if any, is thrown here. (Not asio::use_future: that
// needs a default-constructible result, and Result<T> has none.)
template <class T>
T RunToEnd(boost::asio::io_context& io, boost::asio::awaitable<T> operation) {
  std::optional<T> out;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(operation)); },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  io.restart();
  io.run();
  EXPECT_TRUE(out.has_value());
  return std::move(*out);
}

}  // namespace nfmetrics::testing
