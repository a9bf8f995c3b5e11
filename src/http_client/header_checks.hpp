// The extra header fields a caller may add to a request, checked before anything is sent: none may
// replace the transport's own (Host, Authorization), change how the message is framed or whether
// the connection is kept (Content-Length, Transfer-Encoding, Connection), or hold a character a
// header field cannot (a CR or LF would inject fields of its own).
#pragma once

#include <string_view>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/http_client/http_transport.hpp"

namespace nfmetrics::http_client {

// RFC 9110 5.1: a token.
bool IsFieldName(std::string_view name);
// RFC 9110 5.5: no control character but HTAB.
bool IsFieldValue(std::string_view value);
// Host, Authorization, Content-Length, Transfer-Encoding or Connection, in any case.
bool IsTransportOwnField(std::string_view name);

// Ok, or kInternal naming `origin` (and the field when it may not be replaced).
Status CheckExtraHeaders(const HttpHeaders& headers, std::string_view origin);

}  // namespace nfmetrics::http_client
