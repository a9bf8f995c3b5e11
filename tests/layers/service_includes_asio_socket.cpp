// Must not compile: the service layer does no I/O, so Asio's sockets are out of its reach.
#include <boost/asio/ip/tcp.hpp>
