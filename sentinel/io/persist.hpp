#pragma once
// Crash-safe replacement of the config file (plain POSIX, no event loop involved).

#include <optional>
#include <string>
#include <string_view>

namespace sentinel::io {

/// Writes `content` to `path` atomically, as Redis's rewriteConfigOverwriteFile does: a new file
/// `<path>.tmp-<pid>-<n>` is created in the same directory, written in full, fsync'ed, renamed
/// over `path`, and then the directory is fsync'ed. An existing file's permission bits are kept
/// (it may hold passwords); a new file gets 0644 minus the umask.
///
/// Returns nullopt on success, or an error text naming the path and the errno text. On failure
/// the temporary file is removed and `path` still holds its old content: there is no fallback to
/// writing in place, so a single-file bind mount (rename fails with EBUSY) is an error, as in
/// Redis 7. A failed directory fsync is reported too, although the new content is then in place.
std::optional<std::string> write_file_atomically(const std::string& path, std::string_view content);

}  // namespace sentinel::io
