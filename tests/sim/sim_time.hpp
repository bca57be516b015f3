#pragma once
// Constants that tie the simulator's virtual clock to plausible wall-clock readings.

#include <cstdint>

namespace sentinel::sim {

/// Wall-clock reading (ms since the Unix epoch) at virtual time 0: 2023-11-14, so anything
/// that prints dates or ages sees realistic values.
inline constexpr std::int64_t kSimWallEpochMs = 1700000000000;

}  // namespace sentinel::sim
