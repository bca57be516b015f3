#pragma once
// Incremental RESP decoders. Input may arrive split at any byte; nothing throws on the hot path.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/resp/value.hpp"

namespace sentinel::resp {

/// Limits applied while decoding; exceeding one is a protocol error, as in redis-server.
struct Limits {
    std::size_t max_multibulk_len = 1024 * 1024;  ///< elements in one aggregate (server: 1M)
    std::size_t max_bulk_len =
        512ull * 1024 * 1024;  ///< bytes in one bulk string (proto-max-bulk-len)
    std::size_t max_inline_len =
        64 * 1024;               ///< bytes of an inline command line (PROTO_INLINE_MAX_SIZE)
    std::size_t max_depth = 32;  ///< nesting depth of aggregates (replies only)
};

/// Outcome of one `next()` call.
enum class ParseStatus {
    ok,          ///< one complete item was produced
    incomplete,  ///< more bytes are needed; call feed() then next() again
    error,       ///< malformed input; error() holds the text; the stream cannot be resumed
};

/// Server-side request decoder: multibulk arrays of bulk strings, or inline commands split like
/// redis-server does (sdssplitargs quoting). Error texts are redis-server's own, e.g.
/// "Protocol error: invalid multibulk length"; the caller replies "-ERR <text>" and closes.
///
/// Like redis-server 7.0 (processMultibulkBuffer), the two bytes after a header's '\r' and after
/// a bulk's payload are skipped without checking that they are "\r\n". A header or inline line
/// longer than limits.max_inline_len is refused even when its terminator has already arrived
/// (redis-server only notices while waiting for it), so the outcome never depends on how the
/// input was split.
class RequestParser {
  public:
    explicit RequestParser(Limits limits = {});

    /// Appends bytes to the internal buffer.
    void feed(std::string_view bytes);

    /// Extracts one command into `args` (cleared first). Empty inline lines and `*0`/`*-1`
    /// multibulks are skipped silently, as redis-server does.
    ParseStatus next(std::vector<std::string>& args);

    /// Whether the client has authenticated (default true). While false, the limits redis-server
    /// applies to clients that must still AUTH hold: a multibulk of more than 10 elements fails
    /// with "Protocol error: unauthenticated multibulk length" and a bulk over 16384 bytes with
    /// "Protocol error: unauthenticated bulk length". Limits are checked when next() reads a
    /// header, so a server sets this after running AUTH and before the next next() call.
    void set_authenticated(bool authenticated) { authenticated_ = authenticated; }
    bool authenticated() const { return authenticated_; }

    /// The protocol error text after next() returned error (without the "ERR " prefix).
    const std::string& error() const { return error_; }

    /// Bytes held for commands not yet returned: unparsed input plus the arguments already
    /// decoded from a multibulk still in progress (a server uses this to bound a slow client).
    std::size_t buffered() const;

  private:
    ParseStatus fail(std::string text);
    // Empties args, keeping its strings as spares when nothing is being decoded.
    void recycle(std::vector<std::string>& args);
    // Offset of the first `c` at or after pos_, or npos; remembers how far it looked.
    std::size_t find_from_pos(char c);
    void advance(std::size_t new_pos);
    ParseStatus read_inline(std::vector<std::string>& args);
    ParseStatus read_multibulk_header();
    ParseStatus read_bulks();

    Limits limits_;
    std::string buf_;
    std::size_t pos_ = 0;      // consumed prefix of buf_
    std::size_t scanned_ = 0;  // bytes after pos_ already searched for a line terminator
    std::string error_;
    bool authenticated_ = true;
    // Multibulk progress kept across feeds so a huge request is not rescanned from the start.
    long long mb_remaining_ = 0;  // bulk items left in the current multibulk; 0 = none in progress
    long long bulk_len_ = -1;     // length of the bulk being read; -1 = header not read yet
    // Arguments of the multibulk in progress: the first partial_count_ are decoded, the rest are
    // spare strings from an earlier command whose buffers are reused.
    std::vector<std::string> partial_;
    std::size_t partial_count_ = 0;
    std::size_t partial_bytes_ = 0;
    bool failed_ = false;
};

/// Client-side reply decoder for every RESP2 and RESP3 type, including aggregates nested up to
/// limits.max_depth and attributes (parsed, then dropped: the value they annotate is returned).
/// RESP3 streamed forms ($?, *?) are refused; redis-server never sends them. Stricter than the
/// request side because a desynchronised link to Redis must be noticed: lines end in exactly
/// CRLF, payloads must be followed by CRLF, numbers use Redis's canonical form (string2ll).
/// limits.max_inline_len bounds every line, max_multibulk_len the children of one aggregate
/// (a map of n pairs has 2n). Used for links to Redis and to other sentinels.
class ReplyParser {
  public:
    explicit ReplyParser(Limits limits = {});

    /// Adds bytes (copied).
    void feed(std::string_view bytes);

    /// Adds bytes without copying them while nothing is buffered: the caller must keep them
    /// unchanged until next() has returned incomplete or error (what is still needed is
    /// copied then) or until the next feed. For a read buffer shared by many connections.
    void feed_borrowed(std::string_view bytes);

    /// Decodes one complete top-level value into `out`.
    ParseStatus next(Value& out);

    const std::string& error() const { return error_; }
    std::size_t buffered() const;

  private:
    // Returns ok/incomplete/error; on ok advances `pos` past one value written to `out`.
    ParseStatus parse_value(std::size_t& pos, Value& out, std::size_t depth);
    // Reads the CRLF-terminated line at `pos` into `line` and moves `pos` past the CRLF.
    ParseStatus read_line(std::size_t& pos, std::string_view& line);
    // Reads `len` payload bytes plus CRLF at `pos` (a bulk, verbatim or blob error body).
    ParseStatus read_payload(std::size_t& pos, std::size_t len, std::string_view& data);
    ParseStatus parse_aggregate(std::size_t& pos, char type, std::string_view line, Value& out,
                                std::size_t depth);
    ParseStatus fail(std::string text);
    /// Copies the unparsed rest of borrowed bytes into buf_ (see feed()).
    void spill();
    /// The bytes being parsed: borrowed ones, or buf_.
    std::string_view src() const;

    Limits limits_;
    std::string buf_;
    std::string_view ext_;  // borrowed bytes from feed(), while external_
    bool external_ = false;
    std::size_t pos_ = 0;
    // After an incomplete parse: buf_ must grow to this size before a new attempt can progress,
    // so feeding a large bulk in small pieces does not re-parse it on every piece.
    std::size_t need_ = 0;
    // A line still missing its CRLF is re-read on every attempt; remember how far it is known to
    // hold no CR/LF so a long line arriving in small pieces is not scanned quadratically.
    std::size_t line_memo_start_ = std::string::npos;
    std::size_t line_memo_scanned_ = 0;
    std::string error_;
    bool failed_ = false;
};

}  // namespace sentinel::resp
