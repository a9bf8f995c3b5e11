#include "support/sse_client.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace nfmetrics::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

SseClient::SseClient(unsigned short port, const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     int receive_buffer, std::chrono::milliseconds timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("socket() failed");
  if (receive_buffer > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    throw std::runtime_error(fmt::format("cannot connect to 127.0.0.1:{}", port));
  }
  std::string request = fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\n", target);
  for (const auto& [name, value] : headers) request += fmt::format("{}: {}\r\n", name, value);
  request += "Accept: text/event-stream\r\n\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    throw std::runtime_error("cannot send the request");
  }
  const auto deadline = SteadyClock::now() + timeout;
  std::size_t end = std::string::npos;
  while ((end = raw_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(deadline)) throw std::runtime_error("no answer head in time:\n" + raw_);
  }
  const std::string head = raw_.substr(0, end);
  raw_.erase(0, end + 4);
  std::size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  head_.status = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
  while (line_end != std::string::npos) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line = head.substr(start, line_end - start);
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    head_.headers.emplace_back(Lower(line.substr(0, colon)), value);
  }
  chunked_ = Lower(head_.Header("transfer-encoding")) == "chunked";
  if (head_.status != 200) {
    // An error answer: its body whole (Content-Length), then the connection is done.
    const std::size_t length = std::stoul(
        head_.Header("content-length").empty() ? std::string("0") : head_.Header("content-length"));
    while (raw_.size() < length && Fill(deadline)) {
    }
    head_.body = raw_.substr(0, length);
    raw_.clear();
    ended_ = true;
  }
}

SseClient::~SseClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool SseClient::Fill(SteadyClock::time_point deadline) {
  if (ended_) return false;
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  if (left.count() <= 0) return false;
  pollfd ready{fd_, POLLIN, 0};
  if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) return false;
  char buffer[16384];
  const ssize_t got = ::recv(fd_, buffer, sizeof(buffer), 0);
  if (got <= 0) {
    ended_ = true;
    return false;
  }
  raw_.append(buffer, static_cast<std::size_t>(got));
  return true;
}

bool SseClient::DecodeChunks() {
  if (!chunked_) {
    text_ += raw_;
    raw_.clear();
    return true;
  }
  for (;;) {
    const std::size_t size_end = raw_.find("\r\n");
    if (size_end == std::string::npos) return true;
    const std::size_t size = std::stoul(raw_.substr(0, size_end), nullptr, 16);
    if (size == 0) {
      clean_end_ = true;
      return false;
    }
    if (raw_.size() < size_end + 2 + size + 2) return true;
    text_.append(raw_, size_end + 2, size);
    raw_.erase(0, size_end + 2 + size + 2);
  }
}

std::optional<SseEvent> SseClient::Next(std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    const bool more = DecodeChunks();
    const std::size_t end = text_.find("\n\n");
    if (end != std::string::npos) {
      const std::string block = text_.substr(0, end);
      text_.erase(0, end + 2);
      SseEvent event;
      std::size_t start = 0;
      while (start <= block.size()) {
        std::size_t line_end = block.find('\n', start);
        if (line_end == std::string::npos) line_end = block.size();
        const std::string line = block.substr(start, line_end - start);
        start = line_end + 1;
        if (line.starts_with(':')) {
          event.comment = line.substr(1);
          continue;
        }
        const std::size_t colon = line.find(':');
        const std::string field = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (value.starts_with(' ')) value.erase(0, 1);
        if (field == "event") event.event = value;
        if (field == "id") event.id = value;
        if (field == "data") event.data += (event.data.empty() ? "" : "\n") + value;
      }
      return event;
    }
    if (!more) {
      ended_ = true;
      return std::nullopt;
    }
    if (!Fill(deadline)) return std::nullopt;
  }
}

std::optional<SseEvent> SseClient::NextEvent(std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) return std::nullopt;
    std::optional<SseEvent> event = Next(left);
    if (!event || !event->IsComment()) return event;
  }
}

}  // namespace nfmetrics::testing
