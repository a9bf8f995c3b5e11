#include "redis/asio_adapter.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>
#include <utility>

namespace nfmetrics::redis {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// The socket and what hiredis wants of it. hiredis's hooks are level-triggered ("tell me while it
// is readable"), an async_wait fires once: a wait is started again after each event for as long
// as hiredis still wants it. Owned by hiredis (ev.data) until cleanup, and by each wait in flight.
class Watcher : public std::enable_shared_from_this<Watcher> {
 public:
  Watcher(redisAsyncContext* context, const asio::any_io_executor& strand,
          std::function<void()> on_freed)
      : context_(context), socket_(strand), on_freed_(std::move(on_freed)) {}

  // Registers the context's socket with Asio; false when it cannot be.
  bool Assign() {
    error_code ec;
    socket_.assign(context_->c.fd, ec);
    return !ec;
  }

  void WantRead(bool want) {
    want_read_ = want;
    if (want && !read_waiting_) WaitRead();
  }

  void WantWrite(bool want) {
    want_write_ = want;
    if (want && !write_waiting_) WaitWrite();
  }

  // The context is being freed: no more calls into it, nor from it. hiredis closes the socket
  // itself.
  void Detach() {
    if (context_ == nullptr) return;
    context_->ev.data = nullptr;
    context_->ev.addRead = nullptr;
    context_->ev.delRead = nullptr;
    context_->ev.addWrite = nullptr;
    context_->ev.delWrite = nullptr;
    context_->ev.cleanup = nullptr;
    context_ = nullptr;
    want_read_ = want_write_ = false;
    socket_.release();  // deregisters, cancels the waits (operation_aborted), keeps the socket open
    if (on_freed_) std::exchange(on_freed_, nullptr)();
  }

 private:
  void WaitRead() {
    read_waiting_ = true;
    socket_.async_wait(asio::posix::stream_descriptor::wait_read, [self = shared_from_this()](
                                                                      const error_code& ec) {
      self->read_waiting_ = false;
      if (ec || self->context_ == nullptr || !self->want_read_) return;
      // May re-arm through addRead, or free the context (Detach).
      redisAsyncHandleRead(self->context_);
      if (self->context_ != nullptr && self->want_read_ && !self->read_waiting_) {
        self->WaitRead();
      }
    });
  }

  void WaitWrite() {
    write_waiting_ = true;
    socket_.async_wait(asio::posix::stream_descriptor::wait_write, [self = shared_from_this()](
                                                                       const error_code& ec) {
      self->write_waiting_ = false;
      if (ec || self->context_ == nullptr || !self->want_write_) return;
      redisAsyncHandleWrite(self->context_);
      if (self->context_ != nullptr && self->want_write_ && !self->write_waiting_) {
        self->WaitWrite();
      }
    });
  }

  redisAsyncContext* context_;  // null once hiredis freed it
  asio::posix::stream_descriptor socket_;
  std::function<void()> on_freed_;
  bool want_read_ = false;
  bool want_write_ = false;
  bool read_waiting_ = false;
  bool write_waiting_ = false;
};

// ev.data: hiredis's reference to the watcher, dropped at cleanup.
using Handle = std::shared_ptr<Watcher>;

Watcher& Of(void* data) { return *static_cast<Handle*>(data)->get(); }

void AddRead(void* data) { Of(data).WantRead(true); }
void DelRead(void* data) { Of(data).WantRead(false); }
void AddWrite(void* data) { Of(data).WantWrite(true); }
void DelWrite(void* data) { Of(data).WantWrite(false); }

}  // namespace

bool AttachToAsio(redisAsyncContext* context, const asio::any_io_executor& strand,
                  std::function<void()> on_freed) {
  if (context->ev.data != nullptr) return false;
  auto watcher = std::make_shared<Watcher>(context, strand, std::move(on_freed));
  if (!watcher->Assign()) return false;
  context->ev.data = new Handle(std::move(watcher));
  context->ev.addRead = AddRead;
  context->ev.delRead = DelRead;
  context->ev.addWrite = AddWrite;
  context->ev.delWrite = DelWrite;
  // Called from __redisAsyncFree (some hiredis versions also from __redisAsyncDisconnect, before
  // it): Detach unsets the hooks on the first call, so that any later one finds none.
  context->ev.cleanup = [](void* data) {
    auto* handle = static_cast<Handle*>(data);
    Handle watcher = std::move(*handle);
    delete handle;
    watcher->Detach();
  };
  return true;
}

}  // namespace nfmetrics::redis
