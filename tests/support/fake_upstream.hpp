// FakeUpstream: an in-process HTTP/1.1 server that stands in for Prometheus when a test needs it
// to misbehave (slow, truncated, garbage, closed connections). Each test scripts the answers with
// a handler; the fake records what it received and how many connections it accepted.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace nfmetrics::testing {

struct RecordedRequest {
  std::string method;
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case

  // The value of the first header with this (case-insensitive) name, or "".
  std::string Header(std::string_view name) const;
};

struct Reply {
  enum class Kind {
    kNormal,                // a complete response
    kTruncate,              // headers announce the whole body, only truncate_at bytes follow
    kCloseWithoutResponse,  // the connection is closed without a byte
    kRaw,                   // `body` is written verbatim, then the connection is closed
    kPieces,                // each of `pieces` written verbatim after its wait, then closed
  };

  // kPieces: bytes written once `wait` has passed since the previous piece (an empty one only
  // holds the connection open that long).
  struct Piece {
    std::chrono::milliseconds wait{0};
    std::string bytes;
  };

  Kind kind = Kind::kNormal;
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool keep_alive = true;
  // Send Connection: keep-alive but close right after the response, as an idle timeout would;
  // the client's pooled connection is then stale.
  bool close_after = false;
  std::chrono::milliseconds delay{0};  // wait before answering
  std::size_t truncate_at = 0;         // kTruncate: body bytes actually sent
  std::vector<Piece> pieces;           // kPieces

  static Reply Json(std::string body, unsigned status = 200);
  static Reply Text(std::string body, unsigned status);
  static Reply Truncated(std::string body, std::size_t sent_bytes);
  static Reply CloseWithoutResponse();
  static Reply Raw(std::string bytes);
  static Reply Pieces(std::vector<Piece> pieces);
  Reply WithDelay(std::chrono::milliseconds wait) &&;
};

// A query_range answer for one pod, `value` on every step of the range the request asked for.
Reply OnePodOnEveryStep(const RecordedRequest& request, std::string_view value);

class FakeUpstream {
 public:
  using Handler = std::function<Reply(const RecordedRequest&)>;

  // Starts listening on 127.0.0.1 at an ephemeral port, serving on its own thread.
  explicit FakeUpstream(Handler handler);
  ~FakeUpstream();
  FakeUpstream(const FakeUpstream&) = delete;
  FakeUpstream& operator=(const FakeUpstream&) = delete;

  unsigned short port() const { return port_; }
  std::string base_url() const;  // http://127.0.0.1:<port>

  void SetHandler(Handler handler);
  std::vector<RecordedRequest> requests() const;
  int accepted_connections() const;
  int closed_connections() const;  // connections the fake has closed or seen closed
  // Polls until closed_connections() >= count; false after timeout.
  bool WaitForClosedConnections(int count, std::chrono::milliseconds timeout) const;

 private:
  class Session;

  void Accept();
  Reply Handle(const RecordedRequest& request);
  void OnClosed();

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  mutable std::mutex mutex_;
  Handler handler_;                        // guarded by mutex_
  std::vector<RecordedRequest> requests_;  // guarded by mutex_
  int accepted_ = 0;                       // guarded by mutex_
  int closed_ = 0;                         // guarded by mutex_
  std::thread thread_;
};

}  // namespace nfmetrics::testing
