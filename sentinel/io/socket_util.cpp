#include "sentinel/io/socket_util.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace sentinel::io {

asio::error_code set_cloexec(int fd) {
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0 || ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
        return {errno, asio::system_category()};
    }
    return {};
}

asio::error_code open_cloexec(asio::ip::tcp::socket& socket, const asio::ip::tcp& protocol) {
    const int fd = ::socket(protocol.family(), SOCK_STREAM | SOCK_CLOEXEC, protocol.protocol());
    if (fd < 0) {
        return {errno, asio::system_category()};
    }
    asio::error_code ec;
    socket.assign(protocol, fd, ec);
    if (ec) {
        ::close(fd);
    }
    return ec;
}

}  // namespace sentinel::io
