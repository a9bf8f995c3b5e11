// A blocking Server-Sent Events client for tests: one GET on its own connection, the answer's head
// read at once, then events (and comments) one at a time as they arrive, through the chunked
// encoding the server uses on HTTP/1.1. Independent of the server's code.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/http_client.hpp"

namespace nfmetrics::testing {

struct SseEvent {
  std::string event;    // "snapshot", "points", "error"; empty for a comment
  std::string id;       // as sent
  std::string data;     // the data lines joined by '\n'
  std::string comment;  // a comment line's text after ':' (": keep-alive" -> " keep-alive")
  bool IsComment() const { return event.empty() && data.empty() && !comment.empty(); }
};

class SseClient {
 public:
  // Connects to 127.0.0.1:port and sends GET `target` with `headers`; returns once the answer's
  // head has arrived (an error answer is read whole into head().body). receive_buffer > 0 sets
  // SO_RCVBUF before connecting, for a client that stops reading. Throws std::runtime_error when
  // no head arrives within `timeout`.
  SseClient(unsigned short port, const std::string& target,
            const std::vector<std::pair<std::string, std::string>>& headers = {},
            int receive_buffer = 0, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  const HttpResponse& head() const { return head_; }

  // The next event or comment; nullopt when none is complete within `timeout`, or when the stream
  // has ended (ended() then says so).
  std::optional<SseEvent> Next(std::chrono::milliseconds timeout);
  // The next event that is not a comment, within `timeout` in all.
  std::optional<SseEvent> NextEvent(std::chrono::milliseconds timeout);
  // True once the server closed the stream; clean() when it ended with the last chunk.
  bool ended() const { return ended_; }
  bool clean() const { return clean_end_; }

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline);  // false on timeout or end
  bool DecodeChunks();  // moves whole chunks from raw_ to text_; false once the last one came

  int fd_ = -1;
  HttpResponse head_;
  bool chunked_ = false;
  bool ended_ = false;
  bool clean_end_ = false;
  std::string raw_;   // bytes received, not yet decoded
  std::string text_;  // the event stream's text, not yet parsed
};

}  // namespace nfmetrics::testing
