// An answer that goes on after its header: Server-Sent Events. A handler puts one in its
// Response's body (AnswerBody::Stream); the server writes the header, then each text Next() gives,
// as it comes, until Next() says the stream is over, the client goes away, or the server drains.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>

namespace nfmetrics::http {

class EventStream {
 public:
  virtual ~EventStream() = default;

  // The next text to send (one or more whole events or comments), or nullptr when the stream is
  // over. Called on the connection's executor, one call at a time.
  virtual boost::asio::awaitable<std::shared_ptr<const std::string>> Next() = 0;

  // Ends the stream from any thread: Next() returns nullptr from now on, once what it was given
  // before is sent. The server calls it when it drains.
  virtual void End() = 0;

  // What the stream calls, from any thread, when it gives up on its client (it fell too far
  // behind): the server closes the connection, which aborts a write that the client is not
  // reading. Set by the server before the first Next().
  virtual void OnAbandon(std::function<void()> abandon) = 0;
};

}  // namespace nfmetrics::http
