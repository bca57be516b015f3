// The command line as redis-server 7.0.15's main() reads it: the config file first, then
// `--name value...` options turned into config lines appended after the file.

#include <string>
#include <vector>

#include "common/config/tokenize.hpp"
#include "sentinel/config/config.hpp"

namespace sentinel::config {

namespace {

bool starts_with_dashes(const std::string& s) {
    return s.size() >= 2 && s[0] == '-' && s[1] == '-';
}

// Redis compares with strcasecmp on C strings.
bool iequals_c(const std::string& a, const char* b) {
    const std::string c = a.substr(0, a.find('\0'));
    std::string lower;
    for (const char ch : c) {
        lower += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    }
    return lower == b;
}

}  // namespace

Expected<CommandLine, std::string> parse_command_line(const std::vector<std::string>& argv) {
    CommandLine out;
    if (argv.empty()) {
        return out;
    }
    // Only the first argument can ask for the version or the help text.
    const std::string& first = argv[0];
    if (first == "-v" || first == "--version") {
        out.version = true;
        return out;
    }
    if (first == "--help" || first == "-h") {
        out.help = true;
        return out;
    }
    if (first == "--test-memory" || first == "--check-system") {
        return unexpected(first + " is not supported by this sentinel");
    }

    std::size_t j = 0;
    if (first.empty() || first[0] != '-') {
        out.config_file = first;
        j = 1;
    }

    // Redis builds one options string: "\n" before each option name, "name " after it and
    // sdscatrepr(value) + " " for each value. A name given without a value makes the next
    // argument its value even when it starts with "--" (`--port --sentinel` is port "--sentinel").
    std::string options;
    bool handled_last_config_arg = true;
    const std::size_t argc = argv.size();
    for (; j < argc; ++j) {
        const std::string& arg = argv[j];
        const bool last = j == argc - 1;
        if (arg == "-" && (j == 0 || last)) {
            out.config_from_stdin = true;
        } else if (handled_last_config_arg && starts_with_dashes(arg)) {
            if (!options.empty()) {
                options += '\n';
            }
            options += arg.substr(0, arg.find('\0')).substr(2);
            options += ' ';
            auto words = split_args(arg);
            const std::size_t word_count = words ? words->size() : 0;
            if (word_count == 1) {
                // Only an option name: its value comes next.
                handled_last_config_arg = false;
                const bool next_is_option = !last && starts_with_dashes(argv[j + 1]);
                if (next_is_option && iequals_c(arg, "--save")) {
                    // `--save --x y` means `--save "" --x y` (pre-7.0 behaviour kept by Redis).
                    options += "\"\"";
                    handled_last_config_arg = true;
                } else if (last && iequals_c(arg, "--save")) {
                    options += "\"\"";
                } else if (next_is_option && iequals_c(arg, "--sentinel")) {
                    // `--sentinel` takes no value.
                    handled_last_config_arg = true;
                }
            } else {
                // Name and value in one argument ("--port 6380").
                handled_last_config_arg = true;
            }
        } else {
            options += repr_arg(arg.substr(0, arg.find('\0')));
            options += ' ';
            handled_last_config_arg = true;
        }
    }

    // parse_config joins these with "\n" again, so splitting here loses nothing; Redis trims
    // each line, so the trailing space is dropped here for readability.
    if (!options.empty()) {
        std::size_t start = 0;
        while (true) {
            const auto nl = options.find('\n', start);
            std::string line = options.substr(start, nl == std::string::npos ? nl : nl - start);
            while (!line.empty() && line.back() == ' ') {
                line.pop_back();
            }
            out.extra.push_back(std::move(line));
            if (nl == std::string::npos) {
                break;
            }
            start = nl + 1;
        }
    }
    return out;
}

}  // namespace sentinel::config
