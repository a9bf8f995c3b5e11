// Drives a hiredis asynchronous context from Asio (hiredis has adapters for libevent, libuv and
// others, none for Asio). hiredis says when it wants to read or write through its
// addRead/delRead/addWrite/delWrite hooks; each becomes an async_wait on the context's socket whose
// handler calls redisAsyncHandleRead/Write. Everything happens on `strand`, where every other call
// into that context must happen too: hiredis is not thread-safe.
#pragma once

#include <hiredis/async.h>

#include <boost/asio/any_io_executor.hpp>
#include <functional>

namespace nfmetrics::redis {

// Attaches `context` (connecting or connected, not yet attached). hiredis's cleanup hook, which it
// calls once when it frees the context (after a connection error, or redisAsyncFree), stops the
// waits, leaves the socket to hiredis to close, and calls `on_freed` there and then: the context
// must not be used after it. Waits already queued then complete without touching the context.
// False when the context already has an event library attached.
bool AttachToAsio(redisAsyncContext* context, const boost::asio::any_io_executor& strand,
                  std::function<void()> on_freed);

}  // namespace nfmetrics::redis
