#include "common/resp/parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <system_error>
#include <utility>

#include "common/config/tokenize.hpp"

namespace sentinel::resp {

namespace {

constexpr std::size_t npos = std::string::npos;

// redis-server's caps for a client that still has to AUTH (processMultibulkBuffer): they stop
// an anonymous peer from making the server allocate for a huge announced request.
constexpr long long kUnauthMaxMultibulk = 10;
constexpr long long kUnauthMaxBulk = 16384;

// Upper bound on elements reserved up front from an announced count, as redis-server does
// (argv_len = min(multibulklen, 1024)): a few header bytes must not buy a large allocation.
constexpr std::size_t kMaxReserve = 1024;

// A buffer that held a large request keeps its capacity after being emptied; give it back above
// this size so one big command (or one INFO reply on each of thousands of idle links) does not
// pin memory for the life of the connection.
constexpr std::size_t kKeepCapacity = 4 * 1024;

// A returned command's argument strings are reused for the next one when it is this small, so a
// client repeating a command does not allocate per argument; larger ones are simply freed, so an
// idle connection pins at most this much.
constexpr std::size_t kPoolMaxArgs = 8;
constexpr std::size_t kPoolMaxArgBytes = 256;

// Redis's string2ll: optional '-', no '+', no leading zeros (except "0"), no spaces, fewer than
// 21 characters. Using the same rules keeps us accepting and refusing exactly what Redis does.
bool parse_ll(std::string_view s, long long& out) {
    if (s.empty() || s.size() >= 21) {
        return false;
    }
    if (s == "0") {
        out = 0;
        return true;
    }
    std::size_t i = 0;
    bool negative = false;
    if (s[0] == '-') {
        negative = true;
        i = 1;
        if (s.size() == 1) {
            return false;
        }
    }
    if (s[i] < '1' || s[i] > '9') {
        return false;
    }
    unsigned long long v = 0;
    constexpr unsigned long long kMax = std::numeric_limits<unsigned long long>::max();
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        const auto digit = static_cast<unsigned long long>(s[i] - '0');
        if (v > (kMax - digit) / 10) {
            return false;
        }
        v = v * 10 + digit;
    }
    constexpr auto kLlMax = static_cast<unsigned long long>(std::numeric_limits<long long>::max());
    if (negative) {
        if (v > kLlMax + 1) {
            return false;
        }
        // Written this way so that -2^63 does not overflow on the way.
        out = -static_cast<long long>(v - 1) - 1;
    } else {
        if (v > kLlMax) {
            return false;
        }
        out = static_cast<long long>(v);
    }
    return true;
}

// Empties or compacts `buf` once its consumed prefix is at least as large as what is left, so
// each byte is moved a bounded number of times however the input is split.
void compact(std::string& buf, std::size_t& pos) {
    if (pos == 0) {
        return;
    }
    if (pos == buf.size()) {
        if (buf.capacity() > kKeepCapacity) {
            std::string().swap(buf);
        } else {
            buf.clear();
        }
        pos = 0;
    } else if (pos >= buf.size() - pos) {
        buf.erase(0, pos);
        pos = 0;
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// RequestParser

RequestParser::RequestParser(Limits limits) : limits_(limits) {}

void RequestParser::feed(std::string_view bytes) {
    if (failed_) {
        return;  // the stream is dead; buffering more would only waste memory
    }
    compact(buf_, pos_);
    buf_.append(bytes);
}

std::size_t RequestParser::buffered() const {
    return buf_.size() - pos_ + partial_bytes_;
}

ParseStatus RequestParser::fail(std::string text) {
    error_ = std::move(text);
    failed_ = true;
    return ParseStatus::error;
}

std::size_t RequestParser::find_from_pos(char c) {
    const std::size_t from = pos_ + scanned_;
    if (from < buf_.size()) {
        const void* hit = std::memchr(buf_.data() + from, c, buf_.size() - from);
        if (hit != nullptr) {
            const auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - buf_.data());
            scanned_ = at - pos_;
            return at;
        }
    }
    scanned_ = buf_.size() - pos_;
    return npos;
}

void RequestParser::advance(std::size_t new_pos) {
    pos_ = new_pos;
    scanned_ = 0;
}

void RequestParser::recycle(std::vector<std::string>& args) {
    const bool small = args.capacity() <= kPoolMaxArgs &&
                       std::all_of(args.begin(), args.end(), [](const std::string& a) {
                           return a.capacity() <= kPoolMaxArgBytes;
                       });
    if (small && partial_count_ == 0 && args.size() > partial_.size()) {
        args.swap(partial_);
    }
    if (args.capacity() > kPoolMaxArgs) {
        std::vector<std::string>().swap(args);
    } else {
        args.clear();
    }
}

ParseStatus RequestParser::next(std::vector<std::string>& args) {
    recycle(args);
    if (failed_) {
        return ParseStatus::error;
    }
    for (;;) {
        if (mb_remaining_ == 0) {
            if (pos_ >= buf_.size()) {
                return ParseStatus::incomplete;
            }
            // Like processInputBuffer: the first byte of a request picks the protocol.
            if (buf_[pos_] != '*') {
                const ParseStatus st = read_inline(args);
                if (st != ParseStatus::ok) {
                    return st;
                }
                if (args.empty()) {
                    continue;  // blank line: redis-server resets the client and reads on
                }
                return ParseStatus::ok;
            }
            const ParseStatus st = read_multibulk_header();
            if (st != ParseStatus::ok) {
                return st;
            }
            if (mb_remaining_ == 0) {
                continue;  // *0 or a negative count: skipped without a reply
            }
        }
        const ParseStatus st = read_bulks();
        if (st != ParseStatus::ok) {
            return st;
        }
        // Spare strings past the command's end go; args' emptied vector becomes the new pool.
        partial_.resize(partial_count_);
        args.swap(partial_);
        partial_count_ = 0;
        partial_bytes_ = 0;
        return ParseStatus::ok;
    }
}

ParseStatus RequestParser::read_inline(std::vector<std::string>& args) {
    const std::size_t nl = find_from_pos('\n');
    // redis-server refuses once more than PROTO_INLINE_MAX_SIZE bytes wait without a newline;
    // measuring the line itself gives the same answer however the bytes were split.
    if ((nl == npos ? buf_.size() : nl) - pos_ > limits_.max_inline_len) {
        return fail("Protocol error: too big inline request");
    }
    if (nl == npos) {
        return ParseStatus::incomplete;
    }
    std::size_t end = nl;
    if (end > pos_ && buf_[end - 1] == '\r') {
        --end;
    }
    auto split = config::split_args(std::string_view(buf_).substr(pos_, end - pos_));
    if (!split) {
        return fail("Protocol error: unbalanced quotes in request");
    }
    advance(nl + 1);
    args = std::move(*split);
    return ParseStatus::ok;
}

ParseStatus RequestParser::read_multibulk_header() {
    const std::size_t cr = find_from_pos('\r');
    if ((cr == npos ? buf_.size() : cr) - pos_ > limits_.max_inline_len) {
        return fail("Protocol error: too big mbulk count string");
    }
    // Redis only waits for one byte after the '\r' and skips it without looking at it.
    if (cr == npos || cr + 1 >= buf_.size()) {
        return ParseStatus::incomplete;
    }
    long long n = 0;
    const std::string_view digits = std::string_view(buf_).substr(pos_ + 1, cr - pos_ - 1);
    if (!parse_ll(digits, n) ||
        (n > 0 && static_cast<unsigned long long>(n) > limits_.max_multibulk_len)) {
        return fail("Protocol error: invalid multibulk length");
    }
    if (n > kUnauthMaxMultibulk && !authenticated_) {
        return fail("Protocol error: unauthenticated multibulk length");
    }
    advance(cr + 2);
    if (n <= 0) {
        return ParseStatus::ok;
    }
    mb_remaining_ = n;
    bulk_len_ = -1;
    partial_.reserve(std::min(static_cast<std::size_t>(n), kMaxReserve));
    return ParseStatus::ok;
}

ParseStatus RequestParser::read_bulks() {
    while (mb_remaining_ > 0) {
        if (bulk_len_ < 0) {
            const std::size_t cr = find_from_pos('\r');
            if ((cr == npos ? buf_.size() : cr) - pos_ > limits_.max_inline_len) {
                return fail("Protocol error: too big bulk count string");
            }
            if (cr == npos || cr + 1 >= buf_.size()) {
                return ParseStatus::incomplete;
            }
            if (buf_[pos_] != '$') {
                // addReplyErrorFormat maps CR and LF to spaces; do the same so error() is the
                // exact text the client will see.
                char got = buf_[pos_];
                if (got == '\r' || got == '\n') {
                    got = ' ';
                }
                return fail(std::string("Protocol error: expected '$', got '") + got + "'");
            }
            long long len = 0;
            const std::string_view digits = std::string_view(buf_).substr(pos_ + 1, cr - pos_ - 1);
            if (!parse_ll(digits, len) || len < 0 ||
                static_cast<unsigned long long>(len) > limits_.max_bulk_len) {
                return fail("Protocol error: invalid bulk length");
            }
            if (len > kUnauthMaxBulk && !authenticated_) {
                return fail("Protocol error: unauthenticated bulk length");
            }
            advance(cr + 2);
            bulk_len_ = len;
        }
        // Payload plus two trailing bytes, which redis-server skips without checking for CRLF.
        const std::size_t len = static_cast<std::size_t>(bulk_len_);
        if (buf_.size() - pos_ < len + 2) {
            return ParseStatus::incomplete;
        }
        if (partial_count_ < partial_.size()) {
            partial_[partial_count_].assign(buf_, pos_, len);
        } else {
            partial_.emplace_back(buf_, pos_, len);
        }
        ++partial_count_;
        partial_bytes_ += len;
        advance(pos_ + len + 2);
        bulk_len_ = -1;
        --mb_remaining_;
    }
    return ParseStatus::ok;
}

// ---------------------------------------------------------------------------------------------
// ReplyParser

namespace {

bool is_reply_type(char c) {
    switch (c) {
        case '+':
        case '-':
        case ':':
        case '$':
        case '*':
        case '_':
        case ',':
        case '#':
        case '(':
        case '=':
        case '%':
        case '~':
        case '>':
        case '|':
        case '!':
            return true;
        default:
            return false;
    }
}

std::string type_byte_error(char c) {
    std::string text = "Protocol error: got '";
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
        text += c;
    } else {
        // Unprintable bytes are spelled out so the text is safe in logs and error replies.
        constexpr char kHex[] = "0123456789abcdef";
        text += "\\x";
        text += kHex[u >> 4];
        text += kHex[u & 0xf];
    }
    text += "' as reply type byte";
    return text;
}

// RESP3 doubles: what strtod accepts in the C locale (inf, nan and exponents included), with
// an optional leading '+' that the RESP3 grammar allows and std::from_chars does not.
bool valid_double(std::string_view s) {
    if (!s.empty() && s[0] == '+') {
        s.remove_prefix(1);
        if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
            return false;
        }
    }
    if (s.empty()) {
        return false;
    }
    double d = 0;
    const char* end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, d, std::chars_format::general);
    // Out of range ("1e999") still is a well-formed double; the text is kept as received.
    return ptr == end && (ec == std::errc() || ec == std::errc::result_out_of_range);
}

bool valid_big_number(std::string_view s) {
    if (!s.empty() && s[0] == '-') {
        s.remove_prefix(1);
    }
    if (s.empty()) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

ReplyParser::ReplyParser(Limits limits) : limits_(limits) {}

void ReplyParser::feed(std::string_view bytes) {
    if (failed_) {
        return;
    }
    spill();
    buf_.append(bytes);
}

void ReplyParser::feed_borrowed(std::string_view bytes) {
    if (failed_) {
        return;
    }
    spill();
    if (pos_ == buf_.size()) {
        // Nothing buffered: parse straight from the caller's bytes and copy only what is left
        // over when they run out (spill()), so whole replies never pass through buf_.
        // Partial replies are rare: hold no buffer (thousands of idle links) until one comes.
        std::string().swap(buf_);
        pos_ = 0;
        need_ = 0;
        line_memo_start_ = npos;
        ext_ = bytes;
        external_ = true;
        return;
    }
    buf_.append(bytes);
}

void ReplyParser::spill() {
    if (!external_) {
        return;
    }
    // Offsets held across attempts are relative to the source; rebase them onto buf_.
    const std::size_t base = pos_;
    buf_.assign(ext_.substr(pos_));
    ext_ = {};
    external_ = false;
    pos_ = 0;
    need_ = need_ > base ? need_ - base : 0;
    if (line_memo_start_ != npos) {
        line_memo_start_ -= base;
        line_memo_scanned_ -= base;
    }
}

std::string_view ReplyParser::src() const {
    return external_ ? ext_ : std::string_view(buf_);
}

std::size_t ReplyParser::buffered() const {
    return src().size() - pos_;
}

ParseStatus ReplyParser::fail(std::string text) {
    error_ = std::move(text);
    failed_ = true;
    return ParseStatus::error;
}

ParseStatus ReplyParser::next(Value& out) {
    if (failed_) {
        return ParseStatus::error;
    }
    const std::size_t size = src().size();
    if (pos_ >= size || size < need_) {
        spill();
        return ParseStatus::incomplete;
    }
    std::size_t p = pos_;
    Value v;
    const ParseStatus st = parse_value(p, v, 0);
    if (st != ParseStatus::ok) {
        // The caller's bytes are only borrowed until it hears that more are needed.
        spill();
        return st;
    }
    out = std::move(v);
    pos_ = p;
    need_ = 0;
    line_memo_start_ = npos;
    if (external_) {
        if (pos_ == ext_.size()) {
            ext_ = {};
            external_ = false;
            pos_ = 0;
        }
        return ParseStatus::ok;
    }
    // Offsets are only kept between a failed attempt and the next one, so the buffer may move now.
    compact(buf_, pos_);
    return ParseStatus::ok;
}

ParseStatus ReplyParser::read_line(std::size_t& pos, std::string_view& line) {
    const std::string_view b = src();
    const std::size_t size = b.size();
    std::size_t i = pos;
    if (pos == line_memo_start_ && line_memo_scanned_ > pos) {
        i = line_memo_scanned_;
    }
    while (i < size && b[i] != '\r' && b[i] != '\n') {
        ++i;
    }
    if (i - pos > limits_.max_inline_len) {
        return fail("Protocol error: too big reply line");
    }
    if (i < size && b[i] == '\n') {
        return fail("Protocol error: reply line not terminated by CRLF");
    }
    if (i + 1 >= size) {
        // Either no terminator yet, or a '\r' that is the last byte: any new byte may decide.
        line_memo_start_ = pos;
        line_memo_scanned_ = i;
        need_ = size + 1;
        return ParseStatus::incomplete;
    }
    if (b[i + 1] != '\n') {
        return fail("Protocol error: reply line not terminated by CRLF");
    }
    line = b.substr(pos, i - pos);
    pos = i + 2;
    return ParseStatus::ok;
}

ParseStatus ReplyParser::read_payload(std::size_t& pos, std::size_t len, std::string_view& data) {
    const std::string_view b = src();
    if (b.size() - pos < len + 2) {
        need_ = pos + len + 2;
        return ParseStatus::incomplete;
    }
    if (b[pos + len] != '\r' || b[pos + len + 1] != '\n') {
        return fail("Protocol error: bulk payload not terminated by CRLF");
    }
    data = b.substr(pos, len);
    pos += len + 2;
    return ParseStatus::ok;
}

ParseStatus ReplyParser::parse_value(std::size_t& pos, Value& out, std::size_t depth) {
    std::size_t p = pos;
    // Loops only over attributes, which are parsed, dropped, and followed by the real value.
    for (;;) {
        if (p >= src().size()) {
            need_ = src().size() + 1;
            return ParseStatus::incomplete;
        }
        const char type = src()[p];
        if (!is_reply_type(type)) {
            return fail(type_byte_error(type));
        }
        ++p;
        std::string_view line;
        ParseStatus st = read_line(p, line);
        if (st != ParseStatus::ok) {
            return st;
        }
        switch (type) {
            case '+':
                out = Value::simple(line);
                break;
            case '-':
                out = Value::error(line);
                break;
            case ':': {
                long long v = 0;
                if (!parse_ll(line, v)) {
                    return fail("Protocol error: invalid integer");
                }
                out = Value::integer_value(v);
                break;
            }
            case '_':
                if (!line.empty()) {
                    return fail("Protocol error: invalid null");
                }
                out = Value::nil();
                break;
            case '#':
                if (line != "t" && line != "f") {
                    return fail("Protocol error: invalid boolean");
                }
                out = Value::boolean_value(line == "t");
                break;
            case ',':
                if (!valid_double(line)) {
                    return fail("Protocol error: invalid double");
                }
                out = Value{Type::double_, std::string(line), 0, {}};
                break;
            case '(':
                if (!valid_big_number(line)) {
                    return fail("Protocol error: invalid big number");
                }
                out = Value{Type::big_number, std::string(line), 0, {}};
                break;
            case '$':
            case '=':
            case '!': {
                long long len = 0;
                // Only a plain bulk has a null form ($-1); RESP3 blob types never do.
                if (!parse_ll(line, len) || len < -1 || (len == -1 && type != '$') ||
                    (len >= 0 && static_cast<unsigned long long>(len) > limits_.max_bulk_len)) {
                    return fail("Protocol error: invalid bulk length");
                }
                if (len == -1) {
                    out = Value::nil();
                    break;
                }
                std::string_view data;
                st = read_payload(p, static_cast<std::size_t>(len), data);
                if (st != ParseStatus::ok) {
                    return st;
                }
                if (type == '$') {
                    out = Value::bulk(data);
                } else if (type == '!') {
                    out = Value::error(data);
                } else {
                    if (data.size() < 4 || data[3] != ':') {
                        return fail("Protocol error: invalid verbatim string");
                    }
                    out = Value{Type::verbatim, std::string(data), 0, {}};
                }
                break;
            }
            default:  // '*', '%', '~', '>', '|'
                st = parse_aggregate(p, type, line, out, depth);
                if (st != ParseStatus::ok) {
                    return st;
                }
                if (type == '|') {
                    continue;
                }
                break;
        }
        pos = p;
        return ParseStatus::ok;
    }
}

ParseStatus ReplyParser::parse_aggregate(std::size_t& pos, char type, std::string_view line,
                                         Value& out, std::size_t depth) {
    long long n = 0;
    if (!parse_ll(line, n)) {
        return fail("Protocol error: invalid multibulk length");
    }
    if (n == -1 && type == '*') {
        out = Value::nil_array();
        return ParseStatus::ok;
    }
    if (n < 0) {
        return fail("Protocol error: invalid multibulk length");
    }
    // Maps and attributes announce pairs; the limit is on the values actually held.
    auto count = static_cast<unsigned long long>(n);
    if (type == '%' || type == '|') {
        count *= 2;
    }
    if (count > limits_.max_multibulk_len) {
        return fail("Protocol error: invalid multibulk length");
    }
    if (depth >= limits_.max_depth) {
        return fail("Protocol error: reply nested too deeply");
    }
    Value agg;
    switch (type) {
        case '%':
        case '|':
            agg.type = Type::map;
            break;
        case '~':
            agg.type = Type::set;
            break;
        case '>':
            agg.type = Type::push;
            break;
        default:
            agg.type = Type::array;
            break;
    }
    const auto elements = static_cast<std::size_t>(count);
    agg.elements.reserve(std::min(elements, kMaxReserve));
    for (std::size_t i = 0; i < elements; ++i) {
        Value child;
        const ParseStatus st = parse_value(pos, child, depth + 1);
        if (st != ParseStatus::ok) {
            return st;
        }
        agg.elements.push_back(std::move(child));
    }
    out = std::move(agg);
    return ParseStatus::ok;
}

}  // namespace sentinel::resp
