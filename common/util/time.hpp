#pragma once
// Time values passed into the core. The core never reads a clock: the runtime (or the simulator)
// supplies both readings with every event.

#include <chrono>
#include <cstdint>

namespace sentinel {

using Millis = std::chrono::milliseconds;

/// Monotonic time (for every timeout) and wall time (for TILT detection and display only),
/// both as milliseconds since an arbitrary epoch.
struct Now {
    Millis mono{0};
    Millis wall{0};
};

inline std::int64_t to_ms(Millis m) {
    return static_cast<std::int64_t>(m.count());
}

}  // namespace sentinel
