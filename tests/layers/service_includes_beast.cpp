// Must not compile: the service layer does no I/O, so Beast is out of its reach
// (cmake/Layers.cmake).
#include <boost/beast/http.hpp>
