// The body of every answer the server sends: text a handler wrote, or a stored answer shared with
// the AnswerCache and sent from where it is kept, without a copy per request; or, for a stream,
// the events that follow the header (event_stream.hpp), which the server writes as they come.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace nfmetrics::http {

class EventStream;

// A Beast Body (see boost::beast::http::string_body) whose value is either owned or shared.
struct AnswerBody {
  class value_type {  // NOLINT(readability-identifier-naming): the Body concept's name
   public:
    value_type() = default;
    value_type& operator=(std::string text) {
      owned_ = std::move(text);
      owner_.reset();
      shared_ = nullptr;
      return *this;
    }
    // Sends `text`, which `owner` keeps alive, instead of owned text.
    void Share(std::shared_ptr<const void> owner, const std::string& text) {
      owned_.clear();
      owner_ = std::move(owner);
      shared_ = &text;
    }
    std::string_view view() const { return shared_ != nullptr ? *shared_ : owned_; }
    std::size_t size() const { return view().size(); }

    // An answer whose body is `events`, written by the server after the header until it ends.
    void Stream(std::shared_ptr<EventStream> events) { events_ = std::move(events); }
    const std::shared_ptr<EventStream>& events() const { return events_; }

   private:
    std::string owned_;
    std::shared_ptr<EventStream> events_;
    std::shared_ptr<const void> owner_;
    const std::string* shared_ = nullptr;  // inside *owner_, so moving this keeps it valid
  };

  static std::uint64_t size(const value_type& body) { return body.size(); }

  class writer {  // NOLINT(readability-identifier-naming): the Body concept's name
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool kIsRequest, class Fields>
    writer(const boost::beast::http::header<kIsRequest, Fields>& /*header*/, const value_type& body)
        : body_(body) {}

    void init(boost::beast::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      ec = {};
      const std::string_view text = body_.view();
      return std::pair<const_buffers_type, bool>{const_buffers_type(text.data(), text.size()),
                                                 false};
    }

   private:
    const value_type& body_;
  };
};

}  // namespace nfmetrics::http
