// Atomic file replacement: temp file + fsync + rename + directory fsync.

#include "sentinel/io/persist.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

namespace sentinel::io {
namespace {

std::string errno_text(int err) {
    return std::strerror(err);
}

// The directory holding `path`, for the directory fsync that makes the rename durable.
std::string parent_directory(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) {
        return ".";
    }
    if (slash == 0) {
        return "/";
    }
    return path.substr(0, slash);
}

// Linux releases the descriptor even when close() reports EINTR, so it is never retried.
int close_fd(int fd) {
    return ::close(fd);
}

// Opens a fresh temporary file next to `path`. O_EXCL guards against reusing a leftover name;
// the pid plus a process-wide counter keeps concurrent writers (threads or processes) apart.
int create_temp(const std::string& path, std::string& tmp_path, int& err) {
    static std::atomic<unsigned> counter{0};
    for (int attempt = 0; attempt < 100; ++attempt) {
        tmp_path = path + ".tmp-" + std::to_string(::getpid()) + "-" +
                   std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
        const int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0) {
            return fd;
        }
        err = errno;
        if (err != EEXIST) {
            return -1;
        }
    }
    return -1;
}

bool write_all(int fd, std::string_view content, int& err) {
    std::size_t offset = 0;
    while (offset < content.size()) {
        const ssize_t n = ::write(fd, content.data() + offset, content.size() - offset);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            err = errno;
            return false;
        }
        if (n == 0) {
            err = EIO;
            return false;
        }
        offset += static_cast<std::size_t>(n);
    }
    return true;
}

// Makes the rename itself durable. Like Redis's fsyncFileDir, filesystems that cannot fsync a
// directory (EINVAL/EBADF) are not treated as a failure.
std::optional<std::string> fsync_directory(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        const int e = errno;
        return "cannot open directory " + dir + " to sync it: " + errno_text(e);
    }
    std::optional<std::string> error;
    if (::fsync(fd) != 0) {
        const int e = errno;
        if (e != EINVAL && e != EBADF) {
            error = "cannot sync directory " + dir + ": " + errno_text(e);
        }
    }
    close_fd(fd);
    return error;
}

}  // namespace

std::optional<std::string> write_file_atomically(const std::string& path,
                                                 std::string_view content) {
    if (path.empty()) {
        return std::string("cannot write config file: empty path");
    }

    std::string tmp_path;
    int err = 0;
    const int fd = create_temp(path, tmp_path, err);
    if (fd < 0) {
        return "cannot create a temporary file next to " + path + ": " + errno_text(err);
    }

    auto fail = [&](std::string what, int e) -> std::optional<std::string> {
        ::unlink(tmp_path.c_str());
        return what + ": " + errno_text(e);
    };

    // Keep the permissions of the file being replaced: rename installs the temp file's mode, and
    // a sentinel.conf holding auth-pass lines is often deliberately 0600 or 0640.
    struct stat old_stat {};
    if (::stat(path.c_str(), &old_stat) == 0) {
        if (::fchmod(fd, old_stat.st_mode & 07777) != 0) {
            const int e = errno;
            close_fd(fd);
            return fail("cannot set the mode of temporary file " + tmp_path, e);
        }
    }

    if (!write_all(fd, content, err)) {
        close_fd(fd);
        return fail("cannot write temporary file " + tmp_path, err);
    }
    if (::fsync(fd) != 0) {
        const int e = errno;
        close_fd(fd);
        return fail("cannot sync temporary file " + tmp_path, e);
    }
    if (close_fd(fd) != 0) {
        const int e = errno;
        return fail("cannot close temporary file " + tmp_path, e);
    }
    if (::rename(tmp_path.c_str(), path.c_str()) != 0) {
        // EBUSY here typically means `path` is a single-file bind mount (Docker).
        const int e = errno;
        return fail("cannot rename " + tmp_path + " to " + path, e);
    }
    return fsync_directory(parent_directory(path));
}

}  // namespace sentinel::io
