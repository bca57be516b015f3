#pragma once
// Liveness: what a healed group must settle into, and how far it still is from it.

#include <string>

#include "tests/sim/topology.hpp"
#include "tests/sim/world.hpp"

namespace sentinel::sim {

/// The first thing that keeps the group from being settled, or "" once it is. Settled means:
/// - every sentinel is up, out of TILT, not failing over, names the same address for
///   `topology.master_name` (current_master_address) and knows every other server as a
///   replica and every other sentinel as a peer, all of them linked, not down, and the
///   replicas reporting (INFO) that they follow the master with their link up;
/// - the modelled servers agree: the one at that address is up and a master, every other one
///   is up and replicating from it with its link up.
std::string convergence_gap(const World& world, const Topology& topology);

}  // namespace sentinel::sim
