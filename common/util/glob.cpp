#include "common/util/glob.hpp"

#include <cctype>

namespace sentinel {
namespace {

char fold(char c, bool nocase) {
    return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Recursion depth is bounded by the number of '*' in the pattern, and consecutive stars are
// collapsed, so hostile patterns cannot blow the stack (Redis added the same guard in 7.0).
bool match(std::string_view p, std::string_view s, bool nocase, int depth) {
    if (depth > 1000) {
        return false;
    }
    while (!p.empty()) {
        switch (p[0]) {
            case '*': {
                while (p.size() > 1 && p[1] == '*') {
                    p.remove_prefix(1);
                }
                if (p.size() == 1) {
                    return true;
                }
                for (std::size_t i = 0; i <= s.size(); ++i) {
                    if (match(p.substr(1), s.substr(i), nocase, depth + 1)) {
                        return true;
                    }
                }
                return false;
            }
            case '?':
                if (s.empty()) {
                    return false;
                }
                s.remove_prefix(1);
                p.remove_prefix(1);
                break;
            case '[': {
                if (s.empty()) {
                    return false;
                }
                p.remove_prefix(1);
                bool negate = false;
                if (!p.empty() && p[0] == '^') {
                    negate = true;
                    p.remove_prefix(1);
                }
                bool matched = false;
                const char c = fold(s[0], nocase);
                while (!p.empty() && p[0] != ']') {
                    if (p[0] == '\\' && p.size() >= 2) {
                        p.remove_prefix(1);
                        matched |= fold(p[0], nocase) == c;
                        p.remove_prefix(1);
                    } else if (p.size() >= 3 && p[1] == '-' && p[2] != ']') {
                        char lo = fold(p[0], nocase);
                        char hi = fold(p[2], nocase);
                        if (lo > hi) {
                            std::swap(lo, hi);
                        }
                        matched |= c >= lo && c <= hi;
                        p.remove_prefix(3);
                    } else {
                        matched |= fold(p[0], nocase) == c;
                        p.remove_prefix(1);
                    }
                }
                if (!p.empty()) {
                    p.remove_prefix(1);  // the closing ']'
                }
                if (matched == negate) {
                    return false;
                }
                s.remove_prefix(1);
                break;
            }
            case '\\':
                if (p.size() >= 2) {
                    p.remove_prefix(1);
                }
                [[fallthrough]];
            default:
                if (s.empty() || fold(p[0], nocase) != fold(s[0], nocase)) {
                    return false;
                }
                s.remove_prefix(1);
                p.remove_prefix(1);
                break;
        }
    }
    return s.empty();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool nocase) {
    return match(pattern, text, nocase, 0);
}

}  // namespace sentinel
