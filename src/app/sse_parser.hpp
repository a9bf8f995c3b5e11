// Server-Sent Events as the WHATWG HTML standard (9.2.6, "Interpreting an event stream") reads
// them, fed with whatever pieces a connection delivers: lines end in LF, CR or CRLF (also when a
// CRLF is split between two pieces), `:` starts a comment, several `data` lines make one data with
// LF between them, an event is dispatched at a blank line, and one without data is not.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nfmetrics::app {

struct SseEvent {
  std::string type = "message";  // the `event` field, "message" without one
  std::string data;
  // The last `id` the stream set, at this event or before it (also on an earlier connection: the
  // parser is made with it); "" when none was.
  std::string id;
};

class SseParser {
 public:
  explicit SseParser(std::string last_event_id = "") : last_event_id_(std::move(last_event_id)) {}

  // The events `bytes` completed, in order. An event still open when the stream ends is never
  // completed: a connection cut in the middle of one loses it.
  std::vector<SseEvent> Feed(std::string_view bytes);

  const std::string& last_event_id() const { return last_event_id_; }
  // Comment lines seen so far (`: keep-alive`): they are how a quiet stream shows it is alive.
  std::size_t comments() const { return comments_; }

 private:
  void Line(std::string_view line, std::vector<SseEvent>& events);

  std::string line_;       // the line being received, without its end
  bool after_cr_ = false;  // the last byte was a CR: a LF right after it ends no second line
  bool started_ = false;   // past the stream's first bytes, where a BOM is dropped
  std::string type_;
  std::string data_;
  bool has_data_ = false;
  std::string last_event_id_;
  std::size_t comments_ = 0;
};

}  // namespace nfmetrics::app
