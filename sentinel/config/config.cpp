// sentinel.conf loading with redis-sentinel 7.0.15's exact rules: Redis's
// loadServerConfigFromString (config.c) for the redis.conf grammar, then
// sentinelHandleConfiguration (sentinel.c) for the queued `sentinel ...` lines. Every error text
// below was checked against the real binary.

#include "sentinel/config/config.hpp"

#include <arpa/inet.h>
#include <glob.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "common/config/tokenize.hpp"
#include "sentinel/config/redis_directives.hpp"

namespace sentinel::config {

namespace {

using detail::DirectiveKind;
using detail::DirectiveSpec;
using detail::StringCheck;

constexpr std::string_view kBadDirective = "Bad directive or wrong number of arguments";
constexpr std::string_view kWrongArgs = "wrong number of arguments";
constexpr std::string_view kNoSuchMaster = "No such master with specified name.";
constexpr std::size_t kRunIdSize = 40;        // CONFIG_RUN_ID_SIZE
constexpr std::size_t kMaxBindAddrs = 16;     // CONFIG_BINDADDR_MAX
constexpr std::size_t kHostStrLen = 256;      // NET_HOST_STR_LEN
constexpr std::size_t kConfigReadLen = 1024;  // CONFIG_READ_LEN
constexpr std::size_t kMaxIncludeBytes = std::size_t{64} << 20;

// ---------------------------------------------------------------------------------------------
// C-string helpers. Redis hands most arguments to functions taking char*, so whatever follows an
// embedded NUL (possible through "\x00" in double quotes) is invisible to it.

std::string c_str_of(std::string_view s) {
    return std::string(s.substr(0, s.find('\0')));
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string to_upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return out;
}

// strcasecmp() == 0, on the C-string views of both sides.
bool iequals(std::string_view a, std::string_view b) {
    return to_lower(c_str_of(a)) == to_lower(c_str_of(b));
}

// Redis's yesnotoi(): 1, 0 or -1.
int yes_no(std::string_view s) {
    if (iequals(s, "yes")) {
        return 1;
    }
    if (iequals(s, "no")) {
        return 0;
    }
    return -1;
}

// glibc atoi(): (int)strtol(s, NULL, 10); out-of-range longs keep their low 32 bits.
int c_atoi(std::string_view s) {
    const std::string c = c_str_of(s);
    return static_cast<int>(std::strtol(c.c_str(), nullptr, 10));
}

// strtoull(s, NULL, 10): leading blanks and a sign allowed, junk ignored, overflow saturates.
std::uint64_t c_strtoull(std::string_view s) {
    const std::string c = c_str_of(s);
    return static_cast<std::uint64_t>(std::strtoull(c.c_str(), nullptr, 10));
}

// strtoll(s, &end, base) that must consume the whole C string (Redis's `*eptr == '\0'` checks).
bool c_strtoll_all(std::string_view s, int base, long long& out, bool check_errno = false) {
    const std::string c = c_str_of(s);
    char* end = nullptr;
    errno = 0;
    out = std::strtoll(c.c_str(), &end, base);
    if (check_errno && errno != 0) {
        return false;
    }
    return *end == '\0';
}

// Redis util.c string2ll(): strict decimal, no blanks, no '+', no leading zeros.
bool string2ll(std::string_view s, long long& value) {
    if (s.empty() || s.size() >= 21) {
        return false;
    }
    if (s.size() == 1 && s[0] == '0') {
        value = 0;
        return true;
    }
    std::size_t p = 0;
    bool negative = false;
    if (s[0] == '-') {
        negative = true;
        p = 1;
        if (p == s.size()) {
            return false;
        }
    }
    if (s[p] < '1' || s[p] > '9') {
        return false;
    }
    unsigned long long v = static_cast<unsigned long long>(s[p] - '0');
    ++p;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
        const auto digit = static_cast<unsigned long long>(s[p] - '0');
        if (v > ULLONG_MAX / 10) {
            return false;
        }
        v *= 10;
        if (v > ULLONG_MAX - digit) {
            return false;
        }
        v += digit;
        ++p;
    }
    if (p < s.size()) {
        return false;
    }
    if (negative) {
        if (v > static_cast<unsigned long long>(LLONG_MAX) + 1) {
            return false;
        }
        value = v == static_cast<unsigned long long>(LLONG_MAX) + 1 ? LLONG_MIN
                                                                    : -static_cast<long long>(v);
    } else {
        if (v > static_cast<unsigned long long>(LLONG_MAX)) {
            return false;
        }
        value = static_cast<long long>(v);
    }
    return true;
}

// Redis util.c memtoull(): digits then an optional unit b/k/kb/m/mb/g/gb (any case). Overflow is
// not detected (strtoull saturates and the multiplication wraps), exactly like Redis.
bool memtoull(std::string_view input, unsigned long long& out) {
    const std::string s = c_str_of(input);
    if (!s.empty() && s[0] == '-') {
        return false;
    }
    std::size_t u = 0;
    while (u < s.size() && s[u] >= '0' && s[u] <= '9') {
        ++u;
    }
    const std::string unit = to_lower(s.substr(u));
    unsigned long long mul = 0;
    if (unit.empty() || unit == "b") {
        mul = 1;
    } else if (unit == "k") {
        mul = 1000;
    } else if (unit == "kb") {
        mul = 1024;
    } else if (unit == "m") {
        mul = 1000ULL * 1000;
    } else if (unit == "mb") {
        mul = 1024ULL * 1024;
    } else if (unit == "g") {
        mul = 1000ULL * 1000 * 1000;
    } else if (unit == "gb") {
        mul = 1024ULL * 1024 * 1024;
    } else {
        return false;
    }
    if (u >= 128) {
        return false;
    }
    const std::string digits = s.substr(0, u);
    const unsigned long long val = std::strtoull(digits.c_str(), nullptr, 10);
    out = val * mul;
    return true;
}

// Redis util.c string2d(): the whole string is a finite-or-infinite double, no leading blank.
bool string2d(std::string_view s, double& out) {
    if (s.empty() || std::strchr(" \t\n\v\f\r", s[0]) != nullptr) {
        return false;
    }
    const std::string c(s);
    char* end = nullptr;
    errno = 0;
    out = std::strtod(c.c_str(), &end);
    if (static_cast<std::size_t>(end - c.c_str()) != c.size()) {
        return false;
    }
    if (errno == ERANGE && (out == HUGE_VAL || out == -HUGE_VAL || out == 0.0)) {
        return false;
    }
    return !std::isnan(out);
}

std::string errno_text(int err) {
    return std::strerror(err);
}

// A path as the process would see it after Redis's chdir() calls for earlier `dir` lines.
std::string resolve_path(const std::string& base, const std::string& path) {
    if (base.empty() || (!path.empty() && path[0] == '/')) {
        return path;
    }
    return base + "/" + path;
}

// Redis's anetResolve(): getaddrinfo, then inet_ntop of the first answer. With `numeric_only`
// (ANET_IP_ONLY, AI_NUMERICHOST) it never uses DNS and accepts what glibc accepts as a literal
// (127.1, 0x7f.1, fe80::1%lo), returning the normalized address.
std::optional<std::string> anet_resolve(std::string_view host, bool numeric_only) {
    const std::string h = c_str_of(host);
    addrinfo hints{};
    hints.ai_flags = numeric_only ? AI_NUMERICHOST : 0;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* info = nullptr;
    if (::getaddrinfo(h.c_str(), nullptr, &hints, &info) != 0 || info == nullptr) {
        return std::nullopt;
    }
    char buf[INET6_ADDRSTRLEN] = {};
    if (info->ai_family == AF_INET) {
        sockaddr_in sa{};
        std::memcpy(&sa, info->ai_addr, sizeof(sa));
        ::inet_ntop(AF_INET, &sa.sin_addr, buf, sizeof(buf));
    } else {
        sockaddr_in6 sa{};
        std::memcpy(&sa, info->ai_addr, sizeof(sa));
        ::inet_ntop(AF_INET6, &sa.sin6_addr, buf, sizeof(buf));
    }
    ::freeaddrinfo(info);
    return std::string(buf);
}

std::optional<std::string> numeric_ip(std::string_view host) {
    return anet_resolve(host, /*numeric_only=*/true);
}

// Emulates `while (fgets(buf, 1025, fp)) config = sdscat(config, buf);`: each chunk (a line, or
// 1024 bytes of a longer one) is cut at its first NUL byte.
std::string as_read_by_fgets(std::string_view raw) {
    if (raw.find('\0') == std::string_view::npos) {
        return std::string(raw);
    }
    std::string out;
    out.reserve(raw.size());
    std::size_t pos = 0;
    while (pos < raw.size()) {
        std::size_t len = std::min(kConfigReadLen, raw.size() - pos);
        const auto nl = raw.substr(pos, len).find('\n');
        if (nl != std::string_view::npos) {
            len = nl + 1;
        }
        const auto chunk = raw.substr(pos, len);
        out.append(chunk.substr(0, chunk.find('\0')));
        pos += len;
    }
    return out;
}

// sdstrim(line, " \t\r\n").
std::string_view trim_line(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

// ---------------------------------------------------------------------------------------------
// ACL rules of `user` lines: the checks ACLAppendUserForLoading runs on a throwaway user.

enum class AclErr {
    none,
    unknown,
    syntax,
    keys_after_all,
    channels_after_all,
    no_password,
    bad_hash
};

const char* acl_error_text(AclErr e) {
    switch (e) {
        case AclErr::unknown:
            return "Unknown command or category name in ACL";
        case AclErr::syntax:
            return "Syntax error";
        case AclErr::keys_after_all:
            return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and "
                   "does not have any effect. Try 'resetkeys' to start with an empty list of "
                   "patterns";
        case AclErr::channels_after_all:
            return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid "
                   "and does not have any effect. Try 'resetchannels' to start with an empty list "
                   "of channels";
        case AclErr::no_password:
            return "The password you are trying to remove from the user does not exist";
        case AclErr::bad_hash:
            return "The password hash must be exactly 64 characters and contain only lowercase "
                   "hexadecimal characters";
        case AclErr::none:
            break;
    }
    return "Wrong format";
}

struct AclSelector {
    bool all_keys = false;
    bool all_channels = false;
};

struct AclUser {
    AclSelector root;
    // Passwords as ">plain" or "#hash"; without SHA-256 a plain one and a hash cannot be
    // compared, so removals are only refused when neither form could match.
    std::set<std::string> passwords;
};

bool acl_has_spaces(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        return c == '\0' || std::strchr(" \t\n\v\f\r", c) != nullptr;
    });
}

bool valid_password_hash(std::string_view h) {
    return h.size() == 64 && std::all_of(h.begin(), h.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

// ACLSetSelector(): rules valid both at the user's root and inside "(...)".
AclErr acl_set_selector(AclSelector& sel, std::string_view op) {
    if (op.empty()) {
        return AclErr::syntax;
    }
    if (iequals(op, "allkeys") || iequals(op, "~*")) {
        sel.all_keys = true;
    } else if (iequals(op, "resetkeys")) {
        sel.all_keys = false;
    } else if (iequals(op, "allchannels") || iequals(op, "&*")) {
        sel.all_channels = true;
    } else if (iequals(op, "resetchannels")) {
        sel.all_channels = false;
    } else if (iequals(op, "allcommands") || iequals(op, "+@all") || iequals(op, "nocommands") ||
               iequals(op, "-@all")) {
        // Command bits only.
    } else if (op[0] == '~' || op[0] == '%') {
        if (sel.all_keys) {
            return AclErr::keys_after_all;
        }
        std::size_t offset = 1;
        if (op[0] == '%') {
            bool read = false;
            bool write = false;
            for (; offset < op.size(); ++offset) {
                const char c = op[offset];
                if ((c == 'R' || c == 'r') && !read) {
                    read = true;
                } else if ((c == 'W' || c == 'w') && !write) {
                    write = true;
                } else if (c == '~') {
                    ++offset;
                    break;
                } else {
                    return AclErr::syntax;
                }
            }
            if (!read && !write) {
                return AclErr::syntax;
            }
        }
        if (acl_has_spaces(op.substr(std::min(offset, op.size())))) {
            return AclErr::syntax;
        }
    } else if (op[0] == '&') {
        if (sel.all_channels) {
            return AclErr::channels_after_all;
        }
        if (acl_has_spaces(op.substr(1))) {
            return AclErr::syntax;
        }
    } else if (op[0] == '+' && (op.size() < 2 || op[1] != '@')) {
        const auto bar = op.find('|');
        if (bar == std::string_view::npos) {
            return detail::is_sentinel_command(c_str_of(op.substr(1))) ? AclErr::none
                                                                       : AclErr::unknown;
        }
        // "+cmd|sub": the command must exist and the part after '|' must not be empty.
        if (!detail::is_sentinel_command(c_str_of(op.substr(1, bar - 1)))) {
            return AclErr::unknown;
        }
        if (c_str_of(op.substr(bar + 1)).empty()) {
            return AclErr::syntax;
        }
    } else if (op[0] == '-' && (op.size() < 2 || op[1] != '@')) {
        // Removing an unknown command is ENOENT, which loading ignores; nothing else can fail.
    } else if ((op[0] == '+' || op[0] == '-') && op.size() >= 2 && op[1] == '@') {
        // Unknown categories are ENOENT (ignored while loading).
    } else {
        return AclErr::syntax;
    }
    return AclErr::none;
}

// ACLSetUser() for one (possibly merged "(...)") argument.
AclErr acl_set_user(AclUser& u, std::string_view op, bool pubsub_all) {
    if (op.empty()) {
        return AclErr::none;
    }
    if (iequals(op, "on") || iequals(op, "off") || iequals(op, "skip-sanitize-payload") ||
        iequals(op, "sanitize-payload") || iequals(op, "clearselectors")) {
        return AclErr::none;
    }
    if (iequals(op, "nopass") || iequals(op, "resetpass")) {
        u.passwords.clear();
        return AclErr::none;
    }
    if (op[0] == '>') {
        u.passwords.insert(">" + std::string(op.substr(1)));
        return AclErr::none;
    }
    if (op[0] == '#') {
        if (!valid_password_hash(op.substr(1))) {
            return AclErr::bad_hash;
        }
        u.passwords.insert("#" + std::string(op.substr(1)));
        return AclErr::none;
    }
    if (op[0] == '<' || op[0] == '!') {
        if (op[0] == '!' && !valid_password_hash(op.substr(1))) {
            return AclErr::bad_hash;
        }
        const std::string key = (op[0] == '<' ? ">" : "#") + std::string(op.substr(1));
        if (u.passwords.erase(key) > 0) {
            return AclErr::none;
        }
        const char other = op[0] == '<' ? '#' : '>';
        const bool may_match = std::any_of(u.passwords.begin(), u.passwords.end(),
                                           [other](const std::string& p) { return p[0] == other; });
        return may_match ? AclErr::none : AclErr::no_password;
    }
    if (op[0] == '(' && op.back() == ')') {
        AclSelector sel;
        sel.all_channels = pubsub_all;
        auto inner = split_args(op.substr(1, op.size() - 2));
        if (!inner) {
            return AclErr::none;
        }
        for (const auto& sub : *inner) {
            if (auto e = acl_set_selector(sel, sub); e != AclErr::none) {
                return e;
            }
        }
        return AclErr::none;
    }
    if (iequals(op, "reset")) {
        u.passwords.clear();
        u.root.all_keys = false;
        u.root.all_channels = pubsub_all;
        return AclErr::none;
    }
    return acl_set_selector(u.root, op);
}

// ---------------------------------------------------------------------------------------------
// The loader.

struct QueuedLine {
    std::vector<std::string> argv;  // after "sentinel", cut at NUL as Redis's char* code sees them
    int line = 0;
    std::string text;
};

// Redis's preMonitorCfgName[].
bool is_pre_monitor(std::string_view name) {
    static constexpr std::string_view kNames[] = {
        "announce-ip",   "announce-port",     "deny-scripts-reconfig",
        "sentinel-user", "sentinel-pass",     "current-epoch",
        "myid",          "resolve-hostnames", "announce-hostnames",
    };
    return std::any_of(std::begin(kNames), std::end(kNames),
                       [&](std::string_view n) { return iequals(name, n); });
}

class Loader {
  public:
    explicit Loader(const ParseOptions& options) : options_(options) {
        for (const auto name : detail::sentinel_commands()) {
            commands_.emplace(name, name);
        }
    }

    // loadServerConfigFromString(): returns an error or nothing.
    std::optional<ConfigError> load_string(const std::string& config, int depth);

    // loadSentinelConfigFromQueue(): pre-monitor lines, monitor lines, then the rest.
    std::optional<ConfigError> load_sentinel_queue();

    Config take() { return std::move(cfg_); }

  private:
    std::optional<std::string> apply_standard(const DirectiveSpec& spec, const std::string& name,
                                              const std::vector<std::string>& args);
    std::optional<std::string> apply_special(const std::string& name,
                                             const std::vector<std::string>& args);
    void honour(const std::string& name, const std::vector<std::string>& args);
    std::optional<ConfigError> include(const std::string& pattern, int depth);
    std::optional<ConfigError> include_file(const std::string& shown, const std::string& path,
                                            int depth);
    std::optional<std::string> rename_command(const std::string& from, const std::string& to);
    std::optional<std::string> add_user(const std::vector<std::string>& argv);
    std::optional<ConfigError> post_checks();
    std::optional<std::string> sentinel_line(const std::vector<std::string>& argv);
    std::optional<std::string> check_address(std::string_view host, int port,
                                             std::string& ip) const;

    ParseOptions options_;
    Config cfg_;
    std::string base_dir_;                         // where Redis's chdir() calls have taken it
    std::map<std::string, std::string> commands_;  // current lower-case name -> original name
    std::set<std::string> user_names_;
    bool cluster_enabled_ = false;
    bool has_replicaof_ = false;
    std::vector<QueuedLine> pre_monitor_;
    std::vector<QueuedLine> monitor_;
    std::vector<QueuedLine> post_monitor_;
};

std::optional<ConfigError> Loader::load_string(const std::string& config, int depth) {
    // sdssplitlen(config, "\n"): an empty text has no lines at all.
    std::vector<std::string_view> lines;
    if (!config.empty()) {
        std::string_view rest(config);
        while (true) {
            const auto nl = rest.find('\n');
            lines.push_back(rest.substr(0, nl));
            if (nl == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(nl + 1);
        }
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const int linenum = static_cast<int>(i) + 1;
        const std::string line(trim_line(lines[i]));
        if (line.empty() || line[0] == '#') {
            continue;
        }
        const auto fail = [&](std::string reason) {
            return ConfigError{linenum, line, std::move(reason), false};
        };
        auto split = split_args(line);
        if (!split) {
            return fail("Unbalanced quotes in configuration line");
        }
        auto argv = std::move(*split);
        if (argv.empty()) {
            continue;
        }
        argv[0] = to_lower(argv[0]);
        const std::string& name = argv[0];
        const std::vector<std::string> args(argv.begin() + 1, argv.end());

        if (const auto* spec = detail::find_directive(name)) {
            if (auto err = apply_standard(*spec, name, args)) {
                return fail(std::move(*err));
            }
            continue;
        }
        // Deprecated directives 7.0 still swallows silently (with exactly one value).
        if (argv.size() == 2 &&
            (name == "list-max-ziplist-entries" || name == "list-max-ziplist-value" ||
             name == "lua-replicate-commands")) {
            continue;
        }
        const std::string cname = c_str_of(name);
        if (cname == "include" && argv.size() == 2) {
            if (auto err = include(argv[1], depth)) {
                return err;
            }
        } else if (cname == "rename-command" && argv.size() == 3) {
            if (auto err = rename_command(argv[1], argv[2])) {
                return fail(std::move(*err));
            }
        } else if (cname == "user" && argv.size() >= 2) {
            if (auto err = add_user(argv)) {
                return fail(std::move(*err));
            }
        } else if (cname == "loadmodule" && argv.size() >= 2) {
            // Accepted; a sentinel never loads modules.
        } else if (cname.find('.') != std::string::npos) {
            // A module's own option, queued by Redis for a module that never loads here.
            if (argv.size() < 2) {
                return fail("Module config specified without value");
            }
        } else if (cname == "sentinel") {
            // A bare "sentinel" only selects sentinel mode (main() handles it).
            if (argv.size() != 1) {
                QueuedLine q;
                for (std::size_t j = 1; j < argv.size(); ++j) {
                    q.argv.push_back(c_str_of(argv[j]));
                }
                q.line = linenum;
                q.text = line;
                if (iequals(q.argv[0], "monitor")) {
                    monitor_.push_back(std::move(q));
                } else if (is_pre_monitor(q.argv[0])) {
                    pre_monitor_.push_back(std::move(q));
                } else {
                    post_monitor_.push_back(std::move(q));
                }
            }
        } else {
            return fail(std::string(kBadDirective));
        }
    }
    return post_checks();
}

// The sanity checks at the end of every loadServerConfigFromString() call (so also after each
// included file); Redis prints them without a line.
std::optional<ConfigError> Loader::post_checks() {
    const std::string& logfile = cfg_.server.logfile;
    if (options_.check_filesystem && !logfile.empty()) {
        // fopen(logfile, "a") without creating anything: a missing file is fine when its
        // directory lets us create it.
        const std::string path = resolve_path(base_dir_, logfile);
        struct stat st {};
        int err = 0;
        if (::stat(path.c_str(), &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                err = EISDIR;
            } else if (::access(path.c_str(), W_OK) != 0) {
                err = errno;
            }
        } else if (errno == ENOENT) {
            const auto slash = path.rfind('/');
            const std::string parent =
                slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
            struct stat pst {};
            if (::stat(parent.c_str(), &pst) != 0) {
                err = errno;
            } else if (!S_ISDIR(pst.st_mode)) {
                err = ENOTDIR;
            } else if (::access(parent.c_str(), W_OK | X_OK) != 0) {
                err = errno;
            }
        } else {
            err = errno;
        }
        if (err != 0) {
            return ConfigError{0, "", "Can't open the log file: " + errno_text(err), false};
        }
    }
    if (cluster_enabled_ && has_replicaof_) {
        return ConfigError{0, "", "replicaof directive not allowed in cluster mode", false};
    }
    return std::nullopt;
}

std::optional<ConfigError> Loader::include(const std::string& arg, int depth) {
    if (!options_.check_filesystem) {
        return std::nullopt;
    }
    if (depth >= options_.max_include_depth) {
        return ConfigError{
            0, "",
            "Fatal error, can't open config file '" + c_str_of(arg) + "': too many nested includes",
            true};
    }
    const std::string pattern = c_str_of(arg);
    const std::string path = resolve_path(base_dir_, pattern);
    if (pattern.find_first_of("*?[") == std::string::npos) {
        return include_file(pattern, path, depth);
    }
    // A pattern matching nothing is skipped, so an empty conf.d directory is fine.
    glob_t g{};
    if (::glob(path.c_str(), 0, nullptr, &g) == 0) {
        std::vector<std::string> matches(g.gl_pathv, g.gl_pathv + g.gl_pathc);
        ::globfree(&g);
        for (const auto& m : matches) {
            if (auto err = include_file(m, m, depth)) {
                return err;
            }
        }
        return std::nullopt;
    }
    ::globfree(&g);
    return std::nullopt;
}

std::optional<ConfigError> Loader::include_file(const std::string& shown, const std::string& path,
                                                int depth) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return ConfigError{
            0, "", "Fatal error, can't open config file '" + shown + "': " + errno_text(errno),
            true};
    }
    std::string raw;
    char buf[4096];
    while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
        raw.append(buf, static_cast<std::size_t>(in.gcount()));
        if (raw.size() > kMaxIncludeBytes) {
            break;
        }
    }
    return load_string(as_read_by_fgets(raw), depth + 1);
}

std::optional<std::string> Loader::rename_command(const std::string& from, const std::string& to) {
    // lookupCommandBySds() on the sentinel command table. Redis asserts (and crashes) on a
    // "cmd|sub" name; we refuse it like an unknown command.
    const std::string key = to_lower(from);
    const auto it = commands_.find(key);
    if (key.find('|') != std::string::npos || it == commands_.end()) {
        return "No such command in rename-command";
    }
    const std::string original = it->second;
    commands_.erase(it);
    if (!to.empty()) {
        const std::string new_key = to_lower(to);
        if (commands_.count(new_key) != 0) {
            return "Target command name already exists";
        }
        commands_[new_key] = original;
    }
    cfg_.server.rename_commands[original] = to;
    return std::nullopt;
}

std::optional<std::string> Loader::add_user(const std::vector<std::string>& argv) {
    // ACLAppendUserForLoading(). Its error names argv[j] where j counts the (merged) rules, not
    // the words of the line: a Redis quirk we reproduce, e.g. 'user' for the first rule.
    const auto error = [&argv](std::size_t idx, const char* msg) {
        std::string text = "Error in user declaration '" + c_str_of(argv[idx]) + "': " + msg;
        if (text.size() > 1023) {
            text.resize(1023);  // snprintf into char buf[1024]
        }
        return text;
    };
    if (user_names_.count(argv[1]) != 0) {
        return error(1, "Duplicate user found. A user can only be defined once in config files");
    }
    // ACLMergeSelectorArguments(): "(" ... ")" spread over several words becomes one rule.
    std::vector<std::string> rules;
    std::optional<std::size_t> open_at;
    std::string selector;
    for (std::size_t j = 2; j < argv.size(); ++j) {
        const std::string& op = argv[j];
        if (!op.empty() && op[0] == '(' && op.back() != ')') {
            selector = op;
            open_at = j - 2;
            continue;
        }
        if (open_at) {
            selector += " " + c_str_of(op);
            if (!op.empty() && op.back() == ')') {
                open_at.reset();
                rules.push_back(std::move(selector));
                selector.clear();
            }
            continue;
        }
        rules.push_back(op);
    }
    if (open_at) {
        return error(*open_at, "Unknown command or category name in ACL");
    }
    AclUser user;
    const bool pubsub_all = cfg_.server.acl_pubsub_allchannels;
    user.root.all_channels = pubsub_all;
    for (std::size_t j = 0; j < rules.size(); ++j) {
        const AclErr e = acl_set_user(user, rules[j], pubsub_all);
        if (e != AclErr::none && e != AclErr::unknown) {
            return error(j, acl_error_text(e));
        }
    }
    user_names_.insert(argv[1]);
    cfg_.server.users.emplace_back(argv.begin() + 1, argv.end());
    return std::nullopt;
}

// Checks a value of a standard (config table) directive like the matching Redis setter.
std::optional<std::string> Loader::apply_standard(const DirectiveSpec& spec,
                                                  const std::string& name,
                                                  const std::vector<std::string>& raw_args) {
    const bool multi = spec.kind == DirectiveKind::special
                           ? (name != "dir" && name != "notify-keyspace-events")
                           : spec.multi_arg;
    if (!multi && raw_args.size() != 1) {
        return std::string(kWrongArgs);
    }
    std::vector<std::string> args = raw_args;
    if (multi && args.size() == 1 && !args[0].empty()) {
        // A single value of a multi-value option is split again ("--save '900 1'"); unbalanced
        // quotes there leave no values at all.
        auto again = split_args(args[0]);
        args = again ? std::move(*again) : std::vector<std::string>{};
    }
    if (spec.kind == DirectiveKind::special) {
        if (auto err = apply_special(name, args)) {
            return err;
        }
        honour(name, args);
        return std::nullopt;
    }
    switch (spec.kind) {
        case DirectiveKind::boolean:
            if (yes_no(args[0]) == -1) {
                return "argument must be 'yes' or 'no'";
            }
            if (name == "activedefrag" && yes_no(args[0]) == 1) {
                // Debian's redis links the system jemalloc, which lacks the defrag hint API.
                return "Active defragmentation cannot be enabled: it requires a Redis server "
                       "compiled with a modified Jemalloc like the one shipped by default with "
                       "the Redis source distribution";
            }
            break;
        case DirectiveKind::enumeration: {
            bool ok = !args.empty();
            bool save = false;
            bool nosave = false;
            for (const auto& a : args) {
                bool matched = false;
                std::string_view values = spec.enum_values;
                while (!values.empty()) {
                    const auto comma = values.find(", ");
                    const auto v = values.substr(0, comma);
                    if (iequals(a, v)) {
                        matched = true;
                        save = save || v == "save";
                        nosave = nosave || v == "nosave";
                    }
                    values = comma == std::string_view::npos ? std::string_view{}
                                                             : values.substr(comma + 2);
                }
                ok = ok && matched;
            }
            if (!ok) {
                return "argument(s) must be one of the following: " + std::string(spec.enum_values);
            }
            if (save && nosave) {
                return "shutdown options SAVE and NOSAVE can't be used simultaneously";
            }
            break;
        }
        case DirectiveKind::integer:
        case DirectiveKind::memory:
        case DirectiveKind::memory_unsigned:
        case DirectiveKind::memory_percent:
        case DirectiveKind::octal: {
            // numericParseString() then numericBoundaryCheck().
            const std::string& v = args[0];
            long long ll = 0;
            bool parsed = false;
            const bool is_memory = spec.kind == DirectiveKind::memory ||
                                   spec.kind == DirectiveKind::memory_unsigned ||
                                   spec.kind == DirectiveKind::memory_percent;
            if (is_memory) {
                unsigned long long ull = 0;
                if (memtoull(v, ull)) {
                    ll = static_cast<long long>(ull);
                    parsed = true;
                }
            }
            if (!parsed && spec.kind == DirectiveKind::memory_percent && v.size() > 1 &&
                v.back() == '%' && string2ll(std::string_view(v).substr(0, v.size() - 1), ll) &&
                ll >= 0) {
                ll = -ll;
                parsed = true;
            }
            if (!parsed && spec.kind == DirectiveKind::octal && c_strtoll_all(v, 8, ll, true)) {
                parsed = true;
            }
            if (!parsed && spec.kind == DirectiveKind::integer && string2ll(v, ll)) {
                parsed = true;
            }
            if (!parsed) {
                switch (spec.kind) {
                    case DirectiveKind::memory_percent:
                        return "argument must be a memory or percent value";
                    case DirectiveKind::octal:
                        return "argument couldn't be parsed as an octal number";
                    case DirectiveKind::integer:
                        return "argument couldn't be parsed into an integer";
                    default:
                        return "argument must be a memory value";
                }
            }
            if (spec.kind == DirectiveKind::memory_unsigned) {
                break;  // an unsigned long long option takes every parsable value
            }
            if (spec.kind == DirectiveKind::memory_percent && ll < 0) {
                if (ll < spec.lower) {
                    return "percentage argument must be less or equal to " +
                           std::to_string(-spec.lower);
                }
                break;
            }
            if (ll < spec.lower || ll > spec.upper) {
                if (spec.kind == DirectiveKind::octal) {
                    std::ostringstream os;
                    os << "argument must be between " << std::oct << spec.lower << " and "
                       << spec.upper << " inclusive";
                    return os.str();
                }
                return "argument must be between " + std::to_string(spec.lower) + " and " +
                       std::to_string(spec.upper) + " inclusive";
            }
            break;
        }
        case DirectiveKind::string: {
            const std::string v = c_str_of(args[0]);
            const bool base_name = v.find_first_of("/\\") == std::string::npos;
            switch (spec.check) {
                case StringCheck::dbfilename:
                    if (!base_name) {
                        return "dbfilename can't be a path, just a filename";
                    }
                    break;
                case StringCheck::aof_filename:
                    if (v.empty()) {
                        return "appendfilename can't be empty";
                    }
                    if (!base_name) {
                        return "appendfilename can't be a path, just a filename";
                    }
                    break;
                case StringCheck::aof_dirname:
                    if (v.empty()) {
                        return "appenddirname can't be empty";
                    }
                    if (!base_name) {
                        return "appenddirname can't be a path, just a dirname";
                    }
                    break;
                case StringCheck::hostname:
                    if (v.size() >= kHostStrLen) {
                        return "Hostnames must be less than 256 characters";
                    }
                    for (const char c : v) {
                        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '-' || c == '.')) {
                            return "Hostnames may only contain alphanumeric characters, hyphens "
                                   "or dots";
                        }
                    }
                    break;
                case StringCheck::proc_title: {
                    // validateProcTitleTemplate(): sdstemplate() expansion with an empty title
                    // must succeed and leave something besides spaces.
                    std::string expanded;
                    std::size_t p = 0;
                    bool valid = true;
                    while (p < v.size()) {
                        const auto open = v.find('{', p);
                        if (open == std::string::npos) {
                            expanded += v.substr(p);
                            break;
                        }
                        expanded += v.substr(p, open - p);
                        if (open + 1 >= v.size()) {
                            valid = false;
                            break;
                        }
                        if (v[open + 1] == '{') {
                            expanded += '{';
                            p = open + 2;
                            continue;
                        }
                        const auto close = v.find('}', open + 1);
                        if (close == std::string::npos) {
                            valid = false;
                            break;
                        }
                        const std::string var = v.substr(open + 1, close - open - 1);
                        if (var == "title") {
                        } else if (var == "listen-addr") {
                            expanded += "*:" + std::to_string(cfg_.server.port);
                        } else if (var == "server-mode") {
                            expanded += "[sentinel]";
                        } else if (var == "port" || var == "tls-port") {
                            expanded += std::to_string(cfg_.server.port);
                        } else if (var == "unixsocket") {
                            expanded += cfg_.server.unixsocket;
                        } else if (var == "config-file") {
                            expanded += "sentinel.conf";  // a sentinel always has one
                        } else {
                            valid = false;
                            break;
                        }
                        p = close + 1;
                    }
                    if (!valid || expanded.find_first_not_of(' ') == std::string::npos) {
                        return "template format is invalid or contains unknown variables";
                    }
                    break;
                }
                case StringCheck::none:
                    break;
            }
            break;
        }
        case DirectiveKind::special:
            break;
    }
    honour(name, args);
    return std::nullopt;
}

// The setters of Redis's SPECIAL_CONFIG options.
std::optional<std::string> Loader::apply_special(const std::string& name,
                                                 const std::vector<std::string>& args) {
    if (name == "save") {
        std::size_t argc = args.size();
        if (argc == 1 && c_str_of(args[0]).empty()) {
            argc = 0;
        }
        if (argc % 2 != 0) {
            return "Invalid save parameters";
        }
        for (std::size_t j = 0; j < argc; ++j) {
            long long val = 0;
            if (!c_strtoll_all(args[j], 10, val) || (j % 2 == 0 && val < 1) ||
                (j % 2 == 1 && val < 0)) {
                return "Invalid save parameters";
            }
        }
    } else if (name == "bind") {
        if (args.size() > kMaxBindAddrs) {
            return "Too many bind addresses specified.";
        }
    } else if (name == "client-output-buffer-limit") {
        if (args.size() % 4 != 0) {
            return "Wrong number of arguments in buffer limit configuration.";
        }
        for (std::size_t j = 0; j < args.size(); j += 4) {
            const std::string cls = to_lower(c_str_of(args[j]));
            if (cls != "normal" && cls != "slave" && cls != "replica" && cls != "pubsub") {
                return "Invalid client class specified in buffer limit configuration.";
            }
            unsigned long long hard = 0;
            unsigned long long soft = 0;
            long long secs = 0;
            const bool secs_ok = c_strtoll_all(args[j + 3], 10, secs);
            // soft_seconds is an int in Redis: the strtoll result keeps its low 32 bits.
            if (!memtoull(args[j + 1], hard) || !memtoull(args[j + 2], soft) || !secs_ok ||
                static_cast<int>(secs) < 0) {
                return "Error in hard, soft or soft_seconds setting in buffer limit "
                       "configuration.";
            }
        }
    } else if (name == "oom-score-adj-values") {
        if (args.size() != 3) {
            return std::string(kWrongArgs);
        }
        for (const auto& a : args) {
            long long val = 0;
            if (!c_strtoll_all(a, 10, val) || val < -2000 || val > 2000) {
                return "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
            }
        }
    } else if (name == "latency-tracking-info-percentiles") {
        const bool none = args.size() == 1 && args[0].empty();
        if (!none) {
            for (const auto& a : args) {
                double d = 0;
                if (!string2d(a, d)) {
                    return "Invalid latency-tracking-info-percentiles parameters";
                }
                if (d > 100.0 || d < 0.0) {
                    return "latency-tracking-info-percentiles parameters should sit between "
                           "[0.0,100.0]";
                }
            }
        }
    } else if (name == "notify-keyspace-events") {
        for (const char c : c_str_of(args[0])) {
            if (std::strchr("Ag$lshzxeKEtmdn", c) == nullptr) {
                return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
            }
        }
    } else if (name == "replicaof" || name == "slaveof") {
        if (args.size() != 2) {
            return std::string(kWrongArgs);
        }
        if (iequals(args[0], "no") && iequals(args[1], "one")) {
            has_replicaof_ = false;
            return std::nullopt;
        }
        const std::string port = c_str_of(args[1]);
        char* end = nullptr;
        // masterport is an int: strtol's result keeps its low 32 bits before the range check.
        const int p = static_cast<int>(std::strtol(port.c_str(), &end, 10));
        if (p < 0 || p > 65535 || *end != '\0') {
            return "Invalid master port";
        }
        has_replicaof_ = true;
    } else if (name == "dir") {
        // chdir(): the directory must exist and be enterable.
        const std::string target = resolve_path(base_dir_, c_str_of(args[0]));
        if (options_.check_filesystem) {
            struct stat st {};
            if (::stat(target.c_str(), &st) != 0) {
                return errno_text(errno);
            }
            if (!S_ISDIR(st.st_mode)) {
                return errno_text(ENOTDIR);
            }
            if (::access(target.c_str(), X_OK) != 0) {
                return errno_text(errno);
            }
        }
        base_dir_ = target;
    }
    return std::nullopt;
}

// Keeps the values of the directives the sentinel honours (all already validated).
void Loader::honour(const std::string& name, const std::vector<std::string>& args) {
    ServerConfig& s = cfg_.server;
    const auto number = [&args]() {
        long long v = 0;
        string2ll(args[0], v);
        return v;
    };
    const auto small = [&number]() {
        return static_cast<int>(std::clamp<long long>(number(), INT_MIN, INT_MAX));
    };
    if (name == "port") {
        s.port = small();
    } else if (name == "bind") {
        s.bind.clear();
        if (!(args.size() == 1 && args[0].empty())) {
            for (const auto& a : args) {
                s.bind.push_back(c_str_of(a));
            }
        }
    } else if (name == "protected-mode") {
        s.protected_mode = yes_no(args[0]) == 1;
    } else if (name == "daemonize") {
        s.daemonize = yes_no(args[0]) == 1;
    } else if (name == "pidfile") {
        s.pidfile = c_str_of(args[0]);
    } else if (name == "logfile") {
        s.logfile = c_str_of(args[0]);
    } else if (name == "loglevel") {
        const std::string v = to_lower(c_str_of(args[0]));
        s.loglevel = v == "debug"     ? LogLevel::debug
                     : v == "verbose" ? LogLevel::verbose
                     : v == "notice"  ? LogLevel::notice
                                      : LogLevel::warning;
    } else if (name == "dir") {
        s.dir = base_dir_;
    } else if (name == "requirepass") {
        if (args[0].empty()) {
            s.requirepass.reset();
        } else {
            s.requirepass = args[0];
        }
    } else if (name == "maxclients") {
        s.maxclients = small();
    } else if (name == "timeout") {
        s.timeout_s = small();
    } else if (name == "tcp-keepalive") {
        s.tcp_keepalive_s = small();
    } else if (name == "tcp-backlog") {
        s.tcp_backlog = small();
    } else if (name == "unixsocket") {
        s.unixsocket = c_str_of(args[0]);
    } else if (name == "aclfile") {
        s.aclfile = c_str_of(args[0]);
    } else if (name == "acllog-max-len") {
        s.acllog_max_len = number();
    } else if (name == "unixsocketperm") {
        long long v = 0;
        c_strtoll_all(args[0], 8, v);
        s.unixsocketperm = static_cast<int>(v);
    } else if (name == "acl-pubsub-default") {
        s.acl_pubsub_allchannels = iequals(args[0], "allchannels");
    } else if (name == "syslog-enabled") {
        s.syslog_enabled = yes_no(args[0]) == 1;
    } else if (name == "syslog-ident") {
        s.syslog_ident = c_str_of(args[0]);
    } else if (name == "syslog-facility") {
        s.syslog_facility = to_lower(c_str_of(args[0]));
    } else if (name == "cluster-enabled") {
        cluster_enabled_ = yes_no(args[0]) == 1;
    }
}

// createSentinelAddr(): port range first, then the address. IP literals are normalized into
// `ip` (left empty when already normalized); host names need resolve-hostnames and are resolved
// with options_.resolve. Like Redis, a name that does not resolve is logged, then accepted
// unresolved (empty ip) with resolve-hostnames and refused without it.
std::optional<std::string> Loader::check_address(std::string_view host, int port,
                                                 std::string& ip) const {
    if (port < 0 || port > 65535) {
        return "Invalid port number.";
    }
    const std::string name = c_str_of(host);
    ip.clear();
    if (auto literal = numeric_ip(host)) {
        ip = distinct_ip(name, *literal);
        return std::nullopt;
    }
    if (cfg_.sentinel.resolve_hostnames) {
        if (!options_.resolve) {
            return std::nullopt;  // no resolver: kept as written, silently
        }
        if (auto resolved = options_.resolve(name)) {
            ip = distinct_ip(name, *resolved);
            return std::nullopt;
        }
    }
    if (options_.warn) {
        options_.warn(cfg_.server, "Failed to resolve hostname '" + name + "'");
    }
    if (!cfg_.sentinel.resolve_hostnames) {
        return "Can't resolve instance hostname.";
    }
    return std::nullopt;
}

// sentinelHandleConfiguration().
std::optional<std::string> Loader::sentinel_line(const std::vector<std::string>& argv) {
    const std::size_t argc = argv.size();
    SentinelConfig& s = cfg_.sentinel;
    const auto cmd = [&argv](std::string_view name) { return iequals(argv[0], name); };
    const auto master = [this, &argv]() { return cfg_.find_master(argv[1]); };

    if (cmd("monitor") && argc == 5) {
        const int quorum = c_atoi(argv[4]);
        if (quorum <= 0) {
            return "Quorum must be 1 or greater.";
        }
        MasterConfig m;
        if (auto err = check_address(argv[2], c_atoi(argv[3]), m.ip)) {
            return err;
        }
        if (master() != nullptr) {
            return "Duplicate master name.";
        }
        m.name = argv[1];
        m.host = c_str_of(argv[2]);
        m.port = c_atoi(argv[3]);
        m.quorum = quorum;
        cfg_.masters.push_back(std::move(m));
    } else if ((cmd("down-after-milliseconds") || cmd("failover-timeout")) && argc == 3) {
        MasterConfig* m = master();
        if (m == nullptr) {
            return std::string(kNoSuchMaster);
        }
        const int ms = c_atoi(argv[2]);
        if (ms <= 0) {
            return "negative or zero time parameter.";
        }
        (cmd("failover-timeout") ? m->failover_timeout_ms : m->down_after_ms) = ms;
    } else if (cmd("parallel-syncs") && argc == 3) {
        MasterConfig* m = master();
        if (m == nullptr) {
            return std::string(kNoSuchMaster);
        }
        m->parallel_syncs = c_atoi(argv[2]);
    } else if ((cmd("notification-script") || cmd("client-reconfig-script")) && argc == 3) {
        MasterConfig* m = master();
        if (m == nullptr) {
            return std::string(kNoSuchMaster);
        }
        const bool notification = cmd("notification-script");
        if (options_.check_filesystem &&
            ::access(resolve_path(base_dir_, argv[2]).c_str(), X_OK) == -1) {
            return notification
                       ? "Notification script seems non existing or non executable."
                       : "Client reconfiguration script seems non existing or non executable.";
        }
        (notification ? m->notification_script : m->client_reconfig_script) = argv[2];
    } else if ((cmd("auth-pass") || cmd("auth-user")) && argc == 3) {
        MasterConfig* m = master();
        if (m == nullptr) {
            return std::string(kNoSuchMaster);
        }
        (cmd("auth-pass") ? m->auth_pass : m->auth_user) = argv[2];
    } else if (cmd("current-epoch") && argc == 2) {
        s.current_epoch = std::max(s.current_epoch, c_strtoull(argv[1]));
    } else if (cmd("myid") && argc == 2) {
        if (argv[1].size() != kRunIdSize) {
            return "Malformed Sentinel id in myid option.";
        }
        s.myid = argv[1];
    } else if ((cmd("config-epoch") || cmd("leader-epoch")) && argc == 3) {
        MasterConfig* m = master();
        if (m == nullptr) {
            return std::string(kNoSuchMaster);
        }
        const std::uint64_t epoch = c_strtoull(argv[2]);
        if (cmd("config-epoch")) {
            m->config_epoch = epoch;
            // Redundant with current-epoch, kept by Redis for old files.
            s.current_epoch = std::max(s.current_epoch, epoch);
        } else {
            m->leader_epoch = epoch;
        }
    } else if ((cmd("known-slave") || cmd("known-replica")) && argc == 4) {
        MasterConfig* m = master();
        if (m == nullptr) {
            return std::string(kNoSuchMaster);
        }
        KnownReplica r;
        r.host = c_str_of(argv[2]);
        r.port = c_atoi(argv[3]);
        if (auto err = check_address(argv[2], r.port, r.ip)) {
            return err;
        }
        // Replicas are keyed by their name, the announced address with the port.
        const bool announce = s.announce_hostnames;
        const std::string key = announced_host(r.host, r.ip, announce);
        const bool dup = std::any_of(
            m->known_replicas.begin(), m->known_replicas.end(), [&](const KnownReplica& k) {
                return k.port == r.port && announced_host(k.host, k.ip, announce) == key;
            });
        if (dup) {
            return "Duplicate hostname and port for replica.";
        }
        m->known_replicas.push_back(std::move(r));
    } else if (cmd("known-sentinel") && (argc == 4 || argc == 5)) {
        if (argc == 5) {  // the old form without a run id is ignored
            MasterConfig* m = master();
            if (m == nullptr) {
                return std::string(kNoSuchMaster);
            }
            KnownSentinel ks;
            ks.host = c_str_of(argv[2]);
            ks.port = c_atoi(argv[3]);
            if (auto err = check_address(argv[2], ks.port, ks.ip)) {
                return err;
            }
            // Sentinels are keyed by run id.
            const bool dup =
                std::any_of(m->known_sentinels.begin(), m->known_sentinels.end(),
                            [&argv](const KnownSentinel& k) { return k.run_id == argv[4]; });
            if (dup) {
                return "Duplicate runid for sentinel.";
            }
            ks.run_id = argv[4];
            m->known_sentinels.push_back(std::move(ks));
        }
    } else if (cmd("rename-command") && argc == 4) {
        MasterConfig* m = master();
        if (m == nullptr) {
            return std::string(kNoSuchMaster);
        }
        if (!m->rename_commands.emplace(to_upper(argv[2]), argv[3]).second) {
            return "Same command renamed multiple times with rename-command.";
        }
    } else if (cmd("announce-ip") && argc == 2) {
        if (!argv[1].empty()) {
            s.announce_ip = argv[1];
        }
    } else if (cmd("announce-port") && argc == 2) {
        s.announce_port = c_atoi(argv[1]);
    } else if (cmd("deny-scripts-reconfig") && argc == 2) {
        const int v = yes_no(argv[1]);
        if (v == -1) {
            return "Please specify yes or no for the deny-scripts-reconfig options.";
        }
        s.deny_scripts_reconfig = v == 1;
    } else if (cmd("sentinel-user") && argc == 2) {
        if (!argv[1].empty()) {
            s.sentinel_user = argv[1];
        }
    } else if (cmd("sentinel-pass") && argc == 2) {
        if (!argv[1].empty()) {
            s.sentinel_pass = argv[1];
        }
    } else if ((cmd("resolve-hostnames") || cmd("announce-hostnames")) && argc == 2) {
        const int v = yes_no(argv[1]);
        if (v == -1) {
            return cmd("resolve-hostnames")
                       ? "Please specify yes or no for the resolve-hostnames option."
                       : "Please specify yes or no for the announce-hostnames option.";
        }
        (cmd("resolve-hostnames") ? s.resolve_hostnames : s.announce_hostnames) = v == 1;
    } else if (cmd("master-reboot-down-after-period") && argc == 3) {
        MasterConfig* m = master();
        if (m == nullptr) {
            return std::string(kNoSuchMaster);
        }
        const int ms = c_atoi(argv[2]);
        if (ms < 0) {
            return "negative time parameter.";
        }
        m->master_reboot_down_after_period_ms = ms;
    } else {
        return "Unrecognized sentinel configuration statement.";
    }
    return std::nullopt;
}

std::optional<ConfigError> Loader::load_sentinel_queue() {
    for (const auto* queue : {&pre_monitor_, &monitor_, &post_monitor_}) {
        for (const auto& q : *queue) {
            if (auto err = sentinel_line(q.argv)) {
                return ConfigError{q.line, q.text, std::move(*err), false};
            }
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> resolve_hostname(const std::string& host) {
    return anet_resolve(host, /*numeric_only=*/false);
}

std::string announced_host(const std::string& host, const std::string& ip,
                           bool announce_hostnames) {
    return announce_hostnames || ip.empty() ? host : ip;
}

const MasterConfig* Config::find_master(std::string_view name) const {
    for (const auto& m : masters) {
        if (m.name == name) {
            return &m;
        }
    }
    return nullptr;
}

MasterConfig* Config::find_master(std::string_view name) {
    for (auto& m : masters) {
        if (m.name == name) {
            return &m;
        }
    }
    return nullptr;
}

Expected<Config, ConfigError> parse_config(std::string_view text,
                                           const std::vector<std::string>& extra) {
    return parse_config(text, extra, ParseOptions{});
}

Expected<Config, ConfigError> parse_config(std::string_view text,
                                           const std::vector<std::string>& extra,
                                           const ParseOptions& options) {
    // loadServerConfig(): the file as fgets() reads it, then "\n" and the command-line options
    // (C strings, so each ends at a NUL).
    std::string config = as_read_by_fgets(text);
    config += '\n';
    for (std::size_t i = 0; i < extra.size(); ++i) {
        if (i > 0) {
            config += '\n';
        }
        config += c_str_of(extra[i]);
    }
    Loader loader(options);
    if (auto err = loader.load_string(config, 0)) {
        return unexpected(std::move(*err));
    }
    if (auto err = loader.load_sentinel_queue()) {
        return unexpected(std::move(*err));
    }
    return loader.take();
}

std::string format_fatal(const ConfigError& err) {
    // Redis prints with %s, so text and reason end at a NUL byte.
    const std::string reason = c_str_of(err.reason);
    if (err.log_line) {
        return reason + "\n";
    }
    std::string out = "\n*** FATAL CONFIG FILE ERROR (Redis ";
    out += kRedisCompatVersion;
    out += ") ***\n";
    if (err.line > 0) {
        out += "Reading the configuration file, at line " + std::to_string(err.line) + "\n";
        out += ">>> '" + c_str_of(err.text) + "'\n";
    }
    out += reason + "\n";
    return out;
}

}  // namespace sentinel::config
