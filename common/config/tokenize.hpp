#pragma once
// Redis-style line tokenizer (the rules of sdssplitargs): used for config lines and inline
// commands.

#include <string>
#include <string_view>
#include <vector>

#include "common/util/expected.hpp"

namespace sentinel::config {

/// Splits one line into arguments. Supports "double quotes" with \n \r \t \b \a \\ \" and \xHH
/// escapes, 'single quotes' with only \' as an escape; a closing quote must be followed by a
/// space or the end of line. Returns an error text ("unbalanced quotes") on malformed input.
/// Like Redis's sdssplitargs it works on a C string: a NUL byte ends the line, a quote may open
/// in the middle of a word (a"b c" is one argument "ab c"), and "" is a valid empty argument.
Expected<std::vector<std::string>, std::string> split_args(std::string_view line);

/// Quotes a string the way Redis's config rewrite does (sdscatrepr): plain when safe, otherwise
/// in double quotes with escapes. Used when writing values back to sentinel.conf.
/// "Safe" means non-empty printable ASCII without space, quote or backslash, so that
/// split_args(quote_arg(s)) always yields exactly {s}.
std::string quote_arg(std::string_view s);

/// Exactly Redis's sdscatrepr: always in double quotes; \\ \" \n \r \t \a \b escaped, other
/// bytes outside 0x20..0x7e as \xHH. Use it where Redis writes a value with sdscatrepr (string
/// options such as `dir "/path"`, `sentinel announce-ip "1.2.3.4"`, command-line option values).
std::string repr_arg(std::string_view s);

}  // namespace sentinel::config
