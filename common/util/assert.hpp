#pragma once
// SENTINEL_ASSERT stays on in release builds: a broken invariant must stop the process loudly.

#include <cstdio>
#include <cstdlib>

#define SENTINEL_ASSERT(cond)                                                                   \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            std::fprintf(stderr, "assertion failed: %s at %s:%d\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                       \
        }                                                                                       \
    } while (0)
