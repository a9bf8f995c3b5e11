#include "app/sse_parser.hpp"

namespace nfmetrics::app {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

}  // namespace

std::vector<SseEvent> SseParser::Feed(std::string_view bytes) {
  std::vector<SseEvent> events;
  if (!started_) {
    // The BOM may itself arrive split: wait until three bytes can be compared.
    line_ += bytes;
    if (line_.size() < kByteOrderMark.size() && kByteOrderMark.starts_with(line_)) return events;
    started_ = true;
    std::string pending = std::move(line_);
    line_.clear();
    std::string_view rest = pending;
    if (rest.starts_with(kByteOrderMark)) rest.remove_prefix(kByteOrderMark.size());
    return Feed(rest);
  }
  std::size_t begin = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c != '\n' && c != '\r') {
      after_cr_ = false;
      continue;
    }
    if (c == '\n' && after_cr_ && i == begin && line_.empty()) {
      // The LF of a CRLF whose CR ended the previous line.
      after_cr_ = false;
      begin = i + 1;
      continue;
    }
    after_cr_ = c == '\r';
    if (line_.empty()) {
      Line(bytes.substr(begin, i - begin), events);
    } else {
      line_.append(bytes.substr(begin, i - begin));
      Line(line_, events);
      line_.clear();
    }
    begin = i + 1;
  }
  line_.append(bytes.substr(begin));
  return events;
}

void SseParser::Line(std::string_view line, std::vector<SseEvent>& events) {
  if (line.empty()) {
    if (has_data_) {
      SseEvent event;
      if (!type_.empty()) event.type = std::move(type_);
      event.data = std::move(data_);
      event.id = last_event_id_;
      events.push_back(std::move(event));
    }
    type_.clear();
    data_.clear();
    has_data_ = false;
    return;
  }
  if (line.front() == ':') {
    ++comments_;
    return;
  }
  const std::size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
  if (value.starts_with(' ')) value.remove_prefix(1);
  if (field == "event") {
    type_ = value;
  } else if (field == "data") {
    if (has_data_) data_ += '\n';
    data_ += value;
    has_data_ = true;
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_event_id_ = value;
  }
  // `retry` (the reconnection delay) and unknown fields are ignored: `nfmetrics query --follow`
  // reconnects on its own schedule.
}

}  // namespace nfmetrics::app
