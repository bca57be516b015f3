#pragma once
// Glob matching with Redis's rules (stringmatchlen): * ? [abc] [^a-z] and \ escapes.

#include <string_view>

namespace sentinel {

/// True if `text` matches `pattern`. `nocase` folds ASCII case (CONFIG GET uses it).
bool glob_match(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace sentinel
