#pragma once
// Socket set-up Asio does not do for us.

#include <asio.hpp>

namespace sentinel::io {

/// Marks `fd` close-on-exec, so the scripts we fork and exec inherit none of our sockets (as
/// redis-sentinel's anetCloexec). Asio 1.22 opens and accepts sockets without SOCK_CLOEXEC.
/// Race-free here only because the process is single-threaded: nothing can fork between the
/// socket's creation and this call. Returns the error, if any.
asio::error_code set_cloexec(int fd);

/// Opens `socket` (which must be closed) for `protocol` with SOCK_CLOEXEC set atomically.
asio::error_code open_cloexec(asio::ip::tcp::socket& socket, const asio::ip::tcp& protocol);

}  // namespace sentinel::io
