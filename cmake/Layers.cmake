# The layers, enforced by the build (docs/architecture.md). A layer is a library target whose public
# headers are include/nfmetrics/<layer>/ and whose sources and private headers are src/<layer>/.
# nfmetrics_layer() lets a layer's sources include its own headers and the public headers of the
# layers it USES, and nothing else of ours; FORBID adds outside headers it may not include either
# (Beast and Asio's networking for the service). The rule is the compiler's: a generated
# directory, searched before every other, holds a header of the same name as each forbidden one
# that stops the build with #error, so an include fails whether it is written in the layer's own
# file or reached through another header.

set(NFMETRICS_LAYERS core http_client prometheus redis service http)
set(NFMETRICS_LAYER_GUARDS ${CMAKE_BINARY_DIR}/layer-guards)

# nfmetrics_layer(<target> LAYER <layer> [USES <layer>...] [FORBID <header>... BECAUSE <why>])
function(nfmetrics_layer target)
  cmake_parse_arguments(ARG "" "LAYER;BECAUSE" "USES;FORBID" ${ARGN})
  set(guards ${NFMETRICS_LAYER_GUARDS}/${ARG_LAYER})
  file(REMOVE_RECURSE ${guards})
  if(ARG_USES)
    list(JOIN ARG_USES ", " uses)
  else()
    set(uses "no other layer")
  endif()
  foreach(layer IN LISTS NFMETRICS_LAYERS)
    if(layer STREQUAL ARG_LAYER)
      continue()
    endif()
    set(headers "")
    if(NOT layer IN_LIST ARG_USES)
      file(GLOB public RELATIVE ${PROJECT_SOURCE_DIR}/include CONFIGURE_DEPENDS
           ${PROJECT_SOURCE_DIR}/include/nfmetrics/${layer}/*.hpp)
      list(APPEND headers ${public})
    endif()
    # Another layer's private headers, used or not.
    file(GLOB_RECURSE private RELATIVE ${PROJECT_SOURCE_DIR}/src CONFIGURE_DEPENDS
         ${PROJECT_SOURCE_DIR}/src/${layer}/*.hpp)
    list(APPEND headers ${private})
    foreach(header IN LISTS headers)
      file(CONFIGURE OUTPUT ${guards}/${header} CONTENT
        "#error \"src/${ARG_LAYER} may not include ${header}: the ${ARG_LAYER} layer uses ${uses} (docs/architecture.md)\"\n")
    endforeach()
  endforeach()
  foreach(header IN LISTS ARG_FORBID)
    file(CONFIGURE OUTPUT ${guards}/${header} CONTENT
      "#error \"src/${ARG_LAYER} may not include ${header}: ${ARG_BECAUSE} (docs/architecture.md)\"\n")
  endforeach()
  target_include_directories(${target} BEFORE PRIVATE ${guards})
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
endfunction()

# What the service layer may not include: Beast, and the parts of Asio that do I/O (sockets,
# resolvers, timers, TLS, files, signals, descriptors, the io_context). Its coroutines
# (awaitable, co_spawn, channels, parallel groups) are not I/O and stay allowed. Beast's headers
# all include its detail/config.hpp, so that one covers them all.
set(NFMETRICS_IO_HEADERS
  boost/beast.hpp boost/beast/core/detail/config.hpp
  boost/asio.hpp boost/asio/io_context.hpp boost/asio/basic_socket.hpp
  boost/asio/basic_socket_acceptor.hpp boost/asio/basic_stream_socket.hpp
  boost/asio/basic_datagram_socket.hpp boost/asio/basic_raw_socket.hpp
  boost/asio/ip/tcp.hpp boost/asio/ip/udp.hpp boost/asio/ip/address.hpp
  boost/asio/ip/basic_endpoint.hpp boost/asio/ip/basic_resolver.hpp
  boost/asio/basic_waitable_timer.hpp boost/asio/basic_deadline_timer.hpp
  boost/asio/steady_timer.hpp boost/asio/system_timer.hpp boost/asio/high_resolution_timer.hpp
  boost/asio/ssl.hpp boost/asio/ssl/context.hpp boost/asio/ssl/stream.hpp
  boost/asio/posix/basic_descriptor.hpp boost/asio/posix/basic_stream_descriptor.hpp
  boost/asio/basic_signal_set.hpp boost/asio/basic_file.hpp boost/asio/basic_serial_port.hpp
  boost/asio/local/stream_protocol.hpp)
